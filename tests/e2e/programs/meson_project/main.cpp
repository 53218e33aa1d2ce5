#include "config.h"

#include <future>
#include <iostream>

extern "C" int sum_to(int n);

int main() {
  auto total = std::async(std::launch::async, [] { return sum_to(10); });
  std::cout << "mdemo " << MDEMO_VERSION << ": sum " << total.get() << "\n";
  return 0;
}
