// Sysroots: where a target's C library, start files, compiler support libraries and headers are.
// Discovery is a function of a root prefix ("/" normally, a fake tree in tests) and the cache
// directory, so it can be tested without the real packages.
#pragma once

#include "util/fs.h"
#include "util/result.h"
#include "util/target.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sp::toolchain {

/// Everything the compile command and the link line need to know about one target's libraries.
struct Sysroot {
  Target target;
  std::string origin;             ///< "Debian packages", "scratchpack cache"…
  fs::path root;                  ///< the directory shown to users
  fs::path crt_dir;               ///< crt1.o crti.o crtn.o libc.a libm.a
  fs::path gcc_dir;               ///< crtbeginT.o crtend.o libgcc.a libgcc_eh.a
  fs::path cxx_lib_dir;           ///< the C++ library's archives; empty when C++ is not available
  std::vector<fs::path> cxx_libs; ///< C++ runtime archives in link order
  std::string cxx_library;        ///< "libstdc++ 12", "libc++ 19.1.7" (shown by `sysroot list`)
  /// The C++ runtime brings its own unwinder (libc++'s libunwind), so C++ links leave out
  /// libgcc_eh.a, which defines the same _Unwind_* functions.
  bool cxx_has_unwinder = false;
  std::vector<fs::path> c_includes;     ///< libc (and kernel) headers, searched after clang's own
  std::vector<fs::path> cxx_includes;   ///< C++ library headers, searched first
  std::vector<std::string> cxx_defines; ///< -D for every C++ source, before the user's
  std::string note;                     ///< anything a user should know (shown by `sysroot list`)
  /// The target libraries `sysroot add` provisioned (toolchain/overlay.h): their headers come
  /// after the user's -I and before the C library's, their archives after the user's -L.
  std::vector<fs::path> overlay_includes;
  fs::path overlay_lib_dir;

  bool has_cxx() const { return !cxx_lib_dir.empty(); }
};

/// Where discovery looks.
struct SysrootSearch {
  fs::path host_root = "/"; ///< prefix for system paths
  /// scratchpack-provisioned sysroots, and beside them libc++ for musl (libcxx/) and the LLVM
  /// source it is built from (llvm-source/).
  fs::path cache = sp::sysroots_dir();
};

/// The outcome of looking for one target's sysroot.
struct SysrootProbe {
  Target target;
  std::optional<Sysroot> sysroot;   ///< set when every required file is there
  fs::path expected;                ///< where it was looked for
  std::vector<std::string> missing; ///< required files that are absent
  /// Why this target can have no sysroot on this system at all (riscv64-musl on Debian 12);
  /// empty when installing one would work.
  std::string unavailable;
};

SysrootProbe probe_sysroot(const Target& target, const SysrootSearch& search = {});

/// The sysroot of `target`, or an error naming what is missing and the install command.
Result<Sysroot> find_sysroot(const Target& target, const SysrootSearch& search = {});

/// The command that provisions `target` ("scratchpack sysroot install aarch64-musl").
std::string install_command(const Target& target);

/// Debian packages that hold a glibc target's sysroot (installed system-wide with apt-get).
std::vector<std::string> glibc_packages(const Target& target);
/// Debian packages (of the target's architecture) unpacked into the cache for a musl sysroot.
std::vector<std::string> musl_packages(const Target& target);

/// Progress lines from a long-running step ("downloading musl-dev (arm64)…").
using ProgressFn = std::function<void(const std::string&)>;

/// Provisions the sysroot of `target`: glibc through `apt-get install` of the Debian cross
/// packages (needs root), musl by `apt-get download` of the target architecture's musl-dev,
/// linux-libc-dev and libgcc-12-dev unpacked into the cache (no system change). Atomic: an
/// interrupted install leaves nothing that looks complete.
Result<Sysroot> install_sysroot(const Target& target, const SysrootSearch& search,
                                const ProgressFn& progress);

} // namespace sp::toolchain
