// The caches a recipe uses: the build cache (objects, links, scans, precompiled preambles) and
// the layer cache, at their default places. A cache that cannot be opened makes the build
// slower, not wrong: a warning event says so and the recipe goes on without it.
#pragma once

#include "packager/layer_cache.h"
#include "pipeline/events.h"
#include "toolchain/build.h"
#include "toolchain/cache.h"
#include "util/result.h"

#include <memory>

namespace sp::pipeline {

struct Caches {
  std::unique_ptr<toolchain::BuildCache> build; ///< null when disabled
  std::unique_ptr<packager::LayerCache> layers; ///< null when disabled
};

/// Both caches under cache_dir(), or none when `enabled` is false (--no-cache).
Caches open_caches(bool enabled, Events& events);

/// The build engine's tools: clang found, the build cache, `jobs` parallel compiles (0: one per
/// core).
Result<toolchain::BuildTools> build_tools(const Caches& caches, unsigned jobs);

} // namespace sp::pipeline
