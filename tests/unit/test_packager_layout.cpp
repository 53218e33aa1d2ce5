// The one layout reader: directories and archives (plain and compressed) read the same, large
// members stream from the archive, unpacking checks every blob against its name, and
// layout_root picks the one root of an index.json.
#include "packager/layout.h"
#include "packager/writers.h"
#include "test_packager_helpers.h"
#include "util/process.h"
#include "util/sha256.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

Image one_file_image(const BlobStore& store, const std::string& content) {
  LayerSpec spec;
  spec.add_bytes("/hello", content, 0755);
  LayerOptions o;
  o.compression = Compression::none;
  Layer layer = build_layer(spec, o, store).value();
  ImageConfig config = default_config(parse_platform("linux/amd64").value(), 0);
  return make_image(config, {layer}, {}, store).value();
}

// Every byte of a member, through stream().
std::string streamed(const Layout& layout, const std::string& name) {
  std::string out;
  Status s = layout.stream(name, [&](ByteReader& reader) -> Status {
    for (Result<std::string_view> block = reader(); block; block = reader()) {
      if (block->empty()) {
        return {};
      }
      out.append(*block);
    }
    return failure(name, "read error");
  });
  REQUIRE(s.ok());
  return out;
}

// tar -C DIR -cf ARCHIVE [-z] . (GNU tar: "./" names, as `docker save` writes them).
void tar_dir(const fs::path& dir, const fs::path& archive, bool gzip = false) {
  std::vector<std::string> argv = {
      "tar", "-C", dir.string(), gzip ? "-czf" : "-cf", archive.string(), "."};
  Result<ProcessResult> r = run_process(argv);
  REQUIRE(r.ok());
  REQUIRE(r->exit_code == 0);
}

} // namespace

TEST_CASE("packager.layout: a directory and its archives read the same") {
  TempDir dir("sp-layout");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = one_file_image(store, "hello");
  std::string layer = blob_name(image.layers[0].digest);
  CHECK(layer == "blobs/sha256/" + image.layers[0].digest.hex());
  REQUIRE(write_oci_dir(image, store, dir.path() / "oci"));
  REQUIRE(write_archive(image, store, dir.path() / "img.tar"));
  tar_dir(dir.path() / "oci", dir.path() / "img.tar.gz", true);

  for (const char* name : {"oci", "img.tar", "img.tar.gz"}) {
    CAPTURE(name);
    Layout l = Layout::open(dir.path() / name).value();
    CHECK(l.is_archive() == (std::string(name) != "oci"));
    CHECK(l.path() == dir.path() / name);
    CHECK(l.has("index.json"));
    CHECK(l.has(layer));
    CHECK_FALSE(l.has("blobs/sha256/nothing"));
    CHECK(l.read_document(blob_name(image.manifest.digest)).value() == image.manifest_bytes);
    CHECK(streamed(l, layer) == blob_bytes(store, image.layers[0].digest));
    Result<std::string> missing = l.read_document("nothing.json");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().what == l.where("nothing.json"));
  }
  Layout tar = Layout::open(dir.path() / "img.tar").value();
  CHECK(tar.where("index.json") == (dir.path() / "img.tar").string() + ":index.json");
  CHECK(tar.read_document("nothing.json").error().why == "not in the archive");
  CHECK(Layout::open(dir.path() / "oci").value().where("index.json") ==
        (dir.path() / "oci" / "index.json").string());
}

TEST_CASE("packager.layout: a member larger than a document streams from the archive") {
  TempDir dir("sp-layout");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = one_file_image(store, pseudo_text(k_max_document + 4096, 7));
  REQUIRE(write_archive(image, store, dir.path() / "big.tar"));
  std::string layer = blob_name(image.layers[0].digest);

  Layout l = Layout::open(dir.path() / "big.tar").value();
  REQUIRE(l.has(layer));
  Result<std::string> whole = l.read_document(layer);
  REQUIRE_FALSE(whole.ok());
  CHECK(whole.error().why == "too large for a JSON document");
  Sha256 hash;
  hash.update(streamed(l, layer));
  CHECK(Digest::sha256_hex(hash.hex_digest()) == image.layers[0].digest);
}

