# aarch64 and armv7 images run under podman --arch with qemu-user through binfmt_misc, and a
# three-platform build makes one index whose every platform runs.
source "$(dirname "$0")/lib.sh"
podman_setup
binfmt_setup

for t in aarch64:arm64 armv7:arm; do
  target=${t%%:*} arch=${t##*:}
  step "$target image"
  "$SCRATCHPACK" build "$EXAMPLES/hello.c" --target "$target" -o "hello-$target" >/dev/null
  cfg=$(skopeo inspect --config "oci-archive:out/hello-$target.tar")
  python3 -c 'import json,sys; c=json.loads(sys.argv[1]); assert c["architecture"]==sys.argv[2], c' "$cfg" "$arch" ||
    fail "architecture in $target config: $cfg"
  capture podman run --rm --network=none --arch "$arch" "oci-archive:out/hello-$target.tar"
  assert_eq 0 "$RC" "$target container exit code ($ERR)"
  assert_eq "Hello from scratch!" "$OUT" "$target container output"
done

step "one index over x86_64, aarch64, armv7"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target x86_64,aarch64,armv7 --image multi:1
assert_eq 0 "$RC" "multi-arch build ($ERR)"
for t in x86_64 aarch64 armv7; do [ -x "out/$t-glibc/hello" ] || fail "out/$t-glibc/hello missing"; done
platforms=$(skopeo inspect --raw oci-archive:out/hello.tar | python3 -c '
import json, sys
idx = json.load(sys.stdin)
assert idx["mediaType"] == "application/vnd.oci.image.index.v1+json", idx
print(" ".join("/".join(filter(None, [m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant")])) for m in idx["manifests"]))')
assert_eq "linux/amd64 linux/arm64/v8 linux/arm/v7" "$platforms" "index platforms"
# podman load keeps only the build machine's platform of an index; run each from the archive.
for arch in amd64 arm64 arm; do
  assert_eq "Hello from scratch!" "$(podman run --rm --network=none --arch $arch oci-archive:out/hello.tar)" \
    "the index on $arch"
done
echo "ok"
