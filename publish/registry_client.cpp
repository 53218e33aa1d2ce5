#include "publish/registry_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

namespace sp::publish {

using packager::Descriptor;
using packager::Digest;
namespace media_type = packager::media_type;

namespace {

using nlohmann::json;

http::Request request(std::string method, std::string url) {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  return r;
}

constexpr std::string_view k_octet_stream = "application/octet-stream";

// "MANIFEST_INVALID: manifest invalid" from a registry's {"errors":[{code,message}]} body.
std::string registry_message(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("errors") || !j["errors"].is_array()) {
    return {};
  }
  std::vector<std::string> parts;
  for (const json& e : j["errors"]) {
    if (!e.is_object()) {
      continue;
    }
    std::string code = e.value("code", json("")).is_string() ? e.value("code", "") : "";
    std::string message = e.value("message", json("")).is_string() ? e.value("message", "") : "";
    std::string text = code.empty() ? message : message.empty() ? code : code + ": " + message;
    if (!text.empty()) {
      parts.push_back(text);
    }
  }
  std::string out;
  for (const std::string& p : parts) {
    out += (out.empty() ? "" : "; ") + p;
  }
  return out;
}

// What a transient failure was, for progress and for the final error.
std::string failure_text(const http::Response& r) {
  if (r.status == 0) {
    std::string text(http::describe(r.net_error));
    return r.net_message.empty() ? text : text + " (" + r.net_message + ")";
  }
  return http::status_text(r.status);
}

} // namespace

RegistryClient::RegistryClient(http::Transport& transport, RegistryRef ref,
                               const PushOptions& options,
                               std::optional<FoundCredentials> credentials,
                               std::vector<std::string> mount_sources)
    : m_transport(transport), m_ref(std::move(ref)), m_options(options),
      m_insecure(allows_insecure(m_ref.registry, options.insecure_registries)),
      m_auth(
          std::move(credentials),
          [this](const http::Request& r) { return send_unauthenticated(r, "token request"); },
          [this](const http::Url& url) {
            return allows_insecure_url(m_ref.registry, url, m_options.insecure_registries);
          }) {
  m_scopes.push_back("repository:" + m_ref.repository + ":pull,push");
  for (const std::string& from : mount_sources) {
    m_scopes.push_back("repository:" + from + ":pull");
  }
  m_base = "https://" + api_host(m_ref.registry);
}

Error RegistryClient::error(std::string why, std::string hint) const {
  return failure("push " + m_ref.to_string(), std::move(why), std::move(hint));
}

void RegistryClient::emit(PushEvent event) const {
  if (m_options.progress) {
    m_options.progress(event);
  }
}

std::string RegistryClient::blob_url(const Digest& d) const {
  return m_base + "/v2/" + m_ref.repository + "/blobs/" + d.to_string();
}

std::string RegistryClient::uploads_url() const {
  return m_base + "/v2/" + m_ref.repository + "/blobs/uploads/";
}

Error RegistryClient::auth_error(const http::Response& r) const {
  std::string host = m_ref.registry;
  if (r.status == 403) {
    std::string msg = registry_message(r.body);
    return error("the registry denied access to " + m_ref.repository + " (403 Forbidden)" +
                     (msg.empty() ? "" : ": " + msg),
                 "check that the account may push to this repository");
  }
  if (!m_auth.has_credentials()) {
    return error("the registry requires authentication (401 Unauthorized)",
                 "pass --username USER --password-stdin, or log in with 'podman login " + host +
                     "' or 'docker login " + host + "'");
  }
  return error("the registry rejected the credentials from " + m_auth.credentials_source() +
                   " (401 Unauthorized)",
               "check the user name and password, or log in again with 'podman login " + host +
                   "'");
}

