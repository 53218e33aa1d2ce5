# Every row of README.md's exit-code table, one case each: 2 when the command could not run as
# asked (bad flags, inputs missing or unusable), 1 when it ran and the build, scan or push failed.
source "$(dirname "$0")/lib.sh"

# code EXPECTED WHAT COMMAND...: runs the command and checks its exit code, and that it said why
# (an error line, or scan's error findings).
code() {
  local want=$1 what=$2
  shift 2
  step "$what: exit $want"
  capture "$@"
  assert_eq "$want" "$RC" "exit code of $what ($ERR)"
  [ "$want" = 0 ] || assert_contains "$ERR$OUT" "error" "an error line for $what"
}

"$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --out base >/dev/null

# 2: the command could not run as asked.
code 2 "an unknown flag" "$SCRATCHPACK" build "$EXAMPLES/hello.c" --no-such-flag
code 2 "a source that does not exist" "$SCRATCHPACK" build missing.c
mkdir ctx && cp base/hello ctx/
printf 'FROM scratch\nADD missing.txt /\nCOPY hello /\n' > ctx/Dockerfile
code 2 "a missing Dockerfile ADD source" "$SCRATCHPACK" package --dockerfile ctx/Dockerfile ctx --out o1
assert_contains "$ERR" "Dockerfile:2: ADD missing.txt: no such file in the build context" "ADD message"
printf 'FROM scratch\nCOPY nothing*.txt /\nCOPY hello /\n' > ctx/Dockerfile
code 2 "a Dockerfile COPY glob that matches nothing" "$SCRATCHPACK" package --dockerfile ctx/Dockerfile ctx --out o1
mkdir -p tree/sub && mkfifo tree/sub/pipe
code 2 "an --add tree with a fifo" "$SCRATCHPACK" package base/hello --add tree:/srv --out o2
assert_contains "$ERR" "not a regular file, directory or symlink" "fifo message"
rm tree/sub/pipe && ln -s /etc/passwd tree/sub/out
code 2 "an --add tree with a symlink out of it" "$SCRATCHPACK" package base/hello --add tree:/srv --out o2
code 2 "an --add source that does not exist" "$SCRATCHPACK" package base/hello --add nope:/srv --out o2
code 2 "a relative --entrypoint" "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --entrypoint '["hello"]' --out o3
assert_eq "error: --entrypoint [\"hello\"]: program 'hello' is not an absolute path; write its path in the image, e.g. \"/hello\"
hint: a scratch image has no shell and nothing on PATH but what you add, so a manifest's entrypoint must be absolute too" "$ERR" "relative entrypoint message"
assert_missing o3/hello
code 2 "a relative --cmd without an entrypoint" "$SCRATCHPACK" package base/hello --cmd '["hello"]' --out o3
code 2 "scan --platform the image lacks" "$SCRATCHPACK" scan base/hello.tar --platform linux/arm64
assert_contains "$ERR" "error: base/hello.tar: holds no image for linux/arm64/v8" "scan --platform message"
code 2 "an unknown --platform" "$SCRATCHPACK" scan base/hello.tar --platform linux/s390x
head -c 4096 /dev/zero > damaged.tar
code 2 "a damaged image archive" "$SCRATCHPACK" push damaged.tar 127.0.0.1:9/hello --retries 1
code 2 "an unknown command" "$SCRATCHPACK" frobnicate
code 2 "a manifest that does not exist" "$SCRATCHPACK" release -f nowhere.yaml
mkdir m && printf 'version: 1\nproject: m\nbinaries:\n  - {name: a, sources: [gone.c]}\n' > m/scratchpack.yaml
code 2 "a manifest naming a source that does not exist" "$SCRATCHPACK" release -f m/scratchpack.yaml

# 0: a --cmd after a Dockerfile ENTRYPOINT is arguments, not a program.
printf 'FROM scratch\nCOPY hello /\nENTRYPOINT ["/hello"]\n' > ctx/Dockerfile
code 0 "--cmd arguments to a Dockerfile ENTRYPOINT" "$SCRATCHPACK" package --dockerfile ctx/Dockerfile ctx --cmd '["--verbose"]' --out o4

# 1: it ran, and the build, scan or push failed.
printf 'int main(void) { return x; }\n' > broken.c
code 1 "a compile error" "$SCRATCHPACK" build broken.c
cp /bin/true dyn
code 1 "the scan gate (a dynamic binary)" "$SCRATCHPACK" package dyn --out o5
code 1 "the scan gate (an absolute entrypoint the image lacks)" "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --entrypoint '["/nope"]' --out o6
code 1 "scan found an error" "$SCRATCHPACK" scan dyn
printf 'FROM scratch\nCOPY hello /\nRUN true\n' > ctx/Dockerfile
code 1 "a Dockerfile instruction scratchpack does not do" "$SCRATCHPACK" package --dockerfile ctx/Dockerfile ctx --out o7
printf 'version: 1\nproject: m\nbinaries:\n  - {name: a, sources: [gone.c], profile: fast}\n' > m/scratchpack.yaml
code 1 "a manifest with a mistake (and a missing file)" "$SCRATCHPACK" release -f m/scratchpack.yaml
code 1 "a push the registry refuses (nothing listens)" "$SCRATCHPACK" push base/hello.tar 127.0.0.1:9/hello --retries 1
echo ok
