#include "packager/image_reader.h"

#include "packager/archive_read.h"
#include "packager/layer.h"
#include "packager/layout.h"
#include "packager/utf8_locale.h"
#include "util/spool.h"
#include "util/strings.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace sp::packager {

namespace {

using namespace archive_read;
using nlohmann::json;

// Linux's PATH_MAX: no longer path can be created or run in a container.
constexpr size_t k_max_path = 4096;

Result<json> read_json(const Layout& src, const std::string& name) {
  std::string text = SP_TRY(src.read_document(name));
  return parse_json(text, src.where(name));
}

Result<json> read_json(const Layout& src, const Descriptor& d) {
  std::string text = SP_TRY(src.read_document(d));
  return parse_json(text, src.where(blob_name(d.digest)));
}

// A JSON value of the wanted shape, or an error naming the document.
Status expect(bool ok, const std::string& where, const std::string& what) {
  if (!ok) {
    return io_error(where, "not " + what);
  }
  return {};
}

// Reads one manifest and its config.
Result<ImageInfo> read_manifest(const Layout& src, const Descriptor& d,
                                const std::vector<std::string>& refs) {
  json m = SP_TRY(read_json(src, d));
  std::string where = "manifest " + d.digest.to_string();
  SP_TRY(expect(m.is_object(), where, "an image manifest (a JSON object)"));
  ImageInfo info;
  info.manifest = d;
  info.ref_names = refs;
  info.config_descriptor = SP_TRY(descriptor_from_json(m.value("config", json()), where));
  json layers = m.value("layers", json::array());
  SP_TRY(expect(layers.is_array(), where, "an image manifest ('layers' is not a list)"));
  for (const json& l : layers) {
    Descriptor layer = SP_TRY(descriptor_from_json(l, where));
    info.layers.push_back(layer);
    info.layer_paths.push_back(blob_name(layer.digest));
  }
  std::string config_text = SP_TRY(src.read_document(info.config_descriptor));
  info.config = SP_TRY(parse_config_json(config_text));
  if (!info.manifest.platform) {
    info.manifest.platform = info.config.platform;
  }
  return info;
}

bool is_index_type(std::string_view type) {
  return type == media_type::k_index || type == media_type::k_docker_manifest_list;
}

// The images found so far, and where each manifest digest is among them.
struct Listing {
  std::vector<ImageInfo> images;
  std::map<Digest, size_t> by_digest;
};

// Reads an index and what it lists; an image listed again (another tag) adds its names to the
// first listing instead of being read twice.
Status read_index(const Layout& src, const json& index, const std::string& where,
                  const std::vector<std::string>& refs, unsigned depth, Listing& out) {
  if (depth > src.limits().max_index_depth) {
    return limit_error(where,
                       "image indexes nested more than " +
                           std::to_string(src.limits().max_index_depth) + " deep",
                       "--max-index-depth");
  }
  SP_TRY(expect(index.is_object(), where, "an image index (a JSON object)"));
  json manifests = index.value("manifests", json::array());
  SP_TRY(expect(manifests.is_array(), where, "an image index ('manifests' is not a list)"));
  for (const json& m : manifests) {
    Descriptor d = SP_TRY(descriptor_from_json(m, where));
    std::vector<std::string> names = refs;
    if (auto it = d.annotations.find(std::string(annotation::k_ref_name));
        it != d.annotations.end()) {
      names.push_back(it->second);
    }
    if (is_index_type(d.media_type)) {
      json child = SP_TRY(read_json(src, d));
      SP_TRY(read_index(src, child, src.where(blob_name(d.digest)), names, depth + 1, out));
      continue;
    }
    if (auto seen = out.by_digest.find(d.digest); seen != out.by_digest.end()) {
      std::vector<std::string>& known = out.images[seen->second].ref_names;
      for (std::string& n : names) {
        if (std::find(known.begin(), known.end(), n) == known.end()) {
          known.push_back(std::move(n));
        }
      }
      continue;
    }
    out.by_digest[d.digest] = out.images.size();
    out.images.push_back(SP_TRY(read_manifest(src, d, names)));
  }
  return {};
}

// A docker-archive without an OCI index: manifest.json entries name the config and layer files.
Status read_docker_manifest(const Layout& src, std::vector<ImageInfo>& out) {
  json m = SP_TRY(read_json(src, "manifest.json"));
  std::string where = src.where("manifest.json");
  SP_TRY(expect(m.is_array(), where, "a docker-archive manifest (a JSON list)"));
  for (const json& entry : m) {
    SP_TRY(expect(entry.is_object() && entry.value("Config", json()).is_string(), where,
                  "a docker-archive manifest (an entry without a Config name)"));
    ImageInfo info;
    std::string config = clean_name(entry["Config"].get<std::string>());
    std::string text = SP_TRY(src.read_document(config));
    info.config = SP_TRY(parse_config_json(text));
    info.config_descriptor = Descriptor{
        std::string(media_type::k_docker_config), Digest::of(text), text.size(), {}, {}, {}};
    info.manifest.platform = info.config.platform;
    json layers = entry.value("Layers", json::array());
    SP_TRY(expect(layers.is_array(), where, "a docker-archive manifest ('Layers' is not a list)"));
    for (const json& l : layers) {
      SP_TRY(expect(l.is_string(), where, "a docker-archive manifest (a layer name is not text)"));
      info.layer_paths.push_back(clean_name(l.get<std::string>()));
      info.layers.push_back(Descriptor{}); // no descriptor for legacy layer files
    }
    json tags = entry.value("RepoTags", json::array());
    if (tags.is_array()) {
      for (const json& t : tags) {
        if (t.is_string()) {
          info.ref_names.push_back(t.get<std::string>());
        }
      }
    }
    out.push_back(std::move(info));
  }
  return {};
}

Result<std::vector<ImageInfo>> read_all(const Layout& src) {
  Listing out;
  if (src.has("index.json")) {
    json index = SP_TRY(read_json(src, "index.json"));
    SP_TRY(read_index(src, index, src.where("index.json"), {}, 0, out));
  } else if (src.has("manifest.json")) {
    SP_TRY(read_docker_manifest(src, out.images));
  } else {
    return io_error(src.path().string(), "neither index.json nor manifest.json: not an OCI "
                                         "layout or docker-archive");
  }
  return std::move(out.images);
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

bool starts_with_elf_magic(std::string_view bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(),
                                          "\x7f"
                                          "ELF",
                                          4) == 0;
}

// Reads the layers of one image, within the limits: every entry counted, each file's head kept
// and ELF files spooled, nothing else of a file's data held.
class Extractor {
public:
  Extractor(const Layout& src, const ExtractOptions& options)
      : m_src(src), m_options(options), m_limits(options.limits) {}

