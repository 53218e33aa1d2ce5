# `push` of a layout directory sends only what it checked: a blob that is a symlink out of the
# directory (it used to upload the host file it points to), a fifo, bytes or a size that do not
# match the descriptor are refused before any request reaches the registry; a good directory
# pushes the bytes that were checked.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
hostile() { python3 "$E2E_DIR/hostile_image.py" "$@"; }
push() { capture timeout 60 "$SCRATCHPACK" push -q "$@"; }
uploads() { grep -c "/v2/$1/blobs/uploads" "$REGISTRY_LOG" || true; }

registry_start

step "a blob symlinked to a host file is not uploaded"
echo "TOP SECRET host file $RANDOM" >secret.txt
hostile symlink-blob leaky secret.txt # named (digest, size) after the secret's bytes
push leaky "$REGISTRY/leaky:latest"
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "a symlink to $WORK/secret.txt, outside the layout; only files inside it are read" "message"
assert_eq 0 "$(uploads leaky)" "upload requests for leaky"
secret=$(sha256sum secret.txt | cut -d' ' -f1)
assert_eq 404 "$(http_status "http://$REGISTRY/v2/leaky/blobs/sha256:$secret")" "the secret in the registry"

step "a fifo blob is refused, not waited on"
hostile fifo-layer fifo
push fifo "$REGISTRY/fifo:latest"
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "a fifo, not a regular file; only regular files are read" "message"
assert_eq 0 "$(uploads fifo)" "upload requests for fifo"

step "bytes or a size that are not the descriptor's are refused before any byte is sent"
hostile wrong-digest wrong-digest
push wrong-digest "$REGISTRY/wrong-digest:latest"
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" ", not to its name" "message"
assert_eq 0 "$(uploads wrong-digest)" "upload requests for wrong-digest"
hostile wrong-size wrong-size
push wrong-size "$REGISTRY/wrong-size:latest"
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "bytes its descriptor says" "message"
assert_eq 0 "$(uploads wrong-size)" "upload requests for wrong-size"

step "a good directory pushes, and the registry holds the bytes that were checked"
hostile big-config good 100
push good "$REGISTRY/good:latest"
assert_eq 0 "$RC" "exit code ($OUT $ERR)"
blobs=$(python3 - <<'PY'
import json
index = json.load(open("good/index.json"))
manifest = json.load(open("good/blobs/sha256/" + index["manifests"][0]["digest"][7:]))
print(" ".join(d["digest"][7:] for d in [manifest["config"]] + manifest["layers"]))
PY
)
for blob in $blobs; do
  got=$(curl -s "http://$REGISTRY/v2/good/blobs/sha256:$blob" | sha256sum | cut -d' ' -f1)
  assert_eq "$blob" "$got" "blob $blob in the registry"
done
echo "ok"
