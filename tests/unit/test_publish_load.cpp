// load_archive against fake engines on a private $PATH: podman before docker, a failing load
// with the engine's words, and neither installed.
#include "publish/load.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace sp;

namespace {

// Points $PATH at a fresh directory for the test's lifetime.
struct FakePath {
  TempDir dir{"sp-load"};
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";

  FakePath() { ::setenv("PATH", dir.path().c_str(), 1); }
  ~FakePath() { ::setenv("PATH", saved.c_str(), 1); }

  // An engine that records its arguments, prints `err` on stderr and exits with `status`.
  void engine(const std::string& name, int status, const std::string& err = "") {
    fs::path script = dir.path() / name;
    REQUIRE(write_file_atomic(script,
                              "#!/bin/sh\necho \"$@\" > \"$0.args\"\necho '" + err +
                                  "' >&2\nexit " + std::to_string(status) + "\n",
                              0755));
  }
  std::string args(const std::string& name) {
    return read_file(dir.path() / (name + ".args")).value();
  }
};

} // namespace

TEST_CASE("publish.load: podman first, then docker") {
  FakePath path;
  path.engine("docker", 0);
  CHECK(publish::load_archive("out/hello.tar").value() == "docker");
  CHECK(path.args("docker") == "load -i out/hello.tar\n");
  path.engine("podman", 0);
  CHECK(publish::load_archive("out/hello.tar").value() == "podman");
}

TEST_CASE("publish.load: a failing load shows the engine's words") {
  FakePath path;
  path.engine("podman", 3, "no space left");
  Result<std::string> r = publish::load_archive("out/hello.tar");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().what == "--load");
  CHECK(r.error().why == "podman load exited with status 3");
  CHECK(r.error().details == "no space left\n");
}

TEST_CASE("publish.load: neither podman nor docker") {
  FakePath path;
  Result<std::string> r = publish::load_archive("out/hello.tar");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why == "neither podman nor docker is installed");
  CHECK(r.error().hint == "install podman, or load out/hello.tar yourself");
}
