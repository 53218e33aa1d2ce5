#!/usr/bin/env bash
# The main job: build examples/hello.cpp into a fully static executable and a FROM-scratch image
# (no Docker daemon), then run that image with podman.
set -euo pipefail
cd "$(dirname "$0")/.."
sp=build/scratchpack

$sp build examples/hello.cpp
echo "--- out/hello: $(stat -c %s out/hello) bytes, $(file -b out/hello | cut -d, -f1-4)"
echo "--- out/hello.tar: $(stat -c %s out/hello.tar) bytes; scan of the image: $($sp scan out/hello.tar | tail -1)"

# podman with a private store under a temporary directory and the settings this kind of machine
# needs: vfs storage, runc (crun fails on the hybrid cgroup layout), cgroupfs, no default rlimits
# (the sandbox lacks CAP_SYS_RESOURCE). scripts/lib.sh has them.
source scripts/lib.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
podman_private "$t"
echo "--- podman run --rm --network=none oci-archive:out/hello.tar"
podman run --rm --network=none oci-archive:out/hello.tar
