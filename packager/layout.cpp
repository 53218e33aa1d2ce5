#include "packager/layout.h"

#include "packager/archive_read.h"
#include "packager/utf8_locale.h"
#include "util/sha256.h"
#include "util/spool.h"
#include "util/strings.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace sp::packager {

// The raw reader of one kind of layout; Layout checks names, limits and digests around it.
class Layout::Impl {
public:
  explicit Impl(fs::path path) : m_path(std::move(path)) {}
  virtual ~Impl() = default;

  const fs::path& path() const { return m_path; }
  virtual bool is_archive() const = 0;
  virtual std::string where(std::string_view name) const = 0;
  /// Success when `name` is a regular file that can be read; otherwise why not.
  virtual Status find(std::string_view name) const = 0;
  virtual Status stream(std::string_view name,
                        const std::function<Status(ByteReader&)>& fn) const = 0;

protected:
  fs::path m_path;
};

namespace {

using namespace archive_read;
using nlohmann::json;

constexpr std::string_view k_blob_prefix = "blobs/sha256/";
constexpr size_t k_block_size = 1u << 20;
// Symlinks followed for one name, in a directory or between archive members.
constexpr int k_max_link_hops = 8;

std::string errno_text() {
  return std::strerror(errno);
}

// Why `name` is not a plain relative path inside a layout, or empty when it is one.
std::string unsafe_name(std::string_view name) {
  if (name.empty()) {
    return "an empty name";
  }
  if (name.starts_with('/')) {
    return "an absolute path; only paths inside the layout are read";
  }
  if (name.find('\0') != std::string_view::npos) {
    return "a name with a NUL byte";
  }
  for (const std::string& c : split(name, '/')) {
    if (c == "..") {
      return "a path that leaves the layout ('..'); only paths inside it are read";
    }
  }
  return {};
}

// Streams an open file through a ByteReader, one block at a time.
Status stream_fd(int fd, const std::string& where, const std::function<Status(ByteReader&)>& fn) {
  std::vector<char> buf(k_block_size);
  ByteReader reader = [&]() -> Result<std::string_view> {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    while (n < 0 && errno == EINTR) {
      n = ::read(fd, buf.data(), buf.size());
    }
    if (n < 0) {
      return io_error(where, errno_text());
    }
    return std::string_view(buf.data(), static_cast<size_t>(n));
  };
  return fn(reader);
}

const char* file_type_name(mode_t mode) {
  return S_ISDIR(mode)    ? "a directory"
         : S_ISFIFO(mode) ? "a fifo"
         : S_ISCHR(mode)  ? "a character device"
         : S_ISBLK(mode)  ? "a block device"
         : S_ISSOCK(mode) ? "a socket"
                          : "not a regular file";
}

// A directory, read through a descriptor of its root: each name is walked one component at a
// time with openat(O_NOFOLLOW), symlinks resolved here (never by the kernel) and only while they
// stay inside, and the file checked to be a regular file before and after it is opened.
class DirLayout final : public Layout::Impl {
public:
  static Result<std::unique_ptr<DirLayout>> open(const fs::path& path) {
    UniqueFd root(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) {
      return io_error(path.string(), errno_text());
    }
    return std::unique_ptr<DirLayout>(new DirLayout(path, std::move(root)));
  }

  bool is_archive() const override { return false; }

  // Joined as text: an absolute name stays visibly below the layout in messages.
  std::string where(std::string_view name) const override {
    std::string dir = m_path.string();
    return dir + (dir.ends_with('/') ? "" : "/") + std::string(name);
  }

  Status find(std::string_view name) const override {
    Result<UniqueFd> fd = open_member(name);
    if (!fd) {
      return fd.take_error();
    }
    return {};
  }

  Status stream(std::string_view name,
                const std::function<Status(ByteReader&)>& fn) const override {
    UniqueFd fd = SP_TRY(open_member(name));
    return stream_fd(fd.get(), where(name), fn);
  }

private:
  DirLayout(fs::path path, UniqueFd root) : Impl(std::move(path)), m_root(std::move(root)) {}

