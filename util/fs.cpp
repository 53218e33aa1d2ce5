#include "util/fs.h"

#include "util/interrupt.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <random>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace sp {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

/// Six random characters ([a-z0-9], 31 bits from the system's source), the shape mkstemp uses:
/// with the pid before them, no other process picks the same name, and temporary_owner() can
/// read the pid back.
std::string random_suffix() {
  static const char* k_chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string hex = random_hex(6);
  std::string s;
  for (size_t i = 0; i < 6; ++i) {
    s += k_chars[std::stoi(hex.substr(2 * i, 2), nullptr, 16) % 36];
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

Status write_file_atomic(const fs::path& path, std::string_view data, unsigned mode,
                         Durability durability) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  auto out = SP_TRY(TempFile::create(dir, path.filename().string()));
  SP_TRY(out.write(data));
  if (::fchmod(out.fd(), mode) != 0) {
    return io_error(path.string(), errno_text(errno));
  }
  return out.commit(path, durability);
}

bool durable_writes() {
  static const bool on = [] {
    const char* v = std::getenv("SCRATCHPACK_FSYNC");
    return !(v && std::string_view(v) == "0");
  }();
  return on;
}

Status sync_path(const fs::path& path) {
  if (!durable_writes()) {
    return {};
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return io_error(path.string(), errno_text(errno));
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) { // EINVAL: a file system that cannot sync this kind of file
    return io_error(path.string(), "fsync: " + errno_text(err));
  }
  return {};
}

Result<TempFile> TempFile::create(const fs::path& dir, std::string_view prefix) {
  // The pid in the name lets a later run tell a dead process's leftovers from a live one's.
  std::string templ =
      (dir / ("." + std::string(prefix) + "." + std::to_string(::getpid()) + ".XXXXXX")).string();
  int fd = -1;
  int err = 0;
  uint64_t token = create_temporary([&] {
    fd = ::mkostemp(templ.data(), O_CLOEXEC);
    err = errno;
    return fd >= 0 ? fs::path(templ) : fs::path();
  });
  if (fd < 0) {
    return io_error(dir.string(), "cannot create a temporary file: " + errno_text(err));
  }
  return TempFile(fd, templ, token);
}

TempFile::TempFile(int fd, fs::path path, uint64_t token)
    : m_fd(fd), m_path(std::move(path)), m_token(token) {}

TempFile::TempFile(TempFile&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)),
      m_token(std::exchange(other.m_token, 0)) {
  other.m_path.clear();
}

TempFile::~TempFile() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
  if (!m_path.empty()) {
    ::unlink(m_path.c_str());
  }
  unregister_temporary(m_token);
}

Status TempFile::write(std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(m_fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return io_error(m_path.string(), errno_text(errno));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Status TempFile::commit(const fs::path& final_path, Durability durability) {
  bool sync = durable_writes() && durability == Durability::synced;
  if (sync && ::fsync(m_fd) != 0) {
    return io_error(final_path.string(), "fsync: " + errno_text(errno));
  }
  int rc = ::close(m_fd);
  m_fd = -1;
  if (rc != 0) {
    return io_error(final_path.string(), errno_text(errno));
  }
  if (::rename(m_path.c_str(), final_path.c_str()) != 0) {
    return io_error(final_path.string(), errno_text(errno));
  }
  m_path.clear();
  unregister_temporary(std::exchange(m_token, 0));
  fs::path dir = final_path.parent_path();
  return sync ? sync_path(dir.empty() ? fs::path(".") : dir) : Status{};
}

Result<uint64_t> copy_fd(int in, int out, Sha256* hash, const fs::path& what) {
  if (!hash && ::ioctl(out, FICLONE, in) == 0) {
    struct stat st{};
    ::fstat(in, &st);
    return static_cast<uint64_t>(st.st_size);
  }
  uint64_t total = 0;
  // Not zero-filled: a small file (an object, a sidecar) touches only the pages it needs.
  constexpr size_t k_chunk = 1 << 20;
  auto buf = std::make_unique_for_overwrite<char[]>(k_chunk);
  while (true) {
    ssize_t n = ::pread(in, buf.get(), k_chunk, static_cast<off_t>(total));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return io_error(what.string(), errno_text(errno));
    }
    if (n == 0) {
      return total;
    }
    if (hash) {
      hash->update(buf.get(), static_cast<size_t>(n));
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.get() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) {
        continue;
      }
      if (w < 0) {
        return io_error(what.string(), errno_text(errno));
      }
      done += w;
    }
    total += static_cast<uint64_t>(n);
  }
}

