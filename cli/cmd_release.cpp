// `scratchpack release [MANIFEST | -f MANIFEST] [--out DIR] [-j N] [--distribute[=HOSTS]] [--push]
// [--json]`: load the
// manifest → plan (pipeline/release: every problem reported) → run → print dist/'s files, or
// report.json with --json. Progress as every command shows it (cli/events.h event_view). First,
// the up-to-date check (pipeline/up_to_date.h): an identical release whose recorded inputs and
// outputs are all unchanged only shows its recorded result again.
#include "cli/attached.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/distribute_flags.h"
#include "cli/events.h"
#include "cli/json_output.h"
#include "cli/push_flags.h"
#include "pipeline/caches.h"
#include "pipeline/release.h"
#include "pipeline/up_to_date.h"
#include "toolchain/scan/report_json.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <sstream>

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

/// Events passed on to the terminal and kept, so that a release found up to date
/// (pipeline/up_to_date.h) shows the same warnings, notes and findings again. Progress is not
/// kept: an up-to-date release has none.
class RecordingEvents final : public pipeline::Events {
public:
  explicit RecordingEvents(pipeline::Events& inner) : m_inner(inner) {}

  void progress(const pipeline::Progress& step) override { m_inner.progress(step); }
  void tool_output(std::string_view text) override {
    std::lock_guard lock(m_mutex);
    m_inner.tool_output(text);
    m_log.push_back({{"kind", "tool_output"}, {"text", text}});
  }
  void findings(const scan::ScanReport& report) override {
    std::lock_guard lock(m_mutex);
    m_inner.findings(report);
    Json files = Json::array();
    for (const scan::FileReport& file : report.files) {
      files.push_back(scan::file_report_to_json(file));
    }
    m_log.push_back({{"kind", "findings"},
                     {"files", files},
                     {"skipped", report.skipped},
                     {"platform", report.platform ? Json(report.platform->to_string()) : Json()},
                     {"strict", report.strict}});
  }
  void note(std::string_view text) override {
    std::lock_guard lock(m_mutex);
    m_inner.note(text);
    m_log.push_back({{"kind", "note"}, {"text", text}});
  }
  void warning(std::string_view text) override {
    std::lock_guard lock(m_mutex);
    m_inner.warning(text);
    m_log.push_back({{"kind", "warning"}, {"text", text}});
  }
  /// Not kept: it says how this run went, not what it made.
  void infrastructure_warning(std::string_view text) override {
    std::lock_guard lock(m_mutex);
    m_inner.warning(text);
  }
  void push(const publish::PushEvent& event) override { m_inner.push(event); }

  const Json& log() const { return m_log; }

  /// Shows a kept log again; false when it cannot be read back (then the release runs).
  static bool replay(const Json& log, pipeline::Events& to) {
    std::vector<std::function<void()>> calls;
    for (const Json& e : log) {
      std::string kind = e.value("kind", "");
      if (kind == "findings") {
        scan::ScanReport report;
        for (const Json& f : e.at("files")) {
          auto file = scan::file_report_from_json(f.get<std::string>());
          if (!file) {
            return false;
          }
          report.files.push_back(std::move(*file));
        }
        report.skipped = e.at("skipped").get<size_t>();
        report.strict = e.at("strict").get<bool>();
        if (e.at("platform").is_string()) {
          auto platform = parse_platform(e.at("platform").get<std::string>());
          if (!platform) {
            return false;
          }
          report.platform = *platform;
        }
        calls.push_back([report = std::move(report), &to] { to.findings(report); });
      } else if (kind == "tool_output" || kind == "note" || kind == "warning") {
        std::string text = e.at("text").get<std::string>();
        if (kind == "tool_output") {
          calls.push_back([text, &to] { to.tool_output(text); });
        } else if (kind == "note") {
          calls.push_back([text, &to] { to.note(text); });
        } else {
          calls.push_back([text, &to] { to.warning(text); });
        }
      } else {
        return false;
      }
    }
    for (const auto& call : calls) {
      call();
    }
    return true;
  }

private:
  pipeline::Events& m_inner;
  Json m_log = Json::array();
  /// Warnings arrive from compile threads too (a remote cache, a build farm).
  std::mutex m_mutex;
};

