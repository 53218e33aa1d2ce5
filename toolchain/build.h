// Building one static executable: compile every source (in parallel), link with lld in-process.
// The recipe the CLI and release builds share; it neither prints nor packages.
#pragma once

#include "toolchain/compile.h"
#include "toolchain/link.h"
#include "toolchain/sysroot.h"
#include "util/result.h"

#include <string>
#include <vector>

namespace sp::toolchain {

struct BuildRequest {
  std::vector<fs::path> sources;
  Target target;
  CompileOptions compile;
  std::vector<std::string> lib_dirs;  ///< -L
  std::vector<std::string> libs;      ///< -l
  unsigned jobs = 1;                  ///< parallel compiles
  fs::path output;                    ///< the executable; written atomically
};

struct BuildOutput {
  fs::path binary;
  std::string diagnostics;              ///< compiler and linker warnings, in source order
  std::vector<std::string> link_argv;   ///< the link line that was run
  size_t compiled = 0;                  ///< translation units compiled
};

/// Compiles and links `request`. Every compile error is reported (not just the first) in the
/// error's details; nothing is written to request.output unless the link succeeds.
Result<BuildOutput> build_binary(const Compiler& compiler, const Sysroot& sysroot,
                                 const BuildRequest& request);

} // namespace sp::toolchain
