// `scratchpack build`: resolve_target → find_sysroot → compile → link_static → scan → package.
#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/diagnostics.h"
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
  std::string format = "none";
  bool verbose = false;
};

/// Everything resolved from the flags before any work starts, so that usage errors come first.
struct BuildPlan {
  tc::Target target;
  tc::Sysroot sysroot;
  tc::Compiler compiler;
  tc::BuildRequest request;
  std::string name;
};

Result<BuildPlan> plan_build(const BuildFlags& f, bool color) {
  BuildPlan plan;
  std::optional<tc::Libc> libc;
  if (!f.libc.empty()) {
    auto l = tc::parse_libc(f.libc);
    if (!l) {
      return l.take_error();
    }
    libc = *l;
  }
  auto target = tc::parse_target(f.target, libc);
  if (!target) {
    return target.take_error();
  }
  plan.target = *target;
  auto profile = tc::parse_profile(f.profile);
  if (!profile) {
    return profile.take_error();
  }
  if (f.format != "none") {
    return usage_error("--format " + f.format, "only 'none' is available in this build");
  }
  plan.name = f.name.empty() ? fs::path(f.sources.front()).stem().string() : f.name;
  if (plan.name.empty() || plan.name.find('/') != std::string::npos || plan.name == "." ||
      plan.name == "..") {
    return usage_error("-o " + plan.name, "the output name must be a plain file name",
                       "use --out DIR to choose the directory");
  }
  tc::BuildRequest& r = plan.request;
  for (const std::string& s : f.sources) {
    r.sources.push_back(fs::path(s).lexically_normal());
  }
  r.target = plan.target;
  r.compile.profile = *profile;
  r.compile.std = f.std;
  r.compile.include_dirs = f.include_dirs;
  r.compile.defines = f.defines;
  r.compile.prefix_map_from = fs::current_path();
  r.compile.color_diagnostics = color;
  r.lib_dirs = f.lib_dirs;
  r.libs = f.libs;
  r.jobs = f.jobs ? f.jobs : default_jobs();
  r.output = fs::path(f.out_dir) / plan.name;
  return plan;
}

int run_build(const BuildFlags& f, Io& io) {
  auto plan = plan_build(f, io.color_err);
  if (!plan) {
    return print_error(io, plan.error());
  }
  auto compiler = tc::find_compiler();
  if (!compiler) {
    return print_error(io, compiler.error());
  }
  auto sysroot = tc::find_sysroot(plan->target);
  if (!sysroot) {
    return print_error(io, sysroot.error());
  }
  auto built = tc::build_binary(*compiler, *sysroot, plan->request);
  if (!built) {
    return print_error(io, built.error());
  }
  if (!built->diagnostics.empty()) {
    io.err << built->diagnostics;
  }
  if (f.verbose) {
    print_note(io, "link: " + shell_join(built->link_argv));
  }
  io.out << built->binary.string() << '\n';
  return 0;
}

} // namespace

void register_build(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<BuildFlags>();
  CLI::App* cmd = app.add_subcommand(
      "build", "Compile C/C++ sources into a fully static executable (and a scratch image)");
  cmd->add_option("sources", f->sources, "C (.c) and C++ (.cc/.cpp/.cxx) sources")->required();
  cmd->add_option("-o,--name", f->name, "Output name (default: the first source's stem)");
  cmd->add_option("--target", f->target,
                  "x86_64, aarch64 or armv7, optionally -glibc/-musl, or a triple")
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
  cmd->add_option("--format", f->format, "Image format: none")->capture_default_str();
  cmd->add_flag("-v,--verbose", f->verbose, "Show the link line");
  cmd->callback([f, &io, &rc] { rc = run_build(*f, io); });
}

} // namespace sp::cli
