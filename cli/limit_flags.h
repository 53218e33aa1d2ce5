// The flags that raise the limits on images read back (packager/read_limits.h): `scan` has all
// of them, `push` those that apply to what it reads (documents, index depth, archive members
// and bytes). docs/security.md lists them with their defaults.
#pragma once

#include "cli/cli.h"
#include "packager/read_limits.h"
#include "util/result.h"

#include <string>

namespace CLI {
class App;
}

namespace sp::cli {

/// The limit flags as typed (empty: the default).
struct LimitFlags {
  std::string max_document_size; ///< --max-document-size SIZE
  std::string max_index_depth;   ///< --max-index-depth N
  std::string max_entry_size;    ///< --max-entry-size SIZE
  std::string max_total_size;    ///< --max-total-size SIZE
  std::string max_entries;       ///< --max-entries N
  std::string max_hardlinks;     ///< --max-hardlinks N (scan only)
};

/// Which command the flags are for.
enum class LimitScope { scan, push };

/// Adds the limit flags of `scope` to a command, in a group of their own.
void add_limit_flags(CLI::App* cmd, LimitFlags& flags, LimitScope scope);

/// The limits the flags ask for; every bad value is reported (usage errors, exit 2).
Result<packager::ReadLimits> to_read_limits(const LimitFlags& flags);

} // namespace sp::cli
