#!/usr/bin/env bash
# scripts/distccd.sh [PORT]: a distcc server on 127.0.0.1:PORT (default 3632) for trying
# `scratchpack build --distribute=127.0.0.1:PORT/2` on one machine (docs/distributed.md). Runs in
# the foreground until Ctrl-C; clang-19 is allowed through DISTCC_CMDLIST; its log and command
# list are in a temporary directory, removed on exit. Listens and allows loopback only.
set -euo pipefail
port=${1:-3632}
command -v distccd >/dev/null || { echo "error: distccd not found; hint: apt-get install distcc" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Started as root, distccd runs as `nobody`: it must reach its log and its command list.
chmod 755 "$dir"
echo clang-19 >"$dir/commands"
: >"$dir/distccd.log"
chmod 666 "$dir/distccd.log"
echo "distccd on 127.0.0.1:$port (log: $dir/distccd.log); Ctrl-C stops it" >&2
DISTCC_CMDLIST=$dir/commands distccd --daemon --no-detach --listen 127.0.0.1 --allow 127.0.0.1 \
  --port "$port" --log-file "$dir/distccd.log" --log-level info
