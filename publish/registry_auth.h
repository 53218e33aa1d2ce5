// Registry authentication: where credentials come from (--creds, $REGISTRY_AUTH_FILE, podman's
// auth.json, docker's config.json), how a `WWW-Authenticate` challenge is read, and the Basic
// and Bearer-token flows. Credentials and tokens never appear in an Error: everything that
// leaves the registry client passes through redact() with the secrets known to it.
#pragma once

#include "publish/http.h"
#include "util/fs.h"
#include "util/result.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::publish {

/// A user name and password (or token used as a password).
struct Credentials {
  std::string username;
  std::string password;
};

/// Credentials and a human name for where they were found ("--creds", a file path).
struct FoundCredentials {
  Credentials credentials;
  std::string source;
};

/// Where to look, in order: `explicit_creds` ("USER:PASS", from --creds), then `given` (read by
/// the CLI from stdin or the environment), then each file; the first file with an entry for the
/// registry wins.
struct CredentialSources {
  std::optional<std::string> explicit_creds;
  std::optional<FoundCredentials> given;
  std::vector<fs::path> files;
};

/// The standard search list from the environment: $REGISTRY_AUTH_FILE, else
/// $XDG_RUNTIME_DIR/containers/auth.json and ~/.config/containers/auth.json (podman login);
/// then $DOCKER_CONFIG/config.json, else ~/.docker/config.json (docker login).
CredentialSources default_credential_sources();

/// Splits "USER:PASS" (the password may contain ':'). The error never repeats the text.
Result<Credentials> parse_creds(std::string_view text);

/// Reads a docker config.json / containers auth.json: `auths` keyed by "host[:port]" or a URL
/// ("https://host:port/v1/"), each with base64 `auth` = "user:pass" or `username`/`password`.
/// No entry for `registry` is not an error (nullopt). A malformed file is an error naming
/// `where` but quoting nothing from the file.
Result<std::optional<Credentials>> credentials_from_config(std::string_view json_text,
                                                           std::string_view registry,
                                                           std::string_view where);

/// Looks `registry` ("host[:port]", "docker.io") up in `sources`; nullopt when none has it.
Result<std::optional<FoundCredentials>> find_credentials(std::string_view registry,
                                                         const CredentialSources& sources);

/// Normalises a config key or registry name for comparison: drops the scheme and any path,
/// lower-cases, and maps Docker Hub's aliases (index.docker.io, registry-1.docker.io) to
/// "docker.io".
std::string normalize_registry_key(std::string_view key);

std::string base64_encode(std::string_view bytes);
/// Decodes standard base64 (padding optional); nullopt when the text is not base64.
std::optional<std::string> base64_decode(std::string_view text);

/// One challenge of a WWW-Authenticate header: scheme lower-cased ("basic", "bearer"),
/// parameter names lower-cased, quoted values unquoted.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

/// Parses `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`, or several challenges
/// in one header. Unparseable parts are skipped.
std::vector<Challenge> parse_www_authenticate(std::string_view header);

/// Replaces every occurrence of each non-empty secret in `text` with "***".
std::string redact(std::string text, const std::vector<std::string>& secrets);
/// The same over every text field of an Error.
Error redact(Error error, const std::vector<std::string>& secrets);

/// Keeps the Authorization header for one registry session: Basic credentials when the
/// registry asks for Basic, a Bearer token from the challenge's realm otherwise. A session uses
/// one scope set (push on the target, pull on mount sources), so one token serves every
/// request; a 401 later (an expired token) fetches a fresh one.
class Authenticator {
public:
  /// Sends one request (the caller adds retries); used for token requests.
  using Send = std::function<http::Response(const http::Request&)>;
  /// Whether plain HTTP (or unverified TLS) is allowed for a URL the registry named, so
  /// credentials may go there that way (allows_insecure_url()).
  using AllowsInsecure = std::function<bool(const http::Url& url)>;

  Authenticator(std::optional<FoundCredentials> credentials, Send send,
                AllowsInsecure allows_insecure);

  /// The Authorization header value to send now ("" before any challenge or when anonymous).
  const std::string& authorization() const { return m_authorization; }
  bool has_credentials() const { return m_credentials.has_value(); }
  /// Where the credentials came from ("" when there are none).
  std::string credentials_source() const;

  /// Reacts to a 401 (or the challenge of a ping): prepares Basic, or fetches a token for
  /// `scopes` ("repository:acme/hello:pull,push"…). Returns true when the request is worth
  /// sending again with the new authorization, false when nothing new can be offered. A realm
  /// that is not an http(s) URL, that holds a user name, or that would take credentials over
  /// plain HTTP to a host not allowed it is an error, and nothing is sent there.
  Result<bool> answer(const http::Response& unauthorized, const std::vector<std::string>& scopes);

  /// Every secret this authenticator knows (password, Basic header, tokens), for redact().
  std::vector<std::string> secrets() const;

private:
  Result<bool> fetch_token(const Challenge& challenge, const std::vector<std::string>& scopes);

  std::optional<FoundCredentials> m_credentials;
  Send m_send;
  AllowsInsecure m_allows_insecure;
  std::string m_authorization;
  std::vector<std::string> m_issued; ///< every token seen, for redaction
};

} // namespace sp::publish
