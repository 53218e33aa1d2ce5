// What existing build systems need to use scratchpack as their compiler: the environment
// (`scratchpack env`: CC, CXX, AR… for ./configure and make), a CMake toolchain file and a Meson
// cross file. Pure functions from one ToolchainSetup to text; cli/cmd_env.cpp finds the paths.
#pragma once

#include "util/target.h"
#include "util/vocabulary.h"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace sp::toolchain {

namespace fs = std::filesystem;

struct ToolchainSetup {
  Target target;
  Profile profile = Profile::release;
  fs::path scratchpack; ///< the executable (absolute)
  /// The drop-in compiler's executable: scratchpack-cc beside scratchpack (it starts faster: it
  /// loads none of the libraries packaging and pushing need), else scratchpack itself. Both take
  /// "cc" or "c++" as their first argument.
  fs::path compiler;
  fs::path tool_dir; ///< holds the multi-call links scratchpack-cc, scratchpack-c++, …
  fs::path sysroot;  ///< the target's sysroot, for the find-root path
  fs::path overlay;  ///< the target libraries' overlay (sysroot add), when there is one
  fs::path emulator; ///< runs the target's binaries here (qemu); empty for the host's
  /// scratchpack's own build drives this build system (`build --cmake`) and gates and strips the
  /// executables afterwards, as for sources: the compilers get --no-scan --keep-symbols.
  bool gate_afterwards = false;
};

/// The compiler as build systems call it: scratchpack, the command, and the target options.
std::vector<std::string> compiler_command(const ToolchainSetup& s, bool cxx);

/// NAME=VALUE pairs in a fixed order: CC, CXX, AR, RANLIB, NM, STRIP, OBJCOPY, PKG_CONFIG,
/// SCRATCHPACK_TARGET, SCRATCHPACK_LIBC, SCRATCHPACK_PROFILE (which the multi-call CC and CXX
/// read), PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR (pkg_config_environment), and
/// CMAKE_TOOLCHAIN_FILE (when `cmake_file` is not empty).
std::vector<std::pair<std::string, std::string>> environment(const ToolchainSetup& s,
                                                             const fs::path& cmake_file);

/// The environment under which the host's pkg-config reads only `target`'s .pc files:
/// PKG_CONFIG_LIBDIR (Debian's multiarch directory for a glibc target, whose .pc files name real
/// host paths; the sysroot's own directories for musl, with PKG_CONFIG_SYSROOT_DIR = the sysroot
/// so their /usr paths land inside it) and an empty PKG_CONFIG_PATH. With an `overlay` (the
/// target libraries `sysroot add` provisioned, toolchain/overlay.h) it reads the overlay's .pc
/// files alone, with PKG_CONFIG_SYSROOT_DIR = the overlay: builds do not depend on what the host
/// has installed.
std::vector<std::pair<std::string, std::string>>
pkg_config_environment(const Target& target, const fs::path& sysroot, const fs::path& overlay = {});

/// A CMake toolchain file: system name and processor, the compilers as lists (scratchpack cc
/// with the target), LLVM's binary tools, the sysroot as find-root path (programs from the host,
/// libraries, headers and packages from the target), static libraries only, and qemu as the
/// cross-compiling emulator for a foreign target.
std::string cmake_toolchain_file(const ToolchainSetup& s);

/// A Meson cross file: [binaries], [host_machine] and [properties].
std::string meson_cross_file(const ToolchainSetup& s);

} // namespace sp::toolchain
