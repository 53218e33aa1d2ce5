#include "packager/layer.h"

#include "packager/utf8_locale.h"
#include "util/diagnostics.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace sp::packager {

namespace {

constexpr size_t k_read_block = 1u << 20;

// An entry ready to be written: normalised path (no leading '/'), final mode, known size.
struct PlannedEntry {
  const LayerEntry* entry = nullptr; // null for parent directories we add
  EntryType type = EntryType::directory;
  unsigned mode = 0755;
  unsigned uid = 0;
  unsigned gid = 0;
};

using Plan = std::map<std::string, PlannedEntry>;

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xe  ? 2
                : (c >> 3) == 0x1e ? 3
                                   : -1;
    if (extra < 0) {
      return false;
    }
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) {
        return false;
      }
    }
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

std::string type_name(EntryType t) {
  return t == EntryType::file ? "file" : t == EntryType::directory ? "directory" : "symlink";
}

// The mode an entry gets when none was given; host files keep only their "is executable" bit.
Result<unsigned> default_mode(const LayerEntry& e) {
  if (e.mode) {
    return *e.mode & 07777;
  }
  switch (e.type) {
  case EntryType::directory:
    return 0755u;
  case EntryType::symlink:
    return 0777u;
  case EntryType::file:
    break;
  }
  if (e.data) {
    return 0644u;
  }
  struct stat st{};
  if (::stat(e.source.c_str(), &st) != 0) {
    return io_error(e.source.string(), std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return failure(e.source.string(), "not a regular file");
  }
  return (st.st_mode & 0111) ? 0755u : 0644u;
}

// Adds `e` to the plan and every missing parent as a root-owned 0755 directory.
void plan_entry(Plan& plan, const LayerEntry& e, std::vector<std::string>& problems) {
  Result<std::string> path = normalize_image_path(e.path);
  if (!path) {
    problems.push_back(path.error().what + ": " + path.error().why);
    return;
  }
  if (*path == "/") {
    return; // the root directory itself is never an entry
  }
  if (!is_valid_utf8(*path) || (e.type == EntryType::symlink && !is_valid_utf8(e.link_target))) {
    problems.push_back(*path + ": names in an image must be valid UTF-8");
    return;
  }
  Result<unsigned> mode = default_mode(e);
  if (!mode) {
    problems.push_back(*path + ": " + mode.error().what + ": " + mode.error().why);
    return;
  }
  plan[path->substr(1)] = PlannedEntry{&e, e.type, *mode, e.uid, e.gid};
}

void add_parents(Plan& plan, std::vector<std::string>& problems) {
  std::vector<std::string> paths;
  for (const auto& [path, entry] : plan) {
    paths.push_back(path);
  }
  for (const std::string& path : paths) {
    for (size_t slash = path.rfind('/'); slash != std::string::npos && slash > 0;
         slash = path.rfind('/', slash - 1)) {
      std::string parent = path.substr(0, slash);
      auto it = plan.find(parent);
      if (it == plan.end()) {
        plan[parent] = PlannedEntry{};
      } else if (it->second.type != EntryType::directory) {
        problems.push_back("/" + path + ": its parent /" + parent + " is a " +
                           type_name(it->second.type) + ", not a directory");
        break;
      }
    }
  }
}

// Everything the libarchive write callback needs: the diff_id hash and the compressor.
struct TarSink {
  Sha256 diff_id;
  uint64_t size = 0;
  StreamCompressor* compressor = nullptr;
  std::optional<Error> error;
};

la_ssize_t tar_write(struct archive*, void* client, const void* buffer, size_t length) {
  auto* sink = static_cast<TarSink*>(client);
  sink->diff_id.update(buffer, length);
  sink->size += length;
  if (Status s = sink->compressor->write(static_cast<const char*>(buffer), length); !s) {
    sink->error = s.take_error();
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

class TarWriter {
public:
  TarWriter(TarSink& sink, int64_t mtime) : m_sink(sink), m_mtime(mtime) {}

  Status open() {
    m_archive.reset(archive_write_new());
    // pax_restricted: plain ustar headers unless a name, link or size needs a pax record —
    // what Docker and Go's archive/tar write, so every reader takes it.
    if (archive_write_set_format_pax_restricted(m_archive.get()) != ARCHIVE_OK ||
        archive_write_add_filter_none(m_archive.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(m_archive.get(), 64 * 1024) != ARCHIVE_OK ||
        // The tar ends right after its two zero records: no padding to a block size.
        archive_write_set_bytes_in_last_block(m_archive.get(), 1) != ARCHIVE_OK ||
        archive_write_open2(m_archive.get(), &m_sink, nullptr, tar_write, nullptr, nullptr) !=
            ARCHIVE_OK) {
      return fail("cannot start the tar stream");
    }
    return {};
  }

  Status add(const std::string& path, const PlannedEntry& p) {
    EntryPtr e(archive_entry_new());
    archive_entry_update_pathname_utf8(e.get(), path.c_str());
    archive_entry_set_perm(e.get(), p.mode);
    archive_entry_set_uid(e.get(), p.uid);
    archive_entry_set_gid(e.get(), p.gid);
    archive_entry_set_mtime(e.get(), m_mtime, 0);
    if (p.type == EntryType::directory) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      return header(e.get(), path);
    }
    if (p.type == EntryType::symlink) {
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_update_symlink_utf8(e.get(), p.entry->link_target.c_str());
      return header(e.get(), path);
    }
    archive_entry_set_filetype(e.get(), AE_IFREG);
    if (p.entry->data) {
      archive_entry_set_size(e.get(), static_cast<la_int64_t>(p.entry->data->size()));
      SP_TRY(header(e.get(), path));
      return data(p.entry->data->data(), p.entry->data->size());
    }
    return add_host_file(e.get(), path, p.entry->source);
  }

  Status close() {
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK) {
      return fail("cannot finish the tar stream");
    }
    return {};
  }

private:
  Status add_host_file(archive_entry* e, const std::string& path, const fs::path& source) {
    int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st{};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      Error err = io_error(source.string(), std::strerror(errno));
      if (fd >= 0) {
        ::close(fd);
      }
      return err;
    }
    archive_entry_set_size(e, st.st_size);
    Status s = header(e, path);
    uint64_t left = static_cast<uint64_t>(st.st_size);
    std::vector<char> buf(std::min<uint64_t>(k_read_block, std::max<uint64_t>(left, 1)));
    while (s && left > 0) {
      ssize_t n = ::read(fd, buf.data(), std::min<uint64_t>(buf.size(), left));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        s = io_error(source.string(),
                     n == 0 ? "file shrank while it was being read" : std::strerror(errno));
        break;
      }
      left -= static_cast<uint64_t>(n);
      s = data(buf.data(), static_cast<size_t>(n));
    }
    ::close(fd);
    return s;
  }

  Status header(archive_entry* e, const std::string& path) {
    if (archive_write_header(m_archive.get(), e) != ARCHIVE_OK) {
      return fail("cannot write the tar header of /" + path);
    }
    return {};
  }

  Status data(const char* p, size_t n) {
    if (n > 0 && archive_write_data(m_archive.get(), p, n) != static_cast<la_ssize_t>(n)) {
      return fail("cannot write tar data");
    }
    return {};
  }

  Status fail(const std::string& what) {
    if (m_sink.error) {
      return *m_sink.error; // the real cause: the compressor or the blob file
    }
    const char* why = archive_error_string(m_archive.get());
    return io_error("layer", what + (why ? std::string(": ") + why : std::string()));
  }

  TarSink& m_sink;
  int64_t m_mtime;
  ArchivePtr m_archive;
};

