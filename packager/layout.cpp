#include "packager/layout.h"

#include "packager/archive_read.h"
#include "packager/utf8_locale.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <set>
#include <unistd.h>
#include <vector>

namespace sp::packager {

class Layout::Impl {
public:
  explicit Impl(fs::path path) : m_path(std::move(path)) {}
  virtual ~Impl() = default;

  const fs::path& path() const { return m_path; }
  virtual bool is_archive() const = 0;
  virtual bool has(std::string_view name) const = 0;
  virtual std::string where(std::string_view name) const = 0;
  virtual Result<std::string> read_document(std::string_view name) const = 0;
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

bool is_blob_name(std::string_view name) {
  if (!name.starts_with(k_blob_prefix)) {
    return false;
  }
  std::string_view hex = name.substr(k_blob_prefix.size());
  return hex.size() == 64 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Reads a file whole, refusing one larger than a document may be.
Result<std::string> read_document_file(const fs::path& path, const std::string& where) {
  std::error_code ec;
  if (fs::file_size(path, ec) > k_max_document && !ec) {
    return failure(where, "too large for a JSON document");
  }
  return read_file(path);
}

// Streams a file through a ByteReader, one block at a time.
Status stream_file(const fs::path& path, const std::function<Status(ByteReader&)>& fn) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return io_error(path.string(), std::strerror(errno));
  }
  std::vector<char> buf(k_block_size);
  ByteReader reader = [&]() -> Result<std::string_view> {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    while (n < 0 && errno == EINTR) {
      n = ::read(fd, buf.data(), buf.size());
    }
    if (n < 0) {
      return io_error(path.string(), std::strerror(errno));
    }
    return std::string_view(buf.data(), static_cast<size_t>(n));
  };
  Status s = fn(reader);
  ::close(fd);
  return s;
}

class DirLayout final : public Layout::Impl {
public:
  using Impl::Impl;

  bool is_archive() const override { return false; }

  bool has(std::string_view name) const override {
    std::error_code ec;
    return fs::is_regular_file(m_path / name, ec);
  }

  std::string where(std::string_view name) const override { return (m_path / name).string(); }

  Result<std::string> read_document(std::string_view name) const override {
    return read_document_file(m_path / name, where(name));
  }

  Status stream(std::string_view name,
                const std::function<Status(ByteReader&)>& fn) const override {
    return stream_file(m_path / name, fn);
  }
};

// An archive, read once when opened. Each regular member is then in one of three places: in
// memory (small ones), in the unpack store (blobs, when unpacking), or only in the archive
// (large ones, streamed by reading the archive again).
class TarLayout final : public Layout::Impl {
public:
  TarLayout(fs::path path, std::optional<BlobStore> unpack)
      : Impl(std::move(path)), m_unpack(std::move(unpack)) {}

  // The one pass: names and sizes of everything, contents of the small members, blobs into the
  // unpack store.
  Status read() {
    Utf8Locale utf8;
    Result<ReadArchive> a = open_archive();
    if (!a) {
      return a.take_error();
    }
    archive_entry* e = nullptr;
    int rc = ARCHIVE_OK;
    while ((rc = next_header(a->get(), &e)) == ARCHIVE_OK) {
      std::string name = clean_name(entry_name(e));
      if (archive_entry_filetype(e) == AE_IFLNK) {
        add_link(name, link_target(e, false));
        continue;
      }
      if (archive_entry_filetype(e) != AE_IFREG) {
        continue;
      }
      uint64_t size = static_cast<uint64_t>(archive_entry_size(e));
      m_sizes[name] = size;
      Status s;
      if (m_unpack && is_blob_name(name)) {
        s = unpack_blob(a->get(), name);
      } else if (size <= k_max_document) {
        s = keep_small(a->get(), name, size);
      }
      if (!s) {
        return s;
      }
    }
    if (rc != ARCHIVE_EOF) {
      return failure(m_path.string(), "not a readable tar archive: " + archive_why(a->get()));
    }
    return {};
  }

  bool is_archive() const override { return true; }

  bool has(std::string_view name) const override { return m_sizes.count(resolve(name)) > 0; }

  std::string where(std::string_view name) const override {
    return m_path.string() + ":" + std::string(name);
  }

  Result<std::string> read_document(std::string_view link) const override {
    std::string name = resolve(link);
    if (auto it = m_small.find(name); it != m_small.end()) {
      return it->second;
    }
    if (auto it = m_unpacked.find(name); it != m_unpacked.end()) {
      return read_document_file(it->second, where(name));
    }
    return failure(where(name), has(name) ? "too large for a JSON document" : "not in the archive");
  }

