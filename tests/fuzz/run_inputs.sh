#!/usr/bin/env bash
# Fuzzes a parser of hostile text for FUZZ_SECONDS (default 60) from the seed files in CORPUS_DIR
# (copied: the seeds in the tree stay as they are). Fails on any crash, leak, sanitizer report,
# or an input that takes more than 2 s (every parser here is linear in its input).
# Usage: run_inputs.sh FUZZ_BINARY CORPUS_DIR [extra libFuzzer flags...]
set -euo pipefail
fuzzer=${1:?usage: run_inputs.sh FUZZ_BINARY CORPUS_DIR}
seeds=${2:?usage: run_inputs.sh FUZZ_BINARY CORPUS_DIR}
shift 2
seconds=${FUZZ_SECONDS:-60}
name=$(basename "$fuzzer")
artifacts=${SP_BUILD_DIR:-$PWD}/fuzz-artifacts/$name
work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"
cp -r "$seeds"/. "$work/corpus/"
echo "$name: $(ls "$work/corpus" | wc -l) seeds, ${seconds}s"
"$fuzzer" "$work/corpus" -max_total_time="$seconds" -max_len=16384 -timeout=2 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$@"