  // Reads the layer `path` (checked against `layer` when it has a digest) and applies it.
  Status add_layer(const std::string& path, const Descriptor& layer) {
    m_label = layer.digest.empty() ? m_src.where(path) : "layer " + layer.digest.to_string();
    LayerRead read;
    auto fn = [&](ByteReader& reader) { return read_layer(reader, read); };
    SP_TRY(layer.digest.empty() ? m_src.stream(path, fn) : m_src.stream(layer, fn));
    apply(read);
    return {};
  }

  std::vector<FsEntry> take() {
    std::vector<FsEntry> out;
    out.reserve(m_tree.size());
    for (auto& [p, e] : m_tree) {
      out.push_back(std::move(e));
    }
    return out;
  }

private:
  Error limit(std::string why, std::string_view flag) const {
    return limit_error(m_src.path().string(), std::move(why) + " (" + m_label + ")", flag);
  }

  Status read_layer(ByteReader& reader, LayerRead& out) {
    struct Ctx {
      ByteReader* reader;
      std::optional<Error> error;
    } ctx{&reader, {}};
    auto read_cb = [](struct archive*, void* c, const void** buf) -> la_ssize_t {
      auto* x = static_cast<Ctx*>(c);
      Result<std::string_view> block = (*x->reader)();
      if (!block) {
        x->error = block.take_error();
        return -1;
      }
      *buf = block->data();
      return static_cast<la_ssize_t>(block->size());
    };
    ReadArchive a(archive_read_new());
    // A layer is a tar, gzip'd or zstd'd (the OCI media types); nothing else is decoded.
    archive_read_support_filter_gzip(a.get());
    archive_read_support_filter_zstd(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    archive_read_support_format_empty(a.get());
    Status s;
    if (archive_read_open(a.get(), &ctx, nullptr, read_cb, nullptr) != ARCHIVE_OK) {
      s = io_error(m_label, "not a tar layer: " + archive_why(a.get()));
    }
    archive_entry* e = nullptr;
    int rc = ARCHIVE_OK;
    while (s && (rc = next_header(a.get(), &e)) == ARCHIVE_OK) {
      s = check_total(a.get());
      if (s) {
        s = read_entry(a.get(), e, out);
      }
    }
    if (s && rc != ARCHIVE_EOF) {
      s = io_error(m_label, "corrupt layer: " + archive_why(a.get()));
    }
    if (ctx.error) {
      return *ctx.error;
    }
    if (s) {
      s = check_total(a.get());
    }
    m_total += static_cast<uint64_t>(archive_filter_bytes(a.get(), 0));
    return s;
  }

  // The uncompressed bytes of this image's layers so far, against --max-total-size.
  Status check_total(struct archive* a) const {
    if (m_total + static_cast<uint64_t>(archive_filter_bytes(a, 0)) > m_limits.max_total_size) {
      return limit("more than " + format_limit(m_limits.max_total_size) +
                       " of uncompressed layer data",
                   "--max-total-size");
    }
    return {};
  }

  // Counts bytes of names, link targets and heads kept, against --max-entries.
  Status count_name_bytes(uint64_t n) {
    m_name_bytes += n;
    if (m_name_bytes > m_limits.max_name_bytes()) {
      return limit("paths, link targets and file heads add up to more than " +
                       format_limit(m_limits.max_name_bytes()) + " (" +
                       std::to_string(ReadLimits::k_name_bytes_per_entry) +
                       " bytes for each of --max-entries)",
                   "--max-entries");
    }
    return {};
  }

  Status read_entry(struct archive* a, archive_entry* e, LayerRead& out) {
    if (++m_entries > m_limits.max_entries) {
      return limit("more than " + std::to_string(m_limits.max_entries) +
                       " entries in the image's layers",
                   "--max-entries");
    }
    std::string raw = entry_name(e);
    std::string hard = link_target(e, true);
    std::string soft = archive_entry_filetype(e) == AE_IFLNK ? link_target(e, false) : "";
    if (raw.size() > k_max_path || hard.size() > k_max_path || soft.size() > k_max_path) {
      return io_error(m_label, "an entry's path or link target is longer than " +
                                   std::to_string(k_max_path) + " bytes");
    }
    SP_TRY(count_name_bytes(raw.size() + hard.size() + soft.size()));
    Result<std::string> path = normalized(raw);
    if (!path) {
      return io_error(m_label, "entry " + path.error().what + ": " + path.error().why);
    }
    std::string base = path->substr(path->rfind('/') + 1);
    std::string dir = path->substr(0, path->rfind('/'));
    if (base == ".wh..wh..opq") {
      out.opaque.push_back(dir.empty() ? "/" : dir);
      return {};
    }
    if (base.starts_with(".wh.")) {
      out.whiteouts.push_back(dir + "/" + base.substr(4));
      return {};
    }
    if (!hard.empty()) {
      if (++m_hardlinks > m_limits.max_hardlinks) {
        return limit("more than " + std::to_string(m_limits.max_hardlinks) +
                         " hard links in the image's layers",
                     "--max-hardlinks");
      }
      if (Result<std::string> target = normalized(hard)) {
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
    f.link_target = soft;
    if (f.type == FsType::file) {
      SP_TRY(read_file_data(a, e, f));
    }
    out.entries.push_back(std::move(f));
    return {};
  }

  // Keeps the file's head, and copies an ELF file whole to the spool. The rest of a file's data
  // is left for libarchive to skip.
  Status read_file_data(struct archive* a, archive_entry* e, FsEntry& f) {
    la_int64_t claimed = archive_entry_size(e);
    f.size = claimed < 0 ? 0 : static_cast<uint64_t>(claimed);
    if (f.size > m_limits.max_entry_size) {
      return limit("file " + f.path + " is " + std::to_string(f.size) + " bytes, more than " +
                       format_limit(m_limits.max_entry_size),
                   "--max-entry-size");
    }
    std::string first; // the first bytes, until there are enough to tell an ELF file
    bool decided = false;
    bool elf = false;
    uint64_t base = 0;
    auto decide = [&]() -> Status {
      decided = true;
      elf = m_options.spool_elf && starts_with_elf_magic(first);
      if (elf) {
        if (!m_spool) {
          m_spool = std::shared_ptr<Spool>(SP_TRY(Spool::create()));
        }
        base = m_spool->size();
      }
      return keep(f, elf, base, 0, first);
    };
    const void* buf = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_data_block(a, &buf, &n, &offset)) == ARCHIVE_OK) {
      auto at = static_cast<uint64_t>(offset);
      if (offset < 0 || at > f.size || n > f.size - at) {
        return io_error(m_label, "file " + f.path + " holds more data than its header says");
      }
      std::string_view block(static_cast<const char*>(buf), n);
      if (!decided && at == first.size()) {
        first.append(block);
        if (first.size() < 4 && first.size() < f.size) {
          continue;
        }
        SP_TRY(decide());
      } else {
        if (!decided) {
          SP_TRY(decide()); // a hole at the start: not ELF
        }
        SP_TRY(keep(f, elf, base, at, block));
      }
      if (!elf && f.data.size() >= std::min<uint64_t>(m_options.head_size, f.size)) {
        break; // nothing more to keep: libarchive skips the rest
      }
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_EOF) {
      return io_error(m_label, "file " + f.path + " is truncated: " + archive_why(a));
    }
    if (!decided) {
      SP_TRY(decide());
    }
    if (elf) {
      SP_TRY(m_spool->extend(base + f.size)); // a hole at the end of a sparse file
      f.spool = m_spool;
      f.spool_offset = base;
    } else if (!m_options.all_heads && !f.data.starts_with("#!")) {
      f.data = std::string();
    }
    return count_name_bytes(f.data.size());
  }

  // The bytes of `block` at `at`: into the head when they fall in it, into the spool for ELF.
  Status keep(FsEntry& f, bool elf, uint64_t base, uint64_t at, std::string_view block) {
    uint64_t head = std::min<uint64_t>(m_options.head_size, f.size);
    if (at < head) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(block.size(), head - at));
      if (f.data.size() < at + n) {
        f.data.resize(static_cast<size_t>(at + n));
      }
      std::memcpy(f.data.data() + at, block.data(), n);
    }
    if (elf && !block.empty()) {
      SP_TRY(m_spool->write_at(base + at, block.data(), block.size()));
    }
    return {};
  }

