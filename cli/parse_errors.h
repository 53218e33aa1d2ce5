// CLI11's parse errors in scratchpack's words: `error: --taget: unknown flag` with
// `hint: did you mean --target?`, one line per unknown flag, instead of CLI11's raw messages.
#pragma once

#include "util/result.h"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
class ParseError;
} // namespace CLI

namespace sp::cli {

/// The usage error (exit 2) for a failed parse of `app`'s arguments: every unknown flag with
/// the closest known one, a repeated single-value flag named, a flag without its value; other
/// CLI11 messages as they are. The hint names the selected command's --help.
Error parse_error(const CLI::ParseError& e, const CLI::App& app);

/// "scratchpack.build/v1" when `args` ask a command that prints a --json document (build,
/// package, push, release, scan) for one, so that its parse error is printed as that document.
std::optional<std::string> json_schema_asked(const std::vector<std::string>& args);

} // namespace sp::cli
