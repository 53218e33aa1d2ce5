#!/usr/bin/env bash
# Runs the whole test suite (unit, e2e, fuzz) through ctest on the build from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cd build
ctest --output-on-failure --timeout 1800 -j "$(nproc)" "$@"