  Result<UniqueFd> open_member(std::string_view name) const {
    std::string at = where(name);
    std::vector<std::string> parts = path_components(name);
    std::deque<std::string> todo(parts.begin(), parts.end());
    std::vector<UniqueFd> dirs; // the directories walked so far, below the root
    int hops = 0;
    while (!todo.empty()) {
      std::string c = std::move(todo.front());
      todo.pop_front();
      int dir = dirs.empty() ? m_root.get() : dirs.back().get();
      if (c == "..") {
        if (dirs.empty()) {
          return io_error(at, "a symlink in its path leaves the layout; only files inside it "
                              "are read");
        }
        dirs.pop_back();
        continue;
      }
      struct stat st{};
      if (::fstatat(dir, c.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return io_error(at, errno == ENOENT ? "not in the layout" : errno_text());
      }
      if (S_ISLNK(st.st_mode)) {
        if (++hops > k_max_link_hops) {
          return io_error(at, "too many symlinks in its path");
        }
        std::string target = SP_TRY(read_link(dir, c, at));
        if (target.starts_with('/')) {
          return io_error(at, "a symlink to " + target +
                                  ", outside the layout; only files inside "
                                  "it are read");
        }
        std::vector<std::string> more = path_components(target);
        todo.insert(todo.begin(), more.begin(), more.end());
        continue;
      }
      if (todo.empty()) {
        return open_file(dir, c, st, at);
      }
      if (!S_ISDIR(st.st_mode)) {
        return io_error(at, "not in the layout (a path component is not a directory)");
      }
      UniqueFd sub(::openat(dir, c.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) {
        return io_error(at, errno_text());
      }
      dirs.push_back(std::move(sub));
    }
    return io_error(at, "not a file");
  }

  static Result<std::string> read_link(int dir, const std::string& name, const std::string& at) {
    std::string target(4096, '\0');
    ssize_t n = ::readlinkat(dir, name.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<size_t>(n) >= target.size()) {
      return io_error(at, n < 0 ? errno_text() : "a symlink with an overlong target");
    }
    target.resize(static_cast<size_t>(n));
    return target;
  }

  // The last component: a regular file, opened without following a symlink and without
  // blocking (a fifo swapped in after the check would otherwise hang the open), then checked
  // again through the descriptor.
  static Result<UniqueFd> open_file(int dir, const std::string& name, const struct stat& before,
                                    const std::string& at) {
    if (!S_ISREG(before.st_mode)) {
      return io_error(at, std::string(file_type_name(before.st_mode)) +
                              ", not a regular file; only regular files are read");
    }
    UniqueFd fd(
        ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
      return io_error(at, errno == ELOOP ? "became a symlink while it was opened" : errno_text());
    }
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) {
      return io_error(at, errno_text());
    }
    if (!S_ISREG(st.st_mode) || st.st_ino != before.st_ino || st.st_dev != before.st_dev) {
      return io_error(at, "changed while it was opened; only regular files are read");
    }
    // Regular files never block; reads go back to blocking mode for clarity.
    ::fcntl(fd.get(), F_SETFL, O_RDONLY);
    return fd;
  }

  UniqueFd m_root;
};

// An archive, read once when opened and never again. Each regular member is then in one of
// three places: in the unpack store (blobs, when unpacking), in the archive file itself (a large
// member of an uncompressed archive, read back with pread at its offset), or in the spool (every
// other member: small ones, and large ones of a compressed archive, which could only be reached
// again by decompressing everything before them). Symlink and hard link members are aliases of
// other members, kept when their targets stay inside the archive.
class TarLayout final : public Layout::Impl {
public:
  TarLayout(fs::path path, std::optional<BlobStore> unpack, const ReadLimits& limits)
      : Impl(std::move(path)), m_unpack(std::move(unpack)), m_limits(limits) {}

