#include "fake_sysroot.h"
#include "toolchain/build_systems.h"
#include "toolchain/compile.h"
#include "toolchain/link.h"
#include "toolchain/overlay.h"
#include "util/strings.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

namespace {

/// A fake overlay for `t` under `cache`: the record file sysroot add writes, nothing else.
void make_fake_overlay(const Target& t, const fs::path& cache) {
  fs::path root = overlay_root(t, {"/", cache});
  REQUIRE(make_dirs(root));
  REQUIRE(write_file_atomic(root / "scratchpack-overlay.txt",
                            format_overlay_record({{"zlib1g-dev", "1:1.2.13.dfsg-1", "arm64", true},
                                                   {"libssl-dev", "3.0.11-1", "arm64", false}})));
}

} // namespace

TEST_CASE("toolchain.overlay: the record keeps each package's version and who asked for it") {
  std::string text = format_overlay_record(
      {{"zlib1g-dev", "1:1.2.13.dfsg-1", "arm64", true}, {"libssl-dev", "3.0.11-1", "arm64"}});
  CHECK(text == "scratchpack-overlay-v1\nlibssl-dev 3.0.11-1 arm64\n"
                "zlib1g-dev 1:1.2.13.dfsg-1 arm64 requested\n");
  std::vector<OverlayPackage> back = parse_overlay_record(text);
  REQUIRE(back.size() == 2);
  CHECK(back[1].name == "zlib1g-dev");
  CHECK(back[1].version == "1:1.2.13.dfsg-1");
  CHECK(back[1].requested);
  CHECK_FALSE(back[0].requested);
  CHECK(parse_overlay_record("something else\nzlib1g-dev 1 arm64\n").empty());
}

TEST_CASE("toolchain.overlay: the C library's and the compiler's packages are never downloaded") {
  for (const char* base : {"libc6-dev", "libc6", "linux-libc-dev", "libcrypt-dev", "libtirpc-dev",
                           "libgcc-12-dev", "libstdc++-12-dev", "gcc-12-base"}) {
    CHECK(base_package(base));
  }
  for (const char* lib : {"libssl-dev", "zlib1g-dev", "libssl3", "libsqlite3-dev"}) {
    CHECK_FALSE(base_package(lib));
  }
}

TEST_CASE("toolchain.overlay: musl targets have none; glibc ones see theirs on both lines") {
  TempDir tmp;
  testing::make_fake_debian(tmp.path());
  SysrootSearch search{tmp.path(), tmp.path() / "cache"};
  Target t = *parse_target("x86_64");
  CHECK_FALSE(find_overlay(t, search));
  Sysroot plain = *find_sysroot(t, search);
  CHECK(plain.overlay_lib_dir.empty());

  make_fake_overlay(t, search.cache);
  std::optional<Overlay> overlay = find_overlay(t, search);
  REQUIRE(overlay);
  CHECK(overlay->packages.size() == 2);
  fs::path root = search.cache / "overlays" / "x86_64-glibc";
  CHECK(overlay->root == root);
  Sysroot s = *find_sysroot(t, search);
  CHECK(s.overlay_lib_dir == root / "usr/lib/x86_64-linux-gnu");

  // The link: the user's -L first, then the overlay's, then the sysroot's.
  LinkOptions o;
  o.output = "out/p";
  o.objects = {"p.o"};
  o.lib_dirs = {"lib"};
  o.libs = {"z"};
  std::vector<std::string> line = link_line(t, s, o);
  auto at = [&](const std::string& arg) {
    return std::find(line.begin(), line.end(), arg) - line.begin();
  };
  REQUIRE(at("-L" + s.overlay_lib_dir.string()) < static_cast<long>(line.size()));
  CHECK(at("-Llib") < at("-L" + s.overlay_lib_dir.string()));
  CHECK(at("-L" + s.overlay_lib_dir.string()) < at("-L" + s.crt_dir.string()));

  // The compile: -I first, then clang's headers, the overlay's, the C library's.
  Compiler c;
  c.clang = "/usr/lib/llvm-19/bin/clang";
  c.resource_dir = "/usr/lib/llvm-19/lib/clang/19";
  CompileOptions co;
  co.include_dirs = {"inc"};
  CompileJob job;
  job.source = "p.c";
  job.object = "p.o";
  job.language = Language::c;
  std::string cmd = join(compile_command(c, t, s, co, job), " ");
  size_t user = cmd.find("-Iinc");
  size_t over = cmd.find("-isystem " + (root / "usr/include/x86_64-linux-gnu").string());
  size_t libc = cmd.find("-isystem " + s.c_includes.front().string());
  CHECK(user < over);
  CHECK(over < libc);
  std::vector<fs::path> sys = system_include_dirs(c, s);
  CHECK(std::find(sys.begin(), sys.end(), root / "usr/include") != sys.end());

  // No overlay for musl, whatever is on disk.
  CHECK_FALSE(find_overlay(*parse_target("x86_64-musl"), search));
}

TEST_CASE("toolchain.overlay: pkg-config reads the overlay's .pc files alone when there is one") {
  using Vars = std::vector<std::pair<std::string, std::string>>;
  CHECK(pkg_config_environment(parse_target("aarch64").value(), "/usr/aarch64-linux-gnu", "/o") ==
        Vars{{"PKG_CONFIG_LIBDIR", "/o/usr/lib/aarch64-linux-gnu/pkgconfig:/o/usr/share/pkgconfig"},
             {"PKG_CONFIG_PATH", ""},
             {"PKG_CONFIG_SYSROOT_DIR", "/o"}});
}

TEST_CASE("toolchain.overlay: sysroot add refuses a musl target and says what to do") {
  TempDir tmp;
  auto r = add_overlay_packages(*parse_target("aarch64-musl"), {"zlib1g-dev"},
                                {tmp.path(), tmp.path() / "cache"}, [](const std::string&) {});
  REQUIRE_FALSE(r);
  CHECK(r.error().what == "cannot add packages for aarch64-musl");
  CHECK(r.error().why ==
        "Debian builds its -dev packages against glibc; their archives do not link with musl");
  CHECK(r.error().hint == "build the library from source with scratchpack cc "
                          "(docs/build-systems.md), or use aarch64-glibc");
}

TEST_CASE("toolchain.overlay: pkg-config's words go to the compile and the link in order") {
  PkgConfigFlags f = parse_pkg_config({"-I/o/usr/include", "-DX=1"},
                                      {"-L/o/usr/lib", "-lz", "-lcrypto", "-ldl", "-pthread",
                                       "-lsqlite3", "-Wl,--as-needed,-z,now", "-lpthread", "-lm"});
  CHECK(f.cflags == std::vector<std::string>{"-I/o/usr/include", "-DX=1"});
  CHECK(f.lib_dirs == std::vector<std::string>{"/o/usr/lib"});
  CHECK(f.libs == std::vector<std::string>{"z", "crypto", "dl", "sqlite3", "m"});
  CHECK(f.link_args == std::vector<std::string>{"--as-needed", "-z", "now"});
}
