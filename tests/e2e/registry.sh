# Registry helpers for the push tests (source after lib.sh): the real docker-registry
# (distribution 2.8) on a free loopback port, storage, config and log under $WORK, stopped by
# its pid at exit. Never listens beyond 127.0.0.1.

command -v docker-registry >/dev/null ||
  fail "docker-registry is not installed (scripts/setup.sh installs it)"

# A TCP port nobody listens on right now.
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# HTTP status of a GET (000 when nothing answers).
http_status() { # url
  curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
}

# registry_start NAME [HTPASSWD_FILE] [TLS_DIR]: starts a registry and sets REGISTRY
# (127.0.0.1:PORT), REGISTRY_LOG (its access and application log) and REGISTRY_DIR. With a
# htpasswd file, every request needs Basic credentials; with a directory holding cert.pem and
# key.pem, it serves HTTPS only.
registry_start() {
  local name=${1:-registry} htpasswd=${2:-} tls=${3:-}
  local scheme=http
  [ -z "$tls" ] || scheme=https
  REGISTRY_DIR=$WORK/$name
  REGISTRY_LOG=$REGISTRY_DIR/registry.log
  mkdir -p "$REGISTRY_DIR/storage"
  local try port pid
  for try in 1 2 3; do
    port=$(free_port)
    {
      echo "version: 0.1"
      echo "log: {level: info, formatter: text, accesslog: {disabled: false}}"
      echo "storage: {filesystem: {rootdirectory: $REGISTRY_DIR/storage}, delete: {enabled: true}}"
      if [ -n "$tls" ]; then
        echo "http: {addr: 127.0.0.1:$port, secret: scratchpack-e2e, tls: {certificate: $tls/cert.pem, key: $tls/key.pem}}"
      else
        echo "http: {addr: 127.0.0.1:$port, secret: scratchpack-e2e}"
      fi
      if [ -n "$htpasswd" ]; then
        echo "auth: {htpasswd: {realm: scratchpack-e2e, path: $htpasswd}}"
      fi
    } >"$REGISTRY_DIR/config.yml"
    docker-registry serve "$REGISTRY_DIR/config.yml" >>"$REGISTRY_LOG" 2>&1 &
    pid=$!
    cleanup_hooks+=("kill $pid 2>/dev/null; wait $pid 2>/dev/null")
    local i status
    for i in $(seq 1 100); do
      status=$(http_status "$scheme://127.0.0.1:$port/v2/")
      if [ "$status" = 200 ] || [ "$status" = 401 ]; then
        REGISTRY=127.0.0.1:$port
        REGISTRY_PID=$pid
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break # exited: the port was taken meanwhile
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
  done
  cat "$REGISTRY_LOG" >&2
  fail "docker-registry did not start"
}

# Number of access-log lines so far (a mark to count requests after).
registry_log_mark() {
  wc -l <"$REGISTRY_LOG"
}

# Access-log lines after MARK that match an extended regexp on the request line.
registry_requests_since() { # mark regexp
  tail -n +"$(($1 + 1))" "$REGISTRY_LOG" | grep -E "\"[A-Z]+ [^\"]*\" [0-9]{3}" | grep -cE "$2" || true
}

# A tag's manifest as skopeo sees it (raw bytes).
skopeo_raw() { # ref
  skopeo inspect --tls-verify=false --raw "docker://$1"
}

# A field of a JSON object given as text ("a.b" walks into objects, "a.0.b" into arrays).
json_get() { # json key
  python3 -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v=v[int(k)] if isinstance(v,list) else v[k]
print(json.dumps(v) if isinstance(v,(list,dict)) else v)' "$1" "$2"
}

# The digest index.json of an archive names (the image or index that a push sends).
archive_root_digest() { # archive.tar
  tar -xOf "$1" index.json | python3 -c 'import json,sys;print(json.load(sys.stdin)["manifests"][0]["digest"])'
}

# Number of distinct blobs (configs and layers) the images of an archive use.
archive_blob_count() { # archive.tar
  python3 - "$1" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
def read(name):
    return json.load(t.extractfile(t.getmember(name)))
blobs = set()
def walk(digest):
    doc = read("blobs/sha256/" + digest.split(":")[1])
    for m in doc.get("manifests", []):
        walk(m["digest"])
    if "config" in doc:
        blobs.add(doc["config"]["digest"])
        blobs.update(l["digest"] for l in doc.get("layers", []))
walk(read("index.json")["manifests"][0]["digest"])
print(len(blobs))
PY
}
