# Transient registry failures: a loopback proxy in front of the registry answers 503 to the
# first blob-upload requests, then twice cuts the layer's upload off mid-body and closes the
# connection without answering. The push through it still succeeds (each broken upload starts a
# new session) and pushes the same digest as a direct push.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"
registry_start

step "direct push"
capture "$SCRATCHPACK" push --json out/hello.tar "$REGISTRY/direct/hello:latest"
assert_eq 0 "$RC" "direct push ($ERR)"
direct=$(json_get "$OUT" push.digest)

# The proxy: forwards everything to the registry (Host kept, so the registry's Location
# headers point back at the proxy); the first $FAIL_503 requests under /blobs/uploads/ get a
# 503; then the first $DROPS uploads of a large body (the layer) are read in part and the
# connection is closed with no answer. Two drops, because libcurl silently resends a request
# once when a kept-alive connection dies before any answer; the second drop reaches scratchpack.
cat >"$WORK/faulty_proxy.py" <<'PY'
import http.client, http.server, socket, sys, threading

listen_port, upstream_port = int(sys.argv[1]), int(sys.argv[2])
fail_503, drops, log_path = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
lock = threading.Lock()
uploads_seen = 0
dropped = 0
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}

def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")

class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        global uploads_seen, dropped
        length = int(self.headers.get("Content-Length") or 0)
        fault = None
        if "/blobs/uploads/" in self.path:
            with lock:
                uploads_seen += 1
                if uploads_seen <= fail_503:
                    fault = "503"
                elif self.command == "PUT" and length > 100000 and dropped < drops:
                    dropped += 1
                    fault = "drop"
        if fault == "drop":
            self.rfile.read(65536)  # part of the body, then the connection dies
            log(f"drop {self.command} {self.path.split('?')[0]}")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = self.rfile.read(length) if length else b""
        if fault == "503":
            log(f"503 {self.command} {self.path.split('?')[0]}")
            msg = b'{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}'
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        up = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
        up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() not in HOP and k.lower() != "content-length":
                up.putheader(k, v)
        up.putheader("Content-Length", str(len(body)))
        up.endheaders(body)
        resp = up.getresponse()
        data = resp.read()
        log(f"{resp.status} {self.command} {self.path.split('?')[0]}")
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length") or "0")
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        up.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

server = http.server.ThreadingHTTPServer(("127.0.0.1", listen_port), Proxy)
server.serve_forever()
PY

FAIL_503=2
DROPS=2
proxy_port=$(free_port)
python3 "$WORK/faulty_proxy.py" "$proxy_port" "${REGISTRY#*:}" "$FAIL_503" "$DROPS" "$WORK/proxy.log" \
  2>"$WORK/proxy.err" &
proxy_pid=$!
cleanup_hooks+=("kill $proxy_pid 2>/dev/null; wait $proxy_pid 2>/dev/null")
for i in $(seq 1 50); do
  [ "$(http_status "http://127.0.0.1:$proxy_port/v2/")" = 200 ] && break
  sleep 0.1
done
[ "$(http_status "http://127.0.0.1:$proxy_port/v2/")" = 200 ] || fail "the proxy did not start"

step "push through the faulty proxy"
capture env SCRATCHPACK_RETRY_BASE_MS=50 "$SCRATCHPACK" push --json out/hello.tar \
  "127.0.0.1:$proxy_port/proxied/hello:latest"
assert_eq 0 "$RC" "push through the proxy ($ERR)"
assert_eq "$direct" "$(json_get "$OUT" push.digest)" "digest through the proxy"
retries=$(json_get "$OUT" push.retries)
[ "$retries" -ge $((FAIL_503 + 1)) ] || fail "expected at least $((FAIL_503 + 1)) retries, got $retries"
assert_contains "$ERR" "503 Service Unavailable; trying again (attempt 2)" "retry warning"
assert_eq "$FAIL_503" "$(grep -c '^503 ' "$WORK/proxy.log")" "503s served by the proxy"
assert_eq "$DROPS" "$(grep -c '^drop ' "$WORK/proxy.log")" "uploads cut off"
# A cut-off upload that reaches scratchpack is followed by a new session (POST). libcurl may
# resend the identical PUT once by itself when a reused connection dies before any answer (then
# the next line is that PUT succeeding, on a session the registry never saw fail); with two
# drops at least one reaches scratchpack, so at least one POST must follow a drop, and nothing
# but a POST or that resent PUT may.
after=$(grep -A1 '^drop ' "$WORK/proxy.log" | grep -v '^drop ' | grep -v '^--' | cut -d' ' -f1,2)
[ -n "$after" ] || fail "no request followed a cut-off upload"
while read -r line; do
  [ "$line" = "202 POST" ] || [ "$line" = "201 PUT" ] ||
    fail "unexpected request after a cut-off upload: $line (log: $(cat "$WORK/proxy.log"))"
done <<<"$after"
assert_contains "$after" "202 POST" "a new upload session after a cut-off upload"

step "the registry holds the same image under both names"
a=$(skopeo_raw "$REGISTRY/direct/hello:latest" | sha256sum | cut -d' ' -f1)
b=$(skopeo_raw "$REGISTRY/proxied/hello:latest" | sha256sum | cut -d' ' -f1)
assert_eq "$a" "$b" "manifest bytes"
assert_eq "$direct" "sha256:$b" "manifest digest"
capture skopeo copy --src-tls-verify=false "docker://$REGISTRY/proxied/hello:latest" "oci:$WORK/copy:latest"
assert_eq 0 "$RC" "skopeo copies every blob back ($ERR)"

step "too many failures: a clear error, exit 1"
kill "$REGISTRY_PID"
wait "$REGISTRY_PID" 2>/dev/null || true
capture env SCRATCHPACK_RETRY_BASE_MS=10 "$SCRATCHPACK" push --retries 2 out/hello.tar "$REGISTRY/gone:latest"
assert_eq 1 "$RC" "push to a stopped registry"
assert_contains "$ERR" "error: push $REGISTRY/gone:latest: GET /v2/ at http" "message names the step"
assert_contains "$ERR" "could not connect" "message says why"
echo "ok"
