// `scratchpack scan` on images: an archive .tar or an OCI layout directory is read with the
// packager's reader, each platform's merged filesystem is extracted, and the scanner checks it
// against that platform, with the image's entrypoint rules. The scanner and the packager meet
// here, in cli/, as DESIGN.md wants.
#pragma once

#include "toolchain/scan/scanner.h"
#include "util/fs.h"
#include "util/result.h"

namespace sp::cli {

/// True for a tar archive (ustar magic) or a directory holding an OCI layout or index.json.
bool looks_like_image(const fs::path& path);

/// Scans every platform image in `path` (or only options.platform's when set). Files are shown as
/// "<path>[<platform>]:/file".
Result<scan::ScanReport> scan_image(const fs::path& path, const scan::ScanOptions& options);

} // namespace sp::cli
