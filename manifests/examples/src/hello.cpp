#include <iostream>

int main() {
  std::cout << "Hello from scratch!" << std::endl;
  return 0;
}
