# riscv64, the fourth target: hello.c and hello.cpp with glibc run under qemu-riscv64 and as a
# linux/riscv64 image in podman; riscv64-musl says why it is not available (Debian 12 has no
# riscv64 packages); a four-platform index goes to the loopback registry, and podman pulls and
# runs its riscv64 image.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
podman_setup
binfmt_setup
printf '#include <stdio.h>\nint main(void) { puts("hello from riscv64 C"); return 0; }\n' > hello.c

step "hello.c and hello.cpp for riscv64-glibc"
capture "$SCRATCHPACK" build hello.c --target riscv64 --out c
assert_eq 0 "$RC" "build hello.c ($ERR)"
assert_static_elf c/hello
assert_contains "$(file c/hello)" "RISC-V" "hello.c's machine"
assert_eq "hello from riscv64 C" "$(qemu-riscv64-static c/hello)" "hello.c under qemu"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target linux/riscv64 --out cxx --image rv/hello:1 --load
assert_eq 0 "$RC" "build hello.cpp ($ERR)"
assert_eq "Hello from scratch!" "$(qemu-riscv64-static cxx/hello)" "hello.cpp under qemu"
config=$(skopeo inspect --config oci-archive:cxx/hello.tar)
assert_eq "linux riscv64" "$(python3 -c 'import json,sys; c=json.loads(sys.argv[1]); print(c["os"], c["architecture"])' "$config")" "image platform"
assert_eq "Hello from scratch!" "$(podman run --rm --network=none --arch riscv64 rv/hello:1)" "podman run --arch riscv64"

step "the PID-1 init for riscv64"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target riscv64 --init --out init --image rv/init:1 --load
assert_eq 0 "$RC" "build --init ($ERR)"
assert_eq "Hello from scratch!" "$(podman run --rm --network=none --arch riscv64 rv/init:1)" \
  "hello under the riscv64 init"

step "riscv64-musl: not available, and said so"
assert_contains "$("$SCRATCHPACK" sysroot list)" "riscv64-musl   n/a" "sysroot list"
capture "$SCRATCHPACK" build hello.c --target riscv64-musl --out m
assert_eq 1 "$RC" "build for riscv64-musl"
assert_eq "error: no sysroot for riscv64-musl: Debian 12 publishes no riscv64 packages (it is a release architecture from Debian 13), so there is no musl-dev to unpack
hint: use riscv64-glibc" "$ERR" "riscv64-musl error"
capture "$SCRATCHPACK" sysroot install riscv64-musl
assert_eq 1 "$RC" "sysroot install riscv64-musl"
assert_contains "$ERR" "error: cannot install the riscv64-musl sysroot: Debian 12 publishes no riscv64" "install error"

step "a four-platform index, pushed"
registry_start
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target x86_64,aarch64,armv7,riscv64 --out four \
  --push "$REGISTRY/four/hello:1" --json
assert_eq 0 "$RC" "build --push of four platforms ($ERR)"
raw=$(skopeo_raw "$REGISTRY/four/hello:1")
platforms=$(python3 -c 'import json,sys
j=json.loads(sys.argv[1])
print(" ".join("/".join(filter(None,[m["platform"]["os"],m["platform"]["architecture"],m["platform"].get("variant")])) for m in j["manifests"]))' "$raw")
assert_eq "linux/amd64 linux/arm64/v8 linux/arm/v7 linux/riscv64" "$platforms" "platforms in the index"
capture podman pull --tls-verify=false --arch riscv64 "$REGISTRY/four/hello:1"
assert_eq 0 "$RC" "podman pull --arch riscv64 ($ERR)"
assert_eq "Hello from scratch!" "$(podman run --rm --network=none --arch riscv64 "$REGISTRY/four/hello:1")" \
  "the index's riscv64 image in podman"
echo ok
