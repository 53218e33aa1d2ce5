#!/usr/bin/env bash
# Bounded memory on large inputs (issue 18): peak RSS (GNU time's %M) and wall time of
#   - `scratchpack scan DIR` over a tree of 100,000 files (1,000 directories of 100 files: small
#     text files, and one small static ELF in every directory, which the scanner reads whole);
#   - `scratchpack package --add TREE:/data` of a ~2 GiB tree (four 480 MiB random files and 4,000
#     files of ~32 KiB), uncompressed and gzip (level 1, the default), with a private layer cache.
# Needs ~7 GiB free under $TMPDIR (checked first); everything is removed on exit.
# FILES=100000 and TREE_MIB=2048 change the sizes.
default_runs=1
source "$(dirname "$0")/lib.sh"
files=${FILES:-100000}
tree_mib=${TREE_MIB:-2048}
free_kib=$(df -Pk "$work" | awk 'NR==2 {print $4}')
need_kib=$(((tree_mib * 3 + 1024) * 1024))
if [ "$free_kib" -lt "$need_kib" ]; then
  echo "bench/memory_large.sh: needs $((need_kib >> 20)) GiB free under $work, has $((free_kib >> 20))" >&2
  exit 2
fi
export SCRATCHPACK_CACHE=$work/cache

# run NAME CMD...: "NAME wall_s rss_mib" (the command's exit status is not the point: scan exits 1
# when it finds something).
run() {
  local name=$1
  shift
  sync
  /usr/bin/time -o "$work/time.txt" -f '%e %M' "$@" >/dev/null 2>"$work/err.txt" || true
  read -r w r < <(tail -1 "$work/time.txt")
  printf '%-52s %8.2f s %8.1f MiB\n' "$name" "$w" "$(echo "$r / 1024" | bc -l)"
}

echo "building a tree of $files files..." >&2
printf 'int main(void){return 0;}\n' >tiny.c
"$sp" build tiny.c --format none --out tiny -q
python3 - many "$files" tiny/tiny <<'PY'
import os, shutil, sys
root, n, elf = sys.argv[1], int(sys.argv[2]), sys.argv[3]
per = 100
for d in range((n + per - 1) // per):
    os.makedirs(f"{root}/d{d:04}", exist_ok=True)
    for f in range(min(per, n - d * per)):
        path = f"{root}/d{d:04}/f{f:03}"
        if f == 0:
            shutil.copyfile(elf, path + ".bin")
        else:
            with open(path + ".txt", "w") as out:
                out.write(f"file {d}/{f}\n" * 4)
PY
echo "tree: $(find many -type f | wc -l) files, $(du -sm many | cut -f1) MiB" >&2
run "scan: $files files" "$sp" scan --quiet many
rm -rf many

echo "building a ${tree_mib} MiB tree..." >&2
mkdir -p big/random big/small
chunk=$(((tree_mib - 128) / 4))
for i in 1 2 3 4; do head -c $((chunk << 20)) /dev/urandom >big/random/blob$i.bin; done
python3 - big/small <<'PY'
import os, random, sys
rng = random.Random(7)
for d in range(40):
    os.makedirs(f"{sys.argv[1]}/d{d:02}", exist_ok=True)
    for f in range(100):
        with open(f"{sys.argv[1]}/d{d:02}/f{f:03}", "wb") as out:
            out.write(rng.randbytes(32 * 1024))
PY
echo "tree: $(du -sm big | cut -f1) MiB in $(find big -type f | wc -l) files" >&2
run "package ${tree_mib} MiB, --compression none (cold cache)" \
  "$sp" package --add big:/data --no-scan --image big --compression none --out o-none
rm -rf o-none "$SCRATCHPACK_CACHE"
run "package ${tree_mib} MiB, gzip (cold cache)" "$sp" package --add big:/data --no-scan --image big --out o-gzip
rm -rf o-gzip
run "package ${tree_mib} MiB, gzip (layer cached)" "$sp" package --add big:/data --no-scan --image big --out o-gzip
rm -rf o-gzip big "$SCRATCHPACK_CACHE"
