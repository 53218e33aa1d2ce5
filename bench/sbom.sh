#!/usr/bin/env bash
# What the supply-chain evidence costs, in one run:
#   (0) the evidence: a link by lld 19 of hello.cpp's link line with and without --why-extract
#       (the table of every archive member extracted that the SBOM is made from). Goal <= 1.05.
#   (a) everything else an SBOM costs a link: `scratchpack build examples/hello.cpp` relinking
#       (objects cached) against the same with SCRATCHPACK_NO_SBOM=1 (no materials: no dpkg
#       lookup, no member digests, no note, no documents); and a cold build against plain
#       `clang++-19 -static -O2` as the peer baseline.
#   (b) `scratchpack verify dist` of the hello release (manifests/examples/hello.yaml, 3 targets)
#       against the cold release it rebuilds (`release --no-cache`): verify is a cold release plus
#       the input checks and the comparison, so the ratio should stay near 1.
# Each figure is the best of RUNS (default 10; (b) RUNS/2, at least 2) wall times, the runs of
# the commands compared interleaved: the load of a shared machine drifts over minutes, and a
# best-of-N per command taken in separate minutes compared those minutes.
source "$(dirname "$0")/lib.sh"
cp "$root/examples/hello.cpp" "$work/"
cp -r "$root/manifests/examples" "$work/ex"
rm -rf "$work/ex/dist"
export SOURCE_DATE_EPOCH=0

# wall CMD...: runs CMD (output dropped) and prints its wall time in seconds.
wall() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  t1=$(date +%s%N)
  printf '%d.%03d\n' $(((t1 - t0) / 1000000000)) $((((t1 - t0) / 1000000) % 1000))
}
# min X...: the smallest number.
min() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }

# The switch must do what it says, or (a) compares two equal links.
SCRATCHPACK_NO_SBOM=1 "$sp" build hello.cpp --no-cache --format none --out off -q >/dev/null
"$sp" build hello.cpp --no-cache --format none --out on -q >/dev/null
[ -f on/hello.spdx.json ] || { echo "no SBOM written by a default build" >&2; exit 1; }
[ ! -e off/hello.spdx.json ] || { echo "SCRATCHPACK_NO_SBOM=1 still wrote an SBOM" >&2; exit 1; }
members=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['files']))" on/hello.spdx.json)

# (0) the evidence itself: lld 19 (ld.lld-19, the lld scratchpack links in-process) on
# scratchpack's own link line for hello.cpp (as `scratchpack c++ -v` prints it), with and
# without --why-extract=FILE, the table every SBOM and trap attribution is made from.
"$sp" c++ -c hello.cpp -o hello.o
read -r -a line < <("$sp" c++ hello.o -o linked -v 2>&1 | sed -n 's/^ *ld.lld //p' | head -1)
for i in "${!line[@]}"; do [ "${line[$i]}" != -o ] || line[$((i + 1))]=evidence.out; done
tlld=() tlldw=()
for _ in $(seq "$runs"); do
  tlld+=("$(wall ld.lld-19 "${line[@]}")")
  tlldw+=("$(wall ld.lld-19 "${line[@]}" --why-extract=why.tsv)")
done
[ -s why.tsv ] || { echo "ld.lld wrote no --why-extract table" >&2; exit 1; }
all_0="ld.lld: ${tlld[*]}; ld.lld --why-extract: ${tlldw[*]}"
tlld=$(min "${tlld[@]}") tlldw=$(min "${tlldw[@]}")

# (a) the link itself: the objects come from a private cache warmed once, and each run starts
# without the cache's links (rm -rf links/), so every run links again — with the SBOM evidence
# (materials, documents, note) or without (SCRATCHPACK_NO_SBOM=1): sbom, no-sbom, sbom, ...
# Then whole cold builds (--no-cache) against clang++ as the peer.
export SCRATCHPACK_CACHE=$work/cache
"$sp" build hello.cpp --format none --out on -q >/dev/null
SCRATCHPACK_NO_SBOM=1 "$sp" build hello.cpp --format none --out off -q >/dev/null
# A new link: its cache entry, bill of materials and documents gone; what the cache knows of the
# sysroot's files (build/inputs: owners, member digests) stays, as it does on any used machine.
relink() { rm -rf "$SCRATCHPACK_CACHE"/build/{links,boms,sboms}; "$@"; }
ton=() toff=() tcold=() tpeer=()
for _ in $(seq "$runs"); do
  ton+=("$(wall relink "$sp" build hello.cpp --format none --out on -q)")
  toff+=("$(wall relink env SCRATCHPACK_NO_SBOM=1 "$sp" build hello.cpp --format none --out off -q)")
done
for _ in $(seq $((runs / 2 < 2 ? 2 : runs / 2))); do
  tcold+=("$(wall "$sp" build hello.cpp --no-cache --format none --out cold -q)")
  tpeer+=("$(wall clang++-19 -static -O2 -fuse-ld=lld hello.cpp -o peer)")
done
all_a="link with sbom: ${ton[*]}; link without: ${toff[*]}; cold build: ${tcold[*]}; clang++: ${tpeer[*]}"
ton=$(min "${ton[@]}") toff=$(min "${toff[@]}") tcold=$(min "${tcold[@]}") tpeer=$(min "${tpeer[@]}")

# (b) the release once (for verify to read), then cold release, verify, cold release, verify, ...
cd "$work/ex"
"$sp" release -f hello.yaml --no-cache -q >/dev/null
vruns=$((runs / 2 < 2 ? 2 : runs / 2))
trel=() tver=()
for _ in $(seq "$vruns"); do
  trel+=("$(wall "$sp" release -f hello.yaml --no-cache --out cold-dist -q)")
  tver+=("$(wall "$sp" verify dist -q)")
done
all_b="release: ${trel[*]}; verify: ${tver[*]}"
trel=$(min "${trel[@]}") tver=$(min "${tver[@]}")
"$sp" verify dist -q >/dev/null 2>&1 || { echo "verify dist did not find the release identical" >&2; exit 1; }

python3 - "$ton" "$toff" "$tcold" "$tpeer" "$trel" "$tver" "$members" "$all_a" "$all_b" \
  "$tlld" "$tlldw" "$all_0" <<'PY'
import sys
on, off, cold, peer, rel, ver = map(float, sys.argv[1:7])
lld, lldw = float(sys.argv[10]), float(sys.argv[11])
print(f"ld.lld-19 on hello.cpp's link line: {lld*1000:6.1f} ms; with --why-extract: {lldw*1000:6.1f} ms")
print(f"link with SBOM evidence / without: {lldw/lld:.2f}x (goal <= 1.05)")
print(f"hello.cpp, objects cached, every run links again; best of each (SBOM lists {sys.argv[7]} files):")
print(f"  link with SBOM evidence       {on*1000:7.1f} ms")
print(f"  link, SCRATCHPACK_NO_SBOM=1   {off*1000:7.1f} ms")
print(f"whole relink with SBOM documents and note / SCRATCHPACK_NO_SBOM: {on/off:.2f}x (+{(on-off)*1000:.0f} ms)")
print(f"cold build (--no-cache) {cold*1000:7.1f} ms, clang++-19 -static {peer*1000:7.1f} ms: {cold/peer:.2f}x")
print(f"release hello.yaml (3 targets), cold (--no-cache): {rel*1000:7.1f} ms")
print(f"verify dist (inputs, rebuild, compare):            {ver*1000:7.1f} ms")
print(f"verify / cold release: {ver/rel:.2f}x")
print(f"every run (s), best taken: {sys.argv[12]}; {sys.argv[8]}; {sys.argv[9]}")
PY
