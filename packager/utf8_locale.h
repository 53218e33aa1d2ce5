// libarchive converts entry names through the current locale. Under the C locale a UTF-8 name
// cannot be converted (libarchive 3.6 even crashes writing one, and its reader returns
// ARCHIVE_WARN and no name). While tars are written or read, the thread switches to C.UTF-8,
// so names are the UTF-8 they are whatever the user's locale.
#pragma once

#include <clocale>
#include <locale.h>

namespace sp::packager {

/// Switches this thread's LC_CTYPE to C.UTF-8 for the object's lifetime.
class Utf8Locale {
public:
  Utf8Locale() : m_utf8(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
    if (m_utf8) {
      m_previous = uselocale(m_utf8);
    }
  }
  ~Utf8Locale() {
    if (m_utf8) {
      uselocale(m_previous);
      freelocale(m_utf8);
    }
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;

private:
  locale_t m_utf8;
  locale_t m_previous = LC_GLOBAL_LOCALE;
};

} // namespace sp::packager