  void apply(LayerRead& layer) {
    for (const std::string& dir : layer.opaque) {
      remove_subtree(m_tree, dir, true);
    }
    for (const std::string& path : layer.whiteouts) {
      remove_subtree(m_tree, path, false);
    }
    for (FsEntry& e : layer.entries) {
      auto it = m_tree.find(e.path);
      if (it != m_tree.end() && it->second.type == FsType::directory &&
          e.type != FsType::directory) {
        remove_subtree(m_tree, e.path, false);
      }
      m_tree[e.path] = std::move(e);
    }
    // A hard link shares its target's head and spooled contents: no file data is copied.
    for (const auto& [path, target] : layer.hardlinks) {
      if (auto it = m_tree.find(target); it != m_tree.end()) {
        FsEntry link = it->second;
        link.path = path;
        m_tree[path] = std::move(link);
      }
    }
  }

  const Layout& m_src;
  const ExtractOptions& m_options;
  const ReadLimits& m_limits;
  std::string m_label;
  Tree m_tree;
  std::shared_ptr<Spool> m_spool;
  uint64_t m_entries = 0;
  uint64_t m_hardlinks = 0;
  uint64_t m_name_bytes = 0;
  uint64_t m_total = 0;
};

bool platform_matches(const Platform& want, const std::optional<Platform>& have) {
  return have && have->os == want.os && have->architecture == want.architecture &&
         (want.variant.empty() || have->variant.empty() || want.variant == have->variant);
}

