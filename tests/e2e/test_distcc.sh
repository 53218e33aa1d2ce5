# Distributed compiles on distcc (docs/distributed.md): two distccd on 127.0.0.1 (not
# "localhost", which distcc takes for "compile here"), each on a free port. A multi-file C++
# project builds for x86_64, aarch64 and armv7 in every profile; both daemons' logs show
# compiles, and every binary and image archive is byte-identical to a local build. Faults: a
# compile error is reported once with clang's diagnostic; one daemon killed mid-build, the build
# completes; both gone, it completes here with one warning. A manifest's hosts are used only
# with --distribute.
source "$(dirname "$0")/lib.sh"
command -v distccd >/dev/null || fail "distccd is not installed (scripts/setup.sh installs distcc)"
private_build_cache
export DISTCC_DIR=$WORK/distcc # distcc's locks and host backoff state, private to the test
mkdir -p "$DISTCC_DIR"
unset DISTCC_HOSTS SCRATCHPACK_DISTCC_HOSTS

# distccd drops to `nobody` when started as root: it must reach its log and its command list.
chmod 711 "$WORK"
mkdir -m 1777 "$WORK/daemons"
echo clang-19 >"$WORK/daemons/cmdlist"
chmod 644 "$WORK/daemons/cmdlist"

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# Starts a distccd on a free loopback port in its own process group; sets PORT and PID.
start_daemon() { # name
  local try log=$WORK/daemons/$1.log
  for try in 1 2 3 4 5; do
    PORT=$(free_port)
    DISTCC_CMDLIST=$WORK/daemons/cmdlist setsid distccd --daemon --no-detach \
      --listen 127.0.0.1 --allow 127.0.0.1 --port "$PORT" --jobs 2 \
      --log-file "$log" --log-level info &
    PID=$!
    cleanup_hooks+=("kill $PID 2>/dev/null")
    for _ in $(seq 50); do
      if python3 -c "import socket,sys;socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; then
        return 0
      fi
      kill -0 "$PID" 2>/dev/null || break # exited: the port was taken meanwhile
      sleep 0.1
    done
    kill "$PID" 2>/dev/null || true
  done
  fail "distccd $1 did not start (log: $(cat "$log" 2>/dev/null))"
}
jobs_on() { grep -c "COMPILE_OK" "$WORK/daemons/$1.log" || true; }

start_daemon a
PORT_A=$PORT PID_A=$PID
start_daemon b
PORT_B=$PORT PID_B=$PID
HOSTS="127.0.0.1:$PORT_A/1 127.0.0.1:$PORT_B/1"

# Six units (two share a standard-header preamble, so the local build precompiles it: the
# distributed build cannot send it, and the bytes must be the same) and a C one.
mkdir -p src
printf '#pragma once\nint f1(int);\nint f2(int);\nint f3(int);\nint f4(int);\nint f5(int);\nint g(int);\n' >src/app.h
for i in 1 2 3 4 5; do
  printf '#include <cstdio>\n#include <cstring>\n#include "app.h"\nstatic const char* k = "u%s";\nint f%s(int x) { return x * %s + (int)std::strlen(k); }\n' $i $i $i >src/u$i.cpp
done
printf '#include "app.h"\nint g(int x) { return x + 1; }\n' >src/g.cpp
printf 'int c_part(int x) { return x - 1; }\n' >src/c.c
printf '#include <cstdio>\n#include "app.h"\nextern "C" int c_part(int);\nint main() { std::printf("%%d\\n", f1(1) + f2(2) + f3(3) + f4(4) + f5(5) + g(6) + c_part(7)); }\n' >src/main.cpp
SRCS=(src/main.cpp src/u1.cpp src/u2.cpp src/u3.cpp src/u4.cpp src/u5.cpp src/g.cpp src/c.c)
TARGETS=x86_64,aarch64,armv7

step "every profile and target: distributed on both daemons, byte-identical to a local build"
for profile in release debug size; do
  "$SCRATCHPACK" cache clean >/dev/null
  capture "$SCRATCHPACK" build "${SRCS[@]}" -o app --target $TARGETS --profile $profile \
    --out local-$profile
  [ "$RC" = 0 ] || fail "local $profile build: $ERR"
  "$SCRATCHPACK" cache clean >/dev/null
  before_a=$(jobs_on a) before_b=$(jobs_on b)
  capture "$SCRATCHPACK" build "${SRCS[@]}" -o app --target $TARGETS --profile $profile \
    --distribute="$HOSTS" --out dist-$profile
  [ "$RC" = 0 ] || fail "distributed $profile build: $ERR"
  assert_not_contains "$ERR" "warning:" "distributed $profile build"
  [ "$(jobs_on a)" -gt "$before_a" ] || fail "$profile: no compile ran on daemon a"
  [ "$(jobs_on b)" -gt "$before_b" ] || fail "$profile: no compile ran on daemon b"
  for t in x86_64 aarch64 armv7; do
    cmp local-$profile/$t-glibc/app dist-$profile/$t-glibc/app ||
      fail "$profile $t: the distributed binary differs from the local one"
  done
  cmp local-$profile/app.tar dist-$profile/app.tar ||
    fail "$profile: the distributed image archive differs from the local one"
