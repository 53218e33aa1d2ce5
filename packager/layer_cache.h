// A cache of built layers: the same entries with the same options give the same blob, so a
// rebuild that changes nothing copies the blob instead of writing, hashing and compressing the
// tar again. Keyed on every entry (path, type, mode, owner, link target, and the contents'
// identity: sha256 when the caller knows it, the bytes for in-memory files, path + size + mtime
// for other host files) and the layer options.
#pragma once

#include "packager/blob_store.h"
#include "packager/layer.h"
#include "util/result.h"

#include <optional>
#include <string>

namespace sp::packager {

class LayerCache {
public:
  /// The cache under `dir` (blobs/ and entries/, created when missing).
  static Result<LayerCache> open(const fs::path& dir);

  /// The key of `spec` built with `options`.
  static std::string key(const LayerSpec& spec, const LayerOptions& options);

  /// The cached layer for `key`, its blob copied into `store`; nullopt on a miss.
  std::optional<Layer> find(const std::string& key, const BlobStore& store) const;
  /// Remembers `layer` (whose blob is in `from`) under `key`.
  Status store(const std::string& key, const Layer& layer, const BlobStore& from) const;

  const fs::path& dir() const { return m_dir; }

private:
  LayerCache(fs::path dir, BlobStore blobs) : m_dir(std::move(dir)), m_blobs(std::move(blobs)) {}
  fs::path m_dir;
  BlobStore m_blobs;
};

/// build_layer through the cache (when `cache` is not null).
Result<Layer> build_layer_cached(const LayerSpec& spec, const LayerOptions& options,
                                 const BlobStore& store, const LayerCache* cache);

} // namespace sp::packager
