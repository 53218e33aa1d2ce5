# Shared helpers for the end-to-end tests: each test sources this file, works in its own
# temporary directory, and fails with one clear line.
set -euo pipefail

: "${SCRATCHPACK:?SCRATCHPACK must point at the scratchpack binary (ctest sets it)}"
: "${SP_SOURCE_DIR:?SP_SOURCE_DIR must point at the source tree (ctest sets it)}"
source "$SP_SOURCE_DIR/scripts/lib.sh" # podman_private, image_bytes
SP_LLVM_BINDIR=${SP_LLVM_BINDIR:-/usr/lib/llvm-19/bin}
EXAMPLES=$SP_SOURCE_DIR/examples

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sp-e2e.XXXXXX")
cleanup_hooks=()
on_exit() {
  local rc=$?
  for hook in "${cleanup_hooks[@]+"${cleanup_hooks[@]}"}"; do eval "$hook" || true; done
  rm -rf "$WORK"
  exit $rc
}
trap on_exit EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

assert_eq() { # expected actual what
  [ "$1" == "$2" ] || fail "$3: expected [$1], got [$2]"
}
assert_contains() { # haystack needle what
  [[ "$1" == *"$2"* ]] || fail "$3: [$2] not found in: $1"
}
assert_not_contains() {
  [[ "$1" != *"$2"* ]] || fail "$3: [$2] unexpectedly found in: $1"
}
assert_missing() { [ ! -e "$1" ] || fail "$1 exists but should not"; }

# Runs the command, stores stdout/stderr/exit code in OUT, ERR, RC; never fails itself.
capture() {
  set +e
  "$@" >"$WORK/.out" 2>"$WORK/.err"
  RC=$?
  set -e
  OUT=$(cat "$WORK/.out")
  ERR=$(cat "$WORK/.err")
}

# Runs a binary for a target natively or under qemu-user.
run_for_target() { # target binary
  case "$1" in
    x86_64*) "$2" ;;
    aarch64*) qemu-aarch64-static "$2" ;;
    armv7*) qemu-arm-static "$2" ;;
    riscv64*) qemu-riscv64-static "$2" ;;
    *) fail "unknown target $1" ;;
  esac
}

# Asserts the ELF has no program interpreter and no DT_NEEDED (llvm-readelf).
assert_static_elf() {
  local headers
  headers=$("$SP_LLVM_BINDIR/llvm-readelf" --program-headers --dynamic-table "$1" 2>&1)
  assert_not_contains "$headers" "INTERP" "$1 has a PT_INTERP"
  assert_not_contains "$headers" "(NEEDED)" "$1 has DT_NEEDED entries"
}

# Makes sure a musl sysroot for the target is there (provisioned once, shared by tests).
need_sysroot() {
  "$SCRATCHPACK" sysroot install "$1" >/dev/null
}

# podman with a private root under $WORK (vfs storage, runc, cgroupfs, no default
# rlimits), set through CONTAINERS_CONF and CONTAINERS_STORAGE_CONF so that a plain `podman`
# (the one `scratchpack build --load` runs) uses it too. Sets the PODMAN array.
podman_setup() {
  command -v podman >/dev/null || fail "podman is not installed (scripts/setup.sh installs it)"
  podman_private "$WORK/podman"
  PODMAN=(podman)
  cleanup_hooks+=('podman rm -af >/dev/null 2>&1')
}

# Registers qemu-user for arm64, arm and riscv64 binaries with the kernel (once per boot), so podman can
# run foreign-architecture images.
binfmt_setup() {
  local m=/proc/sys/fs/binfmt_misc
  if [ ! -e $m/register ]; then
    mount -t binfmt_misc binfmt_misc $m || fail "cannot mount binfmt_misc"
  fi
  for a in aarch64 arm riscv64; do
    [ -e $m/qemu-$a ] || cat /usr/lib/binfmt.d/qemu-$a.conf >$m/register ||
      fail "cannot register qemu-$a with binfmt_misc"
  done
}

# A private build and layer cache under $WORK (so hit/miss counts are exact); the sysroots live
# apart from the caches (util/fs.h sysroots_dir()), and anything else of the default cache is
# shared through symlinks.
private_build_cache() {
  local default=${SCRATCHPACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scratchpack}
  export SCRATCHPACK_CACHE=$WORK/cache
  mkdir -p "$SCRATCHPACK_CACHE"
  local entry
  for entry in "$default"/*; do
    case "$(basename "$entry")" in build | layers) ;; *) ln -s "$entry" "$SCRATCHPACK_CACHE/" ;; esac
  done
}
