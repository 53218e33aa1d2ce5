# --version names the LLVM scratchpack was built with; --help lists the commands.
source "$(dirname "$0")/lib.sh"

capture "$SCRATCHPACK" --version
assert_eq 0 "$RC" "--version exit code"
[[ "$OUT" =~ ^scratchpack\ [0-9]+\.[0-9]+\.[0-9]+\ \(LLVM\ 19\.1\.[0-9]+, ]] || fail "--version printed: $OUT"

capture "$SCRATCHPACK" --help
assert_eq 0 "$RC" "--help exit code"
for c in build scan sysroot; do assert_contains "$OUT" "$c" "--help"; done

capture "$SCRATCHPACK" build --help
assert_contains "$OUT" "--target" "build --help"

capture "$SCRATCHPACK"
assert_eq 2 "$RC" "no command"
assert_contains "$ERR" "error: usage:" "no command message"

capture "$SCRATCHPACK" sysroot list
assert_eq 0 "$RC" "sysroot list"
assert_contains "$OUT" "x86_64-glibc   ok" "sysroot list shows the host target"
echo "ok"
