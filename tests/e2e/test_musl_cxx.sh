# C++ on musl with the cached libc++: hello.cpp images for x86_64, aarch64 and armv7 run under
# podman, scan clean (no glibc.* findings), stay small; exceptions and the terminate handler
# work; a build with a warm libc++ cache builds nothing but the program.
source "$(dirname "$0")/lib.sh"
podman_setup
binfmt_setup

# Two sources, exceptions across them, and a thread: the multi-file program as an image too.
cat > worker.cpp <<'C'
#include <stdexcept>
#include <string>
std::string work(int n) {
  if (n > 40) {
    throw std::out_of_range("too big: " + std::to_string(n));
  }
  return "fine";
}
C
cat > app.cpp <<'C'
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
std::string work(int n);
int main() {
  std::string seen;
  std::thread t([&] {
    try {
      work(42);
    } catch (const std::out_of_range& e) {
      seen = e.what();
    }
  });
  t.join();
  std::cout << "caught " << seen << std::endl;
}
C

for t in x86_64:amd64 aarch64:arm64 armv7:arm; do
  arch=${t%%:*} platform=${t##*:}
  need_sysroot "$arch-musl"
  step "hello.cpp for $arch-musl: image, scan, podman"
  capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target "$arch-musl" --profile size -o "hello-$arch"
  assert_eq 0 "$RC" "build for $arch-musl ($ERR)"
  assert_not_contains "$ERR" "building libc++" "the fixture built libc++ for $arch-musl already"
  assert_static_elf "out/hello-$arch"
  capture "$SCRATCHPACK" scan "out/hello-$arch.tar" --json
  assert_eq 0 "$RC" "scan of the $arch-musl image"
  python3 - "$OUT" <<'PY' || fail "scan findings for $arch-musl: $OUT"
import json, sys
report = json.loads(sys.argv[1])
codes = [f["code"] for file in report["files"] for f in file.get("findings", [])]
assert not [c for c in codes if c.startswith("glibc.")], codes
assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0, report["summary"]
PY
  capture podman run --rm --network=none --arch "$platform" "oci-archive:out/hello-$arch.tar"
  assert_eq 0 "$RC" "$arch-musl container exit code ($ERR)"
  assert_eq "Hello from scratch!" "$OUT" "$arch-musl container output"
  capture "$SCRATCHPACK" build app.cpp worker.cpp --target "$arch-musl" -o "app-$arch"
  assert_eq 0 "$RC" "multi-file build for $arch-musl ($ERR)"
  assert_not_contains "$ERR" "warning" "scan gate of the multi-file program for $arch-musl"
  capture podman run --rm --network=none --arch "$platform" "oci-archive:out/app-$arch.tar"
  assert_eq "caught too big: 42" "$OUT" "$arch-musl multi-file container output ($ERR)"
  size=$(image_bytes "out/hello-$arch.tar")
  step "$arch-musl size profile: binary $(stat -c %s "out/hello-$arch") B, image $size B"
  [ "$size" -le 150000 ] || fail "the $arch-musl hello.cpp image is $size bytes (limit 150000)"
done

step "an uncaught exception reaches libc++abi's terminate handler (mangled type, SIGABRT)"
cat > throw.cpp <<'C'
#include <stdexcept>
int main() { throw std::runtime_error("boom"); }
C
"$SCRATCHPACK" build throw.cpp --libc musl --format none >/dev/null
capture ./out/throw
assert_eq 134 "$RC" "exit status of an uncaught exception"
assert_contains "$ERR" "terminating due to uncaught exception of type St13runtime_error: boom" "terminate message"

step "a warm libc++ cache: the second build compiles the program only"
printf '#include <iostream>\nint main() { std::cout << "warm " << 42 << std::endl; }\n' > warm.cpp
"$SCRATCHPACK" build warm.cpp --libc musl --no-cache --format none >/dev/null 2>&1
start=$(date +%s%N)
capture "$SCRATCHPACK" build warm.cpp --libc musl --no-cache --format none
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 0 "$RC" "warm build ($ERR)"
assert_eq "" "$ERR" "a warm build prints no progress"
assert_eq "warm 42" "$(./out/warm)" "warm build output"
step "warm musl C++ build: $elapsed_ms ms"
[ "$elapsed_ms" -lt 10000 ] || fail "a warm musl C++ build took $elapsed_ms ms"
echo "ok"
