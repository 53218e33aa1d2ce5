// cosign signatures: the payload's exact bytes, sign → verify, keys (encrypted or not), the
// signature manifest and its merging, and sign_image against the in-memory registry.
#include "publish/registry_auth.h"
#include "publish/signature.h"
#include "test_publish_registry_fake.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace sp;
using namespace sp::packager;
using namespace sp::publish;
using namespace sp::publish::testing;

namespace {

const Digest k_digest = Digest::of("an image manifest");

SigningKey new_key() {
  return SigningKey::generate().value();
}

nlohmann::json parse(const std::string& text) {
  return nlohmann::json::parse(text);
}

} // namespace

TEST_CASE("the simple-signing payload has cosign's exact bytes") {
  RegistryRef ref = parse_registry_ref("127.0.0.1:5000/acme/hello:1.0").value();
  CHECK(simple_signing_payload(ref, k_digest) ==
        R"({"critical":{"identity":{"docker-reference":"127.0.0.1:5000/acme/hello"},)"
        R"("image":{"docker-manifest-digest":")" +
            k_digest.to_string() +
            R"("},"type":"cosign container image signature"},"optional":null})");
  // Docker Hub is named as cosign names it.
  RegistryRef hub = parse_registry_ref("hello").value();
  CHECK(docker_reference(hub) == "index.docker.io/library/hello");
  CHECK(signature_tag(k_digest) == "sha256-" + k_digest.hex() + ".sig");
}

TEST_CASE("sign targets: a tag to resolve or a digest") {
  SignTarget t = parse_sign_target("127.0.0.1:5000/hello:1.0").value();
  CHECK(t.ref.tag == "1.0");
  CHECK(!t.digest);
  SignTarget d = parse_sign_target("127.0.0.1:5000/hello@" + k_digest.to_string()).value();
  CHECK(d.ref.repository == "hello");
  CHECK(d.digest == k_digest);
  CHECK(!parse_sign_target("127.0.0.1:5000/hello@sha256:abc"));
}

TEST_CASE("a signature verifies under its key and no other") {
  SigningKey key = new_key();
  std::string payload = "payload bytes";
  std::string der = key.sign(payload).value();
  std::string pub = key.public_pem().value();
  CHECK(pub.starts_with("-----BEGIN PUBLIC KEY-----"));
  CHECK(verify_signature(pub, payload, der).value());
  CHECK_FALSE(verify_signature(pub, "other bytes", der).value());
  std::string other = new_key().public_pem().value();
  CHECK_FALSE(verify_signature(other, payload, der).value());
  CHECK_FALSE(verify_signature(pub, payload, "not DER").value());
  CHECK(!verify_signature("not a key", payload, der));
}

