#include "packager/image.h"

#include "util/sha256.h"
#include "util/strings.h"

#include <archive.h>
#include <archive_entry.h>
#include <set>

namespace sp::packager {

namespace {

using nlohmann::json;

Status fill_history(ImageConfig& config, size_t layer_count) {
  if (config.history.empty()) {
    for (size_t i = 0; i < layer_count; ++i) {
      config.history.push_back(HistoryEntry{config.created, "scratchpack", {}, false});
    }
    return {};
  }
  size_t non_empty = 0;
  for (const HistoryEntry& h : config.history) {
    non_empty += h.empty_layer ? 0 : 1;
  }
  if (non_empty != layer_count) {
    return failure("image history", std::to_string(non_empty) +
                                        " entries add a layer but the "
                                        "image has " +
                                        std::to_string(layer_count) + " layers");
  }
  return {};
}

// Checks that the blob exists and really has the digest and size the descriptor claims.
bool check_blob(const Descriptor& d, const BlobStore& store, const std::string& what,
                Problems& problems) {
  if (!store.has(d.digest)) {
    problems.push_back(what + " " + d.digest.to_string() + " is missing");
    return false;
  }
  Result<BlobInfo> info = store.rehash(d.digest);
  if (!info) {
    problems.push_back(what + " " + d.digest.to_string() + ": " + info.error().why);
    return false;
  }
  bool ok = true;
  if (info->digest != d.digest) {
    problems.push_back(what + " " + d.digest.to_string() + " has sha256 " + info->digest.hex() +
                       " (corrupted)");
    ok = false;
  }
  if (info->size != d.size) {
    problems.push_back(what + " " + d.digest.to_string() + " is " + std::to_string(info->size) +
                       " bytes but its descriptor says " + std::to_string(d.size));
    ok = false;
  }
  return ok;
}

std::optional<json> read_document(const Descriptor& d, const BlobStore& store,
                                  const std::string& what, Problems& problems) {
  if (!check_blob(d, store, what, problems)) {
    return std::nullopt;
  }
  Result<std::string> bytes = store.read(d.digest);
  if (!bytes) {
    problems.push_back(what + " " + d.digest.to_string() + ": " + bytes.error().why);
    return std::nullopt;
  }
  json j = json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    problems.push_back(what + " " + d.digest.to_string() + " is not a JSON object");
    return std::nullopt;
  }
  return j;
}

bool is_layer_media_type(const std::string& t) {
  return t == media_type::k_layer_tar || t == media_type::k_layer_gzip ||
         t == media_type::k_layer_zstd || t == media_type::k_docker_layer_gzip;
}

// sha256 of the decompressed layer, and the compression libarchive detected.
Result<std::pair<Digest, int>> uncompressed_digest(const fs::path& path) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_raw(a);
  archive_entry* entry = nullptr;
  Sha256 h;
  int filter = ARCHIVE_FILTER_NONE;
  Status s;
  if (archive_read_open_filename(a, path.c_str(), 1 << 20) != ARCHIVE_OK ||
      archive_read_next_header(a, &entry) != ARCHIVE_OK) {
    s = failure(path.string(), archive_error_string(a) ? archive_error_string(a) : "unreadable");
  }
  std::vector<char> buf(1 << 20);
  while (s) {
    la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
    if (n < 0) {
      s = failure(path.string(), archive_error_string(a) ? archive_error_string(a) : "corrupt");
    } else if (n == 0) {
      break;
    } else {
      h.update(buf.data(), static_cast<size_t>(n));
    }
  }
  filter = archive_filter_code(a, 0);
  archive_read_free(a);
  if (!s) {
    return s.take_error();
  }
  return std::make_pair(Digest::sha256_hex(h.hex_digest()), filter);
}

void check_layer_content(const Descriptor& layer, const Digest& diff_id, const BlobStore& store,
                         Problems& problems) {
  Result<std::pair<Digest, int>> got = uncompressed_digest(store.path_of(layer.digest));
  std::string what = "layer " + layer.digest.to_string();
  if (!got) {
    problems.push_back(what + " cannot be decompressed: " + got.error().why);
    return;
  }
  int want = layer.media_type == media_type::k_layer_zstd  ? ARCHIVE_FILTER_ZSTD
             : layer.media_type == media_type::k_layer_tar ? ARCHIVE_FILTER_NONE
                                                           : ARCHIVE_FILTER_GZIP;
  if (got->second != want) {
    problems.push_back(what + " is not compressed as its media type " + layer.media_type + " says");
  }
  if (got->first != diff_id) {
    problems.push_back(what + " decompresses to " + got->first.to_string() +
                       ", not to its diff_id " + diff_id.to_string());
  }
}

