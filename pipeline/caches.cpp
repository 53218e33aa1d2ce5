#include "pipeline/caches.h"

#include "util/parallel.h"

namespace sp::pipeline {

Caches open_caches(bool enabled, Events& events) {
  Caches c;
  if (!enabled) {
    return c;
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

Result<toolchain::BuildTools> build_tools(const Caches& caches, unsigned jobs) {
  toolchain::BuildTools tools;
  tools.compiler = SP_TRY(toolchain::find_compiler());
  tools.cache = caches.build.get();
  tools.jobs = jobs ? jobs : default_jobs();
  return tools;
}

} // namespace sp::pipeline
