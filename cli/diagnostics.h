// Rendering of errors, warnings and notes: `error: <what>: <why>` then `hint: <hint>`.
#pragma once

#include "cli/cli.h"
#include "util/result.h"

#include <string_view>

namespace sp::cli {

enum class Color { none, red, yellow, green, cyan, bold, dim };

/// `text` wrapped in the ANSI colour when `enabled`, else unchanged.
std::string paint(std::string_view text, Color color, bool enabled);

/// Prints the error on io.err as util's render() lays it out (every problem, the details, then
/// `error: <what>: <why>` and `hint: <hint>`), labels painted when colour is on. Returns the
/// error's exit code so callers can `return print_error(io, e);`.
int print_error(Io& io, const Error& e);
void print_warning(Io& io, std::string_view text);
void print_note(Io& io, std::string_view text);

/// True when the stream's fd is a terminal and NO_COLOR is not set.
bool color_enabled(int fd);

} // namespace sp::cli