Error RegistryClient::unexpected(const http::Response& r, std::string_view step) const {
  if (r.status == 401 || r.status == 403) {
    return auth_error(r);
  }
  std::string where = std::string(step) + " at " + m_base;
  if (r.status == 0) {
    std::string hint;
    if (r.net_error == http::NetError::tls) {
      hint = m_insecure ? ""
                        : "if the registry serves plain HTTP or a self-signed certificate, "
                          "pass --insecure-registry " +
                              m_ref.registry;
    } else if (r.net_error == http::NetError::connect) {
      hint = "is a registry listening at " + m_ref.registry + "?";
    } else if (r.net_error == http::NetError::deadline) {
      hint = "if the registry is only slow, raise --timeout (or $SCRATCHPACK_PUSH_TIMEOUT)";
    }
    return error(where + ": " + failure_text(r), hint);
  }
  std::string msg = registry_message(r.body);
  std::string why = where + ": the registry answered " + http::status_text(r.status);
  if (!msg.empty()) {
    why += " (" + msg + ")";
  }
  if (is_retryable(r)) {
    why += " after " + std::to_string(m_options.retry.max_attempts) + " attempts";
  }
  return error(why);
}

bool RegistryClient::is_ours(const http::Url& url) const {
  Result<http::Url> base = http::parse_url(m_base);
  return base && http::same_origin(url, *base);
}

// Unverified TLS only where allowed, and a deadline sized to the body. True when the request
// goes to the registry's own origin (only those carry the Authorization header).
bool RegistryClient::prepare(http::Request& request) const {
  Result<http::Url> url = http::parse_url(request.url);
  bool ours = url && is_ours(*url);
  request.insecure_tls =
      ours ? m_insecure
           : url && allows_insecure_url(m_ref.registry, *url, m_options.insecure_registries);
  request.timeout = request_deadline(m_options.timeout, request.body_size());
  return ours;
}

// A Location the registry sent, resolved against the request's URL and checked like a realm:
// http(s) only, no user name, and plain HTTP only where this registry's own scheme or
// allows_insecure_url() permits it. The normalised URL is what is then requested.
Result<std::string> RegistryClient::follow(std::string_view base, std::string_view location,
                                           std::string_view step) const {
  Result<http::Url> url = http::resolve_url(base, location);
  if (!url) {
    return error(std::string(step) + " at " + m_base + ": the registry sent a Location that is " +
                 "not a usable URL (" + url.error().why + ")");
  }
  std::string where =
      std::string(step) + " at " + m_base + ": the registry sent a Location on " + url->origin();
  if (url->scheme != "http" && url->scheme != "https") {
    return error(where + ", which is neither http nor https; refused");
  }
  if (url->has_userinfo) {
    return error(where + " that holds a user name (user@host); refused");
  }
  if (url->scheme == "http" && !is_ours(*url) &&
      !allows_insecure_url(m_ref.registry, *url, m_options.insecure_registries)) {
    return error(where + " over plain HTTP; refused",
                 "pass --insecure-registry " + url->authority() + " if that host is trusted");
  }
  return url->text;
}

Result<http::Response> RegistryClient::send_once(http::Request request) {
  bool ours = prepare(request);
  bool answered = false;
  while (true) {
    http::Request r = request;
    if (ours && !m_auth.authorization().empty()) {
      r.headers.emplace_back("Authorization", m_auth.authorization());
    }
    http::Response response = m_transport.send(r);
    if (response.status != 401 || !ours || answered) {
      return response;
    }
    answered = true;
    Result<bool> renewed = m_auth.answer(response, m_scopes);
    if (!renewed) {
      Error e = renewed.take_error();
      e.what = "push " + m_ref.to_string();
      return e;
    }
    if (!*renewed) {
      return response;
    }
  }
}

void RegistryClient::wait_before_retry(int failed_attempts, const http::Response& r,
                                       std::string_view step) {
  ++m_retries;
  PushEvent event;
  event.kind = PushEvent::Kind::retry;
  event.detail = std::string(step) + ": " + failure_text(r);
  event.attempt = failed_attempts + 1;
  emit(std::move(event));
  std::chrono::milliseconds delay = retry_delay(m_options.retry, failed_attempts, r);
  if (m_options.sleep) {
    m_options.sleep(delay);
  } else {
    std::this_thread::sleep_for(delay);
  }
}

