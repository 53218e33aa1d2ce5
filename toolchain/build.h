// Building static executables: compile translation units (in parallel, through the build cache)
// and link them with lld in-process. The recipe `build` and `release` share; it neither prints
// nor packages.
#pragma once

#include "toolchain/cache.h"
#include "toolchain/compile.h"
#include "toolchain/link.h"
#include "toolchain/sysroot.h"
#include "util/result.h"

#include <string>
#include <vector>

namespace sp::toolchain {

/// One translation unit with everything that decides its object.
struct CompileUnit {
  const Sysroot* sysroot = nullptr;
  const CompileOptions* options = nullptr;
  CompileJob job; ///< object and depfile paths included
};

/// What happened to one unit.
struct UnitResult {
  bool ok = false;
  bool cached = false;      ///< the object came from the cache
  std::string diagnostics;  ///< clang's warnings or errors
};

/// Compiles `units` on up to `jobs` threads. With a cache, each unit is looked up first and stored
/// after a successful compile. Fails only when clang cannot be started; compile errors are in the
/// results. `on_done` (may be empty) is called once per unit as it finishes, from worker threads.
Result<std::vector<UnitResult>> compile_units(const Compiler& compiler,
                                              const std::vector<CompileUnit>& units, unsigned jobs,
                                              BuildCache* cache,
                                              const std::function<void(size_t)>& on_done = {});

/// The error for failed units: "compilation failed: a.c, b.c" with every diagnostic as details.
std::optional<Error> compile_error(const std::vector<CompileUnit>& units,
                                   const std::vector<UnitResult>& results);

/// Links `options.objects` into `output` atomically (options.output is set here), through the
/// cache when given. Returns lld's diagnostics (warnings) and whether it was a cache hit.
struct LinkResult {
  std::vector<std::string> argv; ///< the link line, naming `output`
  std::string diagnostics;
  bool cached = false;
  std::string sha256; ///< of the binary (from the cache on a hit; computed otherwise)
};
Result<LinkResult> link_binary(const Target& target, const Sysroot& sysroot, LinkOptions options,
                               const fs::path& output, BuildCache* cache);

struct BuildRequest {
  std::vector<fs::path> sources;
  Target target;
  CompileOptions compile;
  std::vector<std::string> lib_dirs;  ///< -L
  std::vector<std::string> libs;      ///< -l
  unsigned jobs = 1;                  ///< parallel compiles
  fs::path output;                    ///< the executable; written atomically
  BuildCache* cache = nullptr;        ///< optional
  /// Long steps report here (building libc++ for a musl target on first use); may be empty.
  ProgressFn progress;
};

struct BuildOutput {
  fs::path binary;
  std::string diagnostics;              ///< compiler and linker warnings, in source order
  std::vector<std::string> link_argv;   ///< the link line that was run
  size_t compiled = 0;                  ///< translation units compiled (not from the cache)
  bool link_cached = false;
  std::string sha256;                   ///< of the binary
};

/// Checks the sources (they exist, each is C or C++) and says whether any is C++.
Result<bool> check_sources(const std::vector<fs::path>& sources);

/// The error for C++ sources on a sysroot without a C++ library, or nothing.
std::optional<Error> cxx_support_error(const Target& target, const Sysroot& sysroot);

/// Compiles and links `request`. Every compile error is reported (not just the first) in the
/// error's details; nothing is written to request.output unless the link succeeds.
Result<BuildOutput> build_binary(const Compiler& compiler, const Sysroot& sysroot,
                                 const BuildRequest& request);

} // namespace sp::toolchain
