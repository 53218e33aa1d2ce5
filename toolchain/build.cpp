#include "toolchain/build.h"

#include "toolchain/libcxx.h"
#include "toolchain/pch.h"
#include "util/parallel.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace sp::toolchain {

Result<bool> check_sources(const std::vector<fs::path>& sources) {
  if (sources.empty()) {
    return usage_error("build", "no source files given");
  }
  bool any_cxx = false;
  for (const fs::path& src : sources) {
    auto lang = language_of(src);
    if (!lang) {
      return lang.take_error();
    }
    std::error_code ec;
    if (!fs::is_regular_file(src, ec)) {
      return io_error(src.string(), fs::exists(src, ec) ? "not a regular file" : "no such file");
    }
    any_cxx = any_cxx || *lang == Language::cxx;
  }
  return any_cxx;
}

std::optional<Error> cxx_support_error(const Target& target, const Sysroot& sysroot) {
  if (sysroot.has_cxx()) {
    return std::nullopt;
  }
  // On musl, ensure_cxx_runtime (libcxx.h) builds libc++ instead of failing here.
  std::string why = target.libc == Libc::musl ? "libc++ is not built for it yet"
                                              : "the sysroot has no libstdc++.a";
  return failure("cannot build C++ for " + target.name(), why,
                 "run '" + install_command(target) + "'");
}

namespace {

/// The precompiled standard-library preamble for `unit` (pch.h), or empty when none applies: not
/// C++, a profile with debug info, no leading standard includes, or the first time this preamble
/// and these flags are met (a single compile would not repay building it). One builder per
/// preamble at a time in this process; when building it fails, the compile reads the headers.
fs::path precompiled_preamble(const Compiler& compiler, const CompileUnit& unit,
                              BuildCache& cache) {
  if (unit.job.language != Language::cxx || unit.options->profile == Profile::debug) {
    return {};
  }
  auto text = read_file(unit.job.source);
  std::vector<std::string> headers = text ? std_preamble(*text) : std::vector<std::string>();
  if (headers.empty()) {
    return {};
  }
  auto header = cache.pch_source(preamble_text(headers));
  if (!header) {
    return {};
  }
  TempDir tmp("pch", cache.dir() / "tmp");
  CompileJob job;
  job.source = *header;
  job.language = Language::cxx;
  job.precompile = true;
  job.object = tmp.path() / "preamble.pch";
  job.depfile = tmp.path() / "preamble.d";
  const fs::path& build_dir = unit.options->prefix_map_from;
  std::vector<std::string> argv =
      compile_command(compiler, unit.sysroot->target, *unit.sysroot, *unit.options, job);
  auto key = cache.compile_key(argv, job.source, build_dir, compiler.identity);
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
  auto out = run_compile(argv);
  if (!out || !out->ok) {
    return {};
  }
  auto stored = cache.store_pch(*key, job.object, job.depfile, job.source, build_dir, started);
  return stored && *stored ? **stored : fs::path();
}

/// One unit: the cache first, then clang (and into the cache when it worked).
Result<UnitResult> compile_one(const Compiler& compiler, const CompileUnit& unit,
                               BuildCache* cache) {
  std::vector<std::string> argv = compile_command(compiler, unit.sysroot->target, *unit.sysroot,
                                                  *unit.options, unit.job);
  const fs::path& build_dir = unit.options->prefix_map_from;
  UnitResult result;
  std::string key;
  if (cache) {
    auto k = cache->compile_key(argv, unit.job.source, build_dir, compiler.identity);
    if (!k) {
      return k.take_error();
    }
    key = *k;
    if (cache->fetch_object(key, unit.job.object, build_dir)) {
      result.ok = result.cached = true;
      return result;
    }
  }
  // The object is the same with or without the preamble (pch.h), so the key leaves it out.
  CompileJob with_pch = unit.job;
  with_pch.pch = cache ? precompiled_preamble(compiler, unit, *cache) : fs::path();
  int64_t started = cache ? BuildCache::coarse_now_ns() : 0;
  auto out = run_compile(with_pch.pch.empty() ? argv
                                              : compile_command(compiler, unit.sysroot->target,
                                                                *unit.sysroot, *unit.options,
                                                                with_pch));
  if (out && !out->ok && !with_pch.pch.empty() &&
      out->diagnostics.find("precompiled header") != std::string::npos) {
    // A header changed after the preamble was checked: compile without it.
    out = run_compile(argv);
  }
  if (!out) {
    return out.take_error();
  }
  result.ok = out->ok;
  result.diagnostics = std::move(out->diagnostics);
  if (cache && result.ok && !unit.job.depfile.empty()) {
    // A cache that cannot be written is a slower build, not a failed one.
    (void)cache->store_object(key, unit.job.object, unit.job.depfile, unit.job.source, build_dir,
                              started);
  }
  return result;
}

} // namespace

