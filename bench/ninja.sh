#!/usr/bin/env bash
# The ninja figure (issue 18): ninja's 28 translation units (Debian's ninja-build source package,
# fetched at run time; a synthetic stand-in with the same skew when it cannot be fetched), built
#   serially by one `clang++-19 -static -O2 -fuse-ld=lld` of every unit, against
#   `scratchpack build -j2 --format none`, cold (--no-cache: no objects, no recorded times;
#   longest first by source size), and
#   `scratchpack build -j2` with every source edited (every object misses, the compile times
#   recorded by the previous build order the compiles),
# in one hyperfine run, and prints the ratios (goal: cold <= 0.55 on 2 cores).
default_runs=3
source "$(dirname "$0")/lib.sh"

# ninja's own units (configure.py, Linux, without the browse tool), in the order a glob lists them.
units=(build build_log clean clparser debug_flags depfile_parser deps_log disk_interface dyndep
  dyndep_parser edit_distance eval_env graph graphviz json lexer line_printer manifest_parser
  metrics missing_deps ninja parser state status string_piece_util subprocess-posix util version)
defines=(-DUSE_PPOLL -DNINJA_PYTHON=\"python3\")
if src=$(debian_source ninja-build 2>/dev/null) && [ -f "$src/src/ninja.cc" ]; then
  what="ninja $(sed -n 's/.*kNinjaVersion = "\(.*\)".*/\1/p' "$src/src/version.cc") (Debian source)"
  files=()
  for u in "${units[@]}"; do files+=("$src/src/$u.cc"); done
else
  # A stand-in with ninja's skew: a few large units (many templates instantiated) and many small.
  what="synthetic stand-in (ninja-build's source could not be fetched)"
  src=$work/synthetic
  mkdir -p "$src"
  files=()
  for i in "${!units[@]}"; do
    n=$((i % 9 == 0 ? 120 : i % 4 == 0 ? 30 : 8))
    {
      echo '#include <map>'
      echo '#include <string>'
      echo '#include <vector>'
      echo '#include <algorithm>'
      for k in $(seq "$n"); do
        echo "std::map<std::string, std::vector<int>> f${i}_$k(const std::vector<std::string>& in) {"
        echo "  std::map<std::string, std::vector<int>> m;"
        echo "  for (const auto& s : in) { m[s].push_back((int)s.size() * $k); std::sort(m[s].begin(), m[s].end()); }"
        echo "  return m;"
        echo "}"
      done
      [ "${units[$i]}" = ninja ] && echo 'int main() { return (int)f0_1({"a"}).size() - 1; }'
    } >"$src/${units[$i]}.cc"
    files+=("$src/${units[$i]}.cc")
  done
  defines=()
fi
echo "sources: $what, ${#files[@]} units, $(cat "${files[@]}" | wc -c) bytes"
echo "cores: $(nproc)"

private_caches
q() { printf '%q ' "$@"; }
clangxx="clang++-19 -static -O2 -fuse-ld=lld $(q "${defines[@]}") $(q "${files[@]}") -o ninja-clang"
spb="$sp build $(q "${files[@]}") $(q "${defines[@]}") -o ninja -j2 --format none --out o"
# Every source edited (a comment appended): all objects miss, their recorded times stay.
touch_all="for f in $(q "${files[@]}"); do echo '// edited' >>\"\$f\"; done"
[ -w "${files[0]}" ] || fail "the sources must be writable"
# One build with the cache first, so that the compile times are recorded.
eval "$spb" >/dev/null 2>&1

hyperfine --style basic --runs "$runs" --export-json times.json \
  -n clang++-serial "$clangxx" \
  -n sp-cold "$spb --no-cache 2>/dev/null" \
  --prepare "$touch_all" -n sp-recorded "$spb 2>/dev/null" >/dev/null

python3 - times.json <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:16s} {v['mean']:7.2f} s ± {v['stddev']:.2f} (min {v['min']:.2f} s)")
# On a shared machine the fastest run is the one least disturbed by others: both are shown.
for stat in ("mean", "min"):
    c = r["clang++-serial"][stat]
    print(f"{stat:4s}: scratchpack build -j2, cold (longest first by size)   / serial clang++ -static: {r['sp-cold'][stat]/c:.3f}  (goal <= 0.55)")
    print(f"{stat:4s}: scratchpack build -j2, sources edited (recorded times) / serial clang++ -static: {r['sp-recorded'][stat]/c:.3f}")
PY