  Status read() {
    Utf8Locale utf8;
    m_file = UniqueFd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    struct stat st{};
    if (!m_file.valid() || ::fstat(m_file.get(), &st) != 0) {
      return io_error(m_path.string(), errno_text());
    }
    if (!S_ISREG(st.st_mode)) {
      return io_error(m_path.string(), "not a regular file");
    }
    ReadArchive a = SP_TRY(open_archive());
    m_spool = SP_TRY(Spool::create());
    archive_entry* e = nullptr;
    int rc = ARCHIVE_OK;
    uint64_t count = 0;
    uint64_t name_bytes = 0;
    while ((rc = next_header(a.get(), &e)) == ARCHIVE_OK) {
      if (++count > m_limits.max_entries) {
        return limit_error(m_path.string(),
                           "more than " + std::to_string(m_limits.max_entries) + " members",
                           "--max-entries");
      }
      SP_TRY(check_total(a.get()));
      std::string name = clean_name(entry_name(e));
      std::string hard = link_target(e, true);
      std::string soft = archive_entry_filetype(e) == AE_IFLNK ? link_target(e, false) : "";
      name_bytes += name.size() + hard.size() + soft.size();
      if (name_bytes > m_limits.max_name_bytes()) {
        return limit_error(m_path.string(),
                           "its member names add up to more than " +
                               format_limit(m_limits.max_name_bytes()),
                           "--max-entries");
      }
      if (!unsafe_name(name).empty()) {
        continue; // never named by a reader (names are checked the same way)
      }
      m_members.erase(name);
      m_links.erase(name);
      if (!hard.empty()) {
        add_link(name, fs::path(clean_name(hard)));
      } else if (archive_entry_filetype(e) == AE_IFLNK) {
        add_link(name, fs::path(name).parent_path() / soft);
      } else if (archive_entry_filetype(e) == AE_IFREG) {
        SP_TRY(add_file(a.get(), e, name));
      }
    }
    if (rc != ARCHIVE_EOF) {
      return io_error(m_path.string(), "not a readable tar archive: " + archive_why(a.get()));
    }
    return check_total(a.get());
  }

  bool is_archive() const override { return true; }

  std::string where(std::string_view name) const override {
    return m_path.string() + ":" + std::string(name);
  }

  Status find(std::string_view name) const override {
    std::string resolved = resolve(name);
    if (m_members.count(resolved) == 0) {
      return io_error(where(name), "not in the archive");
    }
    return {};
  }

