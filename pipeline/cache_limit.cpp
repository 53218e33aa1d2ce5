// cache_limit() and trim_to_limit() (pipeline/caches.h) on their own: the drop-in compiler keeps
// the limit without linking the layer cache (and with it libarchive) into scratchpack-cc.
#include "pipeline/caches.h"
#include "util/strings.h"

#include <cstdlib>

namespace sp::pipeline {

Result<CacheLimit> cache_limit() {
  CacheLimit limit;
  std::string text;
  if (const char* env = std::getenv("SCRATCHPACK_CACHE_MAX_SIZE"); env && *env) {
    text = env;
    limit.source = "SCRATCHPACK_CACHE_MAX_SIZE";
  } else if (auto conf = read_file(cache_dir() / "scratchpack.conf")) {
    for (const std::string& line : split(*conf, '\n')) {
      size_t eq = line.find('=');
      if (eq != std::string::npos && trim(std::string_view(line).substr(0, eq)) == "max_size") {
        text = std::string(trim(std::string_view(line).substr(eq + 1)));
        limit.source = (cache_dir() / "scratchpack.conf").string();
      }
    }
  }
  if (!text.empty()) {
    auto bytes = parse_size(text);
    if (!bytes) {
      return usage_error("cache max_size '" + text + "' (from " + limit.source + ")",
                         "expects a number of bytes, optionally with K, M or G", "e.g. 10G");
    }
    limit.bytes = *bytes;
  }
  return limit;
}

void trim_to_limit(const std::vector<const CacheStore*>& stores, uint64_t limit_bytes) {
  if (limit_bytes == 0) {
    return;
  }
  uint64_t used = 0;
  for (const CacheStore* s : stores) {
    used += s->usage().bytes;
  }
  if (used > limit_bytes) {
    evict_lru(stores, limit_bytes / 10 * 9);
  }
}

} // namespace sp::pipeline
