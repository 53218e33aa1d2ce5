# A release whose inputs and outputs are all unchanged does nothing (pipeline/up_to_date.h): dist/
# is left as it is (same inodes) and the same result is printed. Every change that could alter
# an output makes it a real release with the right result: a header (touched or edited), a
# source, a new file a glob matches, the manifest, a file added to an image, dist/ edited or
# removed, SOURCE_DATE_EPOCH, the arguments, --no-cache, `cache clean`.
source "$(dirname "$0")/lib.sh"
private_build_cache
# The sysroots directory is an input (a sysroot installed there can change what discovery finds),
# and other tests install into the shared one while this runs: glibc targets need none of it, so
# a private, empty one keeps this test's inputs its own.
export SCRATCHPACK_SYSROOTS=$WORK/sysroots
mkdir -p "$SCRATCHPACK_SYSROOTS"

mkdir -p proj/src proj/inc proj/conf
cd proj
printf '#pragma once\n#define GREETING "one"\n' > inc/greet.h
printf '#include <stdio.h>\n#include "greet.h"\nint main(void) { puts(GREETING); return 0; }\n' > src/main.c
printf '#include <string>\nextern "C" int size_of_name() { return (int)std::string("abc").size(); }\n' > src/name.cpp
echo "setting=1" > conf/app.conf
cat > scratchpack.yaml <<'Y'
version: 1
project: uptodate
targets: [x86_64, aarch64]
binaries:
  - name: app
    sources: [src/*.c, src/*.cpp]
    include_dirs: [inc]
images:
  - name: app
    binaries: [app]
    files:
      - {src: conf/app.conf, dest: /etc/app.conf}
Y

counts() { # -> "compiled compile_hits linked link_hits" of the last --json release
  python3 -c 'import json,sys; c=json.loads(sys.argv[1])["cache"]; print(c["compiled"], c["compile_hits"], c["linked"], c["link_hits"])' "$OUT"
}
release() {
  capture "$SCRATCHPACK" release "$@"
  assert_eq 0 "$RC" "release $* ($ERR)"
}
stamp() { stat -c '%i %Y %Z' dist dist/report.json dist/x86_64-glibc/app; }
# The next release must see everything above as older than its start (ctime ticks are coarse).
settle() { sleep 0.05; }
assert_skipped() { assert_eq "$1" "$(stamp)" "dist/ untouched ($2)"; }
assert_rebuilt() { [ "$1" != "$(stamp)" ] || fail "dist/ was not written again ($2)"; }

step "cold, then the same release again does nothing and prints the same"
settle
release --json
assert_eq "4 0 2 0" "$(counts)" "cold counts"
cold_sums=$(cat dist/SHA256SUMS)
before=$(stamp)
settle
release --json
assert_skipped "$before" "second --json release"
assert_eq "0 4 0 2" "$(counts)" "an up-to-date release reports what a cached run would"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["error"] is None and d["project"] == "uptodate"' "$OUT" \
  || fail "report of the up-to-date release: $OUT"
release
first=$OUT
before=$(stamp)
settle
release
assert_skipped "$before" "plain release"
assert_eq "$first" "$OUT" "stdout of an up-to-date release"
assert_eq one "$(dist/x86_64-glibc/app)" "the binary"
(cd dist && sha256sum -c --quiet SHA256SUMS) || fail "sums"

step "a header touched without a change: a real release, nothing compiled"
touch inc/greet.h
settle
release --json
assert_rebuilt "$before" "header touched"
assert_eq "0 4 0 2" "$(counts)" "counts after touch"
assert_eq "$cold_sums" "$(cat dist/SHA256SUMS)" "same outputs after touch"

step "a header edited"
before=$(stamp)
printf '#pragma once\n#define GREETING "two"\n' > inc/greet.h
settle
release
assert_rebuilt "$before" "header edited"
assert_eq two "$(dist/x86_64-glibc/app)" "the binary after the header changed"
assert_eq two "$(qemu-aarch64-static dist/aarch64-glibc/app)" "aarch64 binary after the header changed"
before=$(stamp)
settle
release
assert_skipped "$before" "after the header change"

step "a source edited"
printf '#include <stdio.h>\n#include "greet.h"\nint main(void) { puts(GREETING "!"); return 0; }\n' > src/main.c
settle
release
assert_rebuilt "$before" "source edited"
assert_eq 'two!' "$(dist/x86_64-glibc/app)" "the binary after the source changed"

step "a new file the glob matches"
before=$(stamp)
printf 'int extra_function(void) { return 7; }\n' > src/extra.c
settle
release --json
assert_rebuilt "$before" "new source"
assert_eq "2 4 2 0" "$(counts)" "the new source compiled for both targets"

step "the manifest edited"
before=$(stamp)
sed -i 's/include_dirs: \[inc\]/include_dirs: [inc]\n    defines: [UNUSED=1]/' scratchpack.yaml
settle
release
assert_rebuilt "$before" "manifest edited"

step "a file added to the image edited"
before=$(stamp)
digest_before=$(grep -o 'sha256:[0-9a-f]*' <<<"$OUT" | head -1)
echo "setting=2" > conf/app.conf
settle
release
assert_rebuilt "$before" "image file edited"
[ "$digest_before" != "$(grep -o 'sha256:[0-9a-f]*' <<<"$OUT" | head -1)" ] || fail "image digest did not change"

step "dist/ edited or a file of it removed: written again"
before=$(stamp)
echo tampered >> dist/SHA256SUMS
settle
release
assert_rebuilt "$before" "SHA256SUMS edited"
(cd dist && sha256sum -c --quiet SHA256SUMS) || fail "sums after the repair"
rm dist/aarch64-glibc/app
settle
release
[ -x dist/aarch64-glibc/app ] || fail "a removed binary was not made again"
before=$(stamp)
rm -rf dist
settle
release
[ -x dist/x86_64-glibc/app ] || fail "a removed dist/ was not made again"

step "SOURCE_DATE_EPOCH, other arguments and --no-cache are real releases"
before=$(stamp)
settle
SOURCE_DATE_EPOCH=86400 release --json
assert_rebuilt "$before" "SOURCE_DATE_EPOCH"
python3 -c 'import json,sys; assert json.loads(sys.argv[1])["source_date_epoch"] == 86400' "$OUT" || fail "epoch in report"
before=$(stamp)
settle
release -q
assert_rebuilt "$before" "-q is another invocation"
before=$(stamp)
settle
release -q
assert_skipped "$before" "-q again"
release -q --no-cache
assert_rebuilt "$before" "--no-cache"
before=$(stamp)
settle
release -q --no-cache
assert_rebuilt "$before" "--no-cache always runs"

step "cache clean forgets every record"
release -q
before=$(stamp)
"$SCRATCHPACK" cache clean >/dev/null
settle
release -q
assert_rebuilt "$before" "after cache clean"

step "the scan gate's findings are shown again (-v shows notes)"
release -v
first_err=$ERR
before=$(stamp)
settle
release -v
assert_skipped "$before" "-v again"
assert_eq "$first_err" "$ERR" "stderr of an up-to-date release"
echo "ok"
