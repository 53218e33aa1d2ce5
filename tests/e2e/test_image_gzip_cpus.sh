# A gzip layer is the same bytes on every CPU: a payload packaged at each offered gzip level
# (and zstd at its default), natively and under qemu-x86_64-static as CPUs that send a
# CPU-dispatching encoder down different code paths, gives one manifest digest per level.
# core2duo has no SSE4.2, Nehalem has SSE4.2 but no AVX, Haswell has AVX2; the host may have
# AVX-512. ISA-L, the gzip encoder before libdeflate, gave core2duo other bytes at levels 1-2
# and three different outputs at level 3 (docs/image-format.md).
# Same-architecture qemu-user runs the host's dynamic scratchpack with the host's libraries.
source "$(dirname "$0")/lib.sh"

command -v qemu-x86_64-static >/dev/null ||
  fail "qemu-x86_64-static is not installed (scripts/setup.sh installs it)"
cpus=(core2duo Nehalem Haswell)
levels=("gzip 1" "gzip 2" "gzip 3" "gzip 4" "gzip 5" "gzip 6" "gzip 7" "gzip 8" "gzip 9" "zstd 0")

step "a deterministic 5 MiB payload: text of a seeded vocabulary with seeded random runs"
mkdir payload
python3 - >payload/data <<'PY'
import random, sys
rng = random.Random(17)
size = 5 << 20
vocab = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(3000)]
out = bytearray()
while len(out) < size:
    out += " ".join(rng.choices(vocab, k=4000)).encode()
    out += b"\n%d\n" % rng.getrandbits(64)
    out += rng.randbytes(rng.randint(0, 8192))
sys.stdout.buffer.write(bytes(out[:size]))
PY
assert_eq "$((5 << 20))" "$(stat -c %s payload/data)" "payload size"

# One package run: prints the manifest digest. A cache of its own, so every run compresses.
package() { # cpu(native|model) compression level
  local dir=run-$1-$2-$3 runner=()
  [ "$1" == native ] || runner=(qemu-x86_64-static -cpu "$1")
  SCRATCHPACK_CACHE=$WORK/$dir/cache "${runner[@]}" "$SCRATCHPACK" package \
    --add payload:/payload --no-scan --image gz --out "$dir/out" \
    --compression "$2" --compression-level "$3" >"$dir.txt" 2>"$dir.err" ||
    fail "$1 $2 $3: $(cat "$dir.err")"
  local last
  last=$(tail -1 "$dir.txt")
  echo "${last##*@}"
}

step "every level, natively and as ${cpus[*]}"
jobs_running=0
for lv in "${levels[@]}"; do
  for cpu in native "${cpus[@]}"; do
    # shellcheck disable=SC2086 # "gzip 1" is two words on purpose
    (package "$cpu" $lv >"digest-$cpu-${lv/ /-}") &
    jobs_running=$((jobs_running + 1))
    if [ "$jobs_running" -ge 2 ]; then
      wait -n || fail "a package run failed"
      jobs_running=$((jobs_running - 1))
    fi
  done
done
while [ "$jobs_running" -gt 0 ]; do
  wait -n || fail "a package run failed"
  jobs_running=$((jobs_running - 1))
done

differ=()
for lv in "${levels[@]}"; do
  native=$(cat "digest-native-${lv/ /-}")
  [[ "$native" == sha256:* ]] || fail "$lv natively: no manifest digest"
  line="$lv: native ${native:7:12}"
  for cpu in "${cpus[@]}"; do
    d=$(cat "digest-$cpu-${lv/ /-}")
    line+=" $cpu ${d:7:12}"
    [ "$d" == "$native" ] || differ+=("$lv as $cpu")
  done
  echo "$line"
done
[ ${#differ[@]} -eq 0 ] || fail "manifest digest differs from the native one: ${differ[*]}"

step "the gzip layers decode to the same tar at every level"
python3 - run-native-gzip-*/out/gz.tar <<'PY'
import gzip, hashlib, json, sys, tarfile
tars = set()
for path in sys.argv[1:]:
    t = tarfile.open(path)
    blob = lambda d: t.extractfile("blobs/" + d.replace(":", "/")).read()
    manifest = json.loads(blob(json.loads(t.extractfile("index.json").read())["manifests"][0]["digest"]))
    (layer,) = manifest["layers"]
    assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip", layer
    tars.add(hashlib.sha256(gzip.decompress(blob(layer["digest"]))).hexdigest())
assert len(tars) == 1, (len(sys.argv) - 1, tars)
PY
echo "ok"
