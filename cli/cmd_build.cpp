// `scratchpack build`: check every flag → build the binaries (pipeline/build: every target in one
// engine run, then the scan gate) → one image per target → write, load, push (pipeline/image,
// pipeline/push), all staged inside --out and moved into place at the end → print what was made.
#include "cli/attached.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/distribute_flags.h"
#include "cli/events.h"
#include "cli/image_flags.h"
#include "cli/json_output.h"
#include "cli/published.h"
#include "cli/push_flags.h"
#include "pipeline/build.h"
#include "pipeline/caches.h"
#include "pipeline/push.h"
#include "toolchain/version.h"
#include "util/diagnostics.h"
#include "util/lang_std.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

/// Options of build that do not change what is made, besides those every command shares
/// (recorded_command): provenance leaves them out, so that `verify` runs the build again with its
/// own output directory and nothing pushed or loaded.
const std::vector<std::string> k_not_recorded = {"--push", "--load", "--format"};
/// Options of build that take a value as the next argument.
const std::vector<std::string> k_takes_value = {"--push",
                                                "--format",
                                                "-o",
                                                "--name",
                                                "--target",
                                                "--platform",
                                                "--libc",
                                                "--profile",
                                                "-I",
                                                "-D",
                                                "-l",
                                                "-L",
                                                "--pkg",
                                                "--std",
                                                "--c-std",
                                                "--cxx-std",
                                                "--cmake",
                                                "--cmake-target",
                                                "--image",
                                                "--tag",
                                                "--cmd",
                                                "--entrypoint",
                                                "--env",
                                                "--user",
                                                "--workdir",
                                                "--expose",
                                                "--label",
                                                "--annotation",
                                                "--stop-signal",
                                                "--add",
                                                "--compression",
                                                "--compression-level"};

constexpr const char* k_schema = "scratchpack.build/v1";

struct BuildFlags {
  std::vector<std::string> sources;
  std::string name;
  std::string target = "x86_64";
  std::string libc;
  std::string profile = "release";
  std::vector<std::string> include_dirs, defines, libs, lib_dirs;
  std::vector<std::string> pkgs; ///< --pkg: pkg-config modules of the target's libraries
  std::string std, c_std, cxx_std;
  unsigned jobs = 0;
  std::string out_dir = "out";
  std::string cmake_dir;
  std::vector<std::string> cmake_targets;
  bool verbose = false;
  bool json = false;
  bool no_cache = false;
  ImageFlags image;
  PushFlags push;
  DistributeFlags distribute;
};

/// Everything resolved from the flags before any work starts, so that usage errors come first.
struct BuildPlan {
  pipeline::BuildInput input;
  pipeline::ImagePlan image;
  std::optional<pipeline::PushTarget> push;
};

/// The output name: -o, else the first source's stem (for --cmake: the first --cmake-target,
/// else the project's one executable, known once it is configured); a plain file name.
Result<std::string> output_name(const BuildFlags& f) {
  if (!f.cmake_dir.empty() && f.name.empty()) {
    return f.cmake_targets.empty() ? std::string() : f.cmake_targets.front();
  }
  if (f.sources.empty() && f.name.empty()) {
    return usage_error("sources", "none given",
                       "name C/C++ sources, or a project with --cmake DIR");
  }
  std::string name = f.name.empty() ? fs::path(f.sources.front()).stem().string() : f.name;
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return usage_error("-o " + name, "the output name must be a plain file name",
                       "use --out DIR to choose the directory");
  }
  return name;
}

/// --std (for the language its standard is of), --c-std and --cxx-std, checked before anything
/// is compiled: every problem is reported, each naming its flag.
void plan_standards(const BuildFlags& f, toolchain::CompileOptions& compile, Diagnostics& diag) {
  struct Flag {
    std::string_view name;
    const std::string& value;
    std::optional<Language> only;
  };
  std::map<Language, std::string> set_by;
  for (const Flag& flag :
       {Flag{"--std", f.std, std::nullopt}, Flag{"--c-std", f.c_std, Language::c},
        Flag{"--cxx-std", f.cxx_std, Language::cxx}}) {
    if (flag.value.empty()) {
      continue;
    }
    std::string what = std::string(flag.name) + " " + flag.value;
    auto found = find_language_standard(flag.value, what);
    if (!diag.check(found)) {
      continue;
    }
    Language language = found->language;
    std::string noun = language == Language::c ? "C" : "C++";
    if (flag.only && *flag.only != language) {
      diag.add(usage_error(what, "a " + noun + " standard, for " + noun + " sources",
                           language == Language::c ? "give it with --c-std or --std"
                                                   : "give it with --cxx-std or --std"));
      continue;
    }
    auto [first, inserted] = set_by.emplace(language, what);
    if (!inserted) {
      diag.add(usage_error(what, "the " + noun + " standard is already set by " + first->second,
                           "give one"));
      continue;
    }
    (language == Language::c ? compile.c_std : compile.cxx_std) = flag.value;
  }
}

