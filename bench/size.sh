#!/usr/bin/env bash
# Sizes of examples/hello.c and examples/hello.cpp for every target × libc × profile: the static
# binary, the binary gzipped (-9, as zig's figure is given), and the image (manifest + config +
# layers). Next to them, zig's figures for a static C++ hello (there is no zig on these machines):
#   zig c++ hello.cpp, x86_64 musl + libc++ built on demand, static, stripped:
#   316 kB binary, 135 kB gzipped, and ~12 s for a warm build (measured for issue #8).
# Goals: the hello.cpp musl size-profile image <= 150 kB (stretch: <= 130 kB).
# Then, in one hyperfine run: a second build of hello.cpp with musl + the cached libc++ against the
# same build with glibc + libstdc++ (goal: ratio <= 1.0) — unchanged (the build cache answers),
# edited (the object is compiled again, with the cached precompiled <iostream>), and without the
# build cache at all — and zig's ratio to clang++ for scale.
source "$(dirname "$0")/lib.sh"
cp "$root/examples/hello.cpp" "$root/examples/hello.c" .

readonly k_zig_binary=316000 k_zig_gzip=135000 k_zig_warm_s=12 k_clangxx_warm_s=0.63



for t in x86_64-musl aarch64-musl armv7-musl; do
  "$sp" sysroot install "$t" >/dev/null
done

printf '%-10s %-14s %-8s %10s %10s %10s\n' source target profile binary gzip-9 image
for src in hello.c hello.cpp; do
  for libc in glibc musl; do
    for arch in x86_64 aarch64 armv7; do
      for profile in debug release size; do
        name=${src%.*}-${src##*.}-$arch-$libc-$profile
        # Always named hello (CMD ["/hello"]): the config, and so the image, grows with the name.
        "$sp" build "$src" --target "$arch-$libc" --profile "$profile" -o hello --out "out/$name" --no-cache \
          >/dev/null 2>&1
        bin=$(stat -c %s "out/$name/hello")
        gz=$(gzip -9 -n <"out/$name/hello" | wc -c)
        printf '%-10s %-14s %-8s %10d %10d %10d\n' "$src" "$arch-$libc" "$profile" "$bin" "$gz" \
          "$(image_bytes "out/$name/hello.tar")"
      done
    done
  done
done
printf '%-10s %-14s %-8s %10d %10d %10s   (zig c++, issue #8)\n' hello.cpp x86_64-musl zig \
  $k_zig_binary $k_zig_gzip -

cxx_image=$(image_bytes out/hello-cpp-x86_64-musl-size/hello.tar)
cxx_bin=$(stat -c %s out/hello-cpp-x86_64-musl-size/hello)
printf 'hello.cpp x86_64-musl size: binary %d B (%.2f x zig), image %d B (goal <= 150000, stretch <= 130000)\n' \
  "$cxx_bin" "$(awk -v a="$cxx_bin" -v b=$k_zig_binary 'BEGIN { print a / b }')" "$cxx_image"

# A second build: with the build cache (what a rebuild is) and without it (compiler and linker).
cached=(-n musl "$sp build hello.cpp --libc musl -o hm --format none 2>/dev/null"
        -n glibc "$sp build hello.cpp --libc glibc -o hg --format none 2>/dev/null")
uncached=(-n musl-no-cache "$sp build hello.cpp --libc musl -o hm --format none --no-cache 2>/dev/null"
          -n glibc-no-cache "$sp build hello.cpp --libc glibc -o hg --format none --no-cache 2>/dev/null")
# Edited: every run appends a comment, so the object misses the cache; libc++ and the precompiled
# preamble are warm (two builds make it: the first marks the preamble as wanted).
cp hello.cpp em.cpp
cp hello.cpp eg.cpp
for i in 1 2; do
  "$sp" build em.cpp --libc musl -o em --format none >/dev/null 2>&1
  "$sp" build eg.cpp --libc glibc -o eg --format none >/dev/null 2>&1
  date +%N | sed 's|^|// |' | tee -a em.cpp >>eg.cpp
done
edited=(-n musl-edited "$sp build em.cpp --libc musl -o em --format none 2>/dev/null"
        -n glibc-edited "$sp build eg.cpp --libc glibc -o eg --format none 2>/dev/null")
hyperfine --style basic --warmup 2 --runs "$runs" --export-json times.json \
  --prepare "date +%N | sed 's|^|// |' | tee -a em.cpp >>eg.cpp" "${cached[@]}" "${edited[@]}" \
  "${uncached[@]}" -n clang++ "clang++-19 -static -O2 -fuse-ld=lld hello.cpp -o hc" >/dev/null
python3 - times.json "$k_zig_warm_s" "$k_clangxx_warm_s" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:15s} {v['mean']*1000:8.1f} ms ± {v['stddev']*1000:.1f}")
print(f"second build, musl + libc++ / glibc + libstdc++: {r['musl']['mean']/r['glibc']['mean']:.3f}  (goal <= 1.0)")
print(f"  source edited (compiled again, precompiled std headers): "
      f"{r['musl-edited']['mean']/r['glibc-edited']['mean']:.3f}")
print(f"  musl edited / glibc without the build cache: "
      f"{r['musl-edited']['mean']/r['glibc-no-cache']['mean']:.3f}")
print(f"  without the build cache:                      "
      f"{r['musl-no-cache']['mean']/r['glibc-no-cache']['mean']:.3f}  (libc++ headers parse slower)")
print(f"musl + libc++ without the build cache / clang++ -static: "
      f"{r['musl-no-cache']['mean']/r['clang++']['mean']:.3f}"
      f"  (zig c++ / clang++ in issue #8: {float(sys.argv[2])/float(sys.argv[3]):.1f})")
PY