  Status stream(std::string_view link,
                const std::function<Status(ByteReader&)>& fn) const override {
    std::string name = resolve(link);
    if (auto it = m_small.find(name); it != m_small.end()) {
      bool done = false;
      ByteReader reader = [&]() -> Result<std::string_view> {
        std::string_view out = done ? std::string_view() : std::string_view(it->second);
        done = true;
        return out;
      };
      return fn(reader);
    }
    if (auto it = m_unpacked.find(name); it != m_unpacked.end()) {
      return stream_file(it->second, fn);
    }
    return stream_from_archive(name, fn);
  }

private:
  Result<ReadArchive> open_archive() const {
    ReadArchive a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open_filename(a.get(), m_path.c_str(), k_block_size) != ARCHIVE_OK) {
      return failure(m_path.string(), "cannot open the archive: " + archive_why(a.get()));
    }
    return a;
  }

  // Older docker-archives link <id>/layer.tar to the real file; links that leave the archive are
  // ignored.
  void add_link(const std::string& name, const std::string& target) {
    fs::path resolved = (fs::path(name).parent_path() / target).lexically_normal();
    if (!resolved.empty() && *resolved.begin() != ".." && resolved.is_relative()) {
      m_links[name] = resolved.generic_string();
    }
  }

  // Follows symlinks between members (a few hops at most).
  std::string resolve(std::string_view link) const {
    std::string name(link);
    for (int hops = 0; hops < 8; ++hops) {
      auto it = m_links.find(name);
      if (it == m_links.end()) {
        break;
      }
      name = it->second;
    }
    return name;
  }

  Status keep_small(struct archive* a, const std::string& name, uint64_t size) {
    std::string data(size, '\0');
    la_ssize_t n = archive_read_data(a, data.data(), data.size());
    if (n < 0 || static_cast<uint64_t>(n) != size) {
      return failure(where(name), archive_why(a));
    }
    m_small[name] = std::move(data);
    return {};
  }

  // Streams the current member into the unpack store and checks that it hashes to its name, so
  // a damaged archive is refused before anything is sent anywhere.
  Status unpack_blob(struct archive* a, const std::string& name) {
    Result<BlobWriter> w = BlobWriter::create(*m_unpack);
    if (!w) {
      return w.take_error();
    }
    const void* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
      SP_TRY(w->write(buf, size));
    }
    if (rc != ARCHIVE_EOF) {
      return failure(where(name), archive_why(a));
    }
    Result<BlobInfo> info = w->commit();
    if (!info) {
      return info.take_error();
    }
    if (info->digest.hex() != name.substr(k_blob_prefix.size())) {
      return failure(where(name),
                     "its contents hash to " + info->digest.to_string() + ", not to its name",
                     "the archive is damaged; build or save it again");
    }
    m_unpacked[name] = m_unpack->path_of(info->digest);
    return {};
  }

  // A member too large to keep: read the archive again up to it.
  Status stream_from_archive(const std::string& name,
                             const std::function<Status(ByteReader&)>& fn) const {
    Utf8Locale utf8;
    Result<ReadArchive> a = open_archive();
    if (!a) {
      return a.take_error();
    }
    archive_entry* e = nullptr;
    while (next_header(a->get(), &e) == ARCHIVE_OK) {
      if (archive_entry_filetype(e) != AE_IFREG || clean_name(entry_name(e)) != name) {
        continue;
      }
      ByteReader reader = [&]() -> Result<std::string_view> {
        const void* buf = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        int rc = archive_read_data_block(a->get(), &buf, &size, &offset);
        if (rc == ARCHIVE_EOF) {
          return std::string_view();
        }
        if (rc != ARCHIVE_OK) {
          return failure(where(name), archive_why(a->get()));
        }
        return std::string_view(static_cast<const char*>(buf), size);
      };
      return fn(reader);
    }
    return failure(where(name), "not in the archive");
  }

  std::optional<BlobStore> m_unpack;
  std::map<std::string, uint64_t> m_sizes;
  std::map<std::string, std::string> m_small;
  std::map<std::string, fs::path> m_unpacked;
  std::map<std::string, std::string> m_links;
};

} // namespace

Result<Layout> Layout::open(const fs::path& path, const LayoutOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Layout(std::make_unique<DirLayout>(path));
  }
  if (!fs::is_regular_file(path, ec)) {
    return io_error(path.string(), "no such image archive or directory");
  }
  auto tar = std::make_unique<TarLayout>(path, options.unpack_blobs);
  SP_TRY(tar->read());
  return Layout(std::move(tar));
}

Layout::Layout(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Layout::~Layout() = default;
Layout::Layout(Layout&&) noexcept = default;
Layout& Layout::operator=(Layout&&) noexcept = default;

const fs::path& Layout::path() const {
  return m_impl->path();
}

bool Layout::is_archive() const {
  return m_impl->is_archive();
}

bool Layout::has(std::string_view name) const {
  return m_impl->has(name);
}

std::string Layout::where(std::string_view name) const {
  return m_impl->where(name);
}

Result<std::string> Layout::read_document(std::string_view name) const {
  return m_impl->read_document(name);
}

Status Layout::stream(std::string_view name, const std::function<Status(ByteReader&)>& fn) const {
  return m_impl->stream(name, fn);
}

std::string blob_name(const Digest& digest) {
  return "blobs/" + digest.algorithm() + "/" + digest.hex();
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
