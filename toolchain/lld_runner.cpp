// run_link: lld from the scratchpack-lld.so module (toolchain/lld/module.cpp), loaded on first
// use and run in a forked child of this process per link (see link.h for why).
#include "toolchain/link.h"
#include "util/interrupt.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <sys/wait.h>
#include <unistd.h>

namespace sp::toolchain {

namespace {

using LinkFn = int (*)(int, const char* const*, char**, int*);

std::mutex g_lld_mutex;
LinkFn g_link = nullptr;
std::string g_load_error;

/// Where the module may be: $SCRATCHPACK_LLD_MODULE, beside the executable, in ../lib/scratchpack
/// of it, or where the build put it.
std::vector<fs::path> module_candidates() {
  std::vector<fs::path> out;
  if (const char* env = std::getenv("SCRATCHPACK_LLD_MODULE"); env && *env) {
    out.emplace_back(env);
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back(exe.parent_path() / "scratchpack-lld.so");
    out.push_back(exe.parent_path().parent_path() / "lib" / "scratchpack" / "scratchpack-lld.so");
  }
  out.emplace_back(SP_LLD_MODULE_BUILD_PATH);
  return out;
}

void load_module() {
  for (const fs::path& candidate : module_candidates()) {
    if (::access(candidate.c_str(), R_OK) != 0) {
      continue;
    }
    void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      g_load_error = ::dlerror();
      return;
    }
    g_link = reinterpret_cast<LinkFn>(::dlsym(handle, "scratchpack_lld_link"));
    if (!g_link) {
      g_load_error = candidate.string() + " has no scratchpack_lld_link";
    }
    return;
  }
  g_load_error = "scratchpack-lld.so not found beside the executable";
}

/// The child: link, send lld's text up the pipe, exit with 0 (linked) or 1. _exit skips the
/// parent's atexit handlers and destructors, which are not the child's to run.
[[noreturn]] void link_in_child(const std::vector<const char*>& args, int out_fd) {
  char* diagnostics = nullptr;
  int can_run_again = 1;
  int rc = g_link(static_cast<int>(args.size()), args.data(), &diagnostics, &can_run_again);
  if (diagnostics) {
    size_t left = std::strlen(diagnostics);
    const char* p = diagnostics;
    while (left > 0) {
      ssize_t n = ::write(out_fd, p, left);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  ::_exit(rc == 0 ? 0 : 1);
}

} // namespace

Result<LinkOutput> run_link(const std::vector<std::string>& argv) {
  std::lock_guard<std::mutex> lock(g_lld_mutex);
  if (!g_link && g_load_error.empty()) {
    load_module();
  }
  if (!g_link) {
    return failure("cannot load the linker", g_load_error,
                   "reinstall scratchpack, or point SCRATCHPACK_LLD_MODULE at scratchpack-lld.so");
  }
  std::vector<const char*> args;
  for (const std::string& a : argv) {
    args.push_back(a.c_str());
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return io_error("link", std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return io_error("link", std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    reset_signals_in_child();
    ::close(fds[0]);
    link_in_child(args, fds[1]);
  }
  ::close(fds[1]);
  LinkOutput out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n > 0) {
      out.diagnostics.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return io_error("link", std::string("waitpid: ") + std::strerror(errno));
    }
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGKILL) {
      return failure("link", std::string("interrupted (") + ::strsignal(sig) + ")");
    }
    return failure("link", std::string("lld crashed (") + ::strsignal(sig) + ")",
                   "please report it to scratchpack with the link line (build --verbose)")
        .with_details(out.diagnostics);
  }
  out.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return out;
}

} // namespace sp::toolchain
