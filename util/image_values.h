// Values of an image that users write in several places — command-line flags, scratchpack.yaml and
// Dockerfiles — read by one function each, so that every place accepts and refuses the same text
// with the same message: file modes, file owners and stop signals. Errors carry only `why` (the
// message); each caller names the subject (a flag, a manifest key) and the exit code.
#pragma once

#include "util/result.h"

#include <string>
#include <string_view>

namespace sp {

/// A file mode as octal text with a leading 0 ("0644", "0o755", "0"), at most 07777. Text
/// without the leading 0 ("644", "420") is refused: YAML 1.1 readers take an unquoted 0644 as
/// octal and YAML 1.2 readers as decimal, and "644" is decimal to everyone but a human.
Result<unsigned> parse_file_mode(std::string_view text);

/// The owner of a file in an image: numeric, since a scratch image has no /etc/passwd to look
/// names up in when the layer is written.
struct FileOwner {
  unsigned uid = 0;
  unsigned gid = 0;
  bool operator==(const FileOwner&) const = default;
};

/// The largest uid or gid accepted ((uid_t)-1 means "no change" to chown and is refused).
inline constexpr unsigned long long k_max_owner_id = 4294967294ULL;

/// "UID:GID" ("65532:65532"), or "UID" alone for the same group id (as Docker's --chown).
Result<FileOwner> parse_file_owner(std::string_view text);

/// A stop signal as Linux names it: "SIGTERM", "TERM", "sigterm" (case does not matter), "15" (1
/// to 64), "SIGRTMIN", "RTMIN+3", "SIGRTMAX-2" (1 to 30 from either end). Returns the normal
/// form: names upper-case with "SIG" ("SIGTERM", "SIGRTMIN+3"), numbers in decimal ("15").
Result<std::string> parse_stop_signal(std::string_view text);

} // namespace sp
