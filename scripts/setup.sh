#!/usr/bin/env bash
# Installs every Debian package scratchpack's build and tests need, then configures and builds
# scratchpack into build/. Idempotent and non-interactive; run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  build-essential cmake ninja-build pkg-config git ca-certificates
  llvm-19-dev liblld-19-dev clang-19 lld-19 libclang-19-dev libclang-rt-19-dev llvm-19-tools
  clang-format-19 libcli11-dev libyaml-cpp-dev libarchive-dev libssl-dev nlohmann-json3-dev doctest-dev
  libcurl4-openssl-dev libzstd-dev zlib1g-dev libdeflate-dev
  # target sysroots: glibc cross, musl for the host
  libc6-dev-arm64-cross libstdc++-12-dev-arm64-cross libgcc-12-dev-arm64-cross
  libc6-dev-armhf-cross libstdc++-12-dev-armhf-cross libgcc-12-dev-armhf-cross
  musl musl-dev musl-tools linux-libc-dev
  # running foreign binaries and images, validators, peers
  qemu-user-static binfmt-support podman runc skopeo umoci buildah docker-registry
  apache2-utils pax-utils file hyperfine pigz zstd libdeflate-tools python3 curl
  dpkg-dev xz-utils tini python3-jsonschema time util-linux
  # a second host for the hostile-registry tests (ip netns, veth)
  iproute2
  # build systems the drop-in compilers are tested with (make comes with build-essential)
  meson debian-archive-keyring
  # distributed compiles and the shared remote cache, tested against real servers
  distcc nginx
  # riscv64: glibc cross sysroot
  libc6-dev-riscv64-cross libstdc++-12-dev-riscv64-cross libgcc-12-dev-riscv64-cross
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages that ship a service (nginx, distcc) must not start it: the tests start their own on
  # loopback ports. policy-rc.d is Debian's switch for that; one already present is left alone.
  policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "$policy" ]; then rm -f "$policy"; trap - EXIT; fi
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null
cmake --build build
