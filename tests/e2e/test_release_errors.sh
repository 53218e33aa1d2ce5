# Bad manifests: each gives its message at line:column, exit 1 (2 when all it lacks is a file it
# names: a missing input), and no dist/.
source "$(dirname "$0")/lib.sh"

mkdir -p src
printf 'int main(void) { return 0; }\n' > src/a.c
base='version: 1
project: bad
binaries:
  - name: a
    sources: [src/a.c]
images:
  - name: a
    binaries: [a]'

# check NAME EXPECTED-FIRST-LINE MANIFEST [EXIT-CODE (1)]
check() {
  step "$1"
  printf '%s\n' "$3" > "$1.yaml"
  capture "$SCRATCHPACK" release -f "$1.yaml"
  assert_eq "${4:-1}" "$RC" "exit code for $1"
  assert_eq "$2
error: $1.yaml: 1 problem found" "$ERR" "message for $1"
  assert_missing dist
}

check syntax "syntax.yaml:6:7: error: YAML syntax error: end of sequence flow not found" 'version: 1
project: bad
binaries:
  - name: a
    sources: [src/a.c
images: []'
check unknown_key "unknown_key.yaml:9:5: error: images[0]: unknown key 'entrypiont'; did you mean 'entrypoint'?" "$base
    entrypiont: [\"/a\"]"
check wrong_type "wrong_type.yaml:5:14: error: binaries[0].sources: expected a list of strings, got a string" 'version: 1
project: bad
binaries:
  - name: a
    sources: src/a.c'
check unknown_binary "unknown_binary.yaml:8:16: error: images[0].binaries[0]: unknown binary 'b'; the binaries are a" 'version: 1
project: bad
binaries:
  - name: a
    sources: [src/a.c]
images:
  - name: a
    binaries: [b]'
check duplicate "duplicate.yaml:6:11: error: binaries[1].name: duplicate binary name 'a' (first at 4:11)" 'version: 1
project: bad
binaries:
  - name: a
    sources: [src/a.c]
  - name: a
    sources: [src/a.c]'
check bad_tag "bad_tag.yaml:9:12: error: images[0].tags[0]: invalid tag 'v1 beta': a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'" "$base
    tags: [\"v1 beta\"]"
check missing_source "missing_source.yaml:5:15: error: binaries[0].sources[0]: source 'src/missing.c' does not exist" 'version: 1
project: bad
binaries:
  - name: a
    sources: [src/missing.c]' 2
check empty_glob "empty_glob.yaml:5:15: error: binaries[0].sources[0]: sources glob 'src/*.cc' matches no file" 'version: 1
project: bad
binaries:
  - name: a
    sources: [src/*.cc]' 2
check shell_cmd 'shell_cmd.yaml:9:10: error: images[0].cmd: shell form is not supported: a scratch image has no /bin/sh to run it; use the exec form: ["/a", "--verbose"]' "$base
    cmd: /a --verbose"
check bad_mode "bad_mode.yaml:9:50: error: images[0].files[0].mode: invalid mode '0999': expected an octal mode such as \"0644\"" "$base
    files: [{src: src/a.c, dest: /etc/a.c, mode: \"0999\"}]"
check libc_clash "libc_clash.yaml:3:11: error: binaries[0].targets: target 'aarch64-musl' is musl but binary a has libc: glibc" 'version: 1
project: bad
targets: [aarch64-musl]
binaries:
  - name: a
    sources: [src/a.c]
    libc: glibc'
check bad_target "bad_target.yaml:3:11: error: targets[0]: invalid target 'mips64': the architecture is not one scratchpack builds for" 'version: 1
project: bad
targets: [mips64]
binaries:
  - name: a
    sources: [src/a.c]'

step "several problems are reported together, in order"
printf '%s\n' "$base
    tags: [\"v1 beta\"]
    entrypiont: [\"/a\"]
    cmd: /a" > many.yaml
capture "$SCRATCHPACK" release -f many.yaml
assert_eq 1 "$RC" "exit code"
assert_eq "many.yaml:9:12: error: images[0].tags[0]: invalid tag 'v1 beta': a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'
many.yaml:10:5: error: images[0]: unknown key 'entrypiont'; did you mean 'entrypoint'?
many.yaml:11:10: error: images[0].cmd: shell form is not supported: a scratch image has no /bin/sh to run it; use the exec form: [\"/a\"]
error: many.yaml: 3 problems found" "$ERR" "three problems"
assert_missing dist

step "a compile error leaves no dist/ either, and an existing dist/ untouched"
printf 'int main(void) { return nope; }\n' > src/broken.c
printf 'version: 1\nproject: p\nbinaries:\n  - name: b\n    sources: [src/broken.c]\n' > broken.yaml
# A previous release's dist/ (it carries the mark a release leaves; any other non-empty directory
# is refused before the build: test_hostile_release_out.sh).
mkdir dist && echo keep > dist/old.txt && touch dist/.scratchpack-release
capture "$SCRATCHPACK" release -f broken.yaml
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "error: compilation failed: " "compile error"
assert_eq "keep" "$(cat dist/old.txt)" "previous dist/"
[ -z "$(ls -A . | grep -E '^\.(dist|scratchpack)')" ] || fail "temporary files left: $(ls -A)"

step "a missing manifest is an I/O error"
capture "$SCRATCHPACK" release -f nothere.yaml
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: nothere.yaml:" "missing manifest"
echo "ok"
