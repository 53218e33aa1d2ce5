#include "cli/push_flags.h"

#include "util/diagnostics.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <utility>

namespace sp::cli {

namespace pk = publish;

namespace {

constexpr const char* k_user_env = "SCRATCHPACK_REGISTRY_USER";
constexpr const char* k_password_env = "SCRATCHPACK_REGISTRY_PASSWORD";
constexpr const char* k_timeout_env = "SCRATCHPACK_PUSH_TIMEOUT";
constexpr size_t k_max_password = 64u << 10;

} // namespace

void add_push_flags(CLI::App* cmd, PushFlags& flags, PushFlagsFor command) {
  bool sign = command == PushFlagsFor::sign;
  if (command == PushFlagsFor::image) {
    // A value here and a switch in `release`: build and package make one image, and REF is its
    // name; a release makes many, each named and tagged in the manifest.
    cmd->add_option("--push", flags.ref,
                    "Push the image to a registry: HOST[:PORT]/NAME[:TAG] (prints the digest). "
                    "REF also names the image in the archive and for --load (--image, if given, "
                    "must be the same); --tag adds tags to all three. A value here, a switch in "
                    "'release', whose manifest names every image");
  }
  cmd->add_option("--creds", flags.creds,
                  "Registry credentials USER:PASS. Other users can read them in ps and "
                  "/proc/PID/cmdline: prefer --password-stdin or $SCRATCHPACK_REGISTRY_PASSWORD "
                  "(default: $REGISTRY_AUTH_FILE, podman's auth.json, docker's config.json)");
  cmd->add_option("--username", flags.username, "Registry user name for --password-stdin");
  cmd->add_flag("--password-stdin", flags.password_stdin,
                "Read the registry password from stdin (one trailing newline is dropped); or set "
                "$SCRATCHPACK_REGISTRY_USER and $SCRATCHPACK_REGISTRY_PASSWORD");
  cmd->add_option("--insecure-registry", flags.insecure_registries,
                  "Allow plain HTTP / unverified TLS for HOST[:PORT] (loopback always is)")
      ->allow_extra_args(false);
  if (!sign) {
    cmd->add_option("--mount-from", flags.mount_from,
                    "A repository of the same registry that may hold the blobs already "
                    "(cross-repository mount)")
        ->allow_extra_args(false);
  }
  if (command == PushFlagsFor::push) {
    cmd->add_option("--tag", flags.tags, "Also push under this tag (repeatable)")
        ->allow_extra_args(false);
  }
  if (!sign) {
    cmd->add_option("--chunk-size", flags.chunk_size,
                    "Upload blobs larger than this in chunks of this size, e.g. 8M (0: one "
                    "request per blob)");
  }
  cmd->add_option("--timeout", flags.timeout,
                  "Deadline of each registry request, plus 1s per 8 KiB it uploads, e.g. 90s, 5m "
                  "(default 5m or $SCRATCHPACK_PUSH_TIMEOUT; 0: none)");
  cmd->add_option("--retries", flags.retries, "Attempts per request before giving up (default 5)");
  cmd->add_flag("-q,--quiet", flags.quiet, "No progress lines on stderr");
  if (!sign) {
    cmd->add_option("--sign-key", flags.sign.key,
                    "Sign what is pushed with this ECDSA P-256 private key (PEM, from "
                    "'scratchpack keygen'): a cosign signature under the tag "
                    "sha256-<digest>.sig (docs/signing.md)");
    add_passphrase_flags(cmd, flags.sign, "to decrypt --sign-key");
  }
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::string_view t = trim(text);
  uint64_t scale = 1000;
  for (auto [suffix, ms] : {std::pair<std::string_view, uint64_t>{"ms", 1},
                            {"s", 1000},
                            {"m", 60000},
                            {"h", 3600000}}) {
    if (t.ends_with(suffix)) {
      t.remove_suffix(suffix.size());
      scale = ms;
      break;
    }
  }
  unsigned long long n = 0;
  if (!parse_uint(t, n) || n > (uint64_t(1) << 40) / scale) {
    return usage_error("duration '" + std::string(text) + "'",
                       "expects a duration such as 90s, 5m or 1h (0: no deadline)");
  }
  return std::chrono::milliseconds(n * scale);
}

namespace {

// The whole of stdin, without one trailing "\n" (then "\r"), as docker login reads it.
Result<std::string> read_password(std::istream* in) {
  if (!in) {
    return usage_error("--password-stdin", "no stdin to read the password from");
  }
  std::string text;
  char buffer[4096];
  while (in->read(buffer, sizeof buffer) || in->gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in->gcount()));
    if (text.size() > k_max_password) {
      return usage_error("--password-stdin", "stdin holds more than 64 KiB; expected a password");
    }
  }
  if (text.ends_with('\n')) {
    text.pop_back();
  }
  if (text.ends_with('\r')) {
    text.pop_back();
  }
  if (text.empty()) {
    return usage_error("--password-stdin", "read an empty password from stdin");
  }
  return text;
}