/// --cmake DIR: the project says how to compile; -D values are its cache options.
void plan_cmake(const BuildFlags& f, pipeline::BuildInput& in, Diagnostics& diag) {
  if (!f.sources.empty()) {
    diag.add(usage_error("--cmake " + f.cmake_dir, "takes no sources: the project names them",
                         "drop " + f.sources.front()));
  }
  for (const auto& [flag, values] :
       {std::pair<const char*, const std::vector<std::string>*>{"-I", &f.include_dirs},
        {"-l", &f.libs},
        {"-L", &f.lib_dirs}}) {
    if (!values->empty()) {
      diag.add(usage_error(std::string(flag) + values->front(),
                           "with --cmake the project's CMakeLists.txt says how to compile and link",
                           "set it there, or pass a cache variable with -DVAR=VALUE"));
    }
  }
  for (const std::string& std_flag : {f.std, f.c_std, f.cxx_std}) {
    if (!std_flag.empty()) {
      diag.add(usage_error("--std " + std_flag, "with --cmake the project sets the standard",
                           "pass -DCMAKE_CXX_STANDARD=… or -DCMAKE_C_STANDARD=…"));
    }
  }
  pipeline::CMakeSource src;
  src.dir = fs::path(f.cmake_dir).lexically_normal();
  src.targets = f.cmake_targets;
  for (const std::string& d : f.defines) {
    if (d.find('=') == std::string::npos) {
      diag.add(usage_error("-D" + d, "with --cmake, -D sets a CMake cache variable: VAR=VALUE"));
      continue;
    }
    src.options.push_back(d);
  }
  in.cmake = std::move(src);
}

/// --target (or --platform), --libc, --profile, -o and the compile options.
void plan_input(const BuildFlags& f, bool color, pipeline::BuildInput& in, Diagnostics& diag) {
  std::optional<Libc> libc;
  if (!f.libc.empty()) {
    auto l = parse_named<Libc>(f.libc);
    libc = diag.check(l) ? std::optional<Libc>(*l) : std::nullopt;
  }
  if (auto targets = parse_targets(f.target, libc); diag.check(targets)) {
    in.targets = *targets;
  }
  if (auto profile = parse_named<Profile>(f.profile); diag.check(profile)) {
    in.compile.profile = *profile;
  }
  if (auto name = output_name(f); diag.check(name)) {
    in.name = *name;
  }
  if (!f.cmake_dir.empty()) {
    plan_cmake(f, in, diag);
    in.out_dir = f.out_dir;
    return;
  }
  for (const std::string& s : f.sources) {
    in.sources.push_back(fs::path(s).lexically_normal());
  }
  plan_standards(f, in.compile, diag);
  in.compile.include_dirs = f.include_dirs;
  in.compile.defines = f.defines;
  in.compile.prefix_map_from = fs::current_path();
  in.compile.color_diagnostics = color;
  in.lib_dirs = f.lib_dirs;
  in.libs = f.libs;
  in.pkgs = f.pkgs;
  in.out_dir = f.out_dir;
}

/// The image of the binary NAME: its entrypoint /NAME, and the compression of the profile.
void plan_image_of(const BuildFlags& f, const std::string& name, BuildPlan& plan,
                   Diagnostics& diag) {
  if (auto image = plan_image(f.image, f.push.ref, name, {"/" + name}); diag.check(image)) {
    plan.image = std::move(*image);
    diag.check(check_flag_program(f.image, plan.image.config));
  }
  // The size profile asks for the smallest result: its layers get the strongest compression
  // unless a level was given (release and debug keep the fast default).
  if (plan.image.level == 0) {
    plan.image.level = compression_level_for(plan.input.compile.profile, plan.image.compression);
  }
}

