// The `build` recipe: sources → one static executable per target (toolchain's build engine) →
// the scan gate over each → the size profile's strip. Packaging is the image recipe's
// (pipeline/image.h).
#pragma once

#include "pipeline/cmake.h"
#include "pipeline/events.h"
#include "pipeline/supply.h"
#include "toolchain/build.h"
#include "util/fs.h"
#include "util/result.h"
#include "util/target.h"

#include <optional>
#include <string>
#include <vector>

namespace sp::pipeline {

/// Everything `build` needs to make binaries, checked.
struct BuildInput {
  std::string name; ///< the executable's file name (sources; for CMake, the first executable's)
  std::vector<fs::path> sources;
  /// Binaries from a CMake project instead of sources: every executable asked for, per target,
  /// built in OUT/.cmake-build/TARGET.
  std::optional<CMakeSource> cmake;
  std::vector<Target> targets; ///< at least one, distinct
  toolchain::CompileOptions compile;
  std::vector<std::string> lib_dirs; ///< -L
  std::vector<std::string> libs;     ///< -l
  /// pkg-config modules (--pkg): each target's flags from its own libraries (sysroot add).
  std::vector<std::string> pkgs;
  fs::path out_dir = "out";
  bool scan = true;    ///< run the scan gate
  bool strict = false; ///< the gate treats warnings as errors
};

/// One binary built and through the gate (and stripped, for the size profile).
struct BuiltBinary {
  std::string name; ///< its file name, /NAME in the image
  Target target;
  fs::path path;   ///< where it goes: binary_path()
  fs::path staged; ///< where it is until the stage is committed
  std::string sha256;
  std::vector<std::string> link_argv;  ///< naming `path`
  std::vector<std::string> strip_argv; ///< naming `path`; empty when not stripped
  /// Its SBOM (written beside it as PATH.spdx.json and PATH.cdx.json); none for CMake builds.
  std::optional<BinarySbom> sbom;
};

/// Where a target's binary goes: OUT/NAME for one target, OUT/TARGET/NAME for several (as
/// release lays out dist/).
fs::path binary_path(const BuildInput& input, const Target& target);
fs::path binary_path(const BuildInput& input, const Target& target, const std::string& name);

/// Builds the binary for every target in one engine run (compiles of all targets in one pool)
/// into `stage` (which the caller commits when everything else worked too), gates each on the
/// binary as linked, with its symbol table, and then strips those of the size profile: the gate
/// judges the same evidence whatever the profile. Every compile, link and gate failure is
/// reported, not only the first.
Result<std::vector<BuiltBinary>> build_binaries(const BuildInput& input, OutputStage& stage,
                                                const toolchain::BuildTools& tools, Events& events);

/// Sends the engine's progress to `events`.
toolchain::BuildProgressFn progress_to(Events& events);

} // namespace sp::pipeline
