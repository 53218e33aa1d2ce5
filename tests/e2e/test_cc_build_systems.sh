# Real projects with their own build systems, scratchpack as the compiler (acceptance of the
# drop-in compilers): zlib's ./configure && make under `eval "$(scratchpack env)"`, then a program
# linking its libz.a; a Meson project with the cross file from `toolchain-file meson`; GNU hello
# (autotools) with ./configure --host, packaged into an image that podman runs. Each for x86_64
# and aarch64; zlib for both libcs. Sources are Debian's, fetched with apt-get source.
source "$(dirname "$0")/lib.sh"
private_build_cache
podman_setup
binfmt_setup
need_sysroot x86_64-musl
need_sysroot aarch64-musl

cat > zuse.c <<'C'
#include <stdio.h>
#include <string.h>
#include <zlib.h>
int main(void) {
  const char text[] = "static zlib, static binary, scratch image";
  unsigned char packed[256], back[256];
  uLongf plen = sizeof packed, blen = sizeof back;
  if (compress(packed, &plen, (const unsigned char*)text, sizeof text) != Z_OK ||
      uncompress(back, &blen, packed, plen) != Z_OK || memcmp(back, text, sizeof text) != 0) {
    return 1;
  }
  printf("zlib %s round trip of %lu bytes\n", zlibVersion(), (unsigned long)blen);
  return 0;
}
C

step "zlib: ./configure && make under scratchpack env, for 4 targets"
zlib_src=$(debian_source zlib)
for target in x86_64-glibc aarch64-glibc x86_64-musl aarch64-musl; do
  cp -a "$zlib_src" "zlib-$target"
  (
    cd "zlib-$target"
    eval "$("$SCRATCHPACK" env --target "$target")"
    ./configure --static >configure.log 2>&1 || fail "zlib configure for $target: $(tail -5 configure.log)"
    make -j2 libz.a >make.log 2>&1 || fail "zlib make for $target: $(tail -5 make.log)"
    "$CC" ../zuse.c -I. -L. -lz -o ../zuse-$target
  ) || exit 1
  assert_static_elf "zuse-$target"
  out=$(run_for_target "$target" "./zuse-$target")
  assert_contains "$out" "zlib 1.2.13 round trip of 42 bytes" "the program linking zlib for $target"
done

step "Meson: meson setup --cross-file \$(scratchpack toolchain-file meson) && ninja"
cp -r "$(dirname "$0")/programs/meson_project" mproject
for target in x86_64-glibc aarch64-musl; do
  "$SCRATCHPACK" toolchain-file meson --target "$target" -o "$target.ini"
  capture meson setup --cross-file "$target.ini" "m-$target" mproject
  assert_eq 0 "$RC" "meson setup for $target: $OUT $ERR"
  capture ninja -C "m-$target"
  assert_eq 0 "$RC" "ninja for $target: $OUT $ERR"
  assert_static_elf "m-$target/mdemo"
  assert_eq "mdemo 0.4.2: sum 55" "$(run_for_target "$target" "m-$target/mdemo")" "mdemo for $target"
done

step "GNU hello: ./configure --host && make under scratchpack env, then package and run"
hello_src=$(debian_source hello)
for target in x86_64-glibc aarch64-glibc; do
  cp -a "$hello_src" "hello-$target"
  triple=$("$SCRATCHPACK" cc --target "$target" -dumpmachine)
  (
    cd "hello-$target"
    eval "$("$SCRATCHPACK" env --target "$target")"
    ./configure --host="$triple" >configure.log 2>&1 ||
      fail "hello configure for $target: $(tail -5 configure.log)"
    make -j2 >make.log 2>&1 || fail "hello make for $target: $(tail -5 make.log)"
  ) || exit 1
  assert_static_elf "hello-$target/hello"
  capture "$SCRATCHPACK" package "hello-$target/hello" --image "ghello-$target:1" --load --out "img-$target"
  assert_eq 0 "$RC" "package hello for $target ($ERR)"
  arch=amd64
  [ "$target" = aarch64-glibc ] && arch=arm64
  assert_eq "Hello, world!" "$(podman run --rm --network=none --arch $arch "ghello-$target:1")" \
    "GNU hello image for $target"
done
echo ok
