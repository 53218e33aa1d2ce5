# A release of manifests/examples/hello.yaml: dist/<target>/hello, dist/hello.tar (one index over
# three platforms), SHA256SUMS that sha256sum -c accepts, report.json valid against
# docs/report.schema.json; each platform runs under podman; a second release gives the same bytes
# and compiles nothing.
source "$(dirname "$0")/lib.sh"
podman_setup
binfmt_setup
private_build_cache # a cold cache of its own, so the counts below are exact

cp -r "$SP_SOURCE_DIR/manifests/examples" ex
cd ex

step "first release"
capture "$SCRATCHPACK" release -f hello.yaml
assert_eq 0 "$RC" "release exit code ($ERR)"
for t in x86_64-glibc aarch64-glibc armv7-glibc; do
  [ -x "dist/$t/hello" ] || fail "dist/$t/hello missing"
done
[ -f dist/hello.tar ] || fail "dist/hello.tar missing"
assert_contains "$OUT" "dist/hello.tar hello:1.0.0@sha256:" "summary line"
(cd dist && sha256sum -c --quiet SHA256SUMS) || fail "sha256sum -c SHA256SUMS failed"
# Each binary with its SBOMs (SPDX, CycloneDX), the image with its SBOMs and provenance
# (docs/supply-chain.md); dist/provenance.json covers these and is listed nowhere.
entries=""
for t in aarch64-glibc armv7-glibc; do entries+="$t/hello $t/hello.cdx.json $t/hello.spdx.json "; done
entries+="hello.image.cdx.json hello.image.spdx.json hello.provenance.json hello.tar "
entries+="x86_64-glibc/hello x86_64-glibc/hello.cdx.json x86_64-glibc/hello.spdx.json"
assert_eq "$entries" "$(cut -d' ' -f3 dist/SHA256SUMS | tr '\n' ' ' | sed 's/ $//')" "SHA256SUMS entries"
[ -s dist/provenance.json ] || fail "dist/provenance.json missing"

step "report.json validates against its schema"
python3 - dist/report.json "$SP_SOURCE_DIR/docs/report.schema.json" <<'PY' || fail "report.json: $(cat dist/report.json)"
import json, sys, jsonschema
report, schema = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
jsonschema.validate(report, schema)
assert report["cache"] == {"compiled": 3, "compile_hits": 0, "linked": 3, "link_hits": 0}, report["cache"]
assert [b["target"] for b in report["binaries"]] == ["x86_64-glibc", "aarch64-glibc", "armv7-glibc"]
img = report["images"][0]
assert img["tags"] == ["1.0.0", "latest"] and len(img["platforms"]) == 3, img
sums = {l.split()[1]: l.split()[0] for l in open("dist/SHA256SUMS")}
assert {a["path"]: a["sha256"] for a in report["artifacts"]} == sums
PY

step "the index names both tags and every platform runs"
refs=$(tar -xOf dist/hello.tar index.json | python3 -c 'import json,sys; print(" ".join(sorted(m["annotations"]["io.containerd.image.name"] for m in json.load(sys.stdin)["manifests"])))')
assert_eq "hello:1.0.0 hello:latest" "$refs" "index.json names"
for arch in amd64 arm64 arm; do
  capture podman run --rm --network=none --arch $arch oci-archive:dist/hello.tar:1.0.0
  assert_eq 0 "$RC" "run on $arch ($ERR)"
  assert_eq "Hello from scratch!" "$OUT" "output on $arch"
done
podman load -q -i dist/hello.tar >/dev/null
assert_eq "Hello from scratch!" "$(podman run --rm --network=none hello:latest)" "podman load + run"

step "a second release: same bytes, nothing compiled"
cp dist/SHA256SUMS first.sums
digest=$(python3 -c 'import json; print(json.load(open("dist/report.json"))["images"][0]["digest"])')
capture "$SCRATCHPACK" release -f hello.yaml --json
assert_eq 0 "$RC" "second release ($ERR)"
cmp first.sums dist/SHA256SUMS || fail "SHA256SUMS changed"
python3 - "$OUT" "$digest" <<'PY' || fail "second report: $OUT"
import json, sys
r = json.loads(sys.argv[1])
assert r["cache"] == {"compiled": 0, "compile_hits": 3, "linked": 0, "link_hits": 3}, r["cache"]
assert r["images"][0]["digest"] == sys.argv[2]
PY

step "--no-cache rebuilds everything and still gives the same bytes"
"$SCRATCHPACK" release -f hello.yaml --no-cache --out "$WORK/fresh" >/dev/null 2>&1
cmp first.sums "$WORK/fresh/SHA256SUMS" || fail "an uncached release differs"
echo "ok"
