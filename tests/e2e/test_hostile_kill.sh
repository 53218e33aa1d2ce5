# SIGKILL at 50 random moments of `release` and `build` (with the caches cold every third time,
# so kills land in compiles, links, cache writes, packaging and the final renames). After each:
# the output is the previous complete one or the new complete one, `cache verify` finds nothing
# damaged, and every few kills a full run succeeds and sweeps the leftovers.
source "$(dirname "$0")/lib.sh"
private_build_cache
KILLS=${KILLS:-25} # per command

mkdir -p proj/src
cd proj
cat > scratchpack.yaml <<'Y'
version: 1
project: k
targets: [x86_64, aarch64]
binaries:
  - name: hello
    sources: [src/hello.c]
images:
  - name: hello
    binaries: [hello]
Y
version() { printf '#include <stdio.h>\nint main(void) { puts("v%s"); return 0; }\n' "$1" > src/hello.c; }
random_ms() { python3 -c "import random; print(random.randint(0, $1))"; }

# The caches hold nothing damaged (leftovers of the killed run are fine: verify removes them).
check_cache() {
  capture "$SCRATCHPACK" cache verify
  assert_eq 0 "$RC" "cache verify after kill $1: $OUT $ERR"
}

# dist/ is absent, or a whole release: the mark, every file SHA256SUMS lists, a binary that runs.
check_dist() {
  [ -e dist ] || return 0
  [ -f dist/.scratchpack-release ] || fail "kill $1: dist/ without the mark: $(ls -A dist)"
  (cd dist && sha256sum -c --quiet SHA256SUMS) || fail "kill $1: dist/ does not match SHA256SUMS"
  python3 -c 'import json; json.load(open("dist/report.json"))' || fail "kill $1: report.json"
  [[ "$(dist/x86_64-glibc/hello)" == v[12] ]] || fail "kill $1: dist's binary"
}

# Each build output is absent or whole: a binary that runs, an archive skopeo reads.
check_out() {
  [ ! -e out/hello ] || [[ "$(out/hello)" == v[12] ]] || fail "kill $1: out/hello is broken"
  [ ! -e out/hello.tar ] || skopeo inspect --raw oci-archive:out/hello.tar >/dev/null ||
    fail "kill $1: out/hello.tar is broken"
}

kill_at() { # ms command...
  local ms=$1
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(python3 -c "print($ms / 1000)")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

step "release, killed $KILLS times"
for i in $(seq 1 "$KILLS"); do
  version $((i % 2 + 1))
  [ $((i % 3)) -ne 0 ] || "$SCRATCHPACK" cache clean >/dev/null
  kill_at "$(random_ms 1500)" "$SCRATCHPACK" release
  check_dist "$i"
  check_cache "$i"
  if [ $((i % 5)) -eq 0 ]; then
    "$SCRATCHPACK" release >/dev/null 2>&1 || fail "release after kill $i"
    assert_eq "v$((i % 2 + 1))" "$(dist/x86_64-glibc/hello)" "release after kill $i"
    assert_eq "" "$(ls -A | grep -E '^\.(dist|scratchpack-blobs)' || true)" "leftovers after kill $i"
  fi
done

step "build, killed $KILLS times"
for i in $(seq 1 "$KILLS"); do
  version $((i % 2 + 1))
  [ $((i % 3)) -ne 0 ] || "$SCRATCHPACK" cache clean >/dev/null
  kill_at "$(random_ms 1200)" "$SCRATCHPACK" build src/hello.c
  check_out "$i"
  check_cache "$i"
  if [ $((i % 5)) -eq 0 ]; then
    "$SCRATCHPACK" build src/hello.c >/dev/null 2>&1 || fail "build after kill $i"
    assert_eq "v$((i % 2 + 1))" "$(out/hello)" "build after kill $i"
    assert_eq "" "$(ls -A out | grep '^\.' || true)" "leftovers in out/ after kill $i"
  fi
done
echo ok
