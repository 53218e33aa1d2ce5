#include "cli/push_flags.h"
#include "cli_run.h"
#include "util/diagnostics.h"
#include "util/fs.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace sp;

TEST_CASE("cli push flags: sizes take K, M and G") {
  CHECK(parse_size("0").value() == 0);
  CHECK(parse_size("4096").value() == 4096);
  CHECK(parse_size("64K").value() == 64u << 10);
  CHECK(parse_size("8M").value() == 8u << 20);
  CHECK(parse_size("1g").value() == 1u << 30);
  CHECK_FALSE(parse_size("").ok());
  CHECK_FALSE(parse_size("12Q").ok());
  CHECK_FALSE(parse_size("-1").ok());
}

TEST_CASE("cli push flags: parsed into PushOptions") {
  CLI::App app;
  cli::PushFlags flags;
  cli::add_push_flags(&app, flags, cli::PushFlagsFor::image);
  app.parse(std::vector<std::string>{"5", "--retries", "32K", "--chunk-size", "b/base",
                                     "--mount-from", "registry.lan", "--insecure-registry", "u:p:w",
                                     "--creds", "127.0.0.1:5000/x", "--push"});
  CHECK(flags.ref == "127.0.0.1:5000/x");
  ::setenv("SCRATCHPACK_RETRY_BASE_MS", "7", 1);
  publish::PushOptions o = cli::to_push_options(flags, nullptr).value();
  ::unsetenv("SCRATCHPACK_RETRY_BASE_MS");
  CHECK(o.credentials.explicit_creds == std::optional<std::string>("u:p:w"));
  CHECK(o.insecure_registries == std::vector<std::string>{"registry.lan"});
  CHECK(o.mount_from == std::vector<std::string>{"b/base"});
  CHECK(o.chunk_size == 32u << 10);
  CHECK(o.retry.max_attempts == 5);
  CHECK(o.retry.base_delay == std::chrono::milliseconds(7));

  flags.creds = "secret-without-colon";
  auto bad = cli::to_push_options(flags, nullptr);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().exit_code() == 2);
  CHECK(bad.error().why.find("secret-without-colon") == std::string::npos);
}

TEST_CASE("cli push flags: the JSON result holds the reference, digest and counters") {
  publish::PushResult r;
  r.reference = publish::parse_registry_ref("127.0.0.1:5000/hello").value();
  r.digest = packager::Digest::of("m");
  r.media_type = "application/vnd.oci.image.manifest.v1+json";
  r.counters.blobs_uploaded = 2;
  r.counters.bytes_uploaded = 1234;
  auto j = cli::push_result_object(r);
  CHECK(j["reference"] == "127.0.0.1:5000/hello:latest");
  CHECK(j["digest"] == r.digest.to_string());
  CHECK(j["pushed"] == "127.0.0.1:5000/hello@" + r.digest.to_string());
  CHECK(j["blobs_uploaded"] == 2);
  CHECK(j["blobs_skipped"] == 0);
  CHECK(j["blobs_mounted"] == 0);
  CHECK(j["bytes_uploaded"] == 1234);
}

namespace {

// Runs to_push_options over `args` (push flags) with `input` as stdin.
Result<publish::PushOptions> options_for(const std::vector<std::string>& args,
                                         const std::string& input = {}, bool with_stdin = true) {
  CLI::App app;
  cli::PushFlags flags;
  cli::add_push_flags(&app, flags, cli::PushFlagsFor::image);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
  std::istringstream in(input);
  return cli::to_push_options(flags, with_stdin ? &in : nullptr);
}

// Sets (or, with nullptr, unsets) an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  ScopedEnv(std::string n, const char* value) : name(std::move(n)) {
    value ? ::setenv(name.c_str(), value, 1) : ::unsetenv(name.c_str());
  }
  ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

} // namespace

TEST_CASE("cli push flags: durations take ms, s, m and h") {
  using ms = std::chrono::milliseconds;
  CHECK(cli::parse_duration("90").value() == ms(90000));
  CHECK(cli::parse_duration("90s").value() == ms(90000));
  CHECK(cli::parse_duration("500ms").value() == ms(500));
  CHECK(cli::parse_duration("5m").value() == ms(300000));
  CHECK(cli::parse_duration("1h").value() == ms(3600000));
  CHECK(cli::parse_duration("0").value() == ms(0));
  for (const char* bad : {"", "5x", "-1", "1.5s", "s", "99999999999999h"}) {
    CAPTURE(bad);
    CHECK_FALSE(cli::parse_duration(bad).ok());
  }
}

