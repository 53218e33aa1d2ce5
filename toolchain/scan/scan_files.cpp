// Scanning files on disk: the build gate (scan_file) and `scratchpack scan PATH...` (scan_paths).
// Files are read in pieces: the reader asks only for the header, the tables and the few sections
// and strings it needs, so a 100 MB library costs a few kilobytes of reads. Inside directories a
// 4-byte pread decides whether a file is worth opening as ELF at all.
#include "toolchain/scan/elf_reader.h"
#include "toolchain/scan/findings.h"
#include "toolchain/scan/scanner.h"
#include "util/parallel.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace sp::scan {

std::optional<std::string_view> FileSource::read(uint64_t offset, uint64_t length) const {
  if (offset > m_size || length > m_size - offset) {
    return std::nullopt;
  }
  for (const Chunk& c : m_chunks) {
    if (offset >= c.offset && offset + length <= c.offset + c.size) {
      return std::string_view(c.data.get() + (offset - c.offset), length);
    }
  }
  // Neighbouring structures sit close together (section names just before the section headers,
  // strings after the dynamic section): read a small window around small requests.
  constexpr uint64_t k_window = 4096;
  uint64_t start = offset > k_window / 4 ? offset - k_window / 4 : 0;
  uint64_t end = std::min(m_size, std::max(offset + length, start + k_window));
  Chunk chunk{start, end - start, std::make_unique_for_overwrite<char[]>(end - start)};
  if (!read_exactly(chunk.data.get(), chunk.size, start)) {
    return std::nullopt;
  }
  m_chunks.push_back(std::move(chunk));
  return std::string_view(m_chunks.back().data.get() + (offset - start), length);
}

bool FileSource::read_exactly(char* out, size_t size, uint64_t offset) const {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(m_fd, out + done, size - done, static_cast<off_t>(m_base + offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

namespace {

namespace fs = std::filesystem;

/// An open file descriptor, closed on scope exit.
class Fd {
public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

private:
  int m_fd;
};

FileReport problem_report(const std::string& path, const char* kind, const char* code,
                          std::string why, const ScanOptions& options) {
  FileReport r;
  r.path = path;
  r.kind = kind;
  r.findings.push_back(make_finding(code, std::move(why), options));
  return r;
}

FileReport open_failure(const std::string& path, int err, const ScanOptions& options) {
  if (err == ENOENT || err == ENOTDIR) {
    return problem_report(path, "missing", "file.missing", "no such file", options);
  }
  return problem_report(path, "unreadable", "file.unreadable", std::strerror(err), options);
}

bool starts_with_elf_magic(int fd) {
  char magic[4];
  return ::pread(fd, magic, sizeof magic, 0) == static_cast<ssize_t>(sizeof magic) &&
         std::memcmp(magic,
                     "\x7f"
                     "ELF",
                     4) == 0;
}

/// Scans one file. `quiet_non_elf`: a file found inside a directory that is not ELF gives nullopt.
std::optional<FileReport> scan_one(const std::string& path, bool quiet_non_elf,
                                   const ScanOptions& options) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    return open_failure(path, errno, options);
  }
  if (quiet_non_elf && !starts_with_elf_magic(fd.get())) {
    return std::nullopt;
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) {
    return open_failure(path, errno, options);
  }
  if (!S_ISREG(st.st_mode)) {
    return problem_report(path, "unreadable", "file.unreadable",
                          S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file", options);
  }
  FileSource source(fd.get(), static_cast<uint64_t>(st.st_size));
  return scan_source(path, source, options);
}

struct Candidate {
  std::string path;
  bool explicit_file; ///< named on the command line: always reported
  bool operator<(const Candidate& o) const { return path < o.path; }
};

/// Regular files under `dir`, without following symlinks (a link's target is scanned where it
/// lives; following would report the same library under every alias).
Status walk(const std::string& dir, std::vector<Candidate>& out) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    return io_error(dir, ec.message());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      return io_error(dir, ec.message());
    }
    const fs::directory_entry& entry = *it;
    std::error_code type_ec;
    if (!entry.is_symlink(type_ec) && entry.is_regular_file(type_ec)) {
      out.push_back({entry.path().string(), false});
    }
  }
  return {};
}

Result<std::vector<Candidate>> collect(const std::vector<std::string>& paths) {
  std::vector<Candidate> out;
  for (const std::string& p : paths) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) {
      return io_error(p, std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      SP_TRY(walk(p, out));
    } else {
      out.push_back({p, true});
    }
  }
  std::sort(out.begin(), out.end());
  // A file named explicitly and also found in a directory is reported once, as explicit.
  std::vector<Candidate> unique;
  for (Candidate& c : out) {
    if (!unique.empty() && unique.back().path == c.path) {
      unique.back().explicit_file = unique.back().explicit_file || c.explicit_file;
    } else {
      unique.push_back(std::move(c));
    }
  }
  out = std::move(unique);
  return out;
}

} // namespace

FileReport scan_file(const std::string& path, const ScanOptions& options) {
  return *scan_one(path, false, options);
}

Result<ScanReport> scan_paths(const std::vector<std::string>& paths, const ScanOptions& options) {
  Result<std::vector<Candidate>> candidates = collect(paths);
  if (!candidates) {
    return candidates.take_error();
  }
  std::vector<std::optional<FileReport>> results(candidates->size());
  unsigned jobs = options.jobs == 0 ? default_jobs() : options.jobs;
  parallel_for(results.size(), jobs, [&](size_t i) {
    const Candidate& c = (*candidates)[i];
    results[i] = scan_one(c.path, !c.explicit_file, options);
  });
  ScanReport report;
  report.platform = options.platform;
  report.strict = options.strict;
  for (std::optional<FileReport>& r : results) {
    if (r) {
      report.files.push_back(std::move(*r));
    } else {
      ++report.skipped;
    }
  }
  return report;
}

} // namespace sp::scan
