# The hello image: podman load + run prints the line and exits 0; skopeo reads the same archive as
# oci-archive: and docker-archive:; umoci unpacks a rootfs holding exactly /hello; --load and the
# OCI directory format work too.
source "$(dirname "$0")/lib.sh"
podman_setup

step "build examples/hello.cpp (binary + image)"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
[ -x out/hello ] || fail "out/hello missing"
[ -f out/hello.tar ] || fail "out/hello.tar missing"
assert_contains "$OUT" "out/hello.tar hello:latest@sha256:" "build output"
digest=${OUT##*@}

step "podman load + podman run"
loaded=$(podman load -i out/hello.tar)
assert_contains "$loaded" "hello:latest" "podman load"
capture podman run --rm --network=none hello:latest
assert_eq 0 "$RC" "container exit code"
assert_eq "Hello from scratch!" "$OUT" "container output"

step "skopeo inspect oci-archive: and docker-archive:"
oci=$(skopeo inspect --config oci-archive:out/hello.tar)
python3 - "$oci" <<'PY' || fail "oci-archive config: $oci"
import json, sys
c = json.loads(sys.argv[1])
assert c["architecture"] == "amd64" and c["os"] == "linux", c
assert c["config"]["Cmd"] == ["/hello"], c["config"]
assert "Entrypoint" not in c["config"], c["config"]
PY
raw=$(skopeo inspect --raw oci-archive:out/hello.tar)
[ "sha256:$(printf '%s' "$raw" | sha256sum | cut -d' ' -f1)" = "$digest" ] ||
  fail "the manifest skopeo reads is not the one scratchpack printed ($digest)"
docker=$(skopeo inspect --config docker-archive:out/hello.tar)
python3 -c 'import json,sys; c=json.loads(sys.argv[1]); assert c["architecture"]=="amd64" and c["config"]["Cmd"]==["/hello"], c' "$docker" ||
  fail "docker-archive config: $docker"

step "umoci unpack: the rootfs holds exactly /hello"
"$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --format oci-dir --out oci >/dev/null
skopeo inspect oci:oci/hello.oci:latest >/dev/null || fail "skopeo cannot read the OCI dir"
umoci unpack --rootless --image oci/hello.oci:latest bundle >/dev/null
files=$(cd bundle/rootfs && find . -mindepth 1 | sort)
assert_eq "./hello" "$files" "rootfs contents"
[ -x bundle/rootfs/hello ] || fail "/hello is not executable in the rootfs"
assert_eq "Hello from scratch!" "$(bundle/rootfs/hello)" "unpacked /hello"

step "--load puts the image into podman"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --image loaded/hello:2 --load --out loadout
assert_eq 0 "$RC" "build --load ($ERR)"
assert_eq "Hello from scratch!" "$(podman run --rm --network=none loaded/hello:2)" "loaded image output"
echo "ok"
