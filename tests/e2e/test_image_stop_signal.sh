# --stop-signal reads signals as a manifest's stop_signal and a Dockerfile's STOPSIGNAL do, with
# one parser: TERM, SIGTERM and sigterm all mean SIGTERM (stored so), numbers 1-64 and
# RTMIN+N/RTMAX-N work, and an unknown name is refused (exit 2) before anything is built, with
# the manifest's message.
source "$(dirname "$0")/lib.sh"

# The StopSignal of the archive's (one) image config.
stop_signal_of() {
  python3 - "$1" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
blob = lambda d: json.loads(t.extractfile("blobs/" + d.replace(":", "/")).read())
manifest = blob(json.loads(t.extractfile("index.json").read())["manifests"][0]["digest"])
print(blob(manifest["config"]["digest"])["config"].get("StopSignal", ""))
PY
}

"$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --format none >/dev/null

for given in TERM SIGTERM sigterm Term 15 rtmin+3 SIGRTMAX-2; do
  step "--stop-signal $given"
  capture "$SCRATCHPACK" package out/hello --stop-signal "$given" --image "s:x"
  assert_eq 0 "$RC" "package --stop-signal $given ($ERR)"
  case "$given" in
    15) want=15 ;;
    rtmin+3) want=SIGRTMIN+3 ;;
    SIGRTMAX-2) want=SIGRTMAX-2 ;;
    *) want=SIGTERM ;;
  esac
  assert_eq "$want" "$(stop_signal_of out/s.tar)" "StopSignal for $given"
done

step "an unknown signal is refused, with the manifest's message"
for bad in SIGFOO FOO 0 65 RTMIN+31; do
  capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --libc musl --stop-signal "$bad" --out bad
  assert_eq 2 "$RC" "exit code for --stop-signal $bad"
  assert_eq "error: --stop-signal $bad: unknown signal '$bad'; use a name such as SIGTERM or a number from 1 to 64" "$ERR" "message for $bad"
  assert_missing bad/hello.tar
done

step "the manifest and a Dockerfile read the same names"
mkdir m && cp "$EXAMPLES/hello.c" m/
cat > m/scratchpack.yaml <<'Y'
version: 1
project: s
binaries:
  - {name: hello, sources: [hello.c], libc: musl}
images:
  - {name: hello, binaries: [hello], stop_signal: term}
Y
capture "$SCRATCHPACK" release -f m/scratchpack.yaml
assert_eq 0 "$RC" "release ($ERR)"
python3 - m/dist/hello.tar <<'PY' || fail "the release image's StopSignal"
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
blob = lambda d: json.loads(t.extractfile("blobs/" + d.replace(":", "/")).read())
index = blob(json.loads(t.extractfile("index.json").read())["manifests"][0]["digest"])
config = blob(blob(index["manifests"][0]["digest"])["config"]["digest"])
assert config["config"]["StopSignal"] == "SIGTERM", config["config"]
PY
mkdir d && cp out/hello d/
printf 'FROM scratch\nCOPY hello /\nSTOPSIGNAL int\nCMD ["/hello"]\n' > d/Dockerfile
capture "$SCRATCHPACK" package --dockerfile d/Dockerfile --image d --out d/out
assert_eq 0 "$RC" "package --dockerfile ($ERR)"
assert_eq SIGINT "$(stop_signal_of d/out/d.tar)" "STOPSIGNAL int"
echo ok
