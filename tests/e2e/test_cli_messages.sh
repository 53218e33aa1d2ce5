# Flag mistakes are reported in scratchpack's words (`error: <what>: <why>` + `hint:`), never
# CLI11's: an unknown flag with the closest known one, a single-value flag given twice, a flag
# without its value, an unknown --std checked before anything compiles (one error, not clang's
# notes), and `release MANIFEST` taking the manifest as an argument.
source "$(dirname "$0")/lib.sh"
cp "$EXAMPLES/hello.c" .

step "an unknown flag names the closest one"
capture "$SCRATCHPACK" build hello.c --taget aarch64
assert_eq 2 "$RC" "exit code"
assert_eq $'error: --taget: unknown flag\nhint: did you mean --target?' "$ERR" "--taget"
capture "$SCRATCHPACK" release --jsno
assert_eq $'error: --jsno: unknown flag\nhint: did you mean --json?' "$ERR" "--jsno"

step "a single-value flag given twice"
capture "$SCRATCHPACK" build hello.c --target x86_64 --target aarch64
assert_eq 2 "$RC" "exit code"
assert_eq $'error: --target: given 2 times; it takes one value\nhint: give several targets as one comma-separated list: --target x86_64,aarch64' \
  "$ERR" "--target twice"
assert_missing out

step "a flag without its value"
capture "$SCRATCHPACK" build hello.c --out
assert_eq $'error: --out: needs a value\nhint: run \'scratchpack build --help\'' "$ERR" "--out"

step "--std is checked before compiling: one error, no clang notes"
capture "$SCRATCHPACK" build hello.c --std c++21
assert_eq 2 "$RC" "exit code"
assert_eq $'error: --std c++21: unknown language standard\nhint: C++ standards are c++98, c++11, c++14, c++17, c++20, c++23, c++26 (gnu++NN for GNU extensions)' \
  "$ERR" "--std c++21"
assert_missing out
capture "$SCRATCHPACK" build hello.c --std c17 --format none
assert_eq 0 "$RC" "--std c17 ($ERR)"

step "release MANIFEST"
mkdir rel && cp hello.c rel/
printf 'version: 1\nproject: hello\ntargets: [x86_64]\nbinaries:\n  - {name: hello, sources: [hello.c]}\n' >rel/app.yaml
capture "$SCRATCHPACK" release rel/app.yaml -q
assert_eq 0 "$RC" "release rel/app.yaml ($ERR)"
[ -x rel/dist/x86_64-glibc/hello ] || fail "release MANIFEST wrote no rel/dist/x86_64-glibc/hello"
capture "$SCRATCHPACK" release rel/app.yaml -f other.yaml
assert_eq 2 "$RC" "two manifests"
assert_contains "$ERR" "error: release rel/app.yaml -f other.yaml: names two manifests; a release reads one" "two manifests"
echo ok
