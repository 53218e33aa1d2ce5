#include "toolchain/build.h"

#include "toolchain/materials.h"
#include "toolchain/overlay.h"
#include "toolchain/pch.h"
#include "toolchain/schedule.h"
#include "util/diagnostics.h"
#include "util/parallel.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>

namespace sp::toolchain {

Result<bool> check_sources(const std::vector<fs::path>& sources) {
  if (sources.empty()) {
    return usage_error("build", "no source files given");
  }
  Diagnostics diag;
  bool any_cxx = false;
  for (const fs::path& src : sources) {
    auto lang = language_of(src);
    if (!diag.check(lang)) {
      continue;
    }
    std::error_code ec;
    if (!fs::is_regular_file(src, ec)) {
      diag.add(io_error(src.string(), fs::exists(src, ec) ? "not a regular file" : "no such file"));
    }
    any_cxx = any_cxx || *lang == Language::cxx;
  }
  SP_TRY(diag.status());
  return any_cxx;
}

void InputLog::add(const fs::path& path) {
  if (path.empty()) {
    return;
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  m_paths.insert(path.string());
}

void InputLog::add_all(const std::vector<fs::path>& paths) {
  std::lock_guard<std::mutex> lock(m_mutex);
  for (const fs::path& p : paths) {
    if (!p.empty()) {
      m_paths.insert(p.string());
    }
  }
}

void InputLog::add_probe(const fs::path& path) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_probes.insert(path.string());
}

std::vector<std::string> InputLog::probes() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return {m_probes.begin(), m_probes.end()};
}

std::vector<std::string> InputLog::paths() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return {m_paths.begin(), m_paths.end()};
}

namespace {

/// A unit's inputs for the log: what it read, and the directories they were found in (a header
/// added beside them could be found first next time).
void log_unit_inputs(InputLog& log, const std::vector<fs::path>& deps, const fs::path& build_dir) {
  std::vector<fs::path> paths;
  paths.reserve(deps.size() * 2);
  for (const fs::path& d : deps) {
    fs::path abs = d.is_absolute() ? d : build_dir / d;
    paths.push_back(abs);
    paths.push_back(abs.parent_path());
  }
  log.add_all(paths);
}

/// A sysroot's directories: where discovery found its files and where compiles search headers.
void log_sysroot(InputLog& log, const Sysroot& s, const SysrootSearch& search) {
  std::vector<fs::path> dirs = {s.root,        s.crt_dir,         s.gcc_dir,
                                s.cxx_lib_dir, s.overlay_lib_dir, search.cache};
  dirs.insert(dirs.end(), s.c_includes.begin(), s.c_includes.end());
  dirs.insert(dirs.end(), s.cxx_includes.begin(), s.cxx_includes.end());
  dirs.insert(dirs.end(), s.overlay_includes.begin(), s.overlay_includes.end());
  dirs.insert(dirs.end(), s.cxx_libs.begin(), s.cxx_libs.end());
  log.add_all(dirs);
}

/// The files a link line reads: every argument naming an existing file but the objects just
/// compiled, and for each -l every place lld looks (present or not).
void log_link_inputs(InputLog& log, const std::vector<std::string>& argv,
                     const std::vector<fs::path>& objects, const std::string& output) {
  std::set<std::string> skip = {output};
  for (const fs::path& o : objects) {
    skip.insert(o.string());
  }
  std::vector<std::string> dirs;
  std::vector<std::string> libs;
  std::vector<fs::path> paths;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.starts_with("-L") && a.size() > 2) {
      dirs.push_back(a.substr(2));
      paths.push_back(a.substr(2));
    } else if (a.starts_with("-l") && a.size() > 2) {
      libs.push_back(a.substr(2));
    } else if (!a.starts_with("-") && !skip.contains(a)) {
      std::error_code ec;
      if (fs::exists(a, ec)) {
        paths.push_back(a);
      }
    }
  }
  log.add_all(paths);
  for (const std::string& lib : libs) {
    std::string file = lib.starts_with(":") ? lib.substr(1) : "lib" + lib + ".a";
    for (const std::string& d : dirs) {
      log.add_probe(fs::path(d) / file);
    }
  }
}

