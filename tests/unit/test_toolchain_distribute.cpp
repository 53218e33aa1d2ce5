#include "toolchain/distribute.h"
#include "util/diagnostics.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

TEST_CASE("distcc hosts: every DISTCC_HOSTS form, remote slots counted") {
  auto h =
      parse_distcc_hosts("127.0.0.1:3632/4 build2/2,lzo  [::1]:3633 ci@farm/6:/usr/bin/distccd "
                         "old/3:3634 localhost/2 --randomize");
  REQUIRE_MESSAGE(h.ok(), render(h.error()));
  REQUIRE(h->hosts.size() == 6);
  CHECK(h->hosts[0].host == "127.0.0.1");
  CHECK(h->hosts[0].port == 3632);
  CHECK(h->hosts[0].slots == 4);
  CHECK(h->hosts[1].host == "build2");
  CHECK(h->hosts[1].slots == 2);
  CHECK(h->hosts[2].host == "::1");
  CHECK(h->hosts[2].port == 3633);
  CHECK(h->hosts[2].slots == 4); // distcc's default for a remote host
  CHECK(h->hosts[3].ssh);
  CHECK(h->hosts[3].host == "farm");
  CHECK(h->hosts[3].slots == 6);
  CHECK(h->hosts[4].port == 3634); // HOST/LIMIT:PORT, the old order
  CHECK(h->hosts[4].slots == 3);
  CHECK(h->hosts[5].local);
  CHECK(h->remote_slots == 4 + 2 + 4 + 6 + 3);
  CHECK(h->local_slots == 2);

  auto local = parse_distcc_hosts("--localslots=3 --localslots_cpp=8 10.0.0.2");
  REQUIRE(local.ok());
  CHECK(local->local_slots == 3);
  CHECK(local->remote_slots == 4);
  CHECK(parse_distcc_hosts("localhost")->local_slots == 2);
  CHECK(parse_distcc_hosts("localhost")->remote_slots == 0);
}

TEST_CASE("distcc hosts: every bad entry is reported") {
  auto bad = parse_distcc_hosts("a:99999 b/0 c,zstd :3632 +zeroconf --localslots=x d/2/3 [::1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().exit_code() == 2);
  std::string text = render(bad.error());
  for (const char* expected :
       {"distcc host 'a:99999': the port must be a number from 1 to 65535",
        "distcc host 'b/0': the limit after '/' must be a number of jobs, at least 1",
        "distcc host 'c,zstd': unknown option 'zstd'", "distcc host ':3632': no host name",
        "distcc host '+zeroconf'", "distcc host '--localslots=x': needs a number of jobs",
        "distcc host 'd/2/3': '/' given twice or out of place",
        "distcc host '[::1': an IPv6 address must be written [ADDRESS]"}) {
    CHECK_MESSAGE(text.find(expected) != std::string::npos, expected, "\n", text);
  }
  auto empty = parse_distcc_hosts("  ");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().why == "the list names no host");
}

TEST_CASE("distcc launcher: hosts and fault settings in its environment, the compiler renamed") {
  std::string hosts = "127.0.0.1:3632/1 127.0.0.1:3633/2";
  Launcher l = distcc_launcher(hosts, *parse_distcc_hosts(hosts), "clang-19");
  CHECK(l.active());
  CHECK(l.distcc);
  CHECK(l.remote_slots == 3);
  CHECK(l.description == "distcc (2 hosts, 3 slots)");
  CHECK(l.env == std::vector<std::string>{"DISTCC_HOSTS=" + hosts, "DISTCC_FALLBACK=0",
                                          "DISTCC_SKIP_LOCAL_RETRY=1"});
  std::vector<std::string> argv = {"/usr/lib/llvm-19/bin/clang", "-c", "a.c", "-o", "a.o"};
  CHECK(launch_command(l, argv) ==
        std::vector<std::string>{"distcc", "clang-19", "-c", "a.c", "-o", "a.o"});
  // distcc's own failures are redone locally; the compiler's are real.
  CHECK(launcher_failed(l, 100));
  CHECK(launcher_failed(l, 103));
  CHECK(launcher_failed(l, 116));
  CHECK(launcher_failed(l, 127));
  CHECK_FALSE(launcher_failed(l, 0));
  CHECK_FALSE(launcher_failed(l, 1));
  CHECK_FALSE(launcher_failed(l, 134)); // clang killed by a signal: a real crash, reported
  CHECK(without_launcher_lines(l, "distcc[12] ERROR: compile a.c on 127.0.0.1:3632/1 failed\n"
                                  "a.c:1:1: error: nope\n1 error generated.\n") ==
        "a.c:1:1: error: nope\n1 error generated.\n");
}

TEST_CASE("compiler launcher: any command, distcc recognised, never empty") {
  auto icecc = command_launcher("  ccache   icecc ", "", "clang-19");
  REQUIRE(icecc.ok());
  CHECK(icecc->prefix == std::vector<std::string>{"ccache", "icecc"});
  CHECK_FALSE(icecc->distcc);
  CHECK(icecc->remote_slots == 0);
  CHECK(icecc->remote_compiler.empty()); // other launchers get the command as built
  CHECK_FALSE(launcher_failed(*icecc, 103));
  CHECK(without_launcher_lines(*icecc, "distcc[1] x\n") == "distcc[1] x\n");
  auto distcc = command_launcher("/usr/bin/distcc", "h1/3 h2/5", "clang-19");
  REQUIRE(distcc.ok());
  CHECK(distcc->distcc);
  CHECK(distcc->remote_slots == 8);
  CHECK(distcc->env == std::vector<std::string>{"DISTCC_FALLBACK=0", "DISTCC_SKIP_LOCAL_RETRY=1"});
  auto empty = command_launcher(" ", "", "");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().exit_code() == 2);
}

TEST_CASE("launch stats: fallbacks counted, distcc's reason kept once") {
  LaunchStats s;
  s.launched_ok();
  s.fell_back("distcc[1] ERROR: nonblocking connect to 127.0.0.1:3791 failed: Connection refused\n"
              "distcc[1] (dcc_build_somewhere) ERROR: failed to distribute and fallbacks are "
              "disabled\n");
  s.fell_back("something else\n");
  CHECK(s.remote() == 1);
  CHECK(s.fallbacks() == 2);
  CHECK(s.first_reason() ==
        "ERROR: nonblocking connect to 127.0.0.1:3791 failed: Connection refused");
}
