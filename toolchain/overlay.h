// Target libraries: a per-target overlay of Debian -dev packages (static archives, headers, .pc
// files) in scratchpack's sysroots directory, beside the sysroot it extends. `sysroot add TARGET
// PKG...` downloads the packages of the target's Debian architecture with private package lists
// (no system change, as musl sysroots are provisioned) and unpacks them; the compile and link
// lines and pkg-config then see the overlay before the C library.
//
// A -dev package names only its runtime library as a dependency (libcurl4-openssl-dev depends on
// libcurl4, not on libssl-dev), yet a static link needs the archives of everything that library
// uses. So the closure is taken over runtime libraries and mapped back: each runtime library in
// the dependency closure brings the -dev package built from the same source that pins it
// (libssl3 -> libssl-dev), and so on until nothing new appears.
#pragma once

#include "toolchain/build.h"
#include "toolchain/sysroot.h"
#include "util/result.h"
#include "util/target.h"

#include <optional>
#include <string>
#include <vector>

namespace sp::toolchain {

/// One unpacked package, as recorded for the SBOM.
struct OverlayPackage {
  std::string name;
  std::string version;
  std::string arch;
  bool requested = false; ///< named by the user (the rest came in as dependencies)
};

struct Overlay {
  Target target;
  fs::path root; ///< the unpacked tree (usr/include, usr/lib/TRIPLE, .pc files)
  std::vector<OverlayPackage> packages;

  /// -isystem directories, searched after the user's -I and before the C library's headers.
  std::vector<fs::path> include_dirs() const;
  /// Where -l finds the overlay's archives, after the user's -L and before the sysroot's.
  fs::path lib_dir() const;
  /// PKG_CONFIG_LIBDIR for the overlay's .pc files (PKG_CONFIG_SYSROOT_DIR is root).
  std::string pkg_config_libdir() const;
};

/// Where the overlay of `target` lives: SEARCH.cache/overlays/TARGET.
fs::path overlay_root(const Target& target, const SysrootSearch& search = {});

/// The overlay of `target`, when one was made.
std::optional<Overlay> find_overlay(const Target& target, const SysrootSearch& search = {});

/// The record file's text and its reading (pure; unit-tested).
std::string format_overlay_record(const std::vector<OverlayPackage>& packages);
std::vector<OverlayPackage> parse_overlay_record(std::string_view text);

/// Packages the sysroot itself provides (the C library's and the compiler's -dev packages): a
/// closure never downloads them.
bool base_package(const std::string& name);

/// What `pkg-config --static --cflags --libs MODULE...` says, sorted into the build's places.
struct PkgConfigFlags {
  std::vector<std::string> cflags;    ///< for every compile, after scratchpack's own flags
  std::vector<std::string> lib_dirs;  ///< -L
  std::vector<std::string> libs;      ///< -l, in pkg-config's order
  std::vector<std::string> link_args; ///< -Wl,X as X (anything else pkg-config names)
};

/// Sorts pkg-config's --libs words (pure; unit-tested). -pthread and -lpthread go: static glibc
/// has the threads in libc.a.
PkgConfigFlags parse_pkg_config(const std::vector<std::string>& cflags,
                                const std::vector<std::string>& libs);

/// pkg-config --static over the target's libraries (the overlay when there is one, as
/// `scratchpack pkg-config` reads them) for `modules`. A module with no .pc file is an error
/// that names it and the way to get it.
Result<PkgConfigFlags> pkg_config_flags(const Target& target, const Sysroot& sysroot,
                                        const std::vector<std::string>& modules,
                                        const SysrootSearch& search = {});

/// When lld's `diagnostics` say it found no library NAME, and the overlay has NAME's shared
/// library but no archive (Debian 12's krb5, ldap and others ship only .so files), an error
/// naming the library, the package that lacks the archive and the way out; nullopt otherwise.
std::optional<Error> missing_archive(const Target& target, std::string_view diagnostics,
                                     const std::string& what, const std::string& why,
                                     const SysrootSearch& search = {});

/// Adds the flags of `modules` (pkg_config_flags for the request's target) to `request`: cflags
/// to its compiles, -L/-l and lld arguments to its link.
Status use_pkg_config(BinaryRequest& request, const std::vector<std::string>& modules,
                      const SysrootSearch& search = {});

/// Adds `packages` (and the -dev packages their libraries need) to the overlay of `target`.
/// Locked (concurrent adds of one target wait for each other), atomic (the new tree replaces the
/// old one whole), and a no-op that downloads nothing when every package is there already.
Result<Overlay> add_overlay_packages(const Target& target, const std::vector<std::string>& packages,
                                     const SysrootSearch& search, const ProgressFn& progress);

/// Removes `packages` the user asked for (and what only they brought in) from the overlay.
Result<Overlay> remove_overlay_packages(const Target& target,
                                        const std::vector<std::string>& packages,
                                        const SysrootSearch& search, const ProgressFn& progress);

} // namespace sp::toolchain