void check_config(const Descriptor& d, const std::vector<Descriptor>& layers,
                  const std::optional<Platform>& platform, const BlobStore& store,
                  const ValidateOptions& options, Problems& problems) {
  std::optional<json> j = read_document(d, store, "config", problems);
  if (!j) {
    return;
  }
  Result<ImageConfig> config = parse_config_json(canonical_json(*j));
  if (!config) {
    problems.push_back("config " + d.digest.to_string() + ": " + config.error().why);
    return;
  }
  if (config->diff_ids.size() != layers.size()) {
    problems.push_back("config " + d.digest.to_string() + " lists " +
                       std::to_string(config->diff_ids.size()) + " diff_ids for " +
                       std::to_string(layers.size()) + " layers");
  }
  if (platform && !(config->platform == *platform)) {
    problems.push_back("config " + d.digest.to_string() + " is for " +
                       config->platform.to_string() + " but the image is for " +
                       platform->to_string());
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    if (check_blob(layers[i], store, "layer", problems) && options.check_diff_ids &&
        i < config->diff_ids.size()) {
      check_layer_content(layers[i], config->diff_ids[i], store, problems);
    }
  }
}

void check_manifest(const Descriptor& d, const std::optional<Platform>& platform,
                    const BlobStore& store, const ValidateOptions& options, Problems& problems) {
  std::optional<json> j = read_document(d, store, "manifest", problems);
  if (!j) {
    return;
  }
  std::string where = "manifest " + d.digest.to_string();
  if (j->value("schemaVersion", 0) != 2) {
    problems.push_back(where + " does not have schemaVersion 2");
  }
  if (j->value("mediaType", std::string()) != d.media_type) {
    problems.push_back(where + " has mediaType " + j->value("mediaType", std::string("(none)")) +
                       " but is referenced as " + d.media_type);
  }
  Result<Descriptor> config = descriptor_from_json(j->value("config", json()), where + " config");
  if (!config) {
    problems.push_back(config.error().what + ": " + config.error().why);
    return;
  }
  if (config->media_type != media_type::k_config &&
      config->media_type != media_type::k_docker_config) {
    problems.push_back(where + " names a config of media type " + config->media_type);
  }
  std::vector<Descriptor> layers;
  for (const json& l : j->value("layers", json::array())) {
    Result<Descriptor> layer = descriptor_from_json(l, where + " layer");
    if (!layer) {
      problems.push_back(layer.error().what + ": " + layer.error().why);
      continue;
    }
    if (!is_layer_media_type(layer->media_type)) {
      problems.push_back(where + " has a layer of unknown media type " + layer->media_type);
    }
    layers.push_back(*layer);
  }
  check_config(*config, layers, platform, store, options, problems);
}

void check_index(const Descriptor& d, const BlobStore& store, const ValidateOptions& options,
                 Problems& problems) {
  std::optional<json> j = read_document(d, store, "index", problems);
  if (!j) {
    return;
  }
  std::string where = "index " + d.digest.to_string();
  if (j->value("schemaVersion", 0) != 2) {
    problems.push_back(where + " does not have schemaVersion 2");
  }
  for (const json& m : j->value("manifests", json::array())) {
    Result<Descriptor> child = descriptor_from_json(m, where + " manifests");
    if (!child) {
      problems.push_back(child.error().what + ": " + child.error().why);
      continue;
    }
    if (!child->platform && child->media_type == media_type::k_manifest) {
      problems.push_back(where + " lists " + child->digest.to_string() + " without a platform");
    }
    Problems sub = validate_descriptor(*child, store, options);
    problems.insert(problems.end(), sub.begin(), sub.end());
  }
}

void compare_descriptor(const Descriptor& want, const Descriptor& got, const std::string& what,
                        Problems& problems) {
  if (want.digest != got.digest || want.size != got.size || want.media_type != got.media_type) {
    problems.push_back(what + ": the manifest says " + got.digest.to_string() + " (" +
                       std::to_string(got.size) + " bytes, " + got.media_type +
                       ") but the image "
                       "has " +
                       want.digest.to_string() + " (" + std::to_string(want.size) + " bytes, " +
                       want.media_type + ")");
  }
}

// The Image value must say what its manifest blob says.
void compare_image(const Image& image, Problems& problems) {
  json j = json::parse(image.manifest_bytes, nullptr, false);
  if (j.is_discarded()) {
    problems.push_back("the image's manifest bytes are not JSON");
    return;
  }
  if (Digest::of(image.manifest_bytes) != image.manifest.digest ||
      image.manifest_bytes.size() != image.manifest.size) {
    problems.push_back("the image's manifest bytes do not match its manifest descriptor");
  }
  if (Digest::of(image.config_bytes) != image.config.digest ||
      image.config_bytes.size() != image.config.size) {
    problems.push_back("the image's config bytes do not match its config descriptor");
  }
  Result<Descriptor> config = descriptor_from_json(j.value("config", json()), "manifest config");
  if (config) {
    compare_descriptor(image.config, *config, "config", problems);
  }
  json layers = j.value("layers", json::array());
  if (layers.size() != image.layers.size()) {
    problems.push_back("the manifest lists " + std::to_string(layers.size()) +
                       " layers but the image has " + std::to_string(image.layers.size()));
    return;
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    Result<Descriptor> d = descriptor_from_json(layers[i], "manifest layer");
    if (d) {
      compare_descriptor(image.layers[i].descriptor(), *d, "layer " + std::to_string(i), problems);
    }
  }
}

} // namespace