Result<BuildPlan> plan_build(const BuildFlags& f, const Io& io) {
  BuildPlan plan;
  Diagnostics diag;
  plan_input(f, io.color_err, plan.input, diag);
  std::string name = plan.input.name.empty() ? "image" : plan.input.name;
  plan_image_of(f, name, plan, diag);
  if (!f.push.ref.empty()) {
    // plan_image() checked REF as the image's name; deliver() pushes under that name and tags.
    if (auto options = to_push_options(f.push, io.in); diag.check(options)) {
      plan.push = pipeline::PushTarget{f.push.ref, std::move(*options)};
    }
  }
  SP_TRY(diag.status());
  plan.input.scan = !plan.image.no_scan;
  plan.input.strict = plan.image.strict;
  return plan;
}

/// What the image's SBOMs and provenance are made of: each binary's bill of materials, and the
/// command line without what does not change the image (output places, pushing, verbosity).
/// None when a binary has no SBOM (a CMake project's).
std::optional<pipeline::SupplyChain> supply_chain(const std::vector<pipeline::BuiltBinary>& built,
                                                  const std::vector<std::string>& args,
                                                  const std::string& push_ref) {
  pipeline::SupplyChain supply;
  std::vector<const bom::Binary*> boms;
  for (const pipeline::BuiltBinary& b : built) {
    if (!b.sbom) {
      return std::nullopt;
    }
    std::string platform = b.target.platform().to_string();
    if (supply.platforms.empty() || supply.platforms.back().platform != platform) {
      supply.platforms.emplace_back().platform = platform;
    }
    supply.platforms.back().binaries.push_back({b.sbom->bom, "/" + b.name, b.sha256});
    boms.push_back(&b.sbom->bom);
  }
  std::vector<std::string> recorded = recorded_command(args, k_not_recorded, k_takes_value);
  // --push REF also names the image (its annotations say REF): a rebuild without the push names
  // it the same way with --image REF.
  if (!push_ref.empty() &&
      std::find(recorded.begin(), recorded.end(), "--image") == recorded.end()) {
    recorded.insert(recorded.end(), {"--image", push_ref});
  }
  supply.provenance =
      pipeline::provenance_record(packager::k_build_type_build, std::move(recorded), {}, boms);
  return supply;
}

/// The built binaries into one image per target, written (into the stage, then moved into
/// place) and pushed; `out` gets each result as it is made.
Status package_binaries(const BuildPlan& plan, const pipeline::Caches& caches,
                        pipeline::Staging& staging, pipeline::Events& events, Published& out,
                        const std::vector<std::string>& io_args) {
  // One image per target, holding every binary built for it (a CMake project may give several).
  std::vector<pipeline::PlatformInput> inputs;
  for (const pipeline::BuiltBinary& b : out.binaries) {
    if (inputs.empty() || inputs.back().platform != b.target.platform()) {
      inputs.emplace_back().platform = b.target.platform();
    }
    inputs.back().files.push_back({b.staged, "/" + b.name, 0755, true, b.sha256});
  }
  if (plan.image.format == pipeline::ImageFormat::none && !plan.push) {
    return {};
  }
  pipeline::ImagePlan image = plan.image;
  image.layer_cache = caches.layers.get();
  image.build_cache = caches.build.get();
  image.supply = supply_chain(out.binaries, io_args, plan.push ? plan.push->ref : std::string());
  out.images = SP_TRY(pipeline::build_images(image, inputs, staging.store, events));
  return pipeline::deliver(image, out.images, staging, plan.input.name, plan.push, events,
                           out.delivered);
}

/// Binaries, gate, image into a stage of --out that is moved into place only when every step
/// worked (a failed build changes nothing there), then the push; `out` gets each result as it
/// is made, so that a failed push still reports the binaries and the image written before it.
Status build(const BuildFlags& f, BuildPlan& plan, Io& io, Published& out) {
  TerminalEvents events(io, event_view(f.push.quiet, stderr_is_tty(), f.verbose));
  pipeline::Caches caches = pipeline::open_caches(!f.no_cache, events);
  auto tools =
      SP_TRY(pipeline::build_tools(caches, f.jobs, to_distribute_options(f.distribute), &events));
  auto staging = SP_TRY(pipeline::open_staging(plan.input.out_dir));
  out.binaries = SP_TRY(pipeline::build_binaries(plan.input, *staging.outputs, tools, events));
  if (plan.input.name.empty() && !out.binaries.empty()) {
    // --cmake without a name: the project's one executable names the image and its entrypoint.
    plan.input.name = out.binaries.front().name;
    Diagnostics diag;
    plan_image_of(f, plan.input.name, plan, diag);
    SP_TRY(diag.status());
  }
  for (const pipeline::BuiltBinary& b : out.binaries) {
    if (f.verbose) {
      print_note(io, "link: " + shell_join(b.link_argv));
    }
    if (f.verbose && !b.strip_argv.empty()) {
      print_note(io, "strip: " + shell_join(b.strip_argv));
    }
  }
  SP_TRY(package_binaries(plan, caches, staging, events, out, io.args));
  return staging.outputs->commit(); // with --format none, the binaries alone
}

