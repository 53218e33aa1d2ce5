#include "packager/image_reader.h"
#include "packager/writers.h"
#include "test_packager_helpers.h"
#include "util/process.h"
#include "util/sha256.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

// Builds the hello image (one file) in its own store under `root`.
Image hello_image(const BlobStore& store, Compression c = Compression::gzip) {
  LayerSpec spec;
  spec.add_bytes("/hello",
                 "\x7f"
                 "ELF pretend binary",
                 0755);
  LayerOptions o;
  o.compression = c;
  Layer layer = build_layer(spec, o, store).value();
  ImageConfig config = default_config(parse_platform("linux/amd64").value(), 0);
  config.cmd = std::vector<std::string>{"/hello"};
  return make_image(config, {layer}, standard_annotations(0, "hello"), store).value();
}

WriteOptions hello_refs() {
  WriteOptions w;
  w.refs = {"hello:latest"};
  return w;
}

// Validates a layout directory with the model's own validator: its blobs/ is a BlobStore.
Problems validate_layout(const fs::path& dir) {
  BlobStore store = BlobStore::open(dir / "blobs").value();
  nlohmann::json index = parse_json(read_file(dir / "index.json").value(), "index.json").value();
  Problems all;
  for (const auto& m : index["manifests"]) {
    Problems p = validate_descriptor(descriptor_from_json(m, "index.json").value(), store);
    all.insert(all.end(), p.begin(), p.end());
  }
  return all;
}

std::vector<std::string> dir_listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string file_sha(const fs::path& p) {
  return sha256_hex(read_file(p).value());
}

} // namespace

TEST_CASE("packager.writers: OCI dir and archive round-trip through the reader and validate") {
  TempDir dir("sp-writers");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = hello_image(store);
  REQUIRE(validate(image, store).empty());
  REQUIRE(write_oci_dir(image, store, dir.path() / "oci", hello_refs()));
  REQUIRE(write_archive(image, store, dir.path() / "out" / "hello.tar", hello_refs()));

  CHECK(read_file(dir.path() / "oci" / "oci-layout").value() ==
        R"({"imageLayoutVersion":"1.0.0"})");
  CHECK(
      read_file(dir.path() / "oci" / "index.json").value() ==
      R"({"manifests":[{"annotations":{"io.containerd.image.name":"hello:latest","org.opencontainers.image.ref.name":"latest"},"digest":")" +
          image.manifest.digest.to_string() +
          R"(","mediaType":"application/vnd.oci.image.manifest.v1+json","size":)" +
          std::to_string(image.manifest.size) +
          R"(}],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2})");
  CHECK(validate_layout(dir.path() / "oci").empty());
  CHECK(dir_listing(dir.path() / "oci" / "blobs") == std::vector<std::string>{"sha256"});

  for (const fs::path& p : {dir.path() / "oci", dir.path() / "out" / "hello.tar"}) {
    CAPTURE(p);
    std::vector<ImageInfo> images = read_images(p).value();
    REQUIRE(images.size() == 1);
    CHECK(images[0].manifest.digest == image.manifest.digest);
    CHECK(images[0].ref_names == std::vector<std::string>{"latest"});
    CHECK(images[0].config.cmd == std::vector<std::string>{"/hello"});
    CHECK(images[0].manifest.platform->to_string() == "linux/amd64");
    std::vector<FsEntry> files = extract_filesystem(p).value();
    REQUIRE(files.size() == 1);
    CHECK(files[0].path == "/hello");
    CHECK(files[0].mode == 0755);
    CHECK(files[0].data == "\x7f"
                           "ELF pretend binary");
  }

  // The archive unpacked is a valid OCI layout too.
  fs::create_directories(dir.path() / "unpacked");
  std::vector<TarItem> items = list_tar(read_file(dir.path() / "out" / "hello.tar").value());
  for (const TarItem& t : items) {
    if (t.type == AE_IFDIR) {
      fs::create_directories(dir.path() / "unpacked" / t.name);
    } else {
      REQUIRE(write_file_atomic(dir.path() / "unpacked" / t.name, t.data));
    }
  }
  CHECK(validate_layout(dir.path() / "unpacked").empty());
}

