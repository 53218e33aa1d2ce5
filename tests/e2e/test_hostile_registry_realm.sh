# A hostile registry on loopback whose Bearer challenge sends the token request to another host
# over plain HTTP, the scheme in capitals (realm="HTTP://10.200.N.2:PORT/token"): a push with
# credentials must fail with a clear error, and the other host must receive no credentials.
#
# The other host is a network namespace this test creates: a veth pair with a private /30
# (10.200.N.1 here, 10.200.N.2 there) and a small Python server inside that records every
# request and whether it carried an Authorization header. The namespace and the veth are
# deleted at exit. No traffic goes anywhere but 127.0.0.0/8 and that namespace: proxies are
# unset, and nothing is resolved by name.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh" # free_port, http_status

[ "$(id -u)" = 0 ] || fail "needs root (ip netns, veth)"
command -v ip >/dev/null || fail "ip is not installed (iproute2; scripts/setup.sh installs it)"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
trap 'exit 130' INT TERM HUP # the EXIT trap (lib.sh) then removes the namespace

# A /24 of 10.200.0.0/16 that no interface here uses, so the /30 routes only to the namespace.
net=
for _ in $(seq 1 20); do
  candidate=10.200.$((RANDOM % 254 + 1))
  if ! ip -4 -o addr show | grep -qF " $candidate."; then
    net=$candidate
    break
  fi
done
[ -n "$net" ] || fail "no free 10.200.N.0/24 for the test network"
here_ip=$net.1
there_ip=$net.2
ns=sp-realm-$$
veth_here=spr$$h
veth_there=spr$$t

step "network namespace $ns: $here_ip <-> $there_ip"
cleanup_hooks+=("ip netns del $ns 2>/dev/null; ip link del $veth_here 2>/dev/null")
ip netns add "$ns"
ip link add "$veth_here" type veth peer name "$veth_there"
ip link set "$veth_there" netns "$ns"
ip addr add "$here_ip/30" dev "$veth_here"
ip link set "$veth_here" up
ip netns exec "$ns" ip addr add "$there_ip/30" dev "$veth_there"
ip netns exec "$ns" ip link set "$veth_there" up
ip netns exec "$ns" ip link set lo up

# The server on the other host: records "METHOD PATH auth=yes|no" per request, and issues a
# token to anyone.
cat >"$WORK/recorder.py" <<'PY'
import http.server, sys

host, port, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        auth = "yes" if self.headers.get("Authorization") else "no"
        with open(log_path, "a") as f:
            f.write(f"{self.command} {self.path.split('?')[0]} auth={auth}\n")
        body = b'{"token":"token-from-the-other-host"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_POST = do_PUT = do_GET

http.server.ThreadingHTTPServer((host, port), Recorder).serve_forever()
PY
there_port=8080
touch "$WORK/there.log"
ip netns exec "$ns" python3 "$WORK/recorder.py" "$there_ip" "$there_port" "$WORK/there.log" \
  2>"$WORK/there.err" &
there_pid=$!
# Runs before the namespace is deleted (hooks run in order; this one was added later, so put
# it first).
cleanup_hooks=("kill $there_pid 2>/dev/null; wait $there_pid 2>/dev/null" "${cleanup_hooks[@]}")
for _ in $(seq 1 100); do
  [ "$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 1 \
    "http://$there_ip:$there_port/ready" || true)" = 200 ] && break
  kill -0 "$there_pid" 2>/dev/null || fail "the server in the namespace exited: $(cat "$WORK/there.err")"
  sleep 0.1
done
[ "$(grep -c '^GET /ready ' "$WORK/there.log")" -ge 1 ] ||
  fail "the server in the namespace does not answer at $there_ip:$there_port"

# The hostile registry on loopback: every request gets 401 with a Bearer challenge whose realm
# is the other host, over plain HTTP, in capitals.
cat >"$WORK/hostile_registry.py" <<'PY'
import http.server, sys

port, realm, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]

