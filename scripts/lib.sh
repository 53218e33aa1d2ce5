# Helpers shared by the e2e tests (tests/e2e/lib.sh) and the benchmarks (bench/lib.sh).

# podman_private DIR: podman (and buildah) with a private root under DIR and the settings these
# machines need (vfs storage; runc, as crun fails on the hybrid cgroup layout; cgroupfs; no default
# rlimits, as the sandbox lacks CAP_SYS_RESOURCE), through CONTAINERS_CONF and
# CONTAINERS_STORAGE_CONF so that every plain `podman` below uses it.
podman_private() {
  local d=$1
  mkdir -p "$d"
  cat >"$d/containers.conf" <<CONF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "none"
CONF
  cat >"$d/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$d/root"
runroot = "$d/runroot"
CONF
  export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf
}

# image_bytes ARCHIVE: the bytes a registry would hold for the archive's first image (manifest +
# config + layers).
image_bytes() {
  python3 - "$1" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
idx = json.loads(t.extractfile("index.json").read())
m = idx["manifests"][0]
man = json.loads(t.extractfile("blobs/" + m["digest"].replace(":", "/")).read())
print(m["size"] + man["config"]["size"] + sum(l["size"] for l in man["layers"]))
PY
}

# debian_source NAME: unpacks the upstream sources of Debian source package NAME into ./NAME and
# prints the directory. The tarballs come from the Debian mirror /etc/apt already uses, through a private
# deb-src list (no change to the system's apt), and are kept under
# ${XDG_CACHE_HOME:-~/.cache}/scratchpack-e2e/sources for the next run (one fetch at a time).
debian_source() { # NAME
  local name=$1 dir=${XDG_CACHE_HOME:-$HOME/.cache}/scratchpack-e2e/sources
  mkdir -p "$dir"
  (
    flock 9
    if ! compgen -G "$dir/${name}_*.orig.tar.*" >/dev/null; then
      local mirror
      mirror=$(grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list \
        /etc/apt/sources.list.d/ 2>/dev/null | head -1 | tr -d ' ')
      [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
      mkdir -p "$dir/apt/parts" "$dir/apt/lists/partial"
      printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: %s\n' \
        "$mirror" /usr/share/keyrings/debian-archive-keyring.gpg >"$dir/apt/parts/src.sources"
      local o=(-oDir::Etc::SourceList=/dev/null -oDir::Etc::SourceParts="$dir/apt/parts"
        -oDir::State::Lists="$dir/apt/lists" -oDir::Cache::pkgcache= -oDir::Cache::srcpkgcache=)
      apt-get "${o[@]}" update >"$dir/apt/update.log" 2>&1 ||
        { echo "apt-get update of the deb-src list failed: $(tail -3 "$dir/apt/update.log")" >&2; exit 1; }
      (cd "$dir" && apt-get "${o[@]}" source --download-only "$name" >apt/source.log 2>&1) ||
        { echo "apt-get source $name failed: $(tail -3 "$dir/apt/source.log")" >&2; exit 1; }
    fi
  ) 9>"$dir/.lock" || return 1
  mkdir -p "$name"
  tar -xf "$(compgen -G "$dir/${name}_*.orig.tar.*" | grep -v '\.asc$' | head -1)" -C "$name" \
    --strip-components=1
  echo "$PWD/$name"
}
