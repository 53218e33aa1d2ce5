#include "util/image_values.h"

#include "util/strings.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sp {

namespace {

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

} // namespace

Result<unsigned> parse_file_mode(std::string_view text) {
  std::string_view digits;
  if (text.starts_with("0o") || text.starts_with("0O")) {
    digits = text.substr(2);
  } else if (text.starts_with("0")) {
    digits = text.size() == 1 ? text : text.substr(1);
  } else if (all_digits(text)) {
    return failure("", "mode " + in_quotes(text) + " is ambiguous; write the octal mode with a " +
                           "leading 0, e.g. \"0" + std::string(text) + "\"");
  }
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; })) {
    return failure("",
                   "invalid mode " + in_quotes(text) + ": expected an octal mode such as \"0644\"");
  }
  unsigned value = 0;
  for (char c : digits) {
    value = value * 8 + static_cast<unsigned>(c - '0');
    if (value > 07777) {
      return failure("", "mode " + in_quotes(text) + " is out of range; the largest is 07777");
    }
  }
  return value;
}

Result<FileOwner> parse_file_owner(std::string_view text) {
  std::vector<std::string> ids = split(text, ':');
  unsigned long long uid = 0;
  unsigned long long gid = 0;
  bool ok = ids.size() <= 2 && all_digits(ids[0]) && parse_uint(ids[0], uid) &&
            (ids.size() == 1 ? (gid = uid, true) : all_digits(ids[1]) && parse_uint(ids[1], gid));
  if (!ok || uid > k_max_owner_id || gid > k_max_owner_id) {
    return failure("", "invalid owner " + in_quotes(text) +
                           ": expected numeric UID:GID such as \"65532:65532\" (a scratch image "
                           "has no /etc/passwd to look names up in)");
  }
  return FileOwner{static_cast<unsigned>(uid), static_cast<unsigned>(gid)};
}

Result<std::string> parse_stop_signal(std::string_view text) {
  // The signals of Linux's signal(7) that every architecture scratchpack targets has.
  static constexpr std::array<std::string_view, 31> k_names = {
      "ABRT", "ALRM", "BUS", "CHLD", "CONT", "FPE",    "HUP",   "ILL",  "INT",  "IO",   "KILL",
      "PIPE", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP",  "SYS",  "TERM", "TRAP", "TSTP",
      "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ"};
  unsigned long long number = 0;
  if (all_digits(text)) {
    if (parse_uint(text, number) && number >= 1 && number <= 64) {
      return std::to_string(number);
    }
  } else {
    std::string name = upper(text);
    if (name.starts_with("SIG")) {
      name.erase(0, 3);
    }
    if (std::find(k_names.begin(), k_names.end(), name) != k_names.end() || name == "RTMIN" ||
        name == "RTMAX") {
      return "SIG" + name;
    }
    for (std::string_view base : {"RTMIN+", "RTMAX-"}) {
      std::string_view offset = std::string_view(name).substr(std::min(name.size(), base.size()));
      if (name.starts_with(base) && all_digits(offset) && parse_uint(offset, number) &&
          number >= 1 && number <= 30) {
        return "SIG" + std::string(base) + std::to_string(number);
      }
    }
  }
  return failure("", "unknown signal " + in_quotes(text) +
                         "; use a name such as SIGTERM or a number from 1 to 64");
}

} // namespace sp
