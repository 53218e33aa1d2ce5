#include <stdio.h>

int main(void) {
  puts("Hello from scratch!");
  return 0;
}
