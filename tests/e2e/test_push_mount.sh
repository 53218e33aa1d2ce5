# Cross-repository mount: after a push to a/hello, a push to b/hello with --mount-from a/hello
# mounts every blob (201 to POST ...?mount=…&from=a/hello) and uploads none.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
blobs=$(archive_blob_count out/hello.tar)
registry_start

capture "$SCRATCHPACK" push -q out/hello.tar "$REGISTRY/a/hello:latest"
assert_eq 0 "$RC" "push to a/hello ($ERR)"
mark=$(registry_log_mark)
capture "$SCRATCHPACK" push --json --mount-from a/hello out/hello.tar "$REGISTRY/b/hello:latest"
assert_eq 0 "$RC" "push to b/hello ($ERR)"
assert_eq "$blobs" "$(json_get "$OUT" push.blobs_mounted)" "blobs_mounted"
assert_eq 0 "$(json_get "$OUT" push.blobs_uploaded)" "blobs_uploaded"
assert_contains "$ERR" "mounted from a/hello" "progress names the source"
mounts=$(registry_requests_since "$mark" '"POST /v2/b/hello/blobs/uploads/\?mount=sha256%3A[0-9a-f]{64}&from=a%2Fhello HTTP/[0-9.]+" 201')
assert_eq "$blobs" "$mounts" "mount requests answered 201 in the registry log"
assert_eq "$(archive_root_digest out/hello.tar)" "$(json_get "$OUT" push.digest)" "digest"
capture skopeo inspect --tls-verify=false "docker://$REGISTRY/b/hello:latest"
assert_eq 0 "$RC" "skopeo inspect b/hello ($ERR)"

# A full reference works too; another registry is refused before anything is sent.
capture "$SCRATCHPACK" push -q --mount-from "$REGISTRY/a/hello" out/hello.tar "$REGISTRY/c/hello"
assert_eq 0 "$RC" "mount from a full reference ($ERR)"
capture "$SCRATCHPACK" push -q --mount-from other.example.com/a/hello out/hello.tar "$REGISTRY/d/hello"
assert_eq 2 "$RC" "mount from another registry"
assert_contains "$ERR" "blobs can only be mounted from the registry pushed to" "message"
echo "ok"
