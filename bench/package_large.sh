#!/usr/bin/env bash
# Packages a ~200 MB payload (copies of libLLVM and clang) into a FROM-scratch image with
# scratchpack (gzip and zstd), `umoci insert` and `buildah bud` + `buildah push` to an
# oci-archive, in one hyperfine run; prints the ratios. Goals: gzip <= 0.67x umoci, zstd <= 0.5x.
# After the warm-up run scratchpack's layer cache holds the layer, so the plain rows time a
# cache hit (hash the payload, copy the blob out); the "cold" rows give every run an empty
# cache and so time the compressor.
# The payload holds dynamic ELF files on purpose (realistic bytes), so scratchpack runs with
# --no-scan; the scan costs ~1 ms a file when on.
default_runs=5
source "$(dirname "$0")/lib.sh"

mkdir -p payload
llvm=$(readlink -f /usr/lib/llvm-19/lib/libLLVM.so.1 2>/dev/null || readlink -f /usr/lib/x86_64-linux-gnu/libLLVM-19.so.1)
for i in 1 2; do cp "$llvm" payload/libLLVM-$i.so; done
cp "$(readlink -f /usr/lib/llvm-19/bin/clang)" payload/clang
cp "$(readlink -f /usr/lib/x86_64-linux-gnu/libclang-cpp.so.19)" payload/libclang-cpp.so 2>/dev/null || true
echo "payload: $(du -sm payload | cut -f1) MB in $(ls payload | wc -l) files"

# Private container storage for buildah (scripts/lib.sh's podman flags).
podman_private "$work/st"
printf 'FROM scratch\nADD payload /payload\n' >Dockerfile

# An empty OCI layout for umoci to insert into, copied fresh before every run.
umoci init --layout empty >/dev/null
umoci new --image empty:latest >/dev/null

hyperfine --style basic --warmup 1 --runs "$runs" --export-json times.json \
  -n scratchpack-gzip --prepare true "$sp package --add payload:/payload --no-scan --image big --out o-gzip" \
  -n scratchpack-zstd --prepare true "$sp package --add payload:/payload --no-scan --image big --compression zstd --out o-zstd" \
  -n scratchpack-gzip-cold --prepare "rm -rf cold" "SCRATCHPACK_CACHE=$work/cold $sp package --add payload:/payload --no-scan --image big --out o-gzip" \
  -n scratchpack-zstd-cold --prepare "rm -rf cold" "SCRATCHPACK_CACHE=$work/cold $sp package --add payload:/payload --no-scan --image big --compression zstd --out o-zstd" \
  -n umoci-insert --prepare "rm -rf u && cp -a empty u" "umoci insert --image u:latest payload /payload" \
  -n buildah-bud-push --prepare "buildah rmi -af >/dev/null 2>&1 || true; rm -f b.tar" \
  "buildah bud -q --layers=false -t big . >/dev/null && buildah push -q big oci-archive:b.tar" >/dev/null

python3 - times.json <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:18s} {v:7.3f} s")
u, b = r["umoci-insert"], r["buildah-bud-push"]
print(f"scratchpack gzip / umoci insert:  {r['scratchpack-gzip']/u:.2f}x  (goal <= 0.67)")
print(f"scratchpack zstd / umoci insert:  {r['scratchpack-zstd']/u:.2f}x  (goal <= 0.50)")
print(f"cold gzip / umoci insert:         {r['scratchpack-gzip-cold']/u:.2f}x  (goal <= 0.67)")
print(f"cold zstd / umoci insert:         {r['scratchpack-zstd-cold']/u:.2f}x  (goal <= 0.50)")
print(f"scratchpack gzip / buildah:       {r['scratchpack-gzip']/b:.2f}x")
PY
echo "archive sizes: gzip $(stat -c %s o-gzip/big.tar) B, zstd $(stat -c %s o-zstd/big.tar) B, buildah $(stat -c %s b.tar 2>/dev/null || echo ?) B"
