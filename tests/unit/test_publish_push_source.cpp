// open_push_source on hostile layouts: nothing outside the layout is read, every blob is checked
// (size and sha256) before a byte is sent, and the push uploads the private copies it checked,
// whatever happens to the source afterwards.
#include "packager/image.h"
#include "packager/layout.h"
#include "packager/writers.h"
#include "publish/push_source.h"
#include "publish/registry.h"
#include "test_packager_helpers.h"
#include "test_publish_registry_fake.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;
using namespace sp::publish;
using namespace sp::publish::testing;

namespace {

struct Fixture {
  TempDir dir{"sp-push-source"};
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  FakeRegistry registry;
  Image image = make("push me");
  fs::path layout = dir.path() / "layout";

  Fixture() { REQUIRE(write_oci_dir(image, store, layout).ok()); }

  Image make(const std::string& content) {
    LayerSpec spec;
    spec.add_bytes("/hello", content, 0755);
    LayerOptions o;
    o.compression = Compression::none;
    Layer l = build_layer(spec, o, store).value();
    ImageConfig c = default_config(parse_platform("linux/amd64").value(), 0);
    return make_image(c, {l}, standard_annotations(0, "hello"), store).value();
  }

  fs::path blob(const Digest& d) const { return layout / blob_name(d); }

  // Replaces a blob of the layout with other bytes.
  void overwrite(const Digest& d, const std::string& bytes) const {
    fs::remove(blob(d));
    REQUIRE(write_file_atomic(blob(d), bytes));
  }

  Result<PushResult> push(const PushSource& source) {
    PushOptions o;
    o.transport = &registry;
    o.sleep = [](std::chrono::milliseconds) {};
    return push_descriptor(source.root, source.store,
                           parse_registry_ref("registry.test/acme/hello:latest").value(), o);
  }
};

} // namespace

TEST_CASE("publish.push_source: a symlinked blob is not followed out of a directory") {
  Fixture f;
  // A host file named (digest and size) as the layer: pushing it would upload the file.
  fs::path host = f.dir.path() / "host-secret";
  std::string secret = "TOP SECRET host file\n";
  REQUIRE(write_file_atomic(host, secret));
  BlobInfo info = f.store.put(secret).value();
  Layer layer{info.digest, info.digest, info.size, std::string(media_type::k_layer_tar), 0};
  ImageConfig c = default_config(parse_platform("linux/amd64").value(), 0);
  Image leaky = make_image(c, {layer}, {}, f.store).value();
  fs::path out = f.dir.path() / "leaky";
  REQUIRE(write_oci_dir(leaky, f.store, out).ok());
  fs::remove(out / blob_name(info.digest));
  fs::create_symlink(host, out / blob_name(info.digest));

  Result<PushSource> source = open_push_source(out);
  REQUIRE_FALSE(source.ok());
  CHECK(source.error().what == (out / blob_name(info.digest)).string());
  CHECK(source.error().why ==
        "a symlink to " + host.string() + ", outside the layout; only files inside it are read");
  CHECK(source.error().kind == ErrorKind::usage_or_io);
}

TEST_CASE("publish.push_source: a directory's blobs are checked before anything is sent") {
  Fixture f;
  Digest layer = f.image.layers[0].digest;
  std::string original = read_file(f.blob(layer)).value();

  SUBCASE("other bytes of the same size") {
    std::string other = original;
    other[other.size() / 2] ^= 0x01;
    f.overwrite(layer, other);
    Result<PushSource> s = open_push_source(f.layout);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().what == f.blob(layer).string());
    CHECK(s.error().why ==
          "its contents hash to " + Digest::of(other).to_string() + ", not to its name");
  }
  SUBCASE("more bytes than the descriptor says") {
    f.overwrite(layer, original + "x");
    Result<PushSource> s = open_push_source(f.layout);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().why ==
          "holds more than the " + std::to_string(original.size()) + " bytes its descriptor says");
  }
  SUBCASE("fewer") {
    f.overwrite(layer, original.substr(1));
    Result<PushSource> s = open_push_source(f.layout);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().why == "is " + std::to_string(original.size() - 1) + " bytes, not the " +
                               std::to_string(original.size()) + " its descriptor says");
  }
  SUBCASE("a damaged config") {
    f.overwrite(f.image.config.digest, "{}");
    CHECK_FALSE(open_push_source(f.layout).ok());
  }
  CHECK(f.registry.log.empty());
}

TEST_CASE("publish.push_source: the push uploads the bytes that were checked") {
  Fixture f;
  Digest layer = f.image.layers[0].digest;
  std::string original = read_file(f.blob(layer)).value();
  PushSource source = open_push_source(f.layout).value();
  CHECK(source.store.dir() != f.layout / "blobs");
  // The source changes after the check (a race, or on purpose): the private copy is pushed.
  std::string other = original;
  other[other.size() / 2] ^= 0x01;
  f.overwrite(layer, other);
  PushResult r = f.push(source).value();
  CHECK(r.digest == f.image.manifest.digest);
  CHECK(f.registry.blobs.at(layer.to_string()) == original);
}

TEST_CASE("publish.push_source: limits on documents and index depth") {
  Fixture f;
  ReadLimits tiny;
  tiny.max_document = 64;
  Result<PushSource> small = open_push_source(f.layout, tiny);
  REQUIRE_FALSE(small.ok());
  CHECK(small.error().why.ends_with("too large for a JSON document"));
  CHECK(small.error().hint == "raise the limit with --max-document-size if the image is trusted");

  // An index of an index of the image, two deep below index.json.
  Index index = make_index({f.image}, {}, f.store).value();
  nlohmann::json outer = {{"schemaVersion", 2},
                          {"mediaType", media_type::k_index},
                          {"manifests", nlohmann::json::array({to_json(index.descriptor)})}};
  BlobInfo top = f.store.put(canonical_json(outer)).value();
  fs::path nested = f.dir.path() / "nested";
  REQUIRE(write_oci_dir(index, f.store, nested).ok());
  REQUIRE(write_file_atomic(nested / blob_name(top.digest), canonical_json(outer)));
  fs::remove(nested / "index.json");
  Descriptor root{std::string(media_type::k_index), top.digest, top.size, {}, {}};
  REQUIRE(
      write_file_atomic(nested / "index.json",
                        canonical_json({{"schemaVersion", 2},
                                        {"manifests", nlohmann::json::array({to_json(root)})}})));
  CHECK(open_push_source(nested).ok());
  ReadLimits shallow;
  shallow.max_index_depth = 1;
  Result<PushSource> deep = open_push_source(nested, shallow);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().why == "image indexes nested more than 1 deep");
  CHECK(deep.error().hint == "raise the limit with --max-index-depth if the image is trusted");
}
