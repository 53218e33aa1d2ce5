#include "packager/writers.h"

#include "packager/reference.h"

#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <set>
#include <unistd.h>

namespace sp::packager {

namespace {

using nlohmann::json;

constexpr std::string_view k_oci_layout = R"({"imageLayoutVersion":"1.0.0"})";

// One file of the layout: either bytes we made or a blob streamed from the store.
struct LayoutFile {
  std::string bytes;
  std::optional<Digest> blob;
  uint64_t size = 0;
};

// Every file of a layout by its relative name; std::map keeps them sorted for the archive.
using LayoutFiles = std::map<std::string, LayoutFile>;

std::string blob_name(const Digest& d) {
  return "blobs/" + d.algorithm() + "/" + d.hex();
}

Result<std::vector<ImageRef>> parse_refs(const std::vector<std::string>& refs) {
  std::vector<ImageRef> out;
  for (const std::string& r : refs) {
    Result<ImageRef> ref = parse_image_ref(r);
    if (!ref) {
      return ref.take_error();
    }
    out.push_back(*ref);
  }
  return out;
}

std::string index_json(Descriptor root, const std::vector<ImageRef>& refs,
                       const Referrers* referrers) {
  if (referrers) {
    root.annotations[std::string(k_referrers_annotation)] = referrers->index.digest.to_string();
  }
  json manifests = json::array();
  for (const ImageRef& ref : refs) {
    Descriptor d = root;
    d.annotations[std::string(annotation::k_ref_name)] = ref.tag;
    d.annotations[std::string(annotation::k_containerd_name)] = ref.to_string();
    manifests.push_back(to_json(d));
  }
  if (refs.empty()) {
    manifests.push_back(to_json(root));
  }
  return canonical_json(
      {{"schemaVersion", 2}, {"mediaType", media_type::k_index}, {"manifests", manifests}});
}

// manifest.json and repositories: the docker-archive view of one image.
void add_docker_files(LayoutFiles& layout, const Image& image, const std::vector<ImageRef>& refs) {
  json tags = json::array();
  json repositories = json::object();
  for (const ImageRef& ref : refs) {
    tags.push_back(ref.to_string());
    if (!image.layers.empty()) {
      // Docker keys legacy layer ids by hex; with blobs/ as the layer store that is the
      // top layer's blob digest, as `docker save` (v25+) writes it.
      repositories[ref.repository][ref.tag] = image.layers.back().digest.hex();
    }
  }
  json layers = json::array();
  for (const Layer& l : image.layers) {
    layers.push_back(blob_name(l.digest));
  }
  json entry = {{"Config", blob_name(image.config.digest)}, {"RepoTags", tags}, {"Layers", layers}};
  layout["manifest.json"].bytes = canonical_json(json::array({entry}));
  if (!repositories.empty()) {
    layout["repositories"].bytes = canonical_json(repositories);
  }
}

Status add_blob(LayoutFiles& layout, const Descriptor& d, const BlobStore& store) {
  Result<uint64_t> size = store.size_of(d.digest);
  if (!size) {
    return failure("blob " + d.digest.to_string(), "is missing from the blob store");
  }
  if (*size != d.size) {
    return failure("blob " + d.digest.to_string(),
                   "is " + std::to_string(*size) + " bytes, not " + std::to_string(d.size));
  }
  layout[blob_name(d.digest)] = LayoutFile{{}, d.digest, d.size};
  return {};
}

Status add_image_blobs(LayoutFiles& layout, const Image& image, const BlobStore& store) {
  Status s = add_blob(layout, image.manifest, store);
  if (s) {
    s = add_blob(layout, image.config, store);
  }
  for (size_t i = 0; s && i < image.layers.size(); ++i) {
    s = add_blob(layout, image.layers[i].descriptor(), store);
  }
  return s;
}

Status add_referrers(LayoutFiles& layout, const Referrers* referrers, const BlobStore& store) {
  if (!referrers) {
    return {};
  }
  SP_TRY(add_blob(layout, referrers->index, store));
  for (const Artifact& a : referrers->artifacts) {
    SP_TRY(add_blob(layout, a.manifest, store));
    SP_TRY(add_blob(layout, a.config, store));
    SP_TRY(add_blob(layout, a.document, store));
  }
  return {};
}

Result<LayoutFiles> plan_image(const Image& image, const BlobStore& store,
                               const WriteOptions& options, bool docker) {
  Result<std::vector<ImageRef>> refs = parse_refs(options.refs);
  if (!refs) {
    return refs.take_error();
  }
  LayoutFiles layout;
  layout["oci-layout"].bytes = std::string(k_oci_layout);
  layout["index.json"].bytes = index_json(image.manifest, *refs, options.referrers);
  SP_TRY(add_image_blobs(layout, image, store));
  SP_TRY(add_referrers(layout, options.referrers, store));
  if (docker) {
    add_docker_files(layout, image, *refs);
  }
  return layout;
}

Result<LayoutFiles> plan_index(const Index& index, const BlobStore& store,
                               const WriteOptions& options, bool docker) {
  Result<std::vector<ImageRef>> refs = parse_refs(options.refs);
  if (!refs) {
    return refs.take_error();
  }
  LayoutFiles layout;
  layout["oci-layout"].bytes = std::string(k_oci_layout);
  layout["index.json"].bytes = index_json(index.descriptor, *refs, options.referrers);
  SP_TRY(add_referrers(layout, options.referrers, store));
  Status s = add_blob(layout, index.descriptor, store);
  const Image* docker_image = nullptr;
  for (const Image& image : index.images) {
    if (s) {
      s = add_image_blobs(layout, image, store);
    }
    if (options.docker_platform && image.platform == *options.docker_platform) {
      docker_image = &image;
    }
  }
  if (!s) {
    return s.take_error();
  }
  if (docker && options.docker_platform) {
    if (!docker_image) {
      return failure("image index", "has no image for " + options.docker_platform->to_string() +
                                        " to put in manifest.json");
    }
    add_docker_files(layout, *docker_image, *refs);
  }
  return layout;
}

// Hard link when the store is on the same filesystem (instant), else a streamed copy.
Status place_blob(const fs::path& from, const fs::path& to) {
  if (::link(from.c_str(), to.c_str()) == 0) {
    return {};
  }
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return io_error(to.string(), ec.message());
  }
  return {};
}

Status write_layout_dir(const LayoutFiles& layout, const BlobStore& store, const fs::path& dir) {
  SP_TRY(make_dirs(dir.parent_path().empty() ? fs::path(".") : dir.parent_path()));
  AtomicPath out(dir);
  SP_TRY(make_dirs(out.temp() / "blobs" / "sha256"));
  for (const auto& [name, file] : layout) {
    fs::path target = out.temp() / name;
    Status s = file.blob ? place_blob(store.path_of(*file.blob), target)
                         : write_file_atomic(target, file.bytes, 0644);
    if (!s) {
      return s;
    }
  }
  return out.commit();
}

struct WriteArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

class ArchiveFile {
public:
  explicit ArchiveFile(int64_t mtime) : m_mtime(mtime) {}

