// Result<T>: the value or the reason it could not be produced. Low-level code returns these; the
// CLI renders them as `error: <what>: <why>` (+ `hint: <hint>`) and exits with the error's code.
// An Error may carry every problem a pass found (util/diagnostics.h collects them), so "report
// every problem, then stop" travels through the same Result as a single error does.
#pragma once

#include <compare>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sp {

/// The exit code of a failed command, one value per code (the contract README.md states).
enum class ErrorKind {
  failure = 1,     ///< the build, scan or push ran and failed
  usage_or_io = 2, ///< the command could not run as asked: bad usage, unreadable or unwritable I/O
};

/// A 1-based position in a text file. Line 0 means "not written in the file" (a default value);
/// it is shown as 1:1 so every located message keeps the same shape.
struct Mark {
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  auto operator<=>(const Mark&) const = default;
};

/// Where in which file a problem is (a manifest key, a Dockerfile line); empty file = nowhere.
struct Location {
  std::string file;
  Mark mark;

  bool known() const { return !file.empty(); }
};

/// One diagnostic: `what` names the subject (a file, a flag), `why` says what is wrong.
struct Error {
  std::string what;
  std::string why;
  std::string hint;
  ErrorKind kind = ErrorKind::failure;
  /// Extra text printed before the error line (e.g. clang's diagnostics), verbatim.
  std::string details;
  /// Shown gcc style before "error:" when known: `FILE:LINE:COL: error: what: why`.
  Location where;
  /// Every problem of a pass that reports all of them, printed in order before this error's own
  /// line, which then summarises them ("3 problems found"); an empty `what` and `why` print no
  /// summary, only the problems.
  std::vector<Error> problems;

  int exit_code() const { return static_cast<int>(kind); }
  /// This error with `text` (a tool's own output: clang's diagnostics, lld's, cmake's) printed
  /// before its line: `return failure(what, why).with_details(out);`.
  Error with_details(std::string text) && {
    details = std::move(text);
    return std::move(*this);
  }
};

inline Error failure(std::string what, std::string why, std::string hint = {}) {
  return Error{std::move(what), std::move(why), std::move(hint), ErrorKind::failure, {}, {}, {}};
}
/// A flag, argument or input the command cannot work with (exit 2).
inline Error usage_error(std::string what, std::string why, std::string hint = {}) {
  return Error{
      std::move(what), std::move(why), std::move(hint), ErrorKind::usage_or_io, {}, {}, {}};
}
/// A file or directory that cannot be read or written (exit 2, like usage: README.md).
inline Error io_error(std::string what, std::string why, std::string hint = {}) {
  return Error{
      std::move(what), std::move(why), std::move(hint), ErrorKind::usage_or_io, {}, {}, {}};
}

/// The value of a computation, or the Error that stopped it.
template <class T> class [[nodiscard]] Result {
public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::get<0>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  /// The value, or `fallback` when there is none.
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

  const Error& error() const { return std::get<1>(m_v); }
  Error&& take_error() { return std::get<1>(std::move(m_v)); }

private:
  std::variant<T, Error> m_v;
};

/// Result of an action that yields nothing but success.
template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_failed(true) {}

  bool ok() const { return !m_failed; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return m_error; }
  Error&& take_error() { return std::move(m_error); }

private:
  Error m_error;
  bool m_failed = false;
};

using Status = Result<void>;

namespace detail {
template <class T> T unwrap(Result<T>&& r) {
  return std::move(r).value();
}
inline void unwrap(Result<void>&&) {}
} // namespace detail

} // namespace sp

/// Evaluates `expr` (a Result<T> or a Status); on failure returns its Error from the enclosing
/// function, otherwise yields the value (nothing for a Status):
///   auto plan = SP_TRY(plan_build(flags));
///   SP_TRY(write_file_atomic(path, text));
/// A GNU statement expression (clang and gcc both have them), so it works inside expressions.
#define SP_TRY(expr)                                                                               \
  ({                                                                                               \
    auto sp_try_result_ = (expr);                                                                  \
    if (!sp_try_result_) {                                                                         \
      return sp_try_result_.take_error();                                                          \
    }                                                                                              \
    ::sp::detail::unwrap(std::move(sp_try_result_));                                               \
  })
