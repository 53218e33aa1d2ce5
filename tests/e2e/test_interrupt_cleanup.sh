# An interrupted build or release (SIGINT, SIGTERM) removes what it had half-written: the object
# directory in $TMPDIR, partial outputs, the staging blobs beside dist/. Interrupts land at
# several moments of a cold run (compile, link, package); each time the run dies of the signal.
source "$(dirname "$0")/lib.sh"
private_build_cache
cp "$EXAMPLES/hello.cpp" .
mkdir tmp
export TMPDIR=$WORK/tmp

leftovers() { # directories to look in
  find "$@" -maxdepth 1 \( -name 'scratchpack-*' -o -name '.*.[0-9]*.*' -o -name '.scratchpack-*' \) \
    -print 2>/dev/null | sort
}

step "build, interrupted at several moments"
for sig in INT TERM; do
  for delay in 0.15 0.3 0.5 0.8; do
    "$SCRATCHPACK" cache clean >/dev/null
    rm -rf out
    set +e
    timeout -s "$sig" "$delay" "$SCRATCHPACK" build hello.cpp >/dev/null 2>&1
    rc=$?
    set -e
    [ "$rc" = 124 ] || [ "$rc" = 0 ] || fail "SIG$sig after ${delay}s: exit $rc"
    sleep 0.2 # a clang or lld child that outlived the signal finishes
    assert_eq "" "$(leftovers "$TMPDIR" out .)" "leftovers after SIG$sig at ${delay}s"
    [ ! -e out ] || [ -z "$(ls -A out)" ] || [ -e out/hello ] || fail "out/ holds a part: $(ls -A out)"
  done
done

step "release, interrupted"
mkdir -p proj/src && cp hello.cpp proj/src/
printf 'version: 1\nproject: i\ntargets: [x86_64, aarch64]\nbinaries:\n  - name: hello\n    sources: [src/hello.cpp]\nimages:\n  - name: hello\n    binaries: [hello]\n' > proj/scratchpack.yaml
for delay in 0.3 0.7 1.2; do
  "$SCRATCHPACK" cache clean >/dev/null
  set +e
  timeout -s INT "$delay" "$SCRATCHPACK" release -f proj/scratchpack.yaml >/dev/null 2>&1
  set -e
  sleep 0.2
  assert_eq "" "$(leftovers "$TMPDIR" proj)" "leftovers after SIGINT at ${delay}s"
done
echo ok
