#include "toolchain/build_systems.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

namespace {

ToolchainSetup setup(const char* target) {
  ToolchainSetup s;
  s.target = parse_target(target).value();
  s.scratchpack = "/opt/sp/scratchpack";
  s.tool_dir = "/home/u/.local/share/scratchpack/bin";
  s.sysroot = "/usr/aarch64-linux-gnu";
  if (!s.target.is_host()) {
    s.emulator = "/usr/bin/" + s.target.qemu();
  }
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

} // namespace

TEST_CASE("toolchain.build_systems: the CMake toolchain file names the target, compilers, finds") {
  std::string f = cmake_toolchain_file(setup("aarch64-musl"));
  CHECK(has_line(f, "set(CMAKE_SYSTEM_NAME Linux)"));
  CHECK(has_line(f, "set(CMAKE_SYSTEM_PROCESSOR aarch64)"));
  CHECK(has_line(f, "set(CMAKE_C_COMPILER \"/opt/sp/scratchpack\" \"cc\" "
                    "\"--target=aarch64-musl\" \"--profile=release\")"));
  CHECK(has_line(f, "set(CMAKE_CXX_COMPILER \"/opt/sp/scratchpack\" \"c++\" "
                    "\"--target=aarch64-musl\" \"--profile=release\")"));
  CHECK(has_line(f, "set(CMAKE_FIND_ROOT_PATH \"/usr/aarch64-linux-gnu\")"));
  CHECK(has_line(f, "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)"));
  CHECK(has_line(f, "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)"));
  CHECK(has_line(f, "set(BUILD_SHARED_LIBS OFF CACHE BOOL \"\")"));
  CHECK(has_line(f, "set(CMAKE_CROSSCOMPILING_EMULATOR \"/usr/bin/qemu-aarch64-static\")"));
  // The host's binaries run as they are.
  CHECK(cmake_toolchain_file(setup("x86_64")).find("EMULATOR") == std::string::npos);
  CHECK(f.find("PKG_CONFIG_EXECUTABLE") == std::string::npos); // no target libraries: no change

  // With target libraries (sysroot add): found first, archives only, pkg-config for the target.
  ToolchainSetup with = setup("aarch64");
  with.overlay = "/s/overlays/aarch64-glibc";
  std::string o = cmake_toolchain_file(with);
  CHECK(has_line(o, "set(CMAKE_FIND_ROOT_PATH \"/s/overlays/aarch64-glibc\" "
                    "\"/usr/aarch64-linux-gnu\")"));
  CHECK(has_line(o, "set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)"));
  CHECK(has_line(o, "set(OPENSSL_USE_STATIC_LIBS TRUE)"));
  CHECK(has_line(o, "set(ENV{SCRATCHPACK_TARGET} aarch64-glibc)"));
  CHECK(has_line(o, "set(PKG_CONFIG_EXECUTABLE "
                    "\"/home/u/.local/share/scratchpack/bin/scratchpack-pkg-config\" CACHE "
                    "FILEPATH \"\" FORCE)"));
}

TEST_CASE("toolchain.build_systems: the Meson cross file") {
  std::string f = meson_cross_file(setup("armv7"));
  CHECK(has_line(f, "c = ['/opt/sp/scratchpack', 'cc', '--target=armv7-glibc', "
                    "'--profile=release']"));
  CHECK(has_line(f, "cpu_family = 'arm'"));
  CHECK(has_line(f, "cpu = 'armv7'"));
  CHECK(has_line(f, "exe_wrapper = '/usr/bin/qemu-arm-static'"));
  CHECK(has_line(f, "needs_exe_wrapper = true"));
  CHECK(has_line(f, "default_library = 'static'"));
}

TEST_CASE("toolchain.build_systems: the environment, in a fixed order") {
  auto vars = environment(setup("aarch64"), "/t/aarch64-glibc-release.cmake");
  std::vector<std::string> names;
  for (const auto& [k, v] : vars) {
    names.push_back(k);
  }
  CHECK(names == std::vector<std::string>{"CC", "CXX", "AR", "RANLIB", "NM", "STRIP", "OBJCOPY",
                                          "PKG_CONFIG", "SCRATCHPACK_TARGET", "SCRATCHPACK_LIBC",
                                          "SCRATCHPACK_PROFILE", "PKG_CONFIG_LIBDIR",
                                          "PKG_CONFIG_SYSROOT_DIR", "CMAKE_TOOLCHAIN_FILE"});
  CHECK(vars[0].second == "/home/u/.local/share/scratchpack/bin/scratchpack-cc");
  CHECK(vars[7].second == "/home/u/.local/share/scratchpack/bin/scratchpack-pkg-config");
  CHECK(vars[8].second == "aarch64-glibc");
  CHECK(vars.back().second == "/t/aarch64-glibc-release.cmake");
}

TEST_CASE("toolchain.build_systems: pkg-config reads only the target's .pc files") {
  using Vars = std::vector<std::pair<std::string, std::string>>;
  CHECK(pkg_config_environment(parse_target("aarch64").value(), "/usr/aarch64-linux-gnu") ==
        Vars{{"PKG_CONFIG_LIBDIR", "/usr/lib/aarch64-linux-gnu/pkgconfig"},
             {"PKG_CONFIG_PATH", ""},
             {"PKG_CONFIG_SYSROOT_DIR", ""}});
  CHECK(pkg_config_environment(parse_target("armv7-musl").value(), "/s/arm") ==
        Vars{{"PKG_CONFIG_LIBDIR", "/s/arm/usr/lib/pkgconfig:/s/arm/usr/share/pkgconfig"},
             {"PKG_CONFIG_PATH", ""},
             {"PKG_CONFIG_SYSROOT_DIR", "/s/arm"}});
}
