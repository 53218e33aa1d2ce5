// A cache directory that may sit on a shared disk and is therefore not trusted: every entry is a
// file plus a sidecar recording its size, its sha256, the identity the file had when it was stored
// (device, inode, mtime, ctime) and an HMAC over all of it under a key kept outside the cache
// ($XDG_CONFIG_HOME/scratchpack/cache-key, 0600). A hit is served only when the sidecar is
// authentic and the bytes are what it says: entries up to k_rehash_limit are re-hashed while they
// are copied out; larger ones must still have the identity recorded at insert, which no edit can
// keep (writing changes mtime and ctime, and ctime cannot be set back). Anything else is removed
// and reported as a miss, so a corrupted or crafted cache costs a rebuild, never a wrong output.
//
// Entries are copied out (a reflink where the filesystem has them), never hard-linked: editing an
// output cannot reach the cache. Writes go to unique temporary names (mkostemp) and are renamed,
// the sidecar last; entries above k_rehash_limit (trusted by identity) are fsynced first, smaller
// ones (re-hashed on every hit, so a crash-torn one is a miss) are not; a commit and a removal of
// the same entry take one lock (flock on a striped file under tmp/), so concurrent writers,
// evictors and verify never leave half an entry. Each hit marks its entry used; evict() removes the
// least recently used entries to bring the store under a size; verify() re-hashes everything.
#pragma once

#include "util/fs.h"
#include "util/result.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp {

/// What a stored entry is.
struct CacheEntryInfo {
  std::string sha256;
  uint64_t size = 0;
};

/// Counts of a remote level's use in one run (thread-safe).
struct RemoteCacheCounters {
  std::atomic<uint64_t> hits{0};    ///< entries fetched, verified and stored locally
  std::atomic<uint64_t> misses{0};  ///< not on the remote (404)
  std::atomic<uint64_t> bad{0};     ///< records or contents that failed their check: never used
  std::atomic<uint64_t> errors{0};  ///< HTTP errors and failed exchanges
  std::atomic<uint64_t> uploads{0}; ///< files written (a record and its contents are two)
};

/// A second cache level behind a CacheStore: a plain store of files under "ac/<hex>" and
/// "cas/<hex>" paths (publish/remote_cache.h serves it over HTTP). It is never trusted more than
/// the local disk: CacheStore authenticates every record it reads (HMAC under the cache key) and
/// hashes every content it fetches before the entry exists locally. Used from many threads.
class RemoteCacheLevel {
public:
  enum class Got { found, missing, failed };
  virtual ~RemoteCacheLevel() = default;
  /// The small file at `path` (a record), at most `max_size` bytes.
  virtual Got get_text(std::string_view path, uint64_t max_size, std::string& out) = 0;
  /// The file at `path` written to the open, empty file `fd`; more than `max_size` bytes fails.
  virtual Got get_file(std::string_view path, uint64_t max_size, int fd) = 0;
  /// Writes `bytes`, or the first `size` bytes of `file`, to `path` (read-write mode only).
  virtual void put_text(std::string_view path, std::string_view bytes) = 0;
  virtual void put_file(std::string_view path, const fs::path& file, uint64_t size) = 0;
  /// False in read-only mode.
  virtual bool writable() const = 0;
  /// False once the level switched itself off (the server did not answer).
  virtual bool usable() const = 0;
  /// Reports an entry that failed its check (counted, and said once).
  virtual void bad_entry(std::string_view name, std::string_view why) = 0;
  virtual RemoteCacheCounters& counters() = 0;
};

/// The record a remote level keeps for entry `name` under "ac/": its size and sha256 (the
/// content is at "cas/<sha256>"), with an HMAC under `key` over all of it and the name.
std::string remote_record(std::string_view name, const CacheEntryInfo& info,
                          const std::string& key);
/// The record's fields when it is well-formed, names `name` and its HMAC is right.
std::optional<CacheEntryInfo> parse_remote_record(std::string_view name, std::string_view text,
                                                  const std::string& key);
/// Where entry `name`'s record lives on a remote: "ac/<sha256 of name>".
std::string remote_record_path(std::string_view name);
/// Where a content lives on a remote: "cas/<sha256>".
std::string remote_content_path(const std::string& sha256);

/// The key that authenticates cache entries: $SCRATCHPACK_CACHE_KEY_FILE, else
/// $XDG_CONFIG_HOME/scratchpack/cache-key (~/.config/…), created (32 random bytes, 0600) when
/// missing. Share the file only with those whose cache entries you would run.
Result<std::string> cache_key(const fs::path& file = {});
fs::path default_cache_key_file();

/// Totals of a store.
struct CacheStoreUsage {
  size_t entries = 0;
  uint64_t bytes = 0;
};

