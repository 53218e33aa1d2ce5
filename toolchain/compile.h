// Compile commands: a pure function from (target, sysroot, options) to clang's argv, and the
// step that runs it. scratchpack chooses every include directory itself (-nostdinc), so the
// result depends only on the sysroot it names, not on what the host happens to have.
#pragma once

#include "toolchain/sysroot.h"
#include "util/result.h"
#include "util/target.h"
#include "util/vocabulary.h"

#include <string>
#include <vector>

namespace sp::toolchain {

/// C for .c, C++ for .cc/.cpp/.cxx/.c++/.C; an error names the file otherwise.
Result<Language> language_of(const fs::path& source);

/// The clang scratchpack drives: its path and its resource directory (stddef.h, arm_neon.h…).
struct Compiler {
  fs::path clang;
  fs::path resource_dir;
  std::string version;
  /// What decides the compiler's output besides its arguments: path, version, and the size and
  /// mtime of the executable (a reinstalled clang misses the build cache).
  std::string identity;
  /// llvm-objcopy of the same LLVM, which strips the size profile's binaries.
  fs::path objcopy;
};

/// clang of the LLVM scratchpack was built with ($SCRATCHPACK_CLANG overrides the path).
Result<Compiler> find_compiler();

/// What the user asked for, shared by every source of one binary.
struct CompileOptions {
  Profile profile = Profile::release;
  /// -std= for C sources and for C++ sources (standard_language() tells a value's language);
  /// empty = the compiler's default. A program of both languages needs one of each.
  std::string c_std;
  std::string cxx_std;
  std::vector<std::string> include_dirs; ///< -I, in order
  std::vector<std::string> defines;      ///< -D, "N" or "N=V"
  std::vector<std::string> extra_flags;  ///< passed through verbatim, last
  /// Directory that absolute paths are made relative to in the output (-ffile-prefix-map), so
  /// builds in different directories give the same bytes. Usually the working directory.
  fs::path prefix_map_from;
  bool color_diagnostics = false;
};

/// What a compile produces.
enum class CompileAction {
  object,     ///< -c
  assembly,   ///< -S
  preprocess, ///< -E (to `object`, or to stdout when it is empty)
};

/// One translation unit.
struct CompileJob {
  fs::path source;
  fs::path object;
  fs::path depfile; ///< make-style dependency file (-MD -MF); empty = none
  Language language = Language::c;
  /// A precompiled header to load before the source (-include-pch); empty = none.
  fs::path pch;
  /// Precompile `source` as a C++ header into `object` (a .pch, without timestamps so it is
  /// byte-reproducible and survives a touched header) instead of compiling it.
  bool precompile = false;
  CompileAction action = CompileAction::object;
  /// clang's -x for the source when its language is not `language`'s ("assembler-with-cpp",
  /// "assembler"…, from the drop-in compiler's -x or suffix); empty: -xc or -xc++.
  std::string x_language;
};

/// The flags that select the target's code generation (--target=…, and for armv7 the hard-float
/// Thumb-2 baseline). Shared by compile commands and the libc++ build, so both agree on the ABI;
/// compile_command spells the first one `-target TRIPLE` (two words, which distcc honours).
std::vector<std::string> target_flags(const Target& target);

/// The directories whose headers are the system's (the sysroot's libc and C++ headers, clang's
/// own): -MMD leaves them out of a depfile, and the build cache records them by identity.
std::vector<fs::path> system_include_dirs(const Compiler& compiler, const Sysroot& sysroot);

/// clang's argv for one job: the options' standard for the job's language (C++ for a
/// precompiled header; -x only when the source's suffix does not say the language). Pure: reads
/// nothing, runs nothing.
std::vector<std::string> compile_command(const Compiler& compiler, const Target& target,
                                         const Sysroot& sysroot, const CompileOptions& options,
                                         const CompileJob& job);

/// Output of one compile: clang's diagnostics (warnings on success, errors on failure).
struct CompileOutput {
  bool ok = false;
  std::string diagnostics;
  int exit_code = 0; ///< the process's (a launcher's failures are told by it: distribute.h)
};

/// Runs the compile (`env`: "K=V" entries added to its environment, for a launcher); fails only
/// when clang (or the launcher) cannot be started.
Result<CompileOutput> run_compile(const std::vector<std::string>& argv,
                                  const std::vector<std::string>& env = {});

} // namespace sp::toolchain