Result<const ImageInfo*> choose(const std::vector<ImageInfo>& images, const ExtractOptions& options,
                                const fs::path& path) {
  if (images.empty()) {
    return failure(path.string(), "holds no image");
  }
  if (options.manifest) {
    for (const ImageInfo& i : images) {
      if (i.manifest.digest == *options.manifest) {
        return &i;
      }
    }
    return usage_error(path.string(), "has no image manifest " + options.manifest->to_string());
  }
  const std::optional<Platform>& platform = options.platform;
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
  // The image holds what it holds: asking for another platform is a usage error (exit 2).
  return usage_error(path.string(),
                     platform ? "has no image for " + platform->to_string()
                              : std::string("holds several images: choose a platform"),
                     "available: " + join(available, ", "));
}

} // namespace

Result<std::vector<ImageInfo>> read_images(const fs::path& path, const ReadLimits& limits) {
  Layout layout = SP_TRY(Layout::open(path, LayoutOptions{std::nullopt, limits}));
  return read_all(layout);
}

Result<std::vector<FsEntry>> extract_filesystem(const fs::path& path,
                                                const ExtractOptions& options) {
  // Layer entry names are converted through the locale (utf8_locale.h).
  Utf8Locale utf8;
  Layout layout = SP_TRY(Layout::open(path, LayoutOptions{std::nullopt, options.limits}));
  std::vector<ImageInfo> images = SP_TRY(read_all(layout));
  const ImageInfo& info = *SP_TRY(choose(images, options, path));
  Extractor x(layout, options);
  for (size_t i = 0; i < info.layer_paths.size(); ++i) {
    SP_TRY(x.add_layer(info.layer_paths[i], info.layers[i]));
  }
  return x.take();
}

} // namespace sp::packager
