# `scan` reads only what is inside an image directory or archive: names with '..', symlinks that
# leave it, fifos and device nodes where a blob should be are refused at once (they used to be
# followed: a host file printed, /dev/zero read for ever); a blob's bytes and size must match
# its name and descriptor. The hostile layouts are made by hostile_image.py at test time.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
hostile() { python3 "$E2E_DIR/hostile_image.py" "$@"; }
# A regression that hangs fails here (exit 124) instead of hanging CI.
scan() { capture timeout 60 "$SCRATCHPACK" scan "$@"; }
leaves="a path that leaves the layout ('..'); only paths inside it are read"

step "a layer named ../../../../dev/zero is refused at once"
hostile dotdot-layer dotdot
scan dotdot
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: dotdot/../../../../dev/zero: $leaves" "message"

step "a config named ../secret.json is not read"
hostile dotdot-config dotdot-config # writes ./secret.json, a valid config naming HOST-SECRET-CONTENT
scan dotdot-config -v
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: dotdot-config/../secret.json: $leaves" "message"
assert_not_contains "$OUT$ERR" "HOST-SECRET-CONTENT" "the host file's content"

step "a config blob that is a symlink to a host file is not followed"
hostile symlink-config symlink-config "$WORK/secret.json"
scan symlink-config -v
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "a symlink to $WORK/secret.json, outside the layout; only files inside it are read" "message"
assert_not_contains "$OUT$ERR" "HOST-SECRET-CONTENT" "the host file's content"

step "a layer blob that is a symlink to /dev/zero is not read"
hostile symlink-layer zero /dev/zero
scan zero
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "a symlink to /dev/zero, outside the layout; only files inside it are read" "message"

step "a layer blob that is a fifo is refused, not waited on"
hostile fifo-layer fifo
scan fifo
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "a fifo, not a regular file; only regular files are read" "message"

step "a layer blob that is a device node (when this user may make one)"
hostile fifo-layer device
node=$(find device/blobs/sha256 -type p)
rm "$node"
if mknod "$node" c 1 5 2>/dev/null; then
  scan device
  assert_eq 2 "$RC" "exit code ($OUT $ERR)"
  assert_contains "$ERR" "a character device, not a regular file; only regular files are read" "message"
else
  echo "(mknod not permitted: skipped)"
fi

step "a blob's bytes must hash to its name, and its size be the descriptor's"
hostile wrong-digest wrong-digest
scan wrong-digest
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" ", not to its name" "digest message"
hostile wrong-size wrong-size
scan wrong-size
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "bytes its descriptor says" "size message"

step "an archive's member names and links stay inside it"
hostile archive-dotdot dotdot.tar
scan dotdot.tar
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: dotdot.tar:../outside.tar: $leaves" "message"
hostile archive-symlink symlink.tar
scan symlink.tar
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" ": not in the archive" "a symlink member to /etc/passwd is no member"
assert_not_contains "$OUT$ERR" "root:" "/etc/passwd's content"

step "a well-formed layout made the same way scans"
hostile big-config fine 100
scan fine
assert_eq 1 "$RC" "exit code ($OUT $ERR)" # the script entrypoint's /bin/sh is missing
assert_contains "$OUT" "entrypoint /hello is a script for /bin/sh" "finding"
echo "ok"
