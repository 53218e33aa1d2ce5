// The one target table: an architecture is one row holding every name the outside world uses
// for it — scratchpack's, clang's triples, Debian's multiarch directories and architecture, the
// OCI platform, the ELF machine, lld's emulation and the qemu that runs it. A Target is a row
// plus a C library. Adding an architecture is adding a row (and its sysroot packages).
#pragma once

#include "util/platform.h"
#include "util/result.h"
#include "util/vocabulary.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sp {

enum class Arch { x86_64, aarch64, armv7, riscv64 };

/// One architecture, every name it goes by.
struct ArchInfo {
  Arch arch;
  std::string_view name;          ///< scratchpack's: "x86_64", "aarch64", "armv7"
  std::string_view aliases;       ///< other names accepted, space-separated: "amd64 x86-64"
  std::string_view clang_glibc;   ///< clang triple with glibc: "armv7a-linux-gnueabihf"
  std::string_view clang_musl;    ///< clang triple with musl: "armv7a-linux-musleabihf"
  std::string_view gnu_triple;    ///< Debian multiarch directory for glibc: "arm-linux-gnueabihf"
  std::string_view musl_triple;   ///< Debian multiarch directory for musl: "arm-linux-musleabihf"
  std::string_view debian_arch;   ///< "amd64", "arm64", "armhf"
  std::string_view oci_arch;      ///< OCI/GOARCH: "amd64", "arm64", "arm"
  std::string_view oci_variant;   ///< "", "v8", "v7"
  uint16_t elf_machine;           ///< e_machine: 62, 183, 40
  unsigned elf_class;             ///< 64 or 32
  bool hard_float;                ///< ARM's hard-float ABI (armhf) is required
  std::string_view lld_emulation; ///< lld's -m: "elf_x86_64", "aarch64linux", "armelf_linux_eabi"
  std::string_view qemu;          ///< the user-mode emulator: "qemu-aarch64-static"
  std::string_view cpu_family;    ///< Meson's cpu_family (CMake's processor is `name`): "arm"
  /// Debian 12 publishes binary packages for this architecture (riscv64 is a Debian 13 release
  /// architecture: bookworm has its cross toolchain packages, built on amd64, but no riscv64
  /// musl-dev to unpack).
  bool debian12_binaries;
};

/// Every row, in the order scratchpack lists targets.
std::span<const ArchInfo> arch_table();
const ArchInfo& info(Arch arch);
std::string_view to_string(Arch arch);

/// The row whose name or alias is `word` ("amd64", "armhf", "armv7l"…).
const ArchInfo* find_arch(std::string_view word);
/// The row of an OCI platform's os and architecture (the variant is not compared: images
/// written by others often leave it out), or null.
const ArchInfo* find_arch(const Platform& platform);
/// The row of an ELF e_machine, or null.
const ArchInfo* find_arch_by_elf_machine(uint16_t machine);

/// The architecture this scratchpack runs on (its binaries need no qemu).
Arch host_arch();

/// An architecture and a C library: what `--target` names.
struct Target {
  Arch arch = Arch::x86_64;
  Libc libc = Libc::glibc;

  const ArchInfo& info() const { return sp::info(arch); }
  /// scratchpack's own name: "x86_64-glibc", "aarch64-musl", "armv7-glibc"…
  std::string name() const;
  /// The triple clang compiles for: x86_64-linux-gnu, armv7a-linux-gnueabihf, aarch64-linux-musl…
  std::string clang_triple() const;
  std::string gnu_triple() const { return std::string(info().gnu_triple); }
  std::string musl_triple() const { return std::string(info().musl_triple); }
  std::string debian_arch() const { return std::string(info().debian_arch); }
  std::string lld_emulation() const { return std::string(info().lld_emulation); }
  std::string qemu() const { return std::string(info().qemu); }
  std::string cpu_family() const { return std::string(info().cpu_family); }
  Platform platform() const;
  /// True when binaries for this target run on the build machine without qemu.
  bool is_host() const { return arch == host_arch(); }

  bool operator==(const Target&) const = default;
};

/// Parses a target as users type it: an architecture name or alias (x86_64, amd64, aarch64,
/// arm64, armv7, arm, armhf), optionally followed by -glibc/-gnu/-musl; a triple
/// (aarch64-linux-gnu, arm-linux-musleabihf, x86_64-unknown-linux-musl…); or an OCI platform
/// (linux/amd64, linux/arm64, linux/arm/v7). `libc` (from --libc) applies when the text names
/// none; a contradiction is a usage error.
Result<Target> parse_target(std::string_view text, std::optional<Libc> libc = std::nullopt);

/// Parses a comma-separated list ("x86_64,aarch64", "linux/amd64,linux/arm64"); duplicates are
/// an error.
Result<std::vector<Target>> parse_targets(std::string_view text, std::optional<Libc> libc);

/// Every architecture × libc, architectures in table order, glibc first.
std::vector<Target> all_targets();

} // namespace sp
