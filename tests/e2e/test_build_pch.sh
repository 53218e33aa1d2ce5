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
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none -o a >/dev/null
  assert_eq 0 "$(pch_count)" "precompiled preambles after one build"
  echo "// edit 1" >>hello.cpp
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none -o b >/dev/null
  assert_eq 1 "$(pch_count)" "precompiled preambles after two builds"
  echo "// edit 2" >>hello.cpp
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none -o c >/dev/null
  assert_eq 1 "$(pch_count)" "the preamble is reused, not built again"
  assert_eq "Hello from scratch!" "$(out/c)" "output with the preamble"
  "$SCRATCHPACK" build hello.cpp --libc $libc --format none --no-cache -o plain >/dev/null
  cmp out/c out/plain || fail "$libc: binary with the precompiled preamble differs from without"
  cmp out/a out/c || fail "$libc: comments changed the binary"
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
