# A hostile registry that never finishes an answer: the /v2/ ping answered with an endless body,
# or a blob HEAD answered with endless header lines — both fast enough that the 1 byte/s stall
# timeout never fires. A push must fail within its deadline (--timeout, or
# $SCRATCHPACK_PUSH_TIMEOUT) with "timed out" and exit 1, without retrying the hung request.
# Each push runs under timeout(1), so a push that hangs fails the test instead of stalling it.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh" # free_port, http_status

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# MODE ping: GET /v2/ gets 200 and a body that never ends. MODE head: /v2/ answers 200 {}, and
# a blob HEAD gets a status line and then a header line every 50 ms, forever.
cat >"$WORK/endless.py" <<'PY'
import http.server, sys, time

port, mode, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]

class Endless(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self):
        with open(log_path, "a") as f:
            f.write(f"{self.command} {self.path.split('?')[0]}\n")

    def endless_body(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"{" * 1024
        while True:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            time.sleep(0.01)

    def endless_headers(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        n = 0
        while True:
            n += 1
            self.wfile.write(b"X-Still-Coming-%d: yes\r\n" % n)
            self.wfile.flush()
            time.sleep(0.05)

    def do_GET(self):
        self.log()
        try:
            if self.path.startswith("/v2/") and self.path.split("?")[0] == "/v2/":
                if mode == "ping":
                    self.endless_body()
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.command == "HEAD" and "/blobs/" in self.path:
                self.endless_headers()
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_HEAD = do_POST = do_PUT = do_PATCH = do_GET

http.server.ThreadingHTTPServer(("127.0.0.1", port), Endless).serve_forever()
PY

# endless_start MODE: starts the server and sets HANG (127.0.0.1:PORT) and HANG_LOG.
endless_start() {
  local port pid
  port=$(free_port)
  HANG_LOG=$WORK/endless-$1.log
  touch "$HANG_LOG"
  python3 "$WORK/endless.py" "$port" "$1" "$HANG_LOG" 2>"$WORK/endless-$1.err" &
  pid=$!
  cleanup_hooks+=("kill $pid 2>/dev/null; wait $pid 2>/dev/null")
  for _ in $(seq 1 100); do
    [ "$(http_status "http://127.0.0.1:$port/ready")" = 404 ] && break
    sleep 0.1
  done
  [ "$(http_status "http://127.0.0.1:$port/ready")" = 404 ] || fail "the endless registry did not start"
  HANG=127.0.0.1:$port
}

# timed_push SECONDS_ALLOWED ARGS...: runs a push under timeout(1), sets RC, OUT, ERR and ELAPSED
# (whole seconds).
timed_push() {
  local allowed=$1 start
  shift
  start=$(date +%s%N)
  capture timeout "$allowed" "$@"
  ELAPSED=$((($(date +%s%N) - start) / 1000000000))
  [ "$RC" != 124 ] || fail "the push still hung after ${allowed}s: $*"
}

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"

step "the ping never ends: \$SCRATCHPACK_PUSH_TIMEOUT=3s"
endless_start ping
timed_push 60 env SCRATCHPACK_RETRY_BASE_MS=10 SCRATCHPACK_PUSH_TIMEOUT=3s "$SCRATCHPACK" push \
  out/hello.tar "$HANG/hello:latest"
assert_eq 1 "$RC" "push to a registry whose ping never ends ($ERR)"
assert_contains "$ERR" "error: push $HANG/hello:latest: GET /v2/ at http://$HANG: timed out (no complete answer within 3s)" "message"
assert_contains "$ERR" "hint: if the registry is only slow, raise --timeout (or \$SCRATCHPACK_PUSH_TIMEOUT)" "hint"
[ "$ELAPSED" -ge 3 ] && [ "$ELAPSED" -le 15 ] || fail "the push took ${ELAPSED}s, expected about 3s"
# The hung request is not retried (over plain HTTP: one GET; the HTTPS probe before it does not
# reach a handler).
assert_eq 1 "$(grep -c '^GET /v2/$' "$HANG_LOG")" "GET /v2/ requests ($(cat "$HANG_LOG"))"
assert_not_contains "$ERR" "trying again" "retries of a hung request"
assert_eq "" "$OUT" "stdout of a failed push"

step "a blob HEAD never ends: --timeout 2s"
endless_start head
timed_push 60 "$SCRATCHPACK" push --timeout 2s out/hello.tar "$HANG/hello:latest"
assert_eq 1 "$RC" "push to a registry whose blob HEAD never ends ($ERR)"
assert_contains "$ERR" "error: push $HANG/hello:latest: HEAD sha256:" "message names the step"
assert_contains "$ERR" "at http://$HANG: timed out (no complete answer within 2s)" "message says why"
[ "$ELAPSED" -ge 2 ] && [ "$ELAPSED" -le 15 ] || fail "the push took ${ELAPSED}s, expected about 2s"
assert_eq 1 "$(grep -c '^HEAD ' "$HANG_LOG")" "HEAD requests ($(cat "$HANG_LOG"))"

step "the flag beats the environment; a bad value is a usage error"
timed_push 60 env SCRATCHPACK_PUSH_TIMEOUT=10m "$SCRATCHPACK" push --timeout 1s out/hello.tar \
  "$HANG/hello:latest"
assert_eq 1 "$RC" "push with --timeout over the environment"
assert_contains "$ERR" "timed out (no complete answer within 1s)" "message"
capture env SCRATCHPACK_PUSH_TIMEOUT=soon "$SCRATCHPACK" push out/hello.tar "$HANG/hello:latest"
assert_eq 2 "$RC" "a bad \$SCRATCHPACK_PUSH_TIMEOUT"
assert_contains "$ERR" "error: \$SCRATCHPACK_PUSH_TIMEOUT=soon: expects a duration such as 90s, 5m or 1h (0: no deadline)" "message"
echo "ok"