TEST_CASE("a private key round-trips through PKCS#8 PEM, encrypted or not") {
  SigningKey key = new_key();
  std::string pub = key.public_pem().value();

  std::string plain = key.private_pem(std::nullopt).value();
  CHECK(plain.starts_with("-----BEGIN PRIVATE KEY-----"));
  SigningKey again = SigningKey::from_pem(plain, std::nullopt, "k.key").value();
  CHECK(again.public_pem().value() == pub);

  std::string locked = key.private_pem(std::string("correct horse")).value();
  CHECK(locked.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  CHECK(locked.find("correct horse") == std::string::npos);

  // Without the passphrase, or with a wrong one: a usage error that says which.
  Result<SigningKey> none = SigningKey::from_pem(locked, std::nullopt, "k.key");
  REQUIRE(!none);
  CHECK(none.error().what == "k.key");
  CHECK(none.error().why == "the private key is encrypted");
  CHECK(none.error().exit_code() == 2);
  CHECK(none.error().hint.find("--passphrase-stdin") != std::string::npos);
  Result<SigningKey> wrong = SigningKey::from_pem(locked, std::string("wrong"), "k.key");
  REQUIRE(!wrong);
  CHECK(wrong.error().why.starts_with("cannot decrypt the private key: wrong passphrase"));
  CHECK(wrong.error().exit_code() == 2);

  SigningKey opened = SigningKey::from_pem(locked, std::string("correct horse"), "k.key").value();
  std::string der = opened.sign("x").value();
  CHECK(verify_signature(pub, "x", der).value());
}

TEST_CASE("keys that are not P-256 private keys are refused") {
  Result<SigningKey> junk = SigningKey::from_pem("hello", std::nullopt, "junk.pem");
  REQUIRE(!junk);
  CHECK(junk.error().why.starts_with("not a PEM private key"));
  // A public key is not a private key.
  Result<SigningKey> pub = SigningKey::from_pem(new_key().public_pem().value(), std::nullopt, "p");
  CHECK(!pub);
}

TEST_CASE("the signature manifest: one layer per signature, merged and deduplicated") {
  TempDir dir("sp-signature");
  BlobStore store = BlobStore::open(dir.path() / "blobs").value();
  SigningKey key = new_key();
  NewSignature s;
  s.payload = simple_signing_payload(parse_registry_ref("127.0.0.1:5000/hello").value(), k_digest);
  s.signature_b64 = base64_encode(key.sign(s.payload).value());
  s.public_pem = key.public_pem().value();

  SignatureManifest first = build_signature_manifest(std::nullopt, s, store).value();
  CHECK(first.signatures == 1);
  CHECK_FALSE(first.unchanged);
  std::string bytes = store.read(first.root.digest).value();
  nlohmann::json m = parse(bytes);
  CHECK(m["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  CHECK(m["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json");
  REQUIRE(m["layers"].size() == 1);
  const nlohmann::json& layer = m["layers"][0];
  CHECK(layer["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json");
  CHECK(layer["digest"] == Digest::of(s.payload).to_string());
  CHECK(layer["size"] == s.payload.size());
  CHECK(layer["annotations"]["dev.cosignproject.cosign/signature"] == s.signature_b64);
  CHECK(store.read(Digest::of(s.payload)).value() == s.payload);
  nlohmann::json config =
      parse(store.read(parse_digest(m["config"]["digest"].get<std::string>()).value()).value());
  CHECK(config["rootfs"]["diff_ids"] == nlohmann::json::array({layer["digest"]}));
  CHECK(config["history"].size() == 1);

  // The same key and payload again (a fresh, randomized signature): nothing added.
  NewSignature again = s;
  again.signature_b64 = base64_encode(key.sign(s.payload).value());
  CHECK(again.signature_b64 != s.signature_b64);
  SignatureManifest same = build_signature_manifest(bytes, again, store).value();
  CHECK(same.unchanged);
  CHECK(same.root.digest == first.root.digest);

  // Another key: appended after the first.
  SigningKey other = new_key();
  NewSignature second = s;
  second.signature_b64 = base64_encode(other.sign(s.payload).value());
  second.public_pem = other.public_pem().value();
  SignatureManifest two = build_signature_manifest(bytes, second, store).value();
  CHECK(two.signatures == 2);
  nlohmann::json m2 = parse(store.read(two.root.digest).value());
  CHECK(m2["layers"][0] == layer);
  CHECK(m2["layers"][1]["annotations"]["dev.cosignproject.cosign/signature"] ==
        second.signature_b64);

  CHECK(!build_signature_manifest(std::string("{\"manifests\":[]}"), s, store));
}

TEST_CASE("sign_image resolves, signs and pushes to the .sig tag; signing twice changes nothing") {
  FakeRegistry registry;
  PushOptions o;
  o.transport = &registry;
  RegistryRef ref = parse_registry_ref("registry.test/acme/hello:1.0").value();
  std::string image = R"({"schemaVersion":2,"layers":[]})";
  registry.manifests["acme/hello"]["1.0"] = image;
  registry.content_types["acme/hello"]["1.0"] = "application/vnd.oci.image.manifest.v1+json";

  Digest digest = resolve_digest(ref, o).value();
  CHECK(digest == Digest::of(image));
  RegistryRef missing = parse_registry_ref("registry.test/acme/hello:2.0").value();
  Result<Digest> none = resolve_digest(missing, o);
  REQUIRE(!none);
  CHECK(none.error().what == "sign registry.test/acme/hello:2.0");

  SigningKey key = new_key();
  PushedSignature s = sign_image(ref, digest, key, o).value();
  CHECK(s.reference == "registry.test/acme/hello:" + signature_tag(digest));
  CHECK(s.signatures == 1);
  CHECK_FALSE(s.unchanged);
  std::string stored = registry.manifests["acme/hello"][signature_tag(digest)];
  CHECK(Digest::of(stored) == s.digest);
  nlohmann::json layer = parse(stored)["layers"][0];
  std::string payload = registry.blobs[layer["digest"].get<std::string>()];
  CHECK(payload == simple_signing_payload(ref, digest));
  std::string der =
      base64_decode(layer["annotations"]["dev.cosignproject.cosign/signature"].get<std::string>())
          .value();
  CHECK(verify_signature(key.public_pem().value(), payload, der).value());

  PushedSignature twice = sign_image(ref, digest, key, o).value();
  CHECK(twice.unchanged);
  CHECK(twice.digest == s.digest);
  CHECK(registry.manifests["acme/hello"][signature_tag(digest)] == stored);

  PushedSignature other = sign_image(ref, digest, new_key(), o).value();
  CHECK(other.signatures == 2);
  CHECK_FALSE(other.unchanged);
}