TEST_CASE("packager.layout: unpacking copies an archive's blobs into a store") {
  TempDir dir("sp-layout");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = one_file_image(store, "unpack me");
  REQUIRE(write_archive(image, store, dir.path() / "img.tar"));

  BlobStore into = BlobStore::open(dir.path() / "into").value();
  Layout l = Layout::open(dir.path() / "img.tar", LayoutOptions{into}).value();
  for (const Digest& d : {image.manifest.digest, image.config.digest, image.layers[0].digest}) {
    CHECK(into.has(d));
    CHECK(l.has(blob_name(d)));
  }
  // Blobs are read back from the store; the other members are still in the layout.
  CHECK(l.read_document(blob_name(image.manifest.digest)).value() == image.manifest_bytes);
  CHECK(streamed(l, blob_name(image.layers[0].digest)) ==
        blob_bytes(store, image.layers[0].digest));
  CHECK(l.read_document("index.json").ok());

  // A directory is read in place: nothing is copied.
  REQUIRE(write_oci_dir(image, store, dir.path() / "oci"));
  BlobStore untouched = BlobStore::open(dir.path() / "untouched").value();
  REQUIRE(Layout::open(dir.path() / "oci", LayoutOptions{untouched}).ok());
  CHECK_FALSE(untouched.has(image.manifest.digest));
}

TEST_CASE("packager.layout: a blob whose content does not hash to its name is refused") {
  TempDir dir("sp-layout");
  fs::path root = dir.path() / "damaged";
  Digest named = Digest::of("what the name says");
  REQUIRE(make_dirs(root / "blobs" / "sha256"));
  REQUIRE(write_file_atomic(root / "index.json", R"({"schemaVersion":2,"manifests":[]})"));
  REQUIRE(write_file_atomic(root / "blobs" / "sha256" / named.hex(), "something else"));
  tar_dir(root, dir.path() / "damaged.tar");

  BlobStore into = BlobStore::open(dir.path() / "into").value();
  Result<Layout> l = Layout::open(dir.path() / "damaged.tar", LayoutOptions{into});
  REQUIRE_FALSE(l.ok());
  CHECK(l.error().what == (dir.path() / "damaged.tar").string() + ":" + blob_name(named));
  CHECK(l.error().why ==
        "its contents hash to " + Digest::of("something else").to_string() + ", not to its name");
  CHECK(l.error().hint == "the archive is damaged; build or save it again");
  // Read without unpacking, the archive opens: a layer is checked when it is extracted.
  CHECK(Layout::open(dir.path() / "damaged.tar").ok());
}

TEST_CASE("packager.layout: what is not a layout") {
  TempDir dir("sp-layout");
  Result<Layout> missing = Layout::open(dir.path() / "missing.tar");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().why == "no such image archive or directory");
  CHECK(missing.error().kind == ErrorKind::usage_or_io);

  REQUIRE(write_file_atomic(dir.path() / "x.tar", "not a tar at all"));
  Result<Layout> garbage = Layout::open(dir.path() / "x.tar");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().what == (dir.path() / "x.tar").string());
  CHECK(garbage.error().why == "cannot open the archive: Unrecognized archive format");
}

TEST_CASE("packager.layout: an index.json must name one root") {
  Digest a = Digest::of("a");
  Digest b = Digest::of("b");
  auto entry = [](const Digest& d, const std::string& tag) {
    return R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
           d.to_string() + R"(","size":10,"annotations":{"org.opencontainers.image.ref.name":")" +
           tag + R"("}})";
  };
  // Two tags of one image are one root.
  Descriptor root = layout_root(R"({"schemaVersion":2,"manifests":[)" + entry(a, "1") + "," +
                                    entry(a, "2") + "]}",
                                "index.json")
                        .value();
  CHECK(root.digest == a);
  CHECK(root.annotations.empty());
  auto two = layout_root(R"({"manifests":[)" + entry(a, "1") + "," + entry(b, "2") + "]}", "i");
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().why.find("2 different images") != std::string::npos);
  CHECK(two.error().kind == ErrorKind::usage_or_io);
  auto none = layout_root(R"({"manifests":[]})", "i");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().why == "lists no image");
  auto not_an_index = layout_root("[]", "i");
  REQUIRE_FALSE(not_an_index.ok());
  CHECK(not_an_index.error().why == "has no 'manifests' list");
  auto broken = layout_root("{", "i");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().kind == ErrorKind::usage_or_io);
}
