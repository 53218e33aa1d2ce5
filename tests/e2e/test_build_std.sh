# Language standards per language: --std picks C or C++ sources by the standard's language,
# --c-std and --cxx-std set one each, a manifest's std/c_std/cxx_std do the same, and a
# standard clang does not know is one clear usage error before anything is compiled.
source "$(dirname "$0")/lib.sh"

cat > mix.cpp <<'C'
#include <concepts>
#include <cstdio>
extern "C" int scaled(int x);
template <std::integral T> consteval T twice(T x) { return 2 * x; } // C++20
int main() {
  std::printf("%d %d %ld\n", twice(21), scaled(2), __cplusplus);
  return 0;
}
C
cat > util.c <<'C'
#include <stdlib.h>
int scaled(int x) {
  int *new = malloc(sizeof *new); /* C: 'new' is a name and void* converts implicitly */
  *new = x * 50;
  int r = *new;
  free(new);
  return r + (int)(__STDC_VERSION__ - __STDC_VERSION__);
}
C

step "--std c++20 applies to the C++ source only; the C source keeps C"
capture "$SCRATCHPACK" build mix.cpp util.c --std c++20 --format none
assert_eq 0 "$RC" "exit code ($ERR)"
assert_eq "42 100 202002" "$(out/mix)" "the mixed program's output"

step "--c-std and --cxx-std, one language each (and --std with the other)"
cat > ver.c <<'C'
long c_version(void) { return __STDC_VERSION__; }
C
cat > ver.cpp <<'C'
#include <cstdio>
extern "C" long c_version(void);
int main() { std::printf("%ld %ld\n", c_version(), __cplusplus); }
C
capture "$SCRATCHPACK" build ver.cpp ver.c --c-std c11 --cxx-std c++17 --format none
assert_eq 0 "$RC" "exit code ($ERR)"
assert_eq "201112 201703" "$(out/ver)" "--c-std c11 --cxx-std c++17"
capture "$SCRATCHPACK" build ver.cpp ver.c --std gnu17 --cxx-std c++14 --format none
assert_eq 0 "$RC" "exit code ($ERR)"
assert_eq "201710 201402" "$(out/ver)" "--std gnu17 --cxx-std c++14"

step "an unknown standard: one error naming the flag, exit 2, nothing compiled"
capture "$SCRATCHPACK" build mix.cpp util.c --std c++21 --format none --out bad
assert_eq 2 "$RC" "exit code of --std c++21"
assert_eq "error: --std c++21: unknown language standard
hint: C++ standards are c++98, c++11, c++14, c++17, c++20, c++23, c++26 (gnu++NN for GNU extensions)" "$ERR" "--std c++21 message"
assert_missing bad

step "a standard of the wrong language, or one language set twice"
capture "$SCRATCHPACK" build mix.cpp util.c --c-std c++20 --cxx-std c17 --format none --out bad
assert_eq 2 "$RC" "exit code"
assert_eq "error: --c-std c++20: a C++ standard, for C++ sources
hint: give it with --cxx-std or --std
error: --cxx-std c17: a C standard, for C sources
hint: give it with --c-std or --std" "$ERR" "wrong-language messages"
capture "$SCRATCHPACK" build mix.cpp util.c --std c++20 --cxx-std c++17 --format none --out bad
assert_eq 2 "$RC" "exit code"
assert_eq "error: --cxx-std c++17: the C++ standard is already set by --std c++20
hint: give one" "$ERR" "set-twice message"
assert_missing bad

step "a manifest's std: c++20 with a .c source, and c_std"
cat > scratchpack.yaml <<'Y'
version: 1
project: mix
binaries:
  - name: mix
    sources: [mix.cpp, util.c]
    std: c++20
  - name: ver
    sources: [ver.cpp, ver.c]
    c_std: c11
    cxx_std: c++17
Y
capture "$SCRATCHPACK" release --out dist
assert_eq 0 "$RC" "exit code of the release ($ERR)"
assert_eq "42 100 202002" "$(dist/x86_64-glibc/mix)" "mix from the manifest"
assert_eq "201112 201703" "$(dist/x86_64-glibc/ver)" "ver from the manifest"
echo "ok"
