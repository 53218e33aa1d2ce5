# The supply chain end to end: SBOMs made from what the linker pulled in (SPDX 2.3 and CycloneDX
# 1.5, valid against the official schemas in tests/data/schemas), the ELF package note naming the
# SBOM's digest (llvm-readelf and the scanner show it), the documents attached to the image in
# its archive and, on `build --push --sign-key`, in the registry through the sha256-<hex> fallback
# tag (docker-registry 2.8 has no referrers API), read back over the registry API with Python;
# the provenance statement; the signature checked by the independent verifier; `sbom` of each
# source; `verify` of an archive and of a release's dist/ (identical, then one changed byte of a
# layer named); and the same bytes from two builds in different directories.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
SCHEMAS=$SP_SOURCE_DIR/tests/data/schemas

# valid KIND FILE...: each file is valid against the official schema of KIND (spdx, cyclonedx).
valid() {
  local kind=$1
  shift
  python3 - "$SCHEMAS" "$kind" "$@" <<'PY' || fail "$kind schema: $*"
import json, sys, jsonschema
schemas, kind, files = sys.argv[1], sys.argv[2], sys.argv[3:]
if kind == "spdx":
    schema = json.load(open(f"{schemas}/spdx-2.3/spdx-schema.json"))
    validator = jsonschema.Draft7Validator(schema)
else:
    base = f"{schemas}/cyclonedx-1.5/"
    schema = json.load(open(base + "bom-1.5.SNAPSHOT.schema.json"))
    store = {}
    for name in ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]:
        doc = json.load(open(base + name))
        store[doc["$id"]] = doc
        store["http://cyclonedx.org/schema/" + name] = doc
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = jsonschema.Draft7Validator(schema, resolver=resolver)
for f in files:
    errors = sorted(validator.iter_errors(json.load(open(f))), key=lambda e: list(e.path))
    if errors:
        sys.exit(f"{f}: {errors[0].message} at {list(errors[0].path)}")
PY
}

# in_dir DIR CMD...: runs CMD in DIR (for capture, whose variables a subshell would lose).
in_dir() { (cd "$1" && shift && "$@"); }

# installed PACKAGE: its installed version on this machine (dpkg).
installed() { dpkg-query -W -f '${Version}' "$1"; }

step "build hello.cpp (glibc): SBOMs beside the binary and the image, schema-valid"
mkdir one two
cp "$EXAMPLES/hello.cpp" one/ && cp "$EXAMPLES/hello.cpp" two/
capture in_dir one "$SCRATCHPACK" build hello.cpp && assert_eq 0 "$RC" "build ($ERR)"
for f in hello.spdx.json hello.cdx.json hello.image.spdx.json hello.image.cdx.json \
  hello.provenance.json; do
  [ -s "one/out/$f" ] || fail "build wrote no out/$f"
done
valid spdx one/out/hello.spdx.json one/out/hello.image.spdx.json
valid cyclonedx one/out/hello.cdx.json one/out/hello.image.cdx.json

step "the SBOM lists libc6-dev, libstdc++-12-dev, libgcc-12-dev at their installed versions, with members"
python3 - one/out/hello.spdx.json "$(installed libc6-dev)" "$(installed libstdc++-12-dev)" \
  "$(installed libgcc-12-dev)" <<'PY' || fail "binary SPDX contents"
