#include "cli/push_flags.h"

#include "cli/diagnostics.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>

namespace sp::cli {

namespace {

namespace pk = packager;

std::string short_digest(const packager::Digest& d) {
  return d.to_string().substr(0, 7 + 12);
}

std::string human_size(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    return std::to_string(bytes) + " B";
  }
  double v = static_cast<double>(bytes) / 1024.0;
  const char* unit = "KiB";
  if (v >= 1024.0) {
    v /= 1024.0;
    unit = "MiB";
  }
  if (v >= 1024.0) {
    v /= 1024.0;
    unit = "GiB";
  }
  std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
  return buf;
}

std::string event_text(const publish::PushEvent& e) {
  std::string d = short_digest(e.digest);
  switch (e.kind) {
  case publish::PushEvent::Kind::blob_exists:
    return d + " already there";
  case publish::PushEvent::Kind::blob_mounted:
    return d + " mounted from " + e.detail;
  case publish::PushEvent::Kind::blob_upload:
    return d + " uploading " + human_size(e.size);
  case publish::PushEvent::Kind::blob_uploaded:
    return d + " uploaded";
  case publish::PushEvent::Kind::manifest_put:
    return d + " manifest stored";
  case publish::PushEvent::Kind::tag_put:
    return "tagged " + e.detail;
  case publish::PushEvent::Kind::retry:
    return e.detail + "; trying again (attempt " + std::to_string(e.attempt) + ")";
  }
  return d;
}

} // namespace

void add_push_flags(CLI::App* cmd, PushFlags& flags, bool with_push_ref) {
  if (with_push_ref) {
    cmd->add_option("--push", flags.ref,
                    "Push the image to a registry: HOST[:PORT]/NAME[:TAG] (prints the digest)");
  }
  cmd->add_option("--creds", flags.creds,
                  "Registry credentials USER:PASS (default: $REGISTRY_AUTH_FILE, podman's "
                  "auth.json, docker's config.json)");
  cmd->add_option("--insecure-registry", flags.insecure_registries,
                  "Allow plain HTTP / unverified TLS for HOST[:PORT] (loopback always is)")
      ->allow_extra_args(false);
  cmd->add_option("--mount-from", flags.mount_from,
                  "A repository of the same registry that may hold the blobs already "
                  "(cross-repository mount)")
      ->allow_extra_args(false);
  cmd->add_option("--tag", flags.tags, "Also push under this tag (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--chunk-size", flags.chunk_size,
                  "Upload blobs larger than this in chunks of this size, e.g. 8M (0: one "
                  "request per blob)");
  cmd->add_option("--retries", flags.retries, "Attempts per request before giving up (default 5)");
  cmd->add_flag("-q,--quiet", flags.quiet, "No progress lines on stderr");
}

Result<uint64_t> parse_size(std::string_view text) {
  std::string_view t = trim(text);
  uint64_t scale = 1;
  if (!t.empty()) {
    switch (t.back()) {
    case 'k':
    case 'K':
      scale = 1u << 10;
      break;
    case 'm':
    case 'M':
      scale = 1u << 20;
      break;
    case 'g':
    case 'G':
      scale = 1u << 30;
      break;
    default:
      break;
    }
    if (scale != 1) {
      t.remove_suffix(1);
    }
  }
  unsigned long long n = 0;
  if (!parse_uint(t, n) || n > (UINT64_MAX / scale)) {
    return usage_error("size '" + std::string(text) + "'",
                       "expects a number of bytes, optionally with K, M or G");
  }
  return static_cast<uint64_t>(n) * scale;
}

Result<publish::PushOptions> to_push_options(const PushFlags& flags) {
  publish::PushOptions o;
  o.credentials = publish::default_credential_sources();
  if (!flags.creds.empty()) {
    o.credentials.explicit_creds = flags.creds;
    if (Result<publish::Credentials> c = publish::parse_creds(flags.creds); !c) {
      return c.take_error();
    }
  }
  o.insecure_registries = flags.insecure_registries;
  o.mount_from = flags.mount_from;
  o.extra_tags = flags.tags;
  if (!flags.chunk_size.empty()) {
    Result<uint64_t> size = parse_size(flags.chunk_size);
    if (!size) {
      Error e = size.take_error();
      e.what = "--chunk-size " + flags.chunk_size;
      return e;
    }
    o.chunk_size = *size;
  }
  if (flags.retries < 0) {
    return usage_error("--retries " + std::to_string(flags.retries), "must be 1 or more");
  }
  if (flags.retries > 0) {
    o.retry.max_attempts = flags.retries;
  }
  unsigned long long base = 0;
  if (const char* env = std::getenv("SCRATCHPACK_RETRY_BASE_MS"); env && parse_uint(env, base)) {
    o.retry.base_delay = std::chrono::milliseconds(base);
  }
  return o;
}

std::function<void(const publish::PushEvent&)> push_progress_printer(Io& io) {
  return [&io](const publish::PushEvent& e) {
    if (e.kind == publish::PushEvent::Kind::retry) {
      print_warning(io, "push: " + event_text(e));
    } else {
      io.err << paint("push:", Color::dim, io.color_err) << ' ' << event_text(e) << '\n';
    }
    io.err.flush();
  };
}

Result<publish::PushResult> push_with_flags(Io& io, const PushFlags& flags,
                                            const pk::Descriptor& root,
                                            const pk::BlobStore& store) {
  Result<publish::RegistryRef> ref = publish::parse_registry_ref(flags.ref);
  if (!ref) {
    return ref.take_error();
  }
  Result<publish::PushOptions> options = to_push_options(flags);
  if (!options) {
    return options.take_error();
  }
  if (!flags.quiet) {
    options->progress = push_progress_printer(io);
  }
  return publish::push_descriptor(root, store, *ref, *options);
}

nlohmann::ordered_json push_result_object(const publish::PushResult& r) {
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
  return j;
}

std::string push_result_json(const publish::PushResult& r) {
  return push_result_object(r).dump();
}

} // namespace sp::cli
