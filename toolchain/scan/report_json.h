// The scan report as JSON: a stable, documented schema (docs/scan.md, "JSON output") with a fixed
// key order, so the same scan always prints the same bytes.
#pragma once

#include "toolchain/scan/scanner.h"

#include <string>

namespace sp::scan {

/// Schema identifier written as the document's first key; bumped only on incompatible change.
inline constexpr const char* k_json_schema = "scratchpack.scan/v1";

/// The whole report as one JSON document (2-space indent, trailing newline). Bytes that are not
/// valid UTF-8 (names read from a hostile file) are replaced with U+FFFD.
std::string to_json(const ScanReport& report);

} // namespace sp::scan
