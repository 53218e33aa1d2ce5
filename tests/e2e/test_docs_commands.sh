# The docs cannot drift from the binary: every command of a block marked `<!-- docs-test: run -->`
# in README.md and docs/*.md (and every "# Try it:" line of manifests/examples/*.yaml) runs and
# succeeds in a scratch directory laid out like a checkout, with registry.example.com mapped to a
# loopback registry; every block marked `<!-- docs-test: synopsis CMD -->` names every flag of
# `scratchpack CMD --help`; every warning[CODE] of the README's first example is explained in the
# README. The markers are described in tests/e2e/docs_commands.py.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
private_build_cache # the docs run `cache clean`: on a cache of this test's own
podman_setup

mkdir -p bin scratch/manifests
ln -s "$SCRATCHPACK" bin/scratchpack
cp -r "$EXAMPLES"/* scratch/
cp -r "$SP_SOURCE_DIR/manifests/examples" scratch/manifests/examples
rm -rf scratch/manifests/examples/dist

python3 "$E2E_DIR/docs_commands.py" "$SP_SOURCE_DIR" commands >commands.txt
[ "$(grep -c . commands.txt)" -ge 10 ] || fail "too few documented commands found: $(cat commands.txt)"
if grep -q registry.example.com commands.txt; then
  registry_start
fi

step "documented commands"
while IFS=$'\t' read -r where cmd; do
  run=${cmd//registry.example.com/$REGISTRY}
  echo "--- $where: $run"
  # In a subshell of the scratch directory, like a reader's shell: `cd` in a block stays there.
  if ! (cd scratch && PATH="$WORK/bin:$PATH" bash -euo pipefail -c "$run") </dev/null >cmd.out 2>cmd.err; then
    cat cmd.out cmd.err >&2
    fail "$where: '$cmd' failed"
  fi
done <commands.txt

step "every warning the README's first example prints is explained there"
mkdir first && cp "$EXAMPLES/hello.cpp" first/
(cd first && "$SCRATCHPACK" build hello.cpp) </dev/null >/dev/null 2>first.err || fail "build hello.cpp"
codes=$(grep -oE 'warning\[[a-z0-9.-]+\]' first.err | sort -u || true)
for code in $codes; do
  grep -qF "\`$code" "$SP_SOURCE_DIR/README.md" || fail "README.md does not explain $code, which 'scratchpack build hello.cpp' prints"
done

step "documented synopses name every flag"
python3 "$E2E_DIR/docs_commands.py" "$SP_SOURCE_DIR" synopses >synopses.txt
[ "$(grep -c . synopses.txt)" -ge 4 ] || fail "too few synopses marked: $(cat synopses.txt)"
while IFS=$'\t' read -r where cmd text; do
  "$SCRATCHPACK" "$cmd" --help </dev/null >help.txt
  # Each option line of --help: "  -o,--name TEXT  …" or "  --json  …"; one of its names must be
  # in the synopsis.
  grep -E '^  -' help.txt | sed -E 's/^  ([^ ]+).*/\1/' | while read -r names; do
    case "$names" in -h,--help) continue ;; esac
    found=no
    for name in ${names//,/ }; do
      if grep -qE -- "(^|[^a-z-])$name([^a-z-]|$)" <<<"$text"; then found=yes; fi
    done
    [ $found = yes ] || fail "$where: the synopsis of '$cmd' lacks $names"
  done
done <synopses.txt
