// The catalogue of finding codes: one place that fixes each code's default severity and its fix,
// so messages stay consistent and docs/scan.md can be checked against it by a test.
#pragma once

#include "toolchain/scan/scanner.h"

#include <string>
#include <string_view>
#include <vector>

namespace sp::scan {

/// One finding code with its default severity (before --strict) and the default hint.
struct CodeInfo {
  std::string_view code;
  Severity severity;
  std::string_view hint;
};

/// Raised whenever the words of a finding change, so that a cached scan (the build cache keys
/// scans on the catalogue and this) is not shown with an older message.
inline constexpr int k_message_revision = 2;

/// Every code the scanner can emit, in documentation order.
const std::vector<CodeInfo>& finding_catalog();

/// A finding for `code` (which must be in the catalogue) with the catalogue's severity, raised
/// from warning to error under options.strict, and the catalogue's hint unless `hint` is given.
Finding make_finding(std::string_view code, std::string message, const ScanOptions& options,
                     std::string hint = {});

} // namespace sp::scan
