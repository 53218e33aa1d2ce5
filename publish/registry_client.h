// One session with one repository of a registry: the Distribution API v2 calls a push needs
// (ping, blob HEAD, cross-repository mount, monolithic and chunked uploads, manifest PUT), with
// authentication, retries and digest checks. registry.cpp strings them together.
#pragma once

#include "packager/digest.h"
#include "publish/http.h"
#include "publish/registry.h"
#include "publish/registry_auth.h"
#include "util/fs.h"
#include "util/result.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sp::publish {

class RegistryClient {
public:
  /// `mount_sources` are repositories of the same registry the token must be able to pull from.
  RegistryClient(http::Transport& transport, RegistryRef ref, const PushOptions& options,
                 std::optional<FoundCredentials> credentials,
                 std::vector<std::string> mount_sources);
  // The authenticator's callbacks hold `this`.
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  /// GET /v2/: settles the scheme (https; for insecure registries http when TLS fails) and
  /// authenticates ahead when the registry asks, so later calls carry the token.
  Status ping();

  /// HEAD the blob: true when the repository has it (its reported digest must match).
  Result<bool> blob_exists(const packager::Descriptor& blob);

  /// Asks the registry to mount `blob` from repository `from`. True when mounted; false when
  /// not (then an upload session the registry opened instead is kept for upload_blob).
  Result<bool> mount_blob(const packager::Descriptor& blob, const std::string& from);

  /// Uploads `blob` from `file` (one PUT, or PATCH chunks when larger than the chunk size);
  /// retries the whole upload in a new session after a transient failure.
  Status upload_blob(const packager::Descriptor& blob, const fs::path& file);

  /// PUTs a manifest or index under `reference` (its digest or a tag) with its media type.
  Status put_manifest(const packager::Descriptor& manifest, const std::string& bytes,
                      const std::string& reference);

  /// A manifest or index as the registry serves it.
  struct Fetched {
    packager::Descriptor descriptor; ///< media type (Content-Type), digest of the bytes, size
    std::string bytes;
  };
  /// GETs the manifest or index under `reference` (a tag or a digest), accepting OCI and Docker
  /// manifests and indexes; nullopt when the registry has none (404). The digest is computed
  /// from the bytes and checked against Docker-Content-Digest.
  Result<std::optional<Fetched>> get_manifest(const std::string& reference);

  /// GETs a small blob (a signature payload; at most `max_size` bytes) and checks its digest.
  Result<std::string> get_blob(const packager::Descriptor& blob, uint64_t max_size);

  /// GETs the referrers API's index for `subject` (OCI distribution 1.1); nullopt when the
  /// registry does not have the API (404, or an answer that is not an image index).
  Result<std::optional<std::string>> get_referrers(const packager::Digest& subject);

  /// Retries done so far (each wait between attempts counts one).
  uint64_t retries() const { return m_retries; }
  /// Secrets to keep out of errors.
  std::vector<std::string> secrets() const { return m_auth.secrets(); }

private:
  // One attempt of an upload: done, worth another attempt, or failed for good.
  struct Attempt {
    enum class State { done, transient, failed } state = State::done;
    http::Response response;
    std::optional<Error> error;
  };

  Result<http::Response> send_once(http::Request request);
  http::Response send_unauthenticated(const http::Request& request, std::string_view step);
  Result<http::Response> send(const std::function<http::Request()>& make, std::string_view step);
  void wait_before_retry(int failed_attempts, const http::Response& r, std::string_view step);
  Attempt try_upload(const packager::Descriptor& blob, const fs::path& file);
  Attempt send_upload_request(http::Request request, long expected, std::string_view step);
  Status check_digest(const http::Response& r, const packager::Digest& expected,
                      std::string_view what);
  Result<std::string> follow(std::string_view base, std::string_view location,
                             std::string_view step) const;
  bool is_ours(const http::Url& url) const;
  bool prepare(http::Request& request) const;

  Error error(std::string why, std::string hint = {}) const;
  Error unexpected(const http::Response& r, std::string_view step) const;
  Error auth_error(const http::Response& r) const;
  std::string blob_url(const packager::Digest& d) const;
  std::string uploads_url() const;
  void emit(PushEvent event) const;

  http::Transport& m_transport;
  RegistryRef m_ref;
  const PushOptions& m_options;
  std::vector<std::string> m_scopes;
  bool m_insecure = false;
  std::string m_base; ///< "https://host:port" once ping() chose the scheme
  Authenticator m_auth;
  std::optional<std::string> m_session; ///< an upload URL a failed mount left open
  uint64_t m_retries = 0;
};

} // namespace sp::publish
