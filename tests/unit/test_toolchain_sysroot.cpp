#include "fake_sysroot.h"
#include "toolchain/sysroot.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

TEST_CASE("glibc sysroots are found in a Debian-like tree, newest GCC first") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};

  auto host = find_sysroot(*parse_target("x86_64"), search);
  REQUIRE(host);
  CHECK(host->crt_dir == tmp.path() / "usr/lib/x86_64-linux-gnu");
  CHECK(host->gcc_dir == tmp.path() / "usr/lib/gcc/x86_64-linux-gnu/12");
  CHECK(host->has_cxx());
  CHECK(host->cxx_includes.front() == tmp.path() / "usr/include/c++/12");

  auto cross = find_sysroot(*parse_target("aarch64"), search);
  REQUIRE(cross);
  CHECK(cross->root == tmp.path() / "usr/aarch64-linux-gnu");
  CHECK(cross->gcc_dir == tmp.path() / "usr/lib/gcc-cross/aarch64-linux-gnu/12");
  CHECK(cross->cxx_includes[1] ==
        tmp.path() / "usr/aarch64-linux-gnu/include/c++/12/aarch64-linux-gnu");
}

TEST_CASE("a missing sysroot names the first missing file and the install command") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};
  auto armv7 = find_sysroot(*parse_target("armv7"), search);
  REQUIRE_FALSE(armv7);
  CHECK(armv7.error().what == "no sysroot for armv7-glibc");
  CHECK(armv7.error().why.rfind(
            "missing " + (tmp.path() / "usr/arm-linux-gnueabihf/lib/crt1.o").string(), 0) == 0);
  CHECK(armv7.error().hint == "run 'scratchpack sysroot install armv7-glibc'");
  CHECK(armv7.error().exit_code() == 1);
}

TEST_CASE("musl: the cache wins over Debian's musl-dev; other arches need the cache") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};

  auto system = find_sysroot(*parse_target("x86_64-musl"), search);
  REQUIRE(system);
  CHECK(system->origin == "Debian musl-dev");
  CHECK_FALSE(system->has_cxx());

  fs::path c = tmp.path() / "cache/x86_64-linux-musl/usr";
  testing::touch_all(c / "lib/x86_64-linux-musl", {"crt1.o", "crti.o", "crtn.o", "libc.a"});
  testing::touch_all(c / "lib/gcc/x86_64-linux-gnu/12", {"crtbeginT.o", "crtend.o", "libgcc.a"});
  testing::touch(c / "include/x86_64-linux-musl/stdio.h");
  auto cached = find_sysroot(*parse_target("x86_64-musl"), search);
  REQUIRE(cached);
  CHECK(cached->origin == "scratchpack cache");
  CHECK_FALSE(cached->has_cxx());
  CHECK(cached->note.find("libc++ is built on first use") != std::string::npos);
  CHECK(cached->c_includes == std::vector<fs::path>{c / "include/x86_64-linux-musl",
                                                    c / "include/x86_64-linux-gnu", c / "include"});

  auto arm = find_sysroot(*parse_target("aarch64-musl"), search);
  REQUIRE_FALSE(arm);
  CHECK(arm.error().hint == "run 'scratchpack sysroot install aarch64-musl'");
}

TEST_CASE("install plans name the Debian packages per architecture") {
  CHECK(glibc_packages(*parse_target("armv7")) ==
        std::vector<std::string>{"libc6-dev-armhf-cross", "libgcc-12-dev-armhf-cross",
                                 "libstdc++-12-dev-armhf-cross"});
  CHECK(musl_packages(*parse_target("aarch64-musl")) ==
        std::vector<std::string>{"musl-dev", "linux-libc-dev", "libgcc-12-dev"});
}