TEST_CASE("packager.writers: the archive is an OCI layout and a docker-archive, entries fixed") {
  TempDir dir("sp-writers");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = hello_image(store);
  REQUIRE(write_archive(image, store, dir.path() / "hello.tar", hello_refs()));
  std::vector<TarItem> items = list_tar(read_file(dir.path() / "hello.tar").value());
  std::vector<std::string> names;
  for (const TarItem& t : items) {
    names.push_back(t.name);
    CHECK(t.mtime == 0);
    CHECK(t.uid == 0);
    CHECK(t.gid == 0);
    CHECK_FALSE(t.has_uname);
    CHECK(t.mode == (t.type == AE_IFDIR ? 0755u : 0644u));
  }
  std::vector<std::string> blobs = {"blobs/sha256/" + image.config.digest.hex(),
                                    "blobs/sha256/" + image.manifest.digest.hex(),
                                    "blobs/sha256/" + image.layers[0].digest.hex()};
  std::sort(blobs.begin(), blobs.end());
  std::vector<std::string> want = {"blobs/", "blobs/sha256/"};
  want.insert(want.end(), blobs.begin(), blobs.end());
  want.insert(want.end(), {"index.json", "manifest.json", "oci-layout", "repositories"});
  CHECK(names == want);
  auto content = [&](const std::string& name) {
    for (const TarItem& t : items) {
      if (t.name == name) {
        return t.data;
      }
    }
    return std::string();
  };
  CHECK(content("manifest.json") == R"([{"Config":"blobs/sha256/)" + image.config.digest.hex() +
                                        R"(","Layers":["blobs/sha256/)" +
                                        image.layers[0].digest.hex() +
                                        R"("],"RepoTags":["hello:latest"]}])");
  CHECK(content("repositories") ==
        R"({"hello":{"latest":")" + image.layers[0].digest.hex() + R"("}})");
}

TEST_CASE("packager.writers: several names, and no name") {
  TempDir dir("sp-writers");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = hello_image(store);
  WriteOptions w;
  w.refs = {"hello:latest", "registry.example.com:5000/acme/hello:1.0"};
  REQUIRE(write_archive(image, store, dir.path() / "two.tar", w));
  std::vector<ImageInfo> images = read_images(dir.path() / "two.tar").value();
  // One index.json entry per name, same manifest: read back as one image with both names.
  REQUIRE(images.size() == 1);
  CHECK(images[0].ref_names == std::vector<std::string>{"latest", "1.0"});
  std::vector<TarItem> items = list_tar(read_file(dir.path() / "two.tar").value());
  bool found = false;
  for (const TarItem& t : items) {
    if (t.name == "manifest.json") {
      found = t.data.find(
                  R"("RepoTags":["hello:latest","registry.example.com:5000/acme/hello:1.0"])") !=
              std::string::npos;
    }
  }
  CHECK(found);

  REQUIRE(write_oci_dir(image, store, dir.path() / "unnamed"));
  CHECK(read_images(dir.path() / "unnamed").value()[0].ref_names.empty());

  WriteOptions bad;
  bad.refs = {"Hello"};
  CHECK_FALSE(write_archive(image, store, dir.path() / "bad.tar", bad).ok());
  CHECK_FALSE(fs::exists(dir.path() / "bad.tar"));
}

TEST_CASE("packager.writers: two builds in two directories give the same archive bytes") {
  TempDir one("sp-writers-a");
  TempDir two("sp-writers-b");
  BlobStore s1 = BlobStore::open(one.path() / "store").value();
  BlobStore s2 = BlobStore::open(two.path() / "nested" / "store").value();
  REQUIRE(write_archive(hello_image(s1), s1, one.path() / "hello.tar", hello_refs()));
  REQUIRE(write_archive(hello_image(s2), s2, two.path() / "x" / "hello.tar", hello_refs()));
  CHECK(file_sha(one.path() / "hello.tar") == file_sha(two.path() / "x" / "hello.tar"));
  REQUIRE(write_oci_dir(hello_image(s1), s1, one.path() / "oci", hello_refs()));
  REQUIRE(write_oci_dir(hello_image(s2), s2, two.path() / "oci", hello_refs()));
  CHECK(file_sha(one.path() / "oci" / "index.json") == file_sha(two.path() / "oci" / "index.json"));
  // Writing again over an existing output replaces it whole.
  REQUIRE(write_archive(hello_image(s1), s1, one.path() / "hello.tar", hello_refs()));
  CHECK(file_sha(one.path() / "hello.tar") == file_sha(two.path() / "x" / "hello.tar"));
}

