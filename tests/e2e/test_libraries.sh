# Target libraries from Debian's -dev packages: `sysroot add` provisions zlib, OpenSSL's libcrypto
# and SQLite for x86_64, aarch64 and armv7 glibc into a private sysroots directory; a C++ program
# built with --pkg for each runs (qemu for the foreign ones) and prints the right results, and its
# arm64 image runs in podman. A second add downloads nothing; two concurrent adds leave one
# consistent overlay; musl targets and unknown modules get their exact errors.
source "$(dirname "$0")/lib.sh"
export SCRATCHPACK_SYSROOTS=$WORK/sysroots # private: other tests see no overlay
PROGRAM=$SP_SOURCE_DIR/tests/e2e/programs/libraries.cpp
PACKAGES=(zlib1g-dev libssl-dev libsqlite3-dev)

step "sysroot add for aarch64 records each package and its version"
capture "$SCRATCHPACK" sysroot add aarch64 "${PACKAGES[@]}"
assert_eq 0 "$RC" "sysroot add aarch64 ($ERR)"
for p in "${PACKAGES[@]}"; do
  assert_contains "$OUT" "* $p " "$p in the overlay"
done
record=$SCRATCHPACK_SYSROOTS/overlays/aarch64-glibc/scratchpack-overlay.txt
grep -q '^libssl-dev 3\.[0-9.]*-[^ ]* arm64 requested$' "$record" || fail "libssl-dev's version: $(cat "$record")"
capture "$SCRATCHPACK" sysroot list -v
assert_contains "$OUT" "target libraries (sysroot add): $SCRATCHPACK_SYSROOTS/overlays/aarch64-glibc" "list -v"
assert_contains "$OUT" "* zlib1g-dev 1:1.2" "list -v names the version"

step "a second add of the same packages downloads nothing"
debs=$SCRATCHPACK_SYSROOTS/overlays/aarch64-glibc.debs
before=$(ls -l --time-style=+%s.%N "$debs" | md5sum)
capture "$SCRATCHPACK" sysroot add aarch64 "${PACKAGES[@]}"
assert_eq 0 "$RC" "second add ($ERR)"
assert_eq "" "$ERR" "no progress (nothing to update, resolve or download)"
assert_eq "$before" "$(ls -l --time-style=+%s.%N "$debs" | md5sum)" "the downloaded files"

step "a .deb changed on the disk is not trusted: it is fetched again"
zdeb=$(ls "$debs"/zlib1g-dev_*.deb)
echo "not a package" >"$zdeb"
capture "$SCRATCHPACK" sysroot add aarch64 libzstd-dev
assert_eq 0 "$RC" "add after tampering ($ERR)"
assert_contains "$ERR" "downloading 2 packages (arm64)" "libzstd-dev and the tampered zlib1g-dev fetched"
[ "$(head -c 8 "$zdeb")" = '!<arch>' ] || fail "zlib1g-dev's .deb was not replaced"
grep -q '^zlib1g-dev .* requested$' "$record" || fail "zlib1g-dev left the overlay"

step "two concurrent adds of armv7 both succeed and leave one overlay"
"$SCRATCHPACK" sysroot add armv7 "${PACKAGES[@]}" -q >add1.out 2>add1.err & p1=$!
"$SCRATCHPACK" sysroot add armv7 "${PACKAGES[@]}" -q >add2.out 2>add2.err & p2=$!
wait $p1 || fail "first concurrent add: $(cat add1.err)"
wait $p2 || fail "second concurrent add: $(cat add2.err)"
assert_eq "$(cat add1.out)" "$(cat add2.out)" "both report the same overlay"
assert_eq 3 "$(grep -c ' requested$' "$SCRATCHPACK_SYSROOTS/overlays/armv7-glibc/scratchpack-overlay.txt")" \
  "requested packages in the armv7 record"
leftovers=$(find "$SCRATCHPACK_SYSROOTS/overlays" -maxdepth 1 -name '.*' | wc -l)
assert_eq 0 "$leftovers" "temporary trees left in overlays/"

step "sysroot remove drops a package the user named"
"$SCRATCHPACK" sysroot add armv7 libzstd-dev -q >/dev/null
grep -q '^libzstd-dev .* armhf requested$' "$SCRATCHPACK_SYSROOTS/overlays/armv7-glibc/scratchpack-overlay.txt" ||
  fail "libzstd-dev not added"
capture "$SCRATCHPACK" sysroot remove armv7 libzstd-dev -q
assert_eq 0 "$RC" "sysroot remove ($ERR)"
if grep -q '^libzstd-dev ' "$SCRATCHPACK_SYSROOTS/overlays/armv7-glibc/scratchpack-overlay.txt"; then
  fail "libzstd-dev still in the armv7 overlay"