/// One translation unit of one request, with everything that decides its object.
struct Unit {
  size_t request = 0;
  const Sysroot* sysroot = nullptr;
  const CompileOptions* options = nullptr;
  CompileJob job; ///< object and depfile paths included
};

/// Progress under a lock: compiles finish on worker threads.
class Reporter {
public:
  explicit Reporter(const BuildProgressFn& fn) : m_fn(fn) {}
  void operator()(std::string phase, size_t done, size_t total, std::string what) {
    if (m_fn) {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_fn({std::move(phase), done, total, std::move(what)});
    }
  }

private:
  const BuildProgressFn& m_fn;
  std::mutex m_mutex;
};

std::string with_label(std::string why, const BinaryRequest& r) {
  return r.label.empty() ? why : why + " (" + r.label + ")";
}

/// Every target's sysroot, found once; for a target with a C++ request, readied for C++ (on
/// musl, libc++ is built on first use). Every missing sysroot is reported.
Result<std::map<std::string, Sysroot>> ready_sysroots(const std::vector<BinaryRequest>& requests,
                                                      const std::vector<bool>& cxx,
                                                      const BuildTools& tools, Reporter& report) {
  std::map<std::string, Sysroot> sysroots;
  std::set<std::string> looked_for;
  Diagnostics diag;
  for (const BinaryRequest& r : requests) {
    if (looked_for.insert(r.target.name()).second) {
      auto found = find_sysroot(r.target, tools.search);
      if (diag.check(found)) {
        sysroots.emplace(r.target.name(), std::move(*found));
      }
    }
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    auto it = sysroots.find(requests[i].target.name());
    if (!cxx[i] || it == sysroots.end() || it->second.has_cxx()) {
      continue;
    }
    std::string phase = "C++ runtime for " + it->first;
    auto ready = tools.cxx_runtime(
        it->second, [&](const std::string& line) { report(phase, 0, 1, line); }, tools.search);
    if (!diag.check(ready)) {
      continue;
    }
    report(phase, 1, 1, "ready");
    it->second = std::move(*ready);
  }
  SP_TRY(diag.status());
  return sysroots;
}

/// The precompiled standard-library preamble for `unit` (pch.h), or empty when none applies: not
/// C++, a profile with debug info, no leading standard includes, or the first time this preamble
/// and these flags are met (a single compile would not repay building it). One builder per
/// preamble at a time in this process; when building it fails, the compile reads the headers.
fs::path precompiled_preamble(const BuildTools& tools, const Sysroot& sysroot,
                              const CompileOptions& options, const CompileJob& unit_job) {
  BuildCache& cache = *tools.cache;
  if (unit_job.language != Language::cxx || !unit_job.x_language.empty() ||
      unit_job.action != CompileAction::object || options.profile == Profile::debug) {
    return {};
  }
  auto text = read_file(unit_job.source);
  std::vector<std::string> headers = text ? std_preamble(*text) : std::vector<std::string>();
  auto header =
      headers.empty() ? Result<fs::path>(fs::path()) : cache.pch_source(preamble_text(headers));
  if (!header || header->empty()) {
    return {};
  }
  TempDir tmp("pch", cache.dir() / "tmp");
  CompileJob job;
  job.source = *header;
  job.language = Language::cxx;
  job.precompile = true;
  job.object = tmp.path() / "preamble.pch";
  job.depfile = tmp.path() / "preamble.d";
  const fs::path& build_dir = options.prefix_map_from;
  std::vector<std::string> argv =
      compile_command(tools.compiler, sysroot.target, sysroot, options, job);
  auto key = cache.compile_key(argv, job.source, build_dir, tools.compiler.identity);
  if (!key) {
    return {};
  }
  std::lock_guard<std::mutex> lock(cache.pch_mutex(*key));
  if (auto found = cache.find_pch(*key, build_dir)) {
    return *found;
  }
  if (!cache.pch_seen(*key)) {
    return {};
  }
  int64_t started = BuildCache::coarse_now_ns();
  auto out = tools.compile(argv);
  if (!out || !out->ok) {
    return {};
  }
  auto stored = cache.store_pch(*key, job.object, job.depfile, job.source, build_dir, started);
  return stored && *stored ? **stored : fs::path();
}

} // namespace

