// `scratchpack scan PATH... [--platform P] [--json] [--strict] [--max-…]`: proves that files,
// directories and images (archives, OCI layouts, read within the --max-… limits) hold nothing
// dynamic. Renders the scanner's report like a linter: a header per file with problems, one line
// per finding, each distinct hint once, a summary. Exit 0 clean, 1 errors found, 2 usage or I/O.
#include "cli/commands.h"
#include "cli/diagnostics.h"
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
    v = {false, false, true, false, false};
  } else {
    v.show_all_files = full;
    v.show_infos = full;
  }
  render_scan_report(io.out, io.color_out, report, v);
}

int run_scan(const ScanFlags& flags, Io& io) {
  scan::ScanOptions options;
  options.strict = flags.strict;
  options.jobs = flags.jobs;
  if (!flags.platform.empty()) {
    Result<Platform> platform = parse_platform(flags.platform);
    if (!platform) {
      return print_error(io, platform.error());
    }
    options.platform = *platform;
  }
  Result<packager::ReadLimits> limits = to_read_limits(flags.limits);
  if (!limits) {
    return print_error(io, limits.error());
  }
  auto report = pipeline::scan_any(flags.paths, options, *limits);
  if (!report) {
    return print_error(io, report.error());
  }
  if (flags.json) {
    io.out << scan::to_json(*report);
  } else {
    render_human(*report, flags, io);
  }
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
  cmd->add_flag("--json", flags->json, "Print the report as JSON (schema in docs/scan.md)");
  cmd->add_flag("--strict", flags->strict, "Treat warnings (glibc static traps…) as errors");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only errors, no hints or summary");
  cmd->add_flag("-v,--verbose", flags->verbose, "Also show clean files and informational facts");
  cmd->add_option("-j,--jobs", flags->jobs,
                  "Files scanned in parallel (default 1; 0 = one per CPU)");
  add_limit_flags(cmd, flags->limits, LimitScope::scan);
  cmd->callback([flags, &io, &rc] { rc = run_scan(*flags, io); });
}

} // namespace sp::cli
