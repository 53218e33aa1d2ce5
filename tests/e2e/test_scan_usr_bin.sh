#!/usr/bin/env bash
# `scratchpack scan /usr/bin` finds the host's dynamic binaries, lists their DT_NEEDED and exits 1;
# --json parses and has the documented top-level keys.
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

: "${SCRATCHPACK:?SCRATCHPACK must point at the scratchpack binary}"
out=$(mktemp -d "${TMPDIR:-/tmp}/scan_e2e.XXXXXX")
trap 'rm -rf "$out"' EXIT

rc=0
"$SCRATCHPACK" scan /usr/bin >"$out/human.txt" 2>"$out/err.txt" || rc=$?
[ "$rc" -eq 1 ] || fail "scan /usr/bin exited $rc, expected 1 (stderr: $(head -c 500 "$out/err.txt"))"
grep -q '^/usr/bin/ls  (ELF64 x86-64 pie, dynamic' "$out/human.txt" ||
  fail "/usr/bin/ls is not reported as dynamic"
# /usr/bin/ls's block must list libc.so.6 among its DT_NEEDED entries.
awk '/^\/usr\/bin\/ls  /{in_ls=1; next} /^[^ ]/{in_ls=0} in_ls' "$out/human.txt" >"$out/ls.txt"
grep -q '^  error\[dynamic.needed\] libc.so.6: ' "$out/ls.txt" ||
  fail "/usr/bin/ls does not list DT_NEEDED libc.so.6: $(cat "$out/ls.txt")"
grep -q '^  error\[dynamic.interp\] requests the program loader /lib64/ld-linux-x86-64.so.2' \
  "$out/ls.txt" || fail "/usr/bin/ls does not report its PT_INTERP"
grep -Eq '^[0-9]+ files scanned, [0-9]+ errors, [0-9]+ warnings' "$out/human.txt" ||
  fail "no summary line: $(tail -n 3 "$out/human.txt")"

rc=0
"$SCRATCHPACK" scan --json /usr/bin >"$out/scan.json" || rc=$?
[ "$rc" -eq 1 ] || fail "scan --json /usr/bin exited $rc, expected 1"
python3 - "$out/scan.json" <<'PY' || fail "--json output does not match the documented schema"
import json, sys
doc = json.load(open(sys.argv[1]))
assert list(doc) == ["schema", "platform", "strict", "summary", "files", "error"], list(doc)
assert doc["error"]["exit_code"] == 1, doc["error"]
assert doc["schema"] == "scratchpack.scan/v1"
assert doc["summary"]["errors"] > 0
ls = [f for f in doc["files"] if f["path"] == "/usr/bin/ls"]
assert ls, "no /usr/bin/ls"
assert "libc.so.6" in ls[0]["elf"]["needed"], ls[0]["elf"]["needed"]
assert [f["path"] for f in doc["files"]] == sorted(f["path"] for f in doc["files"])
PY

# A missing path is an I/O error: exit 2 with `error: <what>: <why>`.
rc=0
"$SCRATCHPACK" scan /nonexistent-scan-path 2>"$out/err.txt" || rc=$?
[ "$rc" -eq 2 ] || fail "missing path exited $rc, expected 2"
grep -q '^error: /nonexistent-scan-path: ' "$out/err.txt" || fail "bad error text: $(cat "$out/err.txt")"
echo "ok: scan /usr/bin"
