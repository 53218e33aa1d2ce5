#include "packager/layer_cache.h"

#include "util/sha256.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace sp::packager {

namespace {

constexpr std::string_view k_format = "scratchpack-layer-cache-v1";

/// Identity of a file's contents without reading it when the caller did not say.
std::string contents_identity(const LayerEntry& e) {
  if (!e.content_sha256.empty()) {
    return "sha256 " + e.content_sha256;
  }
  if (e.data) {
    return "sha256 " + sha256_hex(*e.data);
  }
  struct stat st{};
  if (::stat(e.source.c_str(), &st) != 0) {
    return "missing " + e.source.string();
  }
  return "stat " + e.source.string() + " " + std::to_string(st.st_size) + " " +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " " +
         std::to_string(st.st_mode & 0111);
}

/// Copies a blob between stores (a hard link when they share a filesystem).
Status copy_blob(const BlobStore& from, const BlobStore& to, const Digest& d) {
  if (to.has(d)) {
    return {};
  }
  fs::path target = to.path_of(d);
  fs::path temp = target.string() + ".tmp";
  std::error_code ec;
  fs::create_hard_link(from.path_of(d), temp, ec);
  if (ec) {
    ec.clear();
    fs::copy_file(from.path_of(d), temp, fs::copy_options::overwrite_existing, ec);
  }
  if (!ec) {
    fs::rename(temp, target, ec);
  }
  if (ec) {
    fs::remove(temp, ec);
    return io_error(target.string(), ec.message());
  }
  return {};
}

} // namespace

Result<LayerCache> LayerCache::open(const fs::path& dir) {
  SP_TRY(make_dirs(dir / "entries"));
  auto blobs = BlobStore::open(dir / "blobs");
  if (!blobs) {
    return blobs.take_error();
  }
  return LayerCache(dir, std::move(*blobs));
}

std::string LayerCache::key(const LayerSpec& spec, const LayerOptions& options) {
  Sha256 h;
  h.update(k_format);
  h.update("\n" + std::string(to_string(options.compression)) + " " +
           std::to_string(options.level) + " " + std::to_string(options.mtime) + "\n");
  for (const LayerEntry& e : spec.entries) {
    std::string line = e.path + " " + std::to_string(static_cast<int>(e.type)) + " " +
                       (e.mode ? std::to_string(*e.mode) : std::string("-")) + " " +
                       std::to_string(e.uid) + ":" + std::to_string(e.gid) + " " + e.link_target;
    if (e.type == EntryType::file) {
      line += " " + contents_identity(e);
    }
    h.update(line);
    h.update("\0", 1);
  }
  return h.hex_digest();
}

std::optional<Layer> LayerCache::find(const std::string& key, const BlobStore& store) const {
  auto text = read_file(m_dir / "entries" / (key + ".json"));
  if (!text) {
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) {
    return std::nullopt;
  }
  auto diff_id = parse_digest(j.value("diff_id", ""));
  auto digest = parse_digest(j.value("digest", ""));
  if (!diff_id || !digest || !m_blobs.has(*digest) || !copy_blob(m_blobs, store, *digest)) {
    return std::nullopt;
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
  SP_TRY(copy_blob(from, m_blobs, layer.digest));
  nlohmann::json j = {{"diff_id", layer.diff_id.to_string()},
                      {"digest", layer.digest.to_string()},
                      {"size", layer.size},
                      {"media_type", layer.media_type},
                      {"uncompressed_size", layer.uncompressed_size}};
  return write_file_atomic(m_dir / "entries" / (key + ".json"), j.dump());
}

Result<Layer> build_layer_cached(const LayerSpec& spec, const LayerOptions& options,
                                 const BlobStore& store, const LayerCache* cache) {
  if (!cache) {
    return build_layer(spec, options, store);
  }
  std::string k = LayerCache::key(spec, options);
  if (auto hit = cache->find(k, store)) {
    return *hit;
  }
  auto layer = build_layer(spec, options, store);
  if (layer) {
    // A cache that cannot be written is a slower build, not a failed one.
    (void)cache->store(k, *layer, store);
  }
  return layer;
}

} // namespace sp::packager