  Status stream(std::string_view link,
                const std::function<Status(ByteReader&)>& fn) const override {
    std::string name = resolve(link);
    auto it = m_members.find(name);
    if (it == m_members.end()) {
      return io_error(where(link), "not in the archive");
    }
    const Member& m = it->second;
    switch (m.place) {
    case Place::spool:
      return stream_range(m_spool->fd(), m.offset, m.size, "temporary spool file", fn);
    case Place::file:
      return stream_range(m_file.get(), m.offset, m.size, where(name), fn);
    case Place::store: {
      UniqueFd fd(::open(m.store_path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) {
        return io_error(m.store_path.string(), errno_text());
      }
      return stream_fd(fd.get(), m.store_path.string(), fn);
    }
    }
    return {};
  }

private:
  enum class Place { spool, file, store };
  struct Member {
    Place place = Place::spool;
    uint64_t size = 0;
    uint64_t offset = 0; ///< in the spool, or in the archive file
    fs::path store_path;
  };

  // The compressions an image archive comes in, and no more: filter_all would also run external
  // programs (lrzip, lzop, grzip) on hostile input.
  Result<ReadArchive> open_archive() const {
    ReadArchive a(archive_read_new());
    archive_read_support_filter_gzip(a.get());
    archive_read_support_filter_zstd(a.get());
    archive_read_support_filter_bzip2(a.get());
    archive_read_support_filter_xz(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open_fd(a.get(), m_file.get(), k_block_size) != ARCHIVE_OK) {
      return io_error(m_path.string(), "cannot open the archive: " + archive_why(a.get()));
    }
    return a;
  }

  // Uncompressed bytes read so far, against --max-total-size.
  Status check_total(struct archive* a) const {
    auto read = static_cast<uint64_t>(archive_filter_bytes(a, 0));
    if (read > m_limits.max_total_size) {
      return limit_error(m_path.string(),
                         "more than " + format_limit(m_limits.max_total_size) +
                             " of uncompressed data",
                         "--max-total-size");
    }
    return {};
  }

  // A link to `target` (relative to the archive's root) when it stays inside; older
  // docker-archives link <id>/layer.tar to the real file.
  void add_link(const std::string& name, const fs::path& target) {
    fs::path resolved = target.lexically_normal();
    std::string text = resolved.generic_string();
    if (!text.empty() && resolved.is_relative() && unsafe_name(text).empty()) {
      m_links[name] = text;
    }
  }

  // Follows links between members (a few hops at most).
  std::string resolve(std::string_view link) const {
    std::string name(link);
    for (int hops = 0; hops < k_max_link_hops; ++hops) {
      auto it = m_links.find(name);
      if (it == m_links.end()) {
        break;
      }
      name = it->second;
    }
    return name;
  }

  Status add_file(struct archive* a, archive_entry* e, const std::string& name) {
    la_int64_t claimed = archive_entry_size(e);
    uint64_t size = claimed < 0 ? 0 : static_cast<uint64_t>(claimed);
    if (size > m_limits.max_entry_size) {
      return limit_error(where(name),
                         "is " + std::to_string(size) + " bytes, more than " +
                             format_limit(m_limits.max_entry_size),
                         "--max-entry-size");
    }
    Member m;
    m.size = size;
    if (m_unpack && blob_digest(name)) {
      m.place = Place::store;
      m.store_path = SP_TRY(unpack_blob(a, name));
    } else if (size > m_limits.max_document && archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE &&
               archive_entry_sparse_count(e) == 0) {
      // Uncompressed and contiguous: the data is right here in the file, past the header
      // libarchive has just consumed; libarchive skips it with a seek.
      m.place = Place::file;
      m.offset = static_cast<uint64_t>(archive_filter_bytes(a, 0));
    } else {
      m.place = Place::spool;
      m.offset = SP_TRY(spool_member(a, name, size));
    }
    m_members[name] = std::move(m);
    return {};
  }

  // Copies the current member to the end of the spool (holes of a sparse member stay holes).
  Result<uint64_t> spool_member(struct archive* a, const std::string& name, uint64_t size) {
    uint64_t base = m_spool->size();
    const void* buf = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_data_block(a, &buf, &n, &offset)) == ARCHIVE_OK) {
      if (offset < 0 || static_cast<uint64_t>(offset) + n > size) {
        return io_error(where(name), "holds more data than its header says");
      }
      SP_TRY(m_spool->write_at(base + static_cast<uint64_t>(offset), buf, n));
    }
    if (rc != ARCHIVE_EOF) {
      return io_error(where(name), archive_why(a));
    }
    SP_TRY(m_spool->extend(base + size));
    return base;
  }

  // Streams the current member into the unpack store and checks that it hashes to its name, so
  // a damaged archive is refused before anything is sent anywhere.
  Result<fs::path> unpack_blob(struct archive* a, const std::string& name) {
    BlobWriter w = SP_TRY(BlobWriter::create(*m_unpack));
    const void* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
      SP_TRY(w.write(buf, size));
    }
    if (rc != ARCHIVE_EOF) {
      return io_error(where(name), archive_why(a));
    }
    BlobInfo info = SP_TRY(w.commit());
    if (blob_digest(name) != info.digest) {
      return io_error(where(name),
                      "its contents hash to " + info.digest.to_string() + ", not to its name",
                      "the archive is damaged; build or save it again");
    }
    return m_unpack->path_of(info.digest);
  }

