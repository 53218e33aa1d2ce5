#include "cli/limit_flags.h"

#include "cli/push_flags.h"
#include "util/diagnostics.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>

namespace sp::cli {

namespace {

using packager::format_limit;
using packager::ReadLimits;

constexpr const char* k_group = "Limits on images read (raise them for large trusted images)";

std::string count_text(uint64_t n) {
  return std::to_string(n);
}

// Parses one flag's value into `out` when given; a bad value is added to `diag`.
void size_flag(const std::string& flag, const std::string& text, uint64_t& out, Diagnostics& diag) {
  if (text.empty()) {
    return;
  }
  Result<uint64_t> size = parse_size(text);
  if (!size) {
    Error e = size.take_error();
    e.what = flag + " " + text;
    diag.add(std::move(e));
    return;
  }
  out = *size;
}

template <class T>
void count_flag(const std::string& flag, const std::string& text, T& out, Diagnostics& diag) {
  if (text.empty()) {
    return;
  }
  unsigned long long n = 0;
  if (!parse_uint(trim(text), n) || n > static_cast<unsigned long long>(T(-1))) {
    diag.add(usage_error(flag + " " + text, "expects a whole number"));
    return;
  }
  out = static_cast<T>(n);
}

} // namespace

void add_limit_flags(CLI::App* cmd, LimitFlags& flags, LimitScope scope) {
  ReadLimits d;
  cmd->add_option("--max-document-size", flags.max_document_size,
                  "Largest JSON document (index.json, manifest.json, a manifest, a config); "
                  "default " +
                      format_limit(d.max_document))
      ->type_name("SIZE")
      ->group(k_group);
  cmd->add_option("--max-index-depth", flags.max_index_depth,
                  "Image indexes nested below index.json; default " + count_text(d.max_index_depth))
      ->type_name("N")
      ->group(k_group);
  cmd->add_option("--max-entry-size", flags.max_entry_size,
                  "Largest archive member or file in a layer, e.g. 16G; default " +
                      format_limit(d.max_entry_size))
      ->type_name("SIZE")
      ->group(k_group);
  cmd->add_option("--max-total-size", flags.max_total_size,
                  "Most uncompressed bytes read from an archive, and from one image's layers; "
                  "default " +
                      format_limit(d.max_total_size))
      ->type_name("SIZE")
      ->group(k_group);
  cmd->add_option("--max-entries", flags.max_entries,
                  scope == LimitScope::scan
                      ? "Most members of an archive, and entries in one image's layers; default " +
                            count_text(d.max_entries)
                      : "Most members of an archive; default " + count_text(d.max_entries))
      ->type_name("N")
      ->group(k_group);
  if (scope == LimitScope::scan) {
    cmd->add_option("--max-hardlinks", flags.max_hardlinks,
                    "Most hard links in one image's layers; default " + count_text(d.max_hardlinks))
        ->type_name("N")
        ->group(k_group);
  }
}

Result<packager::ReadLimits> to_read_limits(const LimitFlags& flags) {
  ReadLimits limits;
  Diagnostics diag;
  size_flag("--max-document-size", flags.max_document_size, limits.max_document, diag);
  count_flag("--max-index-depth", flags.max_index_depth, limits.max_index_depth, diag);
  size_flag("--max-entry-size", flags.max_entry_size, limits.max_entry_size, diag);
  size_flag("--max-total-size", flags.max_total_size, limits.max_total_size, diag);
  count_flag("--max-entries", flags.max_entries, limits.max_entries, diag);
  count_flag("--max-hardlinks", flags.max_hardlinks, limits.max_hardlinks, diag);
  SP_TRY(diag.status());
  return limits;
}

} // namespace sp::cli