int run_build(const BuildFlags& f, Io& io) {
  auto plan = plan_build(f, io);
  if (!plan) {
    return print_outcome(io, f.json, k_schema, {}, {}, &plan.error());
  }
  Published published;
  published.profile = plan->input.compile.profile;
  Status built = build(f, *plan, io, published);
  return print_outcome(io, f.json, k_schema, plan->image, published,
                       built ? nullptr : &built.error());
}

} // namespace

void register_build(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<BuildFlags>();
  CLI::App* cmd = app.add_subcommand(
      "build", "Compile C/C++ sources into a fully static executable and a scratch image");
  cmd->add_option("sources", f->sources, "C (.c) and C++ (.cc/.cpp/.cxx) sources");
  cmd->add_option("--cmake", f->cmake_dir,
                  "Build a CMake project instead of sources: its executables, configured with "
                  "scratchpack's toolchain in OUT/.cmake-build/TARGET (-D sets its cache "
                  "variables)");
  cmd->add_option("--cmake-target", f->cmake_targets,
                  "An executable target of the --cmake project to package (repeatable; default: "
                  "its only one)")
      ->allow_extra_args(false);
  cmd->add_option("-o,--name", f->name, "Output name (default: the first source's stem)");
  cmd->add_option(
         "--target,--platform", f->target,
         "x86_64, aarch64, armv7 or riscv64 (optionally -glibc/-musl), a triple, or an OCI "
         "platform (linux/arm64); several, comma-separated, make a multi-platform image")
      ->capture_default_str();
  cmd->add_option("--libc", f->libc, "glibc or musl (default glibc)");
  cmd->add_option("--profile", f->profile, "debug (-O0 -g), release (-O2) or size (-Os, stripped)")
      ->capture_default_str();
  cmd->add_option("-I", f->include_dirs, "Add an include directory")->allow_extra_args(false);
  cmd->add_option("-D", f->defines, "Define a macro: N or N=V")->allow_extra_args(false);
  cmd->add_option("-l", f->libs, "Link a static library libLIB.a")->allow_extra_args(false);
  cmd->add_option("-L", f->lib_dirs, "Search DIR for -l libraries")->allow_extra_args(false);
  cmd->add_option("--pkg", f->pkgs,
                  "Use a pkg-config module of the target's libraries (sysroot add), e.g. zlib; "
                  "repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--std", f->std,
                  "Language standard of the sources of its language, e.g. c++20 (C++) or c17 (C)");
  cmd->add_option("--c-std", f->c_std, "Language standard of the C sources, e.g. c17");
  cmd->add_option("--cxx-std", f->cxx_std, "Language standard of the C++ sources, e.g. c++20");
  cmd->add_option("-j,--jobs", f->jobs,
                  "Parallel compiles (default: number of cores, plus distcc's remote slots)");
  add_distribute_flags(cmd, f->distribute);
  cmd->add_option("--out", f->out_dir, "Output directory")->capture_default_str();
  cmd->add_flag("-v,--verbose", f->verbose,
                "Show the link and strip lines, and the scan gate's notes (glibc traps that only "
                "the C++ runtime reaches)");
  cmd->add_flag("--no-cache", f->no_cache, "Neither read nor write the build cache");
  cmd->add_flag(
      "--json", f->json,
      "Print one JSON document on stdout (docs/build.schema.json): binaries, image, push, "
      "error");
  add_image_flags(cmd, f->image);
  add_push_flags(cmd, f->push, PushFlagsFor::image);
  cmd->callback([f, &io, &rc] { rc = run_build(*f, io); });
}

} // namespace sp::cli
