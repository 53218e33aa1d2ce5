#include "packager/image_reader.h"

#include "packager/archive_read.h"
#include "packager/layer.h"
#include "packager/layout.h"
#include "packager/utf8_locale.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <map>

namespace sp::packager {

namespace {

using namespace archive_read;
using nlohmann::json;

Result<json> read_json(const Layout& src, const std::string& name) {
  Result<std::string> text = src.read_document(name);
  if (!text) {
    return text.take_error();
  }
  return parse_json(*text, name);
}

// Reads one manifest and its config.
Result<ImageInfo> read_manifest(const Layout& src, const Descriptor& d,
                                const std::vector<std::string>& refs) {
  Result<json> m = read_json(src, blob_name(d.digest));
  if (!m) {
    return m.take_error();
  }
  std::string where = "manifest " + d.digest.to_string();
  ImageInfo info;
  info.manifest = d;
  info.ref_names = refs;
  Result<Descriptor> config = descriptor_from_json(m->value("config", json()), where);
  if (!config) {
    return config.take_error();
  }
  info.config_descriptor = *config;
  for (const json& l : m->value("layers", json::array())) {
    Result<Descriptor> layer = descriptor_from_json(l, where);
    if (!layer) {
      return layer.take_error();
    }
    info.layers.push_back(*layer);
    info.layer_paths.push_back(blob_name(layer->digest));
  }
  Result<std::string> config_text = src.read_document(blob_name(config->digest));
  if (!config_text) {
    return config_text.take_error();
  }
  Result<ImageConfig> parsed = parse_config_json(*config_text);
  if (!parsed) {
    return parsed.take_error();
  }
  info.config = *parsed;
  if (!info.manifest.platform) {
    info.manifest.platform = info.config.platform;
  }
  return info;
}

Status read_index(const Layout& src, const json& index, const std::vector<std::string>& refs,
                  int depth, std::vector<ImageInfo>& out) {
  if (depth > 4) {
    return failure("image index", "nested too deeply");
  }
  for (const json& m : index.value("manifests", json::array())) {
    Result<Descriptor> d = descriptor_from_json(m, "index");
    if (!d) {
      return d.take_error();
    }
    std::vector<std::string> names = refs;
    if (auto it = d->annotations.find(std::string(annotation::k_ref_name));
        it != d->annotations.end()) {
      names.push_back(it->second);
    }
    if (d->media_type == media_type::k_index ||
        d->media_type == media_type::k_docker_manifest_list) {
      Result<json> child = read_json(src, blob_name(d->digest));
      if (!child) {
        return child.take_error();
      }
      SP_TRY(read_index(src, *child, names, depth + 1, out));
      continue;
    }
    Result<ImageInfo> info = read_manifest(src, *d, names);
    if (!info) {
      return info.take_error();
    }
    out.push_back(std::move(*info));
  }
  return {};
}

// A docker-archive without an OCI index: manifest.json entries name the config and layer files.
Status read_docker_manifest(const Layout& src, std::vector<ImageInfo>& out) {
  Result<json> m = read_json(src, "manifest.json");
  if (!m) {
    return m.take_error();
  }
  for (const json& entry : *m) {
    ImageInfo info;
    std::string config = clean_name(entry.value("Config", std::string()));
    Result<std::string> text = src.read_document(config);
    if (!text) {
      return text.take_error();
    }
    Result<ImageConfig> parsed = parse_config_json(*text);
    if (!parsed) {
      return parsed.take_error();
    }
    info.config = *parsed;
    info.config_descriptor = Descriptor{
        std::string(media_type::k_docker_config), Digest::of(*text), text->size(), {}, {}};
    info.manifest.platform = info.config.platform;
    for (const json& l : entry.value("Layers", json::array())) {
      info.layer_paths.push_back(clean_name(l.get<std::string>()));
      info.layers.push_back(Descriptor{}); // no digest known for legacy layer files
    }
    info.ref_names = entry.value("RepoTags", std::vector<std::string>());
    out.push_back(std::move(info));
  }
  return {};
}

Result<std::vector<ImageInfo>> read_all(const Layout& src) {
  std::vector<ImageInfo> out;
  Status s;
  if (src.has("index.json")) {
    Result<json> index = read_json(src, "index.json");
    s = index ? read_index(src, *index, {}, 0, out) : Status(index.take_error());
  } else if (src.has("manifest.json")) {
    s = read_docker_manifest(src, out);
  } else {
    return failure("image", "neither index.json nor manifest.json: not an OCI layout or "
                            "docker-archive");
  }
  if (!s) {
    return s.take_error();
  }
  return out;
}

// --- filesystem extraction ---------------------------------------------------------------

using Tree = std::map<std::string, FsEntry>;

void remove_subtree(Tree& tree, const std::string& path, bool keep_self) {
  if (!keep_self) {
    tree.erase(path);
  }
  std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = tree.lower_bound(prefix); it != tree.end() && it->first.rfind(prefix, 0) == 0;) {
    it = tree.erase(it);
  }
}

struct LayerRead {
  std::vector<FsEntry> entries;
  std::vector<std::pair<std::string, std::string>> hardlinks; // path → target
  std::vector<std::string> whiteouts;                         // paths hidden
  std::vector<std::string> opaque;                            // dirs emptied
};

Result<std::string> normalized(const std::string& raw) {
  return normalize_image_path("/" + clean_name(raw));
}

Status read_entry(struct archive* a, archive_entry* e, uint64_t max_size, LayerRead& out) {
  Result<std::string> path = normalized(entry_name(e));
  if (!path) {
    return failure("layer entry", path.error().what + ": " + path.error().why);
  }
  std::string base = path->substr(path->rfind('/') + 1);
  std::string dir = path->substr(0, path->rfind('/'));
  if (base == ".wh..wh..opq") {
    out.opaque.push_back(dir.empty() ? "/" : dir);
    return {};
  }
  if (base.rfind(".wh.", 0) == 0) {
    out.whiteouts.push_back(dir + "/" + base.substr(4));
    return {};
  }
  if (std::string hl = link_target(e, true); !hl.empty()) {
    Result<std::string> target = normalized(hl);
    if (target) {
      out.hardlinks.emplace_back(*path, *target);
    }
    return {};
  }
  FsEntry f;
  f.path = *path;
  f.mode = archive_entry_perm(e);
  f.uid = static_cast<unsigned>(archive_entry_uid(e));
  f.gid = static_cast<unsigned>(archive_entry_gid(e));
  unsigned type = archive_entry_filetype(e);
  f.type = type == AE_IFREG   ? FsType::file
           : type == AE_IFDIR ? FsType::directory
           : type == AE_IFLNK ? FsType::symlink
                              : FsType::other;
  if (f.type == FsType::symlink) {
    f.link_target = link_target(e, false);
  }
  if (f.type == FsType::file) {
    f.size = static_cast<uint64_t>(archive_entry_size(e));
    if (f.size <= max_size) {
      f.data.resize(f.size);
      la_ssize_t n = archive_read_data(a, f.data.data(), f.data.size());
      if (n < 0 || static_cast<uint64_t>(n) != f.size) {
        return failure(f.path, "truncated in its layer: " + archive_why(a));
      }
    }
  }
  out.entries.push_back(std::move(f));
  return {};
}

// Reads one layer blob through a nested libarchive reader, hashing the blob as it streams.
Status read_layer(const Layout& src, const std::string& name, const Digest& expected,
                  uint64_t max_size, LayerRead& out) {
  return src.stream(name, [&](ByteReader& reader) -> Status {
    struct Ctx {
      ByteReader* reader;
      Sha256 hash;
      std::optional<Error> error;
    } ctx{&reader, {}, {}};
    auto read_cb = [](struct archive*, void* c, const void** buf) -> la_ssize_t {
      auto* x = static_cast<Ctx*>(c);
      Result<std::string_view> block = (*x->reader)();
      if (!block) {
        x->error = block.take_error();
        return -1;
      }
      x->hash.update(block->data(), block->size());
      *buf = block->data();
      return static_cast<la_ssize_t>(block->size());
    };
    ReadArchive a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    archive_read_support_format_empty(a.get());
    Status s;
    if (archive_read_open(a.get(), &ctx, nullptr, read_cb, nullptr) != ARCHIVE_OK) {
      s = failure(name, "not a tar layer: " + archive_why(a.get()));
    }
    archive_entry* e = nullptr;
    int rc = ARCHIVE_OK;
    while (s && (rc = next_header(a.get(), &e)) == ARCHIVE_OK) {
      s = read_entry(a.get(), e, max_size, out);
    }
    if (s && rc != ARCHIVE_EOF) {
      s = failure(name, "corrupt layer: " + archive_why(a.get()));
    }
    // Hash what the tar reader left unread (padding) so the digest covers the whole blob.
    for (Result<std::string_view> rest = reader(); s && rest && !rest->empty(); rest = reader()) {
      ctx.hash.update(rest->data(), rest->size());
    }
    if (ctx.error) {
      return *ctx.error;
    }
    Digest got = Digest::sha256_hex(ctx.hash.hex_digest());
    if (s && !expected.empty() && got != expected) {
      s = failure(name, "the layer's sha256 is " + got.hex() + ", not " + expected.hex());
    }
    return s;
  });
}

void apply_layer(Tree& tree, LayerRead& layer) {
  for (const std::string& dir : layer.opaque) {
    remove_subtree(tree, dir, true);
  }
  for (const std::string& path : layer.whiteouts) {
    remove_subtree(tree, path, false);
  }
  for (FsEntry& e : layer.entries) {
    auto it = tree.find(e.path);
    if (it != tree.end() && it->second.type == FsType::directory && e.type != FsType::directory) {
      remove_subtree(tree, e.path, false);
    }
    tree[e.path] = std::move(e);
  }
  for (const auto& [path, target] : layer.hardlinks) {
    if (auto it = tree.find(target); it != tree.end()) {
      FsEntry copy = it->second;
      copy.path = path;
      tree[path] = std::move(copy);
    }
  }
}

bool platform_matches(const Platform& want, const std::optional<Platform>& have) {
  return have && have->os == want.os && have->architecture == want.architecture &&
         (want.variant.empty() || have->variant.empty() || want.variant == have->variant);
}

Result<const ImageInfo*> choose(const std::vector<ImageInfo>& images,
                                const std::optional<Platform>& platform, const fs::path& path) {
  if (images.empty()) {
    return failure(path.string(), "holds no image");
  }
  if (!platform && images.size() == 1) {
    return &images[0];
  }
  std::vector<std::string> available;
  for (const ImageInfo& i : images) {
    if (platform && platform_matches(*platform, i.manifest.platform)) {
      return &i;
    }
    available.push_back(i.manifest.platform ? i.manifest.platform->to_string() : "unknown");
  }
  return failure(path.string(),
                 platform ? "has no image for " + platform->to_string()
                          : std::string("holds several images: choose a platform"),
                 "available: " + join(available, ", "));
}

} // namespace

