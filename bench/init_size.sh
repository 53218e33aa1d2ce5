#!/usr/bin/env bash
# Sizes of scratchpack's PID-1 init (runtime-stub/init.c) per architecture, next to tini's static
# build from Debian (the package `tini`). Goal: <= 8 kB each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
tini=$(command -v tini-static || true)
tini_size=$([ -n "$tini" ] && stat -c %s "$tini" || echo 0)

printf '%-8s %10s %12s %s\n' arch bytes "vs tini" "goal <= 8192"
for arch in amd64 arm64 arm riscv64; do
  f=$build/runtime-stub/init-$arch
  [ -f "$f" ] || { echo "missing $f: build scratchpack first"; exit 2; }
  size=$(stat -c %s "$f")
  ratio=$([ "$tini_size" -gt 0 ] && python3 -c "print(f'{$size/$tini_size:.4f}x')" || echo "n/a")
  printf '%-8s %10d %12s %s\n' $arch "$size" "$ratio" "$([ "$size" -le 8192 ] && echo ok || echo OVER)"
done
[ -n "$tini" ] && printf '%-8s %10d   (tini-static %s, amd64)\n' tini "$tini_size" "$(tini-static --version 2>&1 | head -1 | awk '{print $3}')"
