#include "fake_sysroot.h"
#include "toolchain/compile.h"
#include "toolchain/libcxx.h"
#include "util/strings.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <iterator>

using namespace sp;
using namespace sp::toolchain;

namespace {

bool has_sequence(const std::vector<std::string>& argv, const std::vector<std::string>& seq) {
  return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

} // namespace

TEST_CASE("compile command: explicit include order, reproducibility flags, profile flags") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  Target t = *parse_target("x86_64");
  Sysroot s = *find_sysroot(t, {tmp.path(), tmp.path() / "cache"});
  Compiler c{"/llvm/bin/clang", "/llvm/lib/clang/19", "19.1.7"};
  CompileOptions o;
  o.profile = Profile::size;
  o.cxx_std = "c++20";
  o.include_dirs = {"inc"};
  o.defines = {"GREETING=\"hi\""};
  o.prefix_map_from = "/home/me/proj";
  CompileJob j{"src/main.cpp", "obj/main.o", "", Language::cxx};
  std::vector<std::string> argv = compile_command(c, t, s, o, j);

  CHECK(argv.front() == "/llvm/bin/clang");
  // `-target X` in two words (distcc's cross rewrite sees only that spelling); no -x for a .cpp
  // (distcc compiles anything with -x locally).
  CHECK(has_sequence(argv, {"-target", "x86_64-linux-gnu", "-std=c++20", "-Os",
                            "-ffunction-sections", "-fdata-sections", "-fno-pic", "-fno-pie",
                            "-ffile-prefix-map=/home/me/proj=.", "-fdebug-compilation-dir=."}));
  // -I first, then libstdc++, clang's own headers, then libc.
  auto at = [&](const std::string& arg) {
    return std::find(argv.begin(), argv.end(), arg) - argv.begin();
  };
  auto user = at("-Iinc");
  auto cxx = at((tmp.path() / "usr/include/c++/12").string());
  auto builtin = at("/llvm/lib/clang/19/include");
  auto libc = at((tmp.path() / "usr/include/x86_64-linux-gnu").string());
  CHECK(user < cxx);
  CHECK(cxx < builtin);
  CHECK(builtin < libc);
  CHECK(libc < static_cast<long>(argv.size()));
  CHECK(has_sequence(argv, {"-DGREETING=\"hi\"", "-o", "obj/main.o", "src/main.cpp"}));
}

TEST_CASE("compile command: C and C++ sources each get their own standard") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  Target t = *parse_target("x86_64");
  Sysroot s = *find_sysroot(t, {tmp.path(), tmp.path() / "cache"});
  Compiler c{"/llvm/bin/clang", "/llvm/lib/clang/19", "19.1.7"};
  CompileOptions o;
  o.c_std = "c17";
  o.cxx_std = "c++20";
  auto standards = [](const std::vector<std::string>& argv) {
    std::vector<std::string> out;
    std::copy_if(argv.begin(), argv.end(), std::back_inserter(out),
                 [](const std::string& a) { return a.starts_with("-std="); });
    return out;
  };
  using Args = std::vector<std::string>;
  CHECK(standards(compile_command(c, t, s, o, {"mix.cpp", "mix.o", "", Language::cxx})) ==
        Args{"-std=c++20"});
  CHECK(standards(compile_command(c, t, s, o, {"util.c", "util.o", "", Language::c})) ==
        Args{"-std=c17"});
  CompileJob pch{"pre.h", "pre.pch", "", Language::cxx};
  pch.precompile = true;
  CHECK(standards(compile_command(c, t, s, o, pch)) == Args{"-std=c++20"});
  // Only a C++ standard: C sources get the compiler's default, and the reverse.
  o.c_std.clear();
  CHECK(standards(compile_command(c, t, s, o, {"util.c", "util.o", "", Language::c})).empty());
  o.c_std = "gnu11";
  o.cxx_std.clear();
  CHECK(standards(compile_command(c, t, s, o, {"mix.cpp", "mix.o", "", Language::cxx})).empty());
  CHECK(standards(compile_command(c, t, s, o, {"util.c", "util.o", "", Language::c})) ==
        Args{"-std=gnu11"});
}

TEST_CASE("standard_language: clang's names, by language") {
  CHECK(standard_language("c17") == Language::c);
  CHECK(standard_language("gnu2x") == Language::c);
  CHECK(standard_language("iso9899:2011") == Language::c);
  CHECK(standard_language("c++20") == Language::cxx);
  CHECK(standard_language("gnu++2c") == Language::cxx);
  CHECK(standard_language("c++0x") == Language::cxx);
  CHECK_FALSE(standard_language("c++21"));
  CHECK_FALSE(standard_language("c21"));
  CHECK_FALSE(standard_language(""));
  CHECK_FALSE(standard_language("C++20"));
}

