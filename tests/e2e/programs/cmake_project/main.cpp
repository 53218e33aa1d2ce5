#include "count.h"
#include "greet.h"
#include "version.h"

#include <cstdio>
#include <thread>
#include <vector>

int main() {
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([] { count_add(1); });
  }
  for (std::thread& t : workers) {
    t.join();
  }
  std::printf("demo %s: %s, counted %d\n", DEMO_VERSION, greeting().c_str(), count_value());
  return 0;
}
