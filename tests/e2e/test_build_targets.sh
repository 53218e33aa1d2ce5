# hello.cpp and hello.c for every target × libc (C++ on musl with the cached libc++): static (no
# PT_INTERP, no DT_NEEDED), runs, prints.
source "$(dirname "$0")/lib.sh"

for arch in x86_64 aarch64 armv7; do
  for libc in glibc musl; do
    t=$arch-$libc
    [ $libc = musl ] && need_sysroot "$t"
    for src in hello.c hello.cpp; do
      name=${src%.*}-${src##*.}-$t
      step "build $src for $t"
      "$SCRATCHPACK" build "$EXAMPLES/$src" --target "$t" -o "$name" --format none >/dev/null
      assert_static_elf "out/$name"
      assert_eq "Hello from scratch!" "$(run_for_target "$t" "out/$name")" "output of $name"
    done
  done
done

step "full triples are accepted"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --target arm-linux-gnueabihf -o triple --format none >/dev/null
assert_eq "Hello from scratch!" "$(qemu-arm-static out/triple)" "arm-linux-gnueabihf build"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --target aarch64-linux-musl -o triple-musl --format none >/dev/null
assert_eq "Hello from scratch!" "$(qemu-aarch64-static out/triple-musl)" "aarch64-linux-musl build"

step "OCI platform names are targets, and --platform is --target's other name"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --platform linux/arm64,linux/arm/v7 --format none \
  --out oci >/dev/null
assert_eq "Hello from scratch!" "$(qemu-aarch64-static oci/aarch64-glibc/hello)" "linux/arm64 build"
assert_eq "Hello from scratch!" "$(qemu-arm-static oci/armv7-glibc/hello)" "linux/arm/v7 build"

step "every target's link failure is reported, not only the first"
printf 'int missing(void);\nint main(void) { return missing(); }\n' > undef.c
capture "$SCRATCHPACK" build undef.c --target x86_64,aarch64 --format none
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "error: link failed: undef, x86_64-glibc" "x86_64 link"
assert_contains "$ERR" "error: link failed: undef, aarch64-glibc" "aarch64 link"

step "one process links every target in turn (lld state does not leak between links)"
need_sysroot aarch64-musl
need_sysroot armv7-musl
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --target x86_64,aarch64,armv7 --format none \
  --out multi >/dev/null
for t in x86_64-musl aarch64-musl armv7-musl; do
  assert_eq "Hello from scratch!" "$(run_for_target "$t" "multi/$t/hello")" "multi-target $t"
done

step "profiles: size is stripped and small, debug keeps debug info"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --profile size -o small --format none >/dev/null
size=$(stat -c %s out/small)
[ "$size" -lt 16384 ] || fail "musl size-profile hello.c is $size bytes (expected < 16 KiB)"
sections=$("$SP_LLVM_BINDIR/llvm-readelf" -S out/small)
assert_not_contains "$sections" ".symtab" "size profile sections"
"$SCRATCHPACK" build "$EXAMPLES/hello.c" --profile debug -o dbg --format none >/dev/null
sections=$("$SP_LLVM_BINDIR/llvm-readelf" -S out/dbg)
assert_contains "$sections" ".debug_info" "debug profile sections"
echo "ok"
