#!/usr/bin/env bash
# Fails when a C/C++ source differs from what clang-format-19 makes of it with the checked-in
# .clang-format (the first differences are shown). `scripts/check_format.sh --fix` formats the
# tree in place instead.
set -euo pipefail
cd "$(dirname "$0")/.."
format=${CLANG_FORMAT:-clang-format-19}
mapfile -t files < <(find util toolchain packager publish manifests pipeline runtime-stub cli \
  tests bench examples -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.h' \) 2>/dev/null | sort)
if [ "${1:-}" = "--fix" ]; then
  "$format" -i "${files[@]}"
  exit 0
fi
if ! out=$("$format" --dry-run -Werror "${files[@]}" 2>&1); then
  printf '%s\n' "$out" | head -40
  echo "check_format: sources differ from clang-format-19's layout; run scripts/check_format.sh --fix"
  exit 1
fi
echo "check_format: ${#files[@]} files as clang-format-19 lays them out"
