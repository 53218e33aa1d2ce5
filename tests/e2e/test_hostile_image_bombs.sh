# Memory bombs in image archives: scanning them stays within bounded memory and time. A 30 KB
# archive of one 1 MiB file and 2,000 hard links to it used to take 4.1 GB of memory (every link
# a copy); a header claiming a 1 TiB file used to be allocated. Each scan runs under a timeout
# and an address-space cap, and its peak RSS is checked.
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
source "$E2E_DIR/lib.sh"
hostile() { python3 "$E2E_DIR/hostile_image.py" "$@"; }
# Peak RSS must stay under 200 MB; 4 GiB of address space is the hard stop if it does not.
scan_capped() {
  capture timeout 120 /usr/bin/time -v prlimit --as=$((4 << 30)) "$SCRATCHPACK" scan "$@"
  RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/.err")
  [ -n "$RSS_KB" ] || fail "no RSS figure in: $ERR"
}

step "a hard-link bomb: one 1 MiB file, 2,000 hard links"
hostile hardlink-bomb bomb.tar
echo "archive: $(stat -c %s bomb.tar) bytes"
scan_capped bomb.tar
echo "peak RSS: $RSS_KB KiB"
assert_eq 1 "$RC" "exit code ($OUT $ERR)" # scanned: the image has no /hello
assert_contains "$OUT" "(2001 non-ELF files skipped)" "every link is an entry"
[ "$RSS_KB" -lt 204800 ] || fail "peak RSS $RSS_KB KiB (limit 200 MB)"

step "the hard links are counted: --max-hardlinks"
scan_capped bomb.tar --max-hardlinks 1999
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: bomb.tar: more than 1999 hard links in the image's layers (layer sha256:" "message"
assert_contains "$ERR" "hint: raise the limit with --max-hardlinks if the image is trusted" "hint"

step "a header claiming a 1 TiB file is not allocated"
hostile huge-header huge
scan_capped huge
echo "peak RSS: $RSS_KB KiB"
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "error: huge: file /huge is 1099511627776 bytes, more than 8 GiB (layer sha256:" "message"
assert_contains "$ERR" "hint: raise the limit with --max-entry-size if the image is trusted" "hint"
[ "$RSS_KB" -lt 204800 ] || fail "peak RSS $RSS_KB KiB (limit 200 MB)"

step "raised, the limit lets the scan read on: the data simply is not there"
scan_capped huge --max-entry-size 2048G
assert_eq 2 "$RC" "exit code ($OUT $ERR)"
assert_contains "$ERR" "file /huge is truncated" "message"
[ "$RSS_KB" -lt 204800 ] || fail "peak RSS $RSS_KB KiB (limit 200 MB)"
echo "ok"
