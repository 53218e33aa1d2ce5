# Sourced by every bench script: strict mode, the paths ($root, $sp), the run count ($runs, from
# RUNS or the script's default in $default_runs), and a scratch directory ($work, the current
# directory) removed on exit. Also the helpers of scripts/lib.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sp=${SCRATCHPACK:-$root/build/scratchpack}
# BASELINE=path/to/an/older/scratchpack (its scratchpack-lld.so beside it): the benches that
# support it time that binary in the same hyperfine run and print new/baseline ratios.
base=${BASELINE:-}
runs=${RUNS:-${default_runs:-10}}
work=$(mktemp -d)
# Containers are removed only from a private store (podman_private) under $work.
trap 'case "${CONTAINERS_STORAGE_CONF:-}" in "$work"/*) podman rm -af >/dev/null 2>&1 || true ;; esac
      rm -rf "$work"' EXIT
cd "$work"
source "$root/scripts/lib.sh"

# private_caches: empty build and layer caches under $work/cache (exported as SCRATCHPACK_CACHE)
# that still see the installed sysroots and libc++ builds beside the default caches (util/fs.h
# keeps sysroots apart; only the cache entries are private).
private_caches() {
  local default=${SCRATCHPACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scratchpack} e
  mkdir -p "$work/cache"
  for e in "$default"/*; do
    case "$(basename "$e")" in build | layers) ;; *) [ -e "$e" ] && ln -sfn "$e" "$work/cache/" ;; esac
  done
  export SCRATCHPACK_CACHE=$work/cache
}
