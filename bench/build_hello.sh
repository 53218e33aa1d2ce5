#!/usr/bin/env bash
# Builds examples/hello.cpp in one hyperfine run with:
#   scratchpack build --format none      vs  clang++-19 -static -O2 -fuse-ld=lld   (goal <= 1.05)
#   scratchpack build (binary + image)   vs  the same clang++                      (goal <= 1.10)
#   (both --no-cache: compiler and linker every time), an unchanged rebuild (the build cache),
#   clang++ + buildah bud (FROM scratch / ADD / CMD) for the Dockerfile flow it replaces
# and prints the ratios, then the image sizes (manifest + config + layers) of hello.c (musl, size
# profile; goal < 8 kB) and hello.cpp (glibc, size profile; goal <= 600 kB).
source "$(dirname "$0")/lib.sh"
cp "$root/examples/hello.cpp" "$root/examples/hello.c" "$root/examples/Dockerfile" .

podman_private "$work/st"

clangxx="clang++-19 -static -O2 -fuse-ld=lld hello.cpp -o hello"
baseline=()
if [ -n "$base" ]; then
  baseline=(-n base-binary "$base build hello.cpp --format none --no-cache --out base 2>/dev/null"
            -n base-image "$base build hello.cpp --no-cache --out base 2>/dev/null"
            -n base-rebuild "$base build hello.cpp --out base 2>/dev/null")
fi
hyperfine --style basic --warmup 2 --runs "$runs" --export-json times.json \
  -n sp-binary "$sp build hello.cpp --format none --no-cache 2>/dev/null" \
  -n sp-image "$sp build hello.cpp --no-cache 2>/dev/null" \
  -n sp-rebuild "$sp build hello.cpp 2>/dev/null" \
  "${baseline[@]}" \
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
print(f"scratchpack rebuild, nothing changed (build cache) / clang++ -static: {r['sp-rebuild']['mean']/c:.3f}")
for k in ("binary", "image", "rebuild"):
    if "base-" + k in r:
        print(f"this build / baseline, {k:8s}: {r['sp-' + k]['mean'] / r['base-' + k]['mean']:.3f}")
PY

"$sp" build hello.c --libc musl --profile size -o hc >/dev/null 2>&1
"$sp" build hello.cpp --profile size -o hcpp >/dev/null 2>&1
printf 'hello.c   musl  size: binary %7d B, image %7d B (goal < 8192)\n' "$(stat -c %s out/hc)" "$(image_bytes out/hc.tar)"
printf 'hello.cpp glibc size: binary %7d B, image %7d B (goal <= 600000)\n' "$(stat -c %s out/hcpp)" "$(image_bytes out/hcpp.tar)"
