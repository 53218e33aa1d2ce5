# The build cache: a second release compiles nothing; changing one header recompiles exactly the
# objects that include it (and relinks only their binaries); touching without changing recompiles
# nothing; concurrent releases share the cache safely; `cache clean` empties it.
source "$(dirname "$0")/lib.sh"
private_build_cache

mkdir -p proj/src proj/inc
cd proj
printf '#pragma once\ninline int one() { return 1; }\n' > inc/one.h
printf '#pragma once\ninline int two() { return 2; }\n' > inc/two.h
printf '#include "one.h"\nint a() { return one(); }\n' > src/a.cpp
printf '#include <cstdio>\n#include "two.h"\nint a();\nint main() { std::printf("%%d\\n", a() + two()); }\n' > src/b.cpp
printf '#include <stdio.h>\nint main(void) { puts("c"); return 0; }\n' > src/c.c
cat > scratchpack.yaml <<'Y'
version: 1
project: cache
targets: [x86_64, aarch64]
binaries:
  - name: x
    sources: [src/a.cpp, src/b.cpp]
    include_dirs: [inc]
  - name: y
    sources: [src/c.c]
    libc: musl
images:
  - name: cached
    binaries: [x, y]
    entrypoint: ["/x"]
Y

counts() { # -> "compiled compile_hits linked link_hits" of the last release (its --json)
  python3 -c 'import json,sys; c=json.loads(sys.argv[1])["cache"]; print(c["compiled"], c["compile_hits"], c["linked"], c["link_hits"])' "$OUT"
}
release() {
  capture "$SCRATCHPACK" release --json "$@"
  assert_eq 0 "$RC" "release ($ERR)"
}

step "cold"
release
assert_eq "6 0 4 0" "$(counts)" "cold counts"
[ "$(dist/x86_64-glibc/x)" = 3 ] || fail "x prints $(dist/x86_64-glibc/x)"

step "warm: nothing compiled or linked"
release
assert_eq "0 6 0 4" "$(counts)" "warm counts"

step "touching a header without changing it"
touch inc/one.h inc/two.h src/c.c
release
assert_eq "0 6 0 4" "$(counts)" "counts after touch"

step "changing one header recompiles exactly the objects that include it"
printf '#pragma once\ninline int one() { return 10; }\n' > inc/one.h
release
assert_eq "2 4 2 2" "$(counts)" "counts after changing one.h (a.cpp x 2 targets; x relinked)"
[ "$(dist/x86_64-glibc/x)" = 12 ] || fail "x prints $(dist/x86_64-glibc/x) after the change"
assert_eq 12 "$(qemu-aarch64-static dist/aarch64-glibc/x)" "aarch64 x after the change"

step "changing a C source recompiles only it"
printf '#include <stdio.h>\nint main(void) { puts("c2"); return 0; }\n' > src/c.c
release
assert_eq "2 4 2 2" "$(counts)" "counts after changing c.c"
assert_eq c2 "$(dist/x86_64-musl/y)" "y after the change"

step "two releases at once share the cache"
printf '#pragma once\ninline int two() { return 20; }\n' > inc/two.h
"$SCRATCHPACK" release --out "$WORK/par1" >"$WORK/p1.out" 2>&1 &
p1=$!
"$SCRATCHPACK" release --out "$WORK/par2" >"$WORK/p2.out" 2>&1 &
p2=$!
wait $p1 || fail "first concurrent release failed: $(cat "$WORK/p1.out")"
wait $p2 || fail "second concurrent release failed: $(cat "$WORK/p2.out")"
cmp "$WORK/par1/SHA256SUMS" "$WORK/par2/SHA256SUMS" || fail "concurrent releases differ"
release --out "$WORK/par3"
assert_eq "0 6 0 4" "$(counts)" "after the concurrent releases"
cmp "$WORK/par1/SHA256SUMS" "$WORK/par3/SHA256SUMS" || fail "cached release differs"

step "cache stats and clean"
capture "$SCRATCHPACK" cache stats
assert_eq 0 "$RC" "cache stats"
assert_contains "$OUT" "build cache:     $SCRATCHPACK_CACHE/build" "stats dir"
sysroots=${SCRATCHPACK_SYSROOTS:-${XDG_DATA_HOME:-$HOME/.local/share}/scratchpack/sysroots}
assert_contains "$OUT" "sysroots:        $sysroots (" "stats shows the sysroots apart from the caches"

step "a brand-new cache directory still finds the installed sysroots"
need_sysroot aarch64-musl
capture env SCRATCHPACK_CACHE="$WORK/brand-new-cache" "$SCRATCHPACK" build "$EXAMPLES/hello.c" --target aarch64-musl --format none --out "$WORK/fresh-out"
assert_eq 0 "$RC" "build with an empty SCRATCHPACK_CACHE: $ERR"
[ -x "$WORK/fresh-out/hello" ] || fail "no binary from the build with an empty cache"
capture "$SCRATCHPACK" cache clean
assert_eq 0 "$RC" "cache clean"
assert_contains "$OUT" "removed " "clean output"
release
assert_eq "6 0 4 0" "$(counts)" "counts after clean"
echo "ok"