  Status open(int fd, const fs::path& path) {
    m_path = path;
    m_archive.reset(archive_write_new());
    if (archive_write_set_format_pax_restricted(m_archive.get()) != ARCHIVE_OK ||
        archive_write_add_filter_none(m_archive.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(m_archive.get(), 1) != ARCHIVE_OK ||
        archive_write_open_fd(m_archive.get(), fd) != ARCHIVE_OK) {
      return fail();
    }
    return {};
  }

  Status directory(const std::string& name) { return header(name, AE_IFDIR, 0755, 0); }

  Status bytes(const std::string& name, const std::string& data) {
    Status s = header(name, AE_IFREG, 0644, data.size());
    if (s && !data.empty() && archive_write_data(m_archive.get(), data.data(), data.size()) < 0) {
      return fail();
    }
    return s;
  }

  Status blob(const std::string& name, const fs::path& source, uint64_t size) {
    Status s = header(name, AE_IFREG, 0644, size);
    uint64_t written = 0;
    if (s) {
      s = for_each_block(source, [&](const char* data, size_t n) -> Status {
        written += n;
        if (written > size || archive_write_data(m_archive.get(), data, n) < 0) {
          return written > size ? failure(source.string(), "grew while being archived") : fail();
        }
        return {};
      });
    }
    if (s && written != size) {
      return failure(source.string(), "shrank while being archived");
    }
    return s;
  }

  Status close() {
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK) {
      return fail();
    }
    return {};
  }

private:
  Status header(const std::string& name, unsigned type, unsigned mode, uint64_t size) {
    archive_entry* e = archive_entry_new();
    archive_entry_copy_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode);
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e, m_mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    int rc = archive_write_header(m_archive.get(), e);
    archive_entry_free(e);
    return rc == ARCHIVE_OK ? Status() : fail();
  }

