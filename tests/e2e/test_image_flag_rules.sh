# The CLI takes what a manifest takes, by the same function and with the same message: an --add
# MODE is octal with a leading 0 like files[].mode ("644" is ambiguous in both), and a level
# means nothing for --compression none (refused, exit 2, before anything is built).
source "$(dirname "$0")/lib.sh"

printf 'x\n' > x

step "--add x:/etc/x:644 is refused as the manifest refuses mode: 644"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --add x:/etc/x:644
assert_eq 2 "$RC" "exit code"
assert_eq 'error: --add x:/etc/x:644: mode '"'644'"' is ambiguous; write the octal mode with a leading 0, e.g. "0644"
hint: write it as SRC:DEST[:MODE[:UID:GID]], e.g. conf/app.yaml:/etc/app.yaml:0644' "$ERR" "--add message"
assert_missing out/hello.tar
cli_sentence=$(echo "$ERR" | head -1 | sed 's/^error: --add x:\/etc\/x:644: //')

mkdir m && cp "$EXAMPLES/hello.c" x m/
cat > m/scratchpack.yaml <<'Y'
version: 1
project: m
binaries:
  - {name: hello, sources: [hello.c], libc: musl}
images:
  - name: hello
    binaries: [hello]
    files:
      - {src: x, dest: /etc/x, mode: 644}
Y
capture "$SCRATCHPACK" release -f m/scratchpack.yaml
assert_eq 1 "$RC" "release exit code"
assert_contains "$ERR" "images[0].files[0].mode: $cli_sentence" "the manifest's message is the CLI's"

step "--add x:/etc/x:0644 and x:/etc/x:0o600 are fine"
for mode in 0644 0o600; do
  capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --add "x:/etc/x:$mode" --format none
  assert_eq 0 "$RC" "--add x:/etc/x:$mode ($ERR)"
done

step "--compression none takes no --compression-level"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --compression none --compression-level 5 --out none5
assert_eq 2 "$RC" "exit code"
assert_eq "error: --compression-level 5 with --compression none: uncompressed layers have no compression level
hint: drop the level, or choose gzip or zstd" "$ERR" "message"
assert_missing none5/hello
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --compression gzip --compression-level 5 --format none
assert_eq 0 "$RC" "gzip level 5 ($ERR)"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --compression none --format none
assert_eq 0 "$RC" "none without a level ($ERR)"
echo ok
