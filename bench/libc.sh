#!/usr/bin/env bash
# glibc against musl for the same C++ programs (x86_64, release profile), in one run:
#   start-up of examples/hello.cpp (hyperfine, no shell);
#   bench/libc/malloc_threads.cpp: small allocations on 1 and 4 threads (allocator speed and
#   contention);
#   bench/libc/resolve.cpp: getaddrinfo("localhost") in a scratch image under podman
#   (--network=none; podman provides /etc/hosts), and what the scan gate says about each.
# The figures behind docs/libc.md.
source "$(dirname "$0")/lib.sh"
"$sp" sysroot install x86_64-musl >/dev/null

podman_private "$work/st"

for libc in glibc musl; do
  "$sp" build "$root/examples/hello.cpp" --libc $libc -o hello-$libc --format none >/dev/null 2>&1
  "$sp" build "$root/bench/libc/malloc_threads.cpp" --libc $libc -o malloc-$libc --format none \
    >/dev/null 2>&1
  "$sp" build "$root/bench/libc/resolve.cpp" --libc $libc -o resolve --out "out-$libc" \
    >"scan-$libc.txt" 2>&1
done

echo "== start-up (hello.cpp)"
hyperfine -N --style basic --warmup 20 --runs 500 out/hello-glibc out/hello-musl 2>&1 |
  grep -E '^Benchmark|Time \(mean'
echo "== malloc_threads: 1 thread x 2,000,000, then 4 threads x 500,000 allocations"
hyperfine -N --style basic --warmup 1 --runs 10 \
  "out/malloc-glibc 1 2000000" "out/malloc-musl 1 2000000" \
  "out/malloc-glibc 4 500000" "out/malloc-musl 4 500000" 2>&1 | grep -E '^Benchmark|Time \(mean'
echo "== resolve localhost in a scratch image (podman --network=none)"
for libc in glibc musl; do
  printf '%-6s scan: %s warnings; run: ' $libc "$(grep -c '^  warning' "scan-$libc.txt" || true)"
  (podman run --rm --network=none "oci-archive:out-$libc/resolve.tar" 2>/dev/null || true) |
    tr '\n' ' '
  printf '; without /etc/hosts: '
  (podman run --rm --network=none --no-hosts "oci-archive:out-$libc/resolve.tar" 2>/dev/null ||
    true) | tr '\n' ' '
  echo
done