import json, sys, urllib.parse
doc = json.load(open(sys.argv[1]))
want = dict(zip(["libc6-dev", "libstdc++-12-dev", "libgcc-12-dev"], sys.argv[2:]))
packages = {p["name"]: p for p in doc["packages"]}
files = {f["SPDXID"]: f for f in doc.get("files", [])}
rels = doc["relationships"]
binary = next(p for p in doc["packages"] if p.get("primaryPackagePurpose") == "APPLICATION")
for name, version in want.items():
    p = packages[name]
    assert p["versionInfo"] == version, (name, p["versionInfo"], version)
    purl = p["externalRefs"][0]["referenceLocator"]
    encoded = urllib.parse.quote(name, safe="")  # purl: libstdc%2B%2B-12-dev
    assert purl == f"pkg:deb/debian/{encoded}@{urllib.parse.quote(version, safe='')}?arch=amd64", purl
    assert {"spdxElementId": binary["SPDXID"], "relationshipType": "STATIC_LINK",
            "relatedSpdxElement": p["SPDXID"]} in rels, name
    members = [files[r["relatedSpdxElement"]]["fileName"] for r in rels
               if r["spdxElementId"] == p["SPDXID"] and r["relationshipType"] == "CONTAINS"]
    assert members, f"{name}: no members"
    for f in (files[r["relatedSpdxElement"]] for r in rels if r["spdxElementId"] == p["SPDXID"]):
        algs = {c["algorithm"] for c in f["checksums"]}
        assert algs == {"SHA1", "SHA256"}, f
names = {files[r["relatedSpdxElement"]]["fileName"] for r in rels if r["relationshipType"] == "CONTAINS"}
# Exact archive members: printf's object from libc.a, the iostream init from libstdc++.a.
assert "./usr/lib/x86_64-linux-gnu/libc.a(printf.o)" in names or \
       "./usr/lib/x86_64-linux-gnu/libc.a(vfprintf-internal.o)" in names, sorted(names)[:20]
assert any(n.startswith("./usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a(") for n in names)
assert any(n.startswith("./usr/lib/x86_64-linux-gnu/crt1.o") for n in names), "start files"
src = [f for f in doc["files"] if f["fileName"] == "./hello.cpp"]
assert src, "the source"
PY
# Every libc.a member the SBOM names is one the archive has, with the member's own sha256.
python3 - one/out/hello.spdx.json "$SP_LLVM_BINDIR/llvm-ar" <<'PY' || fail "libc.a members"
import hashlib, json, os, subprocess, sys, tempfile
doc, ar = json.load(open(sys.argv[1])), sys.argv[2]
libc = "/usr/lib/x86_64-linux-gnu/libc.a"
members = {f["fileName"][len("." + libc) + 1:-1]: f for f in doc["files"]
           if f["fileName"].startswith("." + libc + "(")}
assert len(members) > 20, len(members)
have = set(subprocess.run([ar, "t", libc], capture_output=True, text=True, check=True).stdout.split())
assert set(members) <= have, set(members) - have
with tempfile.TemporaryDirectory() as d:
    subprocess.run([ar, "x", libc, "_exit.o"], cwd=d, check=True)
    sha = hashlib.sha256(open(os.path.join(d, "_exit.o"), "rb").read()).hexdigest()
sums = {c["algorithm"]: c["checksumValue"] for c in members["_exit.o"]["checksums"]}
assert sums["SHA256"] == sha, (sums, sha)
PY

step "the package note names the SBOM's sha256; llvm-readelf and the scanner show it"
sbom_sha=$(sha256sum one/out/hello.spdx.json | cut -d' ' -f1)
notes=$("$SP_LLVM_BINDIR/llvm-readelf" --notes one/out/hello)
assert_contains "$notes" "Displaying notes found in: .note.package" "readelf: the note's section"
assert_contains "$notes" "FDO" "readelf: the note's owner"
assert_contains "$notes" "0xcafe1a7e" "readelf: the note's type"
capture "$SCRATCHPACK" scan -v one/out/hello
assert_contains "$OUT" "info[info.package-note] package note: {\"type\":\"scratchpack\",\"name\":\"hello\"" "scan -v"
assert_contains "$OUT" "\"architecture\":\"amd64\"" "scan -v: architecture"
assert_contains "$OUT" "\"sbom\":\"sha256:$sbom_sha\"}" "scan -v: the SBOM's digest"

step "no glibc.iconv warning for hello.cpp"
capture in_dir one "$SCRATCHPACK" build hello.cpp --out again
assert_not_contains "$ERR" "glibc.iconv" "hello.cpp's build"

