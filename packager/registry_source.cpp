#include "packager/registry_source.h"

#include "packager/utf8_locale.h"

#include <archive.h>
#include <archive_entry.h>
#include <set>

namespace sp::packager {

namespace {

using nlohmann::json;

constexpr uint64_t k_max_index = 4u << 20;
constexpr std::string_view k_blob_prefix = "blobs/sha256/";

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

std::string clean_name(std::string_view name) {
  while (name.starts_with("./")) {
    name.remove_prefix(2);
  }
  while (name.starts_with("/")) {
    name.remove_prefix(1);
  }
  return std::string(name);
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string archive_why(struct archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unreadable";
}

Error docker_only(const fs::path& path) {
  return io_error(path.string(), "is a docker-archive without an OCI index.json",
                  "convert it first: skopeo copy docker-archive:" + path.string() +
                      " oci-archive:image.tar");
}

// Streams the current entry into a new blob and checks that it hashes to its name.
Status copy_blob(struct archive* a, const BlobStore& store, const std::string& name,
                 const fs::path& path) {
  Result<BlobWriter> w = BlobWriter::create(store);
  if (!w) {
    return w.take_error();
  }
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
    if (Status s = w->write(buf, size); !s) {
      return s;
    }
  }
  if (rc != ARCHIVE_EOF) {
    return io_error(path.string() + ":" + name, archive_why(a));
  }
  Result<BlobInfo> info = w->commit();
  if (!info) {
    return info.take_error();
  }
  if (info->digest.hex() != name.substr(k_blob_prefix.size())) {
    return io_error(path.string() + ":" + name,
                    "its contents hash to " + info->digest.to_string() + ", not to its name",
                    "the archive is damaged; build or save it again");
  }
  return {};
}

Result<PushSource> open_archive(const fs::path& path) {
  auto scratch = std::make_shared<TempDir>("scratchpack-push");
  Result<BlobStore> store = BlobStore::open(scratch->path() / "blobs");
  if (!store) {
    return store.take_error();
  }
  Utf8Locale utf8;
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
    return io_error(path.string(), "cannot open the archive: " + archive_why(a.get()));
  }
  std::optional<std::string> index;
  bool docker_manifest = false;
  archive_entry* e = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    const char* raw = archive_entry_pathname(e);
    std::string name = clean_name(raw ? raw : "");
    if (archive_entry_filetype(e) != AE_IFREG) {
      continue;
    }
    if (name == "index.json") {
      if (archive_entry_size(e) > static_cast<la_int64_t>(k_max_index)) {
        return io_error(path.string() + ":index.json", "is too large");
      }
      std::string text(static_cast<size_t>(archive_entry_size(e)), '\0');
      if (archive_read_data(a.get(), text.data(), text.size()) !=
          static_cast<la_ssize_t>(text.size())) {
        return io_error(path.string() + ":index.json", archive_why(a.get()));
      }
      index = std::move(text);
    } else if (name == "manifest.json") {
      docker_manifest = true;
    } else if (name.starts_with(k_blob_prefix) && is_hex64(name.substr(k_blob_prefix.size()))) {
      if (Status s = copy_blob(a.get(), *store, name, path); !s) {
        return s.take_error();
      }
    }
  }
  if (rc != ARCHIVE_EOF) {
    return io_error(path.string(), "not a readable tar archive: " + archive_why(a.get()));
  }
  if (!index) {
    if (docker_manifest) {
      return docker_only(path);
    }
    return io_error(path.string(), "has no index.json: not an OCI image archive");
  }
  Result<Descriptor> root = layout_root(*index, path.string() + ":index.json");
  if (!root) {
    return root.take_error();
  }
  return PushSource{scratch, *store, *root};
}

Result<PushSource> open_directory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "index.json", ec)) {
    if (fs::is_regular_file(dir / "manifest.json", ec)) {
      return docker_only(dir);
    }
    return io_error(dir.string(), "has no index.json: not an OCI image layout");
  }
  if (!fs::is_directory(dir / "blobs" / "sha256", ec)) {
    return io_error(dir.string(), "has no blobs/sha256 directory: not an OCI image layout");
  }
  Result<std::string> index = read_file(dir / "index.json");
  if (!index) {
    return index.take_error();
  }
  Result<Descriptor> root = layout_root(*index, (dir / "index.json").string());
  if (!root) {
    return root.take_error();
  }
  Result<BlobStore> store = BlobStore::open(dir / "blobs");
  if (!store) {
    return store.take_error();
  }
  return PushSource{nullptr, *store, *root};
}

} // namespace

Result<Descriptor> layout_root(std::string_view index_json, std::string_view where) {
  Result<json> j = parse_json(index_json, where);
  if (!j) {
    Error e = j.take_error();
    e.kind = ErrorKind::io; // a broken input file, not a refused push
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
      e.kind = ErrorKind::io;
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

Result<PushSource> open_push_source(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return open_directory(path);
  }
  if (!fs::is_regular_file(path, ec)) {
    return io_error(path.string(), "no such image archive or OCI layout directory");
  }
  return open_archive(path);
}

} // namespace sp::packager
