#include "util/strings.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace sp {

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.emplace_back(text.substr(start));
      return parts;
    }
    parts.emplace_back(text.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string> path_components(std::string_view path) {
  std::vector<std::string> out;
  for (std::string& c : split(path, '/')) {
    if (!c.empty() && c != ".") {
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

std::string_view trim(std::string_view text) {
  const char* ws = " \t\n\v\f\r"; // what std::isspace calls space in the C locale
  size_t b = text.find_first_not_of(ws);
  if (b == std::string_view::npos) {
    return {};
  }
  size_t e = text.find_last_not_of(ws);
  return text.substr(b, e - b + 1);
}

std::string shell_quote(std::string_view arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_./=:,+@%") == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string tail_lines(const std::string& text, size_t count) {
  size_t pos = text.size();
  while (count-- > 0 && pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    pos = nl == std::string::npos ? 0 : nl;
  }
  return text.substr(pos == 0 ? 0 : pos + 1);
}

std::string backslash_quoted(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + quote;
}

std::vector<std::string> split_words(std::string_view text, bool backslash_escapes) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (backslash_escapes && c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) {
        out.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) {
    out.push_back(std::move(word));
  }
  return out;
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i) {
      out += ' ';
    }
    out += shell_quote(argv[i]);
  }
  return out;
}

std::string to_hex(const unsigned char* data, size_t size) {
  static const char* k_digits = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = k_digits[data[i] >> 4];
    out[2 * i + 1] = k_digits[data[i] & 15];
  }
  return out;
}

bool parse_uint(std::string_view text, unsigned long long& out) {
  if (text.empty()) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so the common
// "entrypiont" typo is one edit away from "entrypoint".
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

} // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  // A third of the word's length, at least 1 and at most 3 edits: close enough to be a typo,
  // far enough that "env" does not suggest "user".
  size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    // Replacing every character is not a typo: "b" does not suggest "a".
    if (distance < best_distance && distance < word.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = closest_match(word, candidates);
  if (best.empty()) {
    return {};
  }
  return "; did you mean '" + best + "'?";
}

std::string format_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

Result<uint64_t> parse_size(std::string_view text) {
  std::string_view t = trim(text);
  uint64_t scale = 1;
  if (!t.empty()) {
    switch (t.back()) {
    case 'k':
    case 'K':
      scale = 1u << 10;
      break;
    case 'm':
    case 'M':
      scale = 1u << 20;
      break;
    case 'g':
    case 'G':
      scale = 1u << 30;
      break;
    default:
      break;
    }
    if (scale != 1) {
      t.remove_suffix(1);
    }
  }
  unsigned long long n = 0;
  if (!parse_uint(t, n) || n > (UINT64_MAX / scale)) {
    return usage_error("size '" + std::string(text) + "'",
                       "expects a number of bytes, optionally with K, M or G");
  }
  return static_cast<uint64_t>(n) * scale;
}

} // namespace sp