http::Response RegistryClient::send_unauthenticated(const http::Request& request,
                                                    std::string_view step) {
  int max = std::max(1, m_options.retry.max_attempts);
  http::Request prepared = request;
  prepared.timeout = request_deadline(m_options.timeout, request.body_size());
  for (int attempt = 1;; ++attempt) {
    http::Response r = m_transport.send(prepared);
    if (!is_retryable(r) || attempt >= max) {
      return r;
    }
    wait_before_retry(attempt, r, step);
  }
}

Result<http::Response> RegistryClient::send(const std::function<http::Request()>& make,
                                            std::string_view step) {
  int max = std::max(1, m_options.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    Result<http::Response> r = send_once(make());
    if (!r || !is_retryable(*r) || attempt >= max) {
      return r;
    }
    wait_before_retry(attempt, *r, step);
  }
}

Status RegistryClient::ping() {
  std::vector<std::string> schemes = {"https"};
  if (m_insecure) {
    schemes.push_back("http");
  }
  http::Response last;
  for (const std::string& scheme : schemes) {
    m_base = scheme + "://" + api_host(m_ref.registry);
    Result<http::Response> r = send([&] { return request("GET", m_base + "/v2/"); }, "GET /v2/");
    if (!r) {
      return r.take_error();
    }
    last = *r;
    if (last.status == 0 && scheme == "https" && schemes.size() > 1 &&
        last.net_error != http::NetError::connect && last.net_error != http::NetError::resolve &&
        last.net_error != http::NetError::deadline) {
      continue; // no TLS there: an insecure registry may speak plain HTTP
    }
    break;
  }
  if (last.status == 0 || last.status >= 500) {
    return unexpected(last, "GET /v2/");
  }
  // 200: anonymous access; 401: send_once already answered the challenge (a second 401 means
  // no usable credentials, which the first push request will report in its own words).
  return {};
}

Status RegistryClient::check_digest(const http::Response& r, const Digest& expected,
                                    std::string_view what) {
  std::string reported = r.header("Docker-Content-Digest");
  if (!reported.empty() && reported != expected.to_string()) {
    return error("the registry reports " + reported + " for " + std::string(what) + " " +
                     expected.to_string(),
                 "the bytes were changed on the way; try again, or check proxies between "
                 "here and the registry");
  }
  return {};
}

Result<bool> RegistryClient::blob_exists(const Descriptor& blob) {
  std::string url = blob_url(blob.digest);
  Result<http::Response> r = send([&] { return request("HEAD", url); }, "HEAD blob");
  if (!r) {
    return r.take_error();
  }
  if (r->status == 404) {
    return false;
  }
  if (r->status != 200) {
    return unexpected(*r, "HEAD " + blob.digest.to_string());
  }
  SP_TRY(check_digest(*r, blob.digest, "blob"));
  return true;
}

Result<bool> RegistryClient::mount_blob(const Descriptor& blob, const std::string& from) {
  std::string url = http::add_query(
      http::add_query(uploads_url(), "mount", blob.digest.to_string()), "from", from);
  Result<http::Response> r = send([&] { return request("POST", url); }, "mount blob");
  if (!r) {
    return r.take_error();
  }
  if (r->status == 201) {
    m_session.reset(); // a session an earlier source opened is not needed any more
    SP_TRY(check_digest(*r, blob.digest, "mounted blob"));
    return true;
  }
  if (r->status == 202 && !r->header("Location").empty()) {
    m_session = SP_TRY(follow(url, r->header("Location"), "POST mount " + blob.digest.to_string()));
  } else if (r->status == 0 || r->status >= 500) {
    return unexpected(*r, "POST mount " + blob.digest.to_string());
  }
  // Any other refusal (no pull access on `from`, mounting unsupported): upload instead.
  return false;
}

