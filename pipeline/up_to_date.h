// A release that has nothing to do does nothing (ninja's idea, with make's stamps): after a
// successful release, the identity of every input it read (manifest, the directories its globs
// read, sources, every header the compiles read and their directories, every file on each link
// line and each place an -l looked, the sysroots' directories, clang, scratchpack itself, files
// added to images) and of every file and directory of dist/ is stored as one authenticated entry
// of the build cache, keyed by the invocation: the manifest's absolute path, the working
// directory, the arguments, the environment that can change an output, and the identities of
// scratchpack and clang. A later release with the same key whose recorded identities all still
// hold only stats them and shows the recorded result again.
//
// An identity is stat's device, inode, type, size, mtime and ctime: an edit changes ctime, which
// cannot be set back, so a file that was edited, replaced, removed or created where an absence
// was recorded is a change. Nothing is recorded when an input changed while the release ran
// (ctime at or after its start: the outputs may not match what would be recorded), when dist/
// changed after it was written, or for what this cannot see (CMake projects, pkg-config,
// packages, pushes); those releases always run.
#pragma once

#include "util/cache_store.h"
#include "util/fs.h"
#include "util/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sp::pipeline {

/// What identifies a file or directory (stat, symlinks followed); `exists` false for a path
/// that is not there, the other fields then 0.
struct FileStamp {
  bool exists = false;
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_file(const fs::path& path);

/// What keys a release's record: the same manifest, run from the same directory with the same
/// arguments, environment and tools.
struct ReleaseInvocation {
  fs::path manifest; ///< absolute
  fs::path cwd;
  std::vector<std::string> arguments;
  std::vector<std::pair<std::string, std::string>> environment; ///< release_environment()
  std::string tools;                                            ///< tool_identity()
};

/// The variables that can change what a release makes or where it looks: SOURCE_DATE_EPOCH,
/// every SCRATCHPACK_*, HOME, PATH, TMPDIR and XDG_*; sorted.
std::vector<std::pair<std::string, std::string>> release_environment();

/// scratchpack's own executable and lld module, and clang (`clang`: its path), by identity.
std::string tool_identity(const fs::path& clang);

/// The cache entry name of an invocation's record.
std::string record_name(const ReleaseInvocation& invocation);

/// What a finished release read and wrote.
struct RecordInputs {
  std::vector<std::string> files;  ///< inputs that exist
  std::vector<std::string> probes; ///< places looked at that may not exist
  fs::path dist;                   ///< every file and directory below it is recorded
  /// Directories the release itself changes (dist/'s parent, where its temporaries live): their
  /// identity is recorded as it is after the release, not checked against its start.
  std::vector<fs::path> own_dirs;
  int64_t started_ns = 0;   ///< taken before the manifest was read (BuildCache::coarse_now_ns)
  int64_t committed_ns = 0; ///< taken just after dist/ was renamed into place
};

/// Stores the record with `payload` (what the caller shows again). Returns why nothing was
/// stored when the release's inputs cannot be vouched for (changed while it ran, a path that
/// cannot be written down, too many), nullopt when stored. A store that fails is not an error.
std::optional<std::string> record_release(const CacheStore& store, const std::string& name,
                                          const RecordInputs& inputs, const std::string& payload);

/// The payload of `name`'s record when every identity it holds is still true; nullopt otherwise
/// (no record, a damaged one, or anything changed).
std::optional<std::string> check_release(const CacheStore& store, const std::string& name);

} // namespace sp::pipeline
