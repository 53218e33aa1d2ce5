// Result<T>: the value or the reason it could not be produced. Low-level code returns these; the
// CLI renders them as `error: <what>: <why>` (+ `hint: <hint>`) and exits with the error's code.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace sp {

/// Exit code classes from DESIGN.md: a failed build or scan is 1, bad usage or I/O is 2.
enum class ErrorKind { failure = 1, usage = 2, io = 2 };

/// One diagnostic: `what` names the subject (a file, a flag), `why` says what is wrong.
struct Error {
  std::string what;
  std::string why;
  std::string hint;
  ErrorKind kind = ErrorKind::failure;
  /// Extra text printed before the error line (e.g. clang's diagnostics), verbatim.
  std::string details;

  int exit_code() const { return static_cast<int>(kind); }
};

inline Error failure(std::string what, std::string why, std::string hint = {}) {
  return Error{std::move(what), std::move(why), std::move(hint), ErrorKind::failure, {}};
}
inline Error usage_error(std::string what, std::string why, std::string hint = {}) {
  return Error{std::move(what), std::move(why), std::move(hint), ErrorKind::usage, {}};
}
inline Error io_error(std::string what, std::string why, std::string hint = {}) {
  return Error{std::move(what), std::move(why), std::move(hint), ErrorKind::io, {}};
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
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

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

} // namespace sp
