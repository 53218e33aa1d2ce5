// Builds fake sysroot trees (empty files at the right paths) for discovery and link-line tests.
#pragma once

#include "util/fs.h"

#include <fstream>
#include <initializer_list>

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

} // namespace sp::testing
