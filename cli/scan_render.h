// Human rendering of scan reports, shared by `scratchpack scan` and the build/package scan gate:
// a header per file with problems, one line per finding, each distinct hint once, a summary.
#pragma once

#include "cli/cli.h"
#include "toolchain/scan/scanner.h"

#include <iosfwd>

namespace sp::cli {

/// What the renderer shows: quiet keeps errors only, verbose adds clean files and infos; notes
/// (the gate's demoted traps) are shown with either show_notes or show_infos.
struct ScanView {
  bool show_all_files = false;
  bool show_infos = false;
  bool show_notes = false;
  bool errors_only = false;
  bool hints = true;
  bool summary = true;
};

/// Renders `report` on `os` (colour when `color`).
void render_scan_report(std::ostream& os, bool color, const scan::ScanReport& report,
                        const ScanView& view);

/// "ELF64 x86-64 exec, static, not stripped" — the facts a reader wants next to a path.
std::string describe_file(const scan::FileReport& file);

} // namespace sp::cli
