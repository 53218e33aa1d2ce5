# A failed build changes nothing in --out: binaries, the archive and the OCI dir are staged inside
# it and moved into place only when every step (compile, link, gate, layers, image gate) worked.
source "$(dirname "$0")/lib.sh"

# Every entry below DIR (hidden ones too) with its type, and every file's sha256.
snapshot() {
  (cd "$1" && find . -printf '%y %p\n' | sort && find . -type f -exec sha256sum {} + | sort)
}
# Asserts that out/ is what the snapshot in $before says.
assert_unchanged() { # what
  assert_eq "$before" "$(snapshot out)" "$1: out/ changed"
}
version() { # VERSION: srv.c prints it
  printf '#include <stdio.h>\nint main(void) { puts("%s"); return 0; }\n' "$1" > srv.c
}
build_srv() { # extra flags...
  capture "$SCRATCHPACK" build srv.c --target x86_64,aarch64 -o srv "$@"
}

step "a first build: two binaries and an archive"
version v1
build_srv
assert_eq 0 "$RC" "first build ($ERR)"
before=$(snapshot out)
assert_contains "$before" "f ./x86_64-glibc/srv" "first build"
assert_contains "$before" "f ./srv.tar" "first build"

version v2
step "a layer error after the binaries were built"
mkfifo pipe
build_srv --add pipe:/pipe
assert_eq 2 "$RC" "exit code of a layer error (an --add source that cannot go into an image)"
assert_contains "$ERR" "error: pipe: not a regular file or directory" "layer error"
assert_unchanged "layer error"

step "an image gate error"
build_srv --entrypoint '["/missing"]'
assert_eq 1 "$RC" "exit code of an image gate error"
assert_contains "$ERR" "error: scan gate: 1 error in the image's files; nothing was packaged" "image gate"
assert_unchanged "image gate error"

step "a binary gate error: nothing was packaged, nothing was left"
printf '#include <dlfcn.h>\nint main(void) { return dlopen("x.so", RTLD_NOW) != 0; }\n' > dl.c
capture "$SCRATCHPACK" build dl.c --target x86_64,aarch64 -o srv --strict
assert_eq 1 "$RC" "exit code of a gate error"
assert_contains "$ERR" "error: scan gate: out/x86_64-glibc/srv is not fit for a scratch image (1 error); nothing was packaged" "gate error"
assert_unchanged "binary gate error"

step "compile and link errors"
printf 'int main(void) { return nope; }\n' > broken.c
capture "$SCRATCHPACK" build broken.c -o srv
assert_eq 1 "$RC" "exit code of a compile error"
assert_unchanged "compile error"
printf 'int missing(void);\nint main(void) { return missing(); }\n' > undef.c
capture "$SCRATCHPACK" build undef.c --target x86_64,aarch64 -o srv
assert_eq 1 "$RC" "exit code of a link error"
assert_contains "$ERR" "error: link failed: srv, x86_64-glibc" "link error"
assert_unchanged "link error"

step "a failed build into a new --out creates no directory"
capture "$SCRATCHPACK" build undef.c --out new/deeper
assert_eq 1 "$RC" "exit code of a link error"
assert_missing new
capture "$SCRATCHPACK" build dl.c --strict --out new/deeper
assert_eq 1 "$RC" "exit code of a gate error"
assert_missing new

step "an OCI dir is replaced whole, or not at all"
version v1
capture "$SCRATCHPACK" build srv.c -o srv --format oci-dir --out oci
assert_eq 0 "$RC" "oci-dir build ($ERR)"
old_oci=$(snapshot oci)
version v2
capture "$SCRATCHPACK" build srv.c -o srv --format oci-dir --out oci --add pipe:/pipe
assert_eq 2 "$RC" "exit code of a layer error (an --add source that cannot go into an image)"
assert_eq "$old_oci" "$(snapshot oci)" "oci-dir after a layer error"
capture "$SCRATCHPACK" build srv.c -o srv --format oci-dir --out oci
assert_eq 0 "$RC" "second oci-dir build ($ERR)"
new_oci=$(snapshot oci)
[ "$old_oci" != "$new_oci" ] || fail "the OCI dir was not replaced"
# Every blob the new layout's index and manifest name, and nothing else.
want=$(python3 - oci/srv.oci <<'PY'
import json, sys
root = sys.argv[1]
blob = lambda d: json.load(open(f"{root}/blobs/sha256/{d.split(':')[1]}"))
names = set()
def manifest_blobs(digest):
    names.add(digest)
    manifest = blob(digest)
    names.update([manifest["config"]["digest"]] + [l["digest"] for l in manifest["layers"]])
for m in json.load(open(f"{root}/index.json"))["manifests"]:
    manifest_blobs(m["digest"])
    # The image's documents (docs/supply-chain.md): their index and each artifact's blobs.
    referrers = m["annotations"]["dev.scratchpack.referrers"]
    names.add(referrers)
    for a in blob(referrers)["manifests"]:
        manifest_blobs(a["digest"])
print("\n".join(sorted(n.split(":")[1] for n in names)))
PY
)
assert_eq "$want" "$(ls oci/srv.oci/blobs/sha256 | sort)" "the new OCI dir holds its own blobs only"

step "package: an image error changes nothing either"
capture "$SCRATCHPACK" package out/x86_64-glibc/srv --image srv --out pkg
assert_eq 0 "$RC" "package ($ERR)"
old_pkg=$(snapshot pkg)
capture "$SCRATCHPACK" package out/x86_64-glibc/srv --image srv --out pkg --add pipe:/pipe
assert_eq 2 "$RC" "exit code of a package layer error (an --add source that cannot go into an image)"
assert_eq "$old_pkg" "$(snapshot pkg)" "pkg/ after a layer error"

step "a build that works replaces every output and leaves nothing else"
build_srv
assert_eq 0 "$RC" "v2 build ($ERR)"
assert_eq "v2" "$(out/x86_64-glibc/srv)" "the new binary"
assert_eq "$(find out -mindepth 1 -printf '%y %P\n' | sort)" "d aarch64-glibc
d x86_64-glibc
f aarch64-glibc/srv
f aarch64-glibc/srv.cdx.json
f aarch64-glibc/srv.spdx.json
f srv.image.cdx.json
f srv.image.spdx.json
f srv.provenance.json
f srv.tar
f x86_64-glibc/srv
f x86_64-glibc/srv.cdx.json
f x86_64-glibc/srv.spdx.json" "out/ after a successful build"
echo "ok"
