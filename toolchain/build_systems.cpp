#include "toolchain/build_systems.h"

#include "toolchain/version.h"
#include "util/strings.h"
namespace sp::toolchain {

namespace {

/// A CMake quoted argument.
std::string cmake_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '$' || c == ';') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

/// A Meson string literal.
std::string meson_quote(const std::string& s) {
  return backslash_quoted(s, '\'');
}

std::string llvm_tool(const char* name) {
  return llvm_bindir() + "/llvm-" + name;
}

} // namespace

std::vector<std::string> compiler_command(const ToolchainSetup& s, bool cxx) {
  fs::path exe = s.compiler.empty() ? s.scratchpack : s.compiler;
  std::vector<std::string> argv = {exe.string(), cxx ? "c++" : "cc", "--target=" + s.target.name(),
                                   "--profile=" + std::string(to_string(s.profile))};
  if (s.gate_afterwards) {
    argv.insert(argv.end(), {"--no-scan", "--keep-symbols"});
  }
  return argv;
}

std::vector<std::pair<std::string, std::string>> environment(const ToolchainSetup& s,
                                                             const fs::path& cmake_file) {
  std::vector<std::pair<std::string, std::string>> vars = {
      {"CC", (s.tool_dir / "scratchpack-cc").string()},
      {"CXX", (s.tool_dir / "scratchpack-c++").string()},
      {"AR", llvm_tool("ar")},
      {"RANLIB", llvm_tool("ranlib")},
      {"NM", llvm_tool("nm")},
      {"STRIP", llvm_tool("strip")},
      {"OBJCOPY", llvm_tool("objcopy")},
      {"PKG_CONFIG", (s.tool_dir / "scratchpack-pkg-config").string()},
      {"SCRATCHPACK_TARGET", s.target.name()},
      {"SCRATCHPACK_LIBC", std::string(to_string(s.target.libc))},
      {"SCRATCHPACK_PROFILE", std::string(to_string(s.profile))},
  };
  // A plain pkg-config reads the target's .pc files too (scratchpack-pkg-config sets them itself).
  for (auto& [name, value] : pkg_config_environment(s.target, s.sysroot, s.overlay)) {
    if (name != "PKG_CONFIG_PATH") {
      vars.emplace_back(name, value);
    }
  }
  if (!cmake_file.empty()) {
    vars.emplace_back("CMAKE_TOOLCHAIN_FILE", cmake_file.string());
  }
  return vars;
}

std::vector<std::pair<std::string, std::string>>
pkg_config_environment(const Target& target, const fs::path& sysroot, const fs::path& overlay) {
  if (target.libc == Libc::glibc && !overlay.empty()) {
    std::string o = overlay.string();
    return {{"PKG_CONFIG_LIBDIR",
             o + "/usr/lib/" + target.gnu_triple() + "/pkgconfig:" + o + "/usr/share/pkgconfig"},
            {"PKG_CONFIG_PATH", ""},
            {"PKG_CONFIG_SYSROOT_DIR", o}};
  }
  if (target.libc == Libc::glibc) {
    std::string dirs = "/usr/lib/" + target.gnu_triple() + "/pkgconfig";
    if (target.is_host()) {
      dirs += ":/usr/share/pkgconfig";
    }
    return {{"PKG_CONFIG_LIBDIR", dirs}, {"PKG_CONFIG_PATH", ""}, {"PKG_CONFIG_SYSROOT_DIR", ""}};
  }
  std::string root = sysroot.string();
  return {{"PKG_CONFIG_LIBDIR", root + "/usr/lib/pkgconfig:" + root + "/usr/share/pkgconfig"},
          {"PKG_CONFIG_PATH", ""},
          {"PKG_CONFIG_SYSROOT_DIR", root}};
}

