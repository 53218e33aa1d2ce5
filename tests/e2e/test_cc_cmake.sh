# A CMake project as users write them (two libraries from a subdirectory, a generated header,
# find_package(Threads)) built by CMake and Ninja with scratchpack as the compiler, for x86_64 and
# aarch64 with both libcs: through `toolchain-file cmake`, through `eval "$(scratchpack env)"`,
# with one `scratchpack build --cmake` (a four-platform image) and as a manifest's cmake: binary.
# The executables are static, pass the scan gate, run (aarch64 under qemu) and, packaged, run in
# podman. Ninja's dependency files come out right on cache hits too: a touched header rebuilds
# exactly the objects that include it.
source "$(dirname "$0")/lib.sh"
private_build_cache
podman_setup
binfmt_setup
cp -r "$(dirname "$0")/programs/cmake_project" project
PROJECT=$WORK/project
EXPECTED="demo 1.2.3: hello from greet, counted 3"

for target in x86_64-glibc aarch64-glibc x86_64-musl aarch64-musl; do
  step "$target: cmake -DCMAKE_TOOLCHAIN_FILE=\$(scratchpack toolchain-file cmake) && cmake --build"
  case $target in *-musl) need_sysroot "$target" ;; esac
  "$SCRATCHPACK" toolchain-file cmake --target "$target" -o "$target.cmake"
  capture cmake -G Ninja -S "$PROJECT" -B "b-$target" -DCMAKE_TOOLCHAIN_FILE="$WORK/$target.cmake"
  assert_eq 0 "$RC" "configure for $target: $OUT $ERR"
  assert_contains "$OUT" "Found Threads: TRUE" "find_package(Threads) for $target"
  capture cmake --build "b-$target"
  assert_eq 0 "$RC" "build for $target: $OUT $ERR"
  assert_static_elf "b-$target/demo"
  assert_eq "$EXPECTED" "$(run_for_target "$target" "b-$target/demo")" "demo for $target"
done

step "eval \"\$(scratchpack env --target aarch64-musl)\": plain cmake picks up the toolchain"
(
  eval "$("$SCRATCHPACK" env --target aarch64-musl)"
  [ -x "$CC" ] || fail "CC=$CC is not an executable"
  cmake -G Ninja -S "$PROJECT" -B b-env >/dev/null
  cmake --build b-env >/dev/null
) || fail "cmake under scratchpack env failed"
assert_eq "$EXPECTED" "$(qemu-aarch64-static b-env/demo)" "demo built under scratchpack env"
cmp b-env/demo b-aarch64-musl/demo || fail "the same project and target gave different bytes"

step "the executables packaged run in podman (amd64 glibc, arm64 musl)"
capture "$SCRATCHPACK" package b-x86_64-glibc/demo --image demo-amd64:1 --load --out img1
assert_eq 0 "$RC" "package amd64 ($ERR)"
assert_eq "$EXPECTED" "$(podman run --rm --network=none demo-amd64:1)" "amd64 image"
capture "$SCRATCHPACK" package b-aarch64-musl/demo --image demo-arm64:1 --load --out img2
assert_eq 0 "$RC" "package arm64 ($ERR)"
assert_eq "$EXPECTED" "$(podman run --rm --network=none --arch arm64 demo-arm64:1)" "arm64 image"

step "scratchpack build --cmake: one command, the binaries and a two-platform image"
capture "$SCRATCHPACK" build --cmake project --target x86_64,aarch64-musl --out one \
  --image cmake-demo:1
assert_eq 0 "$RC" "build --cmake ($ERR)"
capture "$SCRATCHPACK" build --cmake project --target aarch64,x86_64-musl --out two --format none
assert_eq 0 "$RC" "build --cmake, the other libcs ($ERR)"
for t in x86_64-glibc aarch64-musl; do
  assert_eq "$EXPECTED" "$(run_for_target "$t" "one/$t/demo")" "build --cmake's $t binary"
done
for t in aarch64-glibc x86_64-musl; do
  assert_eq "$EXPECTED" "$(run_for_target "$t" "two/$t/demo")" "build --cmake's $t binary"
done
"$SCRATCHPACK" build --cmake project --target x86_64,aarch64-musl --out again --image cmake-demo:1 -q >/dev/null
cmp one/demo.tar again/demo.tar || fail "build --cmake in another build directory gave other bytes"
platforms=$(skopeo inspect --raw oci-archive:one/demo.tar | python3 -c 'import json,sys
print(" ".join(m["platform"]["architecture"] for m in json.load(sys.stdin)["manifests"]))')
assert_eq "amd64 arm64" "$platforms" "the index's platforms"
capture "$SCRATCHPACK" build --cmake project --target aarch64-musl --out arm --image cmake-demo-arm:1 --load
assert_eq 0 "$RC" "build --cmake --load ($ERR)"
assert_eq "$EXPECTED" "$(podman run --rm --network=none --arch arm64 cmake-demo-arm:1)" "arm64 image"
capture "$SCRATCHPACK" build --cmake project --cmake-target nope --out one
assert_eq 2 "$RC" "an unknown --cmake-target"
assert_eq "error: --cmake-target nope: not an executable target of the project
hint: its executables: demo" "$ERR" "unknown --cmake-target"

step "a manifest's cmake: binary, released beside a binary from sources"
printf '#include <stdio.h>\nint main(void) { puts("tool"); return 0; }\n' > tool.c
cat > scratchpack.yaml <<'YAML'
version: 1
project: mixed
targets: [x86_64, aarch64-musl]
binaries:
  - name: demo
    cmake: {dir: project, options: ["DEMO_UNUSED=1"]}
  - name: tool
    sources: [tool.c]
images:
  - name: mixed
    binaries: [demo, tool]
    entrypoint: ["/demo"]
YAML
capture "$SCRATCHPACK" release
assert_eq 0 "$RC" "release with a cmake binary ($ERR)"
assert_eq "$EXPECTED" "$(qemu-aarch64-static dist/aarch64-musl/demo)" "released demo"
assert_eq "tool" "$(dist/x86_64-glibc/tool)" "released tool"
grep -q "x86_64-glibc/demo" dist/SHA256SUMS || fail "SHA256SUMS lacks the cmake binary"

step "a touched header rebuilds exactly its includers, cached objects included"
# b-cached is built from a warm cache: every object is a hit, and its depfile comes from the
# cache entry's manifest.
cmake -G Ninja -S "$PROJECT" -B b-cached -DCMAKE_TOOLCHAIN_FILE="$WORK/x86_64-glibc.cmake" >/dev/null
cmake --build b-cached >/dev/null
for dir in b-x86_64-glibc b-cached; do
  assert_contains "$(cmake --build "$dir")" "no work to do" "$dir rebuilt with nothing changed"
done
touch "$PROJECT/lib/count.h"
for dir in b-x86_64-glibc b-cached; do
  rebuilt=$(cmake --build "$dir" -- -v)
  assert_contains "$rebuilt" "count.c" "$dir after touching count.h"
  assert_contains "$rebuilt" "main.cpp" "$dir after touching count.h"
  assert_not_contains "$rebuilt" "greet.cpp" "$dir after touching count.h"
done
echo ok
