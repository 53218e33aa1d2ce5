# Every --json document validates against its command's schema (docs/*.schema.json), on success
# and on failure: `error` is null or the error object, and what was made before a failure is still
# listed (a build whose push was refused names its binaries and the image it wrote).
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"

# validate SCHEMA WHAT [PYTHON-ASSERTIONS]: $OUT is one document valid against
# docs/SCHEMA.schema.json; the assertions see it as `doc`.
validate() {
  python3 - "$OUT" "$SP_SOURCE_DIR/docs/$1.schema.json" "${3:-}" <<'PY' || fail "$2: $OUT"
import json, sys, jsonschema
doc, schema = json.loads(sys.argv[1]), json.load(open(sys.argv[2]))
jsonschema.validate(doc, schema)
assert list(doc)[0] == "schema" and list(doc)[-1] == "error", list(doc)
exec(sys.argv[3])
PY
}
refused=127.0.0.1:$(free_port) # nothing listens there

step "build"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --json
assert_eq 0 "$RC" "build ($ERR)"
validate build "build --json" '
assert doc["error"] is None
b = doc["binaries"][0]
assert (b["name"], b["target"], b["platform"], b["path"]) == ("hello", "x86_64-glibc", "linux/amd64", "out/hello"), b
i = doc["images"][0]
assert i["outputs"] == [{"path": "out/hello.tar", "format": "archive"}], i
assert [p["target"] for p in i["platforms"]] == ["x86_64-glibc"], i'

step "build whose push is refused: the binaries and the image it wrote, and the error"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --json --out refused --push "$refused/hello" \
  --retries 1 --timeout 10s
assert_eq 1 "$RC" "build --push to a closed port ($ERR)"
validate build "build --push refused" '
assert doc["error"]["exit_code"] == 1 and doc["error"]["what"].startswith("push"), doc["error"]
assert len(doc["binaries"]) == 1 and doc["images"][0]["outputs"][0]["path"] == "refused/hello.tar", doc
assert doc["push"] is None and doc["images"][0]["pushed"] is None'
# What it lists is there: the local build was whole, only the push failed.
[ -x refused/hello ] && [ -s refused/hello.tar ] || fail "a refused push left no binary or archive"

step "build that does not compile"
printf 'int main( {\n' >broken.c
capture "$SCRATCHPACK" build broken.c --json
assert_eq 1 "$RC" "broken build"
validate build "broken build" '
assert doc["binaries"] == [] and doc["images"] == [], doc
assert "expected" in doc["error"]["details"], doc["error"]'

step "build with bad flags, and with an unknown one"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --json --std c++21 --profile fast
assert_eq 2 "$RC" "bad flags"
validate build "bad flags" '
assert [p["what"] for p in doc["error"]["problems"]] == ["profile '"'"'fast'"'"'", "--std c++21"], doc["error"]'
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --json --taget x86_64
assert_eq 2 "$RC" "unknown flag"
validate build "unknown flag" 'assert doc["error"]["hint"] == "did you mean --target?", doc'

step "package"
capture "$SCRATCHPACK" package out/hello --image acme/hello:1.0 --out pkg --json
assert_eq 0 "$RC" "package ($ERR)"
validate package "package --json" '
assert doc["error"] is None and doc["images"][0]["reference"] == "acme/hello:1.0", doc'
capture "$SCRATCHPACK" package missing-binary --json
assert_eq 2 "$RC" "package of a missing file"
validate package "package of a missing file" 'assert doc["images"] == [] and doc["error"], doc'

step "push"
registry_start
capture "$SCRATCHPACK" push out/hello.tar "$REGISTRY/hello:1" --json
assert_eq 0 "$RC" "push ($ERR)"
validate push "push --json" '
assert doc["error"] is None and doc["push"]["pushed"].startswith(doc["push"]["reference"].split(":1")[0]), doc'
capture "$SCRATCHPACK" push out/hello.tar "$refused/hello:1" --json --retries 1 --timeout 10s
assert_eq 1 "$RC" "push to a closed port"
validate push "push refused" 'assert doc["push"] is None and doc["error"]["exit_code"] == 1, doc'

step "scan"
capture "$SCRATCHPACK" scan out/hello.tar --json
assert_eq 0 "$RC" "scan ($ERR)"
validate scan "scan --json" 'assert doc["error"] is None and doc["summary"]["files"] == 1, doc'
capture "$SCRATCHPACK" scan /bin/true --json
assert_eq 1 "$RC" "scan of a dynamic binary"
validate scan "scan with errors" 'assert doc["summary"]["errors"] > 0 and doc["error"]["exit_code"] == 1, doc'
capture "$SCRATCHPACK" scan /nonexistent-path --json
assert_eq 2 "$RC" "scan of a missing path"
validate scan "scan of a missing path" 'assert list(doc) == ["schema", "error"], doc'

step "release"
mkdir -p rel/src && cp "$EXAMPLES/hello.cpp" rel/src/
cat >rel/scratchpack.yaml <<'YAML'
version: 1
project: hello
targets: [x86_64]
binaries:
  - name: hello
    sources: [src/hello.cpp]
images:
  - name: hello
    binaries: [hello]
YAML
capture "$SCRATCHPACK" release rel/scratchpack.yaml --json
assert_eq 0 "$RC" "release ($ERR)"
validate report "release --json" '
assert doc["error"] is None
on_disk = json.load(open("rel/dist/report.json"))
assert {k: v for k, v in doc.items() if k != "error"} == on_disk, (doc, on_disk)'
printf 'version: 1\nproject: hello\nbinaries: 3\n' >rel/bad.yaml
capture "$SCRATCHPACK" release rel/bad.yaml --json
assert_eq 1 "$RC" "bad manifest"
validate report "bad manifest" '
assert list(doc) == ["schema", "error"], doc
assert (doc["error"]["problems"] or [doc["error"]])[0]["location"]["line"] == 3, doc'
