# scratchpack push: the hello archive goes to a real registry (docker-registry on loopback);
# skopeo sees its config, the pushed digest is the archive's, podman pulls and runs it. A
# chunked upload of the same image gives the same digest.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

step "build the hello image"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
[ -f out/hello.tar ] || fail "build wrote no out/hello.tar"
local_digest=$(archive_root_digest out/hello.tar)

registry_start
step "push to $REGISTRY"
capture "$SCRATCHPACK" push out/hello.tar "$REGISTRY/hello:latest"
assert_eq 0 "$RC" "push exit code ($ERR)"
assert_eq "$REGISTRY/hello@$local_digest" "$OUT" "push prints NAME@DIGEST of the archive's manifest"
assert_contains "$ERR" "uploaded" "progress on stderr"
assert_contains "$ERR" "tagged latest" "progress on stderr"

step "skopeo sees the image"
capture skopeo inspect --tls-verify=false "docker://$REGISTRY/hello:latest"
assert_eq 0 "$RC" "skopeo inspect ($ERR)"
assert_eq "$local_digest" "$(json_get "$OUT" Digest)" "digest skopeo reports"
assert_eq amd64 "$(json_get "$OUT" Architecture)" "architecture"
assert_eq linux "$(json_get "$OUT" Os)" "os"
capture skopeo inspect --tls-verify=false --config "docker://$REGISTRY/hello:latest"
assert_eq 0 "$RC" "skopeo inspect --config ($ERR)"
assert_eq '["/hello"]' "$(json_get "$OUT" config.Cmd | tr -d ' ')" "config Cmd"
# The registry holds exactly the bytes of the archive's manifest.
raw_digest=sha256:$(skopeo_raw "$REGISTRY/hello:latest" | sha256sum | cut -d' ' -f1)
assert_eq "$local_digest" "$raw_digest" "sha256 of the stored manifest"
capture skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/hello@$local_digest"
assert_eq 0 "$RC" "the manifest is also there by digest ($ERR)"

step "chunked upload"
mark=$(registry_log_mark)
capture "$SCRATCHPACK" push --chunk-size 64K out/hello.tar "$REGISTRY/chunked/hello:1.0"
assert_eq 0 "$RC" "chunked push ($ERR)"
assert_eq "$REGISTRY/chunked/hello@$local_digest" "$OUT" "chunked push digest"
patches=$(registry_requests_since "$mark" '"PATCH /v2/chunked/hello/blobs/uploads/[^"]*" 202')
[ "$patches" -ge 2 ] || fail "expected several PATCH chunks in the registry log, saw $patches"

step "podman pulls and runs it"
podman_setup
capture "${PODMAN[@]}" pull --tls-verify=false "$REGISTRY/hello:latest"
assert_eq 0 "$RC" "podman pull ($ERR)"
capture "${PODMAN[@]}" run --rm --network=none "$REGISTRY/hello:latest"
assert_eq 0 "$RC" "podman run ($ERR)"
assert_eq "Hello from scratch!" "$OUT" "podman run output"
echo "ok"
