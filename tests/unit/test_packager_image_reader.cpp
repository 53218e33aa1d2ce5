#include "packager/image_reader.h"
#include "packager/layout.h"
#include "packager/writers.h"
#include "test_packager_helpers.h"
#include "util/process.h"
#include "util/spool.h"

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
  small.head_size = 1;
  std::map<std::string, FsEntry> sizes =
      by_path(extract_filesystem(dir.path() / "img.tar", small).value());
  CHECK(sizes.at("/a/y").data == "y");
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
  CHECK(r.error().what == (blob.string()));
  CHECK(r.error().why == "its contents hash to " + other.digest.to_string() + ", not to its name");
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

// --- hostile images (docs/security.md) ----------------------------------------------------

namespace {

// An image of one uncompressed layer made of `tar` (written by make_tar, not the layer writer),
// written as an OCI layout directory at `out`.
Image raw_image(const BlobStore& store, const std::string& tar, const fs::path& out) {
  BlobInfo blob = store.put(tar).value();
  Layer layer{blob.digest, blob.digest, blob.size, std::string(media_type::k_layer_tar), blob.size};
  Image image =
      make_image(default_config(parse_platform("amd64").value(), 0), {layer}, {}, store).value();
  REQUIRE(write_oci_dir(image, store, out));
  return image;
}

std::string elf_bytes(size_t size) {
  return "\x7f"
         "ELF" +
         pseudo_text(size - 4, 3);
}

} // namespace

TEST_CASE("packager.image_reader: hard links do not copy their target's data") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  std::vector<TarSpec> items = {{"big", pseudo_text(1 << 20, 9)}};
  for (int i = 0; i < 200; ++i) {
    items.push_back({"link" + std::to_string(i), "", "", "big"});
  }
  raw_image(store, make_tar(items), dir.path() / "oci");
  std::vector<FsEntry> files = extract_filesystem(dir.path() / "oci").value();
  REQUIRE(files.size() == 201);
  uint64_t held = 0;
  for (const FsEntry& f : files) {
    CHECK(f.size == (1u << 20));
    CHECK(f.type == FsType::file);
    held += f.data.size();
  }
  // Each entry keeps its first bytes at most, never the megabyte (200 copies were 200 MiB).
  CHECK(held <= 201 * 256);
}

TEST_CASE("packager.image_reader: an ELF file is spooled once, and its hard links share it") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  std::string elf = elf_bytes(300000);
  raw_image(store,
            make_tar({{"bin/app", elf, "", "", -1, 0755},
                      {"bin/alias", "", "", "bin/app"},
                      {"run.sh", "#!/bin/sh\nexec /bin/app\n", "", "", -1, 0755},
                      {"data.txt", pseudo_text(5000, 1)}}),
            dir.path() / "oci");
  std::map<std::string, FsEntry> fs = by_path(extract_filesystem(dir.path() / "oci").value());
  const FsEntry& app = fs.at("/bin/app");
  REQUIRE(app.spool != nullptr);
  CHECK(app.data == elf.substr(0, 256));
  CHECK(app.spool->read_string(app.spool_offset, app.size).value() == elf);
  CHECK(fs.at("/bin/alias").spool == app.spool);
  CHECK(fs.at("/bin/alias").spool_offset == app.spool_offset);
  CHECK(fs.at("/data.txt").spool == nullptr);
  CHECK(fs.at("/data.txt").data == pseudo_text(5000, 1).substr(0, 256));

  // What the scanner asks for: heads of scripts and ELF files only.
  ExtractOptions scan;
  scan.all_heads = false;
  std::map<std::string, FsEntry> lean =
      by_path(extract_filesystem(dir.path() / "oci", scan).value());
  CHECK(lean.at("/data.txt").data.empty());
  CHECK(lean.at("/data.txt").size == 5000);
  CHECK(lean.at("/run.sh").data == "#!/bin/sh\nexec /bin/app\n");
  CHECK(lean.at("/bin/app").data == elf.substr(0, 256));
}