step "--init: the image SBOM lists the init as scratchpack's, with its digest"
capture in_dir one "$SCRATCHPACK" build hello.cpp --init --out initd
assert_eq 0 "$RC" "build --init ($ERR)"
python3 - one/initd/hello.image.spdx.json one/initd/hello.image.cdx.json <<'PY' || fail "the init in the image SBOM"
import json, sys
spdx, cdx = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
init = [f for f in spdx["files"] if f["fileName"] == "./.scratchpack/init"]
assert init and init[0]["checksums"][0]["algorithm"] == "SHA256", init
comp = [c for c in cdx["components"] if c["name"] == "/.scratchpack/init"]
assert comp and comp[0]["supplier"]["name"].startswith("scratchpack "), comp
PY

step "the same bytes from another directory (binary, SBOMs, image)"
capture in_dir two "$SCRATCHPACK" build hello.cpp && assert_eq 0 "$RC" "build ($ERR)"
for f in hello hello.spdx.json hello.cdx.json hello.tar hello.image.spdx.json \
  hello.image.cdx.json hello.provenance.json; do
  cmp -s "one/out/$f" "two/out/$f" || fail "out/$f differs between two directories"
done

step "sbom: of the binary, the archive; the documents in the archive are the files beside it"
capture "$SCRATCHPACK" sbom one/out/hello
assert_eq 0 "$RC" "sbom BINARY ($ERR)"
assert_eq "$(cat one/out/hello.spdx.json)" "$OUT" "sbom BINARY is its SPDX file"
for kind in spdx:hello.image.spdx.json cyclonedx:hello.image.cdx.json \
  provenance:hello.provenance.json; do
  capture "$SCRATCHPACK" sbom one/out/hello.tar --format "${kind%%:*}"
  assert_eq 0 "$RC" "sbom ARCHIVE --format ${kind%%:*} ($ERR)"
  assert_eq "$(cat "one/out/${kind#*:}")" "$OUT" "the archive's ${kind%%:*} document"
done
cp one/out/hello.cdx.json tampered.spdx.json
cp one/out/hello tampered
capture "$SCRATCHPACK" sbom tampered
assert_eq 1 "$RC" "sbom of a binary whose SBOM file was swapped"
assert_contains "$ERR" "error: tampered.spdx.json is not this binary's SBOM: its sha256 is" "swapped SBOM"
capture "$SCRATCHPACK" sbom "$EXAMPLES/hello.cpp"
assert_eq 2 "$RC" "sbom of a source file ($ERR)"

step "podman and skopeo still take the archive (index.json keeps one entry)"
skopeo inspect --raw oci-archive:one/out/hello.tar >/dev/null || fail "skopeo oci-archive:"
entries=$(tar -xOf one/out/hello.tar index.json | python3 -c \
  'import json,sys; m=json.load(sys.stdin)["manifests"]; print(len(m), "dev.scratchpack.referrers" in m[0]["annotations"])')
assert_eq "1 True" "$entries" "index.json: one entry naming the referrers"

step "provenance: the command, the inputs with digests, the packages, the subjects"
python3 - one/out/hello.provenance.json "$(sha256sum one/hello.cpp | cut -d' ' -f1)" \
  "$(tar -xOf one/out/hello.tar index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"][7:])')" \
  "$(sha256sum one/out/hello | cut -d' ' -f1)" <<'PY' || fail "provenance contents"
import json, sys
st = json.load(open(sys.argv[1]))
assert st["_type"] == "https://in-toto.io/Statement/v1"
assert st["predicateType"] == "https://slsa.dev/provenance/v1"
d = st["predicate"]["buildDefinition"]
assert d["externalParameters"]["arguments"] == ["build", "hello.cpp"], d["externalParameters"]
deps = {x["name"]: x for x in d["resolvedDependencies"]}
assert deps["hello.cpp"]["digest"]["sha256"] == sys.argv[2]
assert deps["libc6-dev"]["uri"].startswith("pkg:deb/debian/libc6-dev@")
subjects = {s["name"]: s["digest"]["sha256"] for s in st["subject"]}
assert subjects["hello"] == sys.argv[3], subjects
assert subjects["x86_64-glibc/hello"] == sys.argv[4], subjects
b = st["predicate"]["runDetails"]["builder"]
assert b["version"]["scratchpack"] and b["version"]["llvm"].startswith("19."), b
PY

