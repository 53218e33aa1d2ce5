#include "util/spool.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace sp {

namespace {

Error spool_error(const char* what) {
  return io_error("temporary spool file", std::string(what) + ": " + std::strerror(errno));
}

} // namespace

Result<std::unique_ptr<Spool>> Spool::create() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/scratchpack-spool.XXXXXX";
  int fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) {
    return io_error(templ, std::string("cannot create a temporary file: ") + std::strerror(errno));
  }
  ::unlink(templ.c_str());
  return std::unique_ptr<Spool>(new Spool(fd));
}

Spool::~Spool() {
  ::close(m_fd);
}

Result<uint64_t> Spool::append(const void* data, size_t size) {
  uint64_t offset = m_size;
  SP_TRY(write_at(offset, data, size));
  return offset;
}

Status Spool::write_at(uint64_t offset, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  uint64_t at = offset;
  while (size > 0) {
    ssize_t n = ::pwrite(m_fd, p, size, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return spool_error("write");
    }
    p += n;
    at += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  if (at > m_size) {
    m_size = at;
  }
  return {};
}

Status Spool::extend(uint64_t size) {
  if (size <= m_size) {
    return {};
  }
  if (::ftruncate(m_fd, static_cast<off_t>(size)) != 0) {
    return spool_error("extend");
  }
  m_size = size;
  return {};
}

Status Spool::read_at(uint64_t offset, void* out, size_t size) const {
  char* p = static_cast<char*>(out);
  while (size > 0) {
    ssize_t n = ::pread(m_fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return spool_error("read");
    }
    if (n == 0) {
      return io_error("temporary spool file", "shorter than what was written to it");
    }
    p += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return {};
}

Result<std::string> Spool::read_string(uint64_t offset, size_t size) const {
  std::string out(size, '\0');
  SP_TRY(read_at(offset, out.data(), size));
  return out;
}

} // namespace sp
