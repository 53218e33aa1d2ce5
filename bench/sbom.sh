#!/usr/bin/env bash
# What the supply-chain evidence costs, in one run:
#   (a) `scratchpack build examples/hello.cpp --no-cache --format none` (compile, link, scan, SBOM
#       and package note) against the same with SCRATCHPACK_NO_SBOM=1 (no materials: no dpkg
#       lookup, no member hashing, no note, no documents), and against plain
#       `clang++-19 -static -O2` as the peer baseline. Goal: SBOM evidence / no SBOM <= 1.05.
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

# The switch must do what it says, or (a) compares two equal builds.
SCRATCHPACK_NO_SBOM=1 "$sp" build hello.cpp --no-cache --format none --out off -q >/dev/null
"$sp" build hello.cpp --no-cache --format none --out on -q >/dev/null
[ -f on/hello.spdx.json ] || { echo "no SBOM written by a default build" >&2; exit 1; }
[ ! -e off/hello.spdx.json ] || { echo "SCRATCHPACK_NO_SBOM=1 still wrote an SBOM" >&2; exit 1; }
members=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['files']))" on/hello.spdx.json)

# (a) sbom, no-sbom, clang++, sbom, no-sbom, clang++, ...
ton=() toff=() tpeer=()
for _ in $(seq "$runs"); do
  ton+=("$(wall "$sp" build hello.cpp --no-cache --format none --out on -q)")
  toff+=("$(wall env SCRATCHPACK_NO_SBOM=1 "$sp" build hello.cpp --no-cache --format none --out off -q)")
  tpeer+=("$(wall clang++-19 -static -O2 -fuse-ld=lld hello.cpp -o peer)")
done
all_a="sbom: ${ton[*]}; no-sbom: ${toff[*]}; clang++: ${tpeer[*]}"
ton=$(min "${ton[@]}") toff=$(min "${toff[@]}") tpeer=$(min "${tpeer[@]}")

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

python3 - "$ton" "$toff" "$tpeer" "$trel" "$tver" "$members" "$all_a" "$all_b" <<'PY'
import sys
on, off, peer, rel, ver = map(float, sys.argv[1:6])
print(f"hello.cpp, --no-cache --format none, best of each (SBOM lists {sys.argv[6]} files):")
print(f"  with SBOM evidence  {on*1000:7.1f} ms")
print(f"  SCRATCHPACK_NO_SBOM {off*1000:7.1f} ms")
print(f"  clang++-19 -static  {peer*1000:7.1f} ms")
print(f"SBOM evidence / no SBOM: {on/off:.2f}x (goal <= 1.05)")
print(f"SBOM evidence / clang++-19: {on/peer:.2f}x")
print(f"release hello.yaml (3 targets), cold (--no-cache): {rel*1000:7.1f} ms")
print(f"verify dist (inputs, rebuild, compare):            {ver*1000:7.1f} ms")
print(f"verify / cold release: {ver/rel:.2f}x")
print(f"every run (s), best taken: {sys.argv[7]}; {sys.argv[8]}")
PY
