#include "pipeline/caches.h"

#include "util/fs.h"
#include "util/parallel.h"
#include "util/strings.h"

#include <algorithm>
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

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

} // namespace

Result<toolchain::Launcher> choose_launcher(const DistributeOptions& o,
                                            const std::string& remote_compiler,
                                            const std::function<void(std::string)>& note) {
  std::string env_hosts = env_or_empty("SCRATCHPACK_DISTCC_HOSTS");
  if (!o.launcher.empty()) {
    if (o.distribute) {
      return usage_error("--compiler-launcher " + o.launcher,
                         "and --distribute both name a launcher",
                         "give one: --distribute is --compiler-launcher distcc with its hosts");
    }
    return toolchain::command_launcher(o.launcher, env_or_empty("DISTCC_HOSTS"), remote_compiler);
  }
  if (!o.distribute && env_hosts.empty()) {
    if (!o.manifest_hosts.empty() && note) {
      note(o.manifest_where + (o.manifest_where.empty() ? "" : ": ") +
           "the manifest sets build.distribute; sending compiles to its hosts needs --distribute "
           "on the command line");
    }
    return toolchain::Launcher{};
  }
  // The user's own choices first: the flag's value, then the environment; the manifest's hosts
  // only because --distribute was given.
  std::string hosts = !o.hosts.empty()            ? o.hosts
                      : !env_hosts.empty()        ? env_hosts
                      : !o.manifest_hosts.empty() ? o.manifest_hosts
                                                  : env_or_empty("DISTCC_HOSTS");
  std::string from = !o.hosts.empty()            ? "--distribute=" + o.hosts
                     : !env_hosts.empty()        ? "SCRATCHPACK_DISTCC_HOSTS"
                     : !o.manifest_hosts.empty() ? "build.distribute.hosts"
                                                 : "DISTCC_HOSTS";
  if (hosts.empty()) {
    return usage_error("--distribute", "no distcc hosts given",
                       "name them: --distribute=HOST[:PORT][/LIMIT],… or "
                       "SCRATCHPACK_DISTCC_HOSTS, or the manifest's build.distribute.hosts");
  }
  // The flag's value may separate hosts with commas too (no shell quoting needed); a comma
  // before an option (",lzo") stays.
  std::string list = hosts;
  if (!o.hosts.empty() && hosts == o.hosts) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i] == ',' && list.compare(i + 1, 3, "lzo") != 0 &&
          list.compare(i + 1, 3, "cpp") != 0 && list.compare(i + 1, 4, "auth") != 0) {
        list[i] = ' ';
      }
    }
  }
  auto parsed = toolchain::parse_distcc_hosts(list);
  if (!parsed) {
    Error e = parsed.take_error();
    for (Error& p : e.problems) {
      p.what = from + ": " + p.what;
    }
    if (e.problems.empty()) {
      e.what = from + ": " + e.what;
    }
    return e;
  }
  if (find_program("distcc").empty()) {
    return failure("--distribute", "distcc is not installed (not found on PATH)",
                   "install Debian's distcc package: apt-get install distcc");
  }
  return toolchain::distcc_launcher(list, *parsed, remote_compiler);
}

Result<toolchain::BuildTools> build_tools(const Caches& caches, unsigned jobs,
                                          const DistributeOptions& distribute, Events* events) {
  toolchain::BuildTools tools;
  tools.compiler = SP_TRY(toolchain::find_compiler());
  tools.cache = caches.build.get();
  tools.launcher = SP_TRY(choose_launcher(
      distribute,
      toolchain::remote_compiler_name(tools.compiler.clang.string(), tools.compiler.version),
      [events](std::string text) {
        if (events) {
          events->note(text);
        }
      }));
  // With remote slots, as many compiles at once as they take plus this machine's cores, of which
  // never more than the cores run on this machine itself. Without a launcher, -j is the user's.
  unsigned cores = default_jobs();
  tools.jobs = jobs ? jobs : cores + tools.launcher.remote_slots;
  tools.local_jobs = tools.launcher.active() ? std::min(tools.jobs, cores) : tools.jobs;
  return tools;
}

void report_launches(const toolchain::BuildTools& tools, Events& events) {
  const toolchain::LaunchStats& s = *tools.launch_stats;
  if (!tools.launcher.active() || s.fallbacks() == 0) {
    return;
  }
  size_t n = s.fallbacks();
  std::string count = std::to_string(n) + (n == 1 ? " compile" : " compiles");
  std::string what = s.remote() == 0 ? tools.launcher.description + " compiled nothing; " + count +
                                           " ran on this machine instead"
                                     : tools.launcher.description + ": " + count +
                                           " failed to distribute and ran on this machine instead";
  events.warning(what + " (" + s.first_reason() + ")");
}

} // namespace sp::pipeline
