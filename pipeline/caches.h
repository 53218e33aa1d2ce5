// The caches a recipe uses: the build cache (objects, links, scans, precompiled preambles) and
// the layer cache, at their default places, with the size limit they share. A cache that cannot
// be opened makes the build slower, not wrong: a warning event says so and the recipe goes on
// without it. Sysroots are not cache entries: no limit or eviction ever touches them.
#pragma once

#include "packager/layer_cache.h"
#include "pipeline/events.h"
#include "publish/remote_cache.h"
#include "toolchain/build.h"
#include "toolchain/cache.h"
#include "util/cache_store.h"
#include "util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sp::pipeline {

/// 5 GiB, ccache's default as well.
inline constexpr uint64_t k_default_cache_max_size = 5ull << 30;

/// The size the caches may grow to, and where that number came from.
struct CacheLimit {
  uint64_t bytes = k_default_cache_max_size;
  std::string source = "default"; ///< "SCRATCHPACK_CACHE_MAX_SIZE", the config file, or "default"
};

/// $SCRATCHPACK_CACHE_MAX_SIZE, else `max_size = SIZE` in <cache_dir>/scratchpack.conf, else
/// 5 GiB. SIZE takes K, M and G ("10G"); 0 means no limit.
Result<CacheLimit> cache_limit();

/// Where the shared remote cache is configured: $SCRATCHPACK_REMOTE_CACHE, else `remote_cache =
/// URL` in <cache_dir>/scratchpack.conf; its mode ($SCRATCHPACK_REMOTE_CACHE_MODE or
/// `remote_cache_mode`), and a bearer token ($SCRATCHPACK_REMOTE_CACHE_TOKEN, else the file
/// $SCRATCHPACK_REMOTE_CACHE_TOKEN_FILE or `remote_cache_token_file`). Empty url: none.
publish::RemoteCacheSettings remote_cache_settings();

/// A remote level's counters summed over runs (<cache_dir>/remote-stats), as `cache stats` shows.
struct RemoteStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t bad = 0;
  uint64_t errors = 0;
  uint64_t uploads = 0;
};
RemoteStats read_remote_stats();
/// Adds one run's counters to the file (under a lock: concurrent runs add up).
void add_remote_stats(const RemoteCacheCounters& run);

struct Caches {
  std::unique_ptr<toolchain::BuildCache> build; ///< null when disabled
  std::unique_ptr<packager::LayerCache> layers; ///< null when disabled
  /// The shared remote level behind both (null when none is configured or it is misconfigured).
  std::shared_ptr<RemoteCacheLevel> remote;
  CacheLimit limit;

  Caches() = default;
  Caches(Caches&&) = default;
  /// Brings the caches back under the limit (least recently used entries go first) when this
  /// run stored anything.
  ~Caches();
};

/// Both caches under cache_dir(), or none when `enabled` is false (--no-cache); with the remote
/// level behind them when one is configured and `remote` is true (its warnings go to `events`,
/// which must outlive the caches).
Caches open_caches(bool enabled, Events& events, bool remote = true);

/// When `stores` together hold more than `limit_bytes` (0: no limit), removes their least
/// recently used entries down to 90% of it, as ccache does, so the next few runs do not each
/// evict again.
void trim_to_limit(const std::vector<const CacheStore*>& stores, uint64_t limit_bytes);

/// Removes least recently used entries of both caches, across both, until they hold at most
/// `target` bytes. Returns how many entries went.
size_t evict_caches(const Caches& caches, uint64_t target);

/// Re-hashes every entry of both caches; damaged and forged ones are removed.
CacheVerifyReport verify_caches(const Caches& caches);

/// Where compiles that miss the cache may run besides here (docs/distributed.md). Distribution
/// is the user's decision: hosts named by a manifest (which may come from a clone) are used only
/// when the command line says --distribute.
struct DistributeOptions {
  std::string launcher;       ///< --compiler-launcher CMD; empty: none
  bool distribute = false;    ///< --distribute given
  std::string hosts;          ///< --distribute=HOSTS; empty: from the environment or the manifest
  std::string manifest_hosts; ///< the manifest's build.distribute.hosts (release)
  std::string manifest_where; ///< where the manifest wrote them, for messages ("FILE:LINE:COL")
};

/// The launcher the options and the environment ask for: --compiler-launcher CMD; or distcc with
/// the hosts of --distribute=HOSTS, else $SCRATCHPACK_DISTCC_HOSTS (which also turns
/// distribution on without the flag), else (with --distribute) the manifest's hosts, else
/// $DISTCC_HOSTS. Inactive when nothing asks for one. `remote_compiler`: clang's name on the
/// servers (toolchain::remote_compiler_name). `note` receives what the user should know (the
/// manifest's hosts left unused without --distribute).
Result<toolchain::Launcher> choose_launcher(const DistributeOptions& options,
                                            const std::string& remote_compiler,
                                            const std::function<void(std::string)>& note);

/// The build engine's tools: clang found, the build cache, the launcher (choose_launcher), and
/// `jobs` parallel compiles (0: one per core, plus the launcher's remote slots).
Result<toolchain::BuildTools> build_tools(const Caches& caches, unsigned jobs,
                                          const DistributeOptions& distribute = {},
                                          Events* events = nullptr);

/// One warning when launched compiles were compiled here instead (the launcher failed: hosts
/// down, connection refused…), saying how many and why; nothing otherwise.
void report_launches(const toolchain::BuildTools& tools, Events& events);

} // namespace sp::pipeline