/// dist/'s files, a line each; with `json` report.json's document followed by `"error": null`
/// (docs/report.schema.json).
void print_summary(std::ostream& os, bool json, const pipeline::ReleasePlan& plan,
                   const pipeline::ReleaseOutcome& outcome) {
  if (json) {
    Json doc = Json::parse(outcome.report);
    doc["error"] = nullptr;
    os << dump_json(doc);
    return;
  }
  const fs::path& d = plan.out_dir;
  for (const pipeline::ReleaseBinary& b : plan.binaries) {
    os << (d / b.rel_path).string() << '\n';
  }
  for (size_t i = 0; i < plan.images.size(); ++i) {
    const pipeline::ImageOutcome& out = outcome.images[i];
    for (const pipeline::ImageOutputs& o : out.outputs) {
      os << (d / o.path.filename()).string() << ' ' << plan.images[i].plan.ref.to_string() << '@'
         << o.digest << " (" << out.images.size()
         << (out.images.size() == 1 ? " platform)" : " platforms)") << '\n';
    }
    if (out.pushed) {
      print_pushed(os, *out.pushed);
    }
  }
  os << (d / "SHA256SUMS").string() << '\n' << (d / "report.json").string() << '\n';
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

/// The plan and how to run it, every problem of the manifest and the flags reported. The
/// directories the manifest's globs read go to `glob_dirs` when given.
Result<std::pair<pipeline::ReleasePlan, std::optional<publish::PushOptions>>>
plan_release(const ReleaseFlags& f, std::istream* in, std::vector<fs::path>* glob_dirs) {
  std::string path = SP_TRY(manifest_path(f));
  manifests::ParseHooks hooks = pipeline::target_hooks();
  for (const std::string& p : f.allow_outside) {
    hooks.allow_outside.push_back(fs::absolute(p));
  }
  if (glob_dirs) {
    hooks.on_glob_dir = [glob_dirs](const fs::path& dir) { glob_dirs->push_back(dir); };
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

/// What an up-to-date check needs: the record's name and the cache it lives in. nullopt when the
/// release must run whatever its record says (--no-cache, --push, no cache or no clang).
struct UpToDate {
  std::unique_ptr<toolchain::BuildCache> cache;
  std::string name;
  fs::path manifest; ///< absolute
};

std::optional<UpToDate> up_to_date_check(const ReleaseFlags& f, const Io& io) {
  if (f.no_cache || f.push) {
    return std::nullopt;
  }
  auto path = manifest_path(f);
  auto compiler = toolchain::find_compiler();
  if (!path || !compiler) {
    return std::nullopt;
  }
  auto cache = toolchain::BuildCache::open(toolchain::BuildCache::default_dir());
  if (!cache) {
    return std::nullopt;
  }
  std::error_code ec;
  pipeline::ReleaseInvocation inv;
  inv.manifest = fs::absolute(*path, ec).lexically_normal();
  inv.cwd = fs::current_path(ec);
  inv.arguments = io.args;
  inv.environment = pipeline::release_environment();
  // Whether stderr is a terminal decides what the recorded run showed.
  inv.environment.emplace_back("stderr is a terminal", stderr_is_tty() ? "yes" : "no");
  inv.tools = pipeline::tool_identity(compiler->clang);
  return UpToDate{std::move(*cache), pipeline::record_name(inv), inv.manifest};
}

/// Shows a recorded release again when its record still holds; false when the release must
/// run.
bool show_recorded(const UpToDate& check, const ReleaseFlags& f, Io& io) {
  auto payload = pipeline::check_release(check.cache->store(), check.name);
  if (!payload) {
    return false;
  }
  Json doc = Json::parse(*payload, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("stdout") ||
      !doc["stdout"].is_string() || !doc.contains("events") || !doc["events"].is_array()) {
    return false;
  }
  {
    TerminalEvents events(io, event_view(f.push_flags.quiet, stderr_is_tty(), f.verbose));
    if (!RecordingEvents::replay(doc["events"], events)) {
      return false;
    }
  }
  io.out << doc["stdout"].get<std::string>();
  return true;
}

/// What a release that finds this one up to date prints: the same, but for --json's cache
/// counts, which say what a run with every compile and link cached would (dist/report.json
/// keeps those of the release that wrote it).
std::string shown_again(const ReleaseFlags& f, const std::string& shown,
                        const pipeline::ReleaseOutcome& outcome) {
  if (!f.json) {
    return shown;
  }
  Json doc = Json::parse(outcome.report);
  const pipeline::CacheCounts& c = outcome.cache;
  doc["cache"] = {{"compiled", 0},
                  {"compile_hits", c.compiled + c.compile_hits},
                  {"linked", 0},
                  {"link_hits", c.linked + c.link_hits}};
  doc["error"] = nullptr;
  return dump_json(doc);
}

/// Runs the plan into dist/ (or shows the recorded result of an identical release whose inputs
/// and outputs are all unchanged).
Status release(const ReleaseFlags& f, Io& io) {
  int64_t started = toolchain::BuildCache::coarse_now_ns();
  std::optional<UpToDate> check = up_to_date_check(f, io);
  if (check && show_recorded(*check, f, io)) {
    return {};
  }
  std::vector<fs::path> glob_dirs;
  auto [plan, push] = SP_TRY(plan_release(f, io.in, &glob_dirs));
  TerminalEvents terminal(io, event_view(f.push_flags.quiet, stderr_is_tty(), f.verbose));
  RecordingEvents events(terminal);
  if (plan.push && !push) {
    events.note("the manifest sets output.push; pushing needs --push on the command line");
  }
  pipeline::Caches caches = pipeline::open_caches(!f.no_cache, events);
  // The manifest's distcc hosts are used only when the command line says --distribute.
  pipeline::DistributeOptions distribute = to_distribute_options(f.distribute);
  distribute.manifest_hosts = plan.distribute_hosts;
  distribute.manifest_where = plan.distribute_where;
  auto tools = SP_TRY(pipeline::build_tools(caches, f.jobs, distribute, &events));
  toolchain::InputLog inputs;
  bool record = check && caches.build && !pipeline::unrecordable(plan);
  pipeline::ReleaseRun run{tools, caches.layers.get(), push, {}, {}, record ? &inputs : nullptr};
  // --push is release's switch here (build's takes a value).
  run.arguments = recorded_command(io.args, {"--push"}, {"-f", "--file", "--allow-outside"});
  run.manifest = manifest_path(f).value_or("");
  auto outcome = SP_TRY(pipeline::run_release(plan, run, events));
  std::ostringstream summary;
  print_summary(summary, f.json, plan, outcome);
  if (record) {
    pipeline::RecordInputs in;
    in.files = inputs.paths();
    in.files.push_back(check->manifest.string());
    for (const fs::path& d : glob_dirs) {
      in.files.push_back(d.lexically_normal().string());
    }
    std::sort(in.files.begin(), in.files.end());
    in.files.erase(std::unique(in.files.begin(), in.files.end()), in.files.end());
    in.probes = inputs.probes();
    in.dist = plan.out_dir;
    in.own_dirs = {plan.out_dir.parent_path()};
    in.started_ns = started;
    in.committed_ns = outcome.committed_ns;
    Json payload = {{"stdout", shown_again(f, summary.str(), outcome)}, {"events", events.log()}};
    auto why = pipeline::record_release(caches.build->store(), check->name, in, payload.dump());
    if (why && f.verbose) {
      terminal.note("the next release cannot skip its work: " + *why);
    }
  }
  io.out << summary.str();
  return {};
}

int run_release(const ReleaseFlags& f, Io& io) {
  Status done = release(f, io);
  if (done) {
    return 0;
  }
  if (f.json) {
    // A failed release leaves dist/ as it was: there is nothing made to report.
    return print_json(io, Json{{"schema", k_schema}}, &done.error());
  }
  return print_error(io, done.error());
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