TEST_CASE("packager.image_reader: limits on an image's layers") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  std::vector<TarSpec> items = {{"big", "", "", "", 2 << 20}};
  for (int i = 0; i < 10; ++i) {
    items.push_back({"link" + std::to_string(i), "", "", "big"});
    items.push_back({"file" + std::to_string(i), "x"});
  }
  Image image = raw_image(store, make_tar(items), dir.path() / "oci");
  std::string where = (dir.path() / "oci").string();
  std::string layer = " (layer " + image.layers[0].digest.to_string() + ")";
  auto extract_with = [&](auto set) {
    ExtractOptions o;
    set(o.limits);
    return extract_filesystem(dir.path() / "oci", o);
  };
  const std::string raise = "raise the limit with ";
  REQUIRE(extract_with([](ReadLimits&) {}).ok());

  auto entries = extract_with([](ReadLimits& r) { r.max_entries = 15; });
  REQUIRE_FALSE(entries.ok());
  CHECK(entries.error().what == where);
  CHECK(entries.error().why == "more than 15 entries in the image's layers" + layer);
  CHECK(entries.error().hint == raise + "--max-entries if the image is trusted");
  CHECK(entries.error().kind == ErrorKind::usage_or_io);

  auto links = extract_with([](ReadLimits& r) { r.max_hardlinks = 5; });
  REQUIRE_FALSE(links.ok());
  CHECK(links.error().why == "more than 5 hard links in the image's layers" + layer);
  CHECK(links.error().hint == raise + "--max-hardlinks if the image is trusted");

  auto size = extract_with([](ReadLimits& r) { r.max_entry_size = 1 << 20; });
  REQUIRE_FALSE(size.ok());
  CHECK(size.error().why == "file /big is 2097152 bytes, more than 1 MiB" + layer);
  CHECK(size.error().hint == raise + "--max-entry-size if the image is trusted");

  auto total = extract_with([](ReadLimits& r) { r.max_total_size = 1 << 20; });
  REQUIRE_FALSE(total.ok());
  CHECK(total.error().why == "more than 1 MiB of uncompressed layer data" + layer);
  CHECK(total.error().hint == raise + "--max-total-size if the image is trusted");

  // 21 entries may have 21 × 256 bytes of names and heads; here each path alone is 400 bytes.
  std::vector<TarSpec> long_names;
  for (int i = 0; i < 21; ++i) {
    long_names.push_back({std::string(396, 'p') + std::to_string(1000 + i), ""});
  }
  raw_image(store, make_tar(long_names), dir.path() / "names");
  ExtractOptions names;
  names.limits.max_entries = 21;
  auto named = extract_filesystem(dir.path() / "names", names);
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().why.starts_with("paths, link targets and file heads add up to more than "
                                      "5376 bytes (256 bytes for each of --max-entries)"));

  // No path longer than Linux's PATH_MAX.
  raw_image(store, make_tar({{std::string(5000, 'p'), "x"}}), dir.path() / "long");
  auto too_long = extract_filesystem(dir.path() / "long");
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().why == "an entry's path or link target is longer than 4096 bytes");
}

TEST_CASE("packager.image_reader: index nesting is limited") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = raw_image(store, make_tar({{"a", "a"}}), dir.path() / "oci");
  // Six indexes, each listing the one below it, above the image.
  Descriptor d = image.manifest;
  for (int i = 0; i < 6; ++i) {
    nlohmann::json index = {{"schemaVersion", 2},
                            {"mediaType", media_type::k_index},
                            {"manifests", nlohmann::json::array({to_json(d)})}};
    std::string bytes = canonical_json(index);
    BlobInfo blob = store.put(bytes).value();
    REQUIRE(write_file_atomic(dir.path() / "oci" / blob_name(blob.digest), bytes));
    d = Descriptor{std::string(media_type::k_index), blob.digest, blob.size, {}, {}};
  }
  fs::remove(dir.path() / "oci" / "index.json");
  REQUIRE(write_file_atomic(
      dir.path() / "oci" / "index.json",
      canonical_json({{"schemaVersion", 2}, {"manifests", nlohmann::json::array({to_json(d)})}})));
  Result<std::vector<ImageInfo>> deep = read_images(dir.path() / "oci");
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().why == "image indexes nested more than 4 deep");
  CHECK(deep.error().hint == "raise the limit with --max-index-depth if the image is trusted");
  ReadLimits six;
  six.max_index_depth = 6;
  CHECK(read_images(dir.path() / "oci", six).value().at(0).manifest.digest ==
        image.manifest.digest);
}

