# --init: the tiny PID-1 init forwards SIGTERM (podman stop returns at once instead of waiting the
# whole timeout), reaps orphaned zombies, and passes exit codes through (0, 3, 143) — also for
# the arm64 image under qemu. The same program without --init shows each problem.
source "$(dirname "$0")/lib.sh"
podman_setup

probe=$SP_SOURCE_DIR/tests/e2e/programs/init_probe.c
cp "$probe" probe.c
"$SCRATCHPACK" build probe.c --libc musl --init -o withinit --entrypoint '["/withinit"]' >/dev/null
"$SCRATCHPACK" build probe.c --libc musl -o noinit --entrypoint '["/noinit"]' >/dev/null
podman load -q -i out/withinit.tar >/dev/null
podman load -q -i out/noinit.tar >/dev/null

step "the entrypoint runs under the init, and the init passes the scan"
cfg=$(skopeo inspect --config oci-archive:out/withinit.tar)
python3 -c 'import json,sys; c=json.loads(sys.argv[1])["config"]; assert c["Entrypoint"]==["/.scratchpack/init","--","/withinit"], c' "$cfg" ||
  fail "entrypoint: $cfg"
capture "$SCRATCHPACK" scan out/withinit.tar -v
assert_eq 0 "$RC" "scan exit code"
assert_contains "$OUT" "out/withinit.tar[linux/amd64]:/.scratchpack/init  (ELF64 x86-64 exec, static, stripped, entrypoint)" "init scanned"

step "exit codes pass through"
for code in 0 3; do
  capture podman run --rm --network=none withinit "$code"
  assert_eq "$code" "$RC" "exit code $code"
done
capture podman run --rm --network=none withinit term
assert_eq 143 "$RC" "killed by SIGTERM"
capture podman run --rm --network=none --entrypoint '["/.scratchpack/init","--","/nope"]' withinit
assert_eq 127 "$RC" "exec of a missing program"
assert_contains "$ERR" "scratchpack-init: exec /nope: no such file or directory" "exec error"

step "podman stop: with the init SIGTERM reaches the program, without it the timeout runs out"
stop_and_time() { # image -> sets STOP_SECONDS and STOP_EXIT
  local name=stop-$1
  podman run -d --name "$name" --network=none "$1" wait >/dev/null
  for i in $(seq 1 50); do
    [ "$(podman logs "$name" 2>/dev/null)" = waiting ] && break
    sleep 0.1
  done
  local start end
  start=$(date +%s%N)
  podman stop -t 10 "$name" >/dev/null 2>&1
  end=$(date +%s%N)
  STOP_SECONDS=$(((end - start) / 1000000000))
  STOP_EXIT=$(podman inspect "$name" --format '{{.State.ExitCode}}')
  podman rm "$name" >/dev/null
}
stop_and_time withinit
assert_eq 143 "$STOP_EXIT" "exit status after stop, with the init"
[ "$STOP_SECONDS" -lt 2 ] || fail "stop with the init took ${STOP_SECONDS}s (expected < 2 s)"
stop_and_time noinit
assert_eq 137 "$STOP_EXIT" "exit status after stop, without the init (SIGKILL)"
[ "$STOP_SECONDS" -ge 9 ] || fail "stop without the init took only ${STOP_SECONDS}s: SIGTERM was not ignored?"

step "orphans are reaped"
assert_eq "zombies=0" "$(podman run --rm --network=none withinit orphans)" "zombies with the init"
assert_eq "zombies=3" "$(podman run --rm --network=none noinit orphans)" "zombies without the init"

step "arm64 under qemu: exit codes"
binfmt_setup
"$SCRATCHPACK" build probe.c --target aarch64-musl --init -o arm --entrypoint '["/arm"]' >/dev/null
for code in 0 3; do
  capture podman run --rm --network=none --arch arm64 oci-archive:out/arm.tar "$code"
  assert_eq "$code" "$RC" "arm64 exit code $code ($ERR)"
done
capture podman run --rm --network=none --arch arm64 oci-archive:out/arm.tar term
assert_eq 143 "$RC" "arm64 killed by SIGTERM"
echo "ok"
