#!/usr/bin/env bash
# Builds examples/hello.cpp in one hyperfine run with:
#   scratchpack build --format none      vs  clang++-19 -static -O2 -fuse-ld=lld   (goal <= 1.05)
#   scratchpack build (binary + image)   vs  the same clang++                      (goal <= 1.10)
#   clang++ + buildah bud (FROM scratch / ADD / CMD) for the Dockerfile flow it replaces
# and prints the ratios, then the image sizes (manifest + config + layers) of hello.c (musl, size
# profile; goal < 8 kB) and hello.cpp (glibc, size profile; goal <= 600 kB).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sp=${SCRATCHPACK:-$root/build/scratchpack}
runs=${RUNS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$root/examples/hello.cpp" "$root/examples/hello.c" "$root/examples/Dockerfile" .

mkdir -p st
printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "none"\n' >st/containers.conf
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/root"\nrunroot = "%s/runroot"\n' "$work/st" "$work/st" >st/storage.conf
export CONTAINERS_CONF=$work/st/containers.conf CONTAINERS_STORAGE_CONF=$work/st/storage.conf

clangxx="clang++-19 -static -O2 -fuse-ld=lld hello.cpp -o hello"
hyperfine --style basic --warmup 2 --runs "$runs" --export-json times.json \
  -n sp-binary "$sp build hello.cpp --format none 2>/dev/null" \
  -n sp-image "$sp build hello.cpp 2>/dev/null" \
  -n clang++ "$clangxx" \
  -n clang++-buildah "$clangxx && buildah bud -q --layers=false -t hello-minimal . >/dev/null" >/dev/null

python3 - times.json <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:16s} {v['mean']*1000:8.1f} ms ± {v['stddev']*1000:.1f}")
c = r["clang++"]["mean"]
print(f"scratchpack build --format none / clang++ -static: {r['sp-binary']['mean']/c:.3f}  (goal <= 1.05)")
print(f"scratchpack build (with image)  / clang++ -static: {r['sp-image']['mean']/c:.3f}  (goal <= 1.10)")
print(f"scratchpack build (with image)  / clang++ + buildah bud: {r['sp-image']['mean']/r['clang++-buildah']['mean']:.3f}")
PY

image_bytes() { # archive -> manifest + config + layers, in bytes
  python3 - "$1" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
idx = json.loads(t.extractfile("index.json").read())
m = idx["manifests"][0]
man = json.loads(t.extractfile("blobs/" + m["digest"].replace(":", "/")).read())
print(m["size"] + man["config"]["size"] + sum(l["size"] for l in man["layers"]))
PY
}
"$sp" build hello.c --libc musl --profile size -o hc >/dev/null 2>&1
"$sp" build hello.cpp --profile size -o hcpp >/dev/null 2>&1
printf 'hello.c   musl  size: binary %7d B, image %7d B (goal < 8192)\n' "$(stat -c %s out/hc)" "$(image_bytes out/hc.tar)"
printf 'hello.cpp glibc size: binary %7d B, image %7d B (goal <= 600000)\n' "$(stat -c %s out/hcpp)" "$(image_bytes out/hcpp.tar)"