std::string env_value(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// $SCRATCHPACK_REGISTRY_USER and $SCRATCHPACK_REGISTRY_PASSWORD, both or neither.
Result<std::optional<pk::FoundCredentials>> credentials_from_env() {
  std::string user = env_value(k_user_env);
  std::string password = env_value(k_password_env);
  if (user.empty() && password.empty()) {
    return std::optional<pk::FoundCredentials>();
  }
  if (user.empty() || password.empty()) {
    return usage_error(std::string("$") + (user.empty() ? k_password_env : k_user_env),
                       std::string("is set but $") + (user.empty() ? k_user_env : k_password_env) +
                           " is not",
                       "set both, or neither");
  }
  return std::optional<pk::FoundCredentials>(
      pk::FoundCredentials{{user, password}, std::string("$") + k_password_env});
}

// --creds, or --username with --password-stdin, or the environment: at most one of them.
void plan_credentials(const PushFlags& flags, std::istream* in, pk::CredentialSources& sources,
                      Diagnostics& diag) {
  if (!flags.creds.empty()) {
    sources.explicit_creds = flags.creds;
    diag.check(pk::parse_creds(flags.creds));
    if (flags.password_stdin) {
      diag.add(usage_error("--creds", "cannot be combined with --password-stdin",
                           "keep --username USER --password-stdin: --creds is visible in ps"));
    }
    return;
  }
  if (flags.password_stdin) {
    if (flags.username.empty()) {
      diag.add(usage_error("--password-stdin", "needs --username USER"));
      return;
    }
    if (auto password = read_password(in); diag.check(password)) {
      sources.given = pk::FoundCredentials{{flags.username, *password}, "--password-stdin"};
    }
    return;
  }
  if (!flags.username.empty()) {
    diag.add(usage_error("--username", "needs --password-stdin (the password is read from stdin)"));
    return;
  }
  if (auto env = credentials_from_env(); diag.check(env)) {
    sources.given = *env;
  }
}

// --timeout, else $SCRATCHPACK_PUSH_TIMEOUT, else the default.
void plan_timeout(const PushFlags& flags, pk::PushOptions& o, Diagnostics& diag) {
  std::string text = flags.timeout;
  std::string what = "--timeout " + flags.timeout;
  if (text.empty()) {
    text = env_value(k_timeout_env);
    what = std::string("$") + k_timeout_env + "=" + text;
  }
  if (text.empty()) {
    return;
  }
  Result<std::chrono::milliseconds> d = parse_duration(text);
  if (d) {
    o.timeout = *d;
  } else {
    Error e = d.take_error();
    e.what = what;
    diag.add(std::move(e));
  }
}

} // namespace

Result<pk::PushOptions> to_push_options(const PushFlags& flags, std::istream* in) {
  pk::PushOptions o;
  Diagnostics diag;
  o.credentials = pk::default_credential_sources();
  plan_credentials(flags, in, o.credentials, diag);
  // Read (or overridden by a flag): out of the environment, so that no child process of this
  // one — compilers, podman — inherits the password.
  ::unsetenv(k_password_env);
  plan_timeout(flags, o, diag);
  o.insecure_registries = flags.insecure_registries;
  o.mount_from = flags.mount_from;
  o.extra_tags = flags.tags;
  if (!flags.chunk_size.empty()) {
    Result<uint64_t> size = parse_size(flags.chunk_size);
    if (size) {
      o.chunk_size = *size;
    } else {
      Error e = size.take_error();
      e.what = "--chunk-size " + flags.chunk_size;
      diag.add(std::move(e));
    }
  }
  if (flags.retries < 0) {
    diag.add(usage_error("--retries " + std::to_string(flags.retries), "must be 1 or more"));
  } else if (flags.retries > 0) {
    o.retry.max_attempts = flags.retries;
  }
  if (flags.password_stdin && flags.sign.passphrase_stdin) {
    diag.add(usage_error("--passphrase-stdin",
                         "cannot be combined with --password-stdin: both "
                         "read stdin",
                         "give the passphrase with --passphrase-env VAR"));
  } else if (auto key = load_key_flags(flags.sign, in, "--sign-key"); diag.check(key)) {
    o.sign_key = std::move(*key);
  }
  unsigned long long base = 0;
  if (const char* env = std::getenv("SCRATCHPACK_RETRY_BASE_MS"); env && parse_uint(env, base)) {
    o.retry.base_delay = std::chrono::milliseconds(base);
  }
  SP_TRY(diag.status());
  return o;
}

nlohmann::ordered_json push_result_object(const pk::PushResult& r) {
  nlohmann::ordered_json j;
  j["reference"] = r.reference.to_string();
  j["digest"] = r.digest.to_string();
  j["pushed"] = r.pushed();
  j["media_type"] = r.media_type;
  j["blobs_uploaded"] = r.counters.blobs_uploaded;
  j["blobs_skipped"] = r.counters.blobs_skipped;
  j["blobs_mounted"] = r.counters.blobs_mounted;
  j["bytes_uploaded"] = r.counters.bytes_uploaded;
  j["manifests_put"] = r.counters.manifests_put;
  j["retries"] = r.counters.retries;
  if (r.signature) {
    j["signature"] = signature_object(*r.signature);
  }
  return j;
}

nlohmann::ordered_json signature_object(const pk::PushedSignature& s) {
  nlohmann::ordered_json j;
  j["reference"] = s.reference;
  j["signed_digest"] = s.signed_digest.to_string();
  j["digest"] = s.digest.to_string();
  j["signatures"] = s.signatures;
  j["unchanged"] = s.unchanged;
  return j;
}

void print_pushed(std::ostream& out, const pk::PushResult& r) {
  out << r.pushed() << '\n';
  if (r.signature) {
    out << r.signature->reference << '\n';
  }
}

} // namespace sp::cli
