#include "publish/remote_cache.h"

#include "publish/registry_auth.h"
#include "util/strings.h"

#include <atomic>
#include <mutex>
#include <vector>

namespace sp::publish {

namespace {

/// Where the authority of "scheme://authority/…" starts and ends (npos when there is no "://").
std::pair<size_t, size_t> authority_of(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) {
    return {std::string_view::npos, std::string_view::npos};
  }
  start += 3;
  size_t end = url.find_first_of("/?#", start);
  return {start, end == std::string_view::npos ? url.size() : end};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// A header value may hold visible ASCII and spaces only (no line breaks to inject headers).
bool header_safe(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
      return false;
    }
  }
  return true;
}

class HttpRemote final : public RemoteCacheLevel {
public:
  HttpRemote(RemoteCacheConfig config, WarnFn warn, TransportFactory make,
             RemoteCacheTimeouts timeouts)
      : m_config(std::move(config)), m_warn(std::move(warn)), m_make(std::move(make)),
        m_timeouts(timeouts) {}

  Got get_text(std::string_view path, uint64_t max_size, std::string& out) override {
    http::Request r;
    r.url = m_config.base + std::string(path);
    r.timeout = m_timeouts.record;
    http::Response got = send(r);
    Got g = judge(got, r);
    if (g == Got::found) {
      if (got.body.size() > max_size) {
        return Got::failed; // a record never is this large; CacheStore reports it as bad
      }
      out = std::move(got.body);
    }
    return g;
  }

  Got get_file(std::string_view path, uint64_t max_size, int fd) override {
    http::Request r;
    r.url = m_config.base + std::string(path);
    r.timeout = content_timeout(max_size);
    r.response_fd = fd;
    r.max_response = max_size;
    http::Response got = send(r);
    return judge(got, r);
  }

  void put_text(std::string_view path, std::string_view bytes) override {
    http::Request r;
    r.method = "PUT";
    r.url = m_config.base + std::string(path);
    r.body = std::string(bytes);
    r.timeout = content_timeout(bytes.size());
    if (judge(send(r), r) == Got::found) {
      ++m_counters.uploads;
    }
  }

  void put_file(std::string_view path, const fs::path& file, uint64_t size) override {
    http::Request r;
    r.url = m_config.base + std::string(path);
    if (size > (1u << 20)) {
      // A large content the server already has (another machine's) is not sent again.
      r.method = "HEAD";
      r.timeout = m_timeouts.record;
      if (judge(send(r), r) == Got::found) {
        return;
      }
    }
    r.method = "PUT";
    r.body_file = http::FileRange{file, 0, size};
    r.timeout = content_timeout(size);
    if (judge(send(r), r) == Got::found) {
      ++m_counters.uploads;
    }
  }

  bool writable() const override { return !m_config.read_only; }
  bool usable() const override { return !m_off.load(); }

  void bad_entry(std::string_view name, std::string_view why) override {
    uint64_t n = ++m_counters.bad;
    if (n <= 3) {
      say("ignored a damaged or forged remote cache entry " + std::string(name) + ": " +
          std::string(why));
    } else if (n == 4) {
      say("ignoring further damaged or forged remote cache entries (see `scratchpack cache "
          "stats`)");
    }
  }

  RemoteCacheCounters& counters() override { return m_counters; }

private:
  std::chrono::milliseconds content_timeout(uint64_t size) const {
    return m_timeouts.content + std::chrono::milliseconds(1000 * (size >> 22));
  }

  http::Response send(const http::Request& request) {
    http::Response failed;
    if (m_off.load()) {
      failed.net_error = http::NetError::other;
      failed.net_message = "switched off";
      return failed;
    }
    http::Request r = request;
    if (!m_config.authorization.empty()) {
      r.headers.emplace_back("Authorization", m_config.authorization);
    }
    std::unique_ptr<http::Transport> t;
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      if (!m_idle.empty()) {
        t = std::move(m_idle.back());
        m_idle.pop_back();
      }
    }
    if (!t) {
      t = m_make();
    }
    http::Response got = t->send(r);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_idle.push_back(std::move(t));
    return got;
  }

  /// found for 2xx, missing for 404; anything else is counted and said (the first network
  /// failure switches the level off).
  Got judge(const http::Response& got, const http::Request& r) {
    if (got.status >= 200 && got.status < 300) {
      return Got::found;
    }
    if (got.status == 404) {
      if (r.method == "GET" || r.method == "HEAD") {
        return Got::missing;
      }
    }
    if (got.status == 0 && got.net_message == "switched off") {
      return Got::failed;
    }
    std::string where = r.method + " " + redact_url(r.url);
    if (got.status == 0 && got.net_error == http::NetError::too_large) {
      bad_entry(redact_url(r.url), "the server sent more than its record says");
      return Got::failed;
    }
    ++m_counters.errors;
    if (got.status == 0) {
      if (!m_off.exchange(true)) {
        say("remote cache " + redact_url(m_config.base) + " is not answering (" +
            std::string(http::describe(got.net_error)) + "); going on without it for this run");
      }
      return Got::failed;
    }
    if (!m_http_error_said.exchange(true)) {
      say("remote cache: " + where + " answered " + http::status_text(got.status) +
          (got.status == 401 || got.status == 403 ? " (check the token or credentials)" : "") +
          "; further errors are only counted");
    }
    return Got::failed;
  }

  void say(const std::string& text) {
    if (m_warn) {
      std::lock_guard<std::mutex> lock(m_say_mutex);
      m_warn(text);
    }
  }

  RemoteCacheConfig m_config;
  WarnFn m_warn;
  TransportFactory m_make;
  RemoteCacheTimeouts m_timeouts;
  RemoteCacheCounters m_counters;
  std::atomic<bool> m_off{false};
  std::atomic<bool> m_http_error_said{false};
  std::mutex m_mutex;
  std::mutex m_say_mutex;
  std::vector<std::unique_ptr<http::Transport>> m_idle;
};

} // namespace