Result<Plan> plan_layer(const LayerSpec& spec) {
  Plan plan;
  std::vector<std::string> problems;
  for (const LayerEntry& e : spec.entries) {
    plan_entry(plan, e, problems);
  }
  add_parents(plan, problems);
  SP_TRY(problems_status("layer", problems));
  return plan;
}

} // namespace

void LayerSpec::add_file(std::string path, fs::path source, std::optional<unsigned> mode,
                         unsigned uid, unsigned gid, std::string content_sha256) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = EntryType::file;
  e.mode = mode;
  e.uid = uid;
  e.gid = gid;
  e.source = std::move(source);
  e.content_sha256 = std::move(content_sha256);
  entries.push_back(std::move(e));
}

void LayerSpec::add_bytes(std::string path, std::string data, unsigned mode, unsigned uid,
                          unsigned gid) {
  entries.push_back(
      LayerEntry{std::move(path), EntryType::file, mode, uid, gid, {}, std::move(data), {}, {}});
}

void LayerSpec::add_directory(std::string path, unsigned mode, unsigned uid, unsigned gid) {
  entries.push_back(
      LayerEntry{std::move(path), EntryType::directory, mode, uid, gid, {}, {}, {}, {}});
}

void LayerSpec::add_symlink(std::string path, std::string target, unsigned uid, unsigned gid) {
  entries.push_back(LayerEntry{
      std::move(path), EntryType::symlink, std::nullopt, uid, gid, {}, {}, std::move(target), {}});
}

std::string layer_media_type(Compression c) {
  switch (c) {
  case Compression::gzip:
    return std::string(media_type::k_layer_gzip);
  case Compression::zstd:
    return std::string(media_type::k_layer_zstd);
  case Compression::none:
    break;
  }
  return std::string(media_type::k_layer_tar);
}

Result<std::string> normalize_image_path(std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return usage_error("'" + std::string(path) + "'", "an image path must be absolute");
  }
  std::string out;
  for (const std::string& part : split(path, '/')) {
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      return usage_error("'" + std::string(path) + "'", "'..' is not allowed in an image path");
    }
    out += "/" + part;
  }
  return out.empty() ? std::string("/") : out;
}

Result<Layer> build_layer(const LayerSpec& spec, const LayerOptions& options,
                          const BlobStore& store) {
  Result<Plan> plan = plan_layer(spec);
  if (!plan) {
    return plan.take_error();
  }
  Result<BlobWriter> blob = BlobWriter::create(store);
  if (!blob) {
    return blob.take_error();
  }
  auto compressor = StreamCompressor::create(
      options.compression, options.level, options.threads,
      [&](const char* data, size_t size) { return blob->write(data, size); });
  if (!compressor) {
    return compressor.take_error();
  }
  TarSink sink;
  sink.compressor = compressor->get();
  Utf8Locale utf8;
  TarWriter tar(sink, options.mtime);
  Status s = tar.open();
  for (auto it = plan->begin(); s && it != plan->end(); ++it) {
    s = tar.add(it->first, it->second);
  }
  if (s) {
    s = tar.close();
  }
  if (s) {
    s = (*compressor)->finish();
  }
  if (!s) {
    return s.take_error();
  }
  Result<BlobInfo> info = blob->commit();
  if (!info) {
    return info.take_error();
  }
  Layer layer;
  layer.diff_id = Digest::sha256_hex(sink.diff_id.hex_digest());
  layer.digest = info->digest;
  layer.size = info->size;
  layer.media_type = layer_media_type(options.compression);
  layer.uncompressed_size = sink.size;
  return layer;
}

} // namespace sp::packager