step "verify ARCHIVE: identical; one changed byte of a layer is named"
capture in_dir one "$SCRATCHPACK" verify out/hello.tar
assert_eq 0 "$RC" "verify ($OUT $ERR)"
assert_contains "$OUT" "identical: out/hello.tar (sha256:" "verify says identical"
python3 - one/out/hello.tar one/bad.tar <<'PY'
import json, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
t = tarfile.open(src)
root = json.load(t.extractfile("index.json"))["manifests"][0]["digest"][7:]
layer = json.load(t.extractfile("blobs/sha256/" + root))["layers"][-1]["digest"][7:]
member = t.getmember("blobs/sha256/" + layer)
data = bytearray(open(src, "rb").read())
data[member.offset_data + member.size // 2] ^= 1
open(dst, "wb").write(data)
print(layer)
PY
layer=$(tar -xOf one/out/hello.tar "blobs/sha256/$(tar -xOf one/out/hello.tar index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"][7:])')" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"])')
capture in_dir one "$SCRATCHPACK" verify bad.tar
assert_eq 1 "$RC" "verify of a damaged archive"
assert_contains "$OUT" "differs: layer 1 of linux/amd64 ($layer): its bytes are damaged" "the layer named"
assert_contains "$ERR" "error: verify bad.tar: 1 item differs from the rebuild" "verify's error"
echo '// changed' >>one/hello.cpp
capture in_dir one "$SCRATCHPACK" verify out/hello.tar
assert_eq 1 "$RC" "verify after the source changed"
assert_contains "$ERR" "differs: input hello.cpp: sha256:" "the changed input named"

step "release: SBOMs per binary, dist/provenance.json; verify dist/ identical, then a layer named"
cp -r "$SP_SOURCE_DIR/manifests/examples" rel
capture in_dir rel "$SCRATCHPACK" release -f hello.yaml && assert_eq 0 "$RC" "release ($ERR)"
valid spdx rel/dist/*/hello.spdx.json rel/dist/hello.image.spdx.json
valid cyclonedx rel/dist/*/hello.cdx.json rel/dist/hello.image.cdx.json
python3 - rel/dist/hello.image.spdx.json <<'PY' || fail "the release image's SBOM"
import json, sys
doc = json.load(open(sys.argv[1]))
purls = {r["referenceLocator"] for p in doc["packages"] for r in p.get("externalRefs", [])}
# One C library per platform: the host's package for amd64, Debian's cross packages for the rest.
for prefix in ["pkg:deb/debian/libc6-dev@", "pkg:deb/debian/libc6-dev-arm64-cross@",
               "pkg:deb/debian/libc6-dev-armhf-cross@"]:
    assert any(p.startswith(prefix) for p in purls), (prefix, purls)
assert any(p.startswith("pkg:deb/debian/libstdc%2B%2B-12-dev@") and p.endswith("?arch=amd64")
           for p in purls), purls
image = next(p for p in doc["packages"] if p.get("primaryPackagePurpose") == "CONTAINER")
assert image["externalRefs"][0]["referenceLocator"].startswith("pkg:oci/hello@sha256%3A"), image
PY
capture in_dir rel "$SCRATCHPACK" verify dist
assert_eq 0 "$RC" "verify dist ($OUT $ERR)"
assert_contains "$OUT" "identical: dist (" "verify dist says identical"
python3 - rel/dist/hello.tar <<'PY'
import json, sys, tarfile
path = sys.argv[1]
t = tarfile.open(path)
index = json.load(t.extractfile("blobs/sha256/" + json.load(t.extractfile("index.json"))["manifests"][0]["digest"][7:]))
arm = next(m for m in index["manifests"] if m["platform"]["architecture"] == "arm64")
layer = json.load(t.extractfile("blobs/sha256/" + arm["digest"][7:]))["layers"][-1]["digest"][7:]
member = t.getmember("blobs/sha256/" + layer)
data = bytearray(open(path, "rb").read())
data[member.offset_data + 100] ^= 1
open(path, "wb").write(data)
PY
capture in_dir rel "$SCRATCHPACK" verify dist
assert_eq 1 "$RC" "verify of a dist/ with a changed layer"
assert_contains "$OUT" "differs: hello.tar: layer 1 of linux/arm64/v8 (sha256:" "the arm64 layer named"

