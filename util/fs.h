// Filesystem helpers: whole-file reads, atomic writes (temp name + rename) and temp directories,
// so that nothing half-written ever carries a final name.
#pragma once

#include "util/result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sp {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path);

/// Writes `data` to `path` via a temporary sibling and rename(2); the file appears whole or not
/// at all. `mode` is applied before the rename.
Status write_file_atomic(const fs::path& path, std::string_view data, unsigned mode = 0644);

/// A temporary sibling of `final_path` that becomes `final_path` on commit() and is removed
/// otherwise (including when an exception or early return leaves the scope).
class AtomicPath {
public:
  explicit AtomicPath(fs::path final_path);
  ~AtomicPath();
  AtomicPath(const AtomicPath&) = delete;
  AtomicPath& operator=(const AtomicPath&) = delete;

  const fs::path& temp() const { return m_temp; }
  /// Renames the temporary onto the final name (replacing a directory if one is there).
  Status commit();

private:
  fs::path m_final;
  fs::path m_temp;
  bool m_committed = false;
};

/// A private directory under `parent` ($TMPDIR or /tmp when empty), removed with everything in
/// it on destruction.
class TempDir {
public:
  explicit TempDir(std::string_view prefix = "scratchpack", const fs::path& parent = {});
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

/// An open file descriptor, closed with its owner.
class UniqueFd {
public:
  explicit UniqueFd(int fd = -1) : m_fd(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }

private:
  int m_fd;
};

/// scratchpack's cache: $SCRATCHPACK_CACHE, else $XDG_CACHE_HOME/scratchpack, else
/// ~/.cache/scratchpack.
fs::path cache_dir();

/// SOURCE_DATE_EPOCH when set to a valid number, else 0 (the epoch).
int64_t source_date_epoch();

/// Creates `dir` and its parents; an I/O error names the directory.
Status make_dirs(const fs::path& dir);

/// True when `path` names a regular file that is executable by someone.
bool is_executable_file(const fs::path& path);

/// Looks `name` up on $PATH; empty when it is not there.
std::string find_program(std::string_view name);

} // namespace sp
