// An in-memory Distribution registry behind the http::Transport seam, for the push tests:
// blobs, upload sessions (monolithic and chunked), cross-repository mounts, manifests, Basic or
// Bearer auth, and scripted faults. Every request is logged as "METHOD /path?query".
#pragma once

#include "packager/digest.h"
#include "publish/http.h"
#include "publish/registry_auth.h"
#include "util/fs.h"

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sp::publish::testing {

class FakeRegistry final : public http::Transport {
public:
  enum class Auth { none, basic, bearer };

  std::string host = "registry.test"; ///< requests to another host fail to resolve
  bool serves_https = true;           ///< false: https fails with a TLS error, http works
  Auth auth = Auth::none;
  std::string user = "user";
  std::string password = "s3cret-pass";
  std::string token = "tok-abc123"; ///< what the token service issues
  std::string realm = "https://auth.test/token";
  std::string token_host = "auth.test"; ///< the token service answers on this host, any scheme
  /// Answers a request before the registry does when it returns a response (faults).
  std::function<std::optional<http::Response>(const http::Request&)> fault;
  /// When set, a blob PUT reports this digest instead of the real one.
  std::string lie_about_digest;
  /// Put before the path of every upload Location ("" = relative Locations, as
  /// docker-registry sends); e.g. "HTTP://Registry.Test" or "http://user@registry.test".
  std::string location_prefix;

  std::map<std::string, std::set<std::string>> repo_blobs;                 ///< repo → digests
  std::map<std::string, std::string> blobs;                                ///< digest → bytes
  std::map<std::string, std::map<std::string, std::string>> manifests;     ///< repo → ref → bytes
  std::map<std::string, std::map<std::string, std::string>> content_types; ///< repo → ref → type
  std::vector<std::string> log;
  std::vector<std::string> token_scopes; ///< scope params of token requests
  /// One line per token request: "SCHEME://HOST:PORT basic|anonymous".
  std::vector<std::string> token_requests;

  http::Response send(const http::Request& r) override {
    size_t authority = r.url.find("://");
    size_t slash = r.url.find('/', authority == std::string::npos ? 0 : authority + 3);
    std::string path = slash == std::string::npos ? "/" : r.url.substr(slash);
    log.push_back(r.method + " " + path);
    if (fault) {
      if (std::optional<http::Response> f = fault(r)) {
        return *f;
      }
    }
    http::Url url = http::parse_url(r.url).value();
    if (url.host == token_host) {
      token_requests.push_back(
          url.scheme + "://" + url.host + ":" + std::to_string(url.port) +
          (http::header_value(r.headers, "Authorization").empty() ? " anonymous" : " basic"));
      return token_service(r, path);
    }
    if (url.host != host) {
      return net(http::NetError::resolve);
    }
    bool https = url.scheme == "https";
    if (https != serves_https) {
      return net(https ? http::NetError::tls : http::NetError::empty_reply);
    }
    if (!authorized(r)) {
      return unauthorized();
    }
    return route(r, path);
  }

  size_t count(const std::string& prefix) const {
    size_t n = 0;
    for (const std::string& l : log) {
      n += l.starts_with(prefix) ? 1 : 0;
    }
    return n;
  }

private:
  struct Upload {
    std::string repo;
    std::string bytes;
  };

  static http::Response net(http::NetError e) {
    http::Response r;
    r.net_error = e;
    r.net_message = std::string(http::describe(e));
    return r;
  }

  static http::Response status(long code, http::Headers headers = {}, std::string body = {}) {
    http::Response r;
    r.status = code;
    r.headers = std::move(headers);
    r.body = std::move(body);
    return r;
  }

  static std::string body_of(const http::Request& r) {
    if (!r.body_file) {
      return r.body;
    }
    std::string all = read_file(r.body_file->path).value();
    return all.substr(r.body_file->offset, r.body_file->length);
  }

  static std::string query_param(const std::string& path, const std::string& key) {
    size_t q = path.find('?');
    if (q == std::string::npos) {
      return {};
    }
    for (const std::string& kv : split_str(path.substr(q + 1), '&')) {
      if (kv.starts_with(key + "=")) {
        return decode(kv.substr(key.size() + 1));
      }
    }
    return {};
  }

  static std::vector<std::string> split_str(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == sep) {
        out.push_back(s.substr(start, i - start));
        start = i + 1;
      }
    }
    return out;
  }

  static std::string decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  std::string basic() const { return "Basic " + base64_encode(user + ":" + password); }

  bool authorized(const http::Request& r) const {
    std::string a = http::header_value(r.headers, "Authorization");
    switch (auth) {
    case Auth::none:
      return true;
    case Auth::basic:
      return a == basic();
    case Auth::bearer:
      return a == "Bearer " + token;
    }
    return false;
  }

  http::Response unauthorized() const {
    std::string challenge = auth == Auth::basic
                                ? "Basic realm=\"fake\""
                                : "Bearer realm=\"" + realm +
                                      "\",service=\"registry.test\",scope=\"repository:x:pull\"";
    return status(401, {{"WWW-Authenticate", challenge}},
                  R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
  }

  http::Response token_service(const http::Request& r, const std::string& path) {
    for (const std::string& kv : split_str(path.substr(path.find('?') + 1), '&')) {
      if (kv.starts_with("scope=")) {
        token_scopes.push_back(decode(kv.substr(6)));
      }
    }
    if (http::header_value(r.headers, "Authorization") != basic()) {
      return status(401);
    }
    return status(200, {}, "{\"token\":\"" + token + "\"}");
  }

  http::Response route(const http::Request& r, const std::string& full) {
    std::string path = full.substr(0, full.find('?'));
    if (path == "/v2/") {
      return status(200, {}, "{}");
    }
    std::string rest = path.substr(4); // after "/v2/"
    if (size_t m = rest.find("/manifests/"); m != std::string::npos) {
      return manifest(r, rest.substr(0, m), rest.substr(m + 11));
    }
    if (size_t u = rest.find("/blobs/uploads/"); u != std::string::npos) {
      return upload(r, rest.substr(0, u), rest.substr(u + 15), full);
    }
    if (size_t b = rest.find("/blobs/"); b != std::string::npos) {
      std::string repo = rest.substr(0, b);
      std::string digest = rest.substr(b + 7);
      if (r.method == "HEAD" && repo_blobs[repo].count(digest)) {
        return status(200, {{"Docker-Content-Digest", digest}});
      }
      if (r.method == "GET" && repo_blobs[repo].count(digest)) {
        return status(200, {{"Docker-Content-Digest", digest}}, blobs[digest]);
      }
      return status(404);
    }
    return status(404);
  }

  http::Response manifest(const http::Request& r, const std::string& repo, const std::string& ref) {
    if (r.method == "GET") {
      auto it = manifests[repo].find(ref);
      if (it == manifests[repo].end()) {
        return status(404);
      }
      return status(200,
                    {{"Docker-Content-Digest", packager::Digest::of(it->second).to_string()},
                     {"Content-Type", content_types[repo][ref]}},
                    it->second);
    }
    if (r.method != "PUT") {
      return status(405);
    }
    std::string digest = packager::Digest::of(r.body).to_string();
    manifests[repo][ref] = r.body;
    content_types[repo][ref] = http::header_value(r.headers, "Content-Type");
    return status(201, {{"Docker-Content-Digest", digest}});
  }

  http::Response upload(const http::Request& r, const std::string& repo, const std::string& id,
                        const std::string& full) {
    if (r.method == "POST" && id.empty()) {
      std::string mount = query_param(full, "mount");
      std::string from = query_param(full, "from");
      if (!mount.empty() && repo_blobs[from].count(mount)) {
        repo_blobs[repo].insert(mount);
        return status(201, {{"Docker-Content-Digest", mount}});
      }
      std::string uuid = "u" + std::to_string(m_next++);
      m_uploads[uuid] = Upload{repo, {}};
      return status(202, {{"Location", location_prefix + "/v2/" + repo + "/blobs/uploads/" + uuid +
                                           "?_state=x"}});
    }
    auto it = m_uploads.find(id);
    if (it == m_uploads.end()) {
      return status(404, {}, R"({"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]})");
    }
    std::string body = body_of(r);
    if (r.method == "PATCH") {
      it->second.bytes += body;
      std::string end = std::to_string(it->second.bytes.size() - 1);
      return status(202, {{"Location",
                           location_prefix + "/v2/" + repo + "/blobs/uploads/" + id + "?_state=y"},
                          {"Range", "0-" + end}});
    }
    if (r.method == "PUT") {
      std::string bytes = it->second.bytes + body;
      std::string digest = query_param(full, "digest");
      if (packager::Digest::of(bytes).to_string() != digest) {
        return status(400, {},
                      R"({"errors":[{"code":"DIGEST_INVALID","message":"digest did not match"}]})");
      }
      blobs[digest] = bytes;
      repo_blobs[repo].insert(digest);
      m_uploads.erase(it);
      std::string reported = lie_about_digest.empty() ? digest : lie_about_digest;
      return status(201, {{"Docker-Content-Digest", reported}});
    }
    return status(405);
  }

  std::map<std::string, Upload> m_uploads;
  int m_next = 1;
};

} // namespace sp::publish::testing
