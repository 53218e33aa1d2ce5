#!/usr/bin/env python3
"""Fails when a source file includes what its folder may not depend on.

The table is docs/ARCHITECTURE.md's dependency graph:
cli → pipeline → {toolchain, toolchain/scan, packager, publish, manifests, runtime-stub} → util.
Stages never include each other sideways, and each outside library's headers are included only
in the folder that owns that dependency (LLVM in toolchain/lld, libcurl in publish…).

Usage: scripts/check_includes.py [ROOT]   (exit 0: clean; 1: forbidden includes, one per line)
"""
import os
import re
import sys

# Folder → project folders it may include (its own is always allowed). The longest matching
# folder prefix decides, so toolchain/scan and toolchain/lld have rules of their own.
PROJECT = {
    "util": [],
    "toolchain/scan": ["util"],
    "toolchain/lld": [],
    "toolchain": ["util", "toolchain/scan"],
    "packager": ["util"],
    "publish": ["util", "packager"],
    "manifests": ["util"],
    "runtime-stub": [],
    "pipeline": ["util", "toolchain", "toolchain/scan", "packager", "publish", "manifests",
                 "runtime-stub"],
    "cli": ["util", "toolchain", "toolchain/scan", "packager", "publish", "manifests",
            "runtime-stub", "pipeline"],
}

# Outside headers (by the first path component or file name) → the only folders that may include
# them. Headers not listed (the standard library, POSIX) are free for all.
EXTERNAL = {
    "llvm": ["toolchain/lld"],
    "lld": ["toolchain/lld"],
    "clang": ["toolchain/lld"],
    "curl": ["publish"],
    # toolchain reads ar archives with it (materials.cpp: the members an SBOM names).
    "archive.h": ["packager", "toolchain"],
    "archive_entry.h": ["packager", "toolchain"],
    "zlib.h": ["packager"],
    "zstd.h": ["packager"],
    "isa-l": ["packager"],
    "yaml-cpp": ["manifests"],
    "CLI": ["cli"],
    "openssl": ["util", "packager", "publish"],
    "doctest": [],
}

SOURCE = re.compile(r"\.(c|cc|cpp|h|hpp)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def folder_of(rel):
    """The rule folder of a file path relative to the root, or None when unchecked."""
    best = None
    for folder in PROJECT:
        if rel.startswith(folder + "/") and (best is None or len(folder) > len(best)):
            best = folder
    return best


def project_folder(header):
    """The project folder a quoted include names ("toolchain/scan/scanner.h" → toolchain/scan)."""
    return folder_of(header)


def check_file(root, rel):
    folder = folder_of(rel)
    problems = []
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, header = m.groups()
            target = project_folder(header) if kind == '"' else None
            if target is not None:
                if target != folder and target not in PROJECT[folder]:
                    problems.append(f"{rel}:{number}: {folder}/ may not include {header} "
                                    f"({target}/ is not among its dependencies)")
                continue
            first = header.split("/")[0]
            owners = EXTERNAL.get(first, EXTERNAL.get(header))
            if owners is not None and folder not in owners:
                where = ", ".join(o + "/" for o in owners) or "tests only"
                problems.append(f"{rel}:{number}: {folder}/ may not include <{header}> "
                                f"(only {where})")
    return problems


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    problems = []
    for folder in sorted(PROJECT):
        top = os.path.join(root, folder)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                if SOURCE.search(name):
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    if folder_of(rel) == folder:
                        problems.extend(check_file(root, rel))
    for p in problems:
        print(p)
    if problems:
        print(f"check_includes: {len(problems)} forbidden include(s); "
              "docs/ARCHITECTURE.md lists what each folder may depend on")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
