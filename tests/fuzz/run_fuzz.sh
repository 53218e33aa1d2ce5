#!/usr/bin/env bash
# Builds a seed corpus (small libc-free programs for several architectures, static, static-pie and
# dynamic, plus the host's dynamic hello and truncated/bit-flipped copies), then fuzzes the ELF
# reader for FUZZ_SECONDS (default 60). Fails on any crash or sanitizer report.
# Usage: run_fuzz.sh FUZZ_BINARY [extra libFuzzer flags...]
set -euo pipefail

fuzzer=${1:?usage: run_fuzz.sh FUZZ_BINARY}
shift
here=$(cd "$(dirname "$0")" && pwd)
clang=${SP_LLVM_BINDIR:-/usr/lib/llvm-19/bin}/clang
seconds=${FUZZ_SECONDS:-60}
artifacts=${SP_BUILD_DIR:-$PWD}/fuzz-artifacts
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_elf.XXXXXX")
trap 'rm -rf "$work"' EXIT
corpus=$work/corpus
mkdir -p "$corpus" "$artifacts"

base=(-O0 -nostdlib -ffreestanding -fno-stack-protector -fuse-ld=lld)
build_seeds() {
  local target=$1 extra=()
  [[ $target == arm* ]] && extra=(-mtp=cp15) # TLS without __aeabi_read_tp from a libc
  local cc=("$clang" --target="$target" "${base[@]}" "${extra[@]}")
  "${cc[@]}" -Wl,-e,_start -static "$here/seed.c" -o "$corpus/static-$target"
  "${cc[@]}" -Wl,-e,_start -static-pie "$here/seed.c" -o "$corpus/static-pie-$target"
  "${cc[@]}" -fPIC -shared -Wl,-soname,libseed.so.1 "$here/seed_lib.c" -o "$work/libseed-$target.so"
  "${cc[@]}" -Wl,-e,_start -DSEED_DYNAMIC -fPIE -pie -Wl,--dynamic-linker=/lib/ld-seed.so.1 \
    -Wl,-rpath,/opt/seed/lib "$here/seed.c" "$work/libseed-$target.so" -o "$corpus/dynamic-$target"
  cp "$work/libseed-$target.so" "$corpus/"
}

for target in x86_64-linux-gnu i386-linux-gnu aarch64-linux-gnu armv7a-linux-gnueabihf \
              mips-linux-gnu powerpc64-linux-gnu s390x-linux-gnu; do
  build_seeds "$target"
done
printf 'int main(void){return 0;}\n' >"$work/hello.c"
"$clang" "$work/hello.c" -o "$corpus/hello-dynamic"
printf '#!/bin/sh\necho hello\n' >"$corpus/script.sh"

# Damaged copies: cut inside the header, the program headers and the section headers; and one
# byte flipped at fixed offsets (deterministic, so a failure reproduces).
for f in "$corpus"/static-x86_64-linux-gnu "$corpus"/dynamic-powerpc64-linux-gnu \
         "$corpus"/static-pie-armv7a-linux-gnueabihf "$corpus"/hello-dynamic; do
  name=$(basename "$f")
  size=$(stat -c %s "$f")
  for cut in 20 60 200 $((size / 2)) $((size - 40)); do
    head -c "$cut" "$f" >"$corpus/$name.cut$cut"
  done
  for off in 4 5 18 32 40 60 $((size - 20)); do
    python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); b[o] ^= 0xff; sys.stdout.buffer.write(b)' "$f" "$off" >"$corpus/$name.flip$off"
  done
done
echo "fuzz_elf: $(ls "$corpus" | wc -l) seeds, ${seconds}s"

# -timeout=2: any input that takes seconds is a bug (the reader's work is bounded by the file's
# size; a 64 KiB input takes well under a millisecond), not a slow machine.
"$fuzzer" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=2 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@"
