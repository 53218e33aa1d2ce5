// Filesystem helpers: whole-file reads, atomic writes (temp name + rename) and temp directories,
// so that nothing half-written ever carries a final name.
#pragma once

#include "util/result.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace sp {

namespace fs = std::filesystem;

class Sha256;

Result<std::string> read_file(const fs::path& path);

/// How a commit survives a crash.
enum class Durability {
  synced,  ///< fsync of the file and its directory: after a crash, the new file whole or the old
  ordered, ///< rename only: atomic for readers, but a crash may leave it torn; for files whose
           ///< readers check them (cache entries re-hashed on use) or can remake them
};

/// Writes `data` to `path` via a temporary sibling and rename(2); the file appears whole or not
/// at all. `mode` is applied before the rename.
Status write_file_atomic(const fs::path& path, std::string_view data, unsigned mode = 0644,
                         Durability durability = Durability::synced);

/// A new file with a unique name in `dir` (mkostemp: O_EXCL, so two processes never share one),
/// open for writing. commit() makes it `final_path` durably; otherwise it is removed.
class TempFile {
public:
  /// Creates DIR/.PREFIX.PID.XXXXXX (mode 0600).
  static Result<TempFile> create(const fs::path& dir, std::string_view prefix);
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  ~TempFile();

  int fd() const { return m_fd; }
  const fs::path& path() const { return m_path; }
  /// Writes all of `data`.
  Status write(std::string_view data);
  /// fsync, close, rename onto `final_path`, fsync its directory: after a crash the final name
  /// holds all of the data or the previous file, never a torn or empty one (Durability::synced).
  Status commit(const fs::path& final_path, Durability durability = Durability::synced);

private:
  TempFile(int fd, fs::path path, uint64_t token);
  int m_fd = -1;
  fs::path m_path;
  uint64_t m_token = 0; ///< util/interrupt.h registration
};

/// fsync(2) of a file or a directory by path; `what` names it in the error.
Status sync_path(const fs::path& path);

/// Copies the open file `in` (its whole contents from offset 0) into the open file `out`: a
/// reflink (FICLONE) when the filesystem shares extents and `hash` is null, else copy_file_range,
/// else read/write; `hash` (may be null) sees every byte copied. Returns the bytes copied.
Result<uint64_t> copy_fd(int in, int out, Sha256* hash, const fs::path& what);

/// Whether durable writes fsync (false with SCRATCHPACK_FSYNC=0, for benchmarks of the cost).
bool durable_writes();

/// A temporary sibling of `final_path` (.NAME.PID.XXXXXX) that becomes `final_path` on commit()
/// and is removed otherwise (including when an exception or early return leaves the scope);
/// sweep_stale(dir, "." + NAME) removes one a killed process left.
class AtomicPath {
public:
  explicit AtomicPath(fs::path final_path);
  ~AtomicPath();
  AtomicPath(const AtomicPath&) = delete;
  AtomicPath& operator=(const AtomicPath&) = delete;

  const fs::path& temp() const { return m_temp; }
  /// Makes the temporary the final name: its files are fsynced, then it is renamed (a directory
  /// already there is exchanged with it atomically and then removed, so a failure leaves the
  /// old one), then the parent directory is fsynced.
  Status commit();

private:
  fs::path m_final;
  fs::path m_temp;
  bool m_committed = false;
  uint64_t m_token = 0; ///< util/interrupt.h registration
};

/// Whether `inner` is `outer` or lies below it, by their text (normalise them first; symlinks
/// are not followed).
bool lexically_within(const fs::path& inner, const fs::path& outer);

/// `p` made absolute (against the current directory) and lexically normal. A path that already is
/// both, as compilers name most headers, comes back as it is, without std::filesystem's walk over
/// its components (a visible share of storing a compile in the cache, which does this per header).
fs::path normal_absolute(const fs::path& p);

/// $TMPDIR, or /tmp.
fs::path temp_root();

/// A private directory under `parent` (temp_root() when empty), removed with everything in
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
  uint64_t m_token = 0; ///< util/interrupt.h registration
};

/// The outputs of one run (binaries, image archives, OCI directories) staged under
/// DIR/.scratchpack-stage.PID.XXXXXX and moved into DIR by commit(), only when the whole run
/// succeeded. Without commit() nothing in DIR changes: the staging directory goes, and so do DIR
/// and its parents when open() created them and nothing else filled them. A killed run's
/// staging directory is swept by the next open() of the same DIR.
class OutputStage {
public:
  /// Creates `dir` (and its parents) when missing and a staging directory inside it.
  static Result<std::unique_ptr<OutputStage>> open(const fs::path& dir);
  ~OutputStage();
  OutputStage(const OutputStage&) = delete;
  OutputStage& operator=(const OutputStage&) = delete;

  const fs::path& dir() const { return m_dir; }
  /// The staging directory: an output DIR/REL is written at root()/REL.
  const fs::path& root() const;
  /// Where `final_path` (below dir()) is written until commit(); it is an output from now on.
  fs::path stage(const fs::path& final_path);
  /// Makes `staged` (below root(), written there already) an output; returns its final path.
  fs::path adopt(const fs::path& staged);
  /// The final path of `staged`; `staged` itself when it is not below root().
  fs::path final_path(const fs::path& staged) const;
  /// Moves every output that was written into place (a file renamed over the old one, a
  /// directory exchanged with it), after checking that none would put a file where a directory
  /// is or the reverse.
  Status commit();

private:
  explicit OutputStage(fs::path dir) : m_dir(std::move(dir)) {}
  fs::path m_dir;
  std::vector<fs::path> m_created; ///< directories open() created, deepest first
  std::unique_ptr<TempDir> m_root;
  std::vector<fs::path> m_outputs; ///< relative to m_dir
  bool m_committed = false;
};

/// The pid a temporary's name carries (TempFile's ".PREFIX.PID.XXXXXX", TempDir's
/// "PREFIX.PID.XXXXXX"), or 0 when the name has none.
pid_t temporary_owner(std::string_view name);

/// Removes the temporaries in `dir` named PREFIX… or .PREFIX… whose process is gone: what a
/// killed scratchpack left. Returns how many went.
size_t sweep_stale(const fs::path& dir, std::string_view prefix);

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

/// $OVERRIDE_VAR when set, else $XDG_VAR/scratchpack/LEAF, else ~/HOME_DIR/scratchpack/LEAF (the
/// XDG base directory rule; LEAF may be empty): where scratchpack keeps its data, caches and
/// configuration.
fs::path xdg_path(const char* override_var, const char* xdg_var, const char* home_dir,
                  std::string_view leaf);

/// Where installed sysroots (and their libc++ and the LLVM source) live, apart from the caches
/// so that moving or cleaning a cache never loses them: $SCRATCHPACK_SYSROOTS, else
/// $XDG_DATA_HOME/scratchpack/sysroots, else ~/.local/share/scratchpack/sysroots.
fs::path sysroots_dir();

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
