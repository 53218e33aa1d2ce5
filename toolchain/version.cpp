#include "toolchain/version.h"

#include <llvm/Config/llvm-config.h>

namespace sp::toolchain {

std::string llvm_version() { return LLVM_VERSION_STRING; }
std::string llvm_bindir() { return SP_LLVM_BINDIR; }

} // namespace sp::toolchain
