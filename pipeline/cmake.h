// A CMake project as a source of binaries (`build --cmake DIR`, a manifest's `cmake:` binary):
// configured with scratchpack's toolchain file in a private build directory per target, built
// with Ninja, and its executables found through CMake's file API (codemodel-v2), never by
// guessing paths. Every compile and link goes through the drop-in compiler, so the build cache,
// the scan gate and the static link line are those of every other build.
#pragma once

#include "pipeline/events.h"
#include "util/fs.h"
#include "util/result.h"
#include "util/target.h"
#include "util/vocabulary.h"

#include <string>
#include <vector>

namespace sp::pipeline {

struct CMakeSource {
  fs::path dir;                     ///< the project: holds CMakeLists.txt
  std::vector<std::string> targets; ///< executables to take; empty: the project's only one
  std::vector<std::string> options; ///< VAR=VAL for -D, in order
};

/// One executable a CMake build made.
struct CMakeExecutable {
  std::string target; ///< the CMake target's name
  fs::path path;      ///< the file (under the build directory)
};

/// Configures (when needed) and builds `source` for `target` in `build_dir` with `jobs` parallel
/// jobs, and returns the executables asked for, in the order asked. Errors: no CMakeLists.txt,
/// a failed configure or build (with the tail of CMake's output), a named target that is not an
/// executable of the project, or several executables and none named.
Result<std::vector<CMakeExecutable>> cmake_build(const CMakeSource& source, const Target& target,
                                                 Profile profile, const fs::path& build_dir,
                                                 unsigned jobs, Events& events);

/// The executables of a configured build directory's codemodel (the file API reply), as
/// target name → artifact path. Paths leaving `build_dir` and `source_dir` are refused: the
/// reply is written by the project's own CMake code.
Result<std::vector<CMakeExecutable>> cmake_executables(const fs::path& build_dir,
                                                       const fs::path& source_dir);

/// Copies a built executable to `to` (its directory made, written under a temporary name, mode
/// 0755) and returns its sha256: how `build --cmake` and `release` take one into their outputs.
Result<std::string> place_executable(const fs::path& from, const fs::path& to);

} // namespace sp::pipeline
