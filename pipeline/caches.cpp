#include "pipeline/caches.h"

#include "util/parallel.h"
#include "util/strings.h"

#include <cstdlib>

namespace sp::pipeline {

Caches open_caches(bool enabled, Events& events) {
  Caches c;
  if (!enabled) {
    return c;
  }
  if (auto limit = cache_limit()) {
    c.limit = *limit;
  } else {
    events.warning(limit.error().what + ": " + limit.error().why + "; using 5 GiB");
  }
  if (auto cache = toolchain::BuildCache::open(toolchain::BuildCache::default_dir())) {
    c.build = std::move(*cache);
  } else {
    events.warning("build cache disabled: " + cache.error().what + ": " + cache.error().why);
  }
  if (auto cache = packager::LayerCache::open(cache_dir() / "layers")) {
    c.layers = std::make_unique<packager::LayerCache>(std::move(*cache));
  } else {
    events.warning("layer cache disabled: " + cache.error().what + ": " + cache.error().why);
  }
  return c;
}

namespace {

std::vector<const CacheStore*> stores_of(const Caches& caches) {
  std::vector<const CacheStore*> stores;
  if (caches.build) {
    stores.push_back(&caches.build->store());
  }
  if (caches.layers) {
    stores.push_back(&caches.layers->store());
  }
  return stores;
}

} // namespace

size_t evict_caches(const Caches& caches, uint64_t target) {
  return evict_lru(stores_of(caches), target);
}

CacheVerifyReport verify_caches(const Caches& caches) {
  CacheVerifyReport all;
  for (const CacheStore* s : stores_of(caches)) {
    CacheVerifyReport r = s->verify();
    all.checked += r.checked;
    all.removed += r.removed;
    all.temporaries += r.temporaries;
    for (std::string& name : r.bad) {
      all.bad.push_back((s->dir().filename() / name).string());
    }
  }
  return all;
}

Caches::~Caches() {
  bool stored = false;
  for (const CacheStore* s : stores_of(*this)) {
    stored = stored || s->stored_anything();
  }
  if (stored) {
    trim_to_limit(stores_of(*this), limit.bytes);
  }
}

Result<toolchain::BuildTools> build_tools(const Caches& caches, unsigned jobs) {
  toolchain::BuildTools tools;
  tools.compiler = SP_TRY(toolchain::find_compiler());
  tools.cache = caches.build.get();
  tools.jobs = jobs ? jobs : default_jobs();
  return tools;
}

} // namespace sp::pipeline