Result<std::vector<ImageInfo>> read_images(const fs::path& path) {
  Result<Layout> layout = Layout::open(path);
  if (!layout) {
    return layout.take_error();
  }
  return read_all(*layout);
}

Result<std::vector<FsEntry>> extract_filesystem(const fs::path& path,
                                                const ExtractOptions& options) {
  // Layer entry names are converted through the locale (utf8_locale.h).
  Utf8Locale utf8;
  Result<Layout> layout = Layout::open(path);
  if (!layout) {
    return layout.take_error();
  }
  Result<std::vector<ImageInfo>> images = read_all(*layout);
  if (!images) {
    return images.take_error();
  }
  Result<const ImageInfo*> image = choose(*images, options.platform, path);
  if (!image) {
    return image.take_error();
  }
  Tree tree;
  const ImageInfo& info = **image;
  for (size_t i = 0; i < info.layer_paths.size(); ++i) {
    LayerRead layer;
    if (Status s = read_layer(*layout, info.layer_paths[i], info.layers[i].digest,
                              options.max_file_size, layer);
        !s) {
      return s.take_error();
    }
    apply_layer(tree, layer);
  }
  std::vector<FsEntry> out;
  out.reserve(tree.size());
  for (auto& [p, e] : tree) {
    out.push_back(std::move(e));
  }
  return out;
}

} // namespace sp::packager
