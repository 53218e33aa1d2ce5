#include "packager/provenance.h"
#include "packager/referrers.h"
#include "packager/sbom.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>

using namespace sp;
using namespace sp::packager;
using nlohmann::json;

namespace {

bom::Binary hello() {
  bom::Binary b;
  b.name = "hello";
  b.target = "x86_64-glibc";
  b.platform = "linux/amd64";
  b.arch = "amd64";
  b.sources = {{"src/hello.cpp", std::string(64, 'a'), std::string(40, 'b')}};
  bom::Component libc;
  libc.origin = bom::Origin::debian;
  libc.name = "libc6-dev";
  libc.version = "2.36-9+deb12u7";
  libc.arch = "amd64";
  libc.purl = bom::deb_purl(libc.name, libc.version, libc.arch);
  libc.files = {
      {"/usr/lib/x86_64-linux-gnu/crt1.o", std::string(64, 'c'), std::string(40, 'd')},
      {"/usr/lib/x86_64-linux-gnu/libc.a(printf.o)", std::string(64, 'e'), std::string(40, 'f')}};
  b.components = {libc};
  return b;
}

} // namespace

TEST_CASE("packager.sbom: a Debian version is percent-encoded in its purl") {
  CHECK(bom::deb_purl("libstdc++-12-dev", "12.2.0-14+deb12u1", "arm64") ==
        "pkg:deb/debian/libstdc%2B%2B-12-dev@12.2.0-14%2Bdeb12u1?arch=arm64");
  CHECK(bom::deb_purl("zlib1g-dev", "1:1.2.13.dfsg-1", "armhf") ==
        "pkg:deb/debian/zlib1g-dev@1%3A1.2.13.dfsg-1?arch=armhf");
  CHECK(oci_purl("registry.example.com/acme/hello", "sha256:ab", "1.0") ==
        "pkg:oci/hello@sha256%3Aab?repository_url=registry.example.com%2Facme%2Fhello&tag=1.0");
}

TEST_CASE("packager.sbom: a binary's SPDX document links its packages and lists their members") {
  SbomOptions options{"scratchpack-0.1.0", 1700000000};
  std::string text = binary_spdx(hello(), options);
  CHECK(text == binary_spdx(hello(), options)); // same inputs, same bytes
  json doc = json::parse(text);
  CHECK(doc["spdxVersion"] == "SPDX-2.3");
  CHECK(doc["creationInfo"]["created"] == "2023-11-14T22:13:20Z");
  CHECK(doc["creationInfo"]["creators"][0] == "Tool: scratchpack-0.1.0");
  std::set<std::string> files;
  for (const json& f : doc["files"]) {
    files.insert(f["fileName"].get<std::string>());
    CHECK(f["checksums"].size() == 2);
  }
  CHECK(files == std::set<std::string>{"./src/hello.cpp", "./usr/lib/x86_64-linux-gnu/crt1.o",
                                       "./usr/lib/x86_64-linux-gnu/libc.a(printf.o)"});
  size_t static_links = 0, contains = 0, generated = 0;
  for (const json& r : doc["relationships"]) {
    static_links += r["relationshipType"] == "STATIC_LINK";
    contains += r["relationshipType"] == "CONTAINS";
    generated += r["relationshipType"] == "GENERATED_FROM";
  }
  CHECK(static_links == 1);
  CHECK(contains == 2);
  CHECK(generated == 1);
  // The namespace follows the contents: another source digest, another namespace.
  bom::Binary other = hello();
  other.sources[0].sha256 = std::string(64, '0');
  CHECK(json::parse(binary_spdx(other, options))["documentNamespace"] != doc["documentNamespace"]);
}

TEST_CASE("packager.sbom: an image's CycloneDX document is a container depending on its binaries") {
  ImageSubject image;
  image.repository = "hello";
  image.tag = "latest";
  image.root_digest = "sha256:" + std::string(64, '1');
  image.platforms = {{"linux/amd64",
                      "sha256:" + std::string(64, '2'),
                      {{hello(), "/hello", std::string(64, '3')}},
                      {}}};
  json doc = json::parse(image_cyclonedx(image, {"scratchpack-0.1.0", 0}));
  CHECK(doc["specVersion"] == "1.5");
  CHECK(doc["metadata"]["component"]["type"] == "container");
  std::string root = doc["metadata"]["component"]["bom-ref"];
  CHECK(root == "pkg:oci/hello@sha256%3A" + std::string(64, '1') + "?tag=latest");
  bool depends = false;
  for (const json& d : doc["dependencies"]) {
    if (d["ref"] == root) {
      depends = d["dependsOn"] == json::array({"binary:x86_64-glibc/hello"});
    }
  }
  CHECK(depends);
  std::string serial = doc["serialNumber"];
  CHECK(serial.starts_with("urn:uuid:"));
  CHECK(serial.size() == 45);
}

TEST_CASE("packager.provenance: the statement reads back") {
  ProvenanceRecord r;
  r.build_type = k_build_type_release;
  r.arguments = {"release", "-f", "scratchpack.yaml"};
  r.inputs = {{"scratchpack.yaml", std::string(64, 'a'), ""}};
  r.source_date_epoch = 42;
  r.scratchpack_version = "0.1.0";
  r.llvm_version = "19.1.7";
  r.subjects = {{"hello.tar", std::string(64, 'b')}};
  auto back = parse_provenance(provenance_statement(r));
  REQUIRE(back.ok());
  CHECK(back->arguments == r.arguments);
  CHECK(back->source_date_epoch == 42);
  REQUIRE(back->inputs.size() == 1);
  CHECK(back->inputs[0].path == "scratchpack.yaml");
  CHECK(back->inputs[0].sha256 == std::string(64, 'a'));
  CHECK(back->subjects[0].name == "hello.tar");
  CHECK_FALSE(parse_provenance("{}").ok());
  CHECK(parse_provenance(R"({"_type":"https://in-toto.io/Statement/v1",)"
                         R"("predicateType":"https://slsa.dev/provenance/v1","predicate":{}})")
            .error()
            .why.starts_with("a field is missing"));
}

TEST_CASE("packager.referrers: an index merges entries once by digest") {
  Descriptor a{"application/vnd.oci.image.manifest.v1+json", Digest::of("a"), 1, {}, {}, "x/y"};
  Descriptor b{"application/vnd.oci.image.manifest.v1+json", Digest::of("b"), 1, {}, {}, {}};
  std::string index = referrers_index_json({a, b, a});
  auto entries = index_entries(index);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].artifact_type == "x/y");
  CHECK(referrers_tag(Digest::of("a")) == "sha256-" + Digest::of("a").hex());
  CHECK(index_entries("not json").empty());
}