fi
[ ! -e "$SCRATCHPACK_SYSROOTS/overlays/armv7-glibc/usr/include/zstd.h" ] || fail "zstd.h left behind"
assert_eq 3 "$(grep -c ' requested$' "$SCRATCHPACK_SYSROOTS/overlays/armv7-glibc/scratchpack-overlay.txt")" \
  "the other packages stay"
capture "$SCRATCHPACK" sysroot remove armv7 libzstd-dev
assert_eq 2 "$RC" "removing a package that is not there"
assert_eq "error: libzstd-dev: was not added to armv7-glibc
hint: see 'scratchpack sysroot list -v'" "$ERR" "remove of a package not added"

"$SCRATCHPACK" sysroot add x86_64 "${PACKAGES[@]}" -q >/dev/null

for target in x86_64 aarch64 armv7; do
  step "$target: --pkg zlib --pkg libcrypto --pkg sqlite3"
  capture "$SCRATCHPACK" build "$PROGRAM" --target "$target" --pkg zlib --pkg libcrypto --pkg sqlite3 \
    --out "out-$target"
  assert_eq 0 "$RC" "$target build ($ERR)"
  file "out-$target/libraries" | grep -q "statically linked" || fail "$target: $(file "out-$target/libraries")"
  # The gate names the archive member that pulled each glibc trap in (lld's --why-extract).
  assert_contains "$ERR" "warning[glibc.nss] getaddrinfo (from libcrypto.a(libcrypto-lib-bio_addr.o), which calls getaddrinfo): " \
    "$target: getaddrinfo traced to libcrypto"
  assert_contains "$ERR" "warning[glibc.dlopen] dlopen (from libcrypto.a(libcrypto-lib-dso_dlfcn.o), which calls dlopen): " \
    "$target: dlopen traced to libcrypto"
  case $target in
    x86_64) run=() ;; aarch64) run=(qemu-aarch64-static) ;; armv7) run=(qemu-arm-static) ;;
  esac
  out=$(printf 'scratch' | "${run[@]}" "out-$target/libraries")
  assert_contains "$out" "$(printf 'scratch' | sha256sum)" "$target: SHA-256 of stdin"
  assert_contains "$out" "zlib: 1000 -> " "$target: zlib"
  assert_contains "$out" "round trip ok" "$target: zlib round trip"
  assert_contains "$out" "sqlite 3.40.1: scratch" "$target: sqlite"
  # The SBOM names the overlay's packages at the versions `sysroot add` recorded, for this
  # target's architecture, with the members lld took.
  arch=$(case $target in x86_64) echo amd64 ;; aarch64) echo arm64 ;; armv7) echo armhf ;; esac)
  version=$(awk '$1 == "zlib1g-dev" {print $2}' "$SCRATCHPACK_SYSROOTS/overlays/$target-glibc/scratchpack-overlay.txt")
  python3 - "out-$target/libraries.spdx.json" "$arch" "$version" <<'PY' || fail "$target: SBOM"
import json, sys
doc, arch, version = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
zlib = next(p for p in doc["packages"] if p["name"] == "zlib1g-dev")
assert zlib["versionInfo"] == version, (zlib["versionInfo"], version)
assert zlib["externalRefs"][0]["referenceLocator"].endswith("?arch=" + arch), zlib
files = {f["SPDXID"]: f["fileName"] for f in doc["files"]}
members = [files[r["relatedSpdxElement"]] for r in doc["relationships"]
           if r["spdxElementId"] == zlib["SPDXID"] and r["relationshipType"] == "CONTAINS"]
assert any("/libz.a(" in m for m in members), members
PY
done

step "the arm64 image runs in podman"
podman_setup
binfmt_setup
capture podman run --rm --network=none --arch arm64 -i oci-archive:out-aarch64/libraries.tar <<<"podman"
assert_eq 0 "$RC" "arm64 container ($ERR)"
assert_contains "$OUT" "$(printf 'podman\n' | sha256sum)" "arm64 container: SHA-256"
assert_contains "$OUT" "sqlite 3.40.1: scratch" "arm64 container: sqlite"

step "a release whose manifest names packages: and pkg-config: for three targets"
mkdir rel && cp "$PROGRAM" rel/libraries.cpp
cat >rel/scratchpack.yaml <<'YAML'
version: 1
project: libraries
targets: [x86_64, aarch64, armv7]
binaries:
  - name: libraries
    sources: [libraries.cpp]
    packages:
      all: [zlib1g-dev, libssl-dev, libsqlite3-dev]
      x86_64: [liblz4-dev]
    pkg-config: [zlib, libcrypto, sqlite3]
images:
  - name: libraries
    tags: ["1"]
    binaries: [libraries]
