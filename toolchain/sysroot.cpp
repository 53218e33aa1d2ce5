#include "toolchain/sysroot.h"

#include "toolchain/libcxx.h"
#include "toolchain/overlay.h"
#include "toolchain/provision.h"
#include "util/process.h"
#include "util/strings.h"

#include <algorithm>
#include <unistd.h>

namespace sp::toolchain {

namespace {

bool path_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

/// The newest GCC version directory under `parent` that holds crtbeginT.o ("12" in
/// /usr/lib/gcc/x86_64-linux-gnu/12). Compared numerically so 12 beats 9.
std::optional<std::string> newest_gcc_version(const fs::path& parent) {
  std::error_code ec;
  std::optional<std::string> best;
  unsigned long long best_major = 0;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    std::string name = entry.path().filename().string();
    unsigned long long major = 0;
    if (!parse_uint(name.substr(0, name.find('.')), major) ||
        !path_exists(entry.path() / "crtbeginT.o")) {
      continue;
    }
    if (!best || major > best_major) {
      best = name;
      best_major = major;
    }
  }
  return best;
}

std::vector<fs::path> libstdcxx_includes(const fs::path& base, const std::string& version,
                                         const fs::path& arch_dir) {
  return {base / "c++" / version, arch_dir / "c++" / version, base / "c++" / version / "backward"};
}

Sysroot glibc_layout(const Target& t, const SysrootSearch& s) {
  Sysroot r;
  r.target = t;
  r.origin = "Debian packages";
  fs::path usr = s.host_root / "usr";
  fs::path gcc_parent;
  if (t.is_host()) {
    r.root = s.host_root;
    r.crt_dir = usr / "lib" / t.gnu_triple();
    gcc_parent = usr / "lib" / "gcc" / t.gnu_triple();
    r.c_includes = {usr / "include" / t.gnu_triple(), usr / "include"};
  } else {
    r.root = usr / t.gnu_triple();
    r.crt_dir = r.root / "lib";
    gcc_parent = usr / "lib" / "gcc-cross" / t.gnu_triple();
    r.c_includes = {r.root / "include"};
  }
  std::string version = newest_gcc_version(gcc_parent).value_or("12");
  r.gcc_dir = gcc_parent / version;
  if (path_exists(r.gcc_dir / "libstdc++.a")) {
    r.cxx_lib_dir = r.gcc_dir;
    r.cxx_libs = {r.gcc_dir / "libstdc++.a", r.crt_dir / "libm.a"};
    r.cxx_library = "libstdc++ " + version;
    if (t.is_host()) {
      r.cxx_includes =
          libstdcxx_includes(usr / "include", version, usr / "include" / t.gnu_triple());
    } else {
      fs::path inc = r.root / "include";
      r.cxx_includes = libstdcxx_includes(inc, version, inc / "c++" / version / t.gnu_triple());
      // Debian's cross layout nests the arch dir inside the version dir.
      r.cxx_includes[1] = inc / "c++" / version / t.gnu_triple();
    }
  }
  return r;
}

fs::path musl_cache_root(const Target& t, const SysrootSearch& s) {
  return s.cache / t.musl_triple();
}

Sysroot musl_cache_layout(const Target& t, const SysrootSearch& s) {
  Sysroot r;
  r.target = t;
  r.origin = "scratchpack cache";
  r.root = musl_cache_root(t, s);
  fs::path usr = r.root / "usr";
  r.crt_dir = usr / "lib" / t.musl_triple();
  fs::path gcc_parent = usr / "lib" / "gcc" / t.gnu_triple();
  r.gcc_dir = gcc_parent / newest_gcc_version(gcc_parent).value_or("12");
  // musl's headers first, then the kernel's (asm/ lives in the multiarch dir, linux/ in
  // usr/include).
  r.c_includes = {usr / "include" / t.musl_triple(), usr / "include" / t.gnu_triple(),
                  usr / "include"};
  return r;
}

/// Debian's musl-dev for the build machine, when installed (x86_64 only).
Sysroot musl_system_layout(const Target& t, const SysrootSearch& s) {
  Sysroot r;
  r.target = t;
  r.origin = "Debian musl-dev";
  r.root = s.host_root / "usr" / "lib" / t.musl_triple();
  r.crt_dir = r.root;
  fs::path gcc_parent = s.host_root / "usr" / "lib" / "gcc" / t.gnu_triple();
  r.gcc_dir = gcc_parent / newest_gcc_version(gcc_parent).value_or("12");
  r.c_includes = {s.host_root / "usr" / "include" / t.musl_triple()};
  r.note =
      "C only, without kernel headers; '" + install_command(t) + "' adds them and libc++ for C++";
  return r;
}

std::vector<std::string> missing_files(const Sysroot& r) {
  std::vector<std::string> missing;
  for (const char* f : {"crt1.o", "crti.o", "crtn.o", "libc.a"}) {
    if (!path_exists(r.crt_dir / f)) {
      missing.push_back((r.crt_dir / f).string());
    }
  }
  for (const char* f : {"crtbeginT.o", "crtend.o", "libgcc.a"}) {
    if (!path_exists(r.gcc_dir / f)) {
      missing.push_back((r.gcc_dir / f).string());
    }
  }
  bool has_stdio = std::any_of(r.c_includes.begin(), r.c_includes.end(),
                               [](const fs::path& dir) { return path_exists(dir / "stdio.h"); });
  if (!has_stdio) {
    missing.push_back(r.c_includes.empty() ? "stdio.h"
                                           : (r.c_includes.back() / "stdio.h").string());
  }
  return missing;
}

SysrootProbe probe_layout(Sysroot layout) {
  SysrootProbe probe;
  probe.target = layout.target;
  probe.expected = layout.root;
  probe.missing = missing_files(layout);
  if (probe.missing.empty()) {
    probe.sysroot = std::move(layout);
  }
  return probe;
}

/// The overlay's directories, when `sysroot add` made one for the target.
void add_overlay(SysrootProbe& probe, const SysrootSearch& search) {
  if (!probe.sysroot) {
    return;
  }
  if (std::optional<Overlay> overlay = find_overlay(probe.target, search)) {
    probe.sysroot->overlay_includes = overlay->include_dirs();
    probe.sysroot->overlay_lib_dir = overlay->lib_dir();
  }
}

/// Why `target` cannot have a sysroot here; empty when it can.
std::string unavailable_reason(const Target& target) {
  if (target.libc == Libc::musl && !target.info().debian12_binaries) {
    return "Debian 12 publishes no " + target.debian_arch() +
           " packages (it is a release architecture from Debian 13), so there is no musl-dev "
           "to unpack";
  }
  return {};
}

} // namespace

