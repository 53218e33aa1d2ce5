// Runs `scratchpack ARGS...` in this process (cli::run) with captured streams and no colour
// (and no stdin, unless given).
#pragma once

#include "cli/cli.h"

#include <sstream>
#include <string>
#include <vector>

namespace sp::testing {

struct Run {
  int rc;
  std::string out;
  std::string err;
};

inline Run scratchpack(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  cli::Io io{out, err, false, false};
  int rc = cli::run(args, io);
  return {rc, out.str(), err.str()};
}

/// The same with `input` as the command's stdin.
inline Run scratchpack(const std::vector<std::string>& args, const std::string& input) {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in(input);
  cli::Io io{out, err, false, false, &in};
  int rc = cli::run(args, io);
  return {rc, out.str(), err.str()};
}

} // namespace sp::testing
