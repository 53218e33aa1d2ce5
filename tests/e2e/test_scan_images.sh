# `scratchpack scan` on images: each platform of a multi-arch archive is checked against its own
# platform (and an OCI layout directory works the same); a mismatched image is caught.
source "$(dirname "$0")/lib.sh"

step "a three-platform archive scans clean, one entrypoint per platform"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --target x86_64,aarch64,armv7 --libc musl >/dev/null
capture "$SCRATCHPACK" scan out/hello.tar --json
assert_eq 0 "$RC" "scan exit code ($ERR)"
python3 - "$OUT" <<'PY' || fail "scan report: $OUT"
import json, sys
r = json.loads(sys.argv[1])
paths = sorted(f["path"] for f in r["files"])
assert paths == ["out/hello.tar[linux/amd64]:/hello", "out/hello.tar[linux/arm/v7]:/hello",
                 "out/hello.tar[linux/arm64/v8]:/hello"], paths
machines = {f["path"].split("[")[1].split("]")[0]: f["elf"]["machine"] for f in r["files"]}
assert machines == {"linux/amd64": "x86-64", "linux/arm64/v8": "aarch64", "linux/arm/v7": "arm"}, machines
assert all(f["entrypoint"] for f in r["files"]) and r["summary"]["errors"] == 0, r["summary"]
PY

step "--platform picks one image of the index"
capture "$SCRATCHPACK" scan out/hello.tar --platform linux/arm/v7 -v
assert_eq 0 "$RC" "exit code"
assert_contains "$OUT" "out/hello.tar[linux/arm/v7]:/hello  (ELF32 arm exec, static, not stripped, hard-float, entrypoint)" "arm file"
assert_not_contains "$OUT" "linux/amd64" "other platforms"

step "an OCI layout directory"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --format oci-dir --out oci >/dev/null
capture "$SCRATCHPACK" scan oci/hello.oci
assert_eq 0 "$RC" "exit code ($OUT $ERR)"
assert_contains "$OUT" "1 file scanned, 0 errors" "OCI dir summary"

step "an arm64 binary in an amd64 image is caught"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --target aarch64-musl --format none -o arm >/dev/null
"$SCRATCHPACK" package out/arm --platform linux/amd64 --no-scan --image wrong >/dev/null
capture "$SCRATCHPACK" scan out/wrong.tar
assert_eq 1 "$RC" "exit code"
assert_contains "$OUT" "out/wrong.tar[linux/amd64]:/arm" "file"
assert_contains "$OUT" "error[platform.arch]" "platform finding"

step "the gate refuses to package it without --no-scan"
capture "$SCRATCHPACK" package out/arm --platform linux/amd64 --image wrong2
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "error[platform.arch]" "gate finding"
assert_missing out/wrong2.tar
echo "ok"
