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
