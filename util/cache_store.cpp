#include "util/cache_store.h"

#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <set>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sp {

namespace {

constexpr std::string_view k_meta_header = "scratchpack-cache-entry-v1";
constexpr std::string_view k_meta_ext = ".meta";
constexpr uint64_t k_max_meta = 4096;

int64_t ns(const timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

/// The identity a file has now: no write keeps it (mtime and ctime move; a new file is a new
/// inode).
std::string stat_mark(const struct stat& st) {
  return std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
         std::to_string(ns(st.st_mtim)) + " " + std::to_string(ns(st.st_ctim));
}

/// A sidecar's fields.
struct Meta {
  uint64_t size = 0;
  std::string sha256;
  std::string mark;
};

std::string meta_body(std::string_view name, const Meta& m) {
  return std::string(k_meta_header) + "\nname " + std::string(name) + "\nsize " +
         std::to_string(m.size) + "\nsha256 " + m.sha256 + "\nstat " + m.mark + "\n";
}

/// The sidecar's fields when its MAC is right.
std::optional<Meta> parse_meta(std::string_view name, std::string_view text,
                               const std::string& key) {
  size_t mac_at = text.rfind("mac ");
  if (mac_at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view body = text.substr(0, mac_at);
  std::string mac(trim(text.substr(mac_at + 4)));
  Meta m;
  unsigned long long size = 0;
  for (const std::string& line : split(body, '\n')) {
    if (line.starts_with("size ") && parse_uint(line.substr(5), size)) {
      m.size = size;
    } else if (line.starts_with("sha256 ")) {
      m.sha256 = line.substr(7);
    } else if (line.starts_with("stat ")) {
      m.mark = line.substr(5);
    }
  }
  // The MAC covers the entry's name, so a sound sidecar cannot be moved onto another entry.
  if (m.sha256.size() != 64 || body != meta_body(name, m) || mac != hmac_sha256_hex(key, body)) {
    return std::nullopt;
  }
  return m;
}

std::string errno_text() {
  return std::strerror(errno);
}

/// Opens an entry's file for reading: a regular file, not through a symlink.
int open_entry(const fs::path& path, struct stat& st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Holds the lock that orders the changes to one entry across processes and threads: its commit
/// (file, then sidecar) and its removal, so neither ever sees the other half done: an evictor
/// removing the file under a writer's new sidecar would leave a sidecar without a file. One of
/// k_stripes lock files under tmp/, picked by the name, so different entries rarely wait on each
/// other. Without a lock file (a read-only store) it holds nothing.
class EntryLock {
public:
  static constexpr unsigned k_stripes = 64;
  EntryLock(const fs::path& dir, std::string_view name) {
    unsigned stripe = static_cast<unsigned>(std::hash<std::string_view>{}(name) % k_stripes);
    fs::path file = dir / "tmp" / (".entry." + std::to_string(stripe) + ".lock");
    m_fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    while (m_fd >= 0 && ::flock(m_fd, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~EntryLock() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  EntryLock(const EntryLock&) = delete;
  EntryLock& operator=(const EntryLock&) = delete;

private:
  int m_fd = -1;
};

constexpr std::string_view k_record_header = "scratchpack-remote-entry-v1";
constexpr uint64_t k_max_record = 4096;
/// No remote content larger than this is fetched (a record may claim any size).
constexpr uint64_t k_max_remote_content = 16ull << 30;

std::string record_body(std::string_view name, const CacheEntryInfo& info) {
  return std::string(k_record_header) + "\nname " + std::string(name) + "\nsize " +
         std::to_string(info.size) + "\nsha256 " + info.sha256 + "\n";
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

} // namespace

std::string remote_record(std::string_view name, const CacheEntryInfo& info,
                          const std::string& key) {
  std::string body = record_body(name, info);
  return body + "mac " + hmac_sha256_hex(key, body) + "\n";
}

std::optional<CacheEntryInfo> parse_remote_record(std::string_view name, std::string_view text,
                                                  const std::string& key) {
  if (text.size() > k_max_record) {
    return std::nullopt;
  }
  size_t mac_at = text.rfind("mac ");
  if (mac_at == std::string_view::npos || (mac_at > 0 && text[mac_at - 1] != '\n')) {
    return std::nullopt;
  }
  std::string_view body = text.substr(0, mac_at);
  std::string mac(trim(text.substr(mac_at + 4)));
  CacheEntryInfo info;
  unsigned long long size = 0;
  for (const std::string& line : split(body, '\n')) {
    if (line.starts_with("size ") && parse_uint(line.substr(5), size)) {
      info.size = size;
    } else if (line.starts_with("sha256 ")) {
      info.sha256 = line.substr(7);
    }
  }
  // The body must be exactly what remote_record() writes, for this name: nothing else is signed.
  if (!is_hex64(info.sha256) || body != record_body(name, info) ||
      mac != hmac_sha256_hex(key, body)) {
    return std::nullopt;
  }
  return info;
}

std::string remote_record_path(std::string_view name) {
  return "ac/" + sha256_hex(name);
}

std::string remote_content_path(const std::string& sha256) {
  return "cas/" + sha256;
}

fs::path default_cache_key_file() {
  return xdg_path("SCRATCHPACK_CACHE_KEY_FILE", "XDG_CONFIG_HOME", ".config", "cache-key");
}

Result<std::string> cache_key(const fs::path& given) {
  fs::path file = given.empty() ? default_cache_key_file() : given;
  if (auto key = read_file(file); key && trim(*key).size() >= 32) {
    return std::string(trim(*key));
  }
  SP_TRY(make_dirs(file.parent_path()));
  auto tmp = SP_TRY(TempFile::create(file.parent_path(), "cache-key"));
  SP_TRY(tmp.write(random_hex(32) + "\n"));
  // Another process may have made one meanwhile: link() never replaces, so both end up with
  // whichever key landed first.
  if (::link(tmp.path().c_str(), file.c_str()) != 0 && errno != EEXIST) {
    return io_error(file.string(), "cannot create the cache key: " + errno_text());
  }
  auto key = SP_TRY(read_file(file));
  return std::string(trim(key));
}

Result<CacheStore> CacheStore::open(const fs::path& dir, std::string key) {
  SP_TRY(make_dirs(dir / "tmp"));
  sweep_stale(dir / "tmp", ""); // what killed writers left
  return CacheStore(dir, std::move(key));
}

Result<CacheEntryInfo> CacheStore::commit(std::string_view name, TempFile& tmp,
                                          const std::string& sha256, uint64_t size) const {
  fs::path path = m_dir / name;
  SP_TRY(make_dirs(path.parent_path()));
  EntryLock lock(m_dir, name);
  // An entry re-hashed on every hit needs no fsync: after a crash a torn one is a miss. Larger
  // ones are trusted by identity, so they must be whole on disk before their sidecar exists.
  Durability durability = size > k_rehash_limit ? Durability::synced : Durability::ordered;
  SP_TRY(tmp.commit(path, durability));
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    return io_error(path.string(), errno_text());
  }
  Meta m{size, sha256, stat_mark(st)};
  *m_stored = true;
  std::string body = meta_body(name, m);
  // The sidecar last: until it is there the entry does not exist for readers.
  SP_TRY(write_file_atomic(path.string() + std::string(k_meta_ext),
                           body + "mac " + hmac_sha256_hex(m_key, body) + "\n", 0644, durability));
  return CacheEntryInfo{sha256, size};
}

Result<CacheEntryInfo> CacheStore::put(std::string_view name, const fs::path& file,
                                       const std::string& sha256) const {
  struct stat st{};
  int in = open_entry(file, st);
  if (in < 0) {
    return io_error(file.string(), "cannot be read into the cache");
  }
  auto tmp = TempFile::create(m_dir / "tmp", "entry");
  if (!tmp) {
    ::close(in);
    return tmp.take_error();
  }
  Sha256 h;
  auto size = copy_fd(in, tmp->fd(), &h, file);
  ::close(in);
  SP_TRY(size);
  std::string digest = h.hex_digest();
  if (!sha256.empty() && sha256 != digest) {
    return io_error(file.string(), "changed while it was stored in the cache");
  }
  auto info = SP_TRY(commit(name, *tmp, digest, *size));
  // From the entry as stored: the caller's file may change meanwhile; a changed entry file
  // sends a body that no longer hashes to the record, which every reader then refuses.
  push_remote(name, info, m_dir / name, {});
  return info;
}

Result<CacheEntryInfo> CacheStore::put_bytes(std::string_view name, std::string_view bytes) const {
  auto tmp = SP_TRY(TempFile::create(m_dir / "tmp", "entry"));
  SP_TRY(tmp.write(bytes));
  auto info = SP_TRY(commit(name, tmp, sha256_hex(bytes), bytes.size()));
  push_remote(name, info, {}, bytes);
  return info;
}

void CacheStore::remove(std::string_view name) const {
  EntryLock lock(m_dir, name);
  unlink_entry(name);
}

void CacheStore::unlink_entry(std::string_view name) const {
  fs::path path = m_dir / name;
  ::unlink((path.string() + std::string(k_meta_ext)).c_str());
  ::unlink(path.c_str());
}

void CacheStore::set_remote(std::shared_ptr<RemoteCacheLevel> remote, std::string space,
                            std::vector<std::string> local_only) {
  m_remote = std::move(remote);
  m_remote_space = std::move(space);
  m_local_only = std::move(local_only);
}

std::string CacheStore::remote_name(std::string_view name) const {
  if (!m_remote || !m_remote->usable()) {
    return {};
  }
  for (const std::string& prefix : m_local_only) {
    if (name.starts_with(prefix)) {
      return {};
    }
  }
  return m_remote_space + "/" + std::string(name);
}

bool CacheStore::fetch_remote(std::string_view name, uint64_t max_size) const {
  std::string remote = remote_name(name);
  if (remote.empty()) {
    return false;
  }
  RemoteCacheCounters& count = m_remote->counters();
  std::string text;
  RemoteCacheLevel::Got got = m_remote->get_text(remote_record_path(remote), k_max_record, text);
  if (got != RemoteCacheLevel::Got::found) {
    if (got == RemoteCacheLevel::Got::missing) {
      ++count.misses;
    }
    return false;
  }
  std::optional<CacheEntryInfo> info = parse_remote_record(remote, text, m_key);
  if (!info) {
    m_remote->bad_entry(remote, "its record is not signed with this cache key");
    return false;
  }
  if (info->size > std::min(max_size, k_max_remote_content)) {
    return false; // too large for what the caller takes
  }
  auto tmp = TempFile::create(m_dir / "tmp", "remote");
  if (!tmp) {
    return false;
  }
  got = m_remote->get_file(remote_content_path(info->sha256), info->size, tmp->fd());
  if (got != RemoteCacheLevel::Got::found) {
    if (got == RemoteCacheLevel::Got::missing) {
      m_remote->bad_entry(remote, "its record names a content the server does not have");
    }
    return false;
  }
  // The content is what the signed record says, or it is not used.
  Sha256 h;
  uint64_t size = 0;
  std::vector<char> buf(1 << 16);
  ssize_t n = 0;
  while ((n = ::pread(tmp->fd(), buf.data(), buf.size(), static_cast<off_t>(size))) > 0) {
    h.update(buf.data(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  if (n < 0 || size != info->size || h.hex_digest() != info->sha256) {
    m_remote->bad_entry(remote, "its content does not hash to the signed digest");
    return false;
  }
  if (!commit(name, *tmp, info->sha256, info->size)) {
    return false;
  }
  ++count.hits;
  return true;
}

void CacheStore::push_remote(std::string_view name, const CacheEntryInfo& info,
                             const fs::path& file, std::string_view bytes) const {
  std::string remote = remote_name(name);
  if (remote.empty() || !m_remote->writable()) {
    return;
  }
  // The content first: a reader that finds the record finds what it names.
  if (file.empty()) {
    m_remote->put_text(remote_content_path(info.sha256), bytes);
  } else {
    m_remote->put_file(remote_content_path(info.sha256), file, info.size);
  }
  if (m_remote->usable()) {
    m_remote->put_text(remote_record_path(remote), remote_record(remote, info, m_key));
  }
}

std::optional<CacheEntryInfo> CacheStore::get(std::string_view name, const fs::path& dest,
                                              unsigned mode) const {
  if (auto hit = get_local(name, dest, mode)) {
    return hit;
  }
  if (fetch_remote(name, k_max_remote_content)) {
    return get_local(name, dest, mode);
  }
  return std::nullopt;
}

std::optional<CacheEntryInfo> CacheStore::get_local(std::string_view name, const fs::path& dest,
                                                    unsigned mode) const {
  fs::path path = m_dir / name;
  fs::path meta_path = path.string() + std::string(k_meta_ext);
  struct stat mst{};
  int mfd = open_entry(meta_path, mst);
  if (mfd < 0) {
    return std::nullopt;
  }
  ::close(mfd);
  auto text = mst.st_size <= static_cast<off_t>(k_max_meta) ? read_file(meta_path)
                                                            : Result<std::string>(std::string());
  std::optional<Meta> m = text ? parse_meta(name, *text, m_key) : std::nullopt;
  struct stat st{};
  int in = m ? open_entry(path, st) : -1;
  if (in < 0 || static_cast<uint64_t>(st.st_size) != m->size) {
    if (in >= 0) {
      ::close(in);
    }
    remove(name);
    return std::nullopt;
  }
  // Small entries, and large ones that are not the file stored, are re-hashed as they are copied.
  bool rehash = m->size <= k_rehash_limit || stat_mark(st) != m->mark;
  fs::path dir = dest.parent_path().empty() ? fs::path(".") : dest.parent_path();
  auto tmp = TempFile::create(dir, dest.filename().string());
  Sha256 h;
  auto copied =
      tmp ? copy_fd(in, tmp->fd(), rehash ? &h : nullptr, path) : Result<uint64_t>(tmp.error());
  ::close(in);
  if (!copied || *copied != m->size || (rehash && h.hex_digest() != m->sha256)) {
    if (copied) {
      remove(name); // damaged or replaced: a miss now, and for everyone after
    }
    return std::nullopt;
  }
  if (::fchmod(tmp->fd(), mode) != 0 || ::rename(tmp->path().c_str(), dest.c_str()) != 0) {
    return std::nullopt;
  }
  // The entry was used: least-recently-used eviction reads this time.
  ::utimensat(AT_FDCWD, meta_path.c_str(), nullptr, 0);
  return CacheEntryInfo{m->sha256, m->size};
}

std::optional<std::string> CacheStore::get_bytes(std::string_view name, uint64_t max_size) const {
  if (auto hit = get_bytes_local(name, max_size)) {
    return hit;
  }
  if (fetch_remote(name, max_size)) {
    return get_bytes_local(name, max_size);
  }
  return std::nullopt;
}

std::optional<std::string> CacheStore::get_bytes_local(std::string_view name,
                                                       uint64_t max_size) const {
  fs::path path = m_dir / name;
  auto text = read_file(path.string() + std::string(k_meta_ext));
  std::optional<Meta> m =
      text && text->size() <= k_max_meta ? parse_meta(name, *text, m_key) : std::nullopt;
  if (!m || m->size > max_size) {
    return std::nullopt;
  }
  struct stat st{};
  int fd = open_entry(path, st);
  if (fd < 0) {
    remove(name);
    return std::nullopt;
  }
  ::close(fd);
  auto bytes = read_file(path);
  if (!bytes || bytes->size() != m->size || sha256_hex(*bytes) != m->sha256) {
    remove(name);
    return std::nullopt;
  }
  ::utimensat(AT_FDCWD, (path.string() + std::string(k_meta_ext)).c_str(), nullptr, 0);
  return std::move(*bytes);
}

bool CacheStore::contains(std::string_view name) const {
  fs::path path = m_dir / name;
  auto text = read_file(path.string() + std::string(k_meta_ext));
  struct stat st{};
  return text && text->size() <= k_max_meta && parse_meta(name, *text, m_key) &&
         ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<CacheEntryUse> CacheStore::entries() const {
  std::vector<CacheEntryUse> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(m_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() == 0 && it->path().filename() == "tmp") {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path& p = it->path();
    struct stat st{};
    if (p.extension() != k_meta_ext || ::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    fs::path data = p;
    data.replace_extension();
    struct stat dst{};
    uint64_t bytes = static_cast<uint64_t>(st.st_size) +
                     (::lstat(data.c_str(), &dst) == 0 ? static_cast<uint64_t>(dst.st_size) : 0);
    out.push_back({data.lexically_relative(m_dir).string(), bytes, ns(st.st_mtim)});
  }
  return out;
}

CacheStoreUsage CacheStore::usage() const {
  CacheStoreUsage u;
  for (const CacheEntryUse& e : entries()) {
    ++u.entries;
    u.bytes += e.bytes;
  }
  return u;
}

size_t evict_lru(const std::vector<const CacheStore*>& stores, uint64_t target_bytes) {
  // One evictor at a time per store; a second one finds the work done or in progress and leaves.
  std::vector<int> locks;
  auto unlock = [&] {
    for (int fd : locks) {
      ::close(fd);
    }
  };
  for (const CacheStore* s : stores) {
    int fd = ::open((s->dir() / "tmp" / ".evict.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (fd >= 0) {
        ::close(fd);
      }
      unlock();
      return 0;
    }
    locks.push_back(fd);
  }
  std::vector<std::pair<const CacheStore*, CacheEntryUse>> all;
  uint64_t total = 0;
  for (const CacheStore* s : stores) {
    for (CacheEntryUse& e : s->entries()) {
      total += e.bytes;
      all.emplace_back(s, std::move(e));
    }
  }
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
  size_t removed = 0;
  for (const auto& [store, e] : all) {
    if (total <= target_bytes) {
      break;
    }
    store->remove(e.name);
    total -= e.bytes;
    ++removed;
  }
  unlock();
  return removed;
}

CacheVerifyReport CacheStore::verify() const {
  CacheVerifyReport report;
  std::set<std::string> with_sidecar;
  for (const CacheEntryUse& e : entries()) {
    with_sidecar.insert(e.name);
    ++report.checked;
    EntryLock lock(m_dir, e.name); // a writer's commit in progress is seen whole
    fs::path path = m_dir / e.name;
    auto text = read_file(path.string() + std::string(k_meta_ext));
    std::optional<Meta> m = text ? parse_meta(e.name, *text, m_key) : std::nullopt;
    struct stat st{};
    int fd = m ? open_entry(path, st) : -1;
    Sha256 h;
    bool sound = false;
    if (fd >= 0) {
      std::vector<char> buf(1 << 20);
      uint64_t total = 0;
      ssize_t n = 0;
      while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
        h.update(buf.data(), static_cast<size_t>(n));
        total += static_cast<uint64_t>(n);
      }
      ::close(fd);
      sound = n == 0 && total == m->size && h.hex_digest() == m->sha256;
    }
    if (!sound) {
      unlink_entry(e.name);
      ++report.removed;
      report.bad.push_back(e.name);
    }
  }
  // Files without a sidecar are writes a killed process never finished; temporaries whose
  // process is gone likewise.
  report.temporaries += sweep_stale(m_dir / "tmp", "");
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(m_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (!it->is_regular_file(ec) || p.extension() == k_meta_ext) {
      continue;
    }
    std::string rel = p.lexically_relative(m_dir).string();
    bool in_tmp = rel.starts_with("tmp/");
    pid_t owner = temporary_owner(p.filename().string());
    bool orphan = in_tmp ? owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH
                         : !with_sidecar.count(rel) && owner == 0;
    std::optional<EntryLock> lock;
    if (orphan && !in_tmp) {
      // A writer may have renamed this file in and be about to write its sidecar.
      lock.emplace(m_dir, rel);
      struct stat mst{};
      orphan = ::lstat((p.string() + std::string(k_meta_ext)).c_str(), &mst) != 0;
    }
    if (orphan) {
      fs::remove(p, ec);
      ++report.temporaries;
    }
  }
  return report;
}

Status CacheStore::clean() const {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(m_dir, ec)) {
    fs::remove_all(e.path(), ec);
    if (ec) {
      return io_error(e.path().string(), ec.message());
    }
  }
  return make_dirs(m_dir / "tmp");
}

} // namespace sp
