// The command-line front end: parses argv with CLI11 and runs one command. Everything here is a
// library function so the unit tests can drive it with their own streams.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sp::cli {

/// Where a command writes (and reads: --password-stdin). Colour is decided once, from the
/// terminal and NO_COLOR.
struct Io {
  std::ostream& out;
  std::ostream& err;
  bool color_out = false;
  bool color_err = false;
  std::istream* in = nullptr; ///< the process's stdin; null: none
  /// The command line after the program name (what provenance records), set by run().
  std::vector<std::string> args;
};

/// Runs `scratchpack ARGS...` (args exclude the program name) and returns the exit code.
int run(const std::vector<std::string>& args, Io& io);

/// The process entry point: real stdout/stderr, colour when they are terminals.
int main_entry(int argc, char** argv);

} // namespace sp::cli
