# cosign signatures, checked by an independent verifier (tests/e2e/cosign_verify.py: Python's
# standard library and the openssl command, following cosign's SIGNATURE_SPEC): keygen (plain
# and encrypted; openssl reads the files back), build --push --sign-key, push --sign-key, sign
# of an image already pushed (by tag and by digest), release --push --sign-key of a 2-arch index;
# re-signing with the same key does not grow the signature manifest, another key adds a layer.
# Rejected: an unsigned image, a tag moved to another image after signing, a payload naming
# another digest, a wrong public key; and a wrong passphrase is a usage error (exit 2).
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
source "$E2E_DIR/registry.sh"
VERIFY=(python3 "$E2E_DIR/cosign_verify.py")

# verified REPO REF PUB: the verifier accepts; rejected REPO REF PUB REASON: it refuses, saying so.
verified() {
  capture "${VERIFY[@]}" "$REGISTRY" "$1" "$2" "$3"
  assert_eq 0 "$RC" "verify $1 $2 with $3 ($OUT $ERR)"
  assert_contains "$OUT" "verified: $REGISTRY/$1@sha256:" "verifier output"
}
rejected() {
  capture "${VERIFY[@]}" "$REGISTRY" "$1" "$2" "$3"
  assert_eq 1 "$RC" "verify $1 $2 with $3 must fail ($OUT $ERR)"
  assert_contains "$OUT" "$4" "the verifier's reason"
}
# Number of layers (signatures) in the signature manifest of DIGEST in REPO.
sig_layers() { # repo digest
  curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$REGISTRY/v2/$1/manifests/sha256-${2#sha256:}.sig" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))'
}

step "keygen: a plain key pair, openssl reads both"
capture "$SCRATCHPACK" keygen
assert_eq 0 "$RC" "keygen ($ERR)"
assert_eq "$(printf 'cosign.key\ncosign.pub')" "$OUT" "keygen prints the two files"
assert_eq 600 "$(stat -c %a cosign.key)" "private key mode"
head -1 cosign.key | grep -qx -- '-----BEGIN PRIVATE KEY-----' || fail "cosign.key is not PKCS#8"
head -1 cosign.pub | grep -qx -- '-----BEGIN PUBLIC KEY-----' || fail "cosign.pub is not SPKI"
openssl pkey -in cosign.key -noout -text 2>/dev/null | grep -q 'NIST CURVE: P-256' ||
  fail "openssl does not read cosign.key as a P-256 key"
[ "$(openssl pkey -in cosign.key -pubout)" == "$(cat cosign.pub)" ] ||
  fail "cosign.pub is not cosign.key's public key"
capture "$SCRATCHPACK" keygen
assert_eq 2 "$RC" "keygen refuses to overwrite"
assert_contains "$ERR" "error: cosign.key: exists already" "refusal"
assert_contains "$ERR" "hint:" "refusal hint"
old=$(cat cosign.pub)
capture "$SCRATCHPACK" keygen --out other
assert_eq 0 "$RC" "keygen --out other ($ERR)"
capture "$SCRATCHPACK" keygen --out other --force
assert_eq 0 "$RC" "keygen --force ($ERR)"
assert_eq "$old" "$(cat cosign.pub)" "--out other left cosign.pub alone"

step "keygen: an encrypted key (--passphrase-stdin and --passphrase-env)"
capture bash -c "printf 'open sesame\n' | '$SCRATCHPACK' keygen --out locked --passphrase-stdin"
assert_eq 0 "$RC" "keygen --passphrase-stdin ($ERR)"
assert_not_contains "$OUT$ERR" "open sesame" "the passphrase is never printed"
assert_eq 600 "$(stat -c %a locked.key)" "encrypted key mode"
head -1 locked.key | grep -qx -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' ||
  fail "locked.key is not an encrypted PKCS#8 key"
openssl pkey -in locked.key -passin pass:wrong -noout 2>/dev/null &&
  fail "openssl opened locked.key with a wrong passphrase"
[ "$(openssl pkey -in locked.key -passin 'pass:open sesame' -pubout)" == "$(cat locked.pub)" ] ||
  fail "openssl cannot open locked.key with its passphrase"
capture env KEYPASS=s3cr3t "$SCRATCHPACK" keygen --out envkey --passphrase-env KEYPASS
assert_eq 0 "$RC" "keygen --passphrase-env ($ERR)"
openssl pkey -in envkey.key -passin pass:s3cr3t -noout || fail "envkey.key with its passphrase"

registry_start
step "build --push --sign-key: the verifier accepts the signature"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.cpp" --push "$REGISTRY/built/hello:1.0" \
  --sign-key cosign.key
assert_eq 0 "$RC" "build --push --sign-key ($ERR)"
built=$(echo "$OUT" | grep "^$REGISTRY/built/hello@" | cut -d@ -f2)
assert_contains "$OUT" "$REGISTRY/built/hello:sha256-${built#sha256:}.sig" "the signature's tag"
verified built/hello 1.0 cosign.pub
verified built/hello "$built" cosign.pub
rejected built/hello 1.0 other.pub "no valid signature: openssl"
assert_eq 1 "$(sig_layers built/hello "$built")" "one signature"

step "push --sign-key with an encrypted key; --json names the signature"
cp out/hello.tar hello.tar
capture bash -c "printf 'open sesame' | '$SCRATCHPACK' push hello.tar '$REGISTRY/pushed/hello:latest' \
  --sign-key locked.key --passphrase-stdin --json"
assert_eq 0 "$RC" "push --sign-key ($ERR)"
pushed=$(json_get "$OUT" push.digest)
assert_eq "$REGISTRY/pushed/hello:sha256-${pushed#sha256:}.sig" "$(json_get "$OUT" push.signature.reference)" "json signature"
assert_eq "$pushed" "$(json_get "$OUT" push.signature.signed_digest)" "json signed digest"
verified pushed/hello latest locked.pub
rejected pushed/hello latest cosign.pub "no valid signature"

step "a wrong or missing passphrase is a usage error, and nothing is pushed"
capture bash -c "printf 'nope' | '$SCRATCHPACK' push hello.tar '$REGISTRY/nopass/hello' --sign-key locked.key --passphrase-stdin"
assert_eq 2 "$RC" "wrong passphrase exit code"
assert_contains "$ERR" "error: locked.key: cannot decrypt the private key: wrong passphrase" "wrong passphrase"
assert_contains "$ERR" "hint:" "hint"
assert_not_contains "$ERR" "nope" "the passphrase is never printed"
capture "$SCRATCHPACK" push hello.tar "$REGISTRY/nopass/hello" --sign-key locked.key
assert_eq 2 "$RC" "missing passphrase exit code"
assert_contains "$ERR" "error: locked.key: the private key is encrypted" "missing passphrase"
assert_eq 404 "$(http_status "http://$REGISTRY/v2/nopass/hello/manifests/latest")" "nothing pushed"

step "sign: an image pushed unsigned, by tag; the verifier refuses it before"
capture "$SCRATCHPACK" push hello.tar "$REGISTRY/later/hello:2.0"
assert_eq 0 "$RC" "push ($ERR)"
rejected later/hello 2.0 cosign.pub "no signature: the tag sha256-"
capture "$SCRATCHPACK" sign "$REGISTRY/later/hello:2.0" --key cosign.key
assert_eq 0 "$RC" "sign ($ERR)"
later=$(archive_root_digest hello.tar)
assert_eq "$REGISTRY/later/hello:sha256-${later#sha256:}.sig" "$OUT" "sign prints the signature's tag"
verified later/hello 2.0 cosign.pub

step "signing again with the same key changes nothing; another key adds a signature"
capture "$SCRATCHPACK" sign "$REGISTRY/later/hello@$later" --key cosign.key --json
assert_eq 0 "$RC" "sign by digest ($ERR)"
assert_eq True "$(json_get "$OUT" signature.unchanged)" "unchanged"
assert_eq 1 "$(sig_layers later/hello "$later")" "still one signature"
capture env KEYPASS=s3cr3t "$SCRATCHPACK" sign "$REGISTRY/later/hello:2.0" --key envkey.key \
  --passphrase-env KEYPASS
assert_eq 0 "$RC" "sign with a second key ($ERR)"
assert_eq 2 "$(sig_layers later/hello "$later")" "two signatures"
verified later/hello 2.0 cosign.pub
verified later/hello 2.0 envkey.pub

step "the tag moved to another image after signing: rejected"
capture "$SCRATCHPACK" build "$EXAMPLES/hello.c" --out other-out --push "$REGISTRY/later/hello:2.0"
assert_eq 0 "$RC" "push of another image to the signed tag ($ERR)"
rejected later/hello 2.0 cosign.pub "no signature: the tag sha256-"

step "a signature whose payload names another digest: rejected"
# The signature manifest of the original image copied under the moved tag's .sig tag: its
# payload is validly signed, but for the old digest.
moved=sha256:$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$REGISTRY/v2/later/hello/manifests/2.0" | sha256sum | cut -d' ' -f1)
curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$REGISTRY/v2/later/hello/manifests/sha256-${later#sha256:}.sig" >copied.json
curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @copied.json \
  "http://$REGISTRY/v2/later/hello/manifests/sha256-${moved#sha256:}.sig" >/dev/null ||
  fail "could not copy the signature manifest"
rejected later/hello 2.0 cosign.pub "payload signs $later, not the image's $moved"

step "sign errors: no such tag, no key"
capture "$SCRATCHPACK" sign "$REGISTRY/later/hello:9.9" --key cosign.key
assert_eq 1 "$RC" "sign of a missing tag"
assert_contains "$ERR" "error: sign $REGISTRY/later/hello:9.9: the registry has no image under the tag '9.9'" "missing tag"
capture "$SCRATCHPACK" sign "$REGISTRY/later/hello:2.0" --key nothere.key
assert_eq 2 "$RC" "sign with a missing key file"
assert_contains "$ERR" "nothere.key" "names the key file"

step "release --push --sign-key: the 2-arch index is what is signed"
mkdir rel && cp "$EXAMPLES/hello.cpp" rel/
cat >rel/scratchpack.yaml <<EOF
version: 1
project: hello
targets: [x86_64, aarch64]
binaries:
  - name: hello
    sources: [hello.cpp]
images:
  - name: $REGISTRY/rel/hello
    tags: ["1.0"]
    binaries: [hello]
EOF
capture bash -c "cd rel && '$SCRATCHPACK' release --push --sign-key ../cosign.key"
assert_eq 0 "$RC" "release --push --sign-key ($ERR)"
index=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' \
  "http://$REGISTRY/v2/rel/hello/manifests/1.0")
assert_contains "$index" '"manifests"' "the tag holds an index"
assert_contains "$OUT" "$REGISTRY/rel/hello:sha256-" "release prints the signature's tag"
verified rel/hello 1.0 cosign.pub
echo "ok"