done
assert_eq 78 "$(qemu-aarch64-static dist-release/aarch64-glibc/app)" "aarch64 output"
assert_eq 78 "$(qemu-arm-static dist-debug/armv7-glibc/app)" "armv7 debug output"
total=$(($(jobs_on a) + $(jobs_on b)))
[ "$total" -ge 24 ] || fail "only $total compiles ran on the daemons"

step "a compile error: clang's diagnostic once, nothing from distcc"
printf 'int broken() { return undeclared_thing; }\n' >src/bad.cpp
capture "$SCRATCHPACK" build src/bad.cpp src/g.cpp -o bad --distribute="$HOSTS" --no-cache \
  --format none --out bad
assert_eq 1 "$RC" "exit code of a failed compile"
assert_eq 1 "$(grep -c "error: use of undeclared identifier 'undeclared_thing'" <<<"$ERR")" \
  "times the diagnostic is shown"
assert_not_contains "$ERR" "distcc[" "a failed compile's output"

step "a manifest's hosts: only with --distribute on the command line"
cat >scratchpack.yaml <<EOF
version: 1
project: demo
targets: [aarch64]
binaries:
  - name: app
    sources: [src/*.cpp, src/c.c]
build:
  distribute:
    hosts: 127.0.0.1:$PORT_A/2
EOF
rm src/bad.cpp
"$SCRATCHPACK" cache clean >/dev/null
before_a=$(jobs_on a)
capture "$SCRATCHPACK" release --out rel1
[ "$RC" = 0 ] || fail "release without --distribute: $ERR"
assert_contains "$ERR" "needs --distribute on the command line" "release without --distribute"
assert_eq "$before_a" "$(jobs_on a)" "compiles sent to the manifest's host without --distribute"
"$SCRATCHPACK" cache clean >/dev/null
capture "$SCRATCHPACK" release --distribute --out rel2
[ "$RC" = 0 ] || fail "release --distribute: $ERR"
[ "$(jobs_on a)" -gt "$before_a" ] || fail "release --distribute sent nothing to the manifest's host"
cmp rel1/aarch64-glibc/app rel2/aarch64-glibc/app || fail "the distributed release's binary differs"
rm scratchpack.yaml

step "one daemon killed mid-build: the build completes"
# More units, so that the kill falls inside the build.
for i in $(seq 6 16); do
  printf '#include <cstdio>\nint h%s(int x) { std::printf("%%d", x); return x + %s; }\n' $i $i >src/h$i.cpp
  SRCS+=(src/h$i.cpp)
done
"$SCRATCHPACK" cache clean >/dev/null
capture "$SCRATCHPACK" build "${SRCS[@]}" -o app --target x86_64,aarch64 --format none \
  --out local-more
[ "$RC" = 0 ] || fail "local build: $ERR"
"$SCRATCHPACK" cache clean >/dev/null
before_b=$(jobs_on b)
"$SCRATCHPACK" build "${SRCS[@]}" -o app --target x86_64,aarch64 --format none \
  --distribute="$HOSTS" --out dist-more >"$WORK/kill.out" 2>"$WORK/kill.err" &
build=$!
for _ in $(seq 200); do
  [ "$(jobs_on b)" -gt "$before_b" ] && break
  sleep 0.05
done
kill "$PID_B"
wait "$build" || fail "the build with a daemon killed failed: $(cat "$WORK/kill.err")"
for t in x86_64 aarch64; do
  cmp local-more/$t-glibc/app dist-more/$t-glibc/app || fail "$t: the binary differs after a daemon died"
done

step "both daemons gone: the build completes here with one warning"
kill "$PID_A"
wait "$PID_A" "$PID_B" 2>/dev/null || true
capture "$SCRATCHPACK" build "${SRCS[@]}" -o app --target x86_64 --no-cache --format none \
  --distribute="$HOSTS" --out dist-none
[ "$RC" = 0 ] || fail "the build with every host down failed: $ERR"
assert_eq 1 "$(grep -c '^warning:' <<<"$ERR")" "warnings with every host down"
assert_contains "$ERR" "compiled nothing" "the warning"
cmp local-more/x86_64-glibc/app dist-none/app || fail "the binary built with every host down differs"
echo "ok"
