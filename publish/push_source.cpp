#include "publish/push_source.h"

#include "packager/layout.h"

#include <set>

namespace sp::publish {

using nlohmann::json;
using packager::BlobStore;
using packager::BlobWriter;
using packager::Descriptor;
using packager::descriptor_from_json;
using packager::Digest;
using packager::Layout;
using packager::layout_root;
using packager::LayoutOptions;
using packager::ReadLimits;

namespace {

// Anything wrong with the source is an input problem (exit 2): exit 1 is kept for a registry
// that refuses the push.
Error as_io(Error e) {
  e.kind = ErrorKind::usage_or_io;
  return e;
}

Error docker_only(const fs::path& path) {
  return io_error(path.string(), "is a docker-archive without an OCI index.json",
                  "convert it first: skopeo copy docker-archive:" + path.string() +
                      " oci-archive:image.tar");
}

// A push needs index.json; a docker-archive (manifest.json only) gets a hint to convert it.
Status check_index(const Layout& layout) {
  if (layout.has("index.json")) {
    return {};
  }
  if (layout.has("manifest.json")) {
    return docker_only(layout.path());
  }
  return io_error(layout.path().string(), layout.is_archive()
                                              ? "has no index.json: not an OCI image archive"
                                              : "has no index.json: not an OCI image layout");
}

Result<Descriptor> read_root(const Layout& layout) {
  std::string index = SP_TRY(layout.read_document("index.json"));
  return layout_root(index, layout.where("index.json"));
}

// Copies what the root names from the layout into the private store, checking each document
// and blob against its descriptor as it streams. The store names every blob by the sha256 of
// the bytes written to it, so a blob already there (unpacked from an archive) is the right one
// and only its size is left to check.
class Gather {
public:
  Gather(const Layout& layout, const BlobStore& store) : m_layout(layout), m_store(store) {}

  // A manifest or an index: `depth` indexes above it, index.json counted.
  Status document(const Descriptor& d, unsigned depth) {
    if (!m_done.insert(d.digest).second) {
      return {};
    }
    std::string where = m_layout.where(packager::blob_name(d.digest));
    std::string text = SP_TRY(m_layout.read_document(d));
    if (!m_store.has(d.digest)) {
      SP_TRY(m_store.put(text));
    }
    json j = SP_TRY(packager::parse_json(text, where));
    if (j.is_object() && j.contains("manifests") && j["manifests"].is_array()) {
      if (depth > m_layout.limits().max_index_depth) {
        return packager::limit_error(where,
                                     "image indexes nested more than " +
                                         std::to_string(m_layout.limits().max_index_depth) +
                                         " deep",
                                     "--max-index-depth");
      }
      for (const json& m : j["manifests"]) {
        Descriptor child = SP_TRY(descriptor_from_json(m, where));
        SP_TRY(document(child, depth + 1));
      }
      return {};
    }
    if (!j.is_object() || !j.contains("config")) {
      return io_error(where, "is neither an image manifest nor an index");
    }
    Descriptor config = SP_TRY(descriptor_from_json(j["config"], where));
    SP_TRY(blob(config));
    json layers = j.value("layers", json::array());
    if (!layers.is_array()) {
      return io_error(where, "is not an image manifest ('layers' is not a list)");
    }
    for (const json& l : layers) {
      Descriptor layer = SP_TRY(descriptor_from_json(l, where));
      SP_TRY(blob(layer));
    }
    return {};
  }

private:
  Status blob(const Descriptor& d) {
    if (!m_done.insert(d.digest).second) {
      return {};
    }
    if (m_store.has(d.digest)) {
      uint64_t size = SP_TRY(m_store.size_of(d.digest));
      if (size != d.size) {
        return io_error(m_layout.where(packager::blob_name(d.digest)),
                        "is " + std::to_string(size) + " bytes, not the " + std::to_string(d.size) +
                            " its descriptor says",
                        "the image is damaged; build or save it again");
      }
      return {};
    }
    BlobWriter w = SP_TRY(BlobWriter::create(m_store));
    SP_TRY(m_layout.stream(d, [&](packager::ByteReader& reader) -> Status {
      for (;;) {
        std::string_view block = SP_TRY(reader());
        if (block.empty()) {
          return {};
        }
        SP_TRY(w.write(block));
      }
    }));
    packager::BlobInfo info = SP_TRY(w.commit());
    if (info.digest != d.digest || info.size != d.size) {
      return io_error(m_layout.where(packager::blob_name(d.digest)), "changed while it was copied");
    }
    return {};
  }

  const Layout& m_layout;
  const BlobStore& m_store;
  std::set<Digest> m_done;
};

} // namespace

Result<PushSource> open_push_source(const fs::path& path, const ReadLimits& limits) {
  std::error_code ec;
  bool dir = fs::is_directory(path, ec);
  if (!dir && !fs::is_regular_file(path, ec)) {
    return io_error(path.string(), "no such image archive or OCI layout directory");
  }
  auto scratch = std::make_shared<TempDir>("scratchpack-push");
  BlobStore store = SP_TRY(BlobStore::open(scratch->path() / "blobs"));
  LayoutOptions options;
  options.limits = limits;
  if (!dir) {
    options.unpack_blobs = store; // copied and checked in the one pass over the archive
  }
  Result<Layout> layout = Layout::open(path, options);
  if (!layout) {
    return as_io(layout.take_error());
  }
  SP_TRY(check_index(*layout));
  Result<Descriptor> root = read_root(*layout);
  if (!root) {
    return as_io(root.take_error());
  }
  Gather gather(*layout, store);
  if (Status s = gather.document(*root, 1); !s) {
    return as_io(s.take_error());
  }
  return PushSource{scratch, store, *root};
}

} // namespace sp::publish