RegistryClient::Attempt RegistryClient::send_upload_request(http::Request req, long expected,
                                                            std::string_view step) {
  Attempt a;
  Result<http::Response> r = send_once(std::move(req));
  if (!r) {
    a.state = Attempt::State::failed;
    a.error = r.take_error();
    return a;
  }
  a.response = *r;
  if (r->status == expected) {
    a.state = Attempt::State::done;
  } else if (is_retryable(*r)) {
    a.state = Attempt::State::transient;
  } else {
    a.state = Attempt::State::failed;
    a.error = unexpected(*r, step);
  }
  return a;
}

RegistryClient::Attempt RegistryClient::try_upload(const Descriptor& blob, const fs::path& file) {
  std::string url;
  if (m_session) {
    url = *m_session;
    m_session.reset();
  } else {
    Attempt started = send_upload_request(request("POST", uploads_url()), 202, "POST upload");
    if (started.state == Attempt::State::done && started.response.header("Location").empty()) {
      started.state = Attempt::State::failed;
      started.error = error("POST upload at " + m_base +
                            ": the registry opened an upload session without a Location");
    }
    if (started.state != Attempt::State::done) {
      return started;
    }
    Result<std::string> location =
        follow(uploads_url(), started.response.header("Location"), "POST upload");
    if (!location) {
      started.state = Attempt::State::failed;
      started.error = location.take_error();
      return started;
    }
    url = *location;
  }
  uint64_t chunk = m_options.chunk_size;
  uint64_t offset = 0;
  std::string step = "upload " + blob.digest.to_string();
  if (chunk != 0 && blob.size > chunk) {
    // Chunked: PATCH each range, following the Location each answer gives.
    for (; offset < blob.size; offset += chunk) {
      uint64_t length = std::min(chunk, blob.size - offset);
      http::Request patch = request("PATCH", url);
      patch.body_file = http::FileRange{file, offset, length};
      patch.headers = {
          {"Content-Type", std::string(k_octet_stream)},
          {"Content-Range", std::to_string(offset) + "-" + std::to_string(offset + length - 1)}};
      Attempt a = send_upload_request(std::move(patch), 202, "PATCH " + step);
      if (a.state != Attempt::State::done) {
        return a;
      }
      std::string range = a.response.header("Range");
      if (!range.empty() && range != "0-" + std::to_string(offset + length - 1) &&
          range != "bytes=0-" + std::to_string(offset + length - 1)) {
        a.state = Attempt::State::transient; // the registry lost part of the upload
        return a;
      }
      if (std::string loc = a.response.header("Location"); !loc.empty()) {
        Result<std::string> next = follow(url, loc, "PATCH " + step);
        if (!next) {
          a.state = Attempt::State::failed;
          a.error = next.take_error();
          return a;
        }
        url = *next;
      }
    }
  }
  http::Request put = request("PUT", http::add_query(url, "digest", blob.digest.to_string()));
  put.headers = {{"Content-Type", std::string(k_octet_stream)}};
  if (offset == 0) {
    put.body_file = http::FileRange{file, 0, blob.size};
  }
  Attempt a = send_upload_request(std::move(put), 201, "PUT " + step);
  if (a.state == Attempt::State::done) {
    if (Status s = check_digest(a.response, blob.digest, "blob"); !s) {
      a.state = Attempt::State::failed;
      a.error = s.take_error();
    }
  }
  return a;
}

Status RegistryClient::upload_blob(const Descriptor& blob, const fs::path& file) {
  int max = std::max(1, m_options.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    Attempt a = try_upload(blob, file);
    if (a.state == Attempt::State::done) {
      return {};
    }
    if (a.state == Attempt::State::failed || attempt >= max) {
      if (a.error) {
        return *a.error;
      }
      return unexpected(a.response, "upload " + blob.digest.to_string());
    }
    // A broken upload session is not resumed: the next attempt starts a new one.
    wait_before_retry(attempt, a.response, "upload " + blob.digest.to_string());
  }
}

