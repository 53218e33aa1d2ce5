// Source globs: `*`, `?` and `[...]` within one path component, `**` for any number of
// directories. Expansion reads the filesystem under a base directory and nothing else.
#pragma once

#include "util/fs.h"
#include "util/result.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::manifests {

/// True when `pattern` has a wildcard (`*`, `?`, `[`) and so is expanded, not taken literally.
bool has_glob_chars(std::string_view pattern);

/// Matches one path component against one pattern component: `*` (any run), `?` (any one
/// character), `[abc]`, `[a-z]`, `[!a]`/`[^a]` and `\x` (a literal x). No '/' on either side.
bool match_name(std::string_view pattern, std::string_view name);

/// Checks a pattern's syntax: an unterminated `[` is an error.
Status check_glob(std::string_view pattern);

/// The regular files (symlinks to them included) that `pattern` names, as paths written the way
/// the pattern is ("src/a.cpp", "../lib/b.c"; "/abs/c.c" for an absolute pattern) with '/' as
/// separator, resolved against `base_dir`; sorted byte-wise, without duplicates.
///
/// Like the shell, wildcards do not match names starting with '.' unless the pattern component
/// does, and `**` neither enters hidden directories nor follows symlinked ones (no loops).
/// `.` components are dropped, `..` ones kept. Unreadable directories are skipped, and so are
/// those `may_enter` (when given) refuses: the caller keeps the walk inside what it may read.
/// Matching a name is linear in the pattern times the name, and each directory is read at most
/// once per pattern component, whatever the `*` and `**` (a hostile pattern cannot make the
/// walk exponential).
///
/// `observe` (when given) is told every directory whose entries decide the result: each one the
/// walk reads, and the directory of each literal last component it checks (a file created there
/// later would change the match). release's up-to-date record keeps their identities.
Result<std::vector<std::string>>
expand_glob(std::string_view pattern, const fs::path& base_dir,
            const std::function<bool(const fs::path&)>& may_enter = nullptr,
            const std::function<void(const fs::path&)>& observe = nullptr);

} // namespace sp::manifests
