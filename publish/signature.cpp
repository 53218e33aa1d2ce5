#include "publish/signature.h"

#include "publish/registry_auth.h"
#include "publish/registry_client.h"

#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace sp::publish {

using packager::BlobStore;
using packager::Descriptor;
using packager::Digest;
namespace media_type = packager::media_type;

namespace {

using ordered_json = nlohmann::ordered_json;

// Payload blobs of other signatures fetched to rebuild the manifest: a payload is a few hundred
// bytes; this bounds what a hostile registry can make us read per layer.
constexpr uint64_t k_max_payload = 64u << 10;
// cosign's config and history carry Go's zero time.
constexpr const char* k_zero_time = "0001-01-01T00:00:00Z";

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// OpenSSL's reason for the last failure (the queue is cleared), for an error's `why`.
std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "unknown OpenSSL error";
  }
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : "OpenSSL error " + std::to_string(code);
}

BioPtr memory_bio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

// True for an EC key on P-256, the one curve cosign's spec requires.
bool is_p256(EVP_PKEY* key) {
  if (!EVP_PKEY_is_a(key, "EC")) {
    return false;
  }
  char group[64] = {};
  size_t length = 0;
  if (!EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &length)) {
    ERR_clear_error();
    return false;
  }
  std::string_view name(group, length);
  return name == "prime256v1" || name == "P-256";
}

// The passphrase callback: hands over the passphrase, and records that the key asked for one.
struct PassphraseRequest {
  const Passphrase* passphrase = nullptr;
  bool asked = false;
};

int passphrase_callback(char* buffer, int size, int /*rwflag*/, void* user) {
  auto* request = static_cast<PassphraseRequest*>(user);
  request->asked = true;
  if (!request->passphrase->has_value()) {
    return -1;
  }
  const std::string& p = **request->passphrase;
  if (p.size() > static_cast<size_t>(size)) {
    return -1;
  }
  std::copy(p.begin(), p.end(), buffer);
  return static_cast<int>(p.size());
}

} // namespace

struct SigningKey::Key {
  PkeyPtr pkey;
};

Result<SigningKey> SigningKey::generate() {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!raw) {
    return failure("key generation", openssl_reason());
  }
  return SigningKey(std::make_shared<Key>(Key{PkeyPtr(raw)}));
}

Result<SigningKey> SigningKey::from_pem(std::string_view pem, const Passphrase& passphrase,
                                        std::string_view what) {
  std::string subject(what);
  BioPtr bio = memory_bio(pem);
  PassphraseRequest request{&passphrase};
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphrase_callback, &request);
  if (!raw) {
    std::string reason = openssl_reason();
    if (request.asked && !passphrase) {
      return usage_error(subject, "the private key is encrypted",
                         "give its passphrase with --passphrase-stdin or --passphrase-env VAR");
    }
    if (request.asked) {
      return usage_error(subject,
                         "cannot decrypt the private key: wrong passphrase (" + reason + ")",
                         "check the passphrase given with --passphrase-stdin or "
                         "--passphrase-env");
    }
    return usage_error(subject, "not a PEM private key (" + reason + ")",
                       "create a key pair with 'scratchpack keygen'");
  }
  PkeyPtr key(raw);
  if (!is_p256(key.get())) {
    return usage_error(subject, "not an ECDSA P-256 key; cosign signatures use P-256",
                       "create a key pair with 'scratchpack keygen'");
  }
  return SigningKey(std::make_shared<Key>(Key{std::move(key)}));
}

Result<SigningKey> SigningKey::load(const fs::path& file, const Passphrase& passphrase) {
  Result<std::string> pem = read_file(file);
  if (!pem) {
    return pem.take_error();
  }
  return from_pem(*pem, passphrase, file.string());
}

Result<std::string> SigningKey::private_pem(const Passphrase& passphrase) const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  const EVP_CIPHER* cipher = passphrase ? EVP_aes_256_cbc() : nullptr;
  const char* pass = passphrase ? passphrase->data() : nullptr;
  int length = passphrase ? static_cast<int>(passphrase->size()) : 0;
  if (!bio || !PEM_write_bio_PKCS8PrivateKey(bio.get(), m_key->pkey.get(), cipher, pass, length,
                                             nullptr, nullptr)) {
    return failure("private key", "cannot encode it as PKCS#8: " + openssl_reason());
  }
  return bio_text(bio.get());
}

Result<std::string> SigningKey::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PUBKEY(bio.get(), m_key->pkey.get())) {
    return failure("public key", "cannot encode it: " + openssl_reason());
  }
  return bio_text(bio.get());
}

Result<std::string> SigningKey::sign(std::string_view data) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return failure("signature", openssl_reason());
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return failure("signature", openssl_reason());
  }
  signature.resize(length);
  return signature;
}