TEST_CASE("cli push flags: --timeout, else $SCRATCHPACK_PUSH_TIMEOUT, else 5 minutes") {
  using ms = std::chrono::milliseconds;
  ScopedEnv unset("SCRATCHPACK_PUSH_TIMEOUT", nullptr);
  CHECK(options_for({}).value().timeout == ms(300000));
  CHECK(options_for({"--timeout", "30s"}).value().timeout == ms(30000));
  CHECK(options_for({"--timeout", "0"}).value().timeout == ms(0));
  ScopedEnv env("SCRATCHPACK_PUSH_TIMEOUT", "2m");
  CHECK(options_for({}).value().timeout == ms(120000));
  CHECK(options_for({"--timeout", "3s"}).value().timeout == ms(3000)); // the flag wins

  auto bad = options_for({"--timeout", "soon"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().what == "--timeout soon");
  CHECK(bad.error().exit_code() == 2);
  ::setenv("SCRATCHPACK_PUSH_TIMEOUT", "later", 1);
  auto bad_env = options_for({});
  REQUIRE_FALSE(bad_env.ok());
  CHECK(bad_env.error().what == "$SCRATCHPACK_PUSH_TIMEOUT=later");
}

TEST_CASE("cli push flags: --password-stdin reads the password from stdin") {
  ScopedEnv user("SCRATCHPACK_REGISTRY_USER", nullptr);
  ScopedEnv password("SCRATCHPACK_REGISTRY_PASSWORD", nullptr);
  auto o = options_for({"--username", "me", "--password-stdin"}, "pa:ss word\n").value();
  REQUIRE(o.credentials.given.has_value());
  CHECK(o.credentials.given->credentials.username == "me");
  CHECK(o.credentials.given->credentials.password == "pa:ss word");
  CHECK(o.credentials.given->source == "--password-stdin");
  CHECK_FALSE(o.credentials.explicit_creds.has_value());
  // One line end is dropped (\n or \r\n), nothing else.
  auto given = [](const std::string& input) {
    return options_for({"--username", "me", "--password-stdin"}, input)
        .value()
        .credentials.given->credentials.password;
  };
  CHECK(given("pw\r\n") == "pw");
  CHECK(given("pw") == "pw");
  CHECK(given("pw\n\n") == "pw\n");
  CHECK(given(" pw ") == " pw ");

  struct Case {
    std::vector<std::string> args;
    std::string input;
    std::string why;
  };
  for (const Case& c : {
           Case{{"--password-stdin"}, "hunter2-secret\n", "needs --username USER"},
           Case{{"--username", "me"},
                "",
                "needs --password-stdin (the password is read from stdin)"},
           Case{
               {"--username", "me", "--password-stdin"}, "\n", "read an empty password from stdin"},
           Case{{"--username", "me", "--password-stdin", "--creds", "u:hunter2-secret"},
                "hunter2-secret",
                "cannot be combined with --password-stdin"},
           Case{{"--username", "me", "--password-stdin"},
                std::string(70000, 'x'),
                "stdin holds more than 64 KiB; expected a password"},
       }) {
    CAPTURE(c.why);
    auto r = options_for(c.args, c.input);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().exit_code() == 2);
    std::string all = r.error().what + r.error().why + r.error().hint + r.error().details;
    CHECK(all.find(c.why) != std::string::npos);
    CHECK(all.find("hunter2-secret") == std::string::npos);
  }
  auto no_stdin = options_for({"--username", "me", "--password-stdin"}, "", false);
  REQUIRE_FALSE(no_stdin.ok());
  CHECK(no_stdin.error().why == "no stdin to read the password from");
}

