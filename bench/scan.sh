#!/usr/bin/env bash
# Times `scratchpack scan` over /usr/bin and /usr/lib/x86_64-linux-gnu against its peers in one
# hyperfine run: `scanelf -R` (pax-utils, the goal is <= 2.0x) and `file` over the same files.
# Prints the ratios against scanelf. The scan exits 1 (the host is full of dynamic binaries), so
# hyperfine runs with -i.
# Usage: bench/scan.sh [DIR...]   (SCRATCHPACK=path/to/scratchpack, default build/scratchpack;
# BASELINE=path/to/an/older/scratchpack adds it to the run and prints new/baseline)
set -euo pipefail
cd "$(dirname "$0")/.."

scratchpack=${SCRATCHPACK:-build/scratchpack}
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(/usr/bin /usr/lib/x86_64-linux-gnu)
for tool in hyperfine scanelf file python3; do
  command -v "$tool" >/dev/null || { echo "bench/scan.sh: $tool is not installed" >&2; exit 2; }
done
[ -x "$scratchpack" ] || { echo "bench/scan.sh: no scratchpack at $scratchpack" >&2; exit 2; }

files=$(find "${dirs[@]}" -type f | wc -l)
echo "scan bench: ${dirs[*]} ($files files), $(nproc) CPUs"
results=$(mktemp "${TMPDIR:-/tmp}/scan-bench.XXXXXX.json")
trap 'rm -f "$results"' EXIT

baseline=()
[ -z "${BASELINE:-}" ] || baseline=(-n baseline "$BASELINE scan --quiet ${dirs[*]}")
hyperfine -N -i --warmup 2 --min-runs 10 --export-json "$results" \
  -n scratchpack "$scratchpack scan --quiet ${dirs[*]}" "${baseline[@]}" \
  -n scanelf "scanelf -R ${dirs[*]}" \
  -n file "find ${dirs[*]} -type f -exec file {} +" >&2

python3 - "$results" <<'PY'
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = runs["scanelf"]["mean"]
print(f"{'tool':<12} {'mean':>10} {'stddev':>9} {'vs scanelf':>11}")
for name in ("scratchpack", "scanelf", "file"):
    r = runs[name]
    print(f"{name:<12} {r['mean'] * 1000:>8.1f}ms {r['stddev'] * 1000:>7.1f}ms {r['mean'] / base:>10.2f}x")
ratio = runs["scratchpack"]["mean"] / base
print(f"scratchpack/scanelf = {ratio:.2f}x (goal <= 2.00x): {'ok' if ratio <= 2.0 else 'SLOWER THAN GOAL'}")
if "baseline" in runs:
    print(f"this build / baseline = {runs['scratchpack']['mean'] / runs['baseline']['mean']:.3f}")
PY
