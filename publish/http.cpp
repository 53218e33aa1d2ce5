#include "publish/http.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <curl/curl.h>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <unistd.h>

namespace sp::publish::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim_ws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Where the body of one request comes from; curl pulls it through read_body and may rewind it
// (after a 401 or a redirect) through seek_body.
struct BodyReader {
  const Request* request = nullptr;
  int fd = -1;
  uint64_t position = 0;
  bool failed = false;
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* r = static_cast<BodyReader*>(user);
  uint64_t total = r->request->body_size();
  uint64_t left = total - std::min(total, r->position);
  size_t want = static_cast<size_t>(std::min<uint64_t>(left, size * count));
  if (want == 0) {
    return 0;
  }
  if (!r->request->body_file) {
    std::memcpy(buffer, r->request->body.data() + r->position, want);
    r->position += want;
    return want;
  }
  off_t at = static_cast<off_t>(r->request->body_file->offset + r->position);
  ssize_t n = ::pread(r->fd, buffer, want, at);
  while (n < 0 && errno == EINTR) {
    n = ::pread(r->fd, buffer, want, at);
  }
  if (n <= 0) {
    // A file that shrank or cannot be read: abort instead of sending a short body.
    r->failed = true;
    return CURL_READFUNC_ABORT;
  }
  r->position += static_cast<uint64_t>(n);
  return static_cast<size_t>(n);
}

int seek_body(void* user, curl_off_t offset, int origin) {
  auto* r = static_cast<BodyReader*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > r->request->body_size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  r->position = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

struct ResponseSink {
  Response* response = nullptr;
  size_t max_body = 0;
  CURL* curl = nullptr;
  const Request* request = nullptr;
  uint64_t streamed = 0;
  bool too_large = false;
  bool write_failed = false;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* s = static_cast<ResponseSink*>(user);
  size_t n = size * count;
  long status = 0;
  if (s->request && s->request->response_fd >= 0) {
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
  }
  if (status == 200) {
    if (s->streamed + n > s->request->max_response) {
      s->too_large = true;
      return 0; // abandons the exchange
    }
    for (size_t done = 0; done < n;) {
      ssize_t w = ::write(s->request->response_fd, data + done, n - done);
      if (w < 0 && errno == EINTR) {
        continue;
      }
      if (w <= 0) {
        s->write_failed = true;
        return 0;
      }
      done += static_cast<size_t>(w);
    }
    s->streamed += n;
    return n;
  }
  std::string& body = s->response->body;
  if (body.size() < s->max_body) {
    body.append(data, std::min(n, s->max_body - body.size()));
  }
  return n;
}

size_t write_header(char* data, size_t size, size_t count, void* user) {
  auto* s = static_cast<ResponseSink*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new response begins (after 100 Continue or a redirect): only the last one counts.
    s->response->headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    s->response->headers.emplace_back(std::string(trim_ws(line.substr(0, colon))),
                                      std::string(trim_ws(line.substr(colon + 1))));
  }
  return n;
}