Annotations standard_annotations(int64_t created, const std::string& title,
                                 const std::string& version, const std::string& source,
                                 const std::string& revision) {
  Annotations a;
  a[std::string(annotation::k_created)] = rfc3339(created);
  const std::pair<std::string_view, const std::string*> optional[] = {
      {annotation::k_title, &title},
      {annotation::k_version, &version},
      {annotation::k_source, &source},
      {annotation::k_revision, &revision}};
  for (const auto& [key, value] : optional) {
    if (!value->empty()) {
      a[std::string(key)] = *value;
    }
  }
  return a;
}

std::string manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers,
                          const Annotations& annotations) {
  json l = json::array();
  for (const Descriptor& d : layers) {
    l.push_back(to_json(d));
  }
  json j = {{"schemaVersion", 2},
            {"mediaType", media_type::k_manifest},
            {"config", to_json(config)},
            {"layers", l}};
  if (!annotations.empty()) {
    j["annotations"] = annotations;
  }
  return canonical_json(j);
}

Result<Image> make_image(ImageConfig config, const std::vector<Layer>& layers,
                         const Annotations& annotations, const BlobStore& store) {
  config.diff_ids.clear();
  std::vector<Descriptor> layer_descriptors;
  for (const Layer& l : layers) {
    config.diff_ids.push_back(l.diff_id);
    layer_descriptors.push_back(l.descriptor());
  }
  SP_TRY(fill_history(config, layers.size()));
  Image image;
  image.platform = config.platform;
  image.layers = layers;
  image.annotations = annotations;
  image.config_bytes = config_json(config);
  Result<BlobInfo> c = store.put(image.config_bytes);
  if (!c) {
    return c.take_error();
  }
  image.config = Descriptor{std::string(media_type::k_config), c->digest, c->size, {}, {}, {}};
  image.manifest_bytes = manifest_json(image.config, layer_descriptors, annotations);
  Result<BlobInfo> m = store.put(image.manifest_bytes);
  if (!m) {
    return m.take_error();
  }
  image.manifest = Descriptor{std::string(media_type::k_manifest), m->digest, m->size, {}, {}, {}};
  return image;
}

Result<Index> make_index(const std::vector<Image>& images, const Annotations& annotations,
                         const BlobStore& store) {
  Index index;
  std::set<std::string> seen;
  json manifests = json::array();
  for (const Image& image : images) {
    if (!seen.insert(image.platform.to_string()).second) {
      return failure("image index", "two images for " + image.platform.to_string());
    }
    Descriptor d = image.manifest;
    d.platform = image.platform;
    manifests.push_back(to_json(d));
    index.manifests.push_back(d);
  }
  json j = {{"schemaVersion", 2}, {"mediaType", media_type::k_index}, {"manifests", manifests}};
  if (!annotations.empty()) {
    j["annotations"] = annotations;
  }
  index.bytes = canonical_json(j);
  Result<BlobInfo> info = store.put(index.bytes);
  if (!info) {
    return info.take_error();
  }
  index.descriptor =
      Descriptor{std::string(media_type::k_index), info->digest, info->size, {}, {}, {}};
  index.annotations = annotations;
  index.images = images;
  return index;
}

Problems validate_descriptor(const Descriptor& root, const BlobStore& store,
                             const ValidateOptions& options) {
  Problems problems;
  if (root.media_type == media_type::k_index ||
      root.media_type == media_type::k_docker_manifest_list) {
    check_index(root, store, options, problems);
  } else if (root.media_type == media_type::k_manifest ||
             root.media_type == media_type::k_docker_manifest) {
    check_manifest(root, root.platform, store, options, problems);
  } else {
    problems.push_back(root.digest.to_string() + " has unknown media type '" + root.media_type +
                       "'");
  }
  return problems;
}

Problems validate(const Image& image, const BlobStore& store, const ValidateOptions& options) {
  Problems problems;
  compare_image(image, problems);
  check_manifest(image.manifest, image.platform, store, options, problems);
  return problems;
}

Problems validate(const Index& index, const BlobStore& store, const ValidateOptions& options) {
  Problems problems;
  if (Digest::of(index.bytes) != index.descriptor.digest) {
    problems.push_back("the index bytes do not match the index descriptor");
  }
  Problems sub = validate_descriptor(index.descriptor, store, options);
  problems.insert(problems.end(), sub.begin(), sub.end());
  for (const Image& image : index.images) {
    compare_image(image, problems);
  }
  return problems;
}

} // namespace sp::packager
