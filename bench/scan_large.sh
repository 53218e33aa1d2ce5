#!/usr/bin/env bash
# Peak memory and time of `scratchpack scan` on a ~2 GiB image archive built at run time: three
# 512 MiB random files, two copies of libLLVM (ELF files, which the reader spools to disk for the
# scanner) and 10,000 small files (~25 KiB each), packaged by `scratchpack package` uncompressed
# (--compression none; random bytes do not compress). Goal: peak RSS under 100 MiB. Peers on the
# same image, timed in the same run: `tar -tvf` over the layer streamed out of the archive
# (every byte read, every entry listed, as the scan must) and `umoci unpack` of the same image
# (extracted to an OCI directory first, untimed). Prints RSS and wall times (median of RUNS,
# default 3) and the ratios.
# Usage: bench/scan_large.sh   (SCRATCHPACK=path/to/scratchpack; RUNS=N; SIZE_MIB=per random
# file, default 512; needs ~10 GiB free under $TMPDIR)
default_runs=3
source "$(dirname "$0")/lib.sh"
for tool in python3 umoci /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/scan_large.sh: $tool is not installed" >&2; exit 2; }
done
size_mib=${SIZE_MIB:-512}
export SCRATCHPACK_CACHE=$work/cache # the 2 GiB layer stays out of the user's cache

echo "building the payload…" >&2
mkdir -p payload/random payload/lib payload/small
for i in 1 2 3; do head -c $((size_mib << 20)) /dev/urandom >payload/random/blob$i.bin; done
llvm=$(readlink -f /usr/lib/llvm-19/lib/libLLVM.so.1 2>/dev/null ||
  readlink -f /usr/lib/x86_64-linux-gnu/libLLVM-19.so.1)
for i in 1 2; do cp "$llvm" payload/lib/libLLVM-$i.so; done
python3 - payload/small <<'PY'
import os, random, sys
rng = random.Random(7)
root = sys.argv[1]
for d in range(100):
    os.makedirs(f"{root}/d{d:03}", exist_ok=True)
    for f in range(100):
        with open(f"{root}/d{d:03}/f{f:03}.txt", "wb") as out:
            out.write(rng.randbytes(rng.randrange(1024, 50 * 1024)))
PY
"$sp" package --add payload:/payload --no-scan --image big --compression none --out o >/dev/null
rm -rf payload "$SCRATCHPACK_CACHE"
archive=o/big.tar
bytes=$(stat -c %s "$archive")
entries=$(tar -tf "$archive" | wc -l)
layer=$(python3 -c 'import json,sys,tarfile
t=tarfile.open(sys.argv[1]); m=json.load(t.extractfile("manifest.json"))
print(m[0]["Layers"][0])' "$archive")
echo "archive: $bytes bytes ($((bytes >> 20)) MiB), $entries members; layer $layer" >&2

# An OCI layout of the same image for umoci (untimed).
mkdir oci && tar -xf "$archive" -C oci

# Runs "$@" RUNS times under /usr/bin/time; prints "median_wall_s max_rss_kib".
measure() {
  local walls=() rss=0 i out w r
  for i in $(seq "$runs"); do
    sync
    # scan exits 1 here (libLLVM is dynamic): only the figures matter.
    /usr/bin/time -o "$work/time.txt" -f '%e %M' "$@" >/dev/null 2>&1 || true
    read -r w r < <(tail -1 "$work/time.txt")
    walls+=("$w")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")" "$rss"
}
umoci_unpack() { rm -rf bundle && umoci unpack --image oci:latest bundle >/dev/null; }
export -f umoci_unpack

read -r scan_s scan_kib <<<"$(measure "$sp" scan --quiet "$archive")"
read -r tar_s tar_kib <<<"$(measure bash -c "tar -xOf $archive $layer | tar -tvf - >/dev/null")"
read -r umoci_s umoci_kib <<<"$(measure bash -c umoci_unpack)"
rm -rf bundle

python3 - "$scan_s" "$scan_kib" "$tar_s" "$tar_kib" "$umoci_s" "$umoci_kib" "$bytes" <<'PY'
import sys
scan_s, scan_kib, tar_s, tar_kib, umoci_s, umoci_kib, size = sys.argv[1:]
scan_s, tar_s, umoci_s = float(scan_s), float(tar_s), float(umoci_s)
mib = lambda kib: int(kib) / 1024
print(f"image archive: {int(size) / 2**30:.2f} GiB")
print(f"{'command':<34} {'wall':>8} {'peak RSS':>10}")
print(f"{'scratchpack scan':<34} {scan_s:>7.2f}s {mib(scan_kib):>7.1f} MiB")
print(f"{'tar -xOf … layer | tar -tvf -':<34} {tar_s:>7.2f}s {mib(tar_kib):>7.1f} MiB")
print(f"{'umoci unpack':<34} {umoci_s:>7.2f}s {mib(umoci_kib):>7.1f} MiB")
print(f"scan / tar -tvf: {scan_s / tar_s:.2f}x   scan / umoci unpack: {scan_s / umoci_s:.2f}x")
ok = mib(scan_kib) < 100
print(f"scan peak RSS {mib(scan_kib):.1f} MiB (goal < 100 MiB): {'ok' if ok else 'OVER GOAL'}")
PY
