#!/usr/bin/env python3
"""Builds hostile image layouts and archives for the tests/e2e/test_hostile_image_*.sh tests.

Everything is made at test time from a few bytes of Python, nothing binary is committed.

Usage: hostile_image.py KIND OUT [ARG]

Kinds (OUT is a directory unless it ends in .tar):
  dotdot-layer     docker-archive-style directory (oci-layout, manifest.json, no index.json)
                   whose manifest.json names its layer "../../../../dev/zero"
  dotdot-config    the same shape, Config "../secret.json" (OUT/../secret.json is written)
  absolute-layer   the same shape, a layer named by an absolute path (ARG, default /dev/zero)
  symlink-config   OCI layout whose config blob is a symlink to ARG (a file outside it)
  symlink-layer    OCI layout whose layer blob is a symlink to ARG
  fifo-layer       OCI layout whose layer blob is a fifo
  symlink-blob     OCI layout whose layer blob is a symlink to ARG, and named (digest and
                   size) after ARG's bytes, so pushing it would upload ARG
  wrong-size       OCI layout whose layer descriptor says one byte less than the blob has
  wrong-digest     OCI layout whose layer blob holds bytes of another digest
  hardlink-bomb    archive: one layer of one 1 MiB file and 2,000 hard links to it (gzip)
  huge-header      OCI layout with a layer whose tar header claims a 1 TiB file
  many-entries     archive: one layer of ARG (default 300) empty files
  nested-index     OCI layout whose index.json nests ARG (default 6) indexes above the image
  big-config       OCI layout whose config is ARG (default 8192) bytes long
  archive-dotdot   archive whose manifest.json names "../outside.tar" as a layer (and
                   holds a member called "../outside.tar")
  archive-symlink  archive whose layer member is a symlink to /etc/passwd
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"
LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def sha(data):
    return hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def config_bytes(pad=0):
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/hello"]},
        "rootfs": {"type": "layers", "diff_ids": []},
    }
    if pad:
        config["config"]["Labels"] = {"pad": ""}
        base = len(canonical(config))
        config["config"]["Labels"]["pad"] = "x" * max(0, pad - base)
    return canonical(config)


def layer_tar(members):
    """members: list of (TarInfo, bytes or None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def file_member(name, data, mode=0o755):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    return info, data


def hello_layer():
    return layer_tar([file_member("hello", b"#!/bin/sh\necho hi\n")])


def descriptor(media_type, data):
    return {"mediaType": media_type, "digest": "sha256:" + sha(data), "size": len(data)}


class Layout:
    """An OCI layout directory being written."""

    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        self.write("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')

    def write(self, name, data):
        with open(os.path.join(self.root, name), "wb") as f:
            f.write(data)

    def blob_path(self, hex_digest):
        return os.path.join(self.root, "blobs", "sha256", hex_digest)

    def blob(self, data):
        with open(self.blob_path(sha(data)), "wb") as f:
            f.write(data)
        return sha(data)

    def image(self, config, layers, layer_type=LAYER):
        """Writes config, layers and the manifest; returns the manifest's descriptor."""
        self.blob(config)
        for layer in layers:
            self.blob(layer)
        manifest = canonical({
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": descriptor(CONFIG, config),
            "layers": [descriptor(layer_type, l) for l in layers],
        })
        self.blob(manifest)
        return descriptor(MANIFEST, manifest)

    def index(self, manifests):
        self.write("index.json", canonical({"schemaVersion": 2, "manifests": manifests}))


def docker_dir(root, config_name, layer_names):
    """A docker-archive-style directory: oci-layout and manifest.json, no index.json."""
    layout = Layout(root)
    config = config_bytes()
    layout.blob(config)
    layout.write("manifest.json", json.dumps([{
        "Config": config_name if config_name else "blobs/sha256/" + sha(config),
        "RepoTags": ["hostile:latest"],
        "Layers": layer_names,
    }]).encode())
    return layout


def oci_dir(root, layers=None, config=None, layer_type=LAYER):
    layout = Layout(root)
    layers = [hello_layer()] if layers is None else layers
    d = layout.image(config or config_bytes(), layers, layer_type)
    layout.index([d])
    return layout, d


def write_archive(out, files):
    """files: list of (name, bytes) or (TarInfo, None); an uncompressed outer archive."""
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            if isinstance(name, tarfile.TarInfo):
                t.addfile(name)
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))


