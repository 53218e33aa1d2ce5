// `scratchpack scan PATH... [--platform P] [--json] [--strict] [--max-…]`: proves that files,
// directories and images (archives, OCI layouts, read within the --max-… limits) hold nothing
// dynamic. Renders the scanner's report like a linter: a header per file with problems, one line
// per finding, each distinct hint once, a summary. Exit 0 clean, 1 errors found, 2 usage or I/O.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/json_output.h"
#include "cli/limit_flags.h"
#include "cli/scan_render.h"
#include "pipeline/scan_image.h"
#include "toolchain/scan/report_json.h"
#include "toolchain/scan/scanner.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

struct ScanFlags {
  std::vector<std::string> paths;
  std::string platform;
  bool json = false;
  bool strict = false;
  bool quiet = false;
  bool verbose = false;
  unsigned jobs = 1;
  LimitFlags limits;
};

void render_human(const scan::ScanReport& report, const ScanFlags& flags, Io& io) {
  // A single file is shown in full even when clean: that is what the user asked about.
  bool single = report.files.size() == 1 && report.skipped == 0;
  bool full = flags.verbose || single;
  ScanView v;
  if (flags.quiet) {
    v.errors_only = true;
    v.hints = false;
    v.summary = false;
  } else {
    v.show_all_files = full;
    v.show_infos = full;
  }
  render_scan_report(io.out, io.color_out, report, v);
}

/// The report over every path, within the --max-… limits and against --platform.
Result<scan::ScanReport> scan_paths(const ScanFlags& flags) {
  scan::ScanOptions options;
  options.strict = flags.strict;
  options.jobs = flags.jobs;
  if (!flags.platform.empty()) {
    options.platform = SP_TRY(parse_platform(flags.platform));
  }
  packager::ReadLimits limits = SP_TRY(to_read_limits(flags.limits));
  return pipeline::scan_any(flags.paths, options, limits);
}

/// The --json document (docs/scan.schema.json): the report with `error` last, which is set when
/// the scan found errors (exit 1) as when it could not run (exit 2, the report's keys left out).
int print_scan_json(Io& io, const Result<scan::ScanReport>& report) {
  if (!report) {
    return print_json(io, Json{{"schema", scan::k_json_schema}}, &report.error());
  }
  Json doc = Json::parse(scan::to_json(*report));
  doc["error"] = nullptr;
  if (size_t n = report->errors(); n > 0) {
    Error found = failure("scan", std::to_string(n) + (n == 1 ? " error" : " errors") + " found");
    doc["error"] = error_json(found);
  }
  io.out << dump_json(doc);
  io.out.flush();
  return report->exit_code();
}

int run_scan(const ScanFlags& flags, Io& io) {
  auto report = scan_paths(flags);
  if (flags.json) {
    return print_scan_json(io, report);
  }
  if (!report) {
    return print_error(io, report.error());
  }
  render_human(*report, flags, io);
  io.out.flush();
  return report->exit_code();
}

} // namespace

void register_scan(CLI::App& app, Io& io, int& rc) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Prove that files and directories hold nothing dynamic (loader, shared libraries, "
              "glibc run-time traps, wrong architecture)");
  cmd->add_option("paths", flags->paths,
                  "Files, directories (recursively), image archives and OCI layouts")
      ->required();
  cmd->add_option("--platform", flags->platform,
                  "Check every ELF against this platform: linux/amd64, linux/arm64, linux/arm/v7");
  cmd->add_flag("--json", flags->json,
                "Print the report as JSON (docs/scan.md, docs/scan.schema.json)");
  cmd->add_flag("--strict", flags->strict, "Treat warnings (glibc static traps…) as errors");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only errors, no hints or summary");
  cmd->add_flag("-v,--verbose", flags->verbose, "Also show clean files and informational facts");
  cmd->add_option("-j,--jobs", flags->jobs,
                  "Files scanned in parallel (default 1; 0 = one per CPU)");
  add_limit_flags(cmd, flags->limits, LimitScope::scan);
  cmd->callback([flags, &io, &rc] { rc = run_scan(*flags, io); });
}

} // namespace sp::cli