std::string compile_time_key(const fs::path& source, const fs::path& build_dir,
                             const Target& target, Profile profile) {
  fs::path abs = normal_absolute(source);
  fs::path base = build_dir.empty() ? fs::path() : normal_absolute(build_dir);
  std::string name = !base.empty() && lexically_within(abs, base)
                         ? "./" + abs.lexically_relative(base).string()
                         : abs.string();
  return sha256_hex("scratchpack compile time 1\n" + name + "\n" + target.name() + "\n" +
                    std::string(to_string(profile)));
}

namespace {

/// A unit's cache lookup: a hit, or what a miss needs to compile and store.
struct Lookup {
  std::optional<UnitResult> hit;
  std::vector<std::string> argv; ///< the compile command (the launcher not included)
  BuildCache* cache = nullptr;   ///< where the object goes (null: not cached)
  std::string key;
};

Result<Lookup> look_up(const BuildTools& tools, const Sysroot& sysroot,
                       const CompileOptions& options, const CompileJob& job, bool want_deps) {
  Lookup l;
  l.argv = compile_command(tools.compiler, sysroot.target, sysroot, options, job);
  const fs::path& build_dir = options.prefix_map_from;
  // Only objects with a depfile are cached: the depfile lists the headers a hit must check.
  l.cache = job.action == CompileAction::object && !job.depfile.empty() ? tools.cache : nullptr;
  if (l.cache) {
    l.key = SP_TRY(l.cache->compile_key(l.argv, job.source, build_dir, tools.compiler.identity));
    UnitResult hit;
    if (l.cache->fetch_object(l.key, job.object, build_dir, want_deps ? &hit.deps : nullptr)) {
      hit.ok = hit.cached = true;
      hit.deps.insert(hit.deps.begin(), job.source);
      l.hit = std::move(hit);
    }
  }
  return l;
}

/// Whether a job may go through the launcher: an object of C or C++ named by its suffix (distcc
/// compiles anything else locally anyway).
bool launchable(const BuildTools& tools, const CompileJob& job) {
  return tools.launcher.active() && job.action == CompileAction::object && job.x_language.empty() &&
         !job.precompile;
}

/// The compile on this machine, with the precompiled preamble when one applies.
Result<CompileOutput> compile_here(const BuildTools& tools, const Sysroot& sysroot,
                                   const CompileOptions& options, const CompileJob& job,
                                   const Lookup& l) {
  // The object is the same with or without the preamble (pch.h), so the key leaves it out.
  CompileJob with_pch = job;
  with_pch.pch = l.cache ? precompiled_preamble(tools, sysroot, options, job) : fs::path();
  auto out = tools.compile(with_pch.pch.empty() ? l.argv
                                                : compile_command(tools.compiler, sysroot.target,
                                                                  sysroot, options, with_pch));
  if (out && !out->ok && !with_pch.pch.empty() &&
      out->diagnostics.find("precompiled header") != std::string::npos) {
    // A header changed after the preamble was checked: compile without it.
    out = tools.compile(l.argv);
  }
  return out;
}

/// Holds one of the local compile slots while it lives (none when `slots` is null).
class LocalSlot {
public:
  explicit LocalSlot(std::counting_semaphore<>* slots) : m_slots(slots) {
    if (m_slots) {
      m_slots->acquire();
    }
  }
  ~LocalSlot() {
    if (m_slots) {
      m_slots->release();
    }
  }
  LocalSlot(const LocalSlot&) = delete;
  LocalSlot& operator=(const LocalSlot&) = delete;

private:
  std::counting_semaphore<>* m_slots;
};

/// Compiles a unit the cache did not have: through the launcher when `launch` (a precompiled
/// preamble cannot travel, so a launched unit compiles without it: the object is the same), here
/// otherwise or when the launcher failed, holding one of `local_slots` while clang runs here.
/// The object and its wall time go into the cache.
Result<UnitResult> compile_missed(const BuildTools& tools, const Sysroot& sysroot,
                                  const CompileOptions& options, const CompileJob& job,
                                  const Lookup& l, bool want_deps, bool launch,
                                  std::counting_semaphore<>* local_slots) {
  UnitResult result;
  int64_t started = l.cache ? BuildCache::coarse_now_ns() : 0;
  auto wall_start = std::chrono::steady_clock::now();
  std::optional<CompileOutput> out;
  if (launch) {
    auto launched = tools.launch(launch_command(tools.launcher, l.argv), tools.launcher.env);
    if (!launched) {
      tools.launch_stats->fell_back(launched.error().what + ": " + launched.error().why);
    } else if (launcher_failed(tools.launcher, launched->exit_code)) {
      tools.launch_stats->fell_back(launched->diagnostics);
    } else {
      launched->diagnostics = without_launcher_lines(tools.launcher, launched->diagnostics);
      out = std::move(*launched);
      result.launched = true;
      if (out->ok) {
        tools.launch_stats->launched_ok();
      }
    }
  }
  if (!out) {
    LocalSlot slot(local_slots);
    wall_start = std::chrono::steady_clock::now();
    out = SP_TRY(compile_here(tools, sysroot, options, job, l));
  }
  auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - wall_start)
                     .count();
  const fs::path& build_dir = options.prefix_map_from;
  result.ok = out->ok;
  result.diagnostics = std::move(out->diagnostics);
  if (result.ok && want_deps && !job.depfile.empty()) {
    auto text = read_file(job.depfile);
    for (const std::string& dep : text ? parse_depfile(*text) : std::vector<std::string>()) {
      result.deps.push_back(dep);
    }
  }
  if (l.cache && result.ok) {
    // A cache that cannot be written is a slower build, not a failed one.
    (void)l.cache->store_object(l.key, job.object, job.depfile, job.source, build_dir, started,
                                system_include_dirs(tools.compiler, sysroot));
    (void)l.cache->store_text(
        "timings", compile_time_key(job.source, build_dir, sysroot.target, options.profile),
        std::to_string(wall_ms));
  }
  return result;
}

} // namespace

