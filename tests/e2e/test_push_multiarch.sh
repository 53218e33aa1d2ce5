# A 3-architecture index (build --target x86_64,aarch64,armv7) pushed to a registry: skopeo
# sees the index and each platform, the pushed digest is the archive's index digest, and
# podman pulls and runs the arm64 image under qemu (binfmt_misc).
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

step "build the 3-arch image"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target x86_64,aarch64,armv7
assert_eq 0 "$RC" "build exit code ($ERR)"
[ -f out/hello.tar ] || fail "build wrote no out/hello.tar"
index_digest=$(archive_root_digest out/hello.tar)
registry_start

step "push the index"
capture "$SCRATCHPACK" push --json out/hello.tar "$REGISTRY/multi/hello:latest"
assert_eq 0 "$RC" "push ($ERR)"
assert_eq "$index_digest" "$(json_get "$OUT" push.digest)" "pushed digest = the archive's index"
assert_eq application/vnd.oci.image.index.v1+json "$(json_get "$OUT" push.media_type)" "media type"
assert_eq 6 "$(json_get "$OUT" push.blobs_uploaded)" "3 configs + 3 layers uploaded"
assert_eq 5 "$(json_get "$OUT" push.manifests_put)" "3 manifests + index + tag"

step "skopeo inspect --raw shows the index with three platforms"
raw=$(skopeo_raw "$REGISTRY/multi/hello:latest")
assert_eq "$index_digest" "sha256:$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)" "raw index digest"
platforms=$(python3 -c 'import json,sys
j=json.loads(sys.argv[1])
assert j["mediaType"]=="application/vnd.oci.image.index.v1+json", j["mediaType"]
print(" ".join("/".join(filter(None,[m["platform"]["os"],m["platform"]["architecture"],m["platform"].get("variant")])) for m in j["manifests"]))' "$raw")
assert_eq "linux/amd64 linux/arm64/v8 linux/arm/v7" "$platforms" "platforms in the index"
for p in "amd64" "arm64 v8" "arm v7"; do
  set -- $p
  capture skopeo inspect --tls-verify=false --override-arch "$1" ${2:+--override-variant "$2"} \
    "docker://$REGISTRY/multi/hello:latest"
  assert_eq 0 "$RC" "skopeo inspect for $p ($ERR)"
  assert_eq "$1" "$(json_get "$OUT" Architecture)" "architecture of the $p image"
done

step "build --push: one command builds, writes and pushes; the digests agree"
# REF names the image as --image would (its title and version annotations too), so the bytes are
# those of a build with --image REF.
"$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target x86_64,aarch64,armv7 --out named \
  --image "$REGISTRY/direct/hello:1.0" >/dev/null
named_digest=$(archive_root_digest named/hello.tar)
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target x86_64,aarch64,armv7 --out direct \
  --push "$REGISTRY/direct/hello:1.0" --json
assert_eq 0 "$RC" "build --push ($ERR)"
assert_eq "$named_digest" "$(archive_root_digest direct/hello.tar)" "the archive's index digest"
python3 - "$OUT" "$named_digest" "$REGISTRY" <<'PY' || fail "build --push --json: $OUT"
import json, sys
j = json.loads(sys.argv[1])
image = j["images"][0]
assert image["digest"] == sys.argv[2], (image, sys.argv[2])
assert j["push"]["digest"] == sys.argv[2], j["push"]
assert j["push"]["pushed"] == sys.argv[3] + "/direct/hello@" + sys.argv[2], j["push"]
assert image["pushed"] == j["push"]["pushed"], image
assert len(j["binaries"]) == 3 and len(image["platforms"]) == 3, j
assert j["error"] is None, j
PY
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --format none --out direct2 --push "$REGISTRY/direct/hello:1.0"
assert_eq 0 "$RC" "build --format none --push ($ERR)"
assert_contains "$OUT" "$REGISTRY/direct/hello@sha256:" "pushed line"
assert_missing direct2/hello.tar

step "podman pulls and runs the arm64 image"
binfmt_setup
podman_setup
capture "${PODMAN[@]}" pull --tls-verify=false --arch arm64 "$REGISTRY/multi/hello:latest"
assert_eq 0 "$RC" "podman pull --arch arm64 ($ERR)"
capture "${PODMAN[@]}" run --rm --network=none --arch arm64 "$REGISTRY/multi/hello:latest"
assert_eq 0 "$RC" "podman run --arch arm64 ($ERR)"
assert_eq "Hello from scratch!" "$OUT" "arm64 output"
echo "ok"
