// `scratchpack build`: plan_build → find_sysroots → build_binary (per target) → scan_gate →
// build_platform_image (per target) → finish_images (archive or OCI dir, index when several).
#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/image_options.h"
#include "packager/layer_cache.h"
#include "toolchain/build.h"
#include "util/parallel.h"
#include "util/strings.h"

namespace sp::cli {

namespace {

namespace tc = toolchain;

struct BuildFlags {
  std::vector<std::string> sources;
  std::string name;
  std::string target = "x86_64";
  std::string libc;
  std::string profile = "release";
  std::vector<std::string> include_dirs, defines, libs, lib_dirs;
  std::string std;
  unsigned jobs = 0;
  std::string out_dir = "out";
  bool verbose = false;
  bool json = false;
  bool no_cache = false;
  ImageFlags image;
  PushFlags push;
};

/// One target's part of the build.
struct TargetBuild {
  tc::Target target;
  tc::BuildRequest request;
};

/// Everything resolved from the flags before any work starts, so that usage errors come first.
struct BuildPlan {
  std::string name;
  std::vector<TargetBuild> targets;
  ImagePlan image;
};

Result<std::optional<tc::Libc>> libc_flag(const std::string& text) {
  if (text.empty()) {
    return std::optional<tc::Libc>{};
  }
  auto l = tc::parse_libc(text);
  if (!l) {
    return l.take_error();
  }
  return std::optional<tc::Libc>{*l};
}

Result<BuildPlan> plan_build(const BuildFlags& f, bool color) {
  BuildPlan plan;
  auto libc = libc_flag(f.libc);
  if (!libc) {
    return libc.take_error();
  }
  auto targets = tc::parse_targets(f.target, *libc);
  if (!targets) {
    return targets.take_error();
  }
  auto profile = tc::parse_profile(f.profile);
  if (!profile) {
    return profile.take_error();
  }
  plan.name = f.name.empty() ? fs::path(f.sources.front()).stem().string() : f.name;
  if (plan.name.empty() || plan.name.find('/') != std::string::npos || plan.name == "." ||
      plan.name == "..") {
    return usage_error("-o " + plan.name, "the output name must be a plain file name",
                       "use --out DIR to choose the directory");
  }
  auto image = plan_image(f.image, plan.name, {"/" + plan.name});
  if (!image) {
    return image.take_error();
  }
  plan.image = std::move(*image);
  // The size profile asks for the smallest result: its layers get the strongest compression
  // unless a level was given (release and debug keep the fast default).
  if (*profile == tc::Profile::size && f.image.level == 0) {
    plan.image.level = plan.image.compression == packager::Compression::zstd ? 19 : 9;
  }
  for (const tc::Target& t : *targets) {
    tc::BuildRequest r;
    for (const std::string& s : f.sources) {
      r.sources.push_back(fs::path(s).lexically_normal());
    }
    r.target = t;
    r.compile.profile = *profile;
    r.compile.std = f.std;
    r.compile.include_dirs = f.include_dirs;
    r.compile.defines = f.defines;
    r.compile.prefix_map_from = fs::current_path();
    r.compile.color_diagnostics = color;
    r.lib_dirs = f.lib_dirs;
    r.libs = f.libs;
    r.jobs = f.jobs ? f.jobs : default_jobs();
    // One target: out/NAME. Several: out/<target>/NAME, as release lays out dist/.
    r.output = targets->size() == 1 ? fs::path(f.out_dir) / plan.name
                                    : fs::path(f.out_dir) / t.name() / plan.name;
    plan.targets.push_back({t, std::move(r)});
  }
  return plan;
}

/// Finds every target's sysroot before compiling anything, so a missing one fails fast.
Result<std::vector<tc::Sysroot>> find_sysroots(const BuildPlan& plan) {
  std::vector<tc::Sysroot> sysroots;
  for (const TargetBuild& t : plan.targets) {
    auto s = tc::find_sysroot(t.target);
    if (!s) {
      return s.take_error();
    }
    sysroots.push_back(std::move(*s));
  }
  return sysroots;
}

/// The scan gate on a freshly linked binary: errors stop the build before anything is packaged.
bool scan_gate(Io& io, const tc::BuildOutput& built, const tc::Target& target, bool strict,
               tc::BuildCache* cache) {
  const fs::path& binary = built.binary;
  scan::ScanOptions opts;
  opts.platform = target.platform();
  opts.strict = strict;
  scan::ScanReport report;
  report.files.push_back(tc::scan_file_cached(binary, built.sha256, opts, cache));
  print_gate_findings(io, report);
  if (size_t errors = report.errors()) {
    print_error(io, failure("scan gate", binary.string() + " is not fit for a scratch image (" +
                                             std::to_string(errors) +
                                             (errors == 1 ? " error" : " errors") +
                                             "); nothing was packaged"));
    return false;
  }
  return true;
}

} // namespace

std::unique_ptr<toolchain::BuildCache> open_build_cache(Io& io) {
  auto cache = toolchain::BuildCache::open(toolchain::BuildCache::default_dir());
  if (!cache) {
    // Without a cache the build is slower, not wrong.
    print_warning(io, "build cache disabled: " + cache.error().what + ": " + cache.error().why);
    return nullptr;
  }
  return std::move(*cache);
}

std::unique_ptr<packager::LayerCache> open_layer_cache(Io& io) {
  auto cache = packager::LayerCache::open(cache_dir() / "layers");
  if (!cache) {
    print_warning(io, "layer cache disabled: " + cache.error().what + ": " + cache.error().why);
    return nullptr;
  }
  return std::make_unique<packager::LayerCache>(std::move(*cache));
}

namespace {

int run_build(const BuildFlags& f, Io& io) {
  auto plan = plan_build(f, io.color_err);
  if (!plan) {
    return print_error(io, plan.error());
  }
  auto compiler = tc::find_compiler();
  if (!compiler) {
    return print_error(io, compiler.error());
  }
  auto sysroots = find_sysroots(*plan);
  if (!sysroots) {
    return print_error(io, sysroots.error());
  }
  std::unique_ptr<tc::BuildCache> cache = f.no_cache ? nullptr : open_build_cache(io);
  std::vector<fs::path> binaries;
  std::vector<std::string> hashes;
  for (size_t i = 0; i < plan->targets.size(); ++i) {
    TargetBuild& t = plan->targets[i];
    t.request.cache = cache.get();
    t.request.progress = [&io](const std::string& line) {
      io.err << paint("==>", Color::cyan, io.color_err) << ' ' << line << '\n';
      io.err.flush();
    };
    auto built = tc::build_binary(*compiler, (*sysroots)[i], t.request);
    if (!built) {
      return print_error(io, built.error());
    }
    io.err << built->diagnostics;
    if (f.verbose) {
      print_note(io, "link: " + shell_join(built->link_argv));
    }
    if (!plan->image.no_scan &&
        !scan_gate(io, *built, t.target, plan->image.strict, cache.get())) {
      return 1;
    }
    binaries.push_back(built->binary);
    hashes.push_back(built->sha256);
  }
  if (plan->image.format == ImageFormat::none && f.push.ref.empty()) {
    return publish_images(io, plan->image, {}, nullptr, f.out_dir, plan->name, f.push, f.json,
                          binaries);
  }

  std::unique_ptr<packager::LayerCache> layer_cache = f.no_cache ? nullptr : open_layer_cache(io);
  plan->image.layer_cache = layer_cache.get();
  auto staging = open_staging(f.out_dir);
  if (!staging) {
    return print_error(io, staging.error());
  }
  const packager::BlobStore* store = &staging->store;
  std::vector<packager::Image> images;
  for (size_t i = 0; i < plan->targets.size(); ++i) {
    PlatformInput input;
    input.platform = plan->targets[i].target.platform();
    input.files.push_back({binaries[i], "/" + plan->name, 0755, true, hashes[i]});
    GateResult gate;
    auto image = build_platform_image(plan->image, input, *store, gate);
    print_gate_findings(io, gate.report);
    if (!image) {
      return print_error(io, image.error());
    }
    images.push_back(std::move(*image));
  }
  return publish_images(io, plan->image, images, store, f.out_dir, plan->name, f.push, f.json,
                        binaries);
}

} // namespace

void register_build(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<BuildFlags>();
  CLI::App* cmd = app.add_subcommand(
      "build", "Compile C/C++ sources into a fully static executable and a scratch image");
  cmd->add_option("sources", f->sources, "C (.c) and C++ (.cc/.cpp/.cxx) sources")->required();
  cmd->add_option("-o,--name", f->name, "Output name (default: the first source's stem)");
  cmd->add_option("--target", f->target,
                  "x86_64, aarch64 or armv7 (optionally -glibc/-musl, or a triple); "
                  "several, comma-separated, make a multi-platform image")
      ->capture_default_str();
  cmd->add_option("--libc", f->libc, "glibc or musl (default glibc)");
  cmd->add_option("--profile", f->profile, "debug (-O0 -g), release (-O2) or size (-Os, stripped)")
      ->capture_default_str();
  cmd->add_option("-I", f->include_dirs, "Add an include directory")->allow_extra_args(false);
  cmd->add_option("-D", f->defines, "Define a macro: N or N=V")->allow_extra_args(false);
  cmd->add_option("-l", f->libs, "Link a static library libLIB.a")->allow_extra_args(false);
  cmd->add_option("-L", f->lib_dirs, "Search DIR for -l libraries")->allow_extra_args(false);
  cmd->add_option("--std", f->std, "Language standard, e.g. c++20 or c17");
  cmd->add_option("-j,--jobs", f->jobs, "Parallel compiles (default: number of cores)");
  cmd->add_option("--out", f->out_dir, "Output directory")->capture_default_str();
  cmd->add_flag("-v,--verbose", f->verbose, "Show the link line");
  cmd->add_flag("--no-cache", f->no_cache, "Neither read nor write the build cache");
  cmd->add_flag("--json", f->json, "Print one JSON document (binaries, image, push) on stdout");
  add_image_flags(cmd, f->image);
  add_push_flags(cmd, f->push, /*with_push_ref=*/true);
  cmd->callback([f, &io, &rc] { rc = run_build(*f, io); });
}

} // namespace sp::cli
