# The richer example (manifests/examples/multi.yaml): a C++ server and a C health check in one
# image with config, nonroot, CA certificates, zoneinfo, the init and zstd layers, written as an
# archive and an OCI dir. The server, as 65532, answers the health check from the same image.
source "$(dirname "$0")/lib.sh"
podman_setup

cp -r "$SP_SOURCE_DIR/manifests/examples" ex
cd ex
capture "$SCRATCHPACK" release -f multi.yaml
assert_eq 0 "$RC" "release ($ERR)"
for f in x86_64-musl/server aarch64-musl/server x86_64-musl/healthcheck aarch64-musl/healthcheck \
  multi.tar multi.oci/index.json SHA256SUMS report.json; do
  [ -e "dist/$f" ] || fail "dist/$f missing"
done
(cd dist && sha256sum -c --quiet SHA256SUMS) || fail "sha256sum -c"
skopeo inspect --raw oci:dist/multi.oci:1.0.0 >/dev/null || fail "skopeo cannot read the OCI dir"

step "config"
cfg=$(skopeo inspect --config oci-archive:dist/multi.tar:1.0.0)
python3 - "$cfg" <<'PY' || fail "config: $cfg"
import json, sys
c = json.loads(sys.argv[1])["config"]
assert c["Entrypoint"] == ["/.scratchpack/init", "--", "/server"], c
assert c["Cmd"] == ["--port", "8080"] and c["User"] == "65532:65532", c
assert "TZ=UTC" in c["Env"] and "APP_CONFIG=/etc/multi/app.conf" in c["Env"], c
assert c["ExposedPorts"] == {"8080/tcp": {}} and c["StopSignal"] == "SIGTERM", c
PY
media=$(tar -xOf dist/multi.tar index.json | python3 -c '
import json, sys, tarfile
t = tarfile.open("dist/multi.tar")
blob = lambda d: json.loads(t.extractfile("blobs/" + d.replace(":", "/")).read())
index = blob(json.load(sys.stdin)["manifests"][0]["digest"])
print(" ".join(sorted({l["mediaType"] for m in index["manifests"] for l in blob(m["digest"])["layers"]})))')
assert_eq "application/vnd.oci.image.layer.v1.tar+zstd" "$media" "layer media types"

step "the server answers the health check"
podman load -q -i dist/multi.tar >/dev/null
podman run -d --name multi --network=none registry.example.com/acme/multi:1.0.0 >/dev/null
listening=no
for i in $(seq 1 200); do
  podman logs multi 2>/dev/null | grep -q "listening on port 8080" && { listening=yes; break; }
  sleep 0.1
done
[ $listening = yes ] || fail "the server did not start: $(podman ps -a --format '{{.Status}}') $(podman logs multi 2>&1)"
# The health check runs from the same image in a second container that joins the server's network
# namespace (podman exec does not work in every environment the tests run in, e.g. a chroot).
check=(podman run --rm --network container:multi --entrypoint '["/usr/local/bin/healthcheck"]'
       registry.example.com/acme/multi:1.0.0)
capture "${check[@]}"
assert_eq 0 "$RC" "healthcheck exit code ($ERR)"
capture "${check[@]}" 8081
assert_eq 1 "$RC" "healthcheck of a port nobody listens on"
start=$(date +%s)
podman stop -t 10 multi >/dev/null
[ $(($(date +%s) - start)) -lt 5 ] || fail "stop took the whole timeout: the init did not forward SIGTERM"
podman rm multi >/dev/null
echo "ok"
