#include "util/interrupt.h"

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace sp {

namespace {

std::mutex g_mutex; ///< held by the handler from the signal to the end of the process
std::map<uint64_t, std::filesystem::path> g_paths;
uint64_t g_next = 1;

/// Removes a temporary while other threads (and children) may still be writing into it. A
/// directory is first renamed aside, so a file created by its old path after this point fails
/// instead of landing in a tree already emptied.
void remove_now(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path target = path;
  std::string name = path.filename().string();
  if (std::filesystem::is_directory(std::filesystem::symlink_status(path, ec)) && name.size() > 6) {
    // NAME.PID.XXXXXX keeps its form (a later sweep_stale still knows the owner).
    std::filesystem::path aside = path.parent_path() / (name.substr(0, name.size() - 6) + "zzzzzz");
    if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, aside.c_str(), RENAME_NOREPLACE) == 0) {
      target = aside;
    }
  }
  // A system call that resolved the old path just before the rename (a rename into the tree)
  // may still land in it once: another pass removes what it left.
  for (int pass = 0; pass < 4; ++pass) {
    std::filesystem::remove_all(target, ec);
    if (!std::filesystem::exists(std::filesystem::symlink_status(target, ec))) {
      break;
    }
  }
}

[[noreturn]] void handle_interrupts(sigset_t set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  {
    // Held to the end: no temporary is registered, or committed, while they are removed.
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& [token, path] : g_paths) {
      remove_now(path);
    }
    std::signal(sig, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    raise(sig);
  }
  std::_Exit(128 + sig); // only when the signal did not end the process
}

} // namespace

void interrupt_signals(sigset_t* set) {
  sigemptyset(set);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGHUP);
}

void install_interrupt_cleanup() {
  sigset_t set;
  interrupt_signals(&set);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(handle_interrupts, set).detach();
}

uint64_t register_temporary(const std::filesystem::path& path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  uint64_t token = g_next++;
  g_paths.emplace(token, path);
  return token;
}

uint64_t create_temporary(const std::function<std::filesystem::path()>& create) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::filesystem::path path = create();
  if (path.empty()) {
    return 0;
  }
  uint64_t token = g_next++;
  g_paths.emplace(token, std::move(path));
  return token;
}

void unregister_temporary(uint64_t token) {
  if (token == 0) {
    return;
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  g_paths.erase(token);
}

void reset_signals_in_child() {
  sigset_t set;
  interrupt_signals(&set);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

} // namespace sp
