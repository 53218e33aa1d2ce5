#include "toolchain/link.h"

namespace sp::toolchain {

std::vector<std::string> link_line(const Target& target, const Sysroot& sysroot,
                                   const LinkOptions& options) {
  const fs::path& crt = sysroot.crt_dir;
  const fs::path& gcc = sysroot.gcc_dir;
  std::vector<std::string> argv = {"ld.lld",  "-m", target.lld_emulation(),
                                   "-static", "-o", options.output.string()};
  // A build id computed from the output's contents: stable across identical builds.
  argv.insert(argv.end(),
              {"--build-id=sha1", "--eh-frame-hdr", "-z", "noexecstack", "-z", "relro"});
  if (options.profile == Profile::size) {
    argv.insert(argv.end(), {"--gc-sections", "--icf=all", "--strip-all"});
  } else if (options.profile == Profile::release) {
    argv.push_back("-O1");
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  argv.insert(argv.end(), {(crt / "crt1.o").string(), (crt / "crti.o").string(),
                           (gcc / "crtbeginT.o").string()});
  for (const std::string& dir : options.lib_dirs) {
    argv.push_back("-L" + dir);
  }
  // The sysroot's directories come last so user -L directories win for user -l libraries.
  argv.push_back("-L" + crt.string());
  argv.push_back("-L" + gcc.string());
  for (const fs::path& obj : options.objects) {
    argv.push_back(obj.string());
  }
  for (const std::string& lib : options.libs) {
    argv.push_back("-l" + lib);
  }
  if (options.cxx) {
    // libstdc++.a libm.a (glibc), or libc++.a libc++abi.a libunwind.a (musl).
    for (const fs::path& lib : sysroot.cxx_libs) {
      argv.push_back(lib.string());
    }
  }
  // libc and the compiler support libraries refer to each other: one group resolves both ways.
  // libunwind and libgcc_eh define the same _Unwind_* functions, so a C++ link takes one only.
  argv.insert(argv.end(), {"--start-group", (gcc / "libgcc.a").string()});
  if (!(options.cxx && sysroot.cxx_has_unwinder)) {
    argv.push_back((gcc / "libgcc_eh.a").string());
  }
  argv.insert(argv.end(), {(crt / "libc.a").string(), "--end-group"});
  argv.insert(argv.end(), {(gcc / "crtend.o").string(), (crt / "crtn.o").string()});
  return argv;
}

} // namespace sp::toolchain
