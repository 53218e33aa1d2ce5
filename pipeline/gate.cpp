#include "pipeline/gate.h"

#include "util/diagnostics.h"

namespace sp::pipeline {

Result<std::vector<scan::FileReport>> gate_binaries(const std::vector<GateItem>& items, bool strict,
                                                    toolchain::BuildCache* cache,
                                                    std::string_view consequence, Events& events) {
  scan::ScanReport report;
  report.strict = strict;
  Diagnostics diag;
  for (const GateItem& item : items) {
    scan::ScanOptions opts;
    opts.platform = item.platform;
    opts.strict = strict;
    scan::FileReport f = toolchain::scan_file_cached(item.path, item.sha256, opts, cache);
    f.path = item.shown;
    if (size_t errors = f.count(scan::Severity::error)) {
      diag.add(failure("scan gate", item.shown + " is not fit for a scratch image (" +
                                        std::to_string(errors) +
                                        (errors == 1 ? " error" : " errors") + "); nothing was " +
                                        std::string(consequence)));
    }
    report.files.push_back(std::move(f));
  }
  events.findings(report);
  SP_TRY(diag.status());
  return std::move(report.files);
}

} // namespace sp::pipeline
