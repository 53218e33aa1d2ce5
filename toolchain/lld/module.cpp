// scratchpack-lld.so: lld's ELF driver behind one C function, loaded with dlopen the first time
// scratchpack links. Keeping libLLVM (110 MB, ~380,000 relocations) out of the executable itself
// makes every command that does not link — scan, package, push, a cached release — start in a
// few milliseconds instead of ~30. Each link calls this in a forked copy of scratchpack
// (toolchain/link.h says why): still scratchpack's code and link line, never an ld.lld binary.
#include <cstdlib>
#include <cstring>
#include <lld/Common/Driver.h>
#include <llvm/Support/raw_ostream.h>
#include <string>
#include <vector>

LLD_HAS_DRIVER(elf)

/// Runs `ld.lld argv...`. Returns lld's exit code; *diagnostics gets a malloc'd copy of what lld
/// printed (the caller frees it); *can_run_again is 0 after a fatal error (lld's globals are then
/// in an unknown state).
extern "C" __attribute__((visibility("default"))) int
scratchpack_lld_link(int argc, const char* const* argv, char** diagnostics, int* can_run_again) {
  std::vector<const char*> args(argv, argv + argc);
  std::string text;
  llvm::raw_string_ostream out(text);
  lld::Result r = lld::lldMain(args, out, out, {{lld::Gnu, &lld::elf::link}});
  out.flush();
  *diagnostics = static_cast<char*>(std::malloc(text.size() + 1));
  if (*diagnostics) {
    std::memcpy(*diagnostics, text.c_str(), text.size() + 1);
  }
  *can_run_again = r.canRunAgain ? 1 : 0;
  return r.retCode;
}
