// Helpers shared by the steps that provision things into scratchpack's cache (musl sysroots, the
// LLVM source, libc++): running a tool and turning its failure into an Error, apt-get update with
// private state, and an exclusive lock so that concurrent scratchpack runs do the work once.
#pragma once

#include "util/fs.h"
#include "util/process.h"
#include "util/result.h"

#include <functional>
#include <string>
#include <vector>

namespace sp::toolchain {

/// Runs `argv`; a non-zero exit becomes failure("<tool> <verb>", "exited with status N") with
/// the tool's output (stderr, else stdout) as details.
Status run_checked(const std::vector<std::string>& argv, ProcessOptions options = {});

/// Runs `apt` + "update" (apt is apt-get with private -o options), retrying because mirrors are
/// sometimes mid-sync; when it still fails but `lists` holds lists from an earlier update, goes on
/// with those.
Status apt_update(const std::vector<std::string>& apt, const fs::path& lists);

/// `tool` (apt-get or apt-cache) with private state for Debian architecture `arch`: package lists
/// in `lists`, no package cache, no dpkg status, so nothing on the system changes and the host's
/// installed packages do not count.
std::vector<std::string> private_apt(const std::string& tool, const std::string& arch,
                                     const fs::path& lists);

/// Removes the entries of `dir` whose names start with one of `prefixes`: what interrupted runs
/// left behind (temporary trees that never got their final name). Call it holding the lock that
/// guards those names.
void remove_leftovers(const fs::path& dir, const std::vector<std::string>& prefixes);

/// An exclusive flock(2) on a lock file, released on destruction (and by the kernel when the
/// process dies, so an interrupted run never leaves a stale lock).
class FileLock {
public:
  /// Locks `path` (created when missing). When another process holds it, calls `on_wait` once,
  /// then waits.
  static Result<FileLock> acquire(const fs::path& path, const std::function<void()>& on_wait = {});

private:
  explicit FileLock(int fd) : m_fd(fd) {}
  UniqueFd m_fd; ///< closing it releases the lock
};

} // namespace sp::toolchain