YAML
capture "$SCRATCHPACK" release -f rel/scratchpack.yaml
assert_eq 0 "$RC" "release ($ERR)"
grep -q '^liblz4-dev .* amd64 requested$' "$SCRATCHPACK_SYSROOTS/overlays/x86_64-glibc/scratchpack-overlay.txt" ||
  fail "the x86_64-only package was not added"
if grep -q '^liblz4-dev' "$SCRATCHPACK_SYSROOTS/overlays/aarch64-glibc/scratchpack-overlay.txt"; then
  fail "the x86_64-only package was added to aarch64"
fi
for t in x86_64:"" aarch64:qemu-aarch64-static armv7:qemu-arm-static; do
  target=${t%%:*} emu=${t#*:}
  out=$(printf 'release' | ${emu:+$emu} "rel/dist/$target-glibc/libraries")
  assert_contains "$out" "$(printf 'release' | sha256sum)" "released $target: SHA-256"
  assert_contains "$out" "sqlite 3.40.1: scratch" "released $target: sqlite"
done

step "CMake: find_package(ZLIB), find_package(OpenSSL), pkg_check_modules(sqlite3) for aarch64"
mkdir cm && cp "$PROGRAM" cm/libraries.cpp
cat >cm/CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(libraries CXX)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
add_executable(libraries libraries.cpp)
target_link_libraries(libraries ZLIB::ZLIB OpenSSL::Crypto PkgConfig::SQLITE3)
CMAKE
"$SCRATCHPACK" toolchain-file cmake --target aarch64 -o arm64.cmake
capture cmake -G Ninja -S cm -B cm/build -DCMAKE_TOOLCHAIN_FILE="$WORK/arm64.cmake"
assert_eq 0 "$RC" "cmake configure ($ERR)"
assert_contains "$OUT" "Found ZLIB: $SCRATCHPACK_SYSROOTS/overlays/aarch64-glibc/usr/lib/aarch64-linux-gnu/libz.a" "FindZLIB"
assert_contains "$OUT" "Found OpenSSL: $SCRATCHPACK_SYSROOTS/overlays/aarch64-glibc/usr/lib/aarch64-linux-gnu/libcrypto.a" "FindOpenSSL"
assert_contains "$OUT" "Found sqlite3, version 3.40.1" "pkg_check_modules"
capture cmake --build cm/build
assert_eq 0 "$RC" "cmake build ($ERR)"
out=$(printf 'cmake' | qemu-aarch64-static cm/build/libraries)
assert_contains "$out" "$(printf 'cmake' | sha256sum)" "CMake-built aarch64: SHA-256"
assert_contains "$out" "sqlite 3.40.1: scratch" "CMake-built aarch64: sqlite"

step "a library Debian ships no archive of: the error names it, its package and the way out"
"$SCRATCHPACK" sysroot add x86_64 libkrb5-dev -q >/dev/null
cat >gss.c <<'C'
#include <gssapi/gssapi.h>
int main(void) {
  OM_uint32 minor;
  gss_buffer_desc b = GSS_C_EMPTY_BUFFER;
  return (int)gss_release_buffer(&minor, &b);
}
C
capture "$SCRATCHPACK" build gss.c --target x86_64 --pkg krb5-gssapi --out out-gss
assert_eq 1 "$RC" "a link without libgssapi_krb5.a"
version=$(awk '$1 == "libkrb5-dev" {print $2}' "$SCRATCHPACK_SYSROOTS/overlays/x86_64-glibc/scratchpack-overlay.txt")
assert_contains "$ERR" "error: link failed: gss: libgssapi_krb5.a is missing: Debian's libkrb5-dev $version ships libgssapi_krb5.so only, and a static link needs the archive
hint: build gssapi_krb5 from source with scratchpack cc (docs/build-systems.md), or turn off the feature that needs it (docs/libraries.md)" "missing archive"
assert_missing out-gss/gss

step "errors: a musl target, a module no package provided"
capture "$SCRATCHPACK" sysroot add aarch64-musl zlib1g-dev
assert_eq 1 "$RC" "sysroot add for musl"
assert_eq "error: cannot add packages for aarch64-musl: Debian builds its -dev packages against glibc; their archives do not link with musl
hint: build the library from source with scratchpack cc (docs/build-systems.md), or use aarch64-glibc" "$ERR" "musl refusal"
capture "$SCRATCHPACK" build "$PROGRAM" --target aarch64 --pkg nosuch --out out-err
assert_eq 1 "$RC" "--pkg nosuch"
assert_eq "error: --pkg nosuch: no nosuch.pc among aarch64-glibc's libraries
hint: add the Debian -dev package that has it: scratchpack sysroot add aarch64-glibc PACKAGE (docs/libraries.md)" "$ERR" "--pkg nosuch"
assert_missing out-err/libraries
echo ok
