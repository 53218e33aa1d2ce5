// The registry sink for the image model (Distribution / OCI distribution API v2): push an Image
// or an Index whose blobs are in a BlobStore to `registry/repository:tag`.
//
// Order: every blob (HEAD first and skipped when present; else mounted from a listed repository
// of the same registry; else uploaded, monolithic or in PATCH chunks, streamed from the store),
// then each platform manifest by digest, then the index by digest, then the same bytes under
// each tag. The digests the registry reports are checked against ours. Transient failures
// (connection resets, 5xx, 429) are retried with exponential backoff; an interrupted upload
// starts a new upload session. See docs/registry.md.
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "packager/image.h"
#include "packager/read_limits.h"
#include "packager/referrers.h"
#include "publish/http.h"
#include "publish/registry_auth.h"
#include "util/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::publish {

class SigningKey; // publish/signature.h

/// Where an image goes: registry host, repository inside it, and tag.
struct RegistryRef {
  std::string registry;   ///< "127.0.0.1:5000", "registry.example.com", "docker.io"
  std::string repository; ///< "hello", "acme/hello", "library/hello" (Docker Hub)
  std::string tag = "latest";

  /// "127.0.0.1:5000/hello:latest".
  std::string to_string() const { return registry + "/" + repository + ":" + tag; }
  /// "127.0.0.1:5000/hello@sha256:…".
  std::string with_digest(const packager::Digest& digest) const {
    return registry + "/" + repository + "@" + digest.to_string();
  }
  bool operator==(const RegistryRef&) const = default;
};

/// Parses an image reference for pushing: "HOST[:PORT]/NAME[:TAG]", or a name without a host,
/// which means Docker Hub ("hello" → docker.io/library/hello:latest). The grammar is
/// parse_image_ref's (packager/reference.h).
Result<RegistryRef> parse_registry_ref(std::string_view text);

/// The host the API is served from: Docker Hub's "docker.io" is registry-1.docker.io.
std::string api_host(std::string_view registry);

/// True when `registry` ("host[:port]") may be reached over plain HTTP or unverified TLS: a
/// loopback host (localhost, 127.0.0.0/8, ::1), or one listed in `insecure` as HOST or
/// HOST:PORT.
bool allows_insecure(std::string_view registry, const std::vector<std::string>& insecure);

/// True when a URL a registry sent (a token realm, an upload Location) may be reached over plain
/// HTTP or unverified TLS — and so receive credentials that way: its host is listed in
/// `insecure` (HOST, or HOST:PORT with the URL's port), or it is loopback and so is `registry`.
/// A remote registry cannot send credentials to this machine's plain-HTTP services, and a
/// loopback one cannot send them anywhere else.
bool allows_insecure_url(std::string_view registry, const http::Url& url,
                         const std::vector<std::string>& insecure);

/// When and how often a request is tried again.
struct RetryPolicy {
  int max_attempts = 5;                             ///< tries per request or upload, first included
  std::chrono::milliseconds base_delay{200};        ///< wait after the first failure, then doubled
  std::chrono::milliseconds max_delay{5000};        ///< cap of the doubled wait
  std::chrono::milliseconds max_retry_after{30000}; ///< cap on a registry's Retry-After
};

/// True for answers worth another attempt: connection failures, connect and stall timeouts,
/// 5xx (but 501), 429. Not a spent deadline: an answer still running after the whole budget is
/// a registry misbehaving, and trying again would multiply the wait.
bool is_retryable(const http::Response& response);

/// The default of PushOptions::timeout: long enough for a registry to answer after taking a
/// large blob (it hashes and stores it first), short enough that a hung registry ends the push.
inline constexpr std::chrono::milliseconds k_default_timeout{5 * 60 * 1000};
/// The slowest upload the deadline allows for a request body: 8 KiB/s (64 kbit/s).
inline constexpr uint64_t k_min_upload_rate = 8u << 10;

/// The deadline of one request: `timeout` for the exchange plus one second per
/// k_min_upload_rate bytes it sends, so a large blob on a slow link is never cut off while a
/// response that never ends is. 0 stays 0 (no deadline).
std::chrono::milliseconds request_deadline(std::chrono::milliseconds timeout, uint64_t body_bytes);

/// The wait before attempt `failed_attempts + 1`: base_delay · 2^(failed_attempts-1) capped at
/// max_delay, or the response's Retry-After (seconds) when it asks for longer.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed_attempts,
                                      const http::Response& response);

/// What happened during a push, for the progress callback.
struct PushEvent {
  enum class Kind {
    blob_exists,   ///< HEAD found it: not uploaded
    blob_mounted,  ///< mounted from another repository
    blob_upload,   ///< upload starting
    blob_uploaded, ///< upload done (digest checked)
    manifest_put,  ///< a manifest or index stored by digest
    tag_put,       ///< the root stored under a tag (`detail` is the tag)
    retry,         ///< a transient failure; `detail` says what, `attempt` which try comes next
  };
  Kind kind = Kind::blob_upload;
  packager::Digest digest;
  uint64_t size = 0;
  std::string detail;
  int attempt = 0;
};

