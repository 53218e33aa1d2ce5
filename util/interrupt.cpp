#include "util/interrupt.h"

#include <csignal>
#include <map>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace sp {

namespace {

std::mutex g_mutex;
std::map<uint64_t, std::filesystem::path> g_paths;
uint64_t g_next = 1;

[[noreturn]] void handle_interrupts(sigset_t set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  {
    // Held to the end: no temporary is registered, or committed, while they are removed.
    std::lock_guard<std::mutex> lock(g_mutex);
    for (const auto& [token, path] : g_paths) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
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
