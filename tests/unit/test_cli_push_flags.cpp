#include "cli/push_flags.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

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
  cli::add_push_flags(&app, flags, true);
  app.parse(std::vector<std::string>{"5", "--retries", "32K", "--chunk-size", "b/base",
                                     "--mount-from", "registry.lan", "--insecure-registry", "u:p:w",
                                     "--creds", "127.0.0.1:5000/x", "--push"});
  CHECK(flags.ref == "127.0.0.1:5000/x");
  ::setenv("SCRATCHPACK_RETRY_BASE_MS", "7", 1);
  publish::PushOptions o = cli::to_push_options(flags).value();
  ::unsetenv("SCRATCHPACK_RETRY_BASE_MS");
  CHECK(o.credentials.explicit_creds == std::optional<std::string>("u:p:w"));
  CHECK(o.insecure_registries == std::vector<std::string>{"registry.lan"});
  CHECK(o.mount_from == std::vector<std::string>{"b/base"});
  CHECK(o.chunk_size == 32u << 10);
  CHECK(o.retry.max_attempts == 5);
  CHECK(o.retry.base_delay == std::chrono::milliseconds(7));

  flags.creds = "secret-without-colon";
  auto bad = cli::to_push_options(flags);
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
  auto j = nlohmann::json::parse(cli::push_result_json(r));
  CHECK(j["reference"] == "127.0.0.1:5000/hello:latest");
  CHECK(j["digest"] == r.digest.to_string());
  CHECK(j["pushed"] == "127.0.0.1:5000/hello@" + r.digest.to_string());
  CHECK(j["blobs_uploaded"] == 2);
  CHECK(j["blobs_skipped"] == 0);
  CHECK(j["blobs_mounted"] == 0);
  CHECK(j["bytes_uploaded"] == 1234);
}
