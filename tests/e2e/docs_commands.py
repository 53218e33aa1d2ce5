#!/usr/bin/env python3
"""Extracts what tests/e2e/test_docs_commands.sh checks from README.md and docs/*.md.

Two markers, each an HTML comment (invisible on GitHub) on the line before a fenced block:

  <!-- docs-test: run -->           every line of the ```sh block below is a command that must
                                    succeed, run in order in one scratch directory laid out like
                                    a checkout (examples/* at its top, manifests/examples/);
                                    a line ending in \\ continues on the next.
  <!-- docs-test: synopsis CMD -->  the block is CMD's synopsis: it must name every flag that
                                    `scratchpack CMD --help` lists.

The `# Try it: COMMAND` comments of manifests/examples/*.yaml are run as well.

Usage: docs_commands.py SOURCE_DIR commands   -> one command a line (FILE:LINE<TAB>COMMAND)
       docs_commands.py SOURCE_DIR synopses   -> one block a line (FILE:LINE<TAB>CMD<TAB>TEXT)
"""
import glob
import os
import re
import sys

MARK = re.compile(r"^<!-- docs-test: (run|synopsis (\w+)) -->\s*$")


def blocks(path):
    """(line number, kind, command, lines of the block) for every marked block of a file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        i += 1
        if not m:
            continue
        if i >= len(lines) or not lines[i].startswith("```"):
            sys.exit(f"{path}:{i}: a docs-test marker must be followed by a fenced block")
        start = i + 1
        end = start
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        kind = m.group(1).split()[0]
        yield start + 1, kind, m.group(2), lines[start:end]
        i = end + 1


def commands(root):
    docs = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    for path in docs:
        rel = os.path.relpath(path, root)
        for first, kind, _, body in blocks(path):
            if kind != "run":
                continue
            pending, at = "", first
            for n, line in enumerate(body):
                if not pending:
                    at = first + n
                if line.endswith("\\"):
                    pending += line[:-1]
                    continue
                cmd = (pending + line).strip()
                pending = ""
                if cmd and not cmd.startswith("#"):
                    yield f"{rel}:{at}", cmd
    for path in sorted(glob.glob(os.path.join(root, "manifests", "examples", "*.yaml"))):
        rel = os.path.relpath(path, root)
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            m = re.match(r"^# Try it: (.+)$", line.rstrip("\n"))
            if m:
                yield f"{rel}:{n}", m.group(1)


def synopses(root):
    docs = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    for path in docs:
        rel = os.path.relpath(path, root)
        for first, kind, cmd, body in blocks(path):
            if kind == "synopsis":
                yield f"{rel}:{first}", cmd, " ".join(body)


if __name__ == "__main__":
    root, what = sys.argv[1], sys.argv[2]
    if what == "commands":
        for where, cmd in commands(root):
            print(f"{where}\t{cmd}")
    else:
        for where, cmd, text in synopses(root):
            print(f"{where}\t{cmd}\t{text}")
