// The build cache: compiled objects and linked binaries, content-addressed, shared by every
// build and release on the machine (and by concurrent ones: entries are written under temporary
// names and renamed, so a reader sees an entry whole or not at all).
//
// Objects are found the way ccache's direct mode finds them: the key of a compile is the sha256
// of its command line (with the object and depfile names left out and the build directory
// replaced by "."), the compiler's identity and the source's contents. That key names a
// manifest listing the headers the last compile read (from clang's -MD depfile) with their
// hashes; when every header still has the same contents, the object stored under the key plus
// those hashes is the answer. Change a header and exactly the objects that read it miss.
//
// Links are keyed on lld's command line with each input replaced by its contents: objects and
// the user's own libraries hashed (memoised per path), the sysroot's libraries by a hash
// memoised under their identity (path, size, mtime, ctime), so hashing libc.a happens once per
// machine and the key is the same on another machine with the same packages. This machine's
// sysroots and cache directories appear in keys as "$SYSROOTS" and "$CACHE" (portable()). A link
// entry is lld's output with its symbol table; the size profile's stripped copy is an entry of its
// own, keyed by the unstripped contents.
//
// Every entry lives in a CacheStore (util/cache_store.h): authenticated sidecars, re-hashed or
// identity-checked on every hit, copied out (never hard-linked), written durably under unique
// names. A damaged or crafted entry is a miss and is removed; it can never become an output.
#pragma once

#include "toolchain/scan/scanner.h"
#include "util/cache_store.h"
#include "util/fs.h"
#include "util/result.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sp::toolchain {

/// Hits and misses, counted as the cache is used (thread-safe).
struct CacheCounters {
  std::atomic<size_t> compile_hits{0};
  std::atomic<size_t> compile_misses{0};
  std::atomic<size_t> link_hits{0};
  std::atomic<size_t> link_misses{0};
};

/// What `cache stats` shows.
struct CacheUsage {
  fs::path dir;
  size_t objects = 0;
  size_t links = 0;
  size_t strips = 0; ///< stripped copies of size-profile binaries
  size_t pch = 0;    ///< precompiled standard-library preambles
  uint64_t bytes = 0;
};

class BuildCache {
public:
  /// The cache under `dir` (created when missing): <cache_dir()>/build by default. Entries are
  /// authenticated with `key` (default: cache_key(), the user's key file).
  static Result<std::unique_ptr<BuildCache>> open(const fs::path& dir,
                                                  std::optional<std::string> key = {});
  static fs::path default_dir();

  const fs::path& dir() const { return m_dir; }
  const CacheStore& store() const { return m_store; }
  CacheStore& store() { return m_store; }
  CacheCounters& counters() { return m_counters; }

  /// The direct-mode key of a compile: `argv` as run (the object after -o and the depfile after
  /// -MF are left out; `build_dir` is replaced by "." everywhere), the compiler's identity and
  /// the source's contents.
  Result<std::string> compile_key(const std::vector<std::string>& argv, const fs::path& source,
                                  const fs::path& build_dir, const std::string& compiler_id);

  /// Copies the cached object for `key` to `object` when every header its manifest lists still
  /// has the same contents (headers below `build_dir` are listed relative to it). True on a hit.
  /// `deps`, when given, receives the headers the manifest lists (the drop-in compiler writes
  /// the build system's dependency file from them).
  bool fetch_object(const std::string& key, const fs::path& object, const fs::path& build_dir,
                    std::vector<fs::path>* deps = nullptr);

  /// Stores `object` under `key`, with the headers listed in the make-style `depfile`. Nothing
  /// is stored when the source or a header changed at or after `compile_started_ns` (CLOCK_REALTIME
  /// _COARSE, the clock file timestamps come from): the object may then not match the contents
  /// the entry would record (ccache's "file too new" rule).
  ///
  /// Every header is recorded with the sha256 of its contents (memoised per path in this
  /// object) and its identity (size, mtime, ctime): a lookup on this machine reads no header
  /// whose identity is unchanged; on another machine (other ctimes) it hashes them once per
  /// process and hits when the contents are the same. `system_dirs` is no longer needed for
  /// that and is ignored. Paths under sysroots_dir() and cache_dir() are recorded as
  /// "$SYSROOTS/…" and "$CACHE/…" (portable()).
  Status store_object(const std::string& key, const fs::path& object, const fs::path& depfile,
                      const fs::path& source, const fs::path& build_dir, int64_t compile_started_ns,
                      const std::vector<fs::path>& system_dirs = {});

