// The `scan` recipe: files and directories go to the scanner as they are; image archives and
// OCI layouts are read back (as hostile input, within packager::ReadLimits) and each platform's
// merged filesystem is scanned against that platform, with the entrypoint rules of its config.
// ELF files of an image are read back from the reader's private spool file, never held whole.
#pragma once

#include "packager/read_limits.h"
#include "toolchain/scan/scanner.h"
#include "util/fs.h"
#include "util/result.h"

#include <string>
#include <vector>

namespace sp::pipeline {

/// True for an OCI layout directory (oci-layout or index.json) or a tar archive (ustar magic).
bool looks_like_image(const fs::path& path);

/// Scans every platform image in the archive or layout at `path` (only options.platform's when
/// set; an image without it is an error). Paths show as `PATH[PLATFORM]:/file`.
Result<scan::ScanReport> scan_image(const fs::path& path, const scan::ScanOptions& options,
                                    const packager::ReadLimits& limits = {});

/// Scans files, directories and images together into one report.
Result<scan::ScanReport> scan_any(const std::vector<std::string>& paths,
                                  const scan::ScanOptions& options,
                                  const packager::ReadLimits& limits = {});

} // namespace sp::pipeline
