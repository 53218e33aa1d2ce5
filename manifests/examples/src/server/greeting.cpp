#include "greeting.h"

#include <fstream>

#ifndef GREETING
#define GREETING "hello"
#endif

// The configuration is one line: `greeting = <text>`. Anything else keeps the default.
std::string load_greeting(const char* config_path) {
  std::string greeting = GREETING;
  if (config_path == nullptr) {
    return greeting;
  }
  std::ifstream in(config_path);
  std::string line;
  const std::string key = "greeting = ";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      greeting = line.substr(key.size());
    }
  }
  return greeting;
}