/// One entry as eviction sees it.
struct CacheEntryUse {
  std::string name;
  uint64_t bytes = 0; ///< file + sidecar
  int64_t used = 0;   ///< last hit or store (the sidecar's mtime, ns)
};

/// What verify() found.
struct CacheVerifyReport {
  size_t checked = 0;
  size_t removed = 0;           ///< damaged or forged entries, and sidecars without a file
  size_t temporaries = 0;       ///< leftovers of interrupted writers, removed
  std::vector<std::string> bad; ///< names of the entries removed as damaged or forged
};

class CacheStore {
public:
  /// Entries this size or smaller are re-hashed on every hit.
  static constexpr uint64_t k_rehash_limit = 4u << 20;

  /// The store under `dir` (created when missing), authenticated with `key`.
  static Result<CacheStore> open(const fs::path& dir, std::string key);

  const fs::path& dir() const { return m_dir; }

  /// Stores a copy of `file` as entry `name` (a relative path such as "objects/ab/abcd.o").
  /// `sha256` is the file's when the caller knows it; otherwise it is computed while copying.
  Result<CacheEntryInfo> put(std::string_view name, const fs::path& file,
                             const std::string& sha256 = {}) const;
  /// Stores `bytes` as entry `name`.
  Result<CacheEntryInfo> put_bytes(std::string_view name, std::string_view bytes) const;

  /// Copies entry `name` to `dest` (written under a temporary name and renamed, mode `mode`)
  /// when it is sound; a damaged or forged entry is removed. nullopt on a miss.
  std::optional<CacheEntryInfo> get(std::string_view name, const fs::path& dest,
                                    unsigned mode = 0644) const;
  /// The bytes of a sound entry no larger than `max_size`.
  std::optional<std::string> get_bytes(std::string_view name,
                                       uint64_t max_size = k_rehash_limit) const;
  /// Puts a remote level behind this store: a local miss asks it (entry `name` is
  /// "`space`/`name`" there), and every put writes through to it (when writable). Entries whose
  /// name starts with one of `local_only` never leave this machine.
  void set_remote(std::shared_ptr<RemoteCacheLevel> remote, std::string space,
                  std::vector<std::string> local_only = {});
  const std::shared_ptr<RemoteCacheLevel>& remote() const { return m_remote; }

  /// Whether entry `name` has an authentic sidecar and its file (contents not checked).
  bool contains(std::string_view name) const;

  /// Entries and their bytes (sidecars included).
  CacheStoreUsage usage() const;
  /// Every entry with its size and last use.
  std::vector<CacheEntryUse> entries() const;
  /// Removes entry `name` (the sidecar first, so readers miss rather than see half of it).
  void remove(std::string_view name) const;
  /// Whether this object stored an entry (eviction need only run then).
  bool stored_anything() const { return *m_stored; }
  /// Re-hashes every entry and removes the damaged and forged ones, and stale temporaries.
  CacheVerifyReport verify() const;
  /// Removes every entry.
  Status clean() const;

private:
  CacheStore(fs::path dir, std::string key)
      : m_dir(std::move(dir)), m_key(std::move(key)),
        m_stored(std::make_shared<std::atomic<bool>>(false)) {}
  /// Removes the sidecar, then the file; the caller holds the entry's lock.
  void unlink_entry(std::string_view name) const;
  /// Records `tmp`'s contents under `name`: renames it into place, then writes the sidecar.
  Result<CacheEntryInfo> commit(std::string_view name, TempFile& tmp, const std::string& sha256,
                                uint64_t size) const;

  std::optional<CacheEntryInfo> get_local(std::string_view name, const fs::path& dest,
                                          unsigned mode) const;
  std::optional<std::string> get_bytes_local(std::string_view name, uint64_t max_size) const;
  /// The remote's name for entry `name`, "" when it stays local (or there is no remote).
  std::string remote_name(std::string_view name) const;
  /// Fetches entry `name` from the remote level into this store; true when it is now here.
  bool fetch_remote(std::string_view name, uint64_t max_size) const;
  /// Writes a stored entry through to the remote level.
  void push_remote(std::string_view name, const CacheEntryInfo& info, const fs::path& file,
                   std::string_view bytes) const;

  fs::path m_dir;
  std::string m_key;
  std::shared_ptr<std::atomic<bool>> m_stored;
  std::shared_ptr<RemoteCacheLevel> m_remote;
  std::string m_remote_space;
  std::vector<std::string> m_local_only;
};

/// Removes the least recently used entries across `stores` until together they hold at most
/// `target_bytes`; returns how many went. One evictor per store at a time (a lock file); an entry
/// another process is copying out stays readable to it (its file is open), and a lookup after
/// the removal is a miss, never a partial entry.
size_t evict_lru(const std::vector<const CacheStore*>& stores, uint64_t target_bytes);

} // namespace sp
