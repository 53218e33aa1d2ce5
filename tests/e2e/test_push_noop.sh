# A second push of the same image uploads no blobs: every HEAD hits. Asserted from the
# registry's access log (no POST/PATCH/PUT under /blobs/uploads/) and from the --json counters.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
blobs=$(archive_blob_count out/hello.tar)
registry_start

step "first push uploads every blob"
capture "$SCRATCHPACK" push --json out/hello.tar "$REGISTRY/hello:latest"
assert_eq 0 "$RC" "first push ($ERR)"
first=$OUT
assert_eq "$blobs" "$(json_get "$first" push.blobs_uploaded)" "blobs_uploaded on the first push"
assert_eq 0 "$(json_get "$first" push.blobs_skipped)" "blobs_skipped on the first push"
[ "$(json_get "$first" push.bytes_uploaded)" -gt 0 ] || fail "first push uploaded no bytes: $first"

step "second push uploads nothing"
mark=$(registry_log_mark)
capture "$SCRATCHPACK" push --json out/hello.tar "$REGISTRY/hello:latest"
assert_eq 0 "$RC" "second push ($ERR)"
second=$OUT
assert_eq 0 "$(json_get "$second" push.blobs_uploaded)" "blobs_uploaded on the second push"
assert_eq "$blobs" "$(json_get "$second" push.blobs_skipped)" "blobs_skipped on the second push"
assert_eq 0 "$(json_get "$second" push.bytes_uploaded)" "bytes_uploaded on the second push"
assert_eq "$(json_get "$first" push.digest)" "$(json_get "$second" push.digest)" "same digest both times"
assert_eq "$(archive_root_digest out/hello.tar)" "$(json_get "$second" push.digest)" "archive digest"
uploads=$(registry_requests_since "$mark" '"(POST|PATCH|PUT) [^"]*/blobs/uploads')
assert_eq 0 "$uploads" "upload requests in the registry log during the second push"
hits=$(registry_requests_since "$mark" '"HEAD /v2/hello/blobs/sha256:[0-9a-f]{64} HTTP/[0-9.]+" 200')
assert_eq "$blobs" "$hits" "HEAD hits in the registry log"
# --json prints the JSON object and nothing else on stdout.
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$second" || fail "stdout is not JSON: $second"
echo "ok"
