# scratchpack pkg-config answers for the target's sysroot only, always for a static link: the
# host's zlib.pc for x86_64-glibc, nothing of the host's for aarch64 (its .pc files would name
# x86-64 archives); `scratchpack env` points PKG_CONFIG at the multi-call name.
source "$(dirname "$0")/lib.sh"

step "x86_64-glibc sees the host's multiarch .pc files, with --static"
capture "$SCRATCHPACK" pkg-config --target x86_64-glibc --libs zlib
assert_eq 0 "$RC" "pkg-config --libs zlib ($ERR)"
assert_eq "-lz" "$(echo $OUT)" "zlib's flags"
# --static is always on: Libs.private are included (zlib's are empty; check pkg-config's own view).
assert_eq "$(PKG_CONFIG_LIBDIR=/usr/lib/x86_64-linux-gnu/pkgconfig pkg-config --static --libs zlib)" "$OUT" "static flags"

step "aarch64-glibc does not see the host's packages"
capture "$SCRATCHPACK" pkg-config --target aarch64 --libs zlib
assert_eq 1 "$RC" "zlib for aarch64 without arm64 .pc files"
assert_contains "$ERR" "Package zlib was not found" "pkg-config's message"

step "scratchpack env: PKG_CONFIG is the multi-call name and honours SCRATCHPACK_TARGET"
(
  eval "$("$SCRATCHPACK" env --target x86_64)"
  [ "$(basename "$PKG_CONFIG")" = scratchpack-pkg-config ] || fail "PKG_CONFIG=$PKG_CONFIG"
  assert_eq "-lz" "$(echo $("$PKG_CONFIG" --libs zlib))" "PKG_CONFIG --libs zlib"
  export SCRATCHPACK_TARGET=aarch64-glibc
  if "$PKG_CONFIG" --exists zlib; then fail "zlib found for aarch64 through PKG_CONFIG"; fi
) || exit 1
echo ok