std::string redact_url(std::string_view url) {
  auto [start, end] = authority_of(url);
  if (start == std::string_view::npos) {
    return std::string(url);
  }
  size_t at = url.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) {
    return std::string(url);
  }
  return std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
}

Result<RemoteCacheConfig> remote_cache_config(const RemoteCacheSettings& s) {
  std::string what = "remote cache (" + s.source + ")";
  RemoteCacheConfig c;
  if (s.mode.empty() || s.mode == "read-write") {
    c.read_only = false;
  } else if (s.mode == "read-only") {
    c.read_only = true;
  } else {
    return usage_error(what, "unknown mode '" + s.mode + "'", "use read-write or read-only");
  }
  std::string url = s.url;
  auto [start, end] = authority_of(url);
  if (start == std::string::npos) {
    return usage_error(what, "'" + redact_url(url) + "' is not an http or https URL",
                       "e.g. https://cache.example.com/scratchpack");
  }
  std::string user;
  std::string password;
  bool has_userinfo = false;
  if (size_t at = url.substr(start, end - start).rfind('@'); at != std::string::npos) {
    std::string userinfo = url.substr(start, at);
    size_t colon = userinfo.find(':');
    user = percent_decode(userinfo.substr(0, colon));
    password = colon == std::string::npos ? "" : percent_decode(userinfo.substr(colon + 1));
    url = redact_url(url);
    has_userinfo = true;
  }
  if (url.find_first_of("?#") != std::string::npos) {
    return usage_error(what, "'" + url + "' has a query or fragment",
                       "give the prefix the entries live under, e.g. https://host/cache");
  }
  auto parsed = http::parse_url(url);
  if (!parsed || (parsed->scheme != "http" && parsed->scheme != "https")) {
    return usage_error(what, "'" + url + "' is not an http or https URL",
                       "e.g. https://cache.example.com/scratchpack");
  }
  c.base = parsed->text;
  if (!c.base.ends_with('/')) {
    c.base += '/';
  }
  std::string token = std::string(trim(s.token));
  if (token.empty() && !s.token_file.empty()) {
    auto text = read_file(s.token_file);
    if (!text) {
      return io_error(s.token_file.string(), "the remote cache token cannot be read");
    }
    token = std::string(trim(*text));
    if (token.empty()) {
      return usage_error(s.token_file.string(), "the remote cache token file is empty");
    }
  }
  if (!token.empty() && has_userinfo) {
    return usage_error(what, "both a token and credentials in the URL", "give one of them");
  }
  if (!token.empty()) {
    if (!header_safe(token)) {
      return usage_error(what, "the token holds characters a header cannot carry");
    }
    c.authorization = "Bearer " + token;
  } else if (has_userinfo) {
    c.authorization = "Basic " + base64_encode(user + ":" + password);
  }
  if (!c.authorization.empty() && parsed->scheme == "http" &&
      !http::is_loopback_host(parsed->host)) {
    return usage_error(what, "credentials would be sent in clear text to " + parsed->host,
                       "use https (plain http is accepted for this machine only)");
  }
  return c;
}

std::shared_ptr<RemoteCacheLevel> make_http_remote_cache(RemoteCacheConfig config, WarnFn warn,
                                                         TransportFactory make,
                                                         RemoteCacheTimeouts timeouts) {
  if (!make) {
    http::CurlOptions options;
    options.connect_timeout_s = timeouts.connect_s;
    options.stall_timeout_s = timeouts.stall_s;
    options.max_body = 64u << 10;
    make = [options] { return http::make_curl_transport(options); };
  }
  return std::make_shared<HttpRemote>(std::move(config), std::move(warn), std::move(make),
                                      timeouts);
}

} // namespace sp::publish