Result<UnitResult> compile_unit(const BuildTools& tools, const Sysroot& sysroot,
                                const CompileOptions& options, const CompileJob& job,
                                bool want_deps) {
  Lookup l = SP_TRY(look_up(tools, sysroot, options, job, want_deps));
  if (l.hit) {
    return std::move(*l.hit);
  }
  return compile_missed(tools, sysroot, options, job, l, want_deps, launchable(tools, job),
                        nullptr);
}

namespace {

std::vector<Unit> plan_units(const std::vector<BinaryRequest>& requests,
                             const std::map<std::string, Sysroot>& sysroots,
                             const fs::path& objdir) {
  std::vector<Unit> units;
  for (size_t ri = 0; ri < requests.size(); ++ri) {
    const BinaryRequest& r = requests[ri];
    for (const fs::path& src : r.sources) {
      Unit u;
      u.request = ri;
      u.sysroot = &sysroots.at(r.target.name());
      u.options = &r.compile;
      u.job.source = src;
      std::string stem = std::to_string(units.size()) + "-" + src.stem().string();
      u.job.object = objdir / (stem + ".o");
      u.job.depfile = objdir / (stem + ".d");
      u.job.language = *language_of(src);
      units.push_back(std::move(u));
    }
  }
  return units;
}

std::string unit_label(const Unit& u, const BinaryRequest& r) {
  std::string name = u.job.source.filename().string();
  return r.label.empty() ? name : name + " (" + r.label + ")";
}

/// How long a unit that missed the cache is expected to take: its last recorded wall time, else
/// an estimate from its text (schedule.h).
uint64_t expected_ms(const BuildTools& tools, const Unit& u) {
  if (tools.cache) {
    std::string key = compile_time_key(u.job.source, u.options->prefix_map_from, u.sysroot->target,
                                       u.options->profile);
    if (auto text = tools.cache->fetch_text("timings", key)) {
      if (auto ms = parse_compile_ms(*text)) {
        return *ms;
      }
    }
  }
  std::string text = read_file(u.job.source).value_or("");
  return estimate_compile_ms(text, u.job.language == Language::cxx);
}

/// Every unit of every request in one pool: the cache is asked first for every unit, then the
/// misses compile longest first, `tools.jobs` at a time, at most `tools.local_jobs` of them on
/// this machine (the others through the launcher, up to its remote slots). Fails only when clang
/// cannot be started.
Result<std::vector<UnitResult>> compile_all(const std::vector<Unit>& units,
                                            const std::vector<BinaryRequest>& requests,
                                            const BuildTools& tools, Reporter& report) {
  std::vector<Result<UnitResult>> results(units.size(), UnitResult{});
  std::vector<std::optional<Result<Lookup>>> lookups(units.size());
  std::atomic<size_t> done{0};
  bool want_deps = tools.inputs != nullptr;
  auto reported = [&](size_t i) {
    if (want_deps && results[i] && results[i]->ok) {
      log_unit_inputs(*tools.inputs, results[i]->deps, units[i].options->prefix_map_from);
      results[i]->deps.clear();
    }
    report("compile", ++done, units.size(), unit_label(units[i], requests[units[i].request]));
  };
  parallel_for(units.size(), tools.jobs, [&](size_t i) {
    Result<Lookup> l =
        look_up(tools, *units[i].sysroot, *units[i].options, units[i].job, want_deps);
    if (l && l->hit) {
      results[i] = std::move(*l->hit);
      reported(i);
    } else if (!l) {
      results[i] = l.take_error();
    } else {
      lookups[i] = std::move(l);
    }
  });
  std::vector<size_t> missed;
  for (size_t i = 0; i < units.size(); ++i) {
    if (lookups[i]) {
      missed.push_back(i);
    }
  }
  std::vector<uint64_t> lengths(missed.size());
  parallel_for(missed.size(), tools.jobs,
               [&](size_t k) { lengths[k] = expected_ms(tools, units[missed[k]]); });
  std::vector<size_t> order = longest_first(lengths);
  unsigned local_jobs = std::max(1u, tools.local_jobs ? tools.local_jobs : tools.jobs);
  std::counting_semaphore<> local_slots(local_jobs);
  unsigned remote_slots = tools.launcher.remote_slots;
  std::atomic<unsigned> remote_busy{0};
  // parallel_for starts indices in order, so the longest units start first.
  parallel_for(order.size(), tools.jobs, [&](size_t k) {
    size_t i = missed[order[k]];
    const Unit& u = units[i];
    bool launch = launchable(tools, u.job);
    if (launch && remote_slots > 0) {
      // Every remote slot taken: compile here rather than queue behind the launcher.
      launch = ++remote_busy <= remote_slots;
      if (!launch) {
        --remote_busy;
      }
    }
    results[i] = compile_missed(tools, *u.sysroot, *u.options, u.job, **lookups[i], want_deps,
                                launch, &local_slots);
    if (launch && remote_slots > 0) {
      --remote_busy;
    }
    reported(i);
  });
  std::vector<UnitResult> out;
  for (Result<UnitResult>& r : results) {
    out.push_back(SP_TRY(std::move(r)));
  }
  return out;
}

/// The binary's name in its package note and SBOM.
std::string binary_name(const BinaryRequest& r) {
  return r.name.empty() ? r.output.filename().string() : r.name;
}

/// Links `objects` into r.output atomically, through the cache when there is one.
Status link_one(const BinaryRequest& r, const Sysroot& sysroot, bool cxx,
                const std::vector<fs::path>& objects, const BuildTools& tools,
                BinaryResult& result) {
  fs::path dir = r.output.parent_path().empty() ? fs::path(".") : r.output.parent_path();
  SP_TRY(make_dirs(dir));
  AtomicPath binary(r.output);
  LinkOptions options;
  options.output = binary.temp();
  options.objects = objects;
  options.lib_dirs = r.lib_dirs;
  options.libs = r.libs;
  options.extra_args = r.link_args;
  options.cxx = cxx;
  options.profile = r.compile.profile;
  if (r.sbom) {
    options.extra_args.push_back("--package-metadata=" +
                                 package_metadata(binary_name(r), "unversioned", r.target));
  }
  result.link_argv = link_line(r.target, sysroot, options);
  if (tools.inputs) {
    log_link_inputs(*tools.inputs, result.link_argv, objects, binary.temp().string());
  }
  std::string key;
  if (tools.cache) {
    key = tools.cache->link_key(result.link_argv, binary.temp().string(), options.lib_dirs);
    // A hit needs the link's --why-extract table too (an entry stored before there was one is a
    // miss): the gate's findings must not depend on how old the cache is.
    if (auto why = tools.cache->fetch_link_evidence(key)) {
      if (auto sha = tools.cache->fetch_binary(key, binary.temp())) {
        result.link_cached = true;
        result.sha256 = *sha;
        result.why_extract = local_why_extract(*why, objects);
      }
    }
  }
  if (!result.link_cached) {
    // --why-extract goes to a temporary beside the output; the key and the shown line leave it
    // out, as it names a new file each time.
    auto why = SP_TRY(TempFile::create(dir, "why-extract"));
    std::vector<std::string> argv = result.link_argv;
    argv.insert(argv.begin() + 1, "--why-extract=" + why.path().string());
    auto linked = SP_TRY(tools.link(argv));
    if (!linked.ok) {
      std::string label = r.label.empty() ? r.output.filename().string() : r.label;
      if (auto e =
              missing_archive(r.target, linked.diagnostics, "link failed", label, tools.search)) {
        return *e;
      }
      return failure("link failed", label).with_details(linked.diagnostics);
    }
    result.diagnostics += linked.diagnostics;
    auto data = SP_TRY(read_file(binary.temp()));
    result.sha256 = sha256_hex(data);
    result.why_extract = read_file(why.path()).value_or("");
    if (tools.cache) {
      (void)tools.cache->store_binary(key, binary.temp(), result.sha256);
      (void)tools.cache->store_link_evidence(key,
                                             portable_why_extract(result.why_extract, objects));
    }
  }
  if (r.sbom) {
    MaterialsInput in;
    in.name = binary_name(r);
    in.target = r.target;
    in.sysroot = &sysroot;
    in.search = tools.search;
    for (const auto& [object, source] : result.object_sources) {
      in.objects.emplace_back(object, source);
    }
    in.link_argv = result.link_argv;
    in.why_extract = result.why_extract;
    in.cache = tools.cache;
    // Kept with the link: a cached build does not look at the archives and dpkg again.
    std::string bom_key = tools.cache && !key.empty() ? SP_TRY(materials_key(key, in)) : "";
    if (!bom_key.empty()) {
      if (auto text = tools.cache->fetch_text("boms", bom_key)) {
        result.materials = bom::binary_from_text(*text);
      }
    }
    if (!result.materials) {
      result.materials = SP_TRY(link_materials(in, host_dpkg(tools.search.host_root)));
      if (std::string text = bom::to_text(*result.materials); !bom_key.empty() && !text.empty()) {
        (void)tools.cache->store_text("boms", bom_key, text);
      }
    }
  }
  SP_TRY(binary.commit());
  // The link line names the temporary; show the final name to whoever prints it.
  for (std::string& arg : result.link_argv) {
    if (arg == binary.temp().string()) {
      arg = r.output.string();
    }
  }
  return {};
}

/// The units of request `ri` that failed, as "compilation failed: a.c, b.c" with every
/// diagnostic of the request's units as details; nullopt when they all compiled.
std::optional<Error> compile_error(size_t ri, const BinaryRequest& r,
                                   const std::vector<Unit>& units,
                                   const std::vector<UnitResult>& results) {
  std::vector<std::string> failed;
  std::string diagnostics;
  for (size_t i = 0; i < units.size(); ++i) {
    if (units[i].request != ri) {
      continue;
    }
    diagnostics += results[i].diagnostics;
    if (!results[i].ok) {
      failed.push_back(units[i].job.source.string());
    }
  }
  if (failed.empty()) {
    return std::nullopt;
  }
  return failure("compilation failed", with_label(join(failed, ", "), r)).with_details(diagnostics);
}

} // namespace

