# --nonroot --ca-certs --tzdata --tmp: the process runs as 65532:65532 and the files are there.
source "$(dirname "$0")/lib.sh"
podman_setup

cat > whoami.c <<'C'
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
static int has(const char* p) { struct stat st; return stat(p, &st) == 0; }
int main(void) {
  char line[256] = "";
  FILE* f = fopen("/etc/passwd", "r");
  while (f && fgets(line, sizeof line, f) && strncmp(line, "nonroot:", 8) != 0) {}
  struct stat tmp = {0};
  stat("/tmp", &tmp);
  printf("uid=%d gid=%d certs=%d utc=%d berlin=%d tmp=%o passwd=%s", (int)getuid(), (int)getgid(),
         has("/etc/ssl/certs/ca-certificates.crt"), has("/usr/share/zoneinfo/UTC"),
         has("/usr/share/zoneinfo/Europe/Berlin"), (unsigned)(tmp.st_mode & 07777), line);
  return 0;
}
C
"$SCRATCHPACK" build whoami.c --libc musl --nonroot --ca-certs --tzdata --tmp >/dev/null
capture podman run --rm --network=none oci-archive:out/whoami.tar
assert_eq 0 "$RC" "exit code ($ERR)"
assert_eq "uid=65532 gid=65532 certs=1 utc=1 berlin=1 tmp=1777 passwd=nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" "$OUT" "what the process sees"

cfg=$(skopeo inspect --config oci-archive:out/whoami.tar)
python3 -c 'import json,sys; c=json.loads(sys.argv[1]); assert c["config"]["User"]=="65532:65532", c; assert len(c["rootfs"]["diff_ids"])==2, c' "$cfg" ||
  fail "config: $cfg"
echo "ok"
