// Problems found in a manifest, collected rather than thrown: a manifest with five mistakes gets
// five messages, each `FILE:LINE:COL: error: KEY.PATH: message`, sorted by position.
#pragma once

#include "util/fs.h"

#include <compare>
#include <string>
#include <string_view>
#include <vector>

namespace sp::manifests {

/// A 1-based position in the manifest. Line 0 means "not written in the file" (a default value).
struct Mark {
  int line = 0;   ///< 1-based line; 0 when the value is a default
  int column = 0; ///< 1-based column

  /// True when the value was written in the file.
  bool known() const { return line > 0; }
  auto operator<=>(const Mark&) const = default;
};

/// "12:7", the short form used inside messages ("first at 12:7").
std::string to_string(Mark mark);

/// One line gcc style: `FILE:LINE:COL: error: KEY.PATH: message`. The path part is left out when
/// `key_path` is empty; an unknown mark prints as 1:1 so every line keeps the same shape.
std::string format_diagnostic(const fs::path& file, Mark mark, std::string_view key_path,
                              std::string_view message);

/// One problem: where, which key, what is wrong.
struct Problem {
  Mark mark;            ///< where the offending node starts
  std::string key_path; ///< "images[0].binaries[1]"; empty for the document itself
  std::string message;  ///< "unknown binary 'helo'; did you mean 'hello'?"
};

/// Collects problems while parsing goes on, so one run reports all of them.
class Diagnostics {
public:
  /// Records a problem; parsing continues.
  void error(Mark mark, std::string key_path, std::string message);
  bool empty() const { return m_problems.empty(); }
  size_t count() const { return m_problems.size(); }
  /// The problems in position order (stable for equal positions).
  std::vector<Problem> sorted() const;
  /// Every problem formatted with format_diagnostic(), one per line, in position order.
  std::string render(const fs::path& file) const;

private:
  std::vector<Problem> m_problems;
};

/// `parent.key`, or `parent["key"]` when the key has characters that would make the path
/// ambiguous ("labels[\"org.opencontainers.image.source\"]").
std::string child_path(std::string_view parent, std::string_view key);
/// `parent[index]`.
std::string index_path(std::string_view parent, size_t index);

/// The candidate closest to `word` by edit distance (a transposition counts once), or empty when
/// none is close enough to be a likely typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" when a candidate is close, else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

} // namespace sp::manifests
