/* Exits 0 when the server on 127.0.0.1:8080 (or the port given) answers, 1 otherwise. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int port = argc > 1 ? atoi(argv[1]) : 8080;
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  char byte;
  if (fd < 0 || connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0 || read(fd, &byte, 1) != 1) {
    return 1;
  }
  close(fd);
  return 0;
}
