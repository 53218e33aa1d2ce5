// Resolves a host name with getaddrinfo, the call behind every client library's connect():
// static glibc answers it through NSS, musl reads /etc/hosts and /etc/resolv.conf itself.
// Usage: resolve [HOST]   (default localhost); exit 1 when the name does not resolve.
#include <arpa/inet.h>
#include <cstdio>
#include <netdb.h>
#include <sys/socket.h>

int main(int argc, char** argv) {
  const char* host = argc > 1 ? argv[1] : "localhost";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host, "80", &hints, &found); rc != 0) {
    std::printf("getaddrinfo(%s): %s\n", host, gai_strerror(rc));
    return 1;
  }
  for (addrinfo* p = found; p; p = p->ai_next) {
    char text[INET6_ADDRSTRLEN] = "?";
    const void* addr =
        p->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr);
    inet_ntop(p->ai_family, addr, text, sizeof text);
    std::printf("%s %s\n", host, text);
  }
  freeaddrinfo(found);
  return 0;
}
