// `scratchpack release [MANIFEST | -f MANIFEST] [--out DIR] [-j N] [--distribute[=HOSTS]] [--push]
// [--json]`: load the
// manifest → plan (pipeline/release: every problem reported) → run → print dist/'s files, or
// report.json with --json. Progress as every command shows it (cli/events.h event_view).
#include "cli/attached.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/distribute_flags.h"
#include "cli/events.h"
#include "cli/json_output.h"
#include "cli/push_flags.h"
#include "pipeline/caches.h"
#include "pipeline/release.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

constexpr const char* k_schema = "scratchpack.release/v1";

struct ReleaseFlags {
  std::string manifest;      ///< the positional MANIFEST
  std::string manifest_flag; ///< -f MANIFEST
  std::string out_dir;       ///< empty: the manifest's output.dir
  unsigned jobs = 0;
  bool push = false;
  bool json = false;
  bool no_cache = false;
  bool verbose = false;
  std::vector<std::string> allow_outside;
  PushFlags push_flags;
  DistributeFlags distribute;
};

/// dist/'s files, a line each; with `json` report.json's document followed by `"error": null`
/// (docs/report.schema.json).
void print_summary(Io& io, bool json, const pipeline::ReleasePlan& plan,
                   const pipeline::ReleaseOutcome& outcome) {
  if (json) {
    Json doc = Json::parse(outcome.report);
    doc["error"] = nullptr;
    io.out << dump_json(doc);
    return;
  }
  const fs::path& d = plan.out_dir;
  for (const pipeline::ReleaseBinary& b : plan.binaries) {
    io.out << (d / b.rel_path).string() << '\n';
  }
  for (size_t i = 0; i < plan.images.size(); ++i) {
    const pipeline::ImageOutcome& out = outcome.images[i];
    for (const pipeline::ImageOutputs& o : out.outputs) {
      io.out << (d / o.path.filename()).string() << ' ' << plan.images[i].plan.ref.to_string()
             << '@' << o.digest << " (" << out.images.size()
             << (out.images.size() == 1 ? " platform)" : " platforms)") << '\n';
    }
    if (out.pushed) {
      print_pushed(io.out, *out.pushed);
    }
  }
  io.out << (d / "SHA256SUMS").string() << '\n' << (d / "report.json").string() << '\n';
}

/// MANIFEST or -f MANIFEST (as users type either), else scratchpack.yaml.
Result<std::string> manifest_path(const ReleaseFlags& f) {
  if (!f.manifest.empty() && !f.manifest_flag.empty() && f.manifest != f.manifest_flag) {
    return usage_error("release " + f.manifest + " -f " + f.manifest_flag,
                       "names two manifests; a release reads one",
                       "give it once: 'scratchpack release FILE' or '-f FILE'");
  }
  if (!f.manifest.empty()) {
    return f.manifest;
  }
  return f.manifest_flag.empty() ? std::string("scratchpack.yaml") : f.manifest_flag;
}

/// The plan and how to run it, every problem of the manifest and the flags reported.
Result<std::pair<pipeline::ReleasePlan, std::optional<publish::PushOptions>>>
plan_release(const ReleaseFlags& f, std::istream* in) {
  std::string path = SP_TRY(manifest_path(f));
  manifests::ParseHooks hooks = pipeline::target_hooks();
  for (const std::string& p : f.allow_outside) {
    hooks.allow_outside.push_back(fs::absolute(p));
  }
  auto manifest = SP_TRY(manifests::load_manifest(path, hooks));
  auto plan = SP_TRY(pipeline::plan_release(manifest, f.out_dir));
  std::optional<publish::PushOptions> push;
  // Only the user pushes: output.push in a manifest from a clone must not send anything anywhere.
  if (f.push) {
    push = SP_TRY(to_push_options(f.push_flags, in));
  }
  return std::pair{std::move(plan), std::move(push)};
}

/// Runs the plan into dist/.
Result<pipeline::ReleaseOutcome> release(const ReleaseFlags& f, Io& io) {
  auto [plan, push] = SP_TRY(plan_release(f, io.in));
  TerminalEvents events(io, event_view(f.push_flags.quiet, stderr_is_tty(), f.verbose));
  if (plan.push && !push) {
    events.note("the manifest sets output.push; pushing needs --push on the command line");
  }
  pipeline::Caches caches = pipeline::open_caches(!f.no_cache, events);
  // The manifest's distcc hosts are used only when the command line says --distribute.
  pipeline::DistributeOptions distribute = to_distribute_options(f.distribute);
  distribute.manifest_hosts = plan.distribute_hosts;
  distribute.manifest_where = plan.distribute_where;
  auto tools = SP_TRY(pipeline::build_tools(caches, f.jobs, distribute, &events));
  pipeline::ReleaseRun run{tools, caches.layers.get(), push, {}, {}};
  // --push is release's switch here (build's takes a value).
  run.arguments = recorded_command(io.args, {"--push"}, {"-f", "--file", "--allow-outside"});
  run.manifest = manifest_path(f).value_or("");
  auto outcome = SP_TRY(pipeline::run_release(plan, run, events));
  print_summary(io, f.json, plan, outcome);
  return outcome;
}

int run_release(const ReleaseFlags& f, Io& io) {
  auto outcome = release(f, io);
  if (outcome) {
    return 0;
  }
  if (f.json) {
    // A failed release leaves dist/ as it was: there is nothing made to report.
    return print_json(io, Json{{"schema", k_schema}}, &outcome.error());
  }
  return print_error(io, outcome.error());
}

} // namespace

void register_release(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<ReleaseFlags>();
  CLI::App* cmd = app.add_subcommand(
      "release", "Build every binary x target x image of a scratchpack.yaml into dist/");
  cmd->add_option("manifest", f->manifest, "The manifest (default: scratchpack.yaml)");
  cmd->add_option("-f,--file", f->manifest_flag, "The manifest, as a flag");
  cmd->add_option("--out", f->out_dir, "Output directory (default: the manifest's output.dir)");
  cmd->add_option("-j,--jobs", f->jobs,
                  "Parallel compiles (default: number of cores, plus distcc's remote slots)");
  add_distribute_flags(cmd, f->distribute);
  cmd->add_flag("--push", f->push,
                "Push every image after building it, to the registry and tags its manifest "
                "entry names (a manifest's output.push alone does not). A switch here: the "
                "manifest names every image; build and package take --push REF for their one");
  cmd->add_option("--allow-outside", f->allow_outside,
                  "Let the manifest name this path outside its own directory (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--json", f->json,
                "Print report.json's document on stdout followed by `error` (null, or why the "
                "release failed; docs/report.schema.json)");
  cmd->add_flag("--no-cache", f->no_cache, "Neither read nor write the build cache");
  cmd->add_flag("-v,--verbose", f->verbose,
                "Also show the scan gate's notes (glibc traps that only the C++ runtime reaches)");
  add_push_flags(cmd, f->push_flags, PushFlagsFor::release);
  cmd->callback([f, &io, &rc] { rc = run_release(*f, io); });
}

} // namespace sp::cli
