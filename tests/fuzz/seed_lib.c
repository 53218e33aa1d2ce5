// The shared library the dynamic seed links against, so that it carries a DT_NEEDED.
int seed_lib_function(int x) {
  return x + 1;
}
