// Layers: a list of entries (files from the host or from memory, directories, symlinks) turned
// into one reproducible tar, hashed and compressed as it streams into a BlobStore.
#pragma once

#include "packager/blob_store.h"
#include "packager/compress.h"
#include "packager/digest.h"
#include "util/fs.h"
#include "util/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sp::packager {

enum class EntryType { file, directory, symlink };

/// One thing to put in a layer. `path` is the absolute path inside the image ("/etc/passwd").
struct LayerEntry {
  std::string path;
  EntryType type = EntryType::file;
  /// Permission bits (07777 allowed). Unset: 0755 for directories and host files with any x
  /// bit, 0644 for other files, 0777 for symlinks.
  std::optional<unsigned> mode;
  unsigned uid = 0;
  unsigned gid = 0;
  fs::path source;                 ///< file contents from this host path (unless `data` is set)
  std::optional<std::string> data; ///< file contents from memory
  std::string link_target;         ///< symlinks: the target, as written
  /// sha256 of `source`'s contents when the caller knows it (the layer cache's key uses it).
  std::string content_sha256;
};

/// What a layer holds. Order does not matter: entries are sorted by path when written, parent
/// directories are added (0755, root-owned) when missing, and a later entry for the same path
/// replaces an earlier one.
struct LayerSpec {
  std::vector<LayerEntry> entries;

  void add_file(std::string path, fs::path source, std::optional<unsigned> mode = {},
                unsigned uid = 0, unsigned gid = 0, std::string content_sha256 = {});
  void add_bytes(std::string path, std::string data, unsigned mode = 0644, unsigned uid = 0,
                 unsigned gid = 0);
  void add_directory(std::string path, unsigned mode = 0755, unsigned uid = 0, unsigned gid = 0);
  void add_symlink(std::string path, std::string target, unsigned uid = 0, unsigned gid = 0);
};

struct LayerOptions {
  Compression compression = Compression::gzip;
  int level = 0;        ///< 0: the compression's default (see compress.h)
  int64_t mtime = 0;    ///< every entry's mtime; pass source_date_epoch()
  unsigned threads = 0; ///< 0: all cores; the bytes never depend on it
};

/// A layer blob as the manifest and the config see it.
struct Layer {
  Digest diff_id;         ///< sha256 of the uncompressed tar (config rootfs.diff_ids)
  Digest digest;          ///< sha256 of the blob as stored (manifest layers[].digest)
  uint64_t size = 0;      ///< blob size in bytes
  std::string media_type; ///< application/vnd.oci.image.layer.v1.tar[+gzip|+zstd]
  uint64_t uncompressed_size = 0;

  Descriptor descriptor() const { return {media_type, digest, size, std::nullopt, {}, {}}; }
};

/// The OCI media type of a layer compressed with `c`.
std::string layer_media_type(Compression c);

/// Normalises an absolute image path: collapses "//" and "/./", drops a trailing "/". Rejects
/// relative paths and ".." components (a usage error naming the path). "/" stays "/".
Result<std::string> normalize_image_path(std::string_view path);

/// Writes the layer into `store` and returns its digests. Reads host files as it goes (1 MiB at
/// a time); neither the tar nor the blob is ever held whole in memory. All problems in the
/// spec (relative paths, a file where a directory must be, unreadable sources) are reported
/// together in one error.
Result<Layer> build_layer(const LayerSpec& spec, const LayerOptions& options,
                          const BlobStore& store);

} // namespace sp::packager
