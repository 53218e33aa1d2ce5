#include "manifests/diagnostics.h"

#include <algorithm>

namespace sp::manifests {

std::string to_string(Mark mark) {
  return std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

std::string format_diagnostic(const fs::path& file, Mark mark, std::string_view key_path,
                              std::string_view message) {
  Mark shown = mark.known() ? mark : Mark{1, 1};
  std::string line = file.string() + ":" + to_string(shown) + ": error: ";
  if (!key_path.empty()) {
    line += key_path;
    line += ": ";
  }
  line += message;
  return line;
}

void Diagnostics::error(Mark mark, std::string key_path, std::string message) {
  m_problems.push_back(Problem{mark, std::move(key_path), std::move(message)});
}

std::vector<Problem> Diagnostics::sorted() const {
  // Defaults (line 0) sort with the document start, like format_diagnostic shows them; equal
  // positions keep the order they were found in.
  std::vector<std::pair<Mark, size_t>> order;
  for (size_t i = 0; i < m_problems.size(); ++i) {
    Mark mark = m_problems[i].mark;
    order.emplace_back(mark.known() ? mark : Mark{1, 1}, i);
  }
  std::sort(order.begin(), order.end());
  std::vector<Problem> out;
  for (const auto& [mark, index] : order) {
    out.push_back(m_problems[index]);
  }
  return out;
}

std::string Diagnostics::render(const fs::path& file) const {
  std::string out;
  for (const Problem& p : sorted()) {
    out += format_diagnostic(file, p.mark, p.key_path, p.message);
    out += '\n';
  }
  return out;
}

namespace {

bool is_plain_key(std::string_view key) {
  if (key.empty()) {
    return false;
  }
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

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

std::string child_path(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (is_plain_key(key)) {
    if (!out.empty()) {
      out += '.';
    }
    out += key;
    return out;
  }
  out += "[\"";
  out += key;
  out += "\"]";
  return out;
}

std::string index_path(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

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

} // namespace sp::manifests
