# The caches as an attacker or a careless user leaves them: a host file changed to the same size
# and mtime must not give the old layer; editing an output must not corrupt the cache; a cache
# entry rewritten by someone else (with its recorded hash rewritten to match) must never become
# an output; builds sharing a cache at the same time leave nothing broken; `cache verify` finds
# what is damaged.
source "$(dirname "$0")/lib.sh"
private_build_cache
cp "$EXAMPLES/hello.c" .

digest_of() { tar -xOf "$1" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])'; }

step "a file changed to the same size and mtime is a new layer, not the cached one"
echo "version 1" > app.conf
touch -d @1000000000 app.conf
"$SCRATCHPACK" build hello.c --add app.conf:/etc/app.conf --out one >/dev/null 2>&1
echo "version 2" > app.conf # same size
touch -d @1000000000 app.conf
"$SCRATCHPACK" build hello.c --add app.conf:/etc/app.conf --out two >/dev/null 2>&1
[ "$(digest_of one/hello.tar)" != "$(digest_of two/hello.tar)" ] || fail "the cached layer with the old contents was reused"
"$SCRATCHPACK" build hello.c --add app.conf:/etc/app.conf --no-cache --out fresh >/dev/null 2>&1
assert_eq "$(digest_of fresh/hello.tar)" "$(digest_of two/hello.tar)" "cached build equals an uncached one"

step "editing an output's blobs leaves the cache whole"
"$SCRATCHPACK" build hello.c --format oci-dir -o edit >/dev/null 2>&1
for blob in out/edit.oci/blobs/sha256/*; do
  chmod u+w "$blob"
  printf 'garbage' >> "$blob"
done
capture "$SCRATCHPACK" build hello.c --format oci-dir --out again -o edit
assert_eq 0 "$RC" "the build after the edit: $ERR"
skopeo inspect --raw oci:again/edit.oci >/dev/null || fail "the rebuilt layout is unreadable"
for blob in again/edit.oci/blobs/sha256/*; do
  assert_eq "$(basename "$blob")" "$(sha256sum "$blob" | cut -c1-64)" "blob $(basename "$blob") after the edit"
done

step "a cached binary rewritten by someone else never becomes an output"
"$SCRATCHPACK" build hello.c --format none -o forged >/dev/null 2>&1
printf 'int main(void) { return 42; }\n' > evil.c
clang-19 -static -fuse-ld=lld evil.c -o evil 2>/dev/null || "$SCRATCHPACK" build evil.c --format none >/dev/null 2>&1
[ -x evil ] || cp out/evil evil
evil_sha=$(sha256sum evil | cut -c1-64)
# Replace every cached linked binary and rewrite any hash recorded beside it, as a forger would.
while IFS= read -r -d '' f; do
  old_sha=$(sha256sum "$f" | cut -c1-64)
  cp evil "$f"
  for side in "$f.sha256" "$f.meta"; do
    [ -f "$side" ] && sed -i "s/$old_sha/$evil_sha/; s/^size .*/size $(stat -c %s evil)/" "$side"
  done
done < <(find "$SCRATCHPACK_CACHE/build/links" -type f ! -name '*.*' -print0)
# Every name built so far (a binary's name is in its package note, so each has its own link).
for name in forged hello edit; do
  "$SCRATCHPACK" build hello.c --format none -o $name --out healed >/dev/null 2>&1
  assert_eq "Hello from scratch!" "$(healed/$name)" "the binary $name after the cache was forged"
done

step "concurrent builds sharing the cache, then cache verify"
for i in 1 2 3 4; do
  printf '#include <stdio.h>\nint main(void) { puts("%s"); return 0; }\n' "$i" > "p$i.c"
done
pids=()
for i in 1 2 3 4; do
  "$SCRATCHPACK" build "p$i.c" "--out" "par$i" >/dev/null 2>"par$i.err" & pids+=($!)
  "$SCRATCHPACK" build hello.c "--out" "parh$i" >/dev/null 2>"parh$i.err" & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent build failed: $(cat par*.err)"; done
for i in 1 2 3 4; do assert_eq "$i" "$(par$i/p$i)" "concurrent build $i"; done
capture "$SCRATCHPACK" cache verify
assert_eq 0 "$RC" "cache verify after the concurrent builds: $OUT $ERR"
assert_contains "$OUT" " 0 damaged or forged removed" "verify report"

step "cache verify removes a damaged entry and says so"
obj=$(find "$SCRATCHPACK_CACHE/build/objects" -name '*.o' | head -1)
printf 'x' >> "$obj"
capture "$SCRATCHPACK" cache verify
assert_eq 1 "$RC" "exit code when something was removed"
assert_contains "$ERR" "warning: removed a damaged or forged cache entry: build/objects/" "which entry"
capture "$SCRATCHPACK" cache verify
assert_eq 0 "$RC" "a second verify finds nothing"
"$SCRATCHPACK" build hello.c --format none -o after >/dev/null 2>&1
assert_eq "Hello from scratch!" "$(out/after)" "a build after verify"

step "the size limit: entries beyond it go, least recently used first"
SCRATCHPACK_CACHE_MAX_SIZE=1 "$SCRATCHPACK" build p1.c --out lim >/dev/null 2>&1
capture "$SCRATCHPACK" cache stats
assert_contains "$OUT" "max size:        5.0 GiB (default)" "default limit"
SCRATCHPACK_CACHE_MAX_SIZE=1K capture "$SCRATCHPACK" cache stats
assert_contains "$OUT" "max size:        1.0 KiB (SCRATCHPACK_CACHE_MAX_SIZE)" "limit from the environment"
echo "max_size = 200K" > "$SCRATCHPACK_CACHE/scratchpack.conf"
printf '#include <stdio.h>\nint main(void) { puts("new"); return 0; }\n' > new.c
"$SCRATCHPACK" build new.c --out lim2 >/dev/null 2>&1
used=$("$SCRATCHPACK" cache stats | awk '/^max size:/ {print $(NF-2), $(NF-1)}')
python3 - "$used" <<'PY' || fail "the caches hold $used after eviction to 200K"
import sys
n, unit = sys.argv[1].split()
scale = {"B": 1, "KiB": 1024, "MiB": 1 << 20, "GiB": 1 << 30}[unit]
assert float(n) * scale <= 200 * 1024, sys.argv[1]
PY

step "builds racing evictions: a limit so small that every run evicts what the others use"
rm -f "$SCRATCHPACK_CACHE/scratchpack.conf"
pids=()
for round in 1 2; do
  for i in 1 2 3 4; do
    SCRATCHPACK_CACHE_MAX_SIZE=64K "$SCRATCHPACK" build "p$i.c" --out "race$round-$i" >/dev/null 2>"race$i.err" &
    pids+=($!)
  done
done
for p in "${pids[@]}"; do wait "$p" || fail "a build racing evictions failed: $(cat race*.err)"; done
for i in 1 2 3 4; do assert_eq "$i" "$(race2-$i/p$i)" "build $i racing evictions"; done
capture "$SCRATCHPACK" cache verify
assert_eq 0 "$RC" "cache verify after the race: $OUT $ERR"
echo ok
