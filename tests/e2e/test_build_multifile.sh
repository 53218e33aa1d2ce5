# A multi-file C++ program: two .cpp files, a header in an -I dir, a -D define, a static library
# via -l/-L, exceptions and std::thread; built and run for x86_64, aarch64 and armv7 with glibc
# (libstdc++) and musl (libc++).
source "$(dirname "$0")/lib.sh"

mkdir -p src include lib-src
cat > include/greet.h <<'H'
#pragma once
#include <string>
std::string greeting(int n);
extern "C" int twice(int x);
H
cat > src/main.cpp <<'C'
#include <iostream>
#include <stdexcept>
#include <thread>
#include "greet.h"
int main() {
  int result = 0;
  std::thread worker([&] { result = twice(21); });
  worker.join();
  try {
    throw std::runtime_error(greeting(result));
  } catch (const std::exception& e) {
    std::cout << e.what() << " " << GREETING_SUFFIX << std::endl;
  }
  return 0;
}
C
cat > src/greet.cpp <<'C'
#include "greet.h"
std::string greeting(int n) { return "caught " + std::to_string(n); }
C
cat > lib-src/twice.c <<'C'
int twice(int x) { return 2 * x; }
C

for t in x86_64 aarch64 armv7 x86_64-musl aarch64-musl armv7-musl; do
  arch=${t%-musl}
  step "static library for $arch"
  case $arch in
    x86_64) cflags=(--target=x86_64-linux-gnu) ;;
    aarch64) cflags=(--target=aarch64-linux-gnu) ;;
    armv7) cflags=(--target=armv7a-linux-gnueabihf -march=armv7-a -mthumb -mfpu=vfpv3-d16 -mfloat-abi=hard) ;;
  esac
  if [ ! -f "lib-$arch/libtwice.a" ]; then
    mkdir -p "lib-$arch"
    # Plain C without libc calls: the same archive links against glibc and musl.
    "$SP_LLVM_BINDIR/clang" "${cflags[@]}" -O2 -fno-pic -c lib-src/twice.c -o "lib-$arch/twice.o"
    "$SP_LLVM_BINDIR/llvm-ar" rcs "lib-$arch/libtwice.a" "lib-$arch/twice.o"
  fi
  [[ $t == *-musl ]] && need_sysroot "$t"

  step "build the program for $t"
  "$SCRATCHPACK" build src/main.cpp src/greet.cpp -I include -D 'GREETING_SUFFIX="from threads"' \
    -L "lib-$arch" -l twice --target $t -o "app-$t" -j 2 --format none >/dev/null
  assert_static_elf "out/app-$t"
  assert_eq "caught 42 from threads" "$(run_for_target $t "out/app-$t")" "output of app-$t"
done
echo "ok"
