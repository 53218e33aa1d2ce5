#!/usr/bin/env bash
# How `scratchpack release` grows with the project (issue 18): synthetic projects of N
# translation units and M = N/10 binaries (bench/scale_gen.py: mostly C with a few standard
# headers each plus the shared include/project.h, every fifth binary with one C++ module; three
# targets x86_64-glibc, aarch64-glibc, armv7-musl; one image per ten binaries), each measured in
# one run:
#   cold    release with empty build and layer caches
#   no-op   release again, nothing changed (best and median of SCALE_NOOP_RUNS)
#   header  release after a real change to include/project.h (every unit recompiles)
#   leaf    release after a real change to one module of binary b0 (median of SCALE_EDIT_RUNS)
#   ref     the reference the leaf release is held to: `scratchpack build` of b0 alone for the
#           same three targets with its image, the same caches, after the same kind of edit (its
#           one compile per target, link per target, and the image): median of SCALE_EDIT_RUNS
#   RSS     peak resident set of scratchpack (GNU time's %M) over every run of that N
# Then the log-log slope of each time column against N and the goals' verdicts.
#
# SCALE_NS="100 500 2000" (units; M = N/10), SCALE_NOOP_RUNS=5, SCALE_EDIT_RUNS=3, SCALE_JOBS
# (-j, default the cores). SCALE_KEEP=1 leaves the projects in $work (printed). SCALE_RESULTS=DIR
# keeps the raw figures (one file per N) in DIR; figures of other N already there join the table
# and the slopes (a long run split in two).
default_runs=1
source "$(dirname "$0")/lib.sh"
ns=${SCALE_NS:-100 500 2000}
noop_runs=${SCALE_NOOP_RUNS:-5}
edit_runs=${SCALE_EDIT_RUNS:-3}
jobs=(${SCALE_JOBS:+-j "$SCALE_JOBS"})

private_caches

# measure NAME CMD...: appends "NAME us rss_kib tree_rss_kib" to $results/N: the wall time
# (fork to wait4), scratchpack's own peak RSS (VmHWM of its process, sampled from /proc every
# 10 ms by a thread until it exits, so that clang's and lld's children do not count; a run too
# short to be sampled has no children, and then wait4's figure is its own) and wait4's ru_maxrss
# (the largest process of the tree: clang's compiles included). Output goes to $work/last.log.
measure() {
  local name=$1
  shift
  if ! python3 - "$work/m" "$@" >"$work/last.log" 2>&1 <<'PY'; then
import os, sys, threading, time
out, cmd = sys.argv[1], sys.argv[2:]
hwm = 0
done = threading.Event()
def sample(pid):
    global hwm
    while not done.is_set():
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        done.wait(0.01)
t0 = time.perf_counter()
pid = os.posix_spawnp(cmd[0], cmd, os.environ)
sampler = threading.Thread(target=sample, args=(pid,))
sampler.start()
_, status, usage = os.wait4(pid, 0)
t1 = time.perf_counter()
done.set()
sampler.join()
open(out, "w").write(f"{int((t1 - t0) * 1e6)} {hwm or usage.ru_maxrss} {usage.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))
PY
    cat "$work/last.log" >&2
    echo "error: $name failed: $*" >&2
    exit 1
  fi
  echo "$name $(cat "$work/m")" >>"$results/$n"
}

# edit FILE: a real change (a different constant) so that the object and the binary change.
edit_count=0
edit() {
  edit_count=$((edit_count + 1))
  python3 - "$1" "$edit_count" <<'PY'
import re, sys
path, k = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r"(#define PROJECT_SALT )\d+u", lambda m: m.group(1) + str(100 + int(k)) + "u", text)
text = re.sub(r"(uint32_t h = )\d+u;", lambda m: m.group(1) + str(1000 + int(k)) + "u;", text, count=1)
open(path, "w").write(text)
PY
}

