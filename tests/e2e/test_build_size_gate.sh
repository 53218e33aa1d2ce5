# The size profile strips its binaries after the scan gate, so the gate judges the same evidence
# (the symbol table the dlopen and iconv checks read) whatever the profile: `--profile size
# --strict` fails where release does, and release's gate warns the same. The findings name the
# source that calls each function (from lld's --why-extract table, kept with the cached link), so a
# stripped binary of the program's own lookups warns as an unstripped one does.
source "$(dirname "$0")/lib.sh"
private_build_cache

cat > dl.c <<'EOF'
#include <dlfcn.h>
#include <iconv.h>
#include <stdio.h>
int main(void) {
  void *h = dlopen("libplugin.so", RTLD_NOW);
  iconv_t cd = iconv_open("UTF-8", "LATIN1");
  printf("dlopen %s, iconv_open %s\n", h ? "worked" : "failed",
         cd == (iconv_t)-1 ? "failed" : "worked");
  return 0;
}
EOF

# The finding lines of a gate report (its first line names the file, and the file's path differs).
findings() { grep -E '^ *(error|warning|hint)\[' <<<"$1" || true; }

step "release and size profiles: the gate finds the same"
capture "$SCRATCHPACK" build dl.c --profile release --format none --out rel
assert_eq 0 "$RC" "release exit code ($ERR)"
release_findings=$(findings "$ERR")
# The program's own object calls both, and the gate says so (from lld's --why-extract).
assert_contains "$release_findings" "warning[glibc.dlopen] dlopen (from dl.c, which calls dlopen):" "release profile"
assert_contains "$release_findings" "warning[glibc.iconv] iconv_open (from dl.c, which calls iconv_open):" "release profile"
capture "$SCRATCHPACK" build dl.c --profile size --out small
assert_eq 0 "$RC" "size exit code ($ERR)"
assert_eq "$release_findings" "$(findings "$ERR")" "size profile findings"
assert_contains "$ERR" "small/dl  (ELF64 x86-64 exec, static, not stripped)" "the gate judged the binary as linked"

step "--strict fails with either profile"
for profile in release size; do
  capture "$SCRATCHPACK" build dl.c --profile "$profile" --strict --out "strict-$profile"
  assert_eq 1 "$RC" "--strict --profile $profile exit code"
  assert_contains "$ERR" "error[glibc.dlopen] dlopen (from dl.c, which calls dlopen):" "--strict --profile $profile"
  assert_contains "$ERR" "error[glibc.iconv] iconv_open (from dl.c, which calls iconv_open):" "--strict --profile $profile"
  assert_contains "$ERR" "error: scan gate: strict-$profile/dl is not fit for a scratch image (2 errors); nothing was packaged" "--strict --profile $profile"
done

step "what the size profile ships is stripped after the gate, and runs"
sections=$("$SP_LLVM_BINDIR/llvm-readelf" -S small/dl)
assert_not_contains "$sections" ".symtab" "size profile sections"
assert_contains "$sections" ".gnu.warning.dlopen" "glibc's warning sections stay"
[ "$(stat -c %s small/dl)" -lt "$(stat -c %s rel/dl)" ] || fail "the size profile's binary is not smaller"
assert_contains "$(small/dl)" "dlopen failed, iconv_open " "the stripped binary runs"
capture "$SCRATCHPACK" build dl.c --profile size --format none --out small -v
assert_contains "$ERR" "note: strip: $SP_LLVM_BINDIR/llvm-objcopy --strip-all small/dl" "-v shows the strip"
# The image holds the stripped binary, where a scan can no longer see the calls (docs/scan.md).
capture "$SCRATCHPACK" scan small/dl.tar
assert_contains "$OUT" "small/dl.tar[linux/amd64]:/dl  (ELF64 x86-64 exec, static, stripped, entrypoint)" "the image's /dl"
assert_not_contains "$OUT" "glibc.dlopen" "scan after stripping"