TEST_CASE("armv7 compiles for hard-float Thumb-2; C sources get no C++ headers") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  Target t = *parse_target("armv7-musl");
  Sysroot s;
  s.target = t;
  s.c_includes = {"/musl/include"};
  s.cxx_includes = {"/never/used"};
  Compiler c{"clang", "/rd", "19"};
  std::vector<std::string> argv = compile_command(c, t, s, {}, {"a.c", "a.o", "a.d", Language::c});
  CHECK(has_sequence(argv, {"-target", "armv7a-linux-musleabihf", "-march=armv7-a", "-mthumb",
                            "-mfpu=vfpv3-d16", "-mfloat-abi=hard"}));
  CHECK(has_sequence(argv, {"-MD", "-MF", "a.d"}));
  CHECK(std::find(argv.begin(), argv.end(), "/never/used") == argv.end());
  CHECK(has_sequence(argv, {"-O2"}));
}

TEST_CASE("languages and profiles are parsed strictly") {
  CHECK(*language_of("x.c") == Language::c);
  CHECK(*language_of("x.cxx") == Language::cxx);
  auto bad = language_of("x.rs");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().why == "not a C or C++ source (expected .c, .cc, .cpp or .cxx)");
  CHECK(*parse_named<Profile>("size") == Profile::size);
  CHECK(parse_named<Profile>("fast").error().hint == "use debug, release or size");
}

TEST_CASE("musl C++ compile command: libc++ headers, clang's, then musl's and the kernel's") {
  TempDir tmp;
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};
  Target t = *parse_target("x86_64-musl");
  fs::path root =
      testing::make_fake_musl_cache(search.cache, "x86_64-linux-musl", "x86_64-linux-gnu");
  Sysroot before = *find_sysroot(t, search);
  fs::path dir = libcxx_dir(before, search);
  testing::make_fake_libcxx(dir);
  Sysroot s = *find_sysroot(t, search);
  Compiler c{"/llvm/bin/clang", "/llvm/lib/clang/19", "19.1.7"};
  CompileOptions o;
  o.include_dirs = {"inc"};
  std::vector<std::string> argv =
      compile_command(c, t, s, o, {"main.cpp", "main.o", "", Language::cxx});
  CHECK(has_sequence(argv, {"-nostdinc", "-Iinc", "-isystem", (dir / "include/c++/v1").string(),
                            "-isystem", "/llvm/lib/clang/19/include", "-isystem",
                            (root / "usr/include/x86_64-linux-musl").string(), "-isystem",
                            (root / "usr/include/x86_64-linux-gnu").string(), "-isystem",
                            (root / "usr/include").string()}));
  CHECK(has_sequence(argv, {"-target", "x86_64-linux-musl"}));
  CHECK(has_sequence(argv, {"-D_LIBCPP_REMOVE_TRANSITIVE_INCLUDES", "-o", "main.o", "main.cpp"}));
  std::vector<std::string> c_argv = compile_command(c, t, s, o, {"a.c", "a.o", "", Language::c});
  CHECK(std::find(c_argv.begin(), c_argv.end(), "-D_LIBCPP_REMOVE_TRANSITIVE_INCLUDES") ==
        c_argv.end());
}

TEST_CASE("compile command: -x only when the suffix does not say the language; debug has no "
          "column info") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  Target t = *parse_target("aarch64");
  Sysroot s = *find_sysroot(t, {tmp.path(), tmp.path() / "cache"});
  Compiler c{"/llvm/bin/clang", "/llvm/lib/clang/19", "19.1.7"};
  CompileOptions o;
  auto has = [](const std::vector<std::string>& argv, const std::string& arg) {
    return std::find(argv.begin(), argv.end(), arg) != argv.end();
  };
  auto x_flags = [](const std::vector<std::string>& argv) {
    return std::count_if(argv.begin(), argv.end(),
                         [](const std::string& a) { return a.starts_with("-x"); });
  };
  CHECK(x_flags(compile_command(c, t, s, o, {"a.cpp", "a.o", "", Language::cxx})) == 0);
  CHECK(x_flags(compile_command(c, t, s, o, {"a.c", "a.o", "", Language::c})) == 0);
  // The drop-in compiler's `clang++ a.c` compiles a .c as C++: then -x says so.
  CHECK(has(compile_command(c, t, s, o, {"a.c", "a.o", "", Language::cxx}), "-xc++"));
  CHECK(has(compile_command(c, t, s, o, {"a.cp", "a.o", "", Language::cxx}), "-xc++"));
  CompileJob as{"a.S", "a.o", "", Language::c};
  as.x_language = "assembler-with-cpp";
  CHECK(has(compile_command(c, t, s, o, as), "-xassembler-with-cpp"));
  std::vector<std::string> argv = compile_command(c, t, s, o, {"a.c", "a.o", "", Language::c});
  CHECK_FALSE(has(argv, "--target=aarch64-linux-gnu"));
  CHECK(has_sequence(argv, {"-target", "aarch64-linux-gnu"}));
  o.profile = Profile::debug;
  argv = compile_command(c, t, s, o, {"a.c", "a.o", "", Language::c});
  CHECK(has_sequence(argv, {"-O0", "-g", "-gdwarf-4", "-gno-column-info"}));
  CHECK(has(argv, "-fdebug-compilation-dir=."));
}
