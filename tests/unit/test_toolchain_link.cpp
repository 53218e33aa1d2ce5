#include "fake_sysroot.h"
#include "toolchain/libcxx.h"
#include "toolchain/link.h"
#include "util/strings.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

namespace {

std::string relative_line(const std::vector<std::string>& argv, const fs::path& root) {
  std::string line = join(argv, " ");
  std::string prefix = root.string();
  for (size_t pos; (pos = line.find(prefix)) != std::string::npos;) {
    line.replace(pos, prefix.size(), "$R");
  }
  return line;
}

} // namespace

TEST_CASE("glibc C++ link line: crt objects, libstdc++, libm, grouped libc and libgcc") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  Target t = *parse_target("x86_64");
  Sysroot s = *find_sysroot(t, {tmp.path(), tmp.path() / "cache"});
  LinkOptions o;
  o.output = "out/hello";
  o.objects = {"a.o", "b.o"};
  o.lib_dirs = {"lib"};
  o.libs = {"util"};
  o.cxx = true;
  CHECK(
      relative_line(link_line(t, s, o), tmp.path()) ==
      "ld.lld -m elf_x86_64 -static -o out/hello --build-id=sha1 --eh-frame-hdr -z noexecstack "
      "-z relro -O1 "
      "$R/usr/lib/x86_64-linux-gnu/crt1.o $R/usr/lib/x86_64-linux-gnu/crti.o "
      "$R/usr/lib/gcc/x86_64-linux-gnu/12/crtbeginT.o -Llib -L$R/usr/lib/x86_64-linux-gnu "
      "-L$R/usr/lib/gcc/x86_64-linux-gnu/12 a.o b.o -lutil "
      "$R/usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a $R/usr/lib/x86_64-linux-gnu/libm.a "
      "--start-group $R/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a "
      "$R/usr/lib/gcc/x86_64-linux-gnu/12/libgcc_eh.a $R/usr/lib/x86_64-linux-gnu/libc.a "
      "--end-group $R/usr/lib/gcc/x86_64-linux-gnu/12/crtend.o $R/usr/lib/x86_64-linux-gnu/crtn.o");
}

TEST_CASE("size profile collects sections and folds identical code, keeps its symbols for the "
          "gate; C links no libstdc++") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  Target t = *parse_target("aarch64");
  Sysroot s = *find_sysroot(t, {tmp.path(), tmp.path() / "cache"});
  LinkOptions o;
  o.output = "hello";
  o.objects = {"hello.o"};
  o.profile = Profile::size;
  std::string line = relative_line(link_line(t, s, o), tmp.path());
  CHECK(line.find("-m aarch64linux -static") != std::string::npos);
  CHECK(line.find("--gc-sections --icf=all $R") != std::string::npos);
  CHECK(line.find("--strip-all") == std::string::npos); // stripped after the gate
  CHECK(line.find("libstdc++") == std::string::npos);
  CHECK(line.find("$R/usr/aarch64-linux-gnu/lib/crt1.o") != std::string::npos);
  CHECK(line.find("$R/usr/lib/gcc-cross/aarch64-linux-gnu/12/crtbeginT.o") != std::string::npos);
}

