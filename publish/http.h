// HTTP for the registry client: plain request/response values and a Transport interface, so the
// push logic runs against libcurl in production and against an in-memory registry in the unit
// tests. Bodies are streamed from memory or from a byte range of a file (a layer is never held
// whole in memory); response bodies are kept up to a cap (documents and error messages only).
#pragma once

#include "util/fs.h"
#include "util/result.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sp::publish::http {

/// Header lines in the order they were sent or received; names compare case-insensitively.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// The value of the first header called `name` (any case), or "" when there is none.
std::string header_value(const Headers& headers, std::string_view name);

/// A byte range of a file to send as the body.
struct FileRange {
  fs::path path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

/// How a request is made. `body` or `body_file` (never both) is sent with Content-Length.
struct Request {
  std::string method = "GET"; ///< GET, HEAD, PUT, POST, PATCH, DELETE
  std::string url;
  Headers headers;
  std::string body;
  std::optional<FileRange> body_file;
  /// Skip TLS certificate and host name checks (only for registries the user marked insecure).
  bool insecure_tls = false;
  /// Follow up to a few redirects (token endpoints may redirect; uploads never do).
  bool follow_redirects = false;
  /// The whole exchange (connect, send, answer) must end within this; 0: no deadline (the
  /// transport's connect and stall timeouts still apply).
  std::chrono::milliseconds timeout{0};

  /// When not -1, the body of a 200 answer is written to this open file instead of
  /// Response::body, and an answer longer than `max_response` bytes is abandoned
  /// (NetError::too_large); other answers' bodies still go to Response::body, cut at the cap.
  int response_fd = -1;
  uint64_t max_response = 0;

  /// Bytes the body holds.
  uint64_t body_size() const { return body_file ? body_file->length : body.size(); }
};

/// Why no HTTP status came back. Connection-level failures are split into those worth another
/// attempt (the peer went away, a timeout) and those that are not (bad host name, TLS).
enum class NetError {
  none,
  connect,
  send,
  recv,
  empty_reply,
  partial,
  timeout,  ///< connecting took too long, or the exchange stalled
  deadline, ///< the exchange was still running when Request::timeout ran out
  tls,
  resolve,
  too_large, ///< a body sent to Request::response_fd went past Request::max_response
  other
};

/// What came back. `status` is 0 when the exchange failed below HTTP (see `net_error`).
struct Response {
  long status = 0;
  Headers headers;
  std::string body; ///< truncated at Transport's cap; empty for HEAD
  NetError net_error = NetError::none;
  std::string net_message; ///< the transport's words for a NetError (no credentials in it)

  std::string header(std::string_view name) const { return header_value(headers, name); }
};

/// Sends requests. Implementations are used from one thread at a time.
class Transport {
public:
  virtual ~Transport() = default;
  virtual Response send(const Request& request) = 0;
};

struct CurlOptions {
  std::string user_agent = "scratchpack";
  long connect_timeout_s = 30;
  /// An exchange slower than 1 byte/s for this long is abandoned. The total deadline is per
  /// request (Request::timeout), sized by the caller to the bytes the request sends.
  long stall_timeout_s = 60;
  /// Response bodies are cut at this size.
  size_t max_body = 4u << 20;
};

/// A Transport over one libcurl easy handle (kept-alive connections are reused).
std::unique_ptr<Transport> make_curl_transport(const CurlOptions& options = {});

/// Percent-encodes everything but RFC 3986 unreserved characters (for query values).
std::string url_encode(std::string_view text);

/// A URL as libcurl reads it. Every decision about where a request goes (whose origin it is,
/// whether it is loopback, whether plain HTTP or credentials may go there) is made on these
/// parts, parsed by libcurl's URL API — the parser its transfers use — and the request is then
/// sent to `text`, the same URL as libcurl normalised it, so what was checked is what is sent.
struct Url {
  std::string scheme; ///< lower-cased: "http", "https", "ftp"…
  std::string host;   ///< lower-cased; IPv6 without brackets; IPv4 in dotted form ("127.1" →
                      ///< "127.0.0.1")
  int port = 0;       ///< as given, else the scheme's default
  bool explicit_port = false;
  bool default_port = true;  ///< the port is the scheme's default (given or not)
  bool has_userinfo = false; ///< "user[:password]@" before the host
  std::string text;          ///< the whole URL, normalised

  /// "host[:port]" (an IPv6 host in brackets), the port only when the URL names one: what
  /// --insecure-registry entries are compared with.
  std::string authority() const;
  /// "scheme://host[:port]", the port only when it is not the scheme's default.
  std::string origin() const;
};

/// Parses an absolute URL ("scheme://…"; the scheme in any case). An error (never quoting the
/// text) for anything else: no scheme, a bad host or port, spaces or control characters.
Result<Url> parse_url(std::string_view text);

/// Parses what names a server: "host", "host:port", "[::1]:5000", or a URL of any scheme
/// ("https://host:5000/v1/", whose path is ignored).
Result<Url> parse_host_port(std::string_view text);

/// Resolves a Location header against the URL of the request that returned it (RFC 3986, as
/// libcurl follows redirects): absolute URLs stay, "//host/…" keeps the scheme, "/path" the
/// scheme and authority, anything else is relative to the base's directory.
Result<Url> resolve_url(std::string_view base, std::string_view location);

/// Same scheme, host and port (an explicit default port is the default port).
bool same_origin(const Url& a, const Url& b);

/// Appends "key=value" (value encoded) to `url` with '?' or '&' as needed.
std::string add_query(std::string url, std::string_view key, std::string_view value);

/// Url::origin() of a URL, "" when it does not parse.
std::string url_origin(std::string_view url);

/// The host of a URL or of "host[:port]", as Url::host ("127.0.0.1", "::1", "example.com"); ""
/// when it does not parse.
std::string url_host(std::string_view url);

/// True for names that can only mean this machine: localhost, 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);

/// "5s", "1500ms", "5m": a duration as the --timeout flag writes it.
std::string format_duration(std::chrono::milliseconds d);

/// "404 Not Found", "503 Service Unavailable"… ("HTTP 599" for codes without a known phrase).
std::string status_text(long status);

/// A short English name for a NetError ("connection refused or unreachable"…).
std::string_view describe(NetError e);

} // namespace sp::publish::http
