#!/usr/bin/env bash
# `scratchpack release` of manifests/examples/hello.yaml (3 targets, one image index with two
# tags): a cold build (empty build and layer caches) against a no-op rebuild (warm caches, no
# change), in one hyperfine run. Goal: no-op <= 100 ms (ko reports ~3 s for its cached no-op).
source "$(dirname "$0")/lib.sh"
cp -r "$root/manifests/examples" "$work/ex"
cd "$work/ex"

private_caches

hyperfine --style basic --runs 3 --export-json cold.json \
  --prepare "rm -rf $work/cache/build $work/cache/layers" -n cold "$sp release -f hello.yaml" \
  -n cold-no-fsync "SCRATCHPACK_FSYNC=0 $sp release -f hello.yaml" >/dev/null
"$sp" release -f hello.yaml >/dev/null 2>&1 # warm the caches for the no-op
baseline=()
if [ -n "$base" ]; then
  # The baseline gets caches of its own (the same sysroots), warmed the same way.
  mkdir -p "$work/base-cache"
  for e in "$work"/cache/*; do
    case "$(basename "$e")" in build | layers) ;; *) ln -s "$(readlink -f "$e")" "$work/base-cache/" ;; esac
  done
  SCRATCHPACK_CACHE=$work/base-cache "$base" release -f hello.yaml --out base-dist >/dev/null 2>&1
  baseline=(-n base-no-op "SCRATCHPACK_CACHE=$work/base-cache $base release -f hello.yaml --out base-dist")
fi
hyperfine --style basic --warmup 2 --runs "$runs" --export-json noop.json \
  -n no-op "$sp release -f hello.yaml" -n no-op-no-fsync "SCRATCHPACK_FSYNC=0 $sp release -f hello.yaml" \
  "${baseline[@]}" >/dev/null

python3 - cold.json noop.json <<'PY'
import json, sys
r = {x["command"]: x for f in sys.argv[1:] for x in json.load(open(f))["results"]}
n, c = r["no-op"], r["cold"]
print(f"release hello.yaml (3 targets), cold: {c['mean']*1000:8.1f} ms ± {c['stddev']*1000:.1f}")
print(f"release hello.yaml (3 targets), no-op: {n['mean']*1000:7.1f} ms ± {n['stddev']*1000:.1f}  (goal <= 100 ms)")
print(f"no-op / cold: {n['mean']/c['mean']:.3f}")
print(f"fsync cost (outputs and cache entries made durable): cold {c['mean']/r['cold-no-fsync']['mean']:.3f}x, "
      f"no-op {n['mean']/r['no-op-no-fsync']['mean']:.3f}x of the same run with SCRATCHPACK_FSYNC=0")
if "base-no-op" in r:
    print(f"no-op, this build / baseline: {n['mean']/r['base-no-op']['mean']:.3f}")
PY
