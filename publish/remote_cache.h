// The shared remote cache: a RemoteCacheLevel (util/cache_store.h) over HTTP, laid out the way
// ccache's http storage and bazel-remote are: GET, PUT and HEAD of "PREFIX/ac/<sha256 of the
// entry's name>" (a small record signed with the cache key) and "PREFIX/cas/<sha256>" (the
// contents), so that nginx with its DAV module, bazel-remote, any WebDAV server or an S3-style
// gateway serves it. Nothing it answers is trusted: CacheStore checks the record's HMAC and the
// content's sha256 before an entry exists locally.
//
// Faults cost little: connecting may take 1 s, a record 2 s, a content a bounded time by its size;
// the first failed exchange (refused, timed out, cut short) switches the level off for the rest of
// the run with one warning, so a dead server slows a build by about one timeout. HTTP errors other
// than 404 are counted and said once; redirects are never followed; credentials never appear in
// a message (URLs are shown without them, headers never).
#pragma once

#include "publish/http.h"
#include "util/cache_store.h"
#include "util/result.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sp::publish {

/// What configures the remote cache, as read from the environment or the config file.
struct RemoteCacheSettings {
  std::string url;     ///< "https://user:password@host/prefix" (credentials optional)
  std::string source;  ///< where the URL came from (shown in messages)
  std::string mode;    ///< "read-write" (default when empty) or "read-only"
  std::string token;   ///< a bearer token
  fs::path token_file; ///< a file holding a bearer token
};

/// A checked configuration.
struct RemoteCacheConfig {
  std::string base; ///< the URL prefix without credentials, ending in '/'
  bool read_only = false;
  std::string authorization; ///< the Authorization header's value, "" for none (a secret)
};

/// `url` with any "user:password@" taken out (for messages).
std::string redact_url(std::string_view url);

/// Checks `settings`: an http or https URL (credentials in it become Basic auth, a token Bearer
/// auth, not both), the mode, a readable token file. Credentials are refused over plain http to
/// anything but this machine. Errors never quote a secret.
Result<RemoteCacheConfig> remote_cache_config(const RemoteCacheSettings& settings);

using TransportFactory = std::function<std::unique_ptr<http::Transport>()>;
using WarnFn = std::function<void(const std::string&)>;

/// Timeouts of the HTTP level.
struct RemoteCacheTimeouts {
  long connect_s = 1;
  long stall_s = 2;
  std::chrono::milliseconds record{2000};
  /// A content may take this plus one second per 4 MiB.
  std::chrono::milliseconds content{5000};
};

/// The level over HTTP. `make` gives a transport per concurrent request (default: libcurl with
/// the timeouts above); `warn` says what goes wrong (called from any thread, at most a few
/// times per run).
std::shared_ptr<RemoteCacheLevel> make_http_remote_cache(RemoteCacheConfig config, WarnFn warn,
                                                         TransportFactory make = {},
                                                         RemoteCacheTimeouts timeouts = {});

} // namespace sp::publish
