#include "packager/image.h"
#include "test_packager_helpers.h"
#include "util/diagnostics.h"

#include <doctest/doctest.h>
#include <fstream>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

struct Fixture {
  TempDir dir{"sp-image"};
  BlobStore store = BlobStore::open(dir.path() / "store").value();

  Layer layer(const std::string& content, Compression c = Compression::gzip) {
    LayerSpec spec;
    spec.add_bytes("/hello", content, 0755);
    LayerOptions o;
    o.compression = c;
    return build_layer(spec, o, store).value();
  }

  Image image(const std::vector<Layer>& layers, const std::string& platform = "linux/amd64") {
    ImageConfig c = default_config(parse_platform(platform).value(), 0);
    c.cmd = std::vector<std::string>{"/hello"};
    return make_image(c, layers, standard_annotations(0, "hello"), store).value();
  }
};

bool mentions(const Problems& problems, const std::string& text) {
  for (const std::string& p : problems) {
    if (p.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("packager.image: make_image stores config and manifest with OCI media types") {
  Fixture f;
  Layer l = f.layer("binary");
  Image image = f.image({l});
  CHECK(image.config.media_type == "application/vnd.oci.image.config.v1+json");
  CHECK(image.manifest.media_type == "application/vnd.oci.image.manifest.v1+json");
  CHECK(f.store.read(image.config.digest).value() == image.config_bytes);
  CHECK(f.store.read(image.manifest.digest).value() == image.manifest_bytes);
  CHECK(
      image.manifest_bytes ==
      R"({"annotations":{"org.opencontainers.image.created":"1970-01-01T00:00:00Z","org.opencontainers.image.title":"hello"},"config":{"digest":")" +
          image.config.digest.to_string() +
          R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":)" +
          std::to_string(image.config.size) + R"(},"layers":[{"digest":")" + l.digest.to_string() +
          R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":)" +
          std::to_string(l.size) +
          R"(}],"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})");
  ImageConfig config = parse_config_json(image.config_bytes).value();
  CHECK(config.diff_ids == std::vector<Digest>{l.diff_id});
  REQUIRE(config.history.size() == 1);
  CHECK(config.history[0].created_by == "scratchpack");
  CHECK(validate(image, f.store).empty());
}

TEST_CASE("packager.image: the empty image (scratch) is valid") {
  Fixture f;
  Image image = f.image({});
  CHECK(image.layers.empty());
  CHECK(image.manifest_bytes.find(R"("layers":[])") != std::string::npos);
  CHECK(validate(image, f.store).empty());
}

TEST_CASE("packager.image: a history must match the layers") {
  Fixture f;
  ImageConfig c = default_config(parse_platform("amd64").value(), 0);
  c.history = {HistoryEntry{0, "ENV A=1", {}, true}};
  Result<Image> image = make_image(c, {f.layer("x")}, {}, f.store);
  REQUIRE_FALSE(image.ok());
  CHECK(image.error().why == "0 entries add a layer but the image has 1 layers");
}

TEST_CASE("packager.image: validate reports a corrupted, a resized and a missing blob") {
  Fixture f;
  Layer a = f.layer("first");
  Layer b = f.layer("second", Compression::zstd);
  Layer c = f.layer("third", Compression::none);
  Image image = f.image({a, b, c});
  REQUIRE(validate(image, f.store).empty());

  // Corrupt one byte of the first layer (same size).
  std::string bytes = blob_bytes(f.store, a.digest);
  bytes[bytes.size() / 2] ^= 0x55;
  fs::remove(f.store.path_of(a.digest));
  REQUIRE(write_file_atomic(f.store.path_of(a.digest), bytes));
  // Grow the second.
  {
    std::ofstream out(f.store.path_of(b.digest), std::ios::app | std::ios::binary);
    out << "x";
  }
  // Remove the third.
  fs::remove(f.store.path_of(c.digest));

  Problems problems = validate(image, f.store);
  CAPTURE(problems.size());
  CHECK(mentions(problems, "layer " + a.digest.to_string() + " has sha256"));
  CHECK(mentions(problems, "(corrupted)"));
  CHECK(mentions(problems, "layer " + b.digest.to_string() + " is " + std::to_string(b.size + 1) +
                               " bytes but its descriptor says " + std::to_string(b.size)));
  CHECK(mentions(problems, "layer " + c.digest.to_string() + " is missing"));
  Status s = problems_status("image", problems);
  CHECK_FALSE(s.ok());
  CHECK(render_problems(s.error()).find("is missing") != std::string::npos);
}

TEST_CASE("packager.image: validate compares diff_ids with the decompressed layers") {
  Fixture f;
  Layer good = f.layer("content");
  Layer lie = good;
  lie.diff_id = Digest::of("something else");
  Image image = f.image({lie});
  Problems problems = validate(image, f.store);
  CHECK(mentions(problems, "decompresses to " + good.diff_id.to_string()));
  ValidateOptions quick;
  quick.check_diff_ids = false;
  CHECK(validate(image, f.store, quick).empty());
}

TEST_CASE("packager.image: validate notices an image value that disagrees with its manifest") {
  Fixture f;
  Image image = f.image({f.layer("x")});
  Image wrong = image;
  wrong.layers.push_back(f.layer("y"));
  CHECK(mentions(validate(wrong, f.store), "the manifest lists 1 layers but the image has 2"));
}

TEST_CASE("packager.image: an index over platforms") {
  Fixture f;
  Image amd = f.image({f.layer("amd")}, "linux/amd64");
  Image arm = f.image({f.layer("arm")}, "linux/arm64");
  Index index = make_index({amd, arm}, {}, f.store).value();
  CHECK(index.descriptor.media_type == "application/vnd.oci.image.index.v1+json");
  REQUIRE(index.manifests.size() == 2);
  CHECK(index.manifests[1].platform->to_string() == "linux/arm64/v8");
  CHECK(index.bytes.find(R"("platform":{"architecture":"arm64","os":"linux","variant":"v8"})") !=
        std::string::npos);
  CHECK(validate(index, f.store).empty());
  CHECK_FALSE(make_index({amd, amd}, {}, f.store).ok());

  // An index whose entry claims the wrong platform is caught.
  Index lying = index;
  lying.manifests[0].platform = parse_platform("linux/arm/v7").value();
  Descriptor root = lying.manifests[0];
  CHECK(mentions(validate_descriptor(root, f.store), "is for linux/amd64 but the image is for "
                                                     "linux/arm/v7"));
}
