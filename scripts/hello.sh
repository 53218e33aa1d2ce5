#!/usr/bin/env bash
# The main job: build examples/hello.cpp into a fully static executable and run it.
set -euo pipefail
cd "$(dirname "$0")/.."
sp=build/scratchpack

$sp build examples/hello.cpp --format none
echo "--- out/hello: $(stat -c %s out/hello) bytes, $(file -b out/hello | cut -d, -f1-4)"
./out/hello