  /// Now, on the clock file timestamps use; taken just before a compile starts.
  static int64_t coarse_now_ns();

  /// Precompiled standard-library preambles (toolchain/pch.h), stored like objects: `key` is the
  /// compile_key of the precompile command, the entry lists every header it read. A hit is a
  /// verified private copy (this object's temporary directory), so clang never reads the shared
  /// cache's file.
  std::optional<fs::path> find_pch(const std::string& key, const fs::path& build_dir);
  /// Stores `pch` and returns a private copy to compile with (nullopt when a header changed
  /// during the build).
  Result<std::optional<fs::path>> store_pch(const std::string& key, const fs::path& pch,
                                            const fs::path& depfile, const fs::path& header,
                                            const fs::path& build_dir, int64_t compile_started_ns);
  /// The header a preamble is precompiled from: `text` at a content-addressed path in the cache,
  /// its contents checked (and rewritten when they are not `text`) on every call.
  Result<fs::path> pch_source(const std::string& text);
  /// Whether a precompiled preamble for `key` was asked for before; marks it as asked.
  bool pch_seen(const std::string& key);
  /// One lock per precompiled preamble, so the units of one build wait for one builder.
  std::mutex& pch_mutex(const std::string& key);

  /// The key of a link: lld's argv with the output left out and every input file replaced by its
  /// contents: objects, and archives found in the user's `lib_dirs`, by sha256 (file_hash); the
  /// sysroot's files by identity_hash().
  std::string link_key(const std::vector<std::string>& argv, const std::string& output,
                       const std::vector<std::string>& lib_dirs);

  /// Copies the cached binary for `key` to `output` (mode 0755) and returns its sha256 on a hit.
  std::optional<std::string> fetch_binary(const std::string& key, const fs::path& output);
  /// Stores `binary`, whose contents hash to `sha256`, under `key`.
  Status store_binary(const std::string& key, const fs::path& binary, const std::string& sha256);

  /// lld's --why-extract table of the link `key` (BinaryResult::why_extract), kept beside its
  /// binary so that a cached link still says where each archive member came from; the link's
  /// own objects are named by their place on its line (portable_why_extract in link.h).
  Status store_link_evidence(const std::string& key, const std::string& why_extract);
  std::optional<std::string> fetch_link_evidence(const std::string& key);

  /// What the SBOM knows of one input file of a link (toolchain/materials.h: its owner, and the
  /// digests of the file or of every member of an archive), kept under the file's identity (path,
  /// size, mtime, ctime, as link_key names the sysroot's files): reading libc.a's members and the
  /// dpkg database once per machine, not once per link.
  static std::string input_key(const fs::path& file);
  Status store_input_facts(const std::string& key, const std::string& text);
  std::optional<std::string> fetch_input_facts(const std::string& key);

  /// Supply-chain texts kept by a key their maker derives from everything they say (a link's
  /// bill of materials, a binary's or an image's SBOM documents): "kind" names the directory
  /// ("boms", "sboms"), so that a cached build does not make them again.
  Status store_text(std::string_view kind, const std::string& key, const std::string& text);
  std::optional<std::string> fetch_text(std::string_view kind, const std::string& key);

  /// The key of a strip: the contents of the unstripped binary (`sha256`, which is also what the
  /// link entry holds and the scan gate judged) and `recipe` (the tool, its version and flags).
  /// The link cache keeps the unstripped binary, the evidence the gate needs; this keeps its
  /// stripped copy, so a cached build runs llvm-objcopy no more than it runs lld.
  std::string strip_key(const std::string& sha256, const std::string& recipe) const;
  /// Copies the stripped binary for `key` to `output` (mode 0755) and returns its sha256 on a hit.
  std::optional<std::string> fetch_stripped(const std::string& key, const fs::path& output);
  /// Stores the stripped `binary`, whose contents hash to `sha256`, under `key`.
  Status store_stripped(const std::string& key, const fs::path& binary, const std::string& sha256);

