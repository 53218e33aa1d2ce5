// cosign-compatible image signatures (sigstore/cosign specs/SIGNATURE_SPEC.md, "simple signing"):
// the payload naming the image's digest, its ECDSA P-256 / SHA-256 signature, the signature
// manifest (one layer per signature, the payload as the layer's blob and the base64 DER
// signature in its `dev.cosignproject.cosign/signature` annotation) tagged
// `sha256-<hex>.sig` in the image's repository; and the PEM key pairs that sign them.
// See docs/signing.md.
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "publish/registry.h"
#include "util/fs.h"
#include "util/result.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sp::publish {

/// The media type of a simple-signing payload blob (the signature manifest's layers).
inline constexpr std::string_view k_simple_signing_type =
    "application/vnd.dev.cosign.simplesigning.v1+json";
/// The layer annotation holding the base64 signature.
inline constexpr std::string_view k_signature_annotation = "dev.cosignproject.cosign/signature";
/// `critical.type` of a cosign image signature.
inline constexpr std::string_view k_signature_type = "cosign container image signature";

/// A passphrase, when a key is (to be) encrypted. Never printed.
using Passphrase = std::optional<std::string>;

/// An ECDSA P-256 private key (OpenSSL's EVP_PKEY). Copies share the key.
class SigningKey {
public:
  /// A new random key.
  static Result<SigningKey> generate();
  /// Reads a PEM private key (PKCS#8, encrypted or not, or SEC1 "EC PRIVATE KEY"); `what`
  /// names it in errors (the file). An encrypted key without a passphrase, a wrong passphrase,
  /// or a key that is not P-256 is a usage error.
  static Result<SigningKey> from_pem(std::string_view pem, const Passphrase& passphrase,
                                     std::string_view what);
  /// from_pem() of a file's contents.
  static Result<SigningKey> load(const fs::path& file, const Passphrase& passphrase);

  /// PKCS#8 PEM ("PRIVATE KEY"); with a passphrase "ENCRYPTED PRIVATE KEY" (PBES2: AES-256-CBC,
  /// PBKDF2-HMAC-SHA256).
  Result<std::string> private_pem(const Passphrase& passphrase) const;
  /// SubjectPublicKeyInfo PEM ("PUBLIC KEY"), what cosign.pub holds.
  Result<std::string> public_pem() const;
  /// ECDSA over SHA-256 of `data`: the DER signature (randomized: two calls differ).
  Result<std::string> sign(std::string_view data) const;

private:
  struct Key;
  explicit SigningKey(std::shared_ptr<Key> key) : m_key(std::move(key)) {}
  std::shared_ptr<Key> m_key;
};

/// True when `signature_der` is a valid ECDSA/SHA-256 signature of `data` under the PEM public
/// key; false when it is not; an error when the key cannot be read.
Result<bool> verify_signature(std::string_view public_pem, std::string_view data,
                              std::string_view signature_der);

/// The reference a payload names: "HOST/REPO" ("index.docker.io/library/hello" for Docker Hub,
/// as cosign writes it).
std::string docker_reference(const RegistryRef& ref);

/// The simple-signing payload for `digest` in `ref`'s repository, compact JSON in cosign's key
/// order: {"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":…},
/// "type":"cosign container image signature"},"optional":null}.
std::string simple_signing_payload(const RegistryRef& ref, const packager::Digest& digest);

/// What `scratchpack sign` was given: "HOST/REPO[:TAG]" (the tag is resolved on the registry)
/// or "HOST/REPO[:TAG]@sha256:<hex>" (that digest is signed; the tag, if any, is ignored).
struct SignTarget {
  RegistryRef ref;
  std::optional<packager::Digest> digest;
};
Result<SignTarget> parse_sign_target(std::string_view text);

/// "sha256-<hex>.sig": the tag a signature of `digest` lives under.
std::string signature_tag(const packager::Digest& digest);

/// One signature to add to a signature manifest.
struct NewSignature {
  std::string payload;
  std::string signature_b64;
  std::string public_pem; ///< to recognise an equal signature already there
};

/// What merging a signature into a signature manifest did.
struct SignatureManifest {
  packager::Descriptor root; ///< the manifest, in the store
  size_t signatures = 0;     ///< layers in it
  bool unchanged = false;    ///< `existing` already held this payload signed by this key
};

/// Builds the signature manifest into `store`: the layers of `existing` (a signature manifest
/// already under the tag, whose payload blobs the caller put in the store) followed by the new
/// one — unless a layer has the same payload and its signature verifies under the same public
/// key, then nothing is added (`unchanged`). The config is the one cosign writes (empty
/// architecture and os, one zero-time history entry and diff_id per layer).
Result<SignatureManifest> build_signature_manifest(const std::optional<std::string>& existing,
                                                   const NewSignature& signature,
                                                   const packager::BlobStore& store);

/// The digest `ref`'s tag points at on the registry (GET of the manifest, Accept: OCI and
/// Docker manifests and indexes; the digest of the bytes it serves, checked against
/// Docker-Content-Digest). A missing tag is a failure.
Result<packager::Digest> resolve_digest(const RegistryRef& ref, const PushOptions& options);

/// Signs `digest` in `ref`'s repository with `key` and pushes the signature manifest to
/// `sha256-<hex>.sig` (merged with what the tag holds; see build_signature_manifest). Progress
/// goes to options.progress; options.extra_tags and mount_from are not used.
Result<PushedSignature> sign_image(const RegistryRef& ref, const packager::Digest& digest,
                                   const SigningKey& key, const PushOptions& options);

} // namespace sp::publish
