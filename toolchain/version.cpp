#include "toolchain/version.h"

namespace sp::toolchain {

// Both come from CMake's find_package(LLVM): LLVM's own headers are included only in
// toolchain/lld/, which is built into scratchpack-lld.so.
std::string scratchpack_version() {
  return SP_VERSION;
}
std::string llvm_version() {
  return SP_LLVM_VERSION;
}
std::string llvm_bindir() {
  return SP_LLVM_BINDIR;
}

} // namespace sp::toolchain