  // `size` bytes at `offset` of a file, block by block; fewer is an error (the file shrank).
  static Status stream_range(int fd, uint64_t offset, uint64_t size, const std::string& where,
                             const std::function<Status(ByteReader&)>& fn) {
    std::vector<char> buf(std::min<uint64_t>(size, k_block_size));
    uint64_t done = 0;
    ByteReader reader = [&]() -> Result<std::string_view> {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - done));
      if (want == 0) {
        return std::string_view();
      }
      ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset + done));
      while (n < 0 && errno == EINTR) {
        n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset + done));
      }
      if (n <= 0) {
        return io_error(where, n < 0 ? errno_text() : "truncated");
      }
      done += static_cast<uint64_t>(n);
      return std::string_view(buf.data(), static_cast<size_t>(n));
    };
    return fn(reader);
  }

  std::optional<BlobStore> m_unpack;
  ReadLimits m_limits;
  UniqueFd m_file;
  std::unique_ptr<Spool> m_spool;
  std::map<std::string, Member> m_members;
  std::map<std::string, std::string> m_links;
};

// Checks a blob's bytes as they stream: their count against the descriptor's size (as soon as
// there are too many), their sha256 against the name (at the end).
class BlobCheck {
public:
  BlobCheck(std::string where, std::optional<Digest> digest, std::optional<uint64_t> size)
      : m_where(std::move(where)), m_digest(std::move(digest)), m_size(size) {}

  bool checks() const { return m_digest || m_size; }

  Status add(std::string_view block) {
    m_count += block.size();
    if (m_size && m_count > *m_size) {
      return io_error(
          m_where, "holds more than the " + std::to_string(*m_size) + " bytes its descriptor says",
          "the image is damaged; build or save it again");
    }
    if (m_digest) {
      m_hash.update(block.data(), block.size());
    }
    return {};
  }

  Status finish() {
    if (m_size && m_count != *m_size) {
      return io_error(m_where,
                      "is " + std::to_string(m_count) + " bytes, not the " +
                          std::to_string(*m_size) + " its descriptor says",
                      "the image is damaged; build or save it again");
    }
    if (m_digest) {
      Digest got = Digest::sha256_hex(m_hash.hex_digest());
      if (got != *m_digest) {
        return io_error(m_where, "its contents hash to " + got.to_string() + ", not to its name",
                        "the image is damaged; build or save it again");
      }
    }
    return {};
  }

private:
  std::string m_where;
  std::optional<Digest> m_digest;
  std::optional<uint64_t> m_size;
  uint64_t m_count = 0;
  Sha256 m_hash;
};

} // namespace

Result<Layout> Layout::open(const fs::path& path, const LayoutOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::unique_ptr<DirLayout> dir = SP_TRY(DirLayout::open(path));
    return Layout(std::move(dir), options.limits);
  }
  if (!fs::is_regular_file(path, ec)) {
    return io_error(path.string(), "no such image archive or directory");
  }
  auto tar = std::make_unique<TarLayout>(path, options.unpack_blobs, options.limits);
  SP_TRY(tar->read());
  return Layout(std::move(tar), options.limits);
}

Layout::Layout(std::unique_ptr<Impl> impl, ReadLimits limits)
    : m_impl(std::move(impl)), m_limits(limits) {}
Layout::~Layout() = default;
Layout::Layout(Layout&&) noexcept = default;
Layout& Layout::operator=(Layout&&) noexcept = default;

const fs::path& Layout::path() const {
  return m_impl->path();
}

bool Layout::is_archive() const {
  return m_impl->is_archive();
}

const ReadLimits& Layout::limits() const {
  return m_limits;
}

bool Layout::has(std::string_view name) const {
  return check_name(name) && m_impl->find(name);
}

std::string Layout::where(std::string_view name) const {
  return m_impl->where(name);
}

Status Layout::check_name(std::string_view name) const {
  if (std::string why = unsafe_name(name); !why.empty()) {
    return io_error(where(name), why);
  }
  return {};
}

Result<std::string> Layout::read_document(std::string_view name) const {
  return read_checked(name, nullptr);
}

Result<std::string> Layout::read_document(const Descriptor& d) const {
  return read_checked(blob_name(d.digest), &d);
}