/// What a push did.
struct PushCounters {
  uint64_t blobs_uploaded = 0;
  uint64_t blobs_skipped = 0; ///< already in the repository (HEAD hit)
  uint64_t blobs_mounted = 0;
  uint64_t bytes_uploaded = 0; ///< blob bytes of successful uploads (manifests not counted)
  uint64_t manifests_put = 0;  ///< manifest and index PUTs, tags included
  uint64_t retries = 0;
};

struct PushOptions {
  /// --creds, then --password-stdin or the environment (`given`), then auth files (see
  /// default_credential_sources()).
  CredentialSources credentials;
  /// Registries (HOST or HOST:PORT) that may use plain HTTP or unverified TLS.
  std::vector<std::string> insecure_registries;
  RetryPolicy retry;
  /// Each request must end within this plus the time to send its body at k_min_upload_rate
  /// (request_deadline()); 0: no deadline.
  std::chrono::milliseconds timeout = k_default_timeout;
  /// Blobs larger than this are sent in PATCH chunks of this size; smaller ones in one PUT.
  /// 0: always one PUT.
  uint64_t chunk_size = 8u << 20;
  /// Repositories of the same registry that may already hold the blobs (cross-repository
  /// mount); "acme/base" or "HOST/acme/base".
  std::vector<std::string> mount_from;
  /// Tags pushed besides the reference's own.
  std::vector<std::string> extra_tags;
  /// Called for each step (never with credentials). Optional.
  std::function<void(const PushEvent&)> progress;
  /// How to wait between attempts (tests record instead of sleeping). Default: sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
  /// The HTTP client to use (tests pass an in-memory registry); null: libcurl.
  http::Transport* transport = nullptr;
  /// Sign the pushed root with this key (cosign's `sha256-<hex>.sig` tag; pipeline::push_root
  /// does it after the push). Null: no signature.
  std::shared_ptr<const SigningKey> sign_key;
  /// How large a document (manifest, index) read back from the store may be, and how deep
  /// indexes may nest (`push`'s --max-document-size and --max-index-depth).
  packager::ReadLimits limits;
};

/// A cosign signature stored in the registry (publish/signature.h).
struct PushedSignature {
  std::string reference;          ///< "HOST/REPO:sha256-<hex>.sig"
  packager::Digest signed_digest; ///< the image (root) signed
  packager::Digest digest;        ///< of the signature manifest
  size_t signatures = 0;          ///< signatures the manifest holds
  bool unchanged = false;         ///< this key had signed this digest already: nothing was pushed
};

struct PushResult {
  RegistryRef reference;
  packager::Digest digest; ///< of the root manifest or index, as the registry confirmed it
  std::string media_type;
  PushCounters counters;
  std::optional<PushedSignature> signature; ///< when PushOptions::sign_key was set

  /// "registry/repository@sha256:…".
  std::string pushed() const { return reference.with_digest(digest); }
};

/// Pushes a single-platform image.
Result<PushResult> push(const packager::Image& image, const packager::BlobStore& store,
                        const RegistryRef& ref, const PushOptions& options = {});
/// Pushes an index and every image it names.
Result<PushResult> push(const packager::Index& index, const packager::BlobStore& store,
                        const RegistryRef& ref, const PushOptions& options = {});
/// Pushes whatever `root` (a manifest or an index) names, reading documents from the store;
/// what `scratchpack push` uses for layouts read back from disk.
Result<PushResult> push_descriptor(const packager::Descriptor& root,
                                   const packager::BlobStore& store, const RegistryRef& ref,
                                   const PushOptions& options = {});

/// How push_referrers made the artifacts findable.
struct ReferrersPushResult {
  bool api = false; ///< the registry's referrers API lists them (OCI distribution 1.1)
  std::string tag;  ///< else the fallback tag ("sha256-<hex>") that now holds their index
  size_t artifacts = 0;
  PushCounters counters;
};

/// Pushes the artifacts of `referrers` (their blobs, then each manifest by digest) to ref's
/// repository, after the subject itself was pushed, and makes them findable from it: through the
/// registry's referrers API when it has one (it indexes a manifest's `subject` itself), else
/// under the fallback tag sha256-<hex of the subject>, whose index is merged with what the tag
/// held (other tools' referrers stay listed).
Result<ReferrersPushResult> push_referrers(const packager::Referrers& referrers,
                                           const packager::BlobStore& store, const RegistryRef& ref,
                                           const PushOptions& options = {});

/// One document attached to an image in a registry, read back.
struct FetchedDocument {
  std::string artifact_type;
  std::string document;
};

/// The documents attached to `subject` in ref's repository: the referrers API's index, else the
/// fallback tag's; each artifact manifest and its one document, checked against their digests
/// and bounded by options.limits.max_document. Empty when there are none.
Result<std::vector<FetchedDocument>> fetch_documents(const RegistryRef& ref,
                                                     const packager::Digest& subject,
                                                     const PushOptions& options = {});

/// A push, step by step: the blobs to send (each once, in first-use order) and the documents
/// to PUT, children before the index that names them, the root last.
struct PushPlan {
  struct Document {
    packager::Descriptor descriptor;
    std::string bytes;
  };
  std::vector<packager::Descriptor> blobs;
  std::vector<Document> manifests;
};

/// Walks `root` through the store (nested indexes allowed, within `limits`); every blob must be
/// present.
Result<PushPlan> plan_push(const packager::Descriptor& root, const packager::BlobStore& store,
                           const packager::ReadLimits& limits = {});

} // namespace sp::publish
