#include "packager/layer_cache.h"

#include "packager/compress.h"
#include "util/sha256.h"

#include <nlohmann/json.hpp>

namespace sp::packager {

namespace {

// v3: gzip from libdeflate; the key names the gzip encoder's version too.
constexpr std::string_view k_format = "scratchpack-layer-cache-v3";

/// sha256 of an entry's contents: given, of the bytes, or read from the host file.
Result<std::string> contents_sha256(const LayerEntry& e) {
  if (!e.content_sha256.empty()) {
    return e.content_sha256;
  }
  if (e.data) {
    return sha256_hex(*e.data);
  }
  Sha256 h;
  SP_TRY(for_each_block(e.source, [&](const char* data, size_t size) {
    h.update(data, size);
    return Status{};
  }));
  return h.hex_digest();
}

std::string blob_name(const Digest& d) {
  return "blobs/" + d.hex();
}

} // namespace

Result<LayerCache> LayerCache::open(const fs::path& dir, std::optional<std::string> key) {
  if (!key) {
    key = SP_TRY(cache_key());
  }
  return LayerCache(SP_TRY(CacheStore::open(dir, std::move(*key))));
}

Result<std::string> LayerCache::key(const LayerSpec& spec, const LayerOptions& options) {
  Sha256 h;
  h.update(k_format);
  // Another gzip encoder version may make other bytes: a cached layer is its version's.
  std::string encoder(options.compression == Compression::gzip ? gzip_encoder() : "");
  h.update("\n" + std::string(to_string(options.compression)) + " " +
           std::to_string(options.level) + " " + std::to_string(options.mtime) + " " + encoder +
           "\n");
  for (const LayerEntry& e : spec.entries) {
    std::string line = e.path + " " + std::to_string(static_cast<int>(e.type)) + " " +
                       (e.mode ? std::to_string(*e.mode) : std::string("-")) + " " +
                       std::to_string(e.uid) + ":" + std::to_string(e.gid) + " " + e.link_target;
    if (e.type == EntryType::file) {
      line += " sha256 " + SP_TRY(contents_sha256(e));
      if (!e.data && !e.mode) {
        line += is_executable_file(e.source) ? " exec" : " plain"; // the mode comes from the file
      }
    }
    h.update(line);
    h.update("\0", 1);
  }
  return h.hex_digest();
}

std::optional<Layer> LayerCache::find(const std::string& key, const BlobStore& store) const {
  auto text = m_store.get_bytes("entries/" + key + ".json");
  auto j = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (!j.is_object()) {
    return std::nullopt;
  }
  auto diff_id = parse_digest(j.value("diff_id", ""));
  auto digest = parse_digest(j.value("digest", ""));
  if (!diff_id || !digest) {
    return std::nullopt;
  }
  if (!store.has(*digest)) {
    // A copy, never a link: the store's blob may end up in an output a user can edit.
    auto got = m_store.get(blob_name(*digest), store.path_of(*digest));
    if (!got || got->sha256 != digest->hex()) {
      std::error_code ec;
      fs::remove(store.path_of(*digest), ec);
      return std::nullopt;
    }
  }
  Layer layer;
  layer.diff_id = *diff_id;
  layer.digest = *digest;
  layer.size = j.value("size", uint64_t{0});
  layer.media_type = j.value("media_type", "");
  layer.uncompressed_size = j.value("uncompressed_size", uint64_t{0});
  return layer;
}

Status LayerCache::store(const std::string& key, const Layer& layer, const BlobStore& from) const {
  SP_TRY(m_store.put(blob_name(layer.digest), from.path_of(layer.digest), layer.digest.hex()));
  nlohmann::json j = {{"diff_id", layer.diff_id.to_string()},
                      {"digest", layer.digest.to_string()},
                      {"size", layer.size},
                      {"media_type", layer.media_type},
                      {"uncompressed_size", layer.uncompressed_size}};
  SP_TRY(m_store.put_bytes("entries/" + key + ".json", j.dump()));
  return {};
}

Result<Layer> build_layer_cached(const LayerSpec& spec, const LayerOptions& options,
                                 const BlobStore& store, const LayerCache* cache) {
  if (!cache) {
    return build_layer(spec, options, store);
  }
  auto k = LayerCache::key(spec, options);
  if (!k) {
    return build_layer(spec, options, store); // an unreadable file: the build says so
  }
  if (auto hit = cache->find(*k, store)) {
    return *hit;
  }
  auto layer = build_layer(spec, options, store);
  if (layer) {
    // A cache that cannot be written is a slower build, not a failed one.
    (void)cache->store(*k, *layer, store);
  }
  return layer;
}

} // namespace sp::packager
