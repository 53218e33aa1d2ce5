# report.json names the target each image's binaries were built for: a manifest target written
# without a C library (x86_64) with `libc: musl` binaries is x86_64-musl in images[].platforms[]
# as it is in binaries[], and the report still validates against docs/report.schema.json.
source "$(dirname "$0")/lib.sh"

cp "$EXAMPLES/hello.c" .
cat > scratchpack.yaml <<'Y'
version: 1
project: hello
targets: [x86_64, aarch64]
binaries:
  - {name: hello, sources: [hello.c], libc: musl}
images:
  - {name: hello, binaries: [hello]}
Y
capture "$SCRATCHPACK" release
assert_eq 0 "$RC" "release exit code ($ERR)"
python3 - dist/report.json "$SP_SOURCE_DIR/docs/report.schema.json" <<'PY' || fail "report.json: $(cat dist/report.json)"
import json, sys, jsonschema
report, schema = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
jsonschema.validate(report, schema)
assert [b["target"] for b in report["binaries"]] == ["x86_64-musl", "aarch64-musl"], report["binaries"]
platforms = [(p["platform"], p["target"]) for p in report["images"][0]["platforms"]]
assert platforms == [("linux/amd64", "x86_64-musl"), ("linux/arm64/v8", "aarch64-musl")], platforms
PY
echo ok