TEST_CASE("packager.image_reader: a docker-archive's manifest.json names nothing outside") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = raw_image(store, make_tar({{"hello", "hi"}}), dir.path() / "docker");
  fs::path root = dir.path() / "docker";
  fs::remove(root / "index.json");
  REQUIRE(write_file_atomic(dir.path() / "secret.json",
                            read_file(root / blob_name(image.config.digest)).value()));
  auto manifest = [&](const std::string& config, const std::string& layer) {
    fs::remove(root / "manifest.json");
    REQUIRE(write_file_atomic(root / "manifest.json",
                              R"([{"Config":")" + config + R"(","Layers":[")" + layer + R"("]}])"));
  };
  std::string config = blob_name(image.config.digest);
  std::string layer = blob_name(image.layers[0].digest);
  manifest(config, layer);
  REQUIRE(extract_filesystem(root).value().at(0).data == "hi");

  manifest("../secret.json", layer);
  Result<std::vector<ImageInfo>> up = read_images(root);
  REQUIRE_FALSE(up.ok());
  CHECK(up.error().what == (root / "../secret.json").string());
  CHECK(up.error().why == "a path that leaves the layout ('..'); only paths inside it are read");

  manifest(config, "../../../../dev/zero");
  Result<std::vector<FsEntry>> zero = extract_filesystem(root);
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().why == "a path that leaves the layout ('..'); only paths inside it are read");
}

TEST_CASE("packager.image_reader: malformed documents are errors, not exceptions") {
  TempDir dir("sp-reader");
  fs::path root = dir.path() / "bad";
  fs::create_directories(root);
  for (const char* text :
       {"[1]", R"([{"Config":5}])", R"({"Config":"x"})", R"([{"Config":"c.json","Layers":[7]}])"}) {
    CAPTURE(text);
    fs::remove(root / "manifest.json");
    REQUIRE(write_file_atomic(root / "manifest.json", text));
    REQUIRE(write_file_atomic(root / "c.json", R"({"architecture":"amd64","os":"linux"})"));
    Result<std::vector<ImageInfo>> r = read_images(root);
    CHECK_FALSE(r.ok());
  }
  fs::remove(root / "manifest.json");
  for (const char* text : {"[]", R"({"manifests":5})", R"({"manifests":[3]})"}) {
    CAPTURE(text);
    fs::remove(root / "index.json");
    REQUIRE(write_file_atomic(root / "index.json", text));
    CHECK_FALSE(read_images(root).ok());
  }
}

TEST_CASE("packager.image_reader: two images of one platform are told apart by digest") {
  TempDir dir("sp-reader");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Platform amd64 = parse_platform("amd64").value();
  Layer la = make_layer(store, [](LayerSpec& s) { s.add_bytes("/a", "a"); });
  Layer lb = make_layer(store, [](LayerSpec& s) { s.add_bytes("/b", "b"); });
  Image a = make_image(default_config(amd64, 0), {la}, {}, store).value();
  Image b = make_image(default_config(amd64, 0), {lb}, {}, store).value();
  // One layout holding both, as `skopeo copy … oci:DIR:a` then `oci:DIR:b` makes it.
  fs::path oci = dir.path() / "oci";
  REQUIRE(write_oci_dir(a, store, oci));
  for (const Digest& d : {b.manifest.digest, b.config.digest, lb.digest}) {
    fs::copy_file(store.path_of(d), oci / "blobs" / "sha256" / d.hex(),
                  fs::copy_options::overwrite_existing);
  }
  nlohmann::json index = nlohmann::json::parse(read_file(oci / "index.json").value());
  nlohmann::json second = index["manifests"][0];
  second["digest"] = b.manifest.digest.to_string();
  second["size"] = b.manifest.size;
  index["manifests"].push_back(second);
  fs::remove(oci / "index.json");
  REQUIRE(write_file_atomic(oci / "index.json", index.dump()));

  std::vector<ImageInfo> images = read_images(oci).value();
  REQUIRE(images.size() == 2);
  ExtractOptions pick;
  pick.platform = amd64;
  pick.manifest = b.manifest.digest;
  std::vector<FsEntry> files = extract_filesystem(oci, pick).value();
  REQUIRE(files.size() == 1);
  CHECK(files[0].path == "/b");
  pick.manifest = Digest::of("neither");
  Result<std::vector<FsEntry>> none = extract_filesystem(oci, pick);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().exit_code() == 2);
  CHECK(none.error().why == "has no image manifest " + Digest::of("neither").to_string());
}
