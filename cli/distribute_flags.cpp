#include "cli/distribute_flags.h"

#include <CLI/CLI.hpp>

namespace sp::cli {

void add_distribute_flags(CLI::App* cmd, DistributeFlags& f) {
  // A flag, whose value only `=` gives (bare, CLI11 stores "true"): `--distribute a.cpp` must not
  // take a.cpp for hosts.
  cmd->add_flag("--distribute", f.distribute,
                "Compile what the cache misses on distcc servers too: --distribute=HOSTS "
                "(DISTCC_HOSTS syntax, commas allowed: 10.0.0.2/8,10.0.0.3:3633/4), or bare to use "
                "$SCRATCHPACK_DISTCC_HOSTS, the manifest's build.distribute.hosts (release) or "
                "$DISTCC_HOSTS. Jobs default to the cores plus the hosts' slots");
  cmd->add_option("--compiler-launcher", f.launcher,
                  "Run each compile the cache misses through CMD (CMake's compiler launcher: "
                  "icecc, distcc with your own settings…); never part of a cache key");
}

pipeline::DistributeOptions to_distribute_options(const DistributeFlags& f) {
  pipeline::DistributeOptions o;
  o.launcher = f.launcher;
  o.distribute = !f.distribute.empty();
  o.hosts = f.distribute == "true" ? std::string() : f.distribute;
  return o;
}

} // namespace sp::cli
