// The one reader of image layouts on disk, shared by everything that reads an image back:
// scanning (image_reader.h) and pushing (publish/push_source.h). A layout is an OCI layout
// directory, or an archive .tar of one (gzip, zstd… or uncompressed, detected) written by
// anyone: us, skopeo, `podman save`, `docker save` (a docker-archive, with manifest.json and no
// index.json, reads the same way). Members are named as inside the layout: "index.json",
// "blobs/sha256/<hex>". An archive is read once when opened: every member's name is recorded and
// the small ones are kept in memory; a large member is streamed from the archive again on demand.
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "util/fs.h"
#include "util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sp::packager {

/// The largest member read whole: index.json, manifest.json, a manifest or a config blob.
inline constexpr uint64_t k_max_document = 4u << 20;

/// The next block of a member being streamed; an empty view is the end.
using ByteReader = std::function<Result<std::string_view>()>;

/// What opening a layout does besides reading it.
struct LayoutOptions {
  /// When set, an archive's blobs (blobs/sha256/<hex>) are copied into this store during the
  /// one pass over the archive, each checked to hash to its name (a damaged archive is refused),
  /// and later reads of them come from the store: what a push needs. A directory is left alone
  /// (its blobs/ is a store as it is).
  std::optional<BlobStore> unpack_blobs;
};

/// A layout opened for reading. Reading never changes it; an archive is only reopened when a
/// member too large to keep in memory is streamed.
class Layout {
public:
  /// Opens a directory, or an archive (reading it once). Fails when `path` is neither, when the
  /// archive cannot be read, or, with `unpack_blobs`, when a blob does not hash to its name.
  static Result<Layout> open(const fs::path& path, const LayoutOptions& options = {});

  ~Layout();
  Layout(Layout&&) noexcept;
  Layout& operator=(Layout&&) noexcept;

  /// The directory or archive this layout was opened from.
  const fs::path& path() const;
  /// True for an archive, false for a directory.
  bool is_archive() const;

  /// True when the layout holds a regular file called `name` (an archive's symlinks followed).
  bool has(std::string_view name) const;
  /// Where `name` is, for messages: "DIR/index.json" or "ARCHIVE:index.json".
  std::string where(std::string_view name) const;
  /// Reads a member whole; one larger than k_max_document is refused.
  Result<std::string> read_document(std::string_view name) const;
  /// Calls `fn` with a reader over the member's bytes, block by block (never whole in memory).
  Status stream(std::string_view name, const std::function<Status(ByteReader&)>& fn) const;

  /// A directory or an archive (layout.cpp).
  class Impl;

private:
  explicit Layout(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// "blobs/sha256/<hex>": where a blob is inside a layout.
std::string blob_name(const Digest& digest);

/// The root descriptor of an index.json: the one distinct manifest or index it lists (several
/// entries with the same digest, e.g. one per tag, are one; annotations are dropped). `where`
/// names the file in errors, which are I/O errors (a broken input file).
Result<Descriptor> layout_root(std::string_view index_json, std::string_view where);

} // namespace sp::packager
