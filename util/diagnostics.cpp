#include "util/diagnostics.h"

#include <algorithm>

namespace sp {

std::string to_string(Mark mark) {
  return std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

void Diagnostics::add(Error error) {
  bool bundle = error.what.empty() && error.why.empty() && error.details.empty();
  if (bundle && !error.problems.empty()) {
    for (Error& p : error.problems) {
      add(std::move(p));
    }
    return;
  }
  m_errors.push_back(std::move(error));
}

void Diagnostics::error_at(Mark mark, std::string what, std::string why, ErrorKind kind) {
  Error e;
  e.what = std::move(what);
  e.why = std::move(why);
  e.kind = kind;
  e.where = Location{m_file, mark};
  m_errors.push_back(std::move(e));
}

void Diagnostics::sort_by_position() {
  // Sorting (position, index) pairs keeps equal positions in the order they were found.
  std::vector<std::pair<Mark, size_t>> order;
  for (size_t i = 0; i < m_errors.size(); ++i) {
    Mark m = m_errors[i].where.mark;
    order.emplace_back(m.known() ? m : Mark{1, 1}, i);
  }
  std::sort(order.begin(), order.end());
  std::vector<Error> sorted;
  for (const auto& [mark, index] : order) {
    sorted.push_back(std::move(m_errors[index]));
  }
  m_errors = std::move(sorted);
}

Error Diagnostics::to_error(std::string what, std::string why) const {
  bool any_failure = std::any_of(m_errors.begin(), m_errors.end(),
                                 [](const Error& e) { return e.kind == ErrorKind::failure; });
  return to_error(std::move(what), std::move(why),
                  any_failure ? ErrorKind::failure : ErrorKind::usage_or_io);
}

Error Diagnostics::to_error(std::string what, std::string why, ErrorKind kind) const {
  if (what.empty() && why.empty() && m_errors.size() == 1) {
    return m_errors.front();
  }
  Error e;
  e.what = std::move(what);
  e.why = std::move(why);
  e.kind = kind;
  e.problems = m_errors;
  return e;
}

Error Diagnostics::summarise(const std::string& what) const {
  return count() == 1 ? to_error() : to_error(what, count_problems(count()));
}

Status Diagnostics::status() const {
  if (m_errors.empty()) {
    return {};
  }
  return to_error();
}

Status problems_status(const std::string& what, const std::vector<std::string>& sentences,
                       ErrorKind kind) {
  if (sentences.empty()) {
    return {};
  }
  Diagnostics diag;
  for (const std::string& s : sentences) {
    Error e = failure(what, s);
    e.kind = kind;
    diag.add(std::move(e));
  }
  return diag.summarise(what);
}

std::string count_problems(size_t n) {
  return std::to_string(n) + (n == 1 ? " problem" : " problems") + " found";
}

namespace {

std::string label(const std::function<std::string(std::string_view)>& paint,
                  std::string_view text) {
  return paint ? paint(text) : std::string(text);
}

} // namespace

std::string render(const Error& e, const ErrorStyle& style) {
  std::string out;
  for (const Error& p : e.problems) {
    out += render(p, style);
  }
  if (!e.details.empty()) {
    out += e.details;
    if (out.back() != '\n') {
      out += '\n';
    }
  }
  if (e.what.empty() && e.why.empty()) {
    return out;
  }
  if (e.where.known()) {
    Mark shown = e.where.mark.known() ? e.where.mark : Mark{1, 1};
    out += e.where.file + ":" + to_string(shown) + ": ";
  }
  out += label(style.error_label, "error:") + " ";
  out += e.what;
  if (!e.what.empty() && !e.why.empty()) {
    out += ": ";
  }
  out += e.why + "\n";
  if (!e.hint.empty()) {
    out += label(style.hint_label, "hint:") + " " + e.hint + "\n";
  }
  return out;
}

std::string render_problems(const Error& error) {
  std::string out;
  for (const Error& p : error.problems) {
    out += render(p);
  }
  return out;
}

} // namespace sp
