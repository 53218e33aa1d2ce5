#include "packager/image_reader.h"
#include "packager/writers.h"
#include "test_packager_helpers.h"
#include "util/process.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

Layer make_layer(const BlobStore& store, const std::function<void(LayerSpec&)>& fill,
                 Compression c = Compression::gzip) {
  LayerSpec spec;
  fill(spec);
  LayerOptions o;
  o.compression = c;
  return build_layer(spec, o, store).value();
}

std::map<std::string, FsEntry> by_path(const std::vector<FsEntry>& files) {
  std::map<std::string, FsEntry> out;
  for (const FsEntry& f : files) {
    out[f.path] = f;
  }
  return out;
}

} // namespace

TEST_CASE("packager.image_reader: layers merge in order with whiteouts") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Layer base = make_layer(store, [](LayerSpec& s) {
    s.add_bytes("/a/x", "x1");
    s.add_bytes("/a/y", "y1");
    s.add_bytes("/b/old", "old");
    s.add_bytes("/c", "c1");
    s.add_symlink("/link", "a/x");
  });
  Layer top = make_layer(
      store,
      [](LayerSpec& s) {
        s.add_bytes("/a/.wh.x", "");        // delete /a/x
        s.add_bytes("/b/.wh..wh..opq", ""); // empty /b of lower layers
        s.add_bytes("/b/new", "new");
        s.add_bytes("/c", "c2", 0600); // replace
      },
      Compression::zstd);
  ImageConfig config = default_config(parse_platform("amd64").value(), 0);
  Image image = make_image(config, {base, top}, {}, store).value();
  REQUIRE(write_archive(image, store, dir.path() / "img.tar"));

  std::map<std::string, FsEntry> fs = by_path(extract_filesystem(dir.path() / "img.tar").value());
  CHECK(fs.count("/a/x") == 0);
  CHECK(fs.at("/a/y").data == "y1");
  CHECK(fs.count("/b/old") == 0);
  CHECK(fs.at("/b/new").data == "new");
  CHECK(fs.at("/b").type == FsType::directory);
  CHECK(fs.at("/c").data == "c2");
  CHECK(fs.at("/c").mode == 0600);
  CHECK(fs.at("/link").type == FsType::symlink);
  CHECK(fs.at("/link").link_target == "a/x");
  for (const auto& [path, e] : fs) {
    CHECK(path.find(".wh.") == std::string::npos);
  }

  ExtractOptions small;
  small.max_file_size = 1;
  std::map<std::string, FsEntry> sizes =
      by_path(extract_filesystem(dir.path() / "img.tar", small).value());
  CHECK(sizes.at("/a/y").data.empty());
  CHECK(sizes.at("/a/y").size == 2);
}

TEST_CASE("packager.image_reader: a docker-archive without index.json is read from manifest.json") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Layer layer = make_layer(store, [](LayerSpec& s) { s.add_bytes("/hello", "hi", 0755); });
  Image image =
      make_image(default_config(parse_platform("arm64").value(), 0), {layer}, {}, store).value();
  WriteOptions w;
  w.refs = {"hello:latest"};
  REQUIRE(write_archive(image, store, dir.path() / "img.tar", w));
  // Unpack, and drop the OCI side: what remains is a plain docker-archive.
  fs::path docker = dir.path() / "docker";
  for (const TarItem& t : list_tar(read_file(dir.path() / "img.tar").value())) {
    if (t.type == AE_IFDIR) {
      fs::create_directories(docker / t.name);
    } else if (t.name != "index.json" && t.name != "oci-layout") {
      REQUIRE(write_file_atomic(docker / t.name, t.data));
    }
  }
  std::vector<ImageInfo> images = read_images(docker).value();
  REQUIRE(images.size() == 1);
  CHECK(images[0].ref_names == std::vector<std::string>{"hello:latest"});
  CHECK(images[0].config.platform.to_string() == "linux/arm64/v8");
  CHECK(extract_filesystem(docker).value().at(0).data == "hi");

  // The older shape: <id>/layer.tar is a symlink to the file, packed by GNU tar ("./" names).
  fs::create_directories(docker / "legacy-id");
  fs::create_symlink("../blobs/sha256/" + layer.digest.hex(), docker / "legacy-id" / "layer.tar");
  std::string manifest = read_file(docker / "manifest.json").value();
  std::string blob_ref = "blobs/sha256/" + layer.digest.hex();
  manifest.replace(manifest.find(blob_ref), blob_ref.size(), "legacy-id/layer.tar");
  fs::remove(docker / "manifest.json");
  REQUIRE(write_file_atomic(docker / "manifest.json", manifest));
  Result<ProcessResult> tar =
      run_process({"tar", "-C", docker.string(), "-cf", (dir.path() / "legacy.tar").string(), "."});
  REQUIRE(tar.ok());
  REQUIRE(tar->exit_code == 0);
  std::vector<FsEntry> legacy = extract_filesystem(dir.path() / "legacy.tar").value();
  REQUIRE(legacy.size() == 1);
  CHECK(legacy[0].data == "hi");
}

TEST_CASE("packager.image_reader: a layer whose bytes do not match its digest is an error") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Layer good = make_layer(store, [](LayerSpec& s) { s.add_bytes("/a", "a"); }, Compression::none);
  Layer other = make_layer(store, [](LayerSpec& s) { s.add_bytes("/b", "b"); }, Compression::none);
  Image image =
      make_image(default_config(parse_platform("amd64").value(), 0), {good}, {}, store).value();
  REQUIRE(write_oci_dir(image, store, dir.path() / "oci"));
  // Swap the layer's content for another valid tar of the same size.
  fs::path blob = dir.path() / "oci" / "blobs" / "sha256" / good.digest.hex();
  fs::remove(blob);
  fs::copy_file(store.path_of(other.digest), blob);
  Result<std::vector<FsEntry>> r = extract_filesystem(dir.path() / "oci");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why.find("the layer's sha256 is " + other.digest.hex()) == 0);
}

TEST_CASE("packager.image_reader: not an image") {
  TempDir dir("sp-reader");
  REQUIRE(write_file_atomic(dir.path() / "x.tar", "not a tar at all"));
  CHECK_FALSE(read_images(dir.path() / "x.tar").ok());
  CHECK_FALSE(read_images(dir.path() / "missing.tar").ok());
  fs::create_directories(dir.path() / "empty");
  Result<std::vector<ImageInfo>> empty = read_images(dir.path() / "empty");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().why.find("neither index.json nor manifest.json") == 0);
}
