#include "util/process.h"

#include "util/fs.h"
#include "util/interrupt.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sp {

namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() { close_both(); }
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0) {
      ::close(fd[i]);
      fd[i] = -1;
    }
  }
  void close_both() {
    close_end(0);
    close_end(1);
  }
};

} // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  const ProcessOptions& options) {
  if (argv.empty()) {
    return usage_error("run_process", "empty command");
  }
  std::string program = find_program(argv[0]);
  if (program.empty()) {
    return io_error(argv[0], "program not found on PATH");
  }

  Pipe out_pipe, err_pipe, in_pipe;
  if ((options.capture_out && !out_pipe.open()) || (options.capture_err && !err_pipe.open()) ||
      (!options.input.empty() && !in_pipe.open())) {
    return io_error(argv[0], std::string("pipe: ") + std::strerror(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.capture_out) {
    posix_spawn_file_actions_adddup2(&actions, out_pipe.fd[1], 1);
  }
  if (options.capture_err) {
    posix_spawn_file_actions_adddup2(&actions, err_pipe.fd[1], 2);
  }
  if (!options.input.empty()) {
    posix_spawn_file_actions_adddup2(&actions, in_pipe.fd[0], 0);
  } else if (!options.inherit_stdin) {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  }

  std::vector<char*> args;
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) {
    env_storage.emplace_back(*e);
  }
  for (const std::string& kv : options.env) {
    std::string key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env_storage, [&](const std::string& s) { return s.rfind(key, 0) == 0; });
    env_storage.push_back(kv);
  }
  std::vector<char*> envp;
  for (std::string& s : env_storage) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);

  // The child starts with the signals scratchpack's interrupt handler blocks unblocked and at
  // their defaults (util/interrupt.h): Ctrl-C reaches clang as it would without scratchpack.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, interrupts;
  sigemptyset(&none);
  interrupt_signals(&interrupts);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &interrupts);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return io_error(argv[0], std::strerror(rc));
  }
  out_pipe.close_end(1);
  err_pipe.close_end(1);
  in_pipe.close_end(0);
  // Our end of the child's stdin must not block: a write of more than the pipe holds would
  // wait for the child to read while the child waits for us to drain its stdout (tar -t of a
  // large archive did).
  if (in_pipe.fd[1] >= 0) {
    ::fcntl(in_pipe.fd[1], F_SETFL, ::fcntl(in_pipe.fd[1], F_GETFL) | O_NONBLOCK);
  }

  ProcessResult result;
  size_t written = 0;
  std::vector<pollfd> fds;
  while (true) {
    fds.clear();
    if (out_pipe.fd[0] >= 0) {
      fds.push_back({out_pipe.fd[0], POLLIN, 0});
    }
    if (err_pipe.fd[0] >= 0) {
      fds.push_back({err_pipe.fd[0], POLLIN, 0});
    }
    if (in_pipe.fd[1] >= 0) {
      fds.push_back({in_pipe.fd[1], POLLOUT, 0});
    }
    if (fds.empty()) {
      break;
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (const pollfd& p : fds) {
      if (!p.revents) {
        continue;
      }
      if (p.fd == in_pipe.fd[1]) {
        ssize_t n = ::write(p.fd, options.input.data() + written, options.input.size() - written);
        if (n > 0) {
          written += static_cast<size_t>(n);
        }
        bool again = n < 0 && (errno == EAGAIN || errno == EINTR);
        if ((n < 0 && !again) || written == options.input.size()) {
          in_pipe.close_end(1);
        }
        continue;
      }
      char buf[1 << 16];
      ssize_t n = ::read(p.fd, buf, sizeof buf);
      std::string& sink = p.fd == out_pipe.fd[0] ? result.out : result.err;
      if (n > 0) {
        sink.append(buf, static_cast<size_t>(n));
        if (options.on_out && p.fd == out_pipe.fd[0]) {
          options.on_out(std::string_view(buf, static_cast<size_t>(n)));
        }
      } else if (n == 0 || errno != EINTR) {
        (p.fd == out_pipe.fd[0] ? out_pipe : err_pipe).close_end(0);
      }
    }
  }

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return io_error(argv[0], std::string("waitpid: ") + std::strerror(errno));
    }
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

} // namespace sp
