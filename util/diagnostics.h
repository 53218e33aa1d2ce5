// One way to report problems: passes that can find several (flag checks, manifest and release
// planning, image validation, the scan gate, a build's links) add each to a Diagnostics as they
// go, then stop when the pass is done; the collected problems travel as one Error whose
// `problems` the CLI prints one by one. render() is the one place an Error becomes text.
#pragma once

#include "util/result.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sp {

/// "12:7", the short form used inside messages ("first at 12:7").
std::string to_string(Mark mark);

/// Collects problems while a pass goes on, so one run reports all of them.
class Diagnostics {
public:
  /// `file` is where error_at() locates problems (a manifest, a Dockerfile); may be empty.
  explicit Diagnostics(std::string file = {}) : m_file(std::move(file)) {}

  /// Records a problem; a bundle (an Error with problems and no summary) is flattened.
  void add(Error error);
  /// Records a problem at `mark` of the file: `FILE:LINE:COL: error: what: why` (what may be
  /// empty). Located problems are failures (exit 1) unless `kind` says otherwise.
  void error_at(Mark mark, std::string what, std::string why, ErrorKind kind = ErrorKind::failure);
  /// Records `r`'s error when it failed; returns whether it succeeded.
  template <class T> bool check(const Result<T>& r) {
    if (!r) {
      add(r.error());
    }
    return r.ok();
  }

  bool empty() const { return m_errors.empty(); }
  size_t count() const { return m_errors.size(); }
  const std::vector<Error>& errors() const { return m_errors; }

  /// Orders the problems by file position (unknown marks count as 1:1); equal positions keep
  /// the order they were found in.
  void sort_by_position();

  /// Every problem in one Error. With a `what`, a summary line follows them ("FILE: 3 problems
  /// found"); without, only the problems are printed. The kind is `kind` when given, else
  /// failure when any problem is a failure, else usage_or_io. A single problem and no summary
  /// gives that problem itself.
  Error to_error(std::string what = {}, std::string why = {}) const;
  Error to_error(std::string what, std::string why, ErrorKind kind) const;
  /// One problem: itself. Several: every problem and the summary `WHAT: N problems found`.
  Error summarise(const std::string& what) const;
  /// Success when nothing was recorded; otherwise to_error().
  Status status() const;

private:
  std::string m_file;
  std::vector<Error> m_errors;
};

/// Sentences about one subject as one Error: one gives `error: WHAT: SENTENCE`; several give a
/// line each and a summary `error: WHAT: N problems found`. Success when there are none.
Status problems_status(const std::string& what, const std::vector<std::string>& sentences,
                       ErrorKind kind = ErrorKind::failure);

/// "N problem(s) found".
std::string count_problems(size_t n);

/// How render() marks its labels: the CLI paints them, files and tests keep them plain.
struct ErrorStyle {
  std::function<std::string(std::string_view)> error_label; ///< gets "error:"
  std::function<std::string(std::string_view)> hint_label;  ///< gets "hint:"
};

/// The text of an Error: each problem (recursively), the details verbatim, then
/// `[FILE:LINE:COL: ]error: WHAT: WHY` and `hint: HINT` lines. Every line ends with '\n'.
std::string render(const Error& error, const ErrorStyle& style = {});
/// render() of the error's problems alone (no details or summary line): what tests compare.
std::string render_problems(const Error& error);

} // namespace sp
