#!/usr/bin/env bash
# `sysroot add aarch64 libssl-dev zlib1g-dev libsqlite3-dev`, cold (a new sysroots directory:
# package lists, resolve, download, unpack) and warm (everything there: a no-op), with the bytes
# downloaded. Peer in the same run: `apt-get download` of the same three .debs alone (what any
# tool must at least fetch). Goals: warm <= 50 ms; cold bounded by the download.
default_runs=3
source "$(dirname "$0")/lib.sh"
packages=(libssl-dev zlib1g-dev libsqlite3-dev)
cold=() warm=()
for n in $(seq "$runs"); do
  export SCRATCHPACK_SYSROOTS=$work/sysroots-$n
  /usr/bin/time -f %e -o time.txt "$sp" sysroot add aarch64 "${packages[@]}" -q >/dev/null
  cold+=("$(tail -1 time.txt)")
done
bytes=$(du -cb "$SCRATCHPACK_SYSROOTS"/overlays/aarch64-glibc.debs/*.deb | tail -1 | cut -f1)
lists=$(du -sb "$SCRATCHPACK_SYSROOTS"/apt-lists-arm64 | cut -f1)
warm_ms=$(hyperfine -N -w 3 -r 30 --export-json warm.json \
  "$sp sysroot add aarch64 ${packages[*]} -q" >/dev/null &&
  python3 -c "import json; print(round(json.load(open('warm.json'))['results'][0]['mean']*1000, 1))")
# The peer: the three packages' own download with the lists already there.
mkdir -p peer && cd peer
apt=(apt-get -qq -oAPT::Architecture=arm64 -oAPT::Architectures=arm64
     "-oDir::State::Lists=$SCRATCHPACK_SYSROOTS/apt-lists-arm64" -oDir::State::status=/dev/null
     -oDir::Cache::pkgcache= -oDir::Cache::srcpkgcache= -oAPT::Sandbox::User=root)
/usr/bin/time -f %e -o ../peer.txt "${apt[@]}" download "${packages[@]/%/:arm64}"
cd ..
python3 - "$bytes" "$lists" "$warm_ms" "$(tail -1 peer.txt)" "${cold[@]}" <<'PY'
import sys
debs, lists, warm, peer = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
cold = [float(x) for x in sys.argv[5:]]
print(f"sysroot add aarch64 libssl-dev zlib1g-dev libsqlite3-dev")
print(f"cold (lists + resolve + download + unpack): best {min(cold):.2f} s of {', '.join(f'{c:.2f}' for c in cold)}")
print(f"  downloaded: {debs/1e6:.2f} MB of packages, {lists/1e6:.1f} MB of arm64 package lists")
print(f"  peer: apt-get download of the same packages alone: {peer:.2f} s")
print(f"warm (every package there): {warm:.1f} ms  (goal <= 50 ms)")
PY
