// The --json documents. Each command prints one on stdout under a schema of its own
// (docs/build.schema.json, package, push, scan, report.schema.json for release): `schema` first,
// `error` last — null when the command exits 0, else one error object — and between them what
// the command made, also when a later step failed (the binaries a build linked before its push
// was refused). The error is rendered on stderr as well, as without --json.
#pragma once

#include "cli/cli.h"
#include "util/result.h"

#include <nlohmann/json.hpp>

namespace sp::cli {

using Json = nlohmann::ordered_json;

/// {"what","why","hint","exit_code","location","details","problems"}: the error as render()
/// shows it. `hint`, `location` ({"file","line","column"}) and `details` (a compiler's output)
/// are null when absent; `problems` lists every problem of a pass (each with what, why, hint,
/// location), empty for a single error.
Json error_json(const Error& error);

/// Prints `doc` on stdout (2-space indent) with its `error` key set: null, or error_json(*error)
/// after the error is printed on stderr. Returns the exit code (0 without an error).
int print_json(Io& io, Json doc, const Error* error);

/// The document's text: 2-space indent, bytes that are not UTF-8 replaced with U+FFFD.
std::string dump_json(const Json& doc);

} // namespace sp::cli
