// Target: an architecture plus a libc, and every name the outside world uses for it (clang
// triple, Debian multiarch directory, OCI platform, lld emulation).
#pragma once

#include "util/platform.h"
#include "util/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::toolchain {

enum class Arch { x86_64, aarch64, armv7 };
enum class Libc { glibc, musl };

std::string_view to_string(Arch arch);
std::string_view to_string(Libc libc);
Result<Libc> parse_libc(std::string_view text);

struct Target {
  Arch arch = Arch::x86_64;
  Libc libc = Libc::glibc;

  /// scratchpack's own name: "x86_64-glibc", "aarch64-musl", "armv7-glibc"…
  std::string name() const;
  /// The triple clang compiles for: x86_64-linux-gnu, armv7a-linux-gnueabihf, aarch64-linux-musl…
  std::string clang_triple() const;
  /// Debian's multiarch directory for glibc: x86_64-linux-gnu, aarch64-linux-gnu, arm-linux-gnueabihf.
  std::string gnu_triple() const;
  /// Debian's multiarch directory for musl: x86_64-linux-musl, aarch64-linux-musl, arm-linux-musleabihf.
  std::string musl_triple() const;
  /// Debian architecture: amd64, arm64, armhf.
  std::string debian_arch() const;
  /// lld's -m emulation.
  std::string lld_emulation() const;
  Platform platform() const;
  /// True when binaries for this target run on the build machine without qemu.
  bool is_host() const { return arch == Arch::x86_64; }

  bool operator==(const Target&) const = default;
};

/// Parses a target as the CLI and manifests accept it: x86_64, amd64, aarch64, arm64, armv7, arm,
/// armhf, each optionally followed by -glibc/-gnu/-musl, or a full triple (aarch64-linux-gnu,
/// aarch64-linux-musl, arm-linux-gnueabihf, arm-linux-musleabihf…). `libc` (from --libc) applies
/// when the text names none; a contradiction is a usage error.
Result<Target> parse_target(std::string_view text, std::optional<Libc> libc = std::nullopt);

/// Parses a comma-separated list ("x86_64,aarch64,armv7"); duplicates are an error.
Result<std::vector<Target>> parse_targets(std::string_view text, std::optional<Libc> libc);

/// All six targets in a fixed order (x86_64, aarch64, armv7 × glibc, musl).
std::vector<Target> all_targets();

} // namespace sp::toolchain
