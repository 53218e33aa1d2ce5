#include "util/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace sp {

unsigned default_jobs() {
  return std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(size_t count, unsigned jobs, const std::function<void(size_t)>& fn) {
  size_t threads = std::min<size_t>(count, std::max(1u, jobs));
  if (threads <= 1) {
    for (size_t i = 0; i < count; ++i) {
      fn(i);
    }
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < count; i = next++) {
        fn(i);
      }
    });
  }
  for (std::thread& th : pool) {
    th.join();
  }
}

} // namespace sp