  Status fail() {
    const char* why = archive_error_string(m_archive.get());
    return io_error(m_path.string(), why ? why : "cannot write the archive");
  }

  int64_t m_mtime;
  fs::path m_path;
  std::unique_ptr<struct archive, WriteArchiveDeleter> m_archive;
};

Status write_layout_archive(const LayoutFiles& layout, const BlobStore& store, const fs::path& path,
                            int64_t mtime) {
  if (!path.parent_path().empty()) {
    SP_TRY(make_dirs(path.parent_path()));
  }
  AtomicPath out(path);
  int fd = ::open(out.temp().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return io_error(path.string(), std::strerror(errno));
  }
  ArchiveFile archive(mtime);
  Status s = archive.open(fd, path);
  // Directories first in name order ("blobs/" < "blobs/sha256/" < files), as tar readers expect.
  for (const char* dir : {"blobs/", "blobs/sha256/"}) {
    if (s) {
      s = archive.directory(dir);
    }
  }
  for (auto it = layout.begin(); s && it != layout.end(); ++it) {
    const LayoutFile& f = it->second;
    s = f.blob ? archive.blob(it->first, store.path_of(*f.blob), f.size)
               : archive.bytes(it->first, f.bytes);
  }
  if (s) {
    s = archive.close();
  }
  if (::close(fd) != 0 && s) {
    s = io_error(path.string(), std::strerror(errno));
  }
  return s ? out.commit() : s;
}

} // namespace

Status write_oci_dir(const Image& image, const BlobStore& store, const fs::path& dir,
                     const WriteOptions& options) {
  Result<LayoutFiles> layout = plan_image(image, store, options, false);
  return layout ? write_layout_dir(*layout, store, dir) : Status(layout.take_error());
}

Status write_oci_dir(const Index& index, const BlobStore& store, const fs::path& dir,
                     const WriteOptions& options) {
  Result<LayoutFiles> layout = plan_index(index, store, options, false);
  return layout ? write_layout_dir(*layout, store, dir) : Status(layout.take_error());
}

Status write_archive(const Image& image, const BlobStore& store, const fs::path& path,
                     const WriteOptions& options) {
  Result<LayoutFiles> layout = plan_image(image, store, options, true);
  return layout ? write_layout_archive(*layout, store, path, options.mtime)
                : Status(layout.take_error());
}

Status write_archive(const Index& index, const BlobStore& store, const fs::path& path,
                     const WriteOptions& options) {
  Result<LayoutFiles> layout = plan_index(index, store, options, true);
  return layout ? write_layout_archive(*layout, store, path, options.mtime)
                : Status(layout.take_error());
}

} // namespace sp::packager
