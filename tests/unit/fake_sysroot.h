// Builds fake sysroot trees (empty files at the right paths) for discovery and link-line tests.
#pragma once

#include "util/fs.h"

#include <fstream>
#include <initializer_list>
#include <string>

namespace sp::testing {

inline void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "";
}

inline void touch_all(const fs::path& dir, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    touch(dir / n);
  }
}

/// A Debian-like tree under `root` with the x86_64 glibc (GCC 12 and an older GCC 9 dir),
/// the aarch64 glibc cross packages, and Debian's x86_64 musl-dev.
inline void make_fake_debian(const fs::path& root) {
  touch_all(root / "usr/lib/x86_64-linux-gnu", {"crt1.o", "crti.o", "crtn.o", "libc.a", "libm.a"});
  touch_all(root / "usr/lib/gcc/x86_64-linux-gnu/12",
            {"crtbeginT.o", "crtend.o", "libgcc.a", "libgcc_eh.a", "libstdc++.a"});
  touch_all(root / "usr/lib/gcc/x86_64-linux-gnu/9", {"crtbeginT.o"});
  touch(root / "usr/include/stdio.h");
  touch(root / "usr/include/c++/12/iostream");
  touch_all(root / "usr/aarch64-linux-gnu/lib", {"crt1.o", "crti.o", "crtn.o", "libc.a", "libm.a"});
  touch(root / "usr/aarch64-linux-gnu/include/stdio.h");
  touch_all(root / "usr/lib/gcc-cross/aarch64-linux-gnu/12",
            {"crtbeginT.o", "crtend.o", "libgcc.a", "libgcc_eh.a", "libstdc++.a"});
  touch_all(root / "usr/lib/x86_64-linux-musl", {"crt1.o", "crti.o", "crtn.o", "libc.a"});
  touch(root / "usr/include/x86_64-linux-musl/stdio.h");
}

/// A musl sysroot as `scratchpack sysroot install` leaves it in the cache: musl, the kernel
/// headers' multiarch dir, the target's libgcc, and the package list that identifies it.
inline fs::path make_fake_musl_cache(const fs::path& cache, const std::string& musl_triple,
                                     const std::string& gnu_triple,
                                     const std::string& packages = "musl-dev_1.2.3-1\n") {
  fs::path root = cache / musl_triple;
  fs::path usr = root / "usr";
  touch_all(usr / "lib" / musl_triple, {"crt1.o", "crti.o", "crtn.o", "libc.a"});
  touch_all(usr / "lib/gcc" / gnu_triple / "12",
            {"crtbeginT.o", "crtend.o", "libgcc.a", "libgcc_eh.a"});
  touch(usr / "include" / musl_triple / "stdio.h");
  touch(usr / "include" / gnu_triple / "asm/types.h");
  std::ofstream(root / "scratchpack-sysroot.txt") << "packages:\n" << packages;
  return root;
}

/// A finished libc++ install in `dir`, as the libc++ build leaves it (headers, the three
/// archives, the marker naming the version).
inline void make_fake_libcxx(const fs::path& dir, const std::string& version = "19.1.7") {
  touch_all(dir / "lib", {"libc++.a", "libc++abi.a", "libunwind.a"});
  touch(dir / "include/c++/v1/__config_site");
  touch(dir / "include/c++/v1/iostream");
  std::ofstream(dir / "scratchpack-libcxx.txt") << "libc++ " << version << "\ntarget: test\n";
}

} // namespace sp::testing