Status Layout::stream(std::string_view name, const std::function<Status(ByteReader&)>& fn) const {
  return stream_checked(name, nullptr, fn);
}

Status Layout::stream(const Descriptor& d, const std::function<Status(ByteReader&)>& fn) const {
  return stream_checked(blob_name(d.digest), &d, fn);
}

Status Layout::stream_checked(std::string_view name, const Descriptor* expected,
                              const std::function<Status(ByteReader&)>& fn) const {
  SP_TRY(check_name(name));
  BlobCheck check(where(name), blob_digest(name),
                  expected ? std::optional<uint64_t>(expected->size) : std::nullopt);
  if (!check.checks()) {
    return m_impl->stream(name, fn);
  }
  return m_impl->stream(name, [&](ByteReader& raw) -> Status {
    bool done = false;
    ByteReader checked = [&]() -> Result<std::string_view> {
      if (done) {
        return std::string_view();
      }
      std::string_view block = SP_TRY(raw());
      if (block.empty()) {
        done = true;
        SP_TRY(check.finish());
      } else {
        SP_TRY(check.add(block));
      }
      return block;
    };
    SP_TRY(fn(checked));
    // What fn left unread (a tar's padding after its end records) is checked too.
    while (!done) {
      SP_TRY(checked());
    }
    return {};
  });
}

Result<std::string> Layout::read_checked(std::string_view name, const Descriptor* expected) const {
  std::string out;
  uint64_t max = m_limits.max_document;
  uint64_t total = m_limits.max_documents_total();
  SP_TRY(stream_checked(name, expected, [&](ByteReader& reader) -> Status {
    for (;;) {
      std::string_view block = SP_TRY(reader());
      if (block.empty()) {
        return {};
      }
      if (out.size() + block.size() > max) {
        return limit_error(where(name),
                           "more than " + format_limit(max) + ": too large for a JSON document",
                           "--max-document-size");
      }
      if (m_documents_read + out.size() + block.size() > total) {
        return limit_error(where(name),
                           "the JSON documents read from this layout add up to more than " +
                               format_limit(total) + " (" +
                               std::to_string(ReadLimits::k_documents_per_layout) +
                               " times --max-document-size)",
                           "--max-document-size");
      }
      out.append(block);
    }
  }));
  m_documents_read += out.size();
  return out;
}

std::string blob_name(const Digest& digest) {
  return "blobs/" + digest.algorithm() + "/" + digest.hex();
}

std::optional<Digest> blob_digest(std::string_view name) {
  if (!name.starts_with(k_blob_prefix)) {
    return std::nullopt;
  }
  Result<Digest> d = parse_digest("sha256:" + std::string(name.substr(k_blob_prefix.size())));
  if (!d) {
    return std::nullopt;
  }
  return *d;
}

Result<Descriptor> layout_root(std::string_view index_json, std::string_view where) {
  Result<json> j = parse_json(index_json, where);
  if (!j) {
    Error e = j.take_error();
    e.kind = ErrorKind::usage_or_io; // a broken input file, not a refused push
    return e;
  }
  if (!j->is_object() || !j->contains("manifests") || !(*j)["manifests"].is_array()) {
    return io_error(std::string(where), "has no 'manifests' list");
  }
  std::optional<Descriptor> root;
  std::set<Digest> digests;
  for (const json& m : (*j)["manifests"]) {
    Result<Descriptor> d = descriptor_from_json(m, where);
    if (!d) {
      Error e = d.take_error();
      e.kind = ErrorKind::usage_or_io;
      return e;
    }
    digests.insert(d->digest);
    if (!root) {
      root = *d;
      root->annotations.clear();
    }
  }
  if (!root) {
    return io_error(std::string(where), "lists no image");
  }
  if (digests.size() > 1) {
    return io_error(std::string(where),
                    "lists " + std::to_string(digests.size()) +
                        " different images; push takes a layout holding one image or one index",
                    "write one image (or one multi-platform index) per layout");
  }
  return *root;
}

} // namespace sp::packager