NetError classify(CURLcode code) {
  switch (code) {
  case CURLE_COULDNT_CONNECT:
    return NetError::connect;
  case CURLE_SEND_ERROR:
  case CURLE_SEND_FAIL_REWIND:
    return NetError::send;
  case CURLE_RECV_ERROR:
    return NetError::recv;
  case CURLE_GOT_NOTHING:
    return NetError::empty_reply;
  case CURLE_PARTIAL_FILE:
    return NetError::partial;
  case CURLE_OPERATION_TIMEDOUT:
    return NetError::timeout;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return NetError::resolve;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
    return NetError::tls;
  default:
    return NetError::other;
  }
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

class CurlTransport final : public Transport {
public:
  explicit CurlTransport(const CurlOptions& options) : m_options(options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    m_curl = curl_easy_init();
  }
  ~CurlTransport() override {
    if (m_curl) {
      curl_easy_cleanup(m_curl);
    }
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Response send(const Request& request) override {
    Response response;
    if (!m_curl) {
      response.net_error = NetError::other;
      response.net_message = "libcurl could not be initialised";
      return response;
    }
    BodyReader body{&request};
    if (request.body_file) {
      body.fd = ::open(request.body_file->path.c_str(), O_RDONLY | O_CLOEXEC);
      if (body.fd < 0) {
        response.net_error = NetError::other;
        response.net_message = request.body_file->path.string() + ": " + std::strerror(errno);
        return response;
      }
    }
    ResponseSink sink{&response, m_options.max_body, m_curl, &request};
    Slist headers = header_list(request);
    curl_easy_reset(m_curl); // keeps the connection cache: kept-alive connections are reused
    configure(request, headers.get(), body, sink);
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, error);
    auto started = std::chrono::steady_clock::now();
    CURLcode code = curl_easy_perform(m_curl);
    auto elapsed = std::chrono::steady_clock::now() - started;
    if (body.fd >= 0) {
      ::close(body.fd);
    }
    if (code != CURLE_OK) {
      response.status = 0;
      response.net_error = body.failed ? NetError::other : classify(code);
      response.net_message = error[0] ? error : curl_easy_strerror(code);
      if (sink.too_large) {
        response.net_error = NetError::too_large;
        response.net_message =
            "the answer is larger than " + std::to_string(request.max_response) + " bytes";
      } else if (sink.write_failed) {
        response.net_error = NetError::other;
        response.net_message = std::string("cannot write the answer: ") + std::strerror(errno);
      }
      if (body.failed) {
        response.net_message = request.body_file->path.string() + ": cannot be read";
      }
      // CURLE_OPERATION_TIMEDOUT is also the connect and the stall timeout; it is the deadline
      // when the whole budget is spent. libcurl counts whole milliseconds from a moment after
      // our clock started and fires up to a millisecond early by ours: allow for that.
      if (code == CURLE_OPERATION_TIMEDOUT && request.timeout.count() > 0 &&
          elapsed + std::chrono::milliseconds(50) >= request.timeout) {
        response.net_error = NetError::deadline;
        response.net_message = "no complete answer within " + format_duration(request.timeout);
      }
      return response;
    }
    curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

private:
  static Slist header_list(const Request& request) {
    curl_slist* list = nullptr;
    for (const auto& [name, value] : request.headers) {
      list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    // No "Expect: 100-continue" round trip before each upload.
    list = curl_slist_append(list, "Expect:");
    return Slist(list);
  }

  void configure(const Request& request, curl_slist* headers, BodyReader& body,
                 ResponseSink& sink) {
    CURL* c = m_curl;
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, m_options.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, m_options.connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, m_options.stall_timeout_s);
    if (request.timeout.count() > 0) {
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    }
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    // Nothing here puts a user name in a URL: one that a server sent is refused, never used.
    curl_easy_setopt(c, CURLOPT_DISALLOW_USERNAME_IN_URL, 1L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, write_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    if (request.follow_redirects) {
      curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
      curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    }
    if (request.insecure_tls) {
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (is_loopback_host(url_host(request.url))) {
      // A proxy from the environment must not see traffic meant for this machine.
      curl_easy_setopt(c, CURLOPT_PROXY, "");
    }
    if (request.method == "HEAD") {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (request.method == "GET") {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "DELETE") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
      // PUT, POST, PATCH: all send a body of known length (possibly 0) through read_body.
      curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size()));
      curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
      curl_easy_setopt(c, CURLOPT_READDATA, &body);
      curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_body);
      curl_easy_setopt(c, CURLOPT_SEEKDATA, &body);
    }
  }

  CurlOptions m_options;
  CURL* m_curl = nullptr;
};

} // namespace

std::string header_value(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) {
      return v;
    }
  }
  return {};
}

std::unique_ptr<Transport> make_curl_transport(const CurlOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

std::string url_encode(std::string_view text) {
  static const char* k_hex = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

namespace {

struct CurluDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using CurlUrl = std::unique_ptr<CURLU, CurluDeleter>;

// One part of a parsed URL; nullopt when the URL has none (no user, no explicit port).
std::optional<std::string> url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (curl_url_get(u, part, &text, flags) != CURLUE_OK || !text) {
    return std::nullopt;
  }
  std::string out(text);
  curl_free(text);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// True when the text begins with an RFC 3986 scheme and "://".
bool has_scheme(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '+' ||
                             text[i] == '-' || text[i] == '.')) {
    ++i;
  }
  return i > 0 && std::isalpha(static_cast<unsigned char>(text[0])) &&
         text.substr(i).starts_with("://");
}

// The parts of a URL libcurl has parsed into `u`.
Result<Url> url_parts(CURLU* u) {
  curl_url_set(u, CURLUPART_FRAGMENT, nullptr, 0); // never sent; a query must not follow it
  std::optional<std::string> scheme = url_part(u, CURLUPART_SCHEME);
  std::optional<std::string> host = url_part(u, CURLUPART_HOST);
  std::optional<std::string> text = url_part(u, CURLUPART_URL);
  if (!scheme || !host || host->empty() || !text) {
    return failure("URL", "has no scheme or no host");
  }
  // libcurl takes any run of letters and digits before "://" as a scheme ("50ehttps://h/" as a
  // Location); RFC 3986 wants a letter first, and so does parse_url, which must read every URL
  // this returns the same way.
  if (!has_scheme(*text)) {
    return failure("URL", "does not start with a scheme (a letter, then letters, digits, '+', "
                          "'-' or '.')");
  }
  Url url;
  url.scheme = lower(*scheme);
  url.host = lower(*host);
  if (url.host.size() > 2 && url.host.front() == '[' && url.host.back() == ']') {
    url.host = url.host.substr(1, url.host.size() - 2);
  }
  std::optional<std::string> port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  url.port = port ? std::atoi(port->c_str()) : 0;
  url.explicit_port = url_part(u, CURLUPART_PORT).has_value();
  url.default_port = !url_part(u, CURLUPART_PORT, CURLU_NO_DEFAULT_PORT).has_value();
  url.has_userinfo = url_part(u, CURLUPART_USER).has_value() ||
                     url_part(u, CURLUPART_PASSWORD).has_value() ||
                     url_part(u, CURLUPART_OPTIONS).has_value();
  url.text = *text;
  return url;
}

Result<Url> parse_with(CURLU* u, std::string_view text) {
  std::string t(text);
  // CURLU_NON_SUPPORT_SCHEME: other schemes parse too, so callers can name and refuse them.
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, t.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return failure("URL", curl_url_strerror(rc));
  }
  return url_parts(u);
}

} // namespace