namespace {

/// fsyncs every regular file and directory under `root` (and `root`), not following symlinks.
Status sync_tree(const fs::path& root) {
  if (!durable_writes()) {
    return {};
  }
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(root, ec))) {
    return sync_path(root);
  }
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::file_status st = it->symlink_status(ec);
    if (fs::is_regular_file(st) || fs::is_directory(st)) {
      SP_TRY(sync_path(it->path()));
    }
  }
  return sync_path(root);
}

} // namespace

AtomicPath::AtomicPath(fs::path final_path) : m_final(std::move(final_path)) {
  fs::path dir = m_final.parent_path();
  // .NAME.PID.XXXXXX, like TempFile's: a later run can tell a dead process's leftover.
  std::string name =
      "." + m_final.filename().string() + "." + std::to_string(::getpid()) + "." + random_suffix();
  m_temp = dir.empty() ? fs::path(name) : dir / name;
  m_token = register_temporary(m_temp);
}

AtomicPath::~AtomicPath() {
  if (!m_committed) {
    std::error_code ec;
    fs::remove_all(m_temp, ec);
  }
  unregister_temporary(m_token);
}

namespace {

/// Makes `from` (fsynced) the file or tree at `to`: a rename, or for a directory already at `to`
/// an atomic exchange and the old tree's removal, so a crash or a failure leaves the old one or
/// the new one under `to`, never neither. `moved` is set once `from` is gone; the parent
/// directory is fsynced.
Status replace_path(const fs::path& from, const fs::path& to, bool& moved) {
  SP_TRY(sync_tree(from));
  std::error_code ec;
  fs::path dir = to.parent_path().empty() ? fs::path(".") : to.parent_path();
  if (fs::is_directory(fs::symlink_status(to, ec))) {
    // rename(2) cannot replace a non-empty directory.
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) != 0) {
      return io_error(to.string(), errno_text(errno));
    }
    moved = true;
    fs::remove_all(from, ec); // the old tree, now under the temporary name
    return sync_path(dir);
  }
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return io_error(to.string(), errno_text(errno));
  }
  moved = true;
  return sync_path(dir);
}

} // namespace

Status AtomicPath::commit() {
  Status st = replace_path(m_temp, m_final, m_committed);
  if (m_committed) {
    unregister_temporary(std::exchange(m_token, 0));
  }
  return st;
}

namespace {

/// Whether `p` is absolute and lexically normal already: no empty, "." or ".." component and no
/// trailing separator ("/" itself aside).
bool is_normal_absolute(std::string_view p) {
  if (p.empty() || p.front() != '/') {
    return false;
  }
  if (p.size() == 1) {
    return true;
  }
  if (p.back() == '/') {
    return false;
  }
  size_t start = 1;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) {
      end = p.size();
    }
    std::string_view part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

} // namespace

bool lexically_within(const fs::path& inner, const fs::path& outer) {
  const std::string& in = inner.native();
  const std::string& out = outer.native();
  if (is_normal_absolute(in) && is_normal_absolute(out)) {
    // Both normal: a comparison of their text, component boundaries respected.
    return in.starts_with(out) && (in.size() == out.size() || out == "/" || in[out.size()] == '/');
  }
  fs::path rel = inner.lexically_relative(outer);
  return !outer.empty() && !rel.empty() && *rel.begin() != "..";
}

fs::path normal_absolute(const fs::path& p) {
  if (is_normal_absolute(p.native())) {
    return p;
  }
  std::error_code ec;
  return fs::absolute(p, ec).lexically_normal();
}

fs::path temp_root() {
  const char* base = std::getenv("TMPDIR");
  return base && *base ? fs::path(base) : fs::path("/tmp");
}

TempDir::TempDir(std::string_view prefix, const fs::path& parent) {
  std::string dir = !parent.empty() ? parent.string() : temp_root().string();
  // The pid in the name lets a later run sweep what a killed process left (sweep_stale).
  std::string templ =
      dir + "/" + std::string(prefix) + "." + std::to_string(::getpid()) + ".XXXXXX";
  int err = 0;
  m_token = create_temporary([&] {
    bool made = ::mkdtemp(templ.data()) != nullptr;
    err = errno;
    return made ? fs::path(templ) : fs::path();
  });
  if (m_token == 0) {
    throw std::runtime_error("cannot create a temporary directory in " + templ + ": " +
                             errno_text(err));
  }
  m_path = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
  unregister_temporary(m_token);
}

