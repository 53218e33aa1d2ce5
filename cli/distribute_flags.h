// The flags that send compiles elsewhere, shared by `build` and `release`: --distribute[=HOSTS]
// (distcc) and --compiler-launcher CMD (any launcher). docs/distributed.md explains them.
#pragma once

#include "pipeline/caches.h"

#include <string>

namespace CLI {
class App;
}

namespace sp::cli {

/// The flags as typed.
struct DistributeFlags {
  std::string launcher;   ///< --compiler-launcher CMD
  std::string distribute; ///< --distribute[=HOSTS]: "true" when given without a value (CLI11)
};

/// Adds --distribute[=HOSTS] and --compiler-launcher CMD to a command.
void add_distribute_flags(CLI::App* cmd, DistributeFlags& flags);

/// The pipeline's options from the flags (the manifest's hosts are the caller's to add).
pipeline::DistributeOptions to_distribute_options(const DistributeFlags& flags);

} // namespace sp::cli
