#include "packager/blob_store.h"
#include "packager/digest.h"
#include "packager/reference.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::packager;

TEST_CASE("packager.digest: parse, print, hash") {
  std::string hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  Digest d = parse_digest("sha256:" + hex).value();
  CHECK(d.algorithm() == "sha256");
  CHECK(d.hex() == hex);
  CHECK(d.to_string() == "sha256:" + hex);
  CHECK(Digest::of("") == d);
  CHECK_FALSE(parse_digest(hex).ok());
  CHECK_FALSE(parse_digest("sha256:" + hex.substr(1)).ok());
  CHECK_FALSE(parse_digest("sha256:" + std::string(64, 'G')).ok());
  CHECK_FALSE(parse_digest("md5:abc").ok());
}

TEST_CASE("packager.digest: descriptors to and from JSON") {
  Descriptor d{"application/vnd.oci.image.manifest.v1+json",
               Digest::of("x"),
               1,
               parse_platform("linux/arm/v7").value(),
               {{"org.opencontainers.image.ref.name", "latest"}}};
  std::string json = canonical_json(to_json(d));
  CHECK(
      json ==
      R"({"annotations":{"org.opencontainers.image.ref.name":"latest"},"digest":")" +
          Digest::of("x").to_string() +
          R"(","mediaType":"application/vnd.oci.image.manifest.v1+json","platform":{"architecture":"arm","os":"linux","variant":"v7"},"size":1})");
  CHECK(descriptor_from_json(parse_json(json, "t").value(), "t").value() == d);
  CHECK_FALSE(
      descriptor_from_json(parse_json(R"({"digest":"x","size":1})", "t").value(), "t").ok());
  CHECK_FALSE(parse_json("{", "t").ok());
}

TEST_CASE("packager.digest: blob store writes atomically by digest") {
  TempDir dir("sp-blobs");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  BlobInfo info = store.put("hello").value();
  CHECK(info.digest == Digest::of("hello"));
  CHECK(info.size == 5);
  CHECK(store.has(info.digest));
  CHECK(store.path_of(info.digest) == dir.path() / "store" / "sha256" / info.digest.hex());
  CHECK(store.read(info.digest).value() == "hello");
  CHECK(store.rehash(info.digest).value().digest == info.digest);
  CHECK_FALSE(store.has(Digest::of("other")));
  CHECK_FALSE(store.read(info.digest, 2).ok());
  {
    BlobWriter w = BlobWriter::create(store).value();
    CHECK(w.write("abandoned").ok());
  } // destroyed without commit: no trace
  CHECK(fs::is_empty(dir.path() / "store" / "tmp"));
}

TEST_CASE("packager.reference: image names and tags") {
  CHECK(parse_image_ref("hello").value() == ImageRef{"hello", "latest"});
  CHECK(parse_image_ref("hello:1.0").value() == ImageRef{"hello", "1.0"});
  CHECK(parse_image_ref("registry.example.com:5000/acme/hello:1.0").value() ==
        ImageRef{"registry.example.com:5000/acme/hello", "1.0"});
  CHECK(parse_image_ref("localhost/hello").value().to_string() == "localhost/hello:latest");
  CHECK(parse_image_ref("a/b_c/d--e:v1.2-rc_3").ok());
  CHECK_FALSE(parse_image_ref("Hello").ok());
  CHECK_FALSE(parse_image_ref("hello:").ok());
  CHECK_FALSE(parse_image_ref("hello:-x").ok());
  CHECK_FALSE(parse_image_ref("hello@sha256:" + std::string(64, 'a')).ok());
  CHECK_FALSE(parse_image_ref("hello/").ok());
  CHECK_FALSE(parse_image_ref("a..b").ok());
}
