#include "toolchain/provision.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace sp::toolchain {

Status run_checked(const std::vector<std::string>& argv, ProcessOptions options) {
  options.env.push_back("DEBIAN_FRONTEND=noninteractive");
  auto r = run_process(argv, options);
  if (!r) {
    return r.take_error();
  }
  if (r->exit_code != 0) {
    // Name the command by its verb ("apt-get update"), not its options.
    std::string verb;
    for (size_t i = 1; i < argv.size() && verb.empty(); ++i) {
      verb = argv[i][0] == '-' ? "" : argv[i];
    }
    std::string tool = fs::path(argv[0]).filename().string();
    return failure(tool + (verb.empty() ? "" : " " + verb),
                   "exited with status " + std::to_string(r->exit_code))
        .with_details(r->err.empty() ? r->out : r->err);
  }
  return {};
}

std::vector<std::string> private_apt(const std::string& tool, const std::string& arch,
                                     const fs::path& lists) {
  return {tool,
          "-qq",
          "-oAPT::Architecture=" + arch,
          "-oAPT::Architectures=" + arch,
          "-oDir::State::Lists=" + lists.string(),
          "-oDir::State::status=/dev/null",
          "-oDir::Cache::pkgcache=",
          "-oDir::Cache::srcpkgcache=",
          "-oAPT::Sandbox::User=root"};
}

namespace {

bool has_package_lists(const fs::path& lists) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(lists, ec)) {
    std::string name = entry.path().filename().string();
    if (name.find("_Packages") != std::string::npos || name.find("_Sources") != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

Status apt_update(const std::vector<std::string>& apt, const fs::path& lists) {
  SP_TRY(make_dirs(lists / "partial"));
  std::vector<std::string> update = apt;
  update.push_back("update");
  // Mirrors are sometimes mid-sync ("File has unexpected size"): retry, and when lists from an
  // earlier update exist, go on with them rather than fail.
  Status updated;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    updated = run_checked(update);
    if (updated) {
      return {};
    }
    std::this_thread::sleep_for(std::chrono::seconds(2 * attempt));
  }
  if (has_package_lists(lists)) {
    return {};
  }
  return updated;
}

void remove_leftovers(const fs::path& dir, const std::vector<std::string>& prefixes) {
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    for (const std::string& prefix : prefixes) {
      if (name.rfind(prefix, 0) == 0) {
        doomed.push_back(entry.path());
        break;
      }
    }
  }
  for (const fs::path& p : doomed) {
    fs::remove_all(p, ec);
  }
}

Result<FileLock> FileLock::acquire(const fs::path& path, const std::function<void()>& on_wait) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return io_error(path.string(), std::strerror(errno));
  }
  FileLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    return lock;
  }
  if (errno != EWOULDBLOCK) {
    return io_error(path.string(), std::string("flock: ") + std::strerror(errno));
  }
  if (on_wait) {
    on_wait();
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      return io_error(path.string(), std::string("flock: ") + std::strerror(errno));
    }
  }
  return lock;
}

} // namespace sp::toolchain
