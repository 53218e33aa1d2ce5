#include "pipeline/gate.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::pipeline;

TEST_CASE("pipeline.gate: a trap symbol is traced to the member outside libc that pulled it in") {
  // lld's --why-extract table: libcrypto's bio_addr.o pulls getaddrinfo.o out of libc.a, which
  // pulls gethostbyname2_r's member in; the program's own object calls dlopen.
  std::string why = "reference\textracted\tsymbol\n"
                    "/x/crt1.o\t/x/libc.a(libc-start.o)\t__libc_start_main\n"
                    "/o/0-main.o\t/s/libcrypto.a(bio_addr.o)\tBIO_lookup\n"
                    "/s/libcrypto.a(bio_addr.o)\t/x/libc.a(getaddrinfo.o)\tgetaddrinfo\n"
                    "/x/libc.a(getaddrinfo.o)\t/x/libc.a(gethstbynm2_r.o)\tgethostbyname2_r\n"
                    "/o/0-main.o\t/x/libc.a(dlopen.o)\tdlopen\n";
  CHECK(trap_origin(why, "getaddrinfo") == "libcrypto.a(bio_addr.o), which calls getaddrinfo");
  // Through the C library's own members, to the first reference outside it.
  CHECK(trap_origin(why, "gethostbyname2_r") == "libcrypto.a(bio_addr.o), which calls getaddrinfo");
  CHECK(trap_origin(why, "dlopen") == "0-main.o, which calls dlopen");
  // Not in the table, or only the C library's start-up: nothing to say.
  CHECK(trap_origin(why, "iconv_open").empty());
  CHECK(trap_origin(why, "__libc_start_main").empty());
  CHECK(trap_origin("", "getaddrinfo").empty());
}
