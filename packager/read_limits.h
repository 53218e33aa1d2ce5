// How much of an image read back from disk is read at most: the limits that keep an archive or
// a layout written by anyone from exhausting memory, disk or time. Each has a default no real
// image comes near and a flag of `scan` (and of `push` where it applies) that raises it;
// docs/security.md ("Limits on images read back") lists them.
#pragma once

#include "util/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace sp::packager {

struct ReadLimits {
  /// --max-document-size: one JSON document (index.json, manifest.json, a manifest, a config).
  /// The documents read from one layout may add up to k_documents_per_layout times this.
  uint64_t max_document = 4u << 20;
  /// --max-index-depth: image indexes nested below index.json.
  unsigned max_index_depth = 4;
  /// --max-entry-size: one member of an image archive (a blob), or one file in a layer.
  uint64_t max_entry_size = uint64_t{8} << 30;
  /// --max-total-size: bytes read out of one archive (uncompressed), and out of one image's
  /// layers (uncompressed, all layers together).
  uint64_t max_total_size = uint64_t{32} << 30;
  /// --max-entries: members of an image archive; entries in one image's layers (all layers
  /// together). Their names, link targets and kept file heads may add up to
  /// k_name_bytes_per_entry bytes for each.
  uint64_t max_entries = 1'000'000;
  /// --max-hardlinks: hard links in one image's layers.
  uint64_t max_hardlinks = 100'000;

  /// How many times max_document all the documents of one layout may add up to.
  static constexpr uint64_t k_documents_per_layout = 16;
  /// Bytes of names (and heads) allowed for each of max_entries.
  static constexpr uint64_t k_name_bytes_per_entry = 256;

  uint64_t max_documents_total() const { return times(max_document, k_documents_per_layout); }
  uint64_t max_name_bytes() const { return times(max_entries, k_name_bytes_per_entry); }

private:
  static uint64_t times(uint64_t a, uint64_t b) { return a > UINT64_MAX / b ? UINT64_MAX : a * b; }
};

/// A size as a limit is written: "4 MiB", "8 GiB", "1000 bytes" (exact, never rounded).
inline std::string format_limit(uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + " " + units[u];
}

/// A limit reached: `WHAT: WHY` with the hint "raise the limit with FLAG", an input problem
/// (exit 2).
inline Error limit_error(std::string what, std::string why, std::string_view flag) {
  return io_error(std::move(what), std::move(why),
                  "raise the limit with " + std::string(flag) + " if the image is trusted");
}

} // namespace sp::packager
