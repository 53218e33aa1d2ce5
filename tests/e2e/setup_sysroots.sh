# ctest fixture: provisions the musl sysroots and builds their libc++ (libc++abi, libunwind) once,
# before the e2e tests that use them run in parallel. Installing is idempotent: an installed
# sysroot and a built libc++ are left as they are, so only a cold cache pays (measured on 2 cores:
# ~40 s to fetch and unpack the LLVM source once, then ~90 s per target).
set -euo pipefail
for t in x86_64-musl aarch64-musl armv7-musl; do
  start=$(date +%s)
  "$SCRATCHPACK" sysroot install "$t"
  echo "--- $t ready in $(( $(date +%s) - start )) s"
done
