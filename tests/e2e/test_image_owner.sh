# Added files can be given an owner: `--add SRC:DEST:MODE:UID:GID` and a manifest's
# `files: [{…, owner: "65532:65532"}]`. A --nonroot program can then read a 0600 file it owns;
# without the owner the file stays root's (the documented default) and the program cannot.
source "$(dirname "$0")/lib.sh"
podman_setup

cat > readsecret.c <<'C'
#include <stdio.h>
int main(void) {
  FILE* f = fopen("/etc/app/secret", "r");
  if (!f) {
    perror("/etc/app/secret");
    return 1;
  }
  char buf[256];
  size_t n = fread(buf, 1, sizeof buf, f);
  fwrite(buf, 1, n, stdout);
  return 0;
}
C
printf 's3cret-value\n' > secret
chmod 0600 secret

# The uid, gid and mode of PATH in the archive's layers.
owner_of() { # archive path
  python3 - "$1" "$2" <<'PY'
import io, json, sys, tarfile
t = tarfile.open(sys.argv[1])
blob = lambda d: t.extractfile("blobs/" + d.replace(":", "/")).read()
root = json.loads(blob(json.loads(t.extractfile("index.json").read())["manifests"][0]["digest"]))
manifest = json.loads(blob(root["manifests"][0]["digest"])) if "manifests" in root else root
for layer in manifest["layers"]:
    for m in tarfile.open(fileobj=io.BytesIO(blob(layer["digest"]))):
        if m.name.lstrip("./") == sys.argv[2].lstrip("/"):
            print(f"{m.uid}:{m.gid} {m.mode:04o}")
PY
}

step "--nonroot with a 0600 file owned by 65532 runs and prints it"
capture "$SCRATCHPACK" build readsecret.c --libc musl --nonroot \
  --add secret:/etc/app/secret:0600:65532:65532 --image owned
assert_eq 0 "$RC" "build ($ERR)"
assert_eq "65532:65532 0600" "$(owner_of out/readsecret.tar /etc/app/secret)" "owner and mode in the layer"
podman load -i out/readsecret.tar >/dev/null
capture podman run --rm owned
assert_eq 0 "$RC" "podman run ($ERR)"
assert_eq "s3cret-value" "$OUT" "the program read its file"

step "without an owner the file is root's and the nonroot program cannot read it"
capture "$SCRATCHPACK" build readsecret.c --libc musl --nonroot --add secret:/etc/app/secret:0600 --image rootowned
assert_eq 0 "$RC" "build ($ERR)"
assert_eq "0:0 0600" "$(owner_of out/readsecret.tar /etc/app/secret)" "default owner"
podman load -i out/readsecret.tar >/dev/null
capture podman run --rm rootowned
assert_eq 1 "$RC" "podman run of the root-owned file"
assert_contains "$ERR" "Permission denied" "the reason"

step "a manifest's files[].owner does the same"
mkdir m && cp readsecret.c secret m/
cat > m/scratchpack.yaml <<'Y'
version: 1
project: owner
binaries:
  - {name: readsecret, sources: [readsecret.c], libc: musl}
images:
  - name: fromyaml
    binaries: [readsecret]
    nonroot: true
    files:
      - {src: secret, dest: /etc/app/secret, mode: "0600", owner: "65532:65532"}
Y
capture "$SCRATCHPACK" release -f m/scratchpack.yaml
assert_eq 0 "$RC" "release ($ERR)"
assert_eq "65532:65532 0600" "$(owner_of m/dist/fromyaml.tar /etc/app/secret)" "owner from the manifest"
podman load -i m/dist/fromyaml.tar >/dev/null
capture podman run --rm fromyaml
assert_eq 0 "$RC" "podman run of the release image ($ERR)"
assert_eq "s3cret-value" "$OUT" "the release image's program read its file"

step "owner names are refused: a scratch image has no /etc/passwd"
capture "$SCRATCHPACK" build readsecret.c --libc musl --add secret:/etc/app/secret:0600:nonroot:nonroot --out bad
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "invalid owner 'nonroot:nonroot': expected numeric UID:GID" "message"
echo ok
