#include "pipeline/caches.h"

#include "util/fs.h"
#include "util/parallel.h"
#include "util/strings.h"

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace sp::pipeline {

namespace {

/// `key = value` of <cache_dir>/scratchpack.conf, "" when absent.
std::string conf_value(std::string_view key) {
  std::string value;
  if (auto conf = read_file(cache_dir() / "scratchpack.conf")) {
    for (const std::string& line : split(*conf, '\n')) {
      size_t eq = line.find('=');
      if (eq != std::string::npos && trim(std::string_view(line).substr(0, eq)) == key) {
        value = std::string(trim(std::string_view(line).substr(eq + 1)));
      }
    }
  }
  return value;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// Names in the build cache that never leave the machine: facts kept by a file's identity
/// (inputs/, idhash/), a release's record of its inputs' identities (releases/,
/// pipeline/up_to_date.h) and precompiled preambles (pch/, which hold absolute paths).
const std::vector<std::string> k_local_only = {"inputs/", "idhash/", "releases/", "pch/"};

} // namespace

publish::RemoteCacheSettings remote_cache_settings() {
  publish::RemoteCacheSettings s;
  fs::path conf = cache_dir() / "scratchpack.conf";
  s.url = env("SCRATCHPACK_REMOTE_CACHE");
  s.source = "SCRATCHPACK_REMOTE_CACHE";
  if (s.url.empty()) {
    s.url = conf_value("remote_cache");
    s.source = conf.string();
  }
  s.mode = env("SCRATCHPACK_REMOTE_CACHE_MODE");
  if (s.mode.empty()) {
    s.mode = conf_value("remote_cache_mode");
  }
  s.token = env("SCRATCHPACK_REMOTE_CACHE_TOKEN");
  s.token_file = env("SCRATCHPACK_REMOTE_CACHE_TOKEN_FILE");
  if (s.token_file.empty()) {
    s.token_file = conf_value("remote_cache_token_file");
  }
  return s;
}

namespace {

fs::path stats_file() {
  return cache_dir() / "remote-stats";
}

RemoteStats parse_stats(const std::string& text) {
  RemoteStats r;
  for (const std::string& line : split(text, '\n')) {
    std::vector<std::string> f = split(line, ' ');
    unsigned long long n = 0;
    if (f.size() != 2 || !parse_uint(f[1], n)) {
      continue;
    }
    uint64_t* field = f[0] == "hits"      ? &r.hits
                      : f[0] == "misses"  ? &r.misses
                      : f[0] == "bad"     ? &r.bad
                      : f[0] == "errors"  ? &r.errors
                      : f[0] == "uploads" ? &r.uploads
                                          : nullptr;
    if (field) {
      *field = n;
    }
  }
  return r;
}

} // namespace

RemoteStats read_remote_stats() {
  auto text = read_file(stats_file());
  return text ? parse_stats(*text) : RemoteStats{};
}

void add_remote_stats(const RemoteCacheCounters& run) {
  if (run.hits + run.misses + run.bad + run.errors + run.uploads == 0) {
    return;
  }
  // One writer at a time (ccache keeps its counters the same way): read, add, replace.
  int fd = ::open((stats_file().string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return;
  }
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  RemoteStats r = read_remote_stats();
  r.hits += run.hits;
  r.misses += run.misses;
  r.bad += run.bad;
  r.errors += run.errors;
  r.uploads += run.uploads;
  (void)write_file_atomic(stats_file(),
                          "hits " + std::to_string(r.hits) + "\nmisses " +
                              std::to_string(r.misses) + "\nbad " + std::to_string(r.bad) +
                              "\nerrors " + std::to_string(r.errors) + "\nuploads " +
                              std::to_string(r.uploads) + "\n",
                          0644, Durability::ordered);
  ::close(fd);
}

Caches open_caches(bool enabled, Events& events, bool remote) {
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
  publish::RemoteCacheSettings settings =
      remote ? remote_cache_settings() : publish::RemoteCacheSettings{};
  if (!settings.url.empty()) {
    auto config = publish::remote_cache_config(settings);
    if (!config) {
      events.warning("remote cache disabled: " + config.error().what + ": " + config.error().why);
    } else {
      c.remote =
          publish::make_http_remote_cache(std::move(*config), [&events](const std::string& text) {
            events.infrastructure_warning(text);
          });
      if (c.build) {
        c.build->store().set_remote(c.remote, "build", k_local_only);
      }
      if (c.layers) {
        c.layers->store().set_remote(c.remote, "layers");
      }
    }
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
  if (remote) {
    add_remote_stats(remote->counters());
  }
  bool stored = false;
  for (const CacheStore* s : stores_of(*this)) {
    stored = stored || s->stored_anything();
  }
  if (stored) {
    trim_to_limit(stores_of(*this), limit.bytes);
  }
}

Result<toolchain::Launcher> choose_launcher(const DistributeOptions& o,
                                            const std::string& remote_compiler,
                                            const std::function<void(std::string)>& note) {
  std::string env_hosts = env("SCRATCHPACK_DISTCC_HOSTS");
  if (!o.launcher.empty()) {
    if (o.distribute) {
      return usage_error("--compiler-launcher " + o.launcher,
                         "and --distribute both name a launcher",
                         "give one: --distribute is --compiler-launcher distcc with its hosts");
    }
    return toolchain::command_launcher(o.launcher, env("DISTCC_HOSTS"), remote_compiler);
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
                                                  : env("DISTCC_HOSTS");
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
  events.infrastructure_warning(what + " (" + s.first_reason() + ")");
}

} // namespace sp::pipeline
