# A registry that serves HTTPS with a self-signed certificate on loopback: the push speaks TLS
# (loopback registries are insecure: the certificate is not verified) and never falls back to
# plain HTTP, which that registry does not serve.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

command -v openssl >/dev/null || fail "openssl is not installed"
mkdir -p "$WORK/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=scratchpack-e2e \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" 2>/dev/null ||
  fail "cannot make a self-signed certificate"

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
registry_start tls-registry "" "$WORK/tls"

step "push over TLS"
mark=$(registry_log_mark)
capture "$SCRATCHPACK" push --json out/hello.tar "$REGISTRY/tls/hello:latest"
assert_eq 0 "$RC" "push to the TLS registry ($ERR)"
assert_eq "$(archive_root_digest out/hello.tar)" "$(json_get "$OUT" push.digest)" "digest"
# Every request reached the registry over TLS: the access log has them all (a plain-HTTP request
# to a TLS port would not get that far).
uploads=$(registry_requests_since "$mark" '"(POST|PUT) /v2/tls/hello/blobs/uploads')
assert_eq 4 "$uploads" "2 blobs × (POST + PUT) in the access log"

capture skopeo inspect --tls-verify=false "docker://$REGISTRY/tls/hello:latest"
assert_eq 0 "$RC" "skopeo inspect ($ERR)"
assert_eq amd64 "$(json_get "$OUT" Architecture)" "architecture"
echo "ok"