def archive_of(layers, layer_type, config=None):
    """An OCI + docker archive's members for one image."""
    config = config or config_bytes()
    files = [("blobs/sha256/" + sha(config), config)]
    for layer in layers:
        files.append(("blobs/sha256/" + sha(layer), layer))
    manifest = canonical({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": descriptor(CONFIG, config),
        "layers": [descriptor(layer_type, l) for l in layers],
    })
    files.append(("blobs/sha256/" + sha(manifest), manifest))
    files.append(("index.json", canonical({"schemaVersion": 2,
                                           "manifests": [descriptor(MANIFEST, manifest)]})))
    files.append(("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'))
    files.append(("manifest.json", json.dumps([{
        "Config": "blobs/sha256/" + sha(config),
        "RepoTags": ["hostile:latest"],
        "Layers": ["blobs/sha256/" + sha(l) for l in layers],
    }]).encode()))
    return files


def hardlink_bomb_layer(links=2000, size=1 << 20):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        info, data = file_member("big", b"\0" * size, 0o644)
        t.addfile(info, io.BytesIO(data))
        for i in range(links):
            link = tarfile.TarInfo("link%05d" % i)
            link.type = tarfile.LNKTYPE
            link.linkname = "big"
            t.addfile(link)
    return gzip.compress(buf.getvalue(), 9, mtime=0)


def huge_header_layer():
    info = tarfile.TarInfo("huge")
    info.size = 1 << 40
    info.mode = 0o755
    header = info.tobuf(format=tarfile.PAX_FORMAT)
    return header + b"\x7fELF" + b"\0" * 508  # the data stops long before 1 TiB


def main():
    kind, out = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    if kind == "dotdot-layer":
        docker_dir(out, None, ["../../../../dev/zero"])
    elif kind == "dotdot-config":
        with open(os.path.join(os.path.dirname(os.path.abspath(out)), "secret.json"), "w") as f:
            json.dump({"architecture": "amd64", "os": "linux",
                       "config": {"Cmd": ["HOST-SECRET-CONTENT"]},
                       "rootfs": {"type": "layers", "diff_ids": []}}, f)
        docker_dir(out, "../secret.json", [])
    elif kind == "absolute-layer":
        docker_dir(out, None, [arg or "/dev/zero"])
    elif kind == "symlink-config":
        layout, d = oci_dir(out)
        manifest = json.load(open(layout.blob_path(d["digest"][7:])))
        path = layout.blob_path(manifest["config"]["digest"][7:])
        os.remove(path)
        os.symlink(arg, path)
    elif kind == "symlink-layer":
        layer = hello_layer()
        layout, _ = oci_dir(out, [layer])
        os.remove(layout.blob_path(sha(layer)))
        os.symlink(arg, layout.blob_path(sha(layer)))
    elif kind == "fifo-layer":
        layer = hello_layer()
        layout, _ = oci_dir(out, [layer])
        os.remove(layout.blob_path(sha(layer)))
        os.mkfifo(layout.blob_path(sha(layer)))
    elif kind == "symlink-blob":
        secret = open(arg, "rb").read()
        layout, _ = oci_dir(out, [secret])
        os.remove(layout.blob_path(sha(secret)))
        os.symlink(os.path.abspath(arg), layout.blob_path(sha(secret)))
    elif kind == "wrong-size":
        layer = hello_layer()
        layout = Layout(out)
        config = config_bytes()
        layout.blob(config)
        layout.blob(layer)
        bad = descriptor(LAYER, layer)
        bad["size"] -= 1
        manifest = canonical({"schemaVersion": 2, "mediaType": MANIFEST,
                              "config": descriptor(CONFIG, config), "layers": [bad]})
        layout.blob(manifest)
        layout.index([descriptor(MANIFEST, manifest)])
    elif kind == "wrong-digest":
        layer = hello_layer()
        layout, _ = oci_dir(out, [layer])
        with open(layout.blob_path(sha(layer)), "wb") as f:
            f.write(layer_tar([file_member("hello", b"#!/bin/sh\necho HI\n")]))
    elif kind == "hardlink-bomb":
        write_archive(out, archive_of([hardlink_bomb_layer()], LAYER_GZIP))
    elif kind == "huge-header":
        oci_dir(out, [huge_header_layer()])
    elif kind == "many-entries":
        n = int(arg or 300)
        write_archive(out, archive_of([layer_tar([file_member("f%06d" % i, b"")
                                                  for i in range(n)])], LAYER))
    elif kind == "nested-index":
        layout, d = oci_dir(out)
        for _ in range(int(arg or 6)):
            index = canonical({"schemaVersion": 2, "mediaType": INDEX, "manifests": [d]})
            layout.blob(index)
            d = descriptor(INDEX, index)
        layout.index([d])
    elif kind == "big-config":
        oci_dir(out, config=config_bytes(int(arg or 8192)))
    elif kind == "archive-dotdot":
        files = archive_of([hello_layer()], LAYER)
        files = [(n, d) if n != "manifest.json" else (n, json.dumps([{
            "Config": json.loads(d)[0]["Config"], "Layers": ["../outside.tar"]}]).encode())
            for n, d in files if n not in ("index.json", "oci-layout")]
        files.append(("../outside.tar", hello_layer()))
        write_archive(out, files)
    elif kind == "archive-symlink":
        layer = hello_layer()
        files = [(n, d) for n, d in archive_of([layer], LAYER) if n != "blobs/sha256/" + sha(layer)]
        link = tarfile.TarInfo("blobs/sha256/" + sha(layer))
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        files.insert(0, (link, None))
        write_archive(out, files)
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
