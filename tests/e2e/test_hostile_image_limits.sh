# Every limit on images read back has a flag on `scan` (and on `push` where it applies) that
# raises it, and a clear error naming that flag when it is reached (docs/security.md).
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
hostile() { python3 "$E2E_DIR/hostile_image.py" "$@"; }
scan() { capture timeout 60 "$SCRATCHPACK" scan "$@"; }
hint() { echo "hint: raise the limit with $1 if the image is trusted"; }

step "--max-entries: entries in an image's layers, and members of an archive"
hostile many-entries many.tar 300
scan many.tar --max-entries 100
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: many.tar: more than 100 entries in the image's layers (layer sha256:" "message"
assert_contains "$ERR" "$(hint --max-entries)" "hint"
scan many.tar --max-entries 5
assert_contains "$ERR" "error: many.tar: more than 5 members" "archive members"
scan many.tar --max-entries 1000
assert_eq 1 "$RC" "exit code ($OUT $ERR)" # scanned: no /hello in it

step "--max-total-size: uncompressed bytes"
scan many.tar --max-total-size 64K
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: many.tar: more than 64 KiB of uncompressed data" "message"
assert_contains "$ERR" "$(hint --max-total-size)" "hint"

step "--max-index-depth"
hostile nested-index nested 6
scan nested
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "image indexes nested more than 4 deep" "message"
assert_contains "$ERR" "$(hint --max-index-depth)" "hint"
scan nested --max-index-depth 6
assert_eq 1 "$RC" "exit code ($OUT $ERR)"

step "--max-document-size"
hostile big-config big 8192
scan big --max-document-size 4K
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "more than 4 KiB: too large for a JSON document" "message"
assert_contains "$ERR" "$(hint --max-document-size)" "hint"
scan big
assert_eq 1 "$RC" "exit code ($OUT $ERR)"

step "bad values are usage errors, all reported"
scan many.tar --max-entries lots --max-entry-size 12Q
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: --max-entry-size 12Q: expects a number of bytes, optionally with K, M or G" "size"
assert_contains "$ERR" "error: --max-entries lots: expects a whole number" "count"

step "push takes the limits that apply to what it reads"
port=$(free_port) # nothing listens there: these stop before connecting
capture timeout 60 "$SCRATCHPACK" push nested "127.0.0.1:$port/nested" --max-index-depth 2
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "image indexes nested more than 2 deep" "message"
assert_contains "$ERR" "$(hint --max-index-depth)" "hint"
capture timeout 60 "$SCRATCHPACK" push big "127.0.0.1:$port/big" --max-document-size 100
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: big/index.json: more than 100 bytes: too large for a JSON document" "message"
capture timeout 60 "$SCRATCHPACK" push many.tar "127.0.0.1:$port/many" --max-entries 5
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "more than 5 members" "message"
capture "$SCRATCHPACK" push big "127.0.0.1:$port/big" --max-hardlinks 5
assert_eq 2 "$RC" "--max-hardlinks is scan's only"
registry_start
capture timeout 60 "$SCRATCHPACK" push -q nested "$REGISTRY/nested:latest" --max-index-depth 6
assert_eq 0 "$RC" "push with the depth raised ($ERR)"
echo "ok"
