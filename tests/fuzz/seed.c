// A libc-free program that carries every construct the scanner looks at: glibc's link-warning
// sections, a dlopen() that is called, iconv_open, TLS, a PLT call into a shared library (when
// built with -DSEED_DYNAMIC). Built for several architectures by run_fuzz.sh (seed corpus) and by
// the unit tests (big-endian and 32-bit fixtures without a cross libc).
__attribute__((used, section(".gnu.warning.dlopen"))) static const char k_warn_dlopen[] =
    "Using 'dlopen' in statically linked applications requires at runtime the shared libraries "
    "from the glibc version used for linking";
__attribute__((used, section(".gnu.warning.getaddrinfo"))) static const char k_warn_gai[] =
    "Using 'getaddrinfo' in statically linked applications requires at runtime the shared "
    "libraries from the glibc version used for linking";
__attribute__((used, section(".gnu.warning.gets"))) static const char k_warn_gets[] =
    "the `gets' function is dangerous and should not be used.";

__thread int seed_tls;

__attribute__((noinline)) void* dlopen(const char* file, int mode) {
  return (void*)(file + mode);
}
__attribute__((noinline)) int iconv_open(void) {
  return seed_tls;
}

#ifdef SEED_DYNAMIC
int seed_lib_function(int);
#endif

void _start(void) {
  volatile int sink = (int)(long)dlopen("libm.so.6", 2) + iconv_open();
#ifdef SEED_DYNAMIC
  sink += seed_lib_function(sink);
#endif
  (void)sink;
  for (;;) {
  }
}
