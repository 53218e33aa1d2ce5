// scratchpack-cc, scratchpack-c++: the drop-in compilers as an executable of their own. A build
// system starts one per translation unit, so start-up is much of a cached compile's cost: this
// one holds only the drop-in compiler, linked --as-needed with the C++ runtime inside, and loads
// three shared libraries (libc, libm, libcrypto) where scratchpack loads 46 (libcurl's and
// libarchive's). `scratchpack cc` runs the same code.
#include "cli/cli.h"
#include "cli/commands.h"
#include "util/interrupt.h"
#include "util/sha256.h"

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  sp::crypto_init_lean(); // it hashes, and never speaks TLS
  sp::install_interrupt_cleanup();
  std::ios::sync_with_stdio(false);
  sp::cli::Io io{std::cout, std::cerr, false, false, &std::cin, {}};
  std::vector<std::string> args(argv + 1, argv + argc);
  // As scratchpack-c++ (a link), or with "cc" / "c++" first as `scratchpack cc` takes them.
  bool cxx = std::filesystem::path(argv[0]).filename().string().ends_with("++");
  if (!args.empty() && (args.front() == "cc" || args.front() == "c++")) {
    cxx = args.front() == "c++";
    args.erase(args.begin());
  }
  int rc = 1;
  try {
    rc = sp::cli::run_drop_in_compiler(args, cxx, io);
  } catch (const std::exception& e) {
    std::cerr << "error: scratchpack-cc: " << e.what() << "\n";
  }
  std::cout.flush();
  return rc;
}
