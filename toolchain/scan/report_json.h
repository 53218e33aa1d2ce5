// The scan report as JSON: a stable, documented schema (docs/scan.md, "JSON output") with a fixed
// key order, so the same scan always prints the same bytes.
#pragma once

#include "toolchain/scan/scanner.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace sp::scan {

/// Schema identifier written as the document's first key; bumped only on incompatible change.
inline constexpr const char* k_json_schema = "scratchpack.scan/v1";

/// The whole report as one JSON document (2-space indent, trailing newline). Bytes that are not
/// valid UTF-8 (names read from a hostile file) are replaced with U+FFFD.
std::string to_json(const ScanReport& report);

/// The gate's verdict on one file, as release's report.json records it: {"errors", "warnings",
/// "findings": [{"code", "severity", "message"}]} with infos left out (notes stay: a trap only
/// the toolchain's runtime reaches is recorded, with severity "note").
nlohmann::ordered_json verdict_json(const FileReport& file);

/// One file's report as a compact JSON object (the "files" entries of to_json), and back; the
/// build cache keeps scans of unchanged binaries this way. nullopt for text it did not write.
std::string file_report_to_json(const FileReport& file);
std::optional<FileReport> file_report_from_json(std::string_view text);

} // namespace sp::scan
