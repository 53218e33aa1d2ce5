#include "cli/diagnostics.h"

#include "util/diagnostics.h"

#include <cstdlib>
#include <ostream>
#include <unistd.h>

namespace sp::cli {

std::string paint(std::string_view text, Color color, bool enabled) {
  if (!enabled || color == Color::none) {
    return std::string(text);
  }
  const char* code = "";
  switch (color) {
  case Color::red:
    code = "\x1b[1;31m";
    break;
  case Color::yellow:
    code = "\x1b[1;33m";
    break;
  case Color::green:
    code = "\x1b[1;32m";
    break;
  case Color::cyan:
    code = "\x1b[1;36m";
    break;
  case Color::bold:
    code = "\x1b[1m";
    break;
  case Color::dim:
    code = "\x1b[2m";
    break;
  case Color::none:
    break;
  }
  return std::string(code) + std::string(text) + "\x1b[0m";
}

int print_error(Io& io, const Error& e) {
  ErrorStyle style;
  style.error_label = [&io](std::string_view l) { return paint(l, Color::red, io.color_err); };
  style.hint_label = [&io](std::string_view l) { return paint(l, Color::cyan, io.color_err); };
  io.err << render(e, style);
  io.err.flush();
  return e.exit_code();
}

void print_warning(Io& io, std::string_view text) {
  io.err << paint("warning:", Color::yellow, io.color_err) << ' ' << text << '\n';
}

void print_note(Io& io, std::string_view text) {
  io.err << paint("note:", Color::bold, io.color_err) << ' ' << text << '\n';
}

bool color_enabled(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) {
    return false;
  }
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") {
    return false;
  }
  return ::isatty(fd) == 1;
}

} // namespace sp::cli