step "build --push --sign-key: image, SBOMs and provenance under the fallback tag, signature verified"
registry_start
capture "$SCRATCHPACK" keygen
assert_eq 0 "$RC" "keygen ($ERR)"
capture in_dir two "$SCRATCHPACK" build hello.cpp --push "$REGISTRY/chain/hello:1.0" --sign-key ../cosign.key
assert_eq 0 "$RC" "build --push --sign-key ($ERR)"
assert_contains "$ERR" "3 documents (SBOMs, provenance) attached to $REGISTRY/chain/hello@sha256:" "attach note"
digest=$(curl -sf -o /dev/null -w '%header{docker-content-digest}' \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/chain/hello/manifests/1.0")
[ "${digest#sha256:}" != "$digest" ] || fail "no digest for chain/hello:1.0"
python3 - "$REGISTRY" chain/hello "$digest" fetched <<'PY' || fail "documents over the registry API"
import hashlib, json, os, sys, urllib.request
registry, repo, digest, out = sys.argv[1:]
def get(path, accept):
    req = urllib.request.Request(f"http://{registry}/v2/{repo}/{path}", headers={"Accept": accept})
    return urllib.request.urlopen(req).read()
# No referrers API on docker-registry 2.8: the fallback tag holds the index.
try:
    get(f"referrers/{digest}", "application/vnd.oci.image.index.v1+json")
    sys.exit("the registry answered the referrers API; the test expects the fallback")
except urllib.error.HTTPError as e:
    assert e.code == 404, e.code
index = json.loads(get("manifests/sha256-" + digest[7:], "application/vnd.oci.image.index.v1+json"))
types = {}
os.makedirs(out)
for m in index["manifests"]:
    body = get("manifests/" + m["digest"], "application/vnd.oci.image.manifest.v1+json")
    assert "sha256:" + hashlib.sha256(body).hexdigest() == m["digest"]
    manifest = json.loads(body)
    assert manifest["subject"]["digest"] == digest, manifest["subject"]
    layer = manifest["layers"][0]
    blob = get("blobs/" + layer["digest"], "*/*")
    assert "sha256:" + hashlib.sha256(blob).hexdigest() == layer["digest"]
    types[manifest["artifactType"]] = blob
assert set(types) == {"application/spdx+json", "application/vnd.cyclonedx+json",
                      "application/vnd.in-toto+json"}, set(types)
open(f"{out}/image.spdx.json", "wb").write(types["application/spdx+json"])
open(f"{out}/image.cdx.json", "wb").write(types["application/vnd.cyclonedx+json"])
json.loads(types["application/vnd.in-toto+json"])["predicateType"] == "https://slsa.dev/provenance/v1" or sys.exit("provenance")
PY
valid spdx fetched/image.spdx.json
valid cyclonedx fetched/image.cdx.json
capture python3 "$E2E_DIR/cosign_verify.py" "$REGISTRY" chain/hello 1.0 cosign.pub
assert_eq 0 "$RC" "the independent verifier accepts ($OUT $ERR)"
capture "$SCRATCHPACK" sbom "$REGISTRY/chain/hello:1.0" --format cyclonedx
assert_eq 0 "$RC" "sbom REF ($ERR)"
assert_eq "$(cat fetched/image.cdx.json)" "$OUT" "sbom REF prints the attached CycloneDX"

step "a tampered manifest: the tag moved to another image is rejected by the verifier"
capture in_dir one "$SCRATCHPACK" build hello.cpp --out other -D CHANGED=1 --push "$REGISTRY/chain/hello:1.0"
assert_eq 0 "$RC" "push of another image under the signed tag ($ERR)"
capture python3 "$E2E_DIR/cosign_verify.py" "$REGISTRY" chain/hello 1.0 cosign.pub
assert_eq 1 "$RC" "the verifier rejects the moved tag ($OUT)"
