#!/usr/bin/env bash
# Fuzzes a reader of hostile input for FUZZ_SECONDS (default 60) from the seed files in CORPUS_DIR
# (copied: the seeds in the tree stay as they are) and, when FUZZ_SEED_SCRIPT names one, the seeds
# that python3 script writes into the working corpus (binary seeds made at test time). Fails on
# any crash, leak, sanitizer report, or an input that takes more than 2 s (every reader here is
# linear in its input). FUZZ_MAX_LEN (default 16384) caps the size of an input.
# Usage: run_inputs.sh FUZZ_BINARY CORPUS_DIR [extra libFuzzer flags...]
set -euo pipefail
fuzzer=${1:?usage: run_inputs.sh FUZZ_BINARY CORPUS_DIR}
seeds=${2:?usage: run_inputs.sh FUZZ_BINARY CORPUS_DIR}
shift 2
seconds=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-16384}
name=$(basename "$fuzzer")
artifacts=${SP_BUILD_DIR:-$PWD}/fuzz-artifacts/$name
work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"
if [[ -d $seeds ]]; then
  cp -r "$seeds"/. "$work/corpus/"
fi
if [[ -n ${FUZZ_SEED_SCRIPT:-} ]]; then
  python3 "$FUZZ_SEED_SCRIPT" "$work/corpus"
fi
echo "$name: $(ls "$work/corpus" | wc -l) seeds, ${seconds}s, inputs up to $max_len bytes"
"$fuzzer" "$work/corpus" -max_total_time="$seconds" -max_len="$max_len" -timeout=2 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$@"
