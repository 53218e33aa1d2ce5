#!/usr/bin/env python3
"""Writes the seed archives of fuzz_layout into OUTDIR: small image archives of every shape the
layout reader knows (OCI archive with a gzip or plain layer, compressed outer archive, nested
index of two platforms, docker-archive with layer symlinks, both formats over one set of blobs).
Binary, so generated at test time instead of committed; deterministic (fixed mtimes, owners and
order), so a finding reproduces. Each archive stays under 16 KiB (the fuzzer's -max_len)."""
import gzip
import hashlib
import io
import json
import sys
import tarfile


def tar_bytes(members, fmt=tarfile.USTAR_FORMAT):
    """members: (name, kind, payload) with kind file/dir/symlink/hardlink. No padding past the
    end-of-archive blocks, so the seeds stay small."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            info.uname = info.gname = ""
            if kind == "file":
                info.size = len(payload)
                info.mode = 0o755 if payload.startswith((b"\x7fELF", b"#!")) else 0o644
                tar.addfile(info, io.BytesIO(payload))
                continue
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, payload
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, payload
            tar.addfile(info)
        end = tar.offset
    return buf.getvalue()[: end + 1024]


def gz(data):
    return gzip.compress(data, mtime=0)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def doc(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


ELF_HEAD = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\x3e\x00" + bytes(44)


def layer_tar():
    return tar_bytes([
        ("app", "dir", None),
        ("app/hello", "file", ELF_HEAD + b"\x00" * 200),
        ("app/run.sh", "file", b"#!/bin/sh\nexec /app/hello\n"),
        ("app/hello2", "hardlink", "app/hello"),
        ("bin", "symlink", "app"),
        ("etc/.wh..wh..opq", "file", b""),
        (".wh.old", "file", b""),
        ("etc/passwd", "file", b"root:x:0:0::/:/app/hello\n"),
    ], fmt=tarfile.GNU_FORMAT)


def config(arch):
    return doc({
        "architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": []},
        "config": {"Entrypoint": ["/app/hello"], "Env": ["PATH=/app"], "User": "65532"},
    })


def descriptor(media_type, data, **extra):
    d = {"mediaType": media_type, "digest": "sha256:" + sha(data), "size": len(data)}
    d.update(extra)
    return d


MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"


def image(arch, layer, layer_type):
    """(manifest bytes, {blob name: bytes}) of a one-layer image."""
    cfg = config(arch)
    manifest = doc({"schemaVersion": 2, "mediaType": MANIFEST,
                    "config": descriptor(CONFIG, cfg), "layers": [descriptor(layer_type, layer)]})
    blobs = {sha(b): b for b in (cfg, layer, manifest)}
    return manifest, blobs


def oci_archive(layer, layer_type, docker_too=False):
    manifest, blobs = image("amd64", layer, layer_type)
    index = doc({"schemaVersion": 2, "mediaType": INDEX, "manifests": [descriptor(
        MANIFEST, manifest, platform={"architecture": "amd64", "os": "linux"},
        annotations={"org.opencontainers.image.ref.name": "hello:1"})]})
    members = [("oci-layout", "file", b'{"imageLayoutVersion":"1.0.0"}'),
               ("index.json", "file", index), ("blobs", "dir", None),
               ("blobs/sha256", "dir", None)]
    members += [("blobs/sha256/" + h, "file", b) for h, b in sorted(blobs.items())]
    if docker_too:
        m = json.loads(manifest)
        members.append(("manifest.json", "file", doc([{
            "Config": "blobs/sha256/" + m["config"]["digest"][7:], "RepoTags": ["hello:1"],
            "Layers": ["blobs/sha256/" + m["layers"][0]["digest"][7:]]}])))
    return tar_bytes(members)


def nested_index():
    blobs = {}
    entries = []
    layer = gz(layer_tar())
    for arch in ("amd64", "arm64"):
        manifest, b = image(arch, layer, LAYER_GZ)
        blobs.update(b)
        entries.append(descriptor(MANIFEST, manifest,
                                  platform={"architecture": arch, "os": "linux"}))
    inner = doc({"schemaVersion": 2, "mediaType": INDEX, "manifests": entries})
    blobs[sha(inner)] = inner
    index = doc({"schemaVersion": 2, "manifests": [descriptor(INDEX, inner)]})
    members = [("index.json", "file", index)]
    members += [("blobs/sha256/" + h, "file", b) for h, b in sorted(blobs.items())]
    return tar_bytes(members)


def docker_archive():
    """As older `docker save` writes it: <id>.json configs, <id>/layer.tar, a layer that is a
    symlink to another, repositories."""
    cfg = config("amd64")
    layer = layer_tar()
    upper = tar_bytes([("app/.wh.run.sh", "file", b""), ("tmp", "dir", None)])
    cid, lid, uid = sha(cfg)[:12], sha(layer)[:12], sha(upper)[:12]
    manifest = doc([{"Config": cid + ".json", "RepoTags": ["hello:1", "hello:latest"],
                     "Layers": [lid + "/layer.tar", uid + "/layer.tar", "dup/layer.tar"]}])
    return tar_bytes([
        (cid + ".json", "file", cfg),
        (lid + "/layer.tar", "file", layer),
        (uid + "/layer.tar", "file", upper),
        ("dup/layer.tar", "symlink", "../" + lid + "/layer.tar"),
        ("manifest.json", "file", manifest),
        ("repositories", "file", doc({"hello": {"1": lid}})),
    ])


def main():
    out = sys.argv[1]
    plain = layer_tar()
    seeds = {
        "oci-gzip-layer.tar": oci_archive(gz(plain), LAYER_GZ),
        "oci-plain-layer.tar": oci_archive(plain, LAYER_TAR),
        "oci-and-docker.tar": oci_archive(plain, LAYER_TAR, docker_too=True),
        "oci-nested-index.tar": nested_index(),
        "docker-archive.tar": docker_archive(),
    }
    seeds["oci-gzip-layer.tar.gz"] = gz(seeds["oci-gzip-layer.tar"])
    for name, data in seeds.items():
        assert len(data) <= 16384, (name, len(data))
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
