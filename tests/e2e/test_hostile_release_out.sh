# release replaces its output directory whole: it must never take a directory of the user's.
# A manifest from a clone naming output.dir: ../victim, a mistyped --out pointing at a folder of
# the user's, the working directory, $HOME or /: each is refused before anything is built, and the
# user's files are untouched. A previous release's directory (it holds the mark a release leaves)
# is replaced.
source "$(dirname "$0")/lib.sh"

mkdir -p victim proj/src
echo "precious" > victim/notes.txt
printf 'int main(void) { return 0; }\n' > proj/src/a.c
manifest() { # output.dir
  printf 'version: 1\nproject: p\nbinaries:\n  - name: a\n    sources: [src/a.c]\noutput: {dir: %s}\n' "$1" > proj/scratchpack.yaml
}

step "output.dir outside the manifest's directory is refused (it could be anyone's)"
manifest ../victim
capture "$SCRATCHPACK" release -f proj/scratchpack.yaml
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "output.dir: '../victim' is outside the manifest's directory" "message"
assert_eq "precious" "$(cat victim/notes.txt)" "victim's file"

step "--out naming a non-empty directory that no release wrote is refused"
manifest dist
capture "$SCRATCHPACK" release -f proj/scratchpack.yaml --out victim
assert_eq 2 "$RC" "exit code"
assert_eq "error: output directory $WORK/victim: is not empty and was not written by scratchpack release, which replaces its whole output directory
hint: empty it or choose another one (--out, or output.dir)" "$ERR" "message"
assert_eq "precious" "$(cat victim/notes.txt)" "victim's file"
[ -z "$(ls -A proj | grep -v -e src -e scratchpack.yaml)" ] || fail "leftovers: $(ls -A proj)"

step "the manifest's directory, the working directory, \$HOME and / are refused"
for out in proj . "$HOME" /; do
  capture "$SCRATCHPACK" release -f proj/scratchpack.yaml --out "$out"
  assert_eq 2 "$RC" "exit code for --out $out"
  assert_contains "$ERR" "error: output directory $(realpath "$out"): is or contains " "message for --out $out"
done
capture "$SCRATCHPACK" release -f proj/scratchpack.yaml --out "$WORK"
assert_eq 2 "$RC" "an ancestor of the manifest"
assert_contains "$ERR" "is or contains the manifest's directory" "ancestor message"

step "a file, or an unwritable parent, is named before anything is built"
touch afile
capture "$SCRATCHPACK" release -f proj/scratchpack.yaml --out afile
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: output directory $WORK/afile: exists and is not a directory" "message"

step "an empty directory and a previous release's are taken; the mark makes the difference"
mkdir empty
"$SCRATCHPACK" release -f proj/scratchpack.yaml --out empty >/dev/null 2>&1 || fail "empty dir"
[ -f empty/.scratchpack-release ] || fail "no mark in the release's directory"
(cd empty && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS"
grep -q scratchpack-release empty/SHA256SUMS && fail "the mark is listed as an artifact"
echo "old" > empty/extra.txt
"$SCRATCHPACK" release -f proj/scratchpack.yaml --out empty >/dev/null 2>&1 || fail "second release"
assert_missing empty/extra.txt
echo ok
