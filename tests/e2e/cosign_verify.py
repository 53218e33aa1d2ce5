#!/usr/bin/env python3
"""An independent check of a cosign "simple signing" signature in a registry.

Follows sigstore/cosign specs/SIGNATURE_SPEC.md with nothing but the Python standard library and
the `openssl` command, so that it shares no code with scratchpack:

  1. resolve the image to its digest over the Distribution API (GET the manifest);
  2. fetch the manifest under the tag `sha256-<hex>.sig`;
  3. for each layer of media type application/vnd.dev.cosign.simplesigning.v1+json with a
     `dev.cosignproject.cosign/signature` annotation: fetch the payload blob, check it hashes
     to the layer's digest and size, check the payload's critical.type,
     critical.image.docker-manifest-digest (the image's digest) and
     critical.identity.docker-reference (the image's HOST/REPO), then
     `openssl dgst -sha256 -verify PUB -signature SIG.der PAYLOAD`.

Verified when one layer passes every check. Exit 0 and "verified: ..." when verified; exit 1 and a
one-line reason otherwise. Plain HTTP: the registries of the tests listen on 127.0.0.1.

Usage: cosign_verify.py REGISTRY REPOSITORY (TAG | sha256:HEX) PUB.pem
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

ACCEPT = ", ".join([
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])
PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
ANNOTATION = "dev.cosignproject.cosign/signature"
SIGNATURE_TYPE = "cosign container image signature"


class Rejected(Exception):
    pass


def get(url, accept=None):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise Rejected(f"GET {url}: HTTP {e.code}")
    except urllib.error.URLError as e:
        raise Rejected(f"GET {url}: {e.reason}")


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def check_layer(base, layer, image_ref, digest, public_key, work):
    """None when the layer is a valid signature of `digest`; else why not."""
    if layer.get("mediaType") != PAYLOAD_TYPE:
        return f"layer media type is {layer.get('mediaType')!r}, not {PAYLOAD_TYPE}"
    signature_b64 = layer.get("annotations", {}).get(ANNOTATION)
    if not signature_b64:
        return f"layer has no {ANNOTATION} annotation"
    payload = get(f"{base}/blobs/{layer['digest']}")
    if payload is None:
        return f"payload blob {layer['digest']} is missing"
    if sha256(payload) != layer["digest"] or len(payload) != layer.get("size"):
        return f"payload blob does not match its descriptor {layer['digest']}"
    try:
        critical = json.loads(payload)["critical"]
        signed_digest = critical["image"]["docker-manifest-digest"]
        signed_ref = critical["identity"]["docker-reference"]
        signed_type = critical["type"]
    except (ValueError, KeyError, TypeError) as e:
        return f"payload is not a simple-signing document ({e!r})"
    if signed_type != SIGNATURE_TYPE:
        return f"payload type is {signed_type!r}"
    if signed_digest != digest:
        return f"payload signs {signed_digest}, not the image's {digest}"
    if signed_ref != image_ref:
        return f"payload names {signed_ref}, not {image_ref}"
    try:
        der = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return "the signature annotation is not base64"
    payload_file = os.path.join(work, "payload")
    signature_file = os.path.join(work, "signature.der")
    with open(payload_file, "wb") as f:
        f.write(payload)
    with open(signature_file, "wb") as f:
        f.write(der)
    result = subprocess.run(
        ["openssl", "dgst", "-sha256", "-verify", public_key, "-signature", signature_file,
         payload_file], capture_output=True, text=True)
    if result.returncode != 0:
        return "openssl: " + (result.stdout + result.stderr).strip().splitlines()[0]
    return None


def verify(registry, repository, reference, public_key):
    base = f"http://{registry}/v2/{repository}"
    if reference.startswith("sha256:"):
        digest = reference
    else:
        manifest = get(f"{base}/manifests/{reference}", ACCEPT)
        if manifest is None:
            raise Rejected(f"no image under the tag {reference}")
        digest = sha256(manifest)
    tag = digest.replace(":", "-") + ".sig"
    signatures = get(f"{base}/manifests/{tag}", ACCEPT)
    if signatures is None:
        raise Rejected(f"no signature: the tag {tag} does not exist")
    try:
        layers = json.loads(signatures)["layers"]
    except (ValueError, KeyError, TypeError):
        raise Rejected(f"the tag {tag} holds no image manifest")
    reasons = []
    with tempfile.TemporaryDirectory() as work:
        for layer in layers:
            why = check_layer(base, layer, f"{registry}/{repository}", digest, public_key, work)
            if why is None:
                return digest, len(layers)
            reasons.append(why)
    raise Rejected("no valid signature: " + "; ".join(reasons or ["the manifest has no layers"]))


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    registry, repository, reference, public_key = sys.argv[1:]
    try:
        digest, count = verify(registry, repository, reference, public_key)
    except Rejected as e:
        print(f"rejected: {e}")
        return 1
    print(f"verified: {registry}/{repository}@{digest} ({count} signature(s) under the tag)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
