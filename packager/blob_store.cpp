#include "packager/blob_store.h"

#include "util/sha256.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace sp::packager {

namespace {

constexpr size_t k_block_size = 1u << 20;

std::string errno_text() {
  return std::strerror(errno);
}

Status write_all(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return io_error(path.string(), errno_text());
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

} // namespace

Result<BlobStore> BlobStore::open(const fs::path& dir) {
  SP_TRY(make_dirs(dir / "sha256"));
  return BlobStore(dir);
}

fs::path BlobStore::path_of(const Digest& digest) const {
  return m_dir / digest.algorithm() / digest.hex();
}

bool BlobStore::has(const Digest& digest) const {
  std::error_code ec;
  return !digest.empty() && fs::is_regular_file(path_of(digest), ec);
}

Result<uint64_t> BlobStore::size_of(const Digest& digest) const {
  struct stat st{};
  if (::stat(path_of(digest).c_str(), &st) != 0) {
    return io_error("blob " + digest.to_string(), errno_text());
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<BlobInfo> BlobStore::put(std::string_view bytes) const {
  Result<BlobWriter> w = BlobWriter::create(*this);
  if (!w) {
    return w.take_error();
  }
  SP_TRY(w->write(bytes));
  return w->commit();
}

Result<std::string> BlobStore::read(const Digest& digest, uint64_t max_size) const {
  Result<uint64_t> size = size_of(digest);
  if (!size) {
    return size.take_error();
  }
  if (*size > max_size) {
    return failure("blob " + digest.to_string(),
                   "is " + std::to_string(*size) + " bytes, more than a document may be");
  }
  return read_file(path_of(digest));
}

Result<BlobInfo> BlobStore::rehash(const Digest& digest) const {
  Sha256 h;
  uint64_t size = 0;
  Status s = for_each_block(path_of(digest), [&](const char* data, size_t n) -> Status {
    h.update(data, n);
    size += n;
    return {};
  });
  if (!s) {
    return s.take_error();
  }
  return BlobInfo{Digest::sha256_hex(h.hex_digest()), size};
}

struct BlobWriter::State {
  BlobStore store;
  fs::path temp;
  int fd = -1;
  Sha256 hash;
  uint64_t size = 0;
  bool committed = false;
};

BlobWriter::BlobWriter(std::unique_ptr<State> state) : m_state(std::move(state)) {}
BlobWriter::BlobWriter(BlobWriter&&) noexcept = default;

BlobWriter::~BlobWriter() {
  if (m_state && !m_state->committed) {
    if (m_state->fd >= 0) {
      ::close(m_state->fd);
    }
    ::unlink(m_state->temp.c_str());
  }
}

Result<BlobWriter> BlobWriter::create(const BlobStore& store) {
  // Created on first write so that opening an OCI layout's blobs/ as a store changes nothing.
  SP_TRY(make_dirs(store.dir() / "tmp"));
  std::string templ = (store.dir() / "tmp" / "blob.XXXXXX").string();
  int fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) {
    return io_error(store.dir().string(), "cannot create a blob: " + errno_text());
  }
  auto state = std::make_unique<State>(State{store, templ, fd, {}, 0, false});
  return BlobWriter(std::move(state));
}

Status BlobWriter::write(const void* data, size_t size) {
  m_state->hash.update(data, size);
  m_state->size += size;
  return write_all(m_state->fd, static_cast<const char*>(data), size, m_state->temp);
}

uint64_t BlobWriter::size() const {
  return m_state->size;
}

Result<BlobInfo> BlobWriter::commit() {
  State& s = *m_state;
  if (::fchmod(s.fd, 0644) != 0 || ::close(s.fd) != 0) {
    s.fd = -1;
    return io_error(s.temp.string(), errno_text());
  }
  s.fd = -1;
  BlobInfo info{Digest::sha256_hex(s.hash.hex_digest()), s.size};
  if (::rename(s.temp.c_str(), s.store.path_of(info.digest).c_str()) != 0) {
    return io_error(s.store.path_of(info.digest).string(), errno_text());
  }
  s.committed = true;
  return info;
}

Status for_each_block(const fs::path& path, const std::function<Status(const char*, size_t)>& fn) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return io_error(path.string(), errno_text());
  }
  std::vector<char> buf(k_block_size);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      Error e = io_error(path.string(), errno_text());
      ::close(fd);
      return e;
    }
    if (n == 0) {
      break;
    }
    if (Status s = fn(buf.data(), static_cast<size_t>(n)); !s) {
      ::close(fd);
      return s;
    }
  }
  ::close(fd);
  return {};
}

} // namespace sp::packager
