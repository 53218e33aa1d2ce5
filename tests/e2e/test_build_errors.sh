# Bad input: exact messages, exit codes, and nothing half-written.
source "$(dirname "$0")/lib.sh"

step "compile error: clang's diagnostics, exit 1, no output"
printf 'int main() { return undefined_thing; }\n' > broken.c
capture "$SCRATCHPACK" build broken.c --format none
assert_eq 1 "$RC" "exit code of a compile error"
assert_contains "$ERR" "broken.c:1:21: error: use of undeclared identifier 'undefined_thing'" "clang diagnostic"
assert_contains "$ERR" "error: compilation failed: broken.c" "summary line"
assert_missing out/broken
[ -z "$(ls -A out 2>/dev/null)" ] || fail "out/ holds leftovers: $(ls -A out)"

step "every failing source is reported"
printf 'int f() { return nope; }\n' > broken2.c
capture "$SCRATCHPACK" build broken.c broken2.c --format none
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "broken2.c:1:18: error" "second file's diagnostic"
assert_contains "$ERR" "error: compilation failed: broken.c, broken2.c" "summary names both"

step "link error: undefined symbol"
printf 'int missing(void);\nint main(void) { return missing(); }\n' > undef.c
capture "$SCRATCHPACK" build undef.c --format none
assert_eq 1 "$RC" "exit code of a link error"
assert_contains "$ERR" "undefined symbol: missing" "lld diagnostic"
assert_contains "$ERR" "error: link failed: undef" "summary line"
assert_missing out/undef

step "unknown target"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --target mips64 --format none
assert_eq 2 "$RC" "exit code of an unknown target"
assert_eq "error: unknown target 'mips64': the architecture is not one scratchpack builds for
hint: use x86_64, aarch64, armv7 or riscv64, optionally with -glibc or -musl (e.g. aarch64-musl), a triple such as arm-linux-gnueabihf, or a platform such as linux/arm64" "$ERR" "unknown target message"

step "missing source"
capture "$SCRATCHPACK" build nothere.cpp --format none
assert_eq 2 "$RC" "exit code of a missing source"
assert_eq "error: nothere.cpp: no such file" "$ERR" "missing source message"

step "not a source"
touch notes.txt
capture "$SCRATCHPACK" build notes.txt --format none
assert_eq 2 "$RC" "exit code"
assert_eq "error: notes.txt: not a C or C++ source (expected .c, .cc, .cpp or .cxx)" "$ERR" "bad extension"

step "missing sysroot (empty cache)"
SCRATCHPACK_SYSROOTS=$WORK/empty-cache/sysroots capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --target armv7-musl --format none
assert_eq 1 "$RC" "exit code of a missing sysroot"
assert_contains "$ERR" "error: no sysroot for armv7-musl: missing $WORK/empty-cache/sysroots/arm-linux-musleabihf/usr/lib/arm-linux-musleabihf/crt1.o and 7 more" "missing sysroot"
assert_contains "$ERR" "hint: run 'scratchpack sysroot install armv7-musl'" "install hint"

step "C++ for a musl target without its sysroot (empty cache) names the install command"
SCRATCHPACK_SYSROOTS=$WORK/empty-cache/sysroots capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target aarch64-musl --format none
assert_eq 1 "$RC" "exit code of a missing musl sysroot for C++"
assert_contains "$ERR" "error: no sysroot for aarch64-musl: missing $WORK/empty-cache/sysroots/aarch64-linux-musl/usr/lib/aarch64-linux-musl/crt1.o" "missing musl sysroot for C++"
assert_contains "$ERR" "hint: run 'scratchpack sysroot install aarch64-musl'" "install hint for C++"
assert_missing out/hello
[ ! -d "$WORK/empty-cache/sysroots/libcxx" ] || fail "a libc++ build started without a sysroot"

step "libc++ cannot be built without cmake: clear error, nothing cached"
need_sysroot aarch64-musl
real_sysroots=${SCRATCHPACK_SYSROOTS:-${XDG_DATA_HOME:-$HOME/.local/share}/scratchpack/sysroots}
mkdir -p nocmake-cache/sysroots
ln -s "$real_sysroots/aarch64-linux-musl" nocmake-cache/sysroots/aarch64-linux-musl
capture env SCRATCHPACK_SYSROOTS="$WORK/nocmake-cache/sysroots" PATH=/nonexistent "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --target aarch64-musl --format none
assert_eq 1 "$RC" "exit code without cmake"
assert_contains "$ERR" "==> building libc++, libc++abi and libunwind for aarch64-musl" "first-use progress line"
assert_contains "$ERR" "error: cannot build libc++ for aarch64-musl: cmake is not on PATH
hint: install cmake and ninja-build (scripts/setup.sh does)" "missing cmake"
assert_missing out/hello
leftovers=$(find nocmake-cache/sysroots/libcxx -mindepth 1 -not -name '*.lock')
assert_eq "" "$leftovers" "nothing but the lock file in the libc++ cache"

step "bad profile and conflicting libc"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --profile fast --format none
assert_eq 2 "$RC" "exit code"
assert_eq "error: profile 'fast': unknown profile
hint: use debug, release or size" "$ERR" "bad profile"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --target aarch64-linux-musl --libc glibc --format none
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: target 'aarch64-linux-musl': names musl but --libc is glibc" "libc clash"
echo "ok"
