# Bad image inputs: exact error text, exit code, and no out/*.tar left behind.
source "$(dirname "$0")/lib.sh"

no_tar() { [ -z "$(ls out/*.tar 2>/dev/null)" ] || fail "an archive was left behind: $(ls out/*.tar)"; }

step "shell-form CMD"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --cmd '/hello --verbose'
assert_eq 2 "$RC" "exit code"
assert_eq 'error: CMD /hello --verbose: shell form CMD needs /bin/sh, which a scratch image does not have; use the exec form, e.g. ["/hello"]' "$ERR" "shell-form message"
no_tar
assert_missing out/hello

step "--add escaping the image root"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --add 'x:../../etc'
assert_eq 2 "$RC" "exit code"
assert_eq "error: --add x:../../etc: DEST '../../etc' must be an absolute path in the image
hint: write it as SRC:DEST[:MODE[:UID:GID]], e.g. conf/app.yaml:/etc/app.yaml:0644" "$ERR" "--add message"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --add 'x:/etc/../../root'
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: --add x:/etc/../../root:" "--add with .. message"
no_tar

step "a dynamic binary"
cp /bin/true ./dyn
capture "$SCRATCHPACK" package dyn
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "image:/dyn (from dyn)  (ELF64 x86-64 pie, dynamic, stripped)" "file header"
assert_contains "$ERR" "error[dynamic.interp] requests the program loader /lib64/ld-linux-x86-64.so.2" "interp finding"
assert_contains "$ERR" "error[dynamic.needed] libc.so.6: shared library needed at run time" "needed finding"
assert_contains "$ERR" "error: scan gate: " "gate summary"
no_tar

step "RUN in a Dockerfile"
printf 'FROM scratch\nADD dyn /\nRUN chmod +x /dyn\n' > Dockerfile
capture "$SCRATCHPACK" package --dockerfile Dockerfile .
assert_eq 1 "$RC" "exit code"
assert_eq "error: Dockerfile:3: RUN is not supported: a scratch image has no shell to run it; build the files with scratchpack build and ADD them" "$ERR" "RUN message"
no_tar

step "a base image other than scratch"
printf 'FROM alpine:3.19\nCOPY dyn /\n' > Dockerfile
capture "$SCRATCHPACK" package --dockerfile Dockerfile .
assert_eq 1 "$RC" "exit code"
assert_contains "$ERR" "error: Dockerfile:1: " "FROM message"
assert_contains "$ERR" "scratch" "FROM message names scratch"
no_tar

step "bad flags"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --format zip
assert_eq 2 "$RC" "exit code"
assert_eq "error: --format zip: unknown format
hint: use archive, oci-dir or none" "$ERR" "format message"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --user nobody
assert_eq 2 "$RC" "exit code"
assert_contains "$ERR" "error: --user nobody: a scratch image has no /etc/passwd to look the name up in" "user message"
echo "ok"