results=${SCALE_RESULTS:-$work/results}
mkdir -p "$results"
results=$(cd "$results" && pwd)
echo "scale bench: N = $ns; $(nproc) cores; $(uptime | sed 's/.*load/load/')" >&2
for n in $ns; do
  m=$((n / 10))
  dir=$work/p$n
  python3 "$root/bench/scale_gen.py" "$dir" "$n" "$m"
  : >"$results/$n"
  rm -rf "$work/cache/build" "$work/cache/layers"
  cd "$dir"
  echo "N=$n: cold release ($((n * 3)) compiles, $((m * 3)) links)..." >&2
  measure cold "$sp" release -q "${jobs[@]}"
  echo "N=$n: no-op x$noop_runs..." >&2
  for _ in $(seq "$noop_runs"); do
    measure noop "$sp" release -q "${jobs[@]}"
  done
  edit include/project.h
  echo "N=$n: shared header changed..." >&2
  measure header "$sp" release -q "${jobs[@]}"
  measure noop-after "$sp" release -q "${jobs[@]}"
  mapfile -t b0 < <(ls src/b0/*.c)
  # The reference's own cache entries first (build's compile lines are not release's).
  "$sp" build -q "${b0[@]}" --target x86_64,aarch64,armv7-musl --c-std c17 -I include -o b0 \
    --out "$work/ref-out" "${jobs[@]}" >/dev/null 2>&1
  for _ in $(seq "$edit_runs"); do
    edit src/b0/m1.c
    measure ref "$sp" build -q "${b0[@]}" --target x86_64,aarch64,armv7-musl --c-std c17 \
      -I include -o b0 --out "$work/ref-out" "${jobs[@]}"
    edit src/b0/m1.c
    measure leaf "$sp" release -q "${jobs[@]}"
  done
  # The outputs are right: the last release's sums hold and b0 runs.
  (cd dist && sha256sum -c --quiet SHA256SUMS)
  ./dist/x86_64-glibc/b0 >/dev/null
  cd "$work"
  [ -n "${SCALE_KEEP:-}" ] || rm -rf "$dir" "$work/ref-out"
done
[ -n "${SCALE_KEEP:-}" ] && echo "projects kept in $work (remove it yourself)" >&2 && trap - EXIT

python3 - "$results" <<'PY'
import math, os, statistics, sys
d = sys.argv[1]
ns = sorted(int(f) for f in os.listdir(d) if f.isdigit())
rows = {}
for n in ns:
    r = {}
    for line in open(f"{d}/{n}"):
        name, us, rss, tree = line.split()
        r.setdefault(name, []).append((int(us) / 1000.0, int(rss) / 1024.0, int(tree) / 1024.0))
    rows[n] = r
def med(r, k): return statistics.median(t for t, _, _ in r[k])
def best(r, k): return min(t for t, _, _ in r[k])
def rss(r, k): return max(m for _, m, _ in r[k])
def peak(r): return max(m for v in r.values() for _, m, _ in v)
def tree(r): return max(m for v in r.values() for _, _, m in v)
print("| N units | M binaries | cold | no-op (best / median) | header changed | leaf changed | reference (build b0) | leaf / ref | scratchpack peak RSS: cold / no-op / any run | largest child (clang, lld) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for n in ns:
    r = rows[n]
    print(f"| {n:,} | {n // 10} | {med(r, 'cold') / 1000:.2f} s | {best(r, 'noop'):.1f} / {med(r, 'noop'):.1f} ms "
          f"| {med(r, 'header') / 1000:.2f} s | {med(r, 'leaf'):.0f} ms | {med(r, 'ref'):.0f} ms "
          f"| {med(r, 'leaf') / med(r, 'ref'):.2f} | {rss(r, 'cold'):.0f} / {rss(r, 'noop'):.0f} / {peak(r):.0f} MiB | {tree(r):.0f} MiB |")
def slope(k, f=med):
    if len(ns) < 2:
        return float("nan")
    xs = [math.log(n) for n in ns]
    ys = [math.log(f(rows[n], k)) for n in ns]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
print()
print("log-log slope against N: " + ", ".join(
    f"{k} {slope(k):.2f}" for k in ("cold", "noop", "header", "leaf", "ref")))
print()
def verdict(ok): return "met" if ok else "NOT met"
for n in ns:
    r = rows[n]
    goal = 10 + 0.05 * n
    print(f"N={n}: no-op median {med(r, 'noop'):.1f} ms vs goal {goal:.0f} ms: {verdict(med(r, 'noop') <= goal)}; "
          f"leaf/ref {med(r, 'leaf') / med(r, 'ref'):.2f} vs 1.2: {verdict(med(r, 'leaf') <= 1.2 * med(r, 'ref'))}; "
          f"scratchpack's peak RSS {peak(r):.0f} MiB vs 200: {verdict(peak(r) <= 200)}")
if len(ns) >= 2:
    s = slope("cold")
    print(f"cold slope {s:.2f} vs ~1: {verdict(s <= 1.15)}")
PY