Status RegistryClient::put_manifest(const Descriptor& manifest, const std::string& bytes,
                                    const std::string& reference) {
  std::string url = m_base + "/v2/" + m_ref.repository + "/manifests/" + reference;
  std::string type = manifest.media_type;
  if (type.empty()) {
    json j = json::parse(bytes, nullptr, false);
    type = j.is_object() && j.contains("mediaType") && j["mediaType"].is_string()
               ? j["mediaType"].get<std::string>()
               : std::string(media_type::k_manifest);
  }
  Result<http::Response> r = send(
      [&] {
        http::Request req = request("PUT", url);
        req.headers = {{"Content-Type", type}};
        req.body = bytes;
        return req;
      },
      "PUT manifest");
  if (!r) {
    return r.take_error();
  }
  if (r->status != 201 && r->status != 200) {
    return unexpected(*r, "PUT manifest " + reference);
  }
  return check_digest(*r, manifest.digest, "manifest");
}

Result<std::optional<RegistryClient::Fetched>>
RegistryClient::get_manifest(const std::string& reference) {
  std::string url = m_base + "/v2/" + m_ref.repository + "/manifests/" + reference;
  std::string accept = std::string(media_type::k_manifest) + ", " +
                       std::string(media_type::k_index) + ", " +
                       std::string(media_type::k_docker_manifest) + ", " +
                       std::string(media_type::k_docker_manifest_list);
  Result<http::Response> r = send(
      [&] {
        http::Request req = request("GET", url);
        req.headers = {{"Accept", accept}};
        return req;
      },
      "GET manifest");
  if (!r) {
    return r.take_error();
  }
  if (r->status == 404) {
    return std::optional<Fetched>();
  }
  if (r->status != 200) {
    return unexpected(*r, "GET manifest " + reference);
  }
  Fetched f;
  f.bytes = std::move(r->body);
  f.descriptor.digest = Digest::of(f.bytes);
  f.descriptor.size = f.bytes.size();
  std::string type = r->header("Content-Type");
  f.descriptor.media_type = type.substr(0, type.find(';'));
  SP_TRY(check_digest(*r, f.descriptor.digest, "manifest " + reference));
  if (reference.starts_with("sha256:") && f.descriptor.digest.to_string() != reference) {
    return error("the manifest it sent for " + reference + " has another digest");
  }
  return std::optional<Fetched>(std::move(f));
}

Result<std::string> RegistryClient::get_blob(const Descriptor& blob, uint64_t max_size) {
  if (blob.size > max_size) {
    return error("blob " + blob.digest.to_string() + " is " + std::to_string(blob.size) +
                 " bytes; expected at most " + std::to_string(max_size));
  }
  std::string url = blob_url(blob.digest);
  Result<http::Response> r = send([&] { return request("GET", url); }, "GET blob");
  if (!r) {
    return r.take_error();
  }
  if ((r->status == 302 || r->status == 303 || r->status == 307) &&
      !r->header("Location").empty()) {
    // Blob storage elsewhere: checked like an upload Location; the token goes only to the
    // registry's own origin (send_once).
    std::string location = SP_TRY(follow(url, r->header("Location"), "GET blob"));
    r = send([&] { return request("GET", location); }, "GET blob");
    if (!r) {
      return r.take_error();
    }
  }
  if (r->status != 200) {
    return unexpected(*r, "GET blob " + blob.digest.to_string());
  }
  if (Digest::of(r->body) != blob.digest) {
    return error("blob " + blob.digest.to_string() +
                 " served by the registry does not hash to "
                 "its name");
  }
  return std::move(r->body);
}

Result<std::optional<std::string>> RegistryClient::get_referrers(const packager::Digest& subject) {
  std::string url = m_base + "/v2/" + m_ref.repository + "/referrers/" + subject.to_string();
  Result<http::Response> r = send(
      [&] {
        http::Request req = request("GET", url);
        req.headers = {{"Accept", std::string(media_type::k_index)}};
        return req;
      },
      "GET referrers");
  if (!r) {
    return r.take_error();
  }
  json j = json::parse(r->body, nullptr, false);
  if (r->status != 200 || !j.is_object() || j.value("mediaType", "") != media_type::k_index) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::move(r->body));
}

} // namespace sp::publish
