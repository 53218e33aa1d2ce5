// The LLVM source that libc++ for musl targets is built from: Debian's llvm-toolchain-<major>
// source package, fetched with a private deb-src list and private apt state under the cache (no
// change to the system), unpacked once (only the directories the runtimes build reads) and shared
// by every target.
#pragma once

#include "toolchain/sysroot.h"
#include "util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace sp::toolchain {

/// One apt sources file: its name decides the format (".sources" is deb822, ".list" one-line).
struct AptSourceFile {
  std::string name;
  std::string text;
};

/// deb-src entries (deb822) for the Debian archives the system's apt already uses: every enabled
/// `deb` entry whose suites include `codename` and whose components include main becomes one
/// deb-src entry for that suite's main component, with the same URI and Signed-By. When none
/// matches, deb.debian.org is used. Pure.
std::string debian_source_list(const std::vector<AptSourceFile>& files, std::string_view codename);

/// The source package for LLVM `major` ("llvm-toolchain-19").
std::string llvm_source_package(std::string_view major);

/// The directories of the source tree (relative to its top) the runtimes build reads; everything
/// else in the 164 MB tarball is left packed.
std::vector<std::string> llvm_source_dirs();

/// An unpacked LLVM source tree.
struct LlvmSource {
  fs::path dir;        ///< holds runtimes/, libcxx/, libcxxabi/, libunwind/, cmake/, llvm/cmake/
  std::string version; ///< upstream version, "19.1.7"
};

/// The unpacked source of LLVM `major` under `cache`/llvm-source, fetched and unpacked when
/// missing. Concurrent callers wait on a lock; an interrupted fetch leaves nothing that looks
/// complete (the tree is unpacked under a temporary name and renamed at the end).
Result<LlvmSource> ensure_llvm_source(const fs::path& cache, std::string_view major,
                                      const ProgressFn& progress);

} // namespace sp::toolchain
