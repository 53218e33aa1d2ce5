# ctest fixture: provisions the musl sysroots once, before the e2e tests that use them run in
# parallel (installing is idempotent: an installed sysroot is left as it is).
set -euo pipefail
for t in x86_64-musl aarch64-musl armv7-musl; do
  "$SCRATCHPACK" sysroot install "$t"
done
