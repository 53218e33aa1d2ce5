// A cache of built layers: the same entries with the same options give the same blob, so a
// rebuild that changes nothing copies the blob instead of writing, hashing and compressing the
// tar again. Keyed on every entry (path, type, mode, owner, link target, and the sha256 of its
// contents: given by the caller, or of the bytes, or read from the host file) and the layer
// options, so any change of contents is a new key. Entries live in a CacheStore
// (util/cache_store.h): authenticated, checked on every hit, copied out, never hard-linked.
#pragma once

#include "packager/blob_store.h"
#include "packager/layer.h"
#include "util/cache_store.h"
#include "util/result.h"

#include <optional>
#include <string>

namespace sp::packager {

class LayerCache {
public:
  /// The cache under `dir` (blobs/ and entries/, created when missing), entries authenticated
  /// with `key` (default: cache_key(), the user's key file).
  static Result<LayerCache> open(const fs::path& dir, std::optional<std::string> key = {});

  /// The key of `spec` built with `options` (host files are read to hash them).
  static Result<std::string> key(const LayerSpec& spec, const LayerOptions& options);

  /// The cached layer for `key`, its blob copied into `store`; nullopt on a miss.
  std::optional<Layer> find(const std::string& key, const BlobStore& store) const;
  /// Remembers `layer` (whose blob is in `from`) under `key`.
  Status store(const std::string& key, const Layer& layer, const BlobStore& from) const;

  const fs::path& dir() const { return m_store.dir(); }
  const CacheStore& store() const { return m_store; }
  CacheStore& store() { return m_store; }

private:
  explicit LayerCache(CacheStore store) : m_store(std::move(store)) {}
  CacheStore m_store;
};

/// build_layer through the cache (when `cache` is not null).
Result<Layer> build_layer_cached(const LayerSpec& spec, const LayerOptions& options,
                                 const BlobStore& store, const LayerCache* cache);

} // namespace sp::packager