std::string Url::authority() const {
  std::string h = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return explicit_port ? h + ":" + std::to_string(port) : h;
}

std::string Url::origin() const {
  std::string h = host.find(':') == std::string::npos ? host : "[" + host + "]";
  return scheme + "://" + h + (default_port ? "" : ":" + std::to_string(port));
}

Result<Url> parse_url(std::string_view text) {
  if (!has_scheme(text)) {
    return failure("URL", "is not absolute (scheme://host/…)");
  }
  CurlUrl u(curl_url());
  return parse_with(u.get(), text);
}

Result<Url> parse_host_port(std::string_view text) {
  if (has_scheme(text)) {
    return parse_url(text);
  }
  CurlUrl u(curl_url());
  return parse_with(u.get(), "http://" + std::string(text));
}

Result<Url> resolve_url(std::string_view base, std::string_view location) {
  std::string b(base);
  std::string l(location);
  CurlUrl u(curl_url());
  if (!has_scheme(base) ||
      curl_url_set(u.get(), CURLUPART_URL, b.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return failure("URL", "the base URL does not parse");
  }
  // Setting a URL on a handle that holds one resolves it as a redirect would be.
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, l.c_str(), CURLU_NON_SUPPORT_SCHEME);
      rc != CURLUE_OK) {
    return failure("URL", curl_url_strerror(rc));
  }
  return url_parts(u.get());
}

bool same_origin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port;
}

std::string url_origin(std::string_view url) {
  Result<Url> u = parse_url(url);
  return u ? u->origin() : std::string();
}

std::string add_query(std::string url, std::string_view key, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += key;
  url += '=';
  url += url_encode(value);
  return url;
}

std::string url_host(std::string_view url) {
  Result<Url> u = parse_host_port(url);
  return u ? u->host : std::string();
}

bool is_loopback_host(std::string_view host) {
  if (host.starts_with("[") && host.ends_with("]")) {
    host = host.substr(1, host.size() - 2);
  }
  if (iequals(host, "localhost") || iequals(host, "localhost.")) {
    return true;
  }
  std::string h(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return ::inet_pton(AF_INET6, h.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string status_text(long status) {
  static const std::pair<long, const char*> k_phrases[] = {{200, "OK"},
                                                           {201, "Created"},
                                                           {202, "Accepted"},
                                                           {204, "No Content"},
                                                           {206, "Partial Content"},
                                                           {301, "Moved Permanently"},
                                                           {302, "Found"},
                                                           {307, "Temporary Redirect"},
                                                           {308, "Permanent Redirect"},
                                                           {400, "Bad Request"},
                                                           {401, "Unauthorized"},
                                                           {403, "Forbidden"},
                                                           {404, "Not Found"},
                                                           {405, "Method Not Allowed"},
                                                           {409, "Conflict"},
                                                           {413, "Payload Too Large"},
                                                           {416, "Range Not Satisfiable"},
                                                           {429, "Too Many Requests"},
                                                           {500, "Internal Server Error"},
                                                           {502, "Bad Gateway"},
                                                           {503, "Service Unavailable"},
                                                           {504, "Gateway Timeout"}};
  for (const auto& [code, phrase] : k_phrases) {
    if (code == status) {
      return std::to_string(status) + " " + phrase;
    }
  }
  return "HTTP " + std::to_string(status);
}

std::string format_duration(std::chrono::milliseconds d) {
  long long ms = d.count();
  if (ms % 60000 == 0 && ms != 0) {
    return std::to_string(ms / 60000) + "m";
  }
  if (ms % 1000 == 0) {
    return std::to_string(ms / 1000) + "s";
  }
  return std::to_string(ms) + "ms";
}

std::string_view describe(NetError e) {
  switch (e) {
  case NetError::none:
    return "no error";
  case NetError::connect:
    return "could not connect";
  case NetError::send:
    return "the connection broke while sending";
  case NetError::recv:
    return "the connection broke while receiving";
  case NetError::empty_reply:
    return "the server closed the connection without a reply";
  case NetError::partial:
    return "the reply was cut short";
  case NetError::timeout:
    return "the exchange timed out";
  case NetError::deadline:
    return "timed out";
  case NetError::tls:
    return "TLS failed";
  case NetError::resolve:
    return "the host name could not be resolved";
  case NetError::too_large:
    return "the answer was larger than allowed";
  case NetError::other:
    return "the request failed";
  }
  return "the request failed";
}

} // namespace sp::publish::http