Result<std::unique_ptr<OutputStage>> OutputStage::open(const fs::path& dir) {
  std::unique_ptr<OutputStage> stage(new OutputStage(dir));
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(fs::symlink_status(p, ec));
       p = p.parent_path()) {
    stage->m_created.push_back(p); // deepest first
    if (p == p.parent_path()) {
      break;
    }
  }
  SP_TRY(make_dirs(dir));
  sweep_stale(dir, ".scratchpack-stage"); // what killed runs left
  stage->m_root = std::make_unique<TempDir>(".scratchpack-stage", dir);
  return stage;
}

OutputStage::~OutputStage() {
  m_root.reset();
  if (!m_committed) {
    // Directories this stage created and nothing else filled: a failed run leaves no trace.
    for (const fs::path& p : m_created) {
      if (::rmdir(p.c_str()) != 0) {
        break;
      }
    }
  }
}

const fs::path& OutputStage::root() const {
  return m_root->path();
}

fs::path OutputStage::stage(const fs::path& final_path) {
  fs::path rel = final_path.lexically_relative(m_dir);
  m_outputs.push_back(rel);
  return root() / rel;
}

fs::path OutputStage::adopt(const fs::path& staged) {
  fs::path rel = staged.lexically_relative(root());
  m_outputs.push_back(rel);
  return m_dir / rel;
}

fs::path OutputStage::final_path(const fs::path& staged) const {
  fs::path rel = staged.lexically_relative(root());
  return rel.empty() || *rel.begin() == ".." ? staged : m_dir / rel;
}

Status OutputStage::commit() {
  // First every check, then every move: a file cannot replace a directory or the reverse, and
  // finding that halfway would leave some outputs new and some old.
  std::error_code ec;
  for (const fs::path& rel : m_outputs) {
    fs::file_status from = fs::symlink_status(root() / rel, ec);
    fs::file_status to = fs::symlink_status(m_dir / rel, ec);
    if (fs::exists(from) && fs::exists(to) && fs::is_directory(from) != fs::is_directory(to)) {
      return io_error((m_dir / rel).string(),
                      fs::is_directory(to) ? "is a directory; the output is a file"
                                           : "is not a directory; the output is one",
                      "remove it, or choose another output directory with --out");
    }
  }
  for (const fs::path& rel : m_outputs) {
    fs::path from = root() / rel;
    if (!fs::exists(fs::symlink_status(from, ec))) {
      continue;
    }
    SP_TRY(make_dirs((m_dir / rel).parent_path()));
    bool moved = false;
    // From the first move on, the directories open() created hold outputs: they stay.
    m_committed = true;
    SP_TRY(replace_path(from, m_dir / rel, moved));
  }
  m_committed = true;
  return {};
}

pid_t temporary_owner(std::string_view name) {
  // NAME.PID.XXXXXX: the pid is the second component from the end.
  std::vector<std::string> parts = split(name, '.');
  unsigned long long pid = 0;
  if (parts.size() < 3 || parts.back().size() != 6 || !parse_uint(parts[parts.size() - 2], pid) ||
      pid == 0 || pid > 0x7fffffff) {
    return 0;
  }
  return static_cast<pid_t>(pid);
}

size_t sweep_stale(const fs::path& dir, std::string_view prefix) {
  size_t removed = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    pid_t pid = temporary_owner(name);
    bool ours = name.starts_with(prefix) || name.starts_with("." + std::string(prefix));
    // kill(pid, 0) fails with ESRCH only when no such process exists (EPERM: it does).
    if (ours && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove_all(e.path(), ignored);
      ++removed;
    }
  }
  return removed;
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

fs::path xdg_path(const char* override_var, const char* xdg_var, const char* home_dir,
                  std::string_view leaf) {
  if (const char* d = std::getenv(override_var); d && *d) {
    return d;
  }
  fs::path base;
  if (const char* x = std::getenv(xdg_var); x && *x) {
    base = x;
  } else {
    const char* home = std::getenv("HOME");
    base = fs::path(home && *home ? home : "/tmp") / home_dir;
  }
  fs::path dir = base / "scratchpack";
  return leaf.empty() ? dir : dir / leaf;
}

fs::path sysroots_dir() {
  return xdg_path("SCRATCHPACK_SYSROOTS", "XDG_DATA_HOME", ".local/share", "sysroots");
}

fs::path cache_dir() {
  return xdg_path("SCRATCHPACK_CACHE", "XDG_CACHE_HOME", ".cache", "");
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
