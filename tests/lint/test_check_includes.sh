#!/usr/bin/env bash
# scripts/check_includes.py catches what the dependency table forbids, and passes a tree that
# keeps it: a sideways stage include, an outside library's header in the wrong folder, LLVM
# outside toolchain/lld.
set -euo pipefail
checker="$(cd "$(dirname "$0")/../.." && pwd)/scripts/check_includes.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{util,packager,toolchain/lld,toolchain/scan,cli,pipeline,publish,manifests}
printf '#include "util/fs.h"\n#include <vector>\n' > "$tmp/packager/ok.cpp"
printf '#include "pipeline/build.h"\n#include <CLI/CLI.hpp>\n' > "$tmp/cli/ok.cpp"
printf '#include <llvm/Support/raw_ostream.h>\n' > "$tmp/toolchain/lld/module.cpp"
printf '#include "toolchain/scan/scanner.h"\n' > "$tmp/toolchain/build.cpp"
if ! out=$(python3 "$checker" "$tmp"); then
  echo "FAIL: a clean tree was refused:"; echo "$out"; exit 1
fi

printf '#include "util/fs.h"\n#include "toolchain/build.h"\n' > "$tmp/packager/bad.cpp"
printf '#include <curl/curl.h>\n' > "$tmp/pipeline/bad.cpp"
printf '#include <llvm/Config/llvm-config.h>\n' > "$tmp/toolchain/version.cpp"
printf '#include "cli/cli.h"\n' > "$tmp/manifests/bad.h"
set +e
out=$(python3 "$checker" "$tmp")
rc=$?
set -e
expected="manifests/bad.h:1: manifests/ may not include cli/cli.h (cli/ is not among its dependencies)
packager/bad.cpp:2: packager/ may not include toolchain/build.h (toolchain/ is not among its dependencies)
pipeline/bad.cpp:1: pipeline/ may not include <curl/curl.h> (only publish/)
toolchain/version.cpp:1: toolchain/ may not include <llvm/Config/llvm-config.h> (only toolchain/lld/)
check_includes: 4 forbidden include(s); docs/ARCHITECTURE.md lists what each folder may depend on"
if [ "$rc" != 1 ] || [ "$out" != "$expected" ]; then
  echo "FAIL: exit $rc, output:"; echo "$out"; echo "expected:"; echo "$expected"; exit 1
fi
echo ok
