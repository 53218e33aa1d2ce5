#include "fake_sysroot.h"
#include "toolchain/libcxx.h"
#include "util/strings.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

namespace {

bool has_sequence(const std::vector<std::string>& argv, const std::vector<std::string>& seq) {
  return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

bool has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

std::string value_of(const std::vector<std::string>& argv, const std::string& prefix) {
  for (const std::string& a : argv) {
    if (a.rfind(prefix, 0) == 0) {
      return a.substr(prefix.size());
    }
  }
  return {};
}

} // namespace

TEST_CASE("libc++ cache names: per target and per musl sysroot, stable for the same inputs") {
  Target x86 = *parse_target("x86_64-musl");
  Target arm = *parse_target("armv7-musl");
  std::string a = libcxx_dir_name(x86, "packages:\nmusl-dev_1.2.3-1_amd64.deb\n");
  CHECK(a == libcxx_dir_name(x86, "packages:\nmusl-dev_1.2.3-1_amd64.deb\n"));
  CHECK(a.rfind("x86_64-linux-musl-", 0) == 0);
  CHECK(a.size() == std::string("x86_64-linux-musl-").size() + 16);
  CHECK(a != libcxx_dir_name(x86, "packages:\nmusl-dev_1.2.4-1_amd64.deb\n"));
  std::string b = libcxx_dir_name(arm, "packages:\nmusl-dev_1.2.3-1_amd64.deb\n");
  CHECK(b.rfind("arm-linux-musleabihf-", 0) == 0);
  CHECK(b.substr(b.size() - 16) != a.substr(a.size() - 16));
}

TEST_CASE("a musl sysroot reports C++ once its libc++ is built, and only when it is complete") {
  TempDir tmp;
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};
  Target t = *parse_target("aarch64-musl");
  testing::make_fake_musl_cache(search.cache, "aarch64-linux-musl", "aarch64-linux-gnu");

  auto before = find_sysroot(t, search);
  REQUIRE(before);
  CHECK_FALSE(before->has_cxx());
  CHECK(before->note ==
        "C++: libc++ is built on first use (or now by 'scratchpack sysroot install aarch64-musl')");

  fs::path dir = libcxx_dir(*before, search);
  CHECK(dir.parent_path() == search.cache / "libcxx");
  testing::make_fake_libcxx(dir);
  fs::remove(dir / "lib/libunwind.a");
  CHECK_FALSE(find_sysroot(t, search)->has_cxx());

  testing::touch(dir / "lib/libunwind.a");
  auto after = find_sysroot(t, search);
  REQUIRE(after);
  CHECK(after->has_cxx());
  CHECK(after->note.empty());
  CHECK(after->cxx_library == "libc++ 19.1.7");
  CHECK(after->cxx_has_unwinder);
  CHECK(after->cxx_includes == std::vector<fs::path>{dir / "include/c++/v1"});
  CHECK(after->cxx_libs == std::vector<fs::path>{dir / "lib/libc++.a", dir / "lib/libc++abi.a",
                                                 dir / "lib/libunwind.a"});

  // A reinstalled sysroot with other package versions needs its own libc++.
  testing::make_fake_musl_cache(search.cache, "aarch64-linux-musl", "aarch64-linux-gnu",
                                "musl-dev_1.2.4-1\n");
  CHECK_FALSE(find_sysroot(t, search)->has_cxx());
}

TEST_CASE(
    "libc++ is built only on scratchpack's musl sysroots, and glibc without libstdc++ fails") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};
  auto debian_musl = find_sysroot(*parse_target("x86_64-musl"), search);
  REQUIRE(debian_musl);
  CHECK(libcxx_dir(*debian_musl, search).empty());
  auto refused = ensure_libcxx(*debian_musl, {}, search);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().what == "cannot build libc++ for x86_64-musl");
  CHECK(refused.error().hint == "run 'scratchpack sysroot install x86_64-musl'");

  Sysroot bare;
  bare.target = *parse_target("armv7");
  auto no_cxx = ensure_cxx_runtime(bare, {}, search);
  REQUIRE_FALSE(no_cxx);
  CHECK(no_cxx.error().why == "the sysroot has no libstdc++.a");
  CHECK(no_cxx.error().hint == "run 'scratchpack sysroot install armv7-glibc'");

  auto glibc = find_sysroot(*parse_target("x86_64"), search);
  auto same = ensure_cxx_runtime(*glibc, {}, search);
  REQUIRE(same);
  CHECK(same->cxx_library == "libstdc++ 12");
}

TEST_CASE("libc++ configure command: target, explicit include path, static, reproducible") {
  TempDir tmp;
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};
  fs::path root =
      testing::make_fake_musl_cache(search.cache, "arm-linux-musleabihf", "arm-linux-gnueabihf");
  Sysroot s = *find_sysroot(*parse_target("armv7-musl"), search);
  Compiler c{"/llvm/bin/clang", "/llvm/lib/clang/19", "19.1.7", ""};
  LibcxxTools tools{"/usr/bin/cmake", "/usr/bin/ninja", "/llvm/bin"};
  LibcxxBuildDirs dirs{"/src/llvm", "/cache/build-x", "/cache/.x.tmp"};
  std::vector<std::string> argv = libcxx_configure_command(c, s, tools, dirs);

  CHECK(has_sequence(
      argv, {"/usr/bin/cmake", "-G", "Ninja", "-S", "/src/llvm/runtimes", "-B", "/cache/build-x"}));
  CHECK(has(argv, "-DCMAKE_INSTALL_PREFIX=/cache/.x.tmp"));
  CHECK(has(argv, "-DCMAKE_CXX_COMPILER=/llvm/bin/clang++"));
  CHECK(has(argv, "-DCMAKE_AR=/llvm/bin/llvm-ar"));
  CHECK(has(argv, "-DCMAKE_CXX_COMPILER_TARGET=armv7a-linux-musleabihf"));
  CHECK(has(argv, "-DLIBCXX_HAS_MUSL_LIBC=ON"));
  CHECK(has(argv, "-DLIBCXX_ENABLE_SHARED=OFF"));
  CHECK(has(argv, "-DLIBCXXABI_USE_LLVM_UNWINDER=ON"));
  CHECK(has(argv, "-DLIBCXXABI_NON_DEMANGLING_TERMINATE=ON"));
  CHECK(has(argv, "-DCMAKE_BUILD_TYPE=MinSizeRel"));

  std::string flags = value_of(argv, "-DCMAKE_CXX_FLAGS=");
  CHECK(flags == value_of(argv, "-DCMAKE_C_FLAGS="));
  CHECK(flags == value_of(argv, "-DCMAKE_ASM_FLAGS="));
  std::string r = root.string();
  CHECK(flags == "--target=armv7a-linux-musleabihf -march=armv7-a -mthumb -mfpu=vfpv3-d16 "
                 "-mfloat-abi=hard -fno-pic -fno-pie -nostdinc -isystem /llvm/lib/clang/19/include "
                 "-isystem " +
                     r + "/usr/include/arm-linux-musleabihf -isystem " + r +
                     "/usr/include/arm-linux-gnueabihf -isystem " + r +
                     "/usr/include "
                     "-ffile-prefix-map=/src/llvm=/llvm -ffile-prefix-map=/cache/build-x=/build "
                     "-ffile-prefix-map=" +
                     r + "=/sysroot -ffile-prefix-map=/llvm/lib/clang/19=/clang");
}
