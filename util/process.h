// Running child processes (clang, apt-get, podman…) with captured output. No shell is involved:
// argv goes to posix_spawn as given.
#pragma once

#include "util/result.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sp {

struct ProcessResult {
  int exit_code = -1; ///< exit status, or 128+signal when the child was killed
  std::string out;    ///< captured stdout (empty when not captured)
  std::string err;    ///< captured stderr (empty when not captured)
};

struct ProcessOptions {
  std::string cwd;              ///< working directory; empty = inherit
  bool capture_out = true;      ///< false: the child writes to our stdout
  bool capture_err = true;      ///< false: the child writes to our stderr
  std::string input;            ///< bytes written to the child's stdin (closed after)
  bool inherit_stdin = false;   ///< the child reads our stdin (else `input`, or /dev/null)
  std::vector<std::string> env; ///< extra "K=V" entries on top of our environment
  /// Called with each chunk of captured stdout as it arrives (progress of long builds); the
  /// chunk is also appended to ProcessResult::out.
  std::function<void(std::string_view)> on_out;
};

/// Runs argv[0] (looked up on PATH) to completion. Fails only when it cannot be started.
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const ProcessOptions& options = {});

} // namespace sp
