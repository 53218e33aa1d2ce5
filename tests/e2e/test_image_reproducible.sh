# Two builds of the same inputs in different directories give identical manifest digests and
# identical archives; changing SOURCE_DATE_EPOCH changes the timestamps and nothing else.
source "$(dirname "$0")/lib.sh"

for d in a b/deeper; do
  mkdir -p "$d"
  cp "$EXAMPLES/hello.cpp" "$d/"
  (cd "$d" && "$SCRATCHPACK" build hello.cpp --nonroot --ca-certs --init --label k=v >out.txt)
done
da=$(tail -1 a/out.txt) db=$(tail -1 b/deeper/out.txt)
assert_eq "${da##*@}" "${db##*@}" "manifest digests of two builds"
cmp a/out/hello.tar b/deeper/out/hello.tar || fail "archives differ"

step "multi-platform index is reproducible too"
for d in a b/deeper; do
  (cd "$d" && "$SCRATCHPACK" build hello.cpp --target x86_64,aarch64 --out multi >/dev/null)
done
cmp a/multi/hello.tar b/deeper/multi/hello.tar || fail "multi-platform archives differ"

step "SOURCE_DATE_EPOCH changes only timestamps"
(cd a && SOURCE_DATE_EPOCH=1700000000 "$SCRATCHPACK" build hello.cpp --out epoch >/dev/null)
(cd a && "$SCRATCHPACK" build hello.cpp --out zero >/dev/null)
python3 - a/zero/hello.tar a/epoch/hello.tar <<'PY' || fail "SOURCE_DATE_EPOCH changed more than timestamps"
import gzip, io, json, sys, tarfile

def load(path):
    t = tarfile.open(path)
    blob = lambda d: t.extractfile("blobs/" + d.replace(":", "/")).read()
    index = json.loads(t.extractfile("index.json").read())
    manifest = json.loads(blob(index["manifests"][0]["digest"]))
    config = json.loads(blob(manifest["config"]["digest"]))
    layers = [tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob(l["digest"])))) for l in manifest["layers"]]
    files = [[(m.name, m.mode, m.uid, m.gid, m.type, m.linkname,
               l.extractfile(m).read() if m.isfile() else None, m.mtime) for m in l.getmembers()] for l in layers]
    return manifest, config, files

m0, c0, f0 = load(sys.argv[1])
m1, c1, f1 = load(sys.argv[2])
assert c0["created"] == "1970-01-01T00:00:00Z" and c1["created"] == "2023-11-14T22:13:20Z", (c0["created"], c1["created"])
assert m1["annotations"]["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z", m1
# Everything but the timestamps (and the digests that hash them) is the same.
for c in (c0, c1):
    c.pop("created"); c["rootfs"].pop("diff_ids")
    for h in c.get("history", []): h.pop("created", None)
assert c0 == c1, (c0, c1)
strip = lambda files: [[e[:-1] for e in layer] for layer in files]
assert strip(f0) == strip(f1)
assert all(e[-1] == 0 for l in f0 for e in l) and all(e[-1] == 1700000000 for l in f1 for e in l)
PY
echo "ok"
