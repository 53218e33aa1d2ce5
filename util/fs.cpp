#include "util/fs.h"

#include "util/strings.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace sp {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                          (static_cast<uint64_t>(getpid()) << 32)};
  static const char* k_chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 8; ++i) {
    s += k_chars[rng() % 36];
  }
  return s;
}

} // namespace

Result<std::string> read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return io_error(path.string(), errno_text(errno));
  }
  std::string data;
  struct stat st{};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    data.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      int err = errno;
      ::close(fd);
      return io_error(path.string(), errno_text(err));
    }
    if (n == 0) {
      break;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

Status write_file_atomic(const fs::path& path, std::string_view data, unsigned mode) {
  AtomicPath out(path);
  int fd = ::open(out.temp().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return io_error(path.string(), errno_text(errno));
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      int err = errno;
      ::close(fd);
      return io_error(path.string(), errno_text(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::close(fd) != 0) {
    return io_error(path.string(), errno_text(errno));
  }
  return out.commit();
}

AtomicPath::AtomicPath(fs::path final_path) : m_final(std::move(final_path)) {
  fs::path dir = m_final.parent_path();
  std::string name = "." + m_final.filename().string() + ".tmp-" + random_suffix();
  m_temp = dir.empty() ? fs::path(name) : dir / name;
}

AtomicPath::~AtomicPath() {
  if (!m_committed) {
    std::error_code ec;
    fs::remove_all(m_temp, ec);
  }
}

Status AtomicPath::commit() {
  std::error_code ec;
  if (fs::is_directory(m_final, ec) && !fs::is_symlink(m_final, ec)) {
    // rename(2) cannot replace a non-empty directory: move the old one aside first.
    fs::path old = m_final.string() + ".old-" + random_suffix();
    fs::rename(m_final, old, ec);
    if (ec) {
      return io_error(m_final.string(), ec.message());
    }
    fs::rename(m_temp, m_final, ec);
    std::error_code ignored;
    fs::remove_all(old, ignored);
  } else {
    fs::rename(m_temp, m_final, ec);
  }
  if (ec) {
    return io_error(m_final.string(), ec.message());
  }
  m_committed = true;
  return {};
}

TempDir::TempDir(std::string_view prefix, const fs::path& parent) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = !parent.empty() ? parent.string() : base && *base ? base : "/tmp";
  std::string templ = dir + "/" + std::string(prefix) + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::runtime_error("cannot create a temporary directory in " + templ + ": " +
                             errno_text(errno));
  }
  m_path = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

UniqueFd::~UniqueFd() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = other.m_fd;
    other.m_fd = -1;
  }
  return *this;
}

fs::path cache_dir() {
  if (const char* c = std::getenv("SCRATCHPACK_CACHE"); c && *c) {
    return c;
  }
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    return fs::path(x) / "scratchpack";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".cache" / "scratchpack";
}

int64_t source_date_epoch() {
  const char* v = std::getenv("SOURCE_DATE_EPOCH");
  unsigned long long n = 0;
  if (v && parse_uint(v, n)) {
    return static_cast<int64_t>(n);
  }
  return 0;
}

Status make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return io_error(dir.string(), ec.message());
  }
  return {};
}

bool is_executable_file(const fs::path& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

std::string find_program(std::string_view name) {
  if (name.find('/') != std::string_view::npos) {
    return is_executable_file(std::string(name)) ? std::string(name) : std::string();
  }
  const char* path = std::getenv("PATH");
  for (const std::string& dir : split(path ? path : "/usr/bin:/bin", ':')) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (is_executable_file(candidate)) {
      return candidate.string();
    }
  }
  return {};
}

} // namespace sp
