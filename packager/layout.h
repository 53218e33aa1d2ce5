// The one reader of image layouts on disk, shared by everything that reads an image back:
// scanning (image_reader.h) and pushing (publish/push_source.h). A layout is an OCI layout
// directory, or an archive .tar of one (gzip, zstd, bzip2, xz or uncompressed, detected) written
// by anyone: us, skopeo, `podman save`, `docker save` (a docker-archive, with manifest.json and
// no index.json, reads the same way). Members are named as inside the layout: "index.json",
// "blobs/sha256/<hex>".
//
// Everything is read as hostile (docs/security.md):
// - a name must be relative, without "." or ".." components: nothing outside the layout is
//   ever named;
// - in a directory only regular files are read, each path component opened without following
//   symlinks (openat, O_NOFOLLOW) and the file checked with fstat once open, so a fifo, a
//   device or a symlink swapped in meanwhile is refused; a symlink inside the directory is
//   followed by the reader itself, one component at a time, only while it stays inside;
// - in an archive a symlink or hard link member is an alias of another member, kept only when
//   its target stays inside the archive;
// - a blob ("blobs/sha256/<hex>") is hashed as it is read and must hash to its name (and have
//   its descriptor's size when read through one);
// - ReadLimits bound the documents, members and bytes read.
//
// An archive is read once when opened, never again: every member's name is recorded; a large
// member of an uncompressed archive is read back later at its offset in the file, and every
// other member is copied to a private spool file (never kept in memory).
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "packager/read_limits.h"
#include "util/fs.h"
#include "util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sp::packager {

/// The largest JSON document read by default (ReadLimits::max_document).
inline constexpr uint64_t k_max_document = ReadLimits{}.max_document;

/// The next block of a member being streamed; an empty view is the end.
using ByteReader = std::function<Result<std::string_view>()>;

/// What opening a layout does besides reading it.
struct LayoutOptions {
  /// When set, an archive's blobs (blobs/sha256/<hex>) are copied into this store during the
  /// one pass over the archive, each checked to hash to its name (a damaged archive is refused),
  /// and later reads of them come from the store: what a push needs. A directory is left alone.
  std::optional<BlobStore> unpack_blobs;
  /// How much is read at most.
  ReadLimits limits;
};

/// A layout opened for reading. Reading never changes it.
class Layout {
public:
  /// Opens a directory, or an archive (reading it once). Fails when `path` is neither, when the
  /// archive cannot be read or goes over a limit, or, with `unpack_blobs`, when a blob does not
  /// hash to its name.
  static Result<Layout> open(const fs::path& path, const LayoutOptions& options = {});

  ~Layout();
  Layout(Layout&&) noexcept;
  Layout& operator=(Layout&&) noexcept;

  /// The directory or archive this layout was opened from.
  const fs::path& path() const;
  /// True for an archive, false for a directory.
  bool is_archive() const;
  /// The limits it was opened with.
  const ReadLimits& limits() const;

  /// True when the layout holds a regular file called `name` (symlinks inside followed).
  bool has(std::string_view name) const;
  /// Where `name` is, for messages: "DIR/index.json" or "ARCHIVE:index.json".
  std::string where(std::string_view name) const;
  /// Reads a member whole; one larger than limits().max_document is refused, and so are
  /// documents beyond limits().max_documents_total() in all. A blob must hash to its name.
  Result<std::string> read_document(std::string_view name) const;
  /// Reads the blob `d` names whole, as read_document; it must also be d.size bytes long.
  Result<std::string> read_document(const Descriptor& d) const;
  /// Calls `fn` with a reader over the member's bytes, block by block (never whole in memory).
  /// A blob is hashed as it streams: the reader fails instead of ending when its bytes do not
  /// hash to its name, and what `fn` leaves unread is read and checked after it returns.
  Status stream(std::string_view name, const std::function<Status(ByteReader&)>& fn) const;
  /// Streams the blob `d` names, as stream(); the reader also fails as soon as the blob holds
  /// more than d.size bytes, and at its end when it holds fewer.
  Status stream(const Descriptor& d, const std::function<Status(ByteReader&)>& fn) const;

  /// A directory or an archive (layout.cpp).
  class Impl;

private:
  Layout(std::unique_ptr<Impl> impl, ReadLimits limits);
  Status check_name(std::string_view name) const;
  Status stream_checked(std::string_view name, const Descriptor* expected,
                        const std::function<Status(ByteReader&)>& fn) const;
  Result<std::string> read_checked(std::string_view name, const Descriptor* expected) const;

  std::unique_ptr<Impl> m_impl;
  ReadLimits m_limits;
  mutable uint64_t m_documents_read = 0;
};

/// "blobs/sha256/<hex>": where a blob is inside a layout.
std::string blob_name(const Digest& digest);

/// The digest a member name stands for: "blobs/sha256/<hex>" → sha256:<hex>; nullopt for any
/// other name.
std::optional<Digest> blob_digest(std::string_view name);

/// The root descriptor of an index.json: the one distinct manifest or index it lists (several
/// entries with the same digest, e.g. one per tag, are one; annotations are dropped). `where`
/// names the file in errors, which are I/O errors (a broken input file).
Result<Descriptor> layout_root(std::string_view index_json, std::string_view where);

} // namespace sp::packager
