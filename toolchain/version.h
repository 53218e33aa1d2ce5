// What scratchpack was built with, for --version and cache keys.
#pragma once

#include <string>

namespace sp::toolchain {

/// "0.1.0": scratchpack's own version.
std::string scratchpack_version();
/// "19.1.7": the LLVM whose lld is linked in and whose clang compiles.
std::string llvm_version();
/// Directory of that LLVM's executables (clang, llvm-readelf…).
std::string llvm_bindir();

} // namespace sp::toolchain
