// A tiny TCP server: every connection gets the greeting and is closed.
#include "greeting.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int port = 8080;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[i + 1]);
    }
  }
  std::string reply = load_greeting(std::getenv("APP_CONFIG")) + "\n";
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd, 16) != 0) {
    std::cerr << "server: cannot listen on port " << port << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  std::cout << "server: listening on port " << port << std::endl;
  while (true) {
    int client = accept(fd, nullptr, nullptr);
    if (client >= 0) {
      (void)write(client, reply.data(), reply.size());
      close(client);
    }
  }
}
