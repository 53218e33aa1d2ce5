# A manifest from a clone can name only its own files (no absolute paths, no ../, no symlinks
# out), unless the user allows a path with --allow-outside; and it cannot push by itself:
# output.push needs release --push.
source "$(dirname "$0")/lib.sh"

mkdir -p proj/src proj/conf
cd proj
printf 'int main(void) { return 0; }\n' > src/a.c
ln -s /etc/hostname conf/link
head='version: 1
project: p
binaries:
  - name: a
    sources: [src/a.c]
images:
  - name: a
    binaries: [a]
    files:'

step "host files through absolute paths, ../ and symlinks are refused, each reported"
printf '%s\n      - {src: /etc/passwd, dest: /p}\n      - {src: ../../../../etc/shadow, dest: /s}\n      - {src: conf/link, dest: /h}\n' "$head" > scratchpack.yaml
capture "$SCRATCHPACK" release
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "scratchpack.yaml:10:15: error: images[0].files[0].src: '/etc/passwd' is outside the manifest's directory; a manifest may name only its own files unless you pass --allow-outside /etc/passwd" "absolute path"
assert_contains "$ERR" "images[0].files[1].src: '../../../../etc/shadow' is outside" "../ path"
assert_contains "$ERR" "images[0].files[2].src: 'conf/link' (/etc/hostname) is outside" "symlink"
assert_contains "$ERR" "error: scratchpack.yaml: 3 problems found" "summary"
assert_missing dist

step "sources and include directories outside are refused too"
printf 'version: 1\nproject: p\nbinaries:\n  - name: a\n    sources: [src/a.c, /usr/share/doc/*/x.c]\n    include_dirs: [/usr/include]\n' > other.yaml
capture "$SCRATCHPACK" release -f other.yaml
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "binaries[0].include_dirs[0]: '/usr/include' is outside" "include dir"

step "--allow-outside lets a named path in"
printf '%s\n      - {src: /etc/hostname, dest: /h}\n' "$head" > scratchpack.yaml
capture "$SCRATCHPACK" release --allow-outside /etc/hostname
assert_eq 0 "$RC" "exit code with --allow-outside: $ERR"
tar -xOf dist/a.tar index.json >/dev/null || fail "no image"

step "output.push alone pushes nothing; it says so"
cat > scratchpack.yaml <<'Y'
version: 1
project: p
binaries:
  - name: a
    sources: [src/a.c]
images:
  - name: 127.0.0.1:9/acme/a
    binaries: [a]
output: {push: true}
Y
capture "$SCRATCHPACK" release
assert_eq 0 "$RC" "exit code (no push was tried: port 9 would refuse): $ERR"
assert_contains "$ERR" "note: the manifest sets output.push; pushing needs --push on the command line" "note"
capture "$SCRATCHPACK" release --push --retries 1
assert_eq 1 "$RC" "with --push the push is tried (and port 9 refuses)"
echo ok
