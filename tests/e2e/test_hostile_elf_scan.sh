# A crafted ELF must not make a scan cost sections × size: thousands of allocated sections laid
# over the same code (and as many .gnu.warning.dlopen sections) are scanned once each byte. The
# scan of such a file finishes in seconds (before, minutes), with the same findings as the
# original.
source "$(dirname "$0")/lib.sh"

printf '#include <dlfcn.h>\nint main(void) { return dlopen("x.so", RTLD_NOW) != 0; }\n' > dl.c
"$SCRATCHPACK" build dl.c --format none --no-scan -o dl >/dev/null 2>&1 || fail "building dl.c"

step "32,000 copies of .text and of .gnu.warning.dlopen in the section table"
python3 - out/dl crafted <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
assert data[4] == 2 and data[5] == 1, "ELF64 little-endian expected"
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
headers = [bytes(data[shoff + i * shentsize: shoff + (i + 1) * shentsize]) for i in range(shnum)]
strtab_off = struct.unpack_from("<Q", headers[shstrndx], 0x18)[0]
def name(h):
    n = struct.unpack_from("<I", h, 0)[0]
    end = data.index(0, strtab_off + n)
    return data[strtab_off + n:end].decode()
text = next(h for h in headers if name(h) == ".text")
warn = next(h for h in headers if name(h) == ".gnu.warning.dlopen")
extra = [text, warn] * 32000
table = b"".join(headers + extra)
new_off = len(data) + (-len(data)) % 8
data += b"\0" * (new_off - len(data)) + table
struct.pack_into("<Q", data, 0x28, new_off)
struct.pack_into("<H", data, 0x3C, len(headers) + len(extra))
open(sys.argv[2], "wb").write(data)
PY
chmod +x crafted

step "the crafted file scans in bounded time, with the original's findings"
start=$(date +%s%N)
capture timeout 60 "$SCRATCHPACK" scan crafted --json
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$RC" != 124 ] || fail "the scan did not finish within 60 s"
[ "$elapsed" -lt 20000 ] || fail "the scan took $elapsed ms"
codes() { python3 -c 'import json,sys; print(" ".join(sorted(set(f["code"] for x in json.load(sys.stdin)["files"] for f in x["findings"]))))'; }
crafted_codes=$(printf '%s' "$OUT" | codes)
original_codes=$("$SCRATCHPACK" scan out/dl --json | codes || true)
assert_eq "$original_codes" "$crafted_codes" "findings of the crafted file"
assert_contains "$crafted_codes" "glibc.dlopen" "the dlopen call is still found"
echo ok