TEST_CASE("cli push flags: credentials from the environment, then out of it") {
  ScopedEnv user("SCRATCHPACK_REGISTRY_USER", "robot");
  ScopedEnv password("SCRATCHPACK_REGISTRY_PASSWORD", "env-secret:1");
  auto o = options_for({}).value();
  REQUIRE(o.credentials.given.has_value());
  CHECK(o.credentials.given->credentials.username == "robot");
  CHECK(o.credentials.given->credentials.password == "env-secret:1");
  CHECK(o.credentials.given->source == "$SCRATCHPACK_REGISTRY_PASSWORD");
  // Gone from the environment: no compiler or podman started later inherits it.
  CHECK(std::getenv("SCRATCHPACK_REGISTRY_PASSWORD") == nullptr);

  // A flag wins over the environment, which is scrubbed all the same.
  ::setenv("SCRATCHPACK_REGISTRY_PASSWORD", "env-secret:2", 1);
  auto flag = options_for({"--creds", "a:b"}).value();
  CHECK_FALSE(flag.credentials.given.has_value());
  CHECK(std::getenv("SCRATCHPACK_REGISTRY_PASSWORD") == nullptr);

  // One without the other is a mistake, said without the value.
  ::unsetenv("SCRATCHPACK_REGISTRY_USER");
  ::setenv("SCRATCHPACK_REGISTRY_PASSWORD", "env-secret:3", 1);
  auto half = options_for({});
  REQUIRE_FALSE(half.ok());
  CHECK(half.error().what == "$SCRATCHPACK_REGISTRY_PASSWORD");
  CHECK(half.error().why == "is set but $SCRATCHPACK_REGISTRY_USER is not");
  CHECK(half.error().why.find("env-secret") == std::string::npos);
}

TEST_CASE("cli push flags: every pushing command has them; --help warns about --creds") {
  for (const char* command : {"push", "build", "package", "release"}) {
    CAPTURE(command);
    testing::Run help = testing::scratchpack({command, "--help"});
    CHECK(help.rc == 0);
    for (const char* flag : {"--timeout", "--password-stdin", "--username", "--creds"}) {
      CHECK(help.out.find(flag) != std::string::npos);
    }
    CHECK(help.out.find("Other users can read them in ps") != std::string::npos);
  }
  // Through the real command line: stdin is the command's.
  testing::Run empty = testing::scratchpack(
      {"push", "--username", "me", "--password-stdin", "x.tar", "127.0.0.1:1/x"}, "");
  CHECK(empty.rc == 2);
  CHECK(empty.err.find("--password-stdin: read an empty password from stdin") != std::string::npos);
}

TEST_CASE("cli push flags: --sign-key loads the key, decrypted with its passphrase") {
  TempDir dir("sp-sign-flags");
  publish::SigningKey key = publish::SigningKey::generate().value();
  fs::path locked = dir.path() / "locked.key";
  REQUIRE(write_file_atomic(locked, key.private_pem(std::string("pw")).value(), 0600));

  cli::PushFlags flags;
  flags.sign.key = locked.string();
  flags.sign.passphrase_env = "SP_TEST_KEY_PASSPHRASE";
  ::setenv("SP_TEST_KEY_PASSPHRASE", "pw", 1);
  publish::PushOptions o = cli::to_push_options(flags, nullptr).value();
  REQUIRE(o.sign_key);
  CHECK(o.sign_key->public_pem().value() == key.public_pem().value());
  CHECK(std::getenv("SP_TEST_KEY_PASSPHRASE") == nullptr); // read, then out of the environment

  std::istringstream wrong("nope\n");
  flags.sign.passphrase_env.clear();
  flags.sign.passphrase_stdin = true;
  Result<publish::PushOptions> bad = cli::to_push_options(flags, &wrong);
  REQUIRE(!bad);
  CHECK(bad.error().exit_code() == 2);
  CHECK(render(bad.error()).find("wrong passphrase") != std::string::npos);
  CHECK(render(bad.error()).find("nope") == std::string::npos);

  // stdin cannot hold both the registry password and the passphrase.
  flags.username = "u";
  flags.password_stdin = true;
  std::istringstream both("secret\n");
  Result<publish::PushOptions> clash = cli::to_push_options(flags, &both);
  REQUIRE(!clash);
  CHECK(render(clash.error(), {})
            .find("--passphrase-stdin: cannot be combined with "
                  "--password-stdin") != std::string::npos);

  // A passphrase without a key is a mistake, not silently ignored.
  cli::PushFlags stray;
  stray.sign.passphrase_stdin = true;
  Result<publish::PushOptions> lone = cli::to_push_options(stray, nullptr);
  REQUIRE(!lone);
  CHECK(lone.error().why == "decrypts a signing key, but no --sign-key is given");
}
