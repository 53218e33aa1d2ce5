#include "pipeline/caches.h"
#include "util/diagnostics.h"

#include <cstdlib>
#include <doctest/doctest.h>

using namespace sp;
using namespace sp::pipeline;

namespace {

/// Sets (or unsets, for nullptr) an environment variable for the life of the object.
struct EnvVar {
  std::string name;
  std::optional<std::string> old;
  EnvVar(std::string n, const char* value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) {
      old = v;
    }
    value ? ::setenv(name.c_str(), value, 1) : ::unsetenv(name.c_str());
  }
  ~EnvVar() { old ? ::setenv(name.c_str(), old->c_str(), 1) : ::unsetenv(name.c_str()); }
};

std::string hosts_of(const toolchain::Launcher& l) {
  for (const std::string& e : l.env) {
    if (e.starts_with("DISTCC_HOSTS=")) {
      return e.substr(13);
    }
  }
  return "-";
}

} // namespace

TEST_CASE("choose_launcher: the user's flag and environment decide; a manifest's hosts need "
          "--distribute") {
  if (find_program("distcc").empty()) {
    return; // scripts/setup.sh installs distcc; without it --distribute is refused (below)
  }
  EnvVar sp_hosts("SCRATCHPACK_DISTCC_HOSTS", nullptr);
  EnvVar distcc_hosts("DISTCC_HOSTS", nullptr);
  std::vector<std::string> notes;
  auto note = [&](std::string text) { notes.push_back(std::move(text)); };

  DistributeOptions o;
  o.manifest_hosts = "10.9.9.9/4";
  o.manifest_where = "scratchpack.yaml:9:12";
  auto none = choose_launcher(o, "clang-19", note);
  REQUIRE(none.ok());
  CHECK_FALSE(none->active());
  REQUIRE(notes.size() == 1);
  CHECK(notes[0] == "scratchpack.yaml:9:12: the manifest sets build.distribute; sending compiles "
                    "to its hosts needs --distribute on the command line");

  o.distribute = true;
  auto manifest = choose_launcher(o, "clang-19", note);
  REQUIRE(manifest.ok());
  CHECK(manifest->active());
  CHECK(hosts_of(*manifest) == "10.9.9.9/4");
  CHECK(manifest->remote_slots == 4);

  // The flag's value first (commas separate hosts, a comma before an option stays), then
  // SCRATCHPACK_DISTCC_HOSTS, then the manifest's.
  o.hosts = "127.0.0.1:3632/2,127.0.0.1:3633/3,lzo";
  auto flag = choose_launcher(o, "clang-19", note);
  REQUIRE_MESSAGE(flag.ok(), render(flag.error()));
  CHECK(hosts_of(*flag) == "127.0.0.1:3632/2 127.0.0.1:3633/3,lzo");
  CHECK(flag->remote_slots == 5);
  {
    EnvVar env("SCRATCHPACK_DISTCC_HOSTS", "10.1.1.1/7");
    o.hosts.clear();
    auto from_env = choose_launcher(o, "clang-19", note);
    REQUIRE(from_env.ok());
    CHECK(hosts_of(*from_env) == "10.1.1.1/7");
    // The environment alone turns distribution on.
    auto alone = choose_launcher({}, "clang-19", note);
    REQUIRE(alone.ok());
    CHECK(alone->active());
    CHECK(alone->remote_slots == 7);
  }
  DistributeOptions bare;
  bare.distribute = true;
  auto nothing = choose_launcher(bare, "clang-19", note);
  REQUIRE_FALSE(nothing);
  CHECK(nothing.error().what == "--distribute");
  CHECK(nothing.error().exit_code() == 2);
  bare.hosts = "a:0";
  auto bad = choose_launcher(bare, "clang-19", note);
  REQUIRE_FALSE(bad);
  CHECK(render(bad.error()).find("--distribute=a:0: distcc host 'a:0'") != std::string::npos);
  bare.launcher = "icecc";
  auto both = choose_launcher(bare, "clang-19", note);
  REQUIRE_FALSE(both);
  CHECK(both.error().exit_code() == 2);
  DistributeOptions launcher;
  launcher.launcher = "icecc";
  auto icecc = choose_launcher(launcher, "clang-19", note);
  REQUIRE(icecc.ok());
  CHECK(icecc->prefix == std::vector<std::string>{"icecc"});
}
