# The name and tags a user gives apply to every output: `build --tag v2` names the archive
# (index.json and manifest.json), what --load loads and what --push pushes; `build --push REF`
# names the archive REF, not hello:latest; an --image that says otherwise than --push is refused.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
podman_setup

# Every name the archive gives its image: index.json's io.containerd.image.name annotations,
# then manifest.json's RepoTags, one per line.
names_of() {
  python3 - "$1" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
index = json.loads(t.extractfile("index.json").read())
print(" ".join(m["annotations"]["io.containerd.image.name"] for m in index["manifests"]))
print(" ".join(json.loads(t.extractfile("manifest.json").read())[0]["RepoTags"]))
PY
}

step "build --tag v2 without --push: the archive and --load carry both tags"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --tag v2 --load
assert_eq 0 "$RC" "build --tag ($ERR)"
assert_eq "hello:latest hello:v2
hello:latest hello:v2" "$(names_of out/hello.tar)" "names in the archive"
assert_contains "$ERR" "loaded into podman as hello:latest, hello:v2" "the load note"
for tag in latest v2; do
  capture podman run --rm "hello:$tag"
  assert_eq 0 "$RC" "podman run hello:$tag ($ERR)"
  assert_contains "$OUT" "Hello" "hello:$tag runs"
done

step "package --tag too, with --image"
capture "$SCRATCHPACK" package out/hello --image acme/tool:1.0 --tag 1 --tag latest --out pkg
assert_eq 0 "$RC" "package --tag ($ERR)"
assert_eq "acme/tool:1.0 acme/tool:1 acme/tool:latest
acme/tool:1.0 acme/tool:1 acme/tool:latest" "$(names_of pkg/tool.tar)" "names in the package archive"

registry_start
step "build --push REF --tag: the archive, the load and the registry all say REF"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --out pushed --load \
  --push "$REGISTRY/acme/hc:2" --tag latest --json
assert_eq 0 "$RC" "build --push ($ERR)"
assert_eq "$REGISTRY/acme/hc:2 $REGISTRY/acme/hc:latest
$REGISTRY/acme/hc:2 $REGISTRY/acme/hc:latest" "$(names_of pushed/hello.tar)" "names in the pushed archive"
assert_eq "$REGISTRY/acme/hc:2" "$(json_get "$OUT" images.0.reference)" "--json's image reference"
digest=$(archive_root_digest pushed/hello.tar)
for tag in 2 latest; do
  capture skopeo inspect --tls-verify=false "docker://$REGISTRY/acme/hc:$tag"
  assert_eq 0 "$RC" "skopeo inspect hc:$tag ($ERR)"
  assert_eq "$digest" "$(json_get "$OUT" Digest)" "digest of hc:$tag"
done
capture podman image exists "$REGISTRY/acme/hc:latest"
assert_eq 0 "$RC" "--load loaded $REGISTRY/acme/hc:latest"

step "--image and --push naming different images is refused before building"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --out clash --image hello \
  --push "$REGISTRY/acme/hc:2"
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: --image hello --push $REGISTRY/acme/hc:2: name two different images" "message"
assert_missing clash/hello
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --out same --image "$REGISTRY/acme/hc:3" \
  --push "$REGISTRY/acme/hc:3" --format none
assert_eq 0 "$RC" "the same name twice is fine ($ERR)"

step "a bad --tag is a usage error"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --out badtag --tag "v 2"
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: --tag v 2: expected a tag" "message"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --out notag --tag v2 --format none
assert_eq 2 "$RC" "exit code of --tag with --format none"
assert_contains "$ERR" "error: --tag v2: --format none writes no image, so there is nothing to tag" "--tag with nothing to tag"
assert_missing notag

step "--help says why build's --push takes a value and release's does not"
capture "$SCRATCHPACK" build --help
assert_contains "$(echo "$OUT" | tr -s ' \n' ' ')" "A value here, a switch in 'release', whose manifest names every image" "build --help"
capture "$SCRATCHPACK" release --help
assert_contains "$(echo "$OUT" | tr -s ' \n' ' ')" "A switch here: the manifest names every image" "release --help"
echo ok
