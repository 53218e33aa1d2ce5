# Precompiled standard-library preambles: built the second time a preamble is met, used from
# then on, and the binary is byte-identical to one built without them (and without the cache).
# A source that starts with its own header, and the debug profile, get none.
source "$(dirname "$0")/lib.sh"
private_build_cache
need_sysroot x86_64-musl

pch_count() { "$SCRATCHPACK" cache stats | awk '/^precompiled std:/ {print $3}'; }

cp "$EXAMPLES/hello.cpp" .
for libc in musl glibc; do
  step "$libc: first build marks the preamble, second builds it, third uses it"
  "$SCRATCHPACK" cache clean >/dev/null
  # One name, three output directories: a binary's package note names it (docs/supply-chain.md).
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none --out a >/dev/null
  assert_eq 0 "$(pch_count)" "precompiled preambles after one build"
  echo "// edit 1" >>hello.cpp
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none --out b >/dev/null
  assert_eq 1 "$(pch_count)" "precompiled preambles after two builds"
  echo "// edit 2" >>hello.cpp
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none --out c >/dev/null
  assert_eq 1 "$(pch_count)" "the preamble is reused, not built again"
  assert_eq "Hello from scratch!" "$(c/hello)" "output with the preamble"
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none --no-cache --out plain >/dev/null
  cmp c/hello plain/hello || fail "$libc: binary with the precompiled preamble differs from without"
  # The code is the same; only the package note's SBOM digest differs (the SBOM names each
  # source's sha256, and the comments changed it).
  for x in a c; do "$SP_LLVM_BINDIR/llvm-objcopy" --remove-section=.note.package $x/hello $x/code; done
  cmp a/code c/code || fail "$libc: comments changed the binary's code"
  rm -rf a b c plain
done

step "a source that starts with its own header gets no preamble; nor does the debug profile"
"$SCRATCHPACK" cache clean >/dev/null
printf '#pragma once\n#define WHO "own"\n' >own.h
printf '#include "own.h"\n#include <cstdio>\nint main() { std::puts(WHO); }\n' >own.cpp
for i in 1 2 3; do
  echo "// $i" >>own.cpp
  "$SCRATCHPACK" build own.cpp --format none -o own >/dev/null
  "$SCRATCHPACK" build hello.cpp --profile debug --format none -o dbg >/dev/null
  echo "// $i" >>hello.cpp
done
assert_eq 0 "$(pch_count)" "precompiled preambles"
assert_eq own "$(out/own)" "own.cpp output"
echo "ok"