SysrootProbe probe_sysroot(const Target& target, const SysrootSearch& search) {
  if (target.libc == Libc::glibc) {
    SysrootProbe probe = probe_layout(glibc_layout(target, search));
    add_overlay(probe, search);
    return probe;
  }
  SysrootProbe cached = probe_layout(musl_cache_layout(target, search));
  if (!cached.sysroot) {
    cached.unavailable = unavailable_reason(target);
  }
  if (cached.sysroot && !attach_libcxx(*cached.sysroot, search)) {
    cached.sysroot->note =
        "C++: libc++ is built on first use (or now by '" + install_command(target) + "')";
  }
  if (cached.sysroot || !target.is_host()) {
    return cached;
  }
  SysrootProbe system = probe_layout(musl_system_layout(target, search));
  return system.sysroot ? system : cached;
}

std::string install_command(const Target& target) {
  return "scratchpack sysroot install " + target.name();
}

Result<Sysroot> find_sysroot(const Target& target, const SysrootSearch& search) {
  SysrootProbe probe = probe_sysroot(target, search);
  if (probe.sysroot) {
    return *probe.sysroot;
  }
  if (!probe.unavailable.empty()) {
    return failure("no sysroot for " + target.name(), probe.unavailable,
                   "use " + std::string(target.info().name) + "-glibc");
  }
  return failure("no sysroot for " + target.name(),
                 "missing " + probe.missing.front() +
                     (probe.missing.size() > 1
                          ? " and " + std::to_string(probe.missing.size() - 1) + " more"
                          : ""),
                 "run '" + install_command(target) + "'");
}

