# The drop-in compiler's refusals and failures, as a build system sees them: -shared, another
# linker and an unknown target fail with exit 1 and one error naming the flag; a configure-style
# probe of -shared sees a plain failure; a compile error shows clang's diagnostics with the
# user's own paths; nothing half-written is left under the output's name.
source "$(dirname "$0")/lib.sh"
mkdir -p src
printf 'int main(void) { return 0; }\n' > src/ok.c
printf 'int main(void) {\n  return missing;\n}\n' > src/broken.c

step "-shared"
capture "$SCRATCHPACK" cc -shared -fPIC src/ok.c -o libok.so
assert_eq 1 "$RC" "-shared exit code"
assert_eq "error: -shared: scratchpack makes static executables only; a shared library cannot be built" \
  "$ERR" "-shared error"
assert_missing libok.so

step "-fuse-ld=bfd"
capture "$SCRATCHPACK" cc -fuse-ld=bfd src/ok.c -o ok
assert_eq 1 "$RC" "-fuse-ld exit code"
assert_eq "error: -fuse-ld=bfd: scratchpack links with its own lld, in process; another linker cannot be used
hint: drop -fuse-ld, or use -fuse-ld=lld" "$ERR" "-fuse-ld error"
assert_missing ok

step "an unknown target, from the flag and from SCRATCHPACK_TARGET"
capture "$SCRATCHPACK" cc --target sparc64 src/ok.c -o ok
assert_eq 1 "$RC" "unknown target exit code"
assert_contains "$ERR" "error: unknown target 'sparc64': the architecture is not one scratchpack builds for" \
  "unknown target error"
capture env SCRATCHPACK_TARGET=mips64 "$SCRATCHPACK" cc src/ok.c -o ok
assert_eq 1 "$RC" "unknown target from the environment"
assert_contains "$ERR" "error: unknown target 'mips64' (from SCRATCHPACK_TARGET): the architecture" \
  "unknown target from the environment"

step "an input that does not exist fails as with gcc (a CMake flag check of /W4 must fail)"
capture "$SCRATCHPACK" cc -c src/ok.c /W4 -o ok.o
assert_eq 1 "$RC" "a missing input"
assert_eq "error: /W4: no such file or directory" "$ERR" "missing input error"
assert_missing ok.o

step "a configure-style probe of -shared fails plainly"
if "$SCRATCHPACK" cc -shared -o conftest.so src/ok.c >/dev/null 2>&1; then
  fail "the -shared probe succeeded"
fi

step "a compile error: clang's diagnostics with the user's path, exit 1, no object"
capture "$SCRATCHPACK" cc -c src/broken.c -o broken.o
assert_eq 1 "$RC" "compile error exit code"
assert_contains "$ERR" "src/broken.c:2:10: error: use of undeclared identifier 'missing'" "diagnostics"
assert_contains "$ERR" "error: compilation failed: src/broken.c" "summary line"
assert_missing broken.o
capture "$SCRATCHPACK" cc src/broken.c -o broken
assert_eq 1 "$RC" "compile error in a link"
assert_missing broken

step "a link error names the output and shows lld's message"
printf 'int helper(void);\nint main(void) { return helper(); }\n' > src/undef.c
capture "$SCRATCHPACK" cc src/undef.c -o undef
assert_eq 1 "$RC" "link error exit code"
assert_contains "$ERR" "undefined symbol: helper" "lld's diagnostics"
assert_contains "$ERR" "error: link failed: undef" "link failure line"
assert_missing undef
[ -z "$(find . -maxdepth 1 -name '.undef.*')" ] || fail "a temporary of the output was left"
echo ok
