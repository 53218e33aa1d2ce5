# push refuses bad input before talking to any registry: a bad reference or flag (exit 2), a
# missing or non-OCI source (exit 2), a damaged blob in an archive or a directory (exit 2, no
# upload started); a docker-archive gets a hint to convert it.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
port=$(free_port) # nothing listens there: none of these may get as far as connecting

capture "$SCRATCHPACK" push out/hello.tar "127.0.0.1:$port/Hello:latest"
assert_eq 2 "$RC" "upper-case repository"
assert_contains "$ERR" "error: image name '127.0.0.1:$port/Hello:latest'" "message"

capture "$SCRATCHPACK" push out/hello.tar "127.0.0.1:$port/hello@sha256:0000"
assert_eq 2 "$RC" "a digest in the reference"

capture "$SCRATCHPACK" push out/missing.tar "127.0.0.1:$port/hello"
assert_eq 2 "$RC" "missing source"
assert_contains "$ERR" "error: out/missing.tar: no such image archive or OCI layout directory" "message"

capture "$SCRATCHPACK" push --chunk-size 12Q out/hello.tar "127.0.0.1:$port/hello"
assert_eq 2 "$RC" "bad --chunk-size"
assert_contains "$ERR" "error: --chunk-size 12Q" "message"

step "a docker-archive without index.json"
mkdir docker && tar -xf out/hello.tar -C docker
(cd docker && rm index.json oci-layout && tar -cf ../docker.tar .)
capture "$SCRATCHPACK" push docker.tar "127.0.0.1:$port/hello"
assert_eq 2 "$RC" "docker-archive"
assert_contains "$ERR" "hint: convert it first: skopeo copy docker-archive:docker.tar" "hint"

step "a damaged blob is caught while unpacking"
mkdir damaged && tar -xf out/hello.tar -C damaged
layer=$(python3 -c 'import json,sys
i=json.load(open("damaged/index.json"))["manifests"][0]["digest"].split(":")[1]
m=json.load(open("damaged/blobs/sha256/"+i))
print(m["layers"][0]["digest"].split(":")[1])')
python3 -c 'import sys
p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=0xff; open(p,"wb").write(b)' "damaged/blobs/sha256/$layer"
(cd damaged && tar -cf ../damaged.tar .)
capture "$SCRATCHPACK" push damaged.tar "127.0.0.1:$port/hello"
assert_eq 2 "$RC" "damaged archive"
assert_contains "$ERR" "not to its name" "message"

step "an OCI layout directory: a damaged layer is caught before anything is sent"
registry_start
capture "$SCRATCHPACK" push -q --json damaged "$REGISTRY/dir/hello"
assert_eq 2 "$RC" "a directory with a damaged layer"
assert_contains "$ERR" "damaged/blobs/sha256/$layer: its contents hash to" "message"
assert_contains "$ERR" "not to its name" "message"
if grep -q "/v2/dir/hello/blobs/uploads" "$REGISTRY_LOG"; then
  fail "an upload was started for the damaged directory"
fi
capture "$SCRATCHPACK" push -q docker/../damaged/.. "$REGISTRY/dir/hello" # not a layout
assert_eq 2 "$RC" "a directory that is not a layout"
mkdir layout && tar -xf out/hello.tar -C layout
capture "$SCRATCHPACK" push -q layout "$REGISTRY/dir/hello"
assert_eq 0 "$RC" "push from a layout directory ($ERR)"
assert_eq "$REGISTRY/dir/hello@$(archive_root_digest out/hello.tar)" "$OUT" "digest"
echo "ok"
