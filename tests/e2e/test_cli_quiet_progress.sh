# -q means quiet in every command: build, package, push, scan and release print nothing on stderr
# when they succeed, on a terminal or not. Without -q, build and release show the same progress: a
# status line rewritten in place on a terminal ("\r\e[K[compile 1/1] …"), nothing on a pipe; -v
# adds the scan gate's notes (a C++ hello's glibc.iconv, which only libstdc++ reaches). `script`
# gives the commands a terminal.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
private_build_cache # cold, so that build and release compile and report it
cp "$EXAMPLES/hello.cpp" .
mkdir rel && cp hello.cpp rel/
printf 'version: 1\nproject: hello\ntargets: [x86_64]\nbinaries:\n  - {name: hello, sources: [hello.cpp]}\nimages:\n  - {name: hello, binaries: [hello]}\n' >rel/scratchpack.yaml

# on_tty CMD...: runs CMD with stdin, stdout and stderr on a terminal; stdout goes to tty.out,
# and what the terminal showed (stderr) to tty.err. RC is CMD's exit code.
on_tty() {
  local q
  printf -v q '%q ' "$@"
  set +e
  script -qefc "$q >tty.out" /dev/null </dev/null >tty.err 2>&1
  RC=$?
  set -e
  ERR=$(cat tty.err)
}

step "-q: nothing on stderr, on a pipe and on a terminal"
registry_start
quiet_commands=(
  "build hello.cpp --no-cache -q"
  "package out/hello --image acme/hello:1 --out pkg -q"
  "push out/hello.tar $REGISTRY/acme/hello:1 -q"
  "scan out/hello.tar -q"
  "release -f rel/scratchpack.yaml --no-cache -q"
)
for c in "${quiet_commands[@]}"; do
  read -ra args <<<"$c"
  capture "$SCRATCHPACK" "${args[@]}"
  assert_eq 0 "$RC" "$c ($ERR)"
  assert_eq "" "$ERR" "stderr of $c"
  [[ "$OUT" != *warning* ]] || fail "$c printed a warning on stdout: $OUT"
  on_tty "$SCRATCHPACK" "${args[@]}"
  assert_eq 0 "$RC" "$c on a terminal ($ERR)"
  assert_eq "" "$ERR" "the terminal of $c"
done

step "-q keeps what fails the command"
printf 'int main( {\n' >broken.c
capture "$SCRATCHPACK" build broken.c -q
assert_eq 1 "$RC" "broken build"
assert_contains "$ERR" "error:" "the compiler's error"

step "build and release on a terminal: one status line rewritten in place"
for c in "build hello.cpp --no-cache --out tty" "release -f rel/scratchpack.yaml --no-cache"; do
  read -ra args <<<"$c"
  on_tty "$SCRATCHPACK" "${args[@]}"
  assert_eq 0 "$RC" "$c on a terminal ($ERR)"
  assert_contains "$ERR" $'\r\e[K' "$c: the status line is rewritten in place"
  assert_contains "$ERR" "[compile 1/1] hello.cpp" "$c: compile step"
  assert_contains "$ERR" "[link 1/1]" "$c: link step"
  # On a pipe: no progress, and no warning (libstdc++'s iconv_open is a note, shown with -v).
  capture "$SCRATCHPACK" "${args[@]}"
  assert_eq 0 "$RC" "$c ($ERR)"
  assert_not_contains "$ERR" "[compile" "$c on a pipe"
  assert_not_contains "$ERR" "[link" "$c on a pipe"
  assert_not_contains "$ERR" "glibc.iconv" "$c on a pipe"
done

step "-v: the iconv_open only libstdc++ reaches is a note, which --strict does not fail"
note="note[glibc.iconv] iconv_open (from libstdc++.a(numeric_members_cow.o), which calls iconv_open): only libstdc++'s internals reach it, not the program's own code; glibc converts most character sets"
for c in "build hello.cpp --out verbose -v" "release -f rel/scratchpack.yaml -v"; do
  read -ra args <<<"$c"
  capture "$SCRATCHPACK" "${args[@]}"
  assert_eq 0 "$RC" "$c ($ERR)"
  assert_contains "$ERR" "$note" "$c"
  assert_not_contains "$ERR" "warning[glibc.iconv]" "$c"
  assert_not_contains "$ERR" "hint[glibc.iconv]" "$c: a note needs no fix"
done
capture "$SCRATCHPACK" build hello.cpp --out strict --strict
assert_eq 0 "$RC" "build --strict ($ERR)"
assert_not_contains "$ERR" "glibc.iconv" "build --strict"
capture "$SCRATCHPACK" build hello.cpp --out quiet-verbose -q -v
assert_not_contains "$ERR" "glibc.iconv" "-q wins over -v for the gate's notes"
# report.json records the note, which is not a warning.
python3 - rel/dist/report.json <<'PY'
import json, sys
scan = json.load(open(sys.argv[1]))["binaries"][0]["scan"]
notes = [f for f in scan["findings"] if f["code"] == "glibc.iconv"]
assert scan["warnings"] == 0 and [f["severity"] for f in notes] == ["note"], scan
assert notes[0]["message"].startswith("iconv_open (from libstdc++.a(numeric_members_cow.o)"), notes
PY
echo ok
