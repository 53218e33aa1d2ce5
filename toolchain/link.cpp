#include "toolchain/link.h"

#include <lld/Common/Driver.h>
#include <llvm/Support/raw_ostream.h>
#include <mutex>

LLD_HAS_DRIVER(elf)

namespace sp::toolchain {

std::vector<std::string> link_line(const Target& target, const Sysroot& sysroot,
                                   const LinkOptions& options) {
  const fs::path& crt = sysroot.crt_dir;
  const fs::path& gcc = sysroot.gcc_dir;
  std::vector<std::string> argv = {"ld.lld", "-m", target.lld_emulation(), "-static",
                                   "-o", options.output.string()};
  // A build id computed from the output's contents: stable across identical builds.
  argv.insert(argv.end(), {"--build-id=sha1", "--eh-frame-hdr", "-z", "noexecstack",
                           "-z", "relro"});
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
    argv.push_back((sysroot.cxx_lib_dir / "libstdc++.a").string());
    argv.push_back((crt / "libm.a").string());
  }
  // libc and the compiler support libraries refer to each other: one group resolves both ways.
  argv.insert(argv.end(), {"--start-group", (gcc / "libgcc.a").string(),
                           (gcc / "libgcc_eh.a").string(), (crt / "libc.a").string(),
                           "--end-group"});
  argv.insert(argv.end(), {(gcc / "crtend.o").string(), (crt / "crtn.o").string()});
  return argv;
}

namespace {

std::mutex g_lld_mutex;
bool g_lld_reusable = true;

int lld_main(const std::vector<std::string>& argv, std::string& diagnostics) {
  std::vector<const char*> args;
  for (const std::string& a : argv) {
    args.push_back(a.c_str());
  }
  llvm::raw_string_ostream out(diagnostics);
  llvm::raw_string_ostream err(diagnostics);
  lld::Result r = lld::lldMain(args, out, err, {{lld::Gnu, &lld::elf::link}});
  out.flush();
  err.flush();
  g_lld_reusable = g_lld_reusable && r.canRunAgain;
  return r.retCode;
}

} // namespace

Result<LinkOutput> run_link(const std::vector<std::string>& argv) {
  std::lock_guard<std::mutex> lock(g_lld_mutex);
  if (!g_lld_reusable) {
    return failure("link", "lld cannot run again in this process after a fatal error");
  }
  LinkOutput out;
  out.ok = lld_main(argv, out.diagnostics) == 0;
  return out;
}

} // namespace sp::toolchain
