# The same sources built in two different directories give byte-identical binaries, for every
# profile, for a cross target, and for C++ on musl (libc++).
source "$(dirname "$0")/lib.sh"

for d in one two/nested; do
  mkdir -p "$d/inc"
  printf '#include <iostream>\nvoid where();\nint main() { std::cout << "hi" << std::endl; where(); }\n' >"$d/main.cpp"
  printf '#include <cassert>\n#include <cstdio>\nvoid where() { assert(__FILE__[0]); std::puts(__FILE__); }\n' >"$d/file.cpp"
done

for profile in debug release size; do
  for t in x86_64 aarch64 x86_64-musl armv7-musl; do
    [[ $t == *-musl ]] && need_sysroot "$t"
    for d in one two/nested; do
      (cd "$d" && "$SCRATCHPACK" build main.cpp file.cpp -I inc --profile $profile --target $t \
        -o "app-$profile-$t" --format none >/dev/null)
    done
    step "$profile $t: $(sha256sum one/out/app-$profile-$t | cut -c1-16)"
    cmp one/out/app-$profile-$t two/nested/out/app-$profile-$t ||
      fail "$profile build for $t differs between directories"
  done
done

step "no build directory leaks into the binaries"
for f in one/out/*; do
  if grep -q "$WORK" "$f"; then fail "$f contains the build path $WORK"; fi
done
echo "ok"
