#include "greet.h"
std::string greeting() {
  return std::string("hello from ") + "greet";
}