Result<std::vector<BinaryResult>> build_binaries(const std::vector<BinaryRequest>& requests,
                                                 const BuildTools& tools,
                                                 const BuildProgressFn& progress) {
  Reporter report(progress);
  Diagnostics diag;
  std::vector<bool> cxx;
  for (const BinaryRequest& r : requests) {
    auto is_cxx = check_sources(r.sources);
    cxx.push_back(diag.check(is_cxx) && (*is_cxx || r.cxx_runtime));
  }
  SP_TRY(diag.status());
  auto sysroots = SP_TRY(ready_sysroots(requests, cxx, tools, report));
  if (tools.inputs) {
    tools.inputs->add(tools.compiler.clang);
    tools.inputs->add(tools.compiler.resource_dir / "include");
    for (const auto& [name, sysroot] : sysroots) {
      log_sysroot(*tools.inputs, sysroot, tools.search);
    }
  }
  sweep_stale(temp_root(), "scratchpack-objs"); // what killed builds left
  TempDir objdir("scratchpack-objs");
  std::vector<Unit> units = plan_units(requests, sysroots, objdir.path());
  auto compiled = SP_TRY(compile_all(units, requests, tools, report));

  std::vector<BinaryResult> results(requests.size());
  std::vector<std::vector<fs::path>> objects(requests.size());
  for (size_t i = 0; i < units.size(); ++i) {
    BinaryResult& r = results[units[i].request];
    (compiled[i].cached ? r.compile_hits : r.compiled) += 1;
    r.diagnostics += compiled[i].diagnostics;
    objects[units[i].request].push_back(units[i].job.object);
    r.object_sources[units[i].job.object.string()] = units[i].job.source;
  }
  size_t linked = 0;
  for (size_t ri = 0; ri < requests.size(); ++ri) {
    const BinaryRequest& r = requests[ri];
    if ((results[ri].error = compile_error(ri, r, units, compiled))) {
      results[ri].diagnostics.clear(); // they are the error's details
      continue;
    }
    Status s = link_one(r, sysroots.at(r.target.name()), cxx[ri], objects[ri], tools, results[ri]);
    if (!s) {
      results[ri].error = s.take_error();
    }
    report("link", ++linked, requests.size(), r.output.string());
  }
  return results;
}