TEST_CASE("musl C++ link line: libc++, libc++abi, libunwind, libgcc builtins but no libgcc_eh") {
  TempDir tmp;
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};
  Target t = *parse_target("aarch64-musl");
  testing::make_fake_musl_cache(search.cache, "aarch64-linux-musl", "aarch64-linux-gnu");
  fs::path dir = search.cache / "libcxx" / libcxx_dir_name(t, "packages:\nmusl-dev_1.2.3-1\n");
  testing::make_fake_libcxx(dir);
  Sysroot s = *find_sysroot(t, search);
  REQUIRE(s.has_cxx());
  LinkOptions o;
  o.output = "out/app";
  o.objects = {"main.o"};
  o.cxx = true;
  o.profile = Profile::size;
  std::string line = relative_line(link_line(t, s, o), tmp.path());
  std::string lib = relative_line({dir.string()}, tmp.path()) + "/lib";
  CHECK(line ==
        "ld.lld -m aarch64linux -static -o out/app --build-id=sha1 --eh-frame-hdr -z noexecstack "
        "-z relro --gc-sections --icf=all "
        "$R/cache/aarch64-linux-musl/usr/lib/aarch64-linux-musl/crt1.o "
        "$R/cache/aarch64-linux-musl/usr/lib/aarch64-linux-musl/crti.o "
        "$R/cache/aarch64-linux-musl/usr/lib/gcc/aarch64-linux-gnu/12/crtbeginT.o "
        "-L$R/cache/aarch64-linux-musl/usr/lib/aarch64-linux-musl "
        "-L$R/cache/aarch64-linux-musl/usr/lib/gcc/aarch64-linux-gnu/12 main.o " +
            lib + "/libc++.a " + lib + "/libc++abi.a " + lib +
            "/libunwind.a "
            "--start-group $R/cache/aarch64-linux-musl/usr/lib/gcc/aarch64-linux-gnu/12/libgcc.a "
            "$R/cache/aarch64-linux-musl/usr/lib/aarch64-linux-musl/libc.a --end-group "
            "$R/cache/aarch64-linux-musl/usr/lib/gcc/aarch64-linux-gnu/12/crtend.o "
            "$R/cache/aarch64-linux-musl/usr/lib/aarch64-linux-musl/crtn.o");

  // A C program on the same sysroot keeps libgcc_eh and links no C++ library.
  o.cxx = false;
  std::string c_line = relative_line(link_line(t, s, o), tmp.path());
  CHECK(c_line.find(
            "libgcc.a $R/cache/aarch64-linux-musl/usr/lib/gcc/aarch64-linux-gnu/12/libgcc_eh.a") !=
        std::string::npos);
  CHECK(c_line.find("libc++") == std::string::npos);
}

TEST_CASE("the size profile strips after the gate, with llvm-objcopy; the others do not strip") {
  CHECK(strips(Profile::size));
  CHECK_FALSE(strips(Profile::release));
  CHECK_FALSE(strips(Profile::debug));
  CHECK(
      strip_command("/llvm/bin/llvm-objcopy", "out/app", "out/.app.1.x") ==
      std::vector<std::string>{"/llvm/bin/llvm-objcopy", "--strip-all", "out/app", "out/.app.1.x"});
}

TEST_CASE("the cache keeps a --why-extract table with the link's objects named by their place") {
  std::string table = "reference\textracted\tsymbol\n"
                      "/tmp/a/0-dl.o\t/x/libc.a(dlopen.o)\tdlopen\n"
                      "/tmp/a/1-util.o\t/u/libz.a(inflate.o)\tinflate\n"
                      "/u/libz.a(inflate.o)\t/x/libc.a(memcpy.o)\tmemcpy\n";
  std::vector<fs::path> objects = {"/tmp/a/0-dl.o", "/tmp/a/1-util.o"};
  std::string kept = portable_why_extract(table, objects);
  CHECK(kept == "reference\textracted\tsymbol\n"
                "@object:0\t/x/libc.a(dlopen.o)\tdlopen\n"
                "@object:1\t/u/libz.a(inflate.o)\tinflate\n"
                "/u/libz.a(inflate.o)\t/x/libc.a(memcpy.o)\tmemcpy\n");
  // A later build finds it by the objects' contents; its objects are elsewhere.
  std::vector<fs::path> later = {"/tmp/b/0-dl.o", "/tmp/b/1-util.o"};
  CHECK(local_why_extract(kept, later) == "reference\textracted\tsymbol\n"
                                          "/tmp/b/0-dl.o\t/x/libc.a(dlopen.o)\tdlopen\n"
                                          "/tmp/b/1-util.o\t/u/libz.a(inflate.o)\tinflate\n"
                                          "/u/libz.a(inflate.o)\t/x/libc.a(memcpy.o)\tmemcpy\n");
  CHECK(local_why_extract(portable_why_extract(table, objects), objects) == table);
}
