// A directory of blobs named by digest (<dir>/sha256/<hex>), the staging area every image is
// built into before a writer copies it to an OCI layout, an archive or a registry.
#pragma once

#include "packager/digest.h"
#include "util/fs.h"
#include "util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sp::packager {

/// Digest and size of a stored blob.
struct BlobInfo {
  Digest digest;
  uint64_t size = 0;
};

/// A content-addressed directory. Blobs appear whole or not at all: they are written under a
/// temporary name and renamed to their digest once the last byte is hashed. A BlobStore is a
/// handle (a path); copies refer to the same directory.
class BlobStore {
public:
  /// Opens the store at `dir`, creating it and dir/sha256 when missing. An OCI layout's blobs/
  /// directory is a store too (dir/tmp, for blobs being written, appears on the first write).
  static Result<BlobStore> open(const fs::path& dir);

  const fs::path& dir() const { return m_dir; }
  /// Where the blob with this digest lives (whether or not it exists).
  fs::path path_of(const Digest& digest) const;
  bool has(const Digest& digest) const;
  /// Size on disk, or an I/O error when the blob is missing.
  Result<uint64_t> size_of(const Digest& digest) const;

  /// Stores `bytes` (a JSON document, typically) and returns its digest and size.
  Result<BlobInfo> put(std::string_view bytes) const;
  /// Reads a whole blob; refuses blobs above `max_size` so a layer is never slurped by mistake.
  Result<std::string> read(const Digest& digest, uint64_t max_size = 64u << 20) const;
  /// Re-hashes a blob from disk (streamed) and returns what it really is.
  Result<BlobInfo> rehash(const Digest& digest) const;

private:
  explicit BlobStore(fs::path dir) : m_dir(std::move(dir)) {}
  fs::path m_dir;
  friend class BlobWriter;
};

/// Streams bytes into a new blob of `store`: each write is hashed and appended to a temporary
/// file; commit() names the file by its digest. Destroyed uncommitted, it leaves nothing behind.
class BlobWriter {
public:
  static Result<BlobWriter> create(const BlobStore& store);
  ~BlobWriter();
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  BlobWriter(const BlobWriter&) = delete;

  Status write(const void* data, size_t size);
  Status write(std::string_view data) { return write(data.data(), data.size()); }
  /// Bytes written so far.
  uint64_t size() const;
  /// Closes the file and renames it to sha256/<hex>; an existing blob of that digest is kept.
  Result<BlobInfo> commit();

private:
  struct State;
  explicit BlobWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

/// Streams a file to `fn` in blocks of up to 1 MiB (never whole in memory).
Status for_each_block(const fs::path& path, const std::function<Status(const char*, size_t)>& fn);

} // namespace sp::packager
