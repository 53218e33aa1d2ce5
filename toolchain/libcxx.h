// libc++ for musl targets: libc++, libc++abi and libunwind, built static for one target against
// its musl sysroot from Debian's LLVM source package the first time a C++ program needs them, and
// cached per target under <sysroots>/libcxx/<musl triple>-<key> (util/fs.h sysroots_dir()). The key
// hashes the LLVM version, the triple, the build flags and the musl sysroot's package list, so a
// change to any of them builds anew. The build runs cmake and ninja as child processes in a
// temporary directory and renames the finished install into place under a lock: concurrent
// scratchpack runs build it once, and an interrupted build leaves nothing that looks complete.
#pragma once

#include "toolchain/compile.h"
#include "toolchain/sysroot.h"
#include "util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace sp::toolchain {

/// The CMake options of the LLVM runtimes build (no paths; part of the cache key).
std::vector<std::string> libcxx_cmake_options();

/// Compiler flags for the runtimes of `target` besides the include path (no paths; part of the
/// cache key): the target's code generation flags and non-PIC code for static executables.
std::vector<std::string> libcxx_compile_flags(const Target& target);

/// The cache directory name of libc++ for `target` on the musl sysroot whose package list is
/// `sysroot_identity`: "<musl triple>-<16 hex digits>".
std::string libcxx_dir_name(const Target& target, std::string_view sysroot_identity);

/// Where libc++ for `sysroot` is (or will be) installed; empty when the sysroot cannot have one
/// (not a musl sysroot from scratchpack's cache, e.g. Debian's musl-dev without kernel headers).
fs::path libcxx_dir(const Sysroot& sysroot, const SysrootSearch& search);

/// Fills the C++ fields of a musl `sysroot` (cxx_includes, cxx_libs…) when its libc++ is built;
/// returns whether it is. Reads only the install's marker file and checks its archives exist.
bool attach_libcxx(Sysroot& sysroot, const SysrootSearch& search);

/// The directories one runtimes build uses.
struct LibcxxBuildDirs {
  fs::path source;  ///< the unpacked LLVM source (holds runtimes/)
  fs::path build;   ///< CMake's build directory
  fs::path install; ///< CMAKE_INSTALL_PREFIX: the temporary name of the cache entry
};

/// Programs the runtimes build runs.
struct LibcxxTools {
  fs::path cmake;
  fs::path ninja;
  fs::path llvm_bindir; ///< clang, clang++, llvm-ar, llvm-ranlib
};

/// cmake's argv that configures libc++, libc++abi and libunwind for `sysroot`'s target with
/// `compiler`'s clang: explicit include path (-nostdinc: clang's headers, then musl's and the
/// kernel's), MinSizeRel, static only, source paths mapped away for reproducible archives. Pure.
std::vector<std::string> libcxx_configure_command(const Compiler& compiler, const Sysroot& sysroot,
                                                  const LibcxxTools& tools,
                                                  const LibcxxBuildDirs& dirs);

/// The sysroot with libc++ for C++: returned as is when already built, else built (progress
/// lines go to `progress`). `rebuild` builds even when a cached one exists.
Result<Sysroot> ensure_libcxx(const Sysroot& sysroot, const ProgressFn& progress,
                              const SysrootSearch& search = {}, bool rebuild = false);

/// The sysroot ready for C++ sources: itself when it has a C++ library; for musl, with libc++
/// built on first use (after installing scratchpack's musl sysroot when only Debian's musl-dev
/// was there); for glibc without libstdc++, an error naming the install command.
Result<Sysroot> ensure_cxx_runtime(const Sysroot& sysroot, const ProgressFn& progress,
                                   const SysrootSearch& search = {});

} // namespace sp::toolchain