std::vector<std::string> glibc_packages(const Target& t) {
  if (t.is_host()) {
    return {"libc6-dev", "libgcc-12-dev", "libstdc++-12-dev"};
  }
  std::string a = t.debian_arch();
  return {"libc6-dev-" + a + "-cross", "libgcc-12-dev-" + a + "-cross",
          "libstdc++-12-dev-" + a + "-cross"};
}

std::vector<std::string> musl_packages(const Target& t) {
  return {"musl-dev", "linux-libc-dev", "libgcc-12-dev"};
}

namespace {

Result<Sysroot> install_glibc(const Target& t, const SysrootSearch& search,
                              const ProgressFn& progress) {
  std::vector<std::string> cmd = {"apt-get", "install", "-y", "-qq", "--no-install-recommends"};
  for (const std::string& p : glibc_packages(t)) {
    cmd.push_back(p);
  }
  if (::geteuid() != 0) {
    return failure("cannot install the " + t.name() + " sysroot",
                   "it comes from Debian packages, and installing them needs root",
                   "run as root: " + shell_join(cmd));
  }
  progress("installing " + join(glibc_packages(t), " ") + " with apt-get");
  SP_TRY(run_checked(cmd));
  return find_sysroot(t, search);
}

Result<Sysroot> install_musl(const Target& t, const SysrootSearch& search,
                             const ProgressFn& progress) {
  fs::path lists = search.cache / ("apt-lists-" + t.debian_arch());
  // A private package list for the target architecture: no dpkg --add-architecture, no
  // change to the system (and --add-architecture breaks apt-get update on these machines).
  std::vector<std::string> apt = private_apt("apt-get", t.debian_arch(), lists);
  progress("updating the " + t.debian_arch() + " package lists");
  SP_TRY(apt_update(apt, lists));
  AtomicPath final_dir(musl_cache_root(t, search));
  fs::path debs = final_dir.temp().string() + ".debs";
  SP_TRY(make_dirs(debs));
  struct RemoveDebs {
    fs::path p;
    ~RemoveDebs() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } remove_debs{debs};
  std::vector<std::string> download = apt;
  download.push_back("download");
  for (const std::string& p : musl_packages(t)) {
    download.push_back(p + ":" + t.debian_arch());
  }
  progress("downloading " + join(musl_packages(t), ", ") + " (" + t.debian_arch() + ")");
  ProcessOptions in_debs;
  in_debs.cwd = debs.string();
  SP_TRY(run_checked(download, in_debs));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(debs)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& deb : names) {
    progress("unpacking " + deb);
    if (Status s =
            run_checked({"dpkg-deb", "-x", (debs / deb).string(), final_dir.temp().string()});
        !s) {
      return s.take_error();
    }
  }
  if (Status s = write_file_atomic(final_dir.temp() / "scratchpack-sysroot.txt",
                                   "packages:\n" + join(names, "\n") + "\n");
      !s) {
    return s.take_error();
  }
  SP_TRY(final_dir.commit());
  return find_sysroot(t, search);
}

} // namespace

Result<Sysroot> install_sysroot(const Target& target, const SysrootSearch& search,
                                const ProgressFn& progress) {
  if (std::string why = unavailable_reason(target); !why.empty()) {
    return failure("cannot install the " + target.name() + " sysroot", why,
                   "use " + std::string(target.info().name) + "-glibc");
  }
  if (target.libc == Libc::glibc) {
    return install_glibc(target, search, progress);
  }
  return install_musl(target, search, progress);
}

} // namespace sp::toolchain