  /// The scan of a file whose contents hash to `sha256`, made with `options`, when it was
  /// stored before (the scanner is a pure function of the bytes and the options).
  std::optional<scan::FileReport> fetch_scan(const std::string& sha256,
                                             const scan::ScanOptions& options);
  void store_scan(const std::string& sha256, const scan::ScanOptions& options,
                  const scan::FileReport& report);

  /// Sizes and counts of what is stored.
  CacheUsage usage() const;
  /// Removes every entry (the directory stays).
  Status clean();
  /// Re-hashes every entry; the damaged and forged ones are removed.
  CacheVerifyReport verify() const { return m_store.verify(); }

  /// sha256 of a file's contents, memoised per path for the life of this object.
  Result<std::string> file_hash(const fs::path& path);

  /// sha256 of a file trusted by identity (a sysroot's library), memoised under its identity
  /// (path, size, mtime, ctime) in this object and in the cache (an "idhash/" entry, never
  /// shared): a link key names such a file by its contents, which another machine with the same
  /// packages has too, while reading it once per machine and identity.
  std::string identity_hash(const fs::path& path);

  /// `text` with this machine's own directories written as "$SYSROOTS" (sysroots_dir()) and
  /// "$CACHE" (cache_dir()), so that keys and manifests mean the same on another machine.
  std::string portable(std::string text) const;
  /// The inverse of portable() for one path.
  fs::path local_path(const std::string& text) const;

private:
  BuildCache(fs::path dir, CacheStore store);
  /// "KIND/ab/KEY.EXT": an entry's name in the store.
  static std::string entry_name(std::string_view kind, const std::string& key,
                                std::string_view ext = {});
  /// The name of the stored output for `key` when every file its manifest lists is unchanged.
  std::optional<std::string> lookup(std::string_view kind, std::string_view ext,
                                    const std::string& key, const fs::path& build_dir,
                                    std::vector<fs::path>* deps = nullptr);
  /// A private copy of entry `name` (for files clang reads by path).
  std::optional<fs::path> private_copy(const std::string& name);
  /// Stores `file` (built from `source`, reading what `depfile` lists) under `key` and returns
  /// its entry name; nullopt when a file changed at or after `compile_started_ns`.
  Result<std::optional<std::string>> store(std::string_view kind, std::string_view ext,
                                           const std::string& key, const fs::path& file,
                                           const fs::path& depfile, const fs::path& source,
                                           const fs::path& build_dir, int64_t compile_started_ns,
                                           const std::vector<fs::path>& system_dirs = {});

  fs::path m_dir;
  CacheStore m_store;
  /// Verified copies clang reads (precompiled preambles); made on first use, as most runs (every
  /// drop-in compile of C) need none and a directory per process costs the shared tmp/ a create
  /// and a remove. Guarded by m_mutex.
  std::unique_ptr<TempDir> m_private;
  CacheCounters m_counters;
  std::mutex m_mutex;
  std::map<std::string, std::string> m_hashes;
  std::map<std::string, std::string> m_identity_hashes;
  std::string m_sysroots;   ///< sysroots_dir(), absolute, as portable() replaces it
  std::string m_cache_root; ///< cache_dir(), likewise
  std::map<std::string, std::unique_ptr<std::mutex>> m_pch_mutexes;
};

/// scan_file through the cache: a file whose contents hash to `sha256` (known from the link) is
/// scanned once per set of options. `cache` may be null; `sha256` may be empty (no caching).
scan::FileReport scan_file_cached(const fs::path& path, const std::string& sha256,
                                  const scan::ScanOptions& options, BuildCache* cache);

/// The files a make-style dependency file names as prerequisites (the target before ':' left
/// out); escaped spaces and line continuations handled.
std::vector<std::string> parse_depfile(std::string_view text);

} // namespace sp::toolchain
