# `scan` of an image counts each file once per platform image, whatever the number of tags: a
# release image with 3 tags x 3 platforms x 3 ELF files is 9 files, each path once, in the
# archive and in the OCI layout alike. Two images of one platform (two tags of different builds)
# are each scanned once, told apart by their manifest digests.
source "$(dirname "$0")/lib.sh"

cp "$EXAMPLES/hello.c" .
cat > scratchpack.yaml <<'Y'
version: 1
project: httpd
targets: [x86_64-musl, aarch64-musl, armv7-musl]
binaries:
  - {name: httpd, sources: [hello.c]}
  - {name: healthcheck, sources: [hello.c]}
  - {name: ctl, sources: [hello.c]}
images:
  - name: httpd
    tags: ["1", "1.0", latest]
    binaries: [httpd, healthcheck, ctl]
    entrypoint: [/httpd]
output: {formats: [archive, oci-dir]}
Y
capture "$SCRATCHPACK" release
assert_eq 0 "$RC" "release exit code ($ERR)"
[ "$(tar -xOf dist/httpd.tar index.json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["manifests"]))')" = 3 ] ||
  fail "the archive's index.json should list the index once per tag"

for image in dist/httpd.tar dist/httpd.oci; do
  step "scan $image"
  capture "$SCRATCHPACK" scan "$image"
  assert_eq 0 "$RC" "scan exit code ($OUT $ERR)"
  assert_contains "$OUT" "9 files scanned, 0 errors, 0 warnings" "summary"
  capture "$SCRATCHPACK" scan "$image" --json
  assert_eq 0 "$RC" "scan --json exit code ($ERR)"
  python3 - "$OUT" "$image" <<'PY' || fail "scan --json of $image: $OUT"
import json, sys
r, image = json.loads(sys.argv[1]), sys.argv[2]
paths = [f["path"] for f in r["files"]]
expected = sorted(f"{image}[{p}]:/{b}" for p in ("linux/amd64", "linux/arm64/v8", "linux/arm/v7")
                  for b in ("httpd", "healthcheck", "ctl"))
assert sorted(paths) == expected, paths
assert r["summary"]["files"] == 9, r["summary"]
PY
done

step "two images of one platform in one layout are each scanned, named by digest"
cp hello.c a.c && cp hello.c b.c
"$SCRATCHPACK" build a.c --libc musl --format oci-dir >/dev/null
"$SCRATCHPACK" build b.c --libc musl --format oci-dir >/dev/null
skopeo copy -q oci:out/a.oci oci:two:a
skopeo copy -q oci:out/b.oci oci:two:b
capture "$SCRATCHPACK" scan two --json
assert_eq 0 "$RC" "scan exit code ($OUT $ERR)"
python3 - "$OUT" <<'PY' || fail "scan --json of two: $OUT"
import json, re, sys
paths = sorted(re.sub(r"sha256:[0-9a-f]{12}", "D", f["path"]) for f in json.loads(sys.argv[1])["files"])
assert paths == ["two[linux/amd64 D]:/a", "two[linux/amd64 D]:/b"], paths
PY
echo ok