namespace {

/// One strip: the cache first, then llvm-objcopy (and into the cache when it worked).
Result<StripResult> strip_one(const StripRequest& r, const BuildTools& tools) {
  AtomicPath out(r.binary);
  StripResult result;
  result.argv = strip_command(tools.compiler.objcopy, r.binary, out.temp());
  std::string key;
  if (tools.cache && !r.sha256.empty()) {
    // The recipe: the tool, its LLVM's version and its flags (the file names left out).
    std::vector<std::string> flags(result.argv.begin() + 1, result.argv.end() - 2);
    key = tools.cache->strip_key(r.sha256, tools.compiler.objcopy.string() + " " +
                                               tools.compiler.version + " " + join(flags, " "));
    if (auto sha = tools.cache->fetch_stripped(key, out.temp())) {
      result.sha256 = *sha;
      result.cached = true;
    }
  }
  if (!result.cached) {
    auto ran = SP_TRY(tools.strip(result.argv));
    if (!ran.ok) {
      return failure("strip failed", r.label.empty() ? r.binary.string() : r.label)
          .with_details(ran.diagnostics);
    }
    result.sha256 = sha256_hex(SP_TRY(read_file(out.temp())));
    if (!key.empty()) {
      // A cache that cannot be written is a slower build, not a failed one.
      (void)tools.cache->store_stripped(key, out.temp(), result.sha256);
    }
  }
  SP_TRY(out.commit());
  result.argv.pop_back(); // without the temporary: llvm-objcopy then strips in place
  return result;
}

} // namespace

Result<std::vector<StripResult>> strip_binaries(const std::vector<StripRequest>& requests,
                                                const BuildTools& tools) {
  std::vector<Result<StripResult>> results(requests.size(), StripResult{});
  parallel_for(requests.size(), tools.jobs,
               [&](size_t i) { results[i] = strip_one(requests[i], tools); });
  Diagnostics diag;
  std::vector<StripResult> out;
  for (Result<StripResult>& r : results) {
    if (diag.check(r)) {
      out.push_back(std::move(*r));
    }
  }
  SP_TRY(diag.status());
  return out;
}

std::optional<Error> build_error(const std::vector<BinaryResult>& results) {
  Diagnostics diag;
  for (const BinaryResult& r : results) {
    if (r.error) {
      diag.add(*r.error);
    }
  }
  if (diag.empty()) {
    return std::nullopt;
  }
  return diag.to_error();
}

} // namespace sp::toolchain
