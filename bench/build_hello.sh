#!/usr/bin/env bash
# Times `scratchpack build examples/hello.cpp --format none` against bare
# `clang++-19 -static -O2 -fuse-ld=lld` on the same file, in one hyperfine run, and prints the
# ratio (goal: <= 1.05).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sp=${SCRATCHPACK:-$root/build/scratchpack}
runs=${RUNS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$root/examples/hello.cpp" .

hyperfine --style basic --warmup 2 --runs "$runs" --export-json times.json \
  -n scratchpack "$sp build hello.cpp --format none" \
  -n clang++ "clang++-19 -static -O2 -fuse-ld=lld hello.cpp -o hello-clang" >/dev/null

python3 - times.json <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
sp, cl = r["scratchpack"], r["clang++"]
print(f"scratchpack build hello.cpp --format none: {sp['mean']*1000:7.1f} ms ± {sp['stddev']*1000:.1f}")
print(f"clang++-19 -static -O2 -fuse-ld=lld:       {cl['mean']*1000:7.1f} ms ± {cl['stddev']*1000:.1f}")
print(f"ratio scratchpack / clang++: {sp['mean']/cl['mean']:.3f}  (goal <= 1.05)")
PY
echo "sizes: scratchpack $(stat -c %s out/hello) B, clang++ $(stat -c %s hello-clang) B"
