// Many small allocations and frees on several threads at once: the pattern where allocators
// differ most (musl's mallocng serialises on one lock; glibc's ptmalloc has per-thread arenas).
// Usage: malloc_threads [THREADS [ROUNDS]]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 4;
  long rounds = argc > 2 ? std::atol(argv[2]) : 500000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([rounds] {
      // 64 live strings per thread, each replaced in turn: steady churn of 40-100 byte blocks.
      std::vector<std::string*> live(64, nullptr);
      for (long i = 0; i < rounds; ++i) {
        std::string*& slot = live[static_cast<size_t>(i % 64)];
        delete slot;
        slot = new std::string(static_cast<size_t>(40 + i % 60), 'x');
      }
      for (std::string* p : live) {
        delete p;
      }
    });
  }
  for (std::thread& t : pool) {
    t.join();
  }
  std::printf("%d threads x %ld allocations\n", threads, rounds);
  return 0;
}