step "a cached rebuild: the same findings and the same bytes"
capture "$SCRATCHPACK" build dl.c --profile size --format none --out again
assert_eq 0 "$RC" "cached rebuild exit code ($ERR)"
assert_eq "$release_findings" "$(findings "$ERR")" "cached size profile findings"
cmp small/dl again/dl || fail "a cached size build differs"
assert_eq "stripped copies: 1" "$("$SCRATCHPACK" cache stats | grep '^stripped copies:' | tr -s ' ')" \
  "cache stats counts the one stripped copy"
capture "$SCRATCHPACK" build dl.c --profile size --strict --format none --out again
assert_eq 1 "$RC" "cached --strict exit code"

step "release: the size profile's binaries are gated before they are stripped"
cat > dl.yaml <<'EOF'
version: 1
project: dl
targets: [x86_64]
binaries:
  - name: dl
    sources: [dl.c]
    profile: size
images:
  - name: dl
    binaries: [dl]
EOF
capture "$SCRATCHPACK" release -f dl.yaml --out dist
assert_eq 0 "$RC" "release exit code ($ERR)"
assert_contains "$ERR" "warning[glibc.dlopen] dlopen (from dl.c, which calls dlopen):" "release gate"
assert_contains "$ERR" "warning[glibc.iconv] iconv_open (from dl.c, which calls iconv_open):" "release gate"
released=$(find dist -type f -name dl)
[ -n "$released" ] || fail "no dist/…/dl: $(find dist)"
assert_not_contains "$("$SP_LLVM_BINDIR/llvm-readelf" -S $released)" ".symtab" "released binary sections"
grep -q "$(sha256sum $released | cut -d' ' -f1)" dist/SHA256SUMS || fail "SHA256SUMS does not list the stripped binary"

step "a stripped --profile size binary still warns for the program's own lookup, naming its source"
cat > getpw.c <<'EOF'
#include <pwd.h>
#include <stdio.h>
int main(void) {
  struct passwd *pw = getpwnam("root");
  printf("root's home: %s\n", pw ? pw->pw_dir : "unknown");
  return 0;
}
EOF
getpw_warning="warning[glibc.nss] getpwnam (from getpw.c, which calls getpwnam): glibc looks this up through NSS"
capture "$SCRATCHPACK" build getpw.c --profile size --format none --out pw
assert_eq 0 "$RC" "getpw exit code ($ERR)"
assert_contains "$ERR" "$getpw_warning" "size profile"
assert_not_contains "$("$SP_LLVM_BINDIR/llvm-readelf" -S pw/getpw)" ".symtab" "getpw is stripped"
# The link from the cache: its table was kept with it, and the objects are in another directory.
capture "$SCRATCHPACK" build getpw.c --profile size --format none --out pw-again
assert_contains "$ERR" "$getpw_warning" "cached size profile"
capture "$SCRATCHPACK" build getpw.c --profile size --strict --format none --out pw-strict
assert_eq 1 "$RC" "getpw --strict exit code"
assert_contains "$ERR" "error[glibc.nss] getpwnam (from getpw.c, which calls getpwnam):" "--strict"

step "a C++ program that calls iconv_open itself still warns, though libstdc++ refers to it too"
cat > conv.cpp <<'EOF'
#include <iconv.h>
#include <iostream>
int main() {
  iconv_t cd = iconv_open("UTF-8", "LATIN1");
  std::cout << (cd == (iconv_t)-1 ? "no converter" : "converter") << std::endl;
  return 0;
}
EOF
capture "$SCRATCHPACK" build conv.cpp --profile size --format none --out conv -v
assert_eq 0 "$RC" "conv exit code ($ERR)"
assert_contains "$ERR" "warning[glibc.iconv] iconv_open (from conv.cpp, which calls iconv_open):" "conv.cpp"
assert_not_contains "$ERR" "note[glibc.iconv]" "conv.cpp"

step "scratchpack cc: the same attribution"
capture "$SCRATCHPACK" cc dl.c -o cc-dl
assert_eq 0 "$RC" "cc exit code ($ERR)"
assert_contains "$ERR" "warning[glibc.dlopen] dlopen (from dl.c, which calls dlopen):" "cc"
assert_contains "$ERR" "warning[glibc.iconv] iconv_open (from dl.c, which calls iconv_open):" "cc"
echo "ok"
