const char* greeting(void) {
  return "Hello from a CMake project in a scratch image!";
}
