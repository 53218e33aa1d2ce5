# The shared remote cache against a real server: Debian's nginx with its DAV module on a free
# loopback port. Machine A (its own cache directory) warms the remote; machine B (a fresh cache
# directory, the project in another directory) compiles and links nothing and makes the same
# dist/; read-only mode sends no PUT; a bearer token is enforced and never shown; a corrupted
# content on the server is ignored and reported; the server going away mid-release changes
# nothing but time; a dead remote (nothing listening, or a server that never answers) costs
# about one short timeout.
source "$(dirname "$0")/lib.sh"
source "$SP_SOURCE_DIR/tests/e2e/registry.sh" # free_port, http_status
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || fail "nginx is not installed (scripts/setup.sh)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
private_build_cache
DEFAULT_CACHE=$SCRATCHPACK_CACHE
export SCRATCHPACK_CACHE_KEY_FILE=$WORK/team-cache-key # shared by the team and CI
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SCRATCHPACK_CACHE_KEY_FILE"
TOKEN=tok-$RANDOM$RANDOM-secret

# --- the server
SRV=$WORK/nginx
mkdir -p "$SRV/root/cache" "$SRV/root/secure" "$SRV/tmp" "$SRV/logs"
PORT=$(free_port)
cat >"$SRV/nginx.conf" <<EOF
daemon off;
user $(id -un) $(id -gn);
worker_processes 1;
pid $SRV/nginx.pid;
error_log $SRV/logs/error.log;
events { worker_connections 256; }
http {
  access_log $SRV/logs/access.log;
  client_body_temp_path $SRV/tmp/body;
  proxy_temp_path $SRV/tmp/proxy;
  fastcgi_temp_path $SRV/tmp/fastcgi;
  uwsgi_temp_path $SRV/tmp/uwsgi;
  scgi_temp_path $SRV/tmp/scgi;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$PORT;
    root $SRV/root;
    location /cache/ {
      dav_methods PUT DELETE;
      create_full_put_path on;
    }
    location /secure/ {
      if (\$http_authorization != "Bearer $TOKEN") { return 401; }
      dav_methods PUT DELETE;
      create_full_put_path on;
    }
  }
}
EOF
NGINX_PID=
nginx_start() {
  "$NGINX" -p "$SRV" -c "$SRV/nginx.conf" -e "$SRV/logs/error.log" 2>>"$SRV/logs/stderr" &
  NGINX_PID=$!
  for _ in $(seq 1 100); do
    [ "$(http_status "http://127.0.0.1:$PORT/cache/ready")" = 404 ] && return 0
    sleep 0.1
  done
  fail "nginx did not start: $(cat "$SRV/logs/error.log" "$SRV/logs/stderr")"
}
nginx_stop() {
  [ -n "$NGINX_PID" ] || return 0
  kill "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=
}
cleanup_hooks+=('nginx_stop')
nginx_start
REMOTE=http://127.0.0.1:$PORT/cache

# --- the project: three binaries, two targets, one image
mkdir -p proj/src proj/inc
cd proj
printf '#pragma once\ninline int one() { return 1; }\n' >inc/one.h
printf '#include "one.h"\nint a() { return one(); }\n' >src/a.cpp
printf '#include <cstdio>\nint a();\nint main() { std::printf("%%d\\n", a() + 1); }\n' >src/b.cpp
printf '#include <stdio.h>\nint main(void) { puts("c"); return 0; }\n' >src/c.c
printf '#include <stdio.h>\n#include <string.h>\nint main(int n, char **v) { printf("%%zu\\n", strlen(v[0]) + n); return 0; }\n' >src/d.c
cat >scratchpack.yaml <<'Y'
version: 1
project: remote
targets: [x86_64, aarch64]
binaries:
  - name: x
    sources: [src/a.cpp, src/b.cpp]
    include_dirs: [inc]
  - name: y
    sources: [src/c.c]
    libc: musl
  - name: z
    sources: [src/d.c]
    profile: size
images:
  - name: shared
    binaries: [x, y, z]
    entrypoint: ["/x"]
Y
cd ..

counts() { # -> "compiled linked" of the last release (its --json)
  python3 -c 'import json,sys; c=json.loads(sys.argv[1])["cache"]; print(c["compiled"], c["linked"])' "$OUT"
}
# machine NAME [ENV=VALUE…]: runs `release --json` in project copy NAME with cache dir NAME.
machine() {
  local name=$1
  shift
  [ -d "$WORK/m-$name" ] || cp -a "$WORK/proj" "$WORK/m-$name"
  mkdir -p "$WORK/cache-$name"
  local e # what the shared default cache holds besides build/ and layers/
  for e in "$DEFAULT_CACHE"/*; do
    case "$(basename "$e")" in build | layers | remote-stats*) continue ;; esac
    [ -e "$e" ] || continue
    [ -e "$WORK/cache-$name/$(basename "$e")" ] || ln -s "$(readlink -f "$e")" "$WORK/cache-$name/"
  done
  (cd "$WORK/m-$name" && capture env SCRATCHPACK_CACHE="$WORK/cache-$name" "$@" \
    "$SCRATCHPACK" release --json --out dist
  echo "$RC" >"$WORK/.rc"; printf '%s' "$OUT" >"$WORK/.json"; printf '%s' "$ERR" >"$WORK/.stderr")
  RC=$(cat "$WORK/.rc")
  OUT=$(cat "$WORK/.json")
  ERR=$(cat "$WORK/.stderr")
}
same_dist() { # NAME [REFERENCE]: machine NAME's dist/ is byte-identical to machine REFERENCE's
  # (default a), report.json but for its cache counts, which say what was compiled
  local ref=${2:-a}
  diff -r -x report.json "$WORK/m-$ref/dist" "$WORK/m-$1/dist" >/dev/null ||
    fail "dist/ of machine $1 differs from machine $ref's: $(diff -rq "$WORK/m-$ref/dist" "$WORK/m-$1/dist" | head -5)"
  python3 - "$WORK/m-$ref/dist/report.json" "$WORK/m-$1/dist/report.json" <<'PY' || fail "report.json of machine $1 differs beyond its cache counts"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
a.pop("cache"); b.pop("cache")
assert a == b, (a, b)
PY
}
puts() { grep -c '"PUT ' "$SRV/logs/access.log" || true; }

step "machine a (read-write) warms the remote"
start=$(date +%s%N)
machine a SCRATCHPACK_REMOTE_CACHE="$REMOTE"
cold_ms=$((($(date +%s%N) - start) / 1000000))
assert_eq 0 "$RC" "release on machine a ($ERR)"
assert_eq "8 6" "$(counts)" "machine a compiles and links everything"
assert_not_contains "$ERR" "warning" "machine a's warnings"
[ "$(puts)" -gt 10 ] || fail "machine a wrote $(puts) entries to the remote"
[ -n "$(ls "$SRV/root/cache/cas")" ] || fail "no contents on the server"
[ -n "$(ls "$SRV/root/cache/ac")" ] || fail "no records on the server"
assert_eq 2 "$("$WORK/m-a/dist/x86_64-glibc/x")" "x on machine a"

step "machine b (fresh cache, another directory, its sysroots elsewhere, read-only) compiles and links nothing"
# Another user's sysroots: another path, and the musl ones copied (new inodes and ctimes), as
# another machine's install would have them.
SYSROOTS_A=${SCRATCHPACK_SYSROOTS:-${XDG_DATA_HOME:-$HOME/.local/share}/scratchpack/sysroots}
mkdir -p "$WORK/home-b/sysroots"
for e in "$SYSROOTS_A"/*; do
  case "$(basename "$e")" in
    *-linux-musl) cp -a "$(readlink -f "$e")" "$WORK/home-b/sysroots/" ;;
    *) ln -s "$(readlink -f "$e")" "$WORK/home-b/sysroots/" ;;
  esac
done
before=$(puts)
start=$(date +%s%N)
machine b SCRATCHPACK_REMOTE_CACHE="$REMOTE" SCRATCHPACK_REMOTE_CACHE_MODE=read-only SCRATCHPACK_SYSROOTS="$WORK/home-b/sysroots"
hit_ms=$((($(date +%s%N) - start) / 1000000))
assert_eq 0 "$RC" "release on machine b ($ERR)"
assert_eq "0 0" "$(counts)" "machine b's compiles and links"
assert_not_contains "$ERR" "warning" "machine b's warnings"
# The musl binaries' SBOMs (and the digest stamped into the binary) name the sysroot's files by
# their absolute path, which is another user's here: the reference is what machine b makes
# without any remote cache.
machine b-alone SCRATCHPACK_SYSROOTS="$WORK/home-b/sysroots"
assert_eq "8 6" "$(counts)" "machine b without the remote"
same_dist b b-alone
assert_eq "$before" "$(puts)" "PUTs by a read-only machine"
capture env SCRATCHPACK_CACHE="$WORK/cache-b" SCRATCHPACK_REMOTE_CACHE="$REMOTE" SCRATCHPACK_REMOTE_CACHE_MODE=read-only "$SCRATCHPACK" cache stats
assert_contains "$OUT" "remote cache:    $REMOTE/ (read-only)" "stats: the remote"
hits=$(awk '/^remote hits:/ {print $3}' <<<"$OUT")
[ "$hits" -gt 10 ] || fail "stats: $hits remote hits"
assert_contains "$OUT" "remote bad:      0" "stats: nothing bad"
echo "cold release with the remote: ${cold_ms} ms; fresh cache from the warm remote: ${hit_ms} ms"

step "a second run on machine b is local: no request at all"
lines=$(wc -l <"$SRV/logs/access.log")
machine b SCRATCHPACK_REMOTE_CACHE="$REMOTE" SCRATCHPACK_REMOTE_CACHE_MODE=read-only SCRATCHPACK_SYSROOTS="$WORK/home-b/sysroots"
assert_eq "0 0" "$(counts)" "machine b again"
assert_eq "$lines" "$(wc -l <"$SRV/logs/access.log")" "requests of a fully local run: $(tail -n +$((lines + 1)) "$SRV/logs/access.log")"

step "a bearer token: enforced by the server, sent by scratchpack, never shown"
machine t1 SCRATCHPACK_REMOTE_CACHE="http://127.0.0.1:$PORT/secure" SCRATCHPACK_REMOTE_CACHE_TOKEN=wrong-token
assert_eq 0 "$RC" "release with a wrong token ($ERR)"
assert_contains "$ERR" "401" "the refusal is reported"
[ "$(grep -c 'answered 401' <<<"$ERR")" = 1 ] || fail "the 401 is reported more than once: $ERR"
assert_not_contains "$ERR$OUT" "wrong-token" "the token in the output"
same_dist t1
echo "$TOKEN" >"$WORK/token"
chmod 600 "$WORK/token"
machine t2 SCRATCHPACK_REMOTE_CACHE="http://127.0.0.1:$PORT/secure" SCRATCHPACK_REMOTE_CACHE_TOKEN_FILE="$WORK/token"
assert_eq 0 "$RC" "release with the token ($ERR)"
assert_not_contains "$ERR" "warning" "warnings with the right token"
[ -n "$(ls "$SRV/root/secure/cas")" ] || fail "nothing written with the token"
machine t3 SCRATCHPACK_REMOTE_CACHE="http://127.0.0.1:$PORT/secure" SCRATCHPACK_REMOTE_CACHE_TOKEN_FILE="$WORK/token"
assert_eq "0 0" "$(counts)" "a fresh machine with the token"
assert_not_contains "$ERR$OUT" "$TOKEN" "the token in the output"
same_dist t3

step "credentials in the URL are never shown"
capture env SCRATCHPACK_REMOTE_CACHE="http://alice:pw-$TOKEN@127.0.0.1:$PORT/secure" "$SCRATCHPACK" cache stats
assert_contains "$OUT" "remote cache:    http://127.0.0.1:$PORT/secure/ (read-write, with credentials)" "stats"
assert_not_contains "$ERR$OUT" "pw-$TOKEN" "the password in the output"
capture env SCRATCHPACK_REMOTE_CACHE="http://alice:pw-$TOKEN@cache.example/secure" "$SCRATCHPACK" cache stats
assert_contains "$OUT" "misconfigured: credentials would be sent in clear text to cache.example" "stats"
assert_not_contains "$ERR$OUT" "pw-$TOKEN" "the password in the output"

step "the server killed mid-release changes nothing but time"
mark=$(wc -l <"$SRV/logs/access.log")
( while ! tail -n +"$((mark + 1))" "$SRV/logs/access.log" | grep -q '"GET /cache/cas'; do sleep 0.02; done
  : >"$WORK/.killed"; kill "$NGINX_PID" ) &
killer=$!
machine k SCRATCHPACK_REMOTE_CACHE="$REMOTE" SCRATCHPACK_REMOTE_CACHE_MODE=read-only
wait "$killer" || true
wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=
assert_eq 0 "$RC" "release while the server went away ($ERR)"
[ -e "$WORK/.killed" ] || fail "the server was not killed during the release"
[ "$(grep -c 'is not answering' <<<"$ERR")" -le 1 ] || fail "more than one warning: $ERR"
echo "killed mid-release: $(counts) (compiled linked)"
same_dist k
nginx_start

step "a corrupted content on the server is ignored, reported, and the release is right"
for f in "$SRV"/root/cache/cas/*; do
  printf 'corrupted' | dd of="$f" bs=1 seek=0 conv=notrunc 2>/dev/null
done
machine c SCRATCHPACK_REMOTE_CACHE="$REMOTE" SCRATCHPACK_REMOTE_CACHE_MODE=read-only
assert_eq 0 "$RC" "release against a corrupted remote ($ERR)"
assert_contains "$ERR" "ignored a damaged or forged remote cache entry" "the bad entry is reported (counts $(counts); $(ls "$SRV/root/cache/cas" | wc -l) contents; $(tail -3 "$SRV/logs/access.log"))"
assert_eq "8 6" "$(counts)" "everything rebuilt"
same_dist c
capture env SCRATCHPACK_CACHE="$WORK/cache-c" "$SCRATCHPACK" cache stats
bad=$(awk '/^remote bad:/ {print $3}' <<<"$OUT")
[ "$bad" -gt 0 ] || fail "stats: $bad bad entries"

step "a dead remote costs at most about one short timeout"
printf 'int x_changed = 1;\n' >>"$WORK/proj/src/a.cpp"
timed_machine() { # NAME ENV… : a copy of machine a's cache, one changed source, timed
  local name=$1
  shift
  rm -rf "$WORK/cache-$name" "$WORK/m-$name"
  cp -a "$WORK/cache-a" "$WORK/cache-$name"
  cp -a "$WORK/proj" "$WORK/m-$name"
  local start
  start=$(date +%s%N)
  machine "$name" "$@"
  ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
  assert_eq 0 "$RC" "release $name ($ERR)"
  assert_eq "2 2" "$(counts)" "release $name recompiles the changed unit"
}
timed_machine none SCRATCHPACK_REMOTE_CACHE=
none_ms=$ELAPSED_MS
dead=$(free_port)
timed_machine refused SCRATCHPACK_REMOTE_CACHE="http://127.0.0.1:$dead/cache"
refused_ms=$ELAPSED_MS
assert_contains "$ERR" "is not answering" "the dead remote is reported"
[ "$(grep -c 'is not answering' <<<"$ERR")" = 1 ] || fail "more than one warning: $ERR"
# A server that accepts connections and never answers.
hole=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$hole" &
hole_pid=$!
cleanup_hooks+=("kill $hole_pid 2>/dev/null")
sleep 0.3
timed_machine blackhole SCRATCHPACK_REMOTE_CACHE="http://127.0.0.1:$hole/cache"
hole_ms=$ELAPSED_MS
kill "$hole_pid" 2>/dev/null || true
assert_contains "$ERR" "is not answering" "the silent remote is reported"
[ "$(grep -c 'is not answering' <<<"$ERR")" = 1 ] || fail "more than one warning: $ERR"
echo "one changed unit: no remote ${none_ms} ms, refused ${refused_ms} ms, never answering ${hole_ms} ms"
[ $((refused_ms - none_ms)) -lt 2000 ] || fail "a refused remote cost $((refused_ms - none_ms)) ms"
[ $((hole_ms - none_ms)) -lt 4500 ] || fail "a silent remote cost $((hole_ms - none_ms)) ms"
echo ok