std::string cmake_toolchain_file(const ToolchainSetup& s) {
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& i : items) {
      out += (out.empty() ? "" : " ") + cmake_quote(i);
    }
    return out;
  };
  std::string t = s.target.name();
  std::string out =
      "# CMake toolchain file for static executables for " + t + " (profile " +
      std::string(to_string(s.profile)) +
      "), written by scratchpack.\n"
      "# cmake -DCMAKE_TOOLCHAIN_FILE=<this file> -S SRC -B BUILD\n"
      "set(CMAKE_SYSTEM_NAME Linux)\n"
      "set(CMAKE_SYSTEM_PROCESSOR " +
      std::string(to_string(s.target.arch)) +
      ")\n"
      "# The compilers as lists: scratchpack's drop-in driver with the target.\n"
      "set(CMAKE_C_COMPILER " +
      list(compiler_command(s, false)) +
      ")\n"
      "set(CMAKE_CXX_COMPILER " +
      list(compiler_command(s, true)) +
      ")\n"
      "set(CMAKE_ASM_COMPILER " +
      list(compiler_command(s, false)) +
      ")\n"
      "set(CMAKE_AR " +
      cmake_quote(llvm_tool("ar")) +
      " CACHE FILEPATH \"\" FORCE)\n"
      "set(CMAKE_RANLIB " +
      cmake_quote(llvm_tool("ranlib")) +
      " CACHE FILEPATH \"\" FORCE)\n"
      "set(CMAKE_NM " +
      cmake_quote(llvm_tool("nm")) +
      " CACHE FILEPATH \"\" FORCE)\n"
      "set(CMAKE_STRIP " +
      cmake_quote(llvm_tool("strip")) +
      " CACHE FILEPATH \"\" FORCE)\n"
      "set(CMAKE_OBJCOPY " +
      cmake_quote(llvm_tool("objcopy")) +
      " CACHE FILEPATH \"\" FORCE)\n"
      "# Libraries, headers and packages from the target's sysroot; programs from the host.\n"
      "set(CMAKE_FIND_ROOT_PATH " +
      cmake_quote(s.sysroot.string()) +
      ")\n"
      "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\n"
      "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)\n"
      "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)\n"
      "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)\n"
      "# Static only: no shared libraries, archives found before anything else.\n"
      "set(BUILD_SHARED_LIBS OFF CACHE BOOL \"\")\n"
      "set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)\n"
      "set(CMAKE_FIND_LIBRARY_SUFFIXES .a)\n"
      "# try_compile links real executables: scratchpack's link line needs no special flags.\n"
      "set(CMAKE_TRY_COMPILE_TARGET_TYPE EXECUTABLE)\n";
  if (!s.overlay.empty()) {
    out += "# Target libraries (scratchpack sysroot add): find_package and pkg_check_modules see\n"
           "# them first, archives only; pkg-config answers for " +
           t +
           ", with --static.\n"
           "set(CMAKE_FIND_ROOT_PATH " +
           cmake_quote(s.overlay.string()) + " " + cmake_quote(s.sysroot.string()) +
           ")\n"
           "set(CMAKE_LIBRARY_ARCHITECTURE " +
           s.target.gnu_triple() +
           ")\n"
           "set(OPENSSL_USE_STATIC_LIBS TRUE)\n"
           "set(ENV{SCRATCHPACK_TARGET} " +
           t +
           ")\n"
           "set(PKG_CONFIG_EXECUTABLE " +
           cmake_quote((s.tool_dir / "scratchpack-pkg-config").string()) +
           " CACHE FILEPATH \"\" FORCE)\n";
  }
  if (!s.emulator.empty()) {
    out += "# Binaries for " + t +
           " run here under qemu (try_run, tests, generators).\n"
           "set(CMAKE_CROSSCOMPILING_EMULATOR " +
           cmake_quote(s.emulator.string()) + ")\n";
  }
  return out;
}

std::string meson_cross_file(const ToolchainSetup& s) {
  auto array = [](const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      out += (i ? ", " : "") + meson_quote(items[i]);
    }
    return out + "]";
  };
  std::string out = "# Meson cross file for static executables for " + s.target.name() +
                    " (profile " + std::string(to_string(s.profile)) +
                    "), written by scratchpack.\n# meson setup --cross-file <this file> BUILD\n"
                    "[binaries]\n"
                    "c = " +
                    array(compiler_command(s, false)) +
                    "\n"
                    "cpp = " +
                    array(compiler_command(s, true)) +
                    "\n"
                    "ar = " +
                    meson_quote(llvm_tool("ar")) +
                    "\n"
                    "ranlib = " +
                    meson_quote(llvm_tool("ranlib")) +
                    "\n"
                    "nm = " +
                    meson_quote(llvm_tool("nm")) +
                    "\n"
                    "strip = " +
                    meson_quote(llvm_tool("strip")) +
                    "\n"
                    "objcopy = " +
                    meson_quote(llvm_tool("objcopy")) + "\n";
  if (!s.emulator.empty()) {
    out += "exe_wrapper = " + meson_quote(s.emulator.string()) + "\n";
  }
  out += "\n[host_machine]\n"
         "system = 'linux'\n"
         "cpu_family = " +
         meson_quote(s.target.cpu_family()) +
         "\n"
         "cpu = " +
         meson_quote(std::string(to_string(s.target.arch))) +
         "\n"
         "endian = 'little'\n"
         "\n[properties]\n"
         "sys_root = " +
         meson_quote(s.sysroot.string()) +
         "\n"
         "needs_exe_wrapper = " +
         std::string(s.emulator.empty() ? "false" : "true") +
         "\n"
         "\n[built-in options]\n"
         "default_library = 'static'\n"
         "prefer_static = true\n"
         "b_staticpic = false\n"
         "b_pie = false\n";
  return out;
}

} // namespace sp::toolchain
