# The seed Dockerfile (FROM scratch / ADD hello / / CMD ["/hello"]) builds unchanged with
# `scratchpack package --dockerfile` and runs the same; it is even the same image, byte for byte,
# as `scratchpack build` makes. RUN and other bases are refused.
source "$(dirname "$0")/lib.sh"
podman_setup

"$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --out built >/dev/null
mkdir ctx
cp built/hello ctx/hello
cp "$EXAMPLES/Dockerfile" ctx/Dockerfile

step "package --dockerfile"
capture "$SCRATCHPACK" package --dockerfile ctx/Dockerfile ctx --image hello:latest
assert_eq 0 "$RC" "package exit code ($ERR)"
assert_contains "$OUT" "out/hello.tar hello:latest@sha256:" "package output"
assert_eq "Hello from scratch!" "$(podman run --rm --network=none oci-archive:out/hello.tar)" "container output"
# The same image: the same manifest digest. (The archives differ: build's also holds the
# image's SBOMs and provenance, docs/supply-chain.md.)
root_digest() { tar -xOf "$1" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])'; }
assert_eq "$(root_digest built/hello.tar)" "$(root_digest out/hello.tar)" "the Dockerfile image is the build's image"

step "package BINARY gives the same image too"
"$SCRATCHPACK" package ctx/hello --out pkg >/dev/null
assert_eq "$(root_digest built/hello.tar)" "$(root_digest pkg/hello.tar)" "package BINARY gives the build's image"

step "Dockerfile config instructions"
cat > ctx/Dockerfile.full <<'D'
# a comment
FROM scratch
ARG VERSION=1.0
COPY --chmod=0755 hello /usr/local/bin/
ENV GREETING=hi \
    MODE=prod
WORKDIR /data
USER 1000:1000
EXPOSE 8080 53/udp
LABEL org.opencontainers.image.version=${VERSION}
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/hello"]
D
"$SCRATCHPACK" package -f ctx/Dockerfile.full ctx --image full:1 >/dev/null
cfg=$(skopeo inspect --config oci-archive:out/full.tar)
python3 - "$cfg" <<'PY' || fail "config of the full Dockerfile: $cfg"
import json, sys
c = json.loads(sys.argv[1])["config"]
assert c["Entrypoint"] == ["/usr/local/bin/hello"], c
assert "GREETING=hi" in c["Env"] and "MODE=prod" in c["Env"], c
assert c["WorkingDir"] == "/data" and c["User"] == "1000:1000", c
assert c["ExposedPorts"] == {"53/udp": {}, "8080/tcp": {}}, c
assert c["Labels"] == {"org.opencontainers.image.version": "1.0"}, c
assert c["StopSignal"] == "SIGINT", c
PY
assert_eq "Hello from scratch!" "$(podman run --rm --network=none oci-archive:out/full.tar)" "full image output"
echo "ok"
