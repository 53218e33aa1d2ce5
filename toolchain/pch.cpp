#include "toolchain/pch.h"

#include <algorithm>
#include <iterator>

namespace sp::toolchain {

namespace {

constexpr std::string_view k_std_headers[] = {
    "algorithm",
    "any",
    "array",
    "atomic",
    "barrier",
    "bit",
    "bitset",
    "cassert",
    "cctype",
    "cerrno",
    "cfenv",
    "cfloat",
    "charconv",
    "chrono",
    "cinttypes",
    "climits",
    "clocale",
    "cmath",
    "codecvt",
    "compare",
    "complex",
    "concepts",
    "condition_variable",
    "coroutine",
    "csetjmp",
    "csignal",
    "cstdarg",
    "cstddef",
    "cstdint",
    "cstdio",
    "cstdlib",
    "cstring",
    "ctime",
    "cuchar",
    "cwchar",
    "cwctype",
    "deque",
    "exception",
    "execution",
    "expected",
    "filesystem",
    "flat_map",
    "flat_set",
    "format",
    "forward_list",
    "fstream",
    "functional",
    "future",
    "generator",
    "initializer_list",
    "iomanip",
    "ios",
    "iosfwd",
    "iostream",
    "istream",
    "iterator",
    "latch",
    "limits",
    "list",
    "locale",
    "map",
    "mdspan",
    "memory",
    "memory_resource",
    "mutex",
    "new",
    "numbers",
    "numeric",
    "optional",
    "ostream",
    "print",
    "queue",
    "random",
    "ranges",
    "ratio",
    "regex",
    "scoped_allocator",
    "semaphore",
    "set",
    "shared_mutex",
    "source_location",
    "span",
    "spanstream",
    "sstream",
    "stack",
    "stacktrace",
    "stdexcept",
    "stdfloat",
    "stop_token",
    "streambuf",
    "string",
    "string_view",
    "syncstream",
    "system_error",
    "thread",
    "tuple",
    "type_traits",
    "typeindex",
    "typeinfo",
    "unordered_map",
    "unordered_set",
    "utility",
    "valarray",
    "variant",
    "vector",
    "version",
    "strstream",
    "cstdbool",
    "ctgmath",
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

/// `line` without its comments; `in_block` carries an open /* … */ across lines.
std::string strip_comments(std::string_view line, bool& in_block) {
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (in_block) {
      if (line.compare(i, 2, "*/") == 0) {
        in_block = false;
        ++i;
        out += ' ';
      }
      continue;
    }
    if (line.compare(i, 2, "/*") == 0) {
      in_block = true;
      ++i;
      continue;
    }
    if (line.compare(i, 2, "//") == 0) {
      break;
    }
    out += line[i];
  }
  return out;
}

} // namespace

bool is_std_header(std::string_view name) {
  return std::find(std::begin(k_std_headers), std::end(k_std_headers), name) !=
         std::end(k_std_headers);
}

std::vector<std::string> std_preamble(std::string_view source) {
  if (source.substr(0, 3) == "\xEF\xBB\xBF") {
    source.remove_prefix(3);
  }
  std::vector<std::string> headers;
  bool in_block = false;
  while (!source.empty()) {
    size_t end = source.find('\n');
    std::string_view raw = source.substr(0, end);
    source.remove_prefix(end == std::string_view::npos ? source.size() : end + 1);
    if (!raw.empty() && raw.back() == '\\') {
      break; // a continued line: not worth understanding here
    }
    std::string code = strip_comments(raw, in_block);
    std::string_view line = trim(code);
    if (line.empty()) {
      continue;
    }
    if (line.front() != '#') {
      break;
    }
    line = trim(line.substr(1));
    bool include =
        line.substr(0, 7) == "include" && line.size() > 7 && (is_space(line[7]) || line[7] == '<');
    if (!include) {
      break;
    }
    line = trim(line.substr(7));
    size_t close = line.find('>');
    if (line.empty() || line.front() != '<' || close == std::string_view::npos ||
        !trim(line.substr(close + 1)).empty()) {
      break;
    }
    std::string_view name = line.substr(1, close - 1);
    if (!is_std_header(name)) {
      break;
    }
    headers.emplace_back(name);
  }
  return headers;
}

std::string preamble_text(const std::vector<std::string>& headers) {
  std::string text;
  for (const std::string& h : headers) {
    text += "#include <" + h + ">\n";
  }
  return text;
}

} // namespace sp::toolchain
