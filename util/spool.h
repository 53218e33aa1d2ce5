// A spool: one private temporary file that bytes are appended to and read back from by offset,
// for data read out of an untrusted archive that is too large (or too many) to keep in memory.
// The file is unlinked as soon as it is created, so nothing is left behind whatever happens.
#pragma once

#include "util/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace sp {

/// An unlinked temporary file in $TMPDIR (or /tmp). Not copyable; share it through a
/// shared_ptr when several owners read it.
class Spool {
public:
  /// Creates the file; an I/O error names the directory.
  static Result<std::unique_ptr<Spool>> create();
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// Bytes written so far (the offset the next append() writes at).
  uint64_t size() const { return m_size; }
  /// The file descriptor, for readers that pread(2) themselves.
  int fd() const { return m_fd; }

  /// Writes `size` bytes at the end; returns the offset they start at.
  Result<uint64_t> append(const void* data, size_t size);
  /// Writes `size` bytes at `offset` (a hole before it stays a hole) and grows size() to cover
  /// them.
  Status write_at(uint64_t offset, const void* data, size_t size);
  /// Makes the file `size` bytes long (a hole at the end reads as zeros).
  Status extend(uint64_t size);
  /// Reads `size` bytes at `offset`; fails on a short read.
  Status read_at(uint64_t offset, void* out, size_t size) const;
  /// Reads `size` bytes at `offset` into a string.
  Result<std::string> read_string(uint64_t offset, size_t size) const;

private:
  explicit Spool(int fd) : m_fd(fd) {}
  int m_fd;
  uint64_t m_size = 0;
};

} // namespace sp