TEST_CASE("packager.writers: a failing write leaves neither the file nor a temporary") {
  TempDir dir("sp-writers");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = hello_image(store);
  fs::create_directories(dir.path() / "out");

  SUBCASE("a blob missing from the store") {
    fs::remove(store.path_of(image.layers[0].digest));
    CHECK_FALSE(write_archive(image, store, dir.path() / "out" / "hello.tar", hello_refs()).ok());
    CHECK_FALSE(write_oci_dir(image, store, dir.path() / "out" / "oci", hello_refs()).ok());
  }
  SUBCASE("a blob that fails while being streamed") {
    // A directory where the layer blob should be: stat() works, read() fails mid-archive.
    fs::path blob = store.path_of(image.layers[0].digest);
    fs::remove(blob);
    fs::create_directories(blob);
    struct stat st{};
    REQUIRE(::stat(blob.c_str(), &st) == 0);
    image.layers[0].size = static_cast<uint64_t>(st.st_size);
    Status s = write_archive(image, store, dir.path() / "out" / "hello.tar", hello_refs());
    CHECK_FALSE(s.ok());
    CHECK_FALSE(write_oci_dir(image, store, dir.path() / "out" / "oci", hello_refs()).ok());
  }
  CHECK(dir_listing(dir.path() / "out").empty());
}

TEST_CASE("packager.writers: a multi-platform index archive") {
  TempDir dir("sp-writers");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  std::vector<Image> images;
  for (const char* p : {"linux/amd64", "linux/arm64", "linux/arm/v7"}) {
    LayerSpec spec;
    spec.add_bytes("/hello", std::string("binary for ") + p, 0755);
    Layer layer = build_layer(spec, {}, store).value();
    images.push_back(
        make_image(default_config(parse_platform(p).value(), 0), {layer}, {}, store).value());
  }
  Index index = make_index(images, {}, store).value();
  WriteOptions w = hello_refs();
  w.docker_platform = parse_platform("linux/arm64").value();
  REQUIRE(write_archive(index, store, dir.path() / "multi.tar", w));
  REQUIRE(write_oci_dir(index, store, dir.path() / "multi", w));
  CHECK(validate_layout(dir.path() / "multi").empty());
  std::vector<ImageInfo> read = read_images(dir.path() / "multi.tar").value();
  REQUIRE(read.size() == 3);
  CHECK(read[2].manifest.platform->to_string() == "linux/arm/v7");
  ExtractOptions arm;
  arm.platform = parse_platform("linux/arm/v7").value();
  CHECK(extract_filesystem(dir.path() / "multi.tar", arm).value()[0].data ==
        "binary for linux/arm/v7");
  Result<std::vector<FsEntry>> ambiguous = extract_filesystem(dir.path() / "multi.tar");
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.error().hint == "available: linux/amd64, linux/arm64/v8, linux/arm/v7");

  std::vector<TarItem> items = list_tar(read_file(dir.path() / "multi.tar").value());
  bool docker = false;
  for (const TarItem& t : items) {
    docker = docker || (t.name == "manifest.json" &&
                        t.data.find(images[1].config.digest.hex()) != std::string::npos);
  }
  CHECK(docker);
  w.docker_platform = Platform{"linux", "s390x", ""};
  CHECK_FALSE(write_archive(index, store, dir.path() / "none.tar", w).ok());
}

TEST_CASE("packager.writers: skopeo accepts the archive as oci-archive and docker-archive") {
  if (find_program("skopeo").empty()) {
    MESSAGE("skopeo not installed: skipped");
    return;
  }
  TempDir dir("sp-writers");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  for (Compression c : {Compression::gzip, Compression::zstd, Compression::none}) {
    CAPTURE(to_string(c));
    Image image = hello_image(store, c);
    fs::path tar = dir.path() / (std::string(to_string(c)) + ".tar");
    REQUIRE(write_archive(image, store, tar, hello_refs()));
    for (const char* transport : {"oci-archive:", "docker-archive:"}) {
      Result<ProcessResult> r = run_process({"skopeo", "inspect", transport + tar.string()});
      REQUIRE(r.ok());
      CAPTURE(r->err);
      CHECK(r->exit_code == 0);
      CHECK(r->out.find("\"Architecture\": \"amd64\"") != std::string::npos);
    }
  }
}