Result<bool> verify_signature(std::string_view public_pem, std::string_view data,
                              std::string_view signature_der) {
  BioPtr bio = memory_bio(public_pem);
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return usage_error("public key", "not a PEM public key (" + openssl_reason() + ")");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return failure("signature check", openssl_reason());
  }
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature_der.data()),
                            signature_der.size(),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size());
  ERR_clear_error(); // a malformed signature leaves a DER error behind: it is just "no"
  return ok == 1;
}

std::string docker_reference(const RegistryRef& ref) {
  std::string host = ref.registry == "docker.io" ? std::string("index.docker.io") : ref.registry;
  return host + "/" + ref.repository;
}

std::string simple_signing_payload(const RegistryRef& ref, const Digest& digest) {
  ordered_json critical;
  critical["identity"]["docker-reference"] = docker_reference(ref);
  critical["image"]["docker-manifest-digest"] = digest.to_string();
  critical["type"] = k_signature_type;
  ordered_json payload;
  payload["critical"] = std::move(critical);
  payload["optional"] = nullptr;
  return payload.dump();
}

Result<SignTarget> parse_sign_target(std::string_view text) {
  SignTarget target;
  size_t at = text.find('@');
  Result<RegistryRef> ref = parse_registry_ref(text.substr(0, at));
  if (!ref) {
    return ref.take_error();
  }
  target.ref = std::move(*ref);
  if (at != std::string_view::npos) {
    Result<Digest> digest = packager::parse_digest(text.substr(at + 1));
    if (!digest) {
      return usage_error(std::string(text), "expects HOST/NAME[:TAG] or HOST/NAME@sha256:<64 hex>");
    }
    target.digest = std::move(*digest);
  }
  return target;
}

std::string signature_tag(const Digest& digest) {
  return digest.algorithm() + "-" + digest.hex() + ".sig";
}

namespace {

// The layers of a signature manifest already under the tag.
Result<std::vector<ordered_json>> existing_layers(const std::string& bytes) {
  ordered_json j = ordered_json::parse(bytes, nullptr, false);
  if (!j.is_object() || !j.contains("layers") || !j["layers"].is_array() || !j.contains("config")) {
    return failure("signature manifest", "the tag holds a document that is not an image manifest",
                   "delete the tag, or check what pushed it");
  }
  std::vector<ordered_json> layers;
  for (const ordered_json& layer : j["layers"]) {
    Result<Descriptor> d = packager::descriptor_from_json(nlohmann::json(layer), "signature layer");
    if (!d) {
      return d.take_error();
    }
    layers.push_back(layer);
  }
  return layers;
}

// True when `layer` carries `s.payload` signed by `s.public_pem`'s key.
bool same_signature(const ordered_json& layer, const NewSignature& s) {
  Result<Descriptor> d = packager::descriptor_from_json(nlohmann::json(layer), "signature layer");
  if (!d || d->media_type != k_simple_signing_type || d->digest != Digest::of(s.payload)) {
    return false;
  }
  auto annotation = d->annotations.find(std::string(k_signature_annotation));
  if (annotation == d->annotations.end()) {
    return false;
  }
  std::optional<std::string> der = base64_decode(annotation->second);
  if (!der) {
    return false;
  }
  Result<bool> ok = verify_signature(s.public_pem, s.payload, *der);
  return ok && *ok;
}

ordered_json descriptor_json(std::string_view type, const packager::BlobInfo& blob) {
  ordered_json d;
  d["mediaType"] = type;
  d["size"] = blob.size;
  d["digest"] = blob.digest.to_string();
  return d;
}

// The config cosign writes (go-containerregistry's ConfigFile, its field order).
std::string signature_config(const std::vector<ordered_json>& layers) {
  ordered_json config;
  config["architecture"] = "";
  config["created"] = k_zero_time;
  config["history"] = ordered_json::array();
  ordered_json diff_ids = ordered_json::array();
  for (const ordered_json& layer : layers) {
    config["history"].push_back(ordered_json{{"created", k_zero_time}});
    diff_ids.push_back(layer["digest"]);
  }
  config["os"] = "";
  config["rootfs"] = ordered_json{{"type", "layers"}, {"diff_ids", std::move(diff_ids)}};
  config["config"] = ordered_json::object();
  return config.dump();
}

} // namespace