Result<std::vector<UnitResult>> compile_units(const Compiler& compiler,
                                              const std::vector<CompileUnit>& units, unsigned jobs,
                                              BuildCache* cache,
                                              const std::function<void(size_t)>& on_done) {
  std::vector<Result<UnitResult>> results(units.size(), UnitResult{});
  parallel_for(units.size(), jobs, [&](size_t i) {
    results[i] = compile_one(compiler, units[i], cache);
    if (on_done) {
      on_done(i);
    }
  });
  std::vector<UnitResult> out;
  for (Result<UnitResult>& r : results) {
    if (!r) {
      return r.take_error();
    }
    out.push_back(std::move(*r));
  }
  return out;
}

std::optional<Error> compile_error(const std::vector<CompileUnit>& units,
                                   const std::vector<UnitResult>& results) {
  std::vector<std::string> failed;
  std::string diagnostics;
  for (size_t i = 0; i < units.size(); ++i) {
    diagnostics += results[i].diagnostics;
    if (!results[i].ok) {
      failed.push_back(units[i].job.source.string());
    }
  }
  if (failed.empty()) {
    return std::nullopt;
  }
  Error e = failure("compilation failed", join(failed, ", "));
  e.details = diagnostics;
  return e;
}

Result<LinkResult> link_binary(const Target& target, const Sysroot& sysroot, LinkOptions options,
                               const fs::path& output, BuildCache* cache) {
  fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  if (Status s = make_dirs(dir); !s) {
    return s.take_error();
  }
  AtomicPath binary(output);
  options.output = binary.temp();
  LinkResult result;
  result.argv = link_line(target, sysroot, options);
  std::string key;
  if (cache) {
    key = cache->link_key(result.argv, binary.temp().string(), options.lib_dirs);
    if (auto sha = cache->fetch_binary(key, binary.temp())) {
      result.cached = true;
      result.sha256 = *sha;
    }
  }
  if (!result.cached) {
    auto linked = run_link(result.argv);
    if (!linked) {
      return linked.take_error();
    }
    if (!linked->ok) {
      Error e = failure("link failed", output.filename().string());
      e.details = linked->diagnostics;
      return e;
    }
    result.diagnostics = std::move(linked->diagnostics);
    auto data = read_file(binary.temp());
    if (!data) {
      return data.take_error();
    }
    result.sha256 = sha256_hex(*data);
    if (cache) {
      (void)cache->store_binary(key, binary.temp(), result.sha256);
    }
  }
  if (Status s = binary.commit(); !s) {
    return s.take_error();
  }
  // The link line names the temporary; show the final name to whoever prints it.
  for (std::string& arg : result.argv) {
    if (arg == binary.temp().string()) {
      arg = output.string();
    }
  }
  return result;
}

Result<BuildOutput> build_binary(const Compiler& compiler, const Sysroot& given,
                                 const BuildRequest& request) {
  auto cxx = check_sources(request.sources);
  if (!cxx) {
    return cxx.take_error();
  }
  // C++ needs the sysroot's C++ library; on musl, libc++ is built on first use (libcxx.h).
  auto ready = *cxx ? ensure_cxx_runtime(given, request.progress) : Result<Sysroot>(given);
  if (!ready) {
    return ready.take_error();
  }
  const Sysroot& sysroot = *ready;
  BuildOutput out;
  TempDir objdir("scratchpack-objs");
  std::vector<CompileUnit> units;
  for (size_t i = 0; i < request.sources.size(); ++i) {
    CompileUnit u;
    u.sysroot = &sysroot;
    u.options = &request.compile;
    u.job.source = request.sources[i];
    std::string stem = std::to_string(i) + "-" + request.sources[i].stem().string();
    u.job.object = objdir.path() / (stem + ".o");
    u.job.depfile = objdir.path() / (stem + ".d");
    u.job.language = *language_of(request.sources[i]);
    units.push_back(std::move(u));
  }
  auto results = compile_units(compiler, units, request.jobs, request.cache);
  if (!results) {
    return results.take_error();
  }
  if (auto e = compile_error(units, *results)) {
    return *e;
  }
  LinkOptions link;
  for (size_t i = 0; i < units.size(); ++i) {
    out.diagnostics += (*results)[i].diagnostics;
    out.compiled += (*results)[i].cached ? 0 : 1;
    link.objects.push_back(units[i].job.object);
  }
  link.lib_dirs = request.lib_dirs;
  link.libs = request.libs;
  link.cxx = *cxx;
  link.profile = request.compile.profile;
  auto linked = link_binary(request.target, sysroot, link, request.output, request.cache);
  if (!linked) {
    return linked.take_error();
  }
  out.diagnostics += linked->diagnostics;
  out.link_argv = std::move(linked->argv);
  out.link_cached = linked->cached;
  out.sha256 = linked->sha256;
  out.binary = request.output;
  return out;
}

} // namespace sp::toolchain
