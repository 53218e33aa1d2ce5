# glibc.nss says what a static glibc really does: files and dns are built in, so getpwnam reads
# /etc/passwd (--nonroot adds it) and getaddrinfo reads /etc/hosts and /etc/resolv.conf (podman
# mounts them). The claims are checked by running the program, with and without those files.
source "$(dirname "$0")/lib.sh"
podman_setup

cat > lookup.c <<'C'
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/socket.h>
int main(void) {
  struct passwd* pw = getpwnam("nonroot");
  if (pw) {
    printf("getpwnam nonroot: uid=%d home=%s\n", (int)pw->pw_uid, pw->pw_dir);
  } else {
    printf("getpwnam nonroot: not found\n");
  }
  struct addrinfo hints = {0}, *res = 0;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo("localhost", NULL, &hints, &res);
  char addr[64] = "";
  if (rc == 0) {
    inet_ntop(AF_INET, &((struct sockaddr_in*)res->ai_addr)->sin_addr, addr, sizeof addr);
  }
  printf("getaddrinfo localhost: %s\n", rc == 0 ? addr : "failed");
  return 0;
}
C

step "the gate names the file each lookup reads, and prints one hint"
capture "$SCRATCHPACK" build lookup.c --nonroot
assert_eq 0 "$RC" "exit code ($ERR)"
skipped="; any other service /etc/nsswitch.conf names needs a libnss_*.so.2 module of the same glibc, which a scratch image does not have, and is skipped"
assert_contains "$ERR" "warning[glibc.nss] getpwnam (from lookup.c, which calls getpwnam): glibc looks this up through NSS, of which a static glibc has only the files and dns services built in: it reads /etc/passwd, which a scratch image has only when it is added (--nonroot adds it), and finds nothing without it$skipped" "getpwnam finding"
assert_contains "$ERR" "warning[glibc.nss] getaddrinfo (from lookup.c, which calls getaddrinfo): glibc looks this up through NSS, of which a static glibc has only the files and dns services built in: it reads /etc/hosts and the name servers in /etc/resolv.conf, which container runtimes (podman, docker, Kubernetes) mount into the container, and finds nothing without them$skipped" "getaddrinfo finding"
hint_lines=$(grep -c '^hint\[glibc.nss\]' <<<"$ERR" || true)
assert_eq 1 "$hint_lines" "hint[glibc.nss] lines"
assert_contains "$ERR" "hint[glibc.nss]: add the files the lookups read (--nonroot adds /etc/passwd and /etc/group, --add SRC:DEST any other) and name only files and dns in an /etc/nsswitch.conf, or build with --libc musl, which reads the same files without NSS" "the one hint"

step "in the --nonroot image both lookups work (podman mounts /etc/hosts)"
capture podman run --rm --network=none oci-archive:out/lookup.tar
assert_eq 0 "$RC" "exit code ($ERR)"
assert_eq "getpwnam nonroot: uid=65532 home=/home/nonroot
getaddrinfo localhost: 127.0.0.1" "$OUT" "lookups in the --nonroot image"

step "without the files they read, both find nothing, as the messages say"
"$SCRATCHPACK" build lookup.c --out bare >/dev/null 2>&1
capture podman run --rm --network=none --no-hosts oci-archive:bare/lookup.tar
assert_eq 0 "$RC" "exit code ($ERR)"
assert_eq "getpwnam nonroot: not found
getaddrinfo localhost: failed" "$OUT" "lookups without /etc/passwd and /etc/hosts"
echo "ok"