class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(log_path, "a") as f:
            f.write(f"{self.command} {self.path.split('?')[0]}\n")
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
        self.send_response(401)
        self.send_header("WWW-Authenticate",
                         f'Bearer realm="{realm}",service="sp-e2e",scope="repository:hello:pull"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_POST = do_PUT = do_PATCH = do_GET

http.server.ThreadingHTTPServer(("127.0.0.1", port), Hostile).serve_forever()
PY
reg_port=$(free_port)
realm="HTTP://$there_ip:$there_port/token"
python3 "$WORK/hostile_registry.py" "$reg_port" "$realm" "$WORK/registry.log" 2>"$WORK/registry.err" &
reg_pid=$!
cleanup_hooks=("kill $reg_pid 2>/dev/null; wait $reg_pid 2>/dev/null" "${cleanup_hooks[@]}")
for _ in $(seq 1 100); do
  [ "$(http_status "http://127.0.0.1:$reg_port/v2/")" = 401 ] && break
  sleep 0.1
done
[ "$(http_status "http://127.0.0.1:$reg_port/v2/")" = 401 ] || fail "the hostile registry did not start"
registry=127.0.0.1:$reg_port

capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp"
assert_eq 0 "$RC" "build exit code ($ERR)"

user=pusher
password="Realm-S3cret-$RANDOM-$RANDOM"
auth=$(printf '%s:%s' "$user" "$password" | base64 -w0)
there_requests() { grep -vc '^GET /ready ' "$WORK/there.log" || true; }

step "with credentials: refused before anything reaches the other host"
capture env SCRATCHPACK_RETRY_BASE_MS=10 "$SCRATCHPACK" push --creds "$user:$password" \
  out/hello.tar "$registry/hello:latest"
[ "$(grep -c '^GET /v2/' "$WORK/registry.log")" -ge 1 ] || fail "the hostile registry saw no ping"
assert_eq 0 "$(grep -c 'auth=yes' "$WORK/there.log" || true)" "requests with credentials at the other host ($(cat "$WORK/there.log"))"
assert_eq 0 "$(there_requests)" "requests at the other host ($(cat "$WORK/there.log"))"
assert_eq 1 "$RC" "push to a registry with a plain-HTTP realm on another host"
assert_contains "$ERR" "error: push $registry/hello:latest: the token service http://$there_ip:$there_port uses plain HTTP; credentials are not sent there" "message"
assert_contains "$ERR" "hint: pass --insecure-registry $there_ip:$there_port if that host is trusted" "hint"
assert_eq "" "$OUT" "stdout of a refused push"
assert_not_contains "$OUT$ERR" "$password" "output"
assert_not_contains "$OUT$ERR" "$auth" "output"

step "the same through \$SCRATCHPACK_REGISTRY_PASSWORD"
capture env SCRATCHPACK_REGISTRY_USER="$user" SCRATCHPACK_REGISTRY_PASSWORD="$password" \
  "$SCRATCHPACK" push out/hello.tar "$registry/hello:latest"
assert_eq 1 "$RC" "push with credentials from the environment"
assert_contains "$ERR" "uses plain HTTP; credentials are not sent there" "message"
assert_eq 0 "$(there_requests)" "requests at the other host ($(cat "$WORK/there.log"))"

step "without credentials the other host is reachable (nothing secret to send)"
capture env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE -u XDG_RUNTIME_DIR -u XDG_CONFIG_HOME \
  HOME="$WORK" "$SCRATCHPACK" push out/hello.tar "$registry/hello:latest"
assert_eq 1 "$RC" "anonymous push (the registry never accepts)"
assert_contains "$ERR" "the registry requires authentication (401 Unauthorized)" "message"
[ "$(grep -c '^GET /token auth=no$' "$WORK/there.log")" -ge 1 ] ||
  fail "the anonymous token request did not reach the other host: $(cat "$WORK/there.log")"
assert_eq 0 "$(grep -c 'auth=yes' "$WORK/there.log" || true)" "requests with credentials at the other host"
echo "ok"