Result<SignatureManifest> build_signature_manifest(const std::optional<std::string>& existing,
                                                   const NewSignature& signature,
                                                   const BlobStore& store) {
  std::vector<ordered_json> layers;
  if (existing) {
    layers = SP_TRY(existing_layers(*existing));
    for (const ordered_json& layer : layers) {
      if (same_signature(layer, signature)) {
        Descriptor root{std::string(media_type::k_manifest),
                        Digest::of(*existing),
                        existing->size(),
                        std::nullopt,
                        {},
                        {}};
        return SignatureManifest{root, layers.size(), true};
      }
    }
  }
  packager::BlobInfo payload = SP_TRY(store.put(signature.payload));
  ordered_json layer = descriptor_json(k_simple_signing_type, payload);
  layer["annotations"][std::string(k_signature_annotation)] = signature.signature_b64;
  layers.push_back(std::move(layer));
  packager::BlobInfo config = SP_TRY(store.put(signature_config(layers)));
  ordered_json manifest;
  manifest["schemaVersion"] = 2;
  manifest["mediaType"] = media_type::k_manifest;
  manifest["config"] = descriptor_json(media_type::k_config, config);
  manifest["layers"] = layers;
  packager::BlobInfo root = SP_TRY(store.put(manifest.dump()));
  return SignatureManifest{
      Descriptor{std::string(media_type::k_manifest), root.digest, root.size, std::nullopt, {}, {}},
      layers.size(), false};
}

namespace {

// One registry session for signing: the client, its transport, and the subject of its errors.
class SignSession {
public:
  SignSession(const RegistryRef& ref, const PushOptions& options, std::string subject)
      : m_ref(ref), m_options(options), m_subject(std::move(subject)) {}

  Status open() {
    Result<std::optional<FoundCredentials>> creds =
        find_credentials(m_ref.registry, m_options.credentials);
    if (!creds) {
      return creds.take_error();
    }
    m_transport = m_options.transport;
    if (!m_transport) {
      m_own = http::make_curl_transport();
      m_transport = m_own.get();
    }
    m_client = std::make_unique<RegistryClient>(*m_transport, m_ref, m_options, *creds,
                                                std::vector<std::string>());
    return check(m_client->ping());
  }

  RegistryClient& client() { return *m_client; }

  // The error of a registry step, named after what is being signed and without secrets.
  Error rename(Error e) const {
    e.what = m_subject;
    return m_client ? redact(std::move(e), m_client->secrets()) : e;
  }
  template <class T> Result<T> check(Result<T> r) const {
    if (!r) {
      return rename(r.take_error());
    }
    return r;
  }

private:
  RegistryRef m_ref;
  const PushOptions& m_options;
  std::string m_subject;
  std::unique_ptr<http::Transport> m_own;
  http::Transport* m_transport = nullptr;
  std::unique_ptr<RegistryClient> m_client;
};

} // namespace

Result<Digest> resolve_digest(const RegistryRef& ref, const PushOptions& options) {
  SignSession session(ref, options, "sign " + ref.to_string());
  SP_TRY(session.open());
  auto fetched = SP_TRY(session.check(session.client().get_manifest(ref.tag)));
  if (!fetched) {
    return session.rename(failure("", "the registry has no image under the tag '" + ref.tag + "'",
                                  "push it first, or name the digest to sign: " + ref.registry +
                                      "/" + ref.repository + "@sha256:…"));
  }
  return fetched->descriptor.digest;
}

Result<PushedSignature> sign_image(const RegistryRef& ref, const Digest& digest,
                                   const SigningKey& key, const PushOptions& options) {
  RegistryRef sig_ref = ref;
  sig_ref.tag = signature_tag(digest);
  PushOptions o = options;
  o.extra_tags.clear();
  o.mount_from.clear();
  o.sign_key.reset();
  SignSession session(sig_ref, o, "sign " + ref.with_digest(digest));
  SP_TRY(session.open());
  auto existing = SP_TRY(session.check(session.client().get_manifest(sig_ref.tag)));
  TempDir dir("scratchpack-sign");
  BlobStore store = SP_TRY(BlobStore::open(dir.path() / "blobs"));
  std::optional<std::string> existing_bytes;
  if (existing) {
    existing_bytes = existing->bytes;
    // The other signatures' payloads go into the new manifest too: push_descriptor wants every
    // blob it names in the store (it then finds them in the repository and skips them).
    for (const ordered_json& layer : SP_TRY(session.check(existing_layers(existing->bytes)))) {
      Descriptor d = SP_TRY(packager::descriptor_from_json(nlohmann::json(layer), "layer"));
      std::string blob = SP_TRY(session.check(session.client().get_blob(d, k_max_payload)));
      SP_TRY(store.put(blob));
    }
  }
  NewSignature signature;
  signature.payload = simple_signing_payload(ref, digest);
  signature.signature_b64 = base64_encode(SP_TRY(key.sign(signature.payload)));
  signature.public_pem = SP_TRY(key.public_pem());
  SignatureManifest manifest =
      SP_TRY(session.check(build_signature_manifest(existing_bytes, signature, store)));
  PushedSignature out{sig_ref.to_string(), digest, manifest.root.digest, manifest.signatures,
                      manifest.unchanged};
  if (manifest.unchanged) {
    return out;
  }
  PushResult pushed = SP_TRY(session.check(push_descriptor(manifest.root, store, sig_ref, o)));
  out.digest = pushed.digest;
  return out;
}

} // namespace sp::publish
