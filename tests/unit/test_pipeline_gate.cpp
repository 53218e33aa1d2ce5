#include "pipeline/gate.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::pipeline;

namespace {

// lld's --why-extract table: libcrypto's bio_addr.o pulls getaddrinfo.o out of libc.a, which
// pulls gethostbyname2_r's member in; the program's own object calls dlopen; libstdc++'s locale
// code (pulled in by the program's use of <iostream>) calls iconv_open.
const std::string k_why =
    "reference\textracted\tsymbol\n"
    "/x/crt1.o\t/x/libc.a(libc-start.o)\t__libc_start_main\n"
    "/o/0-main.o\t/s/libcrypto.a(bio_addr.o)\tBIO_lookup\n"
    "/s/libcrypto.a(bio_addr.o)\t/x/libc.a(getaddrinfo.o)\tgetaddrinfo\n"
    "/x/libc.a(getaddrinfo.o)\t/x/libc.a(gethstbynm2_r.o)\tgethostbyname2_r\n"
    "/o/0-main.o\t/x/libc.a(dlopen.o)\tdlopen\n"
    "/o/0-main.o\t/g/libstdc++.a(ios_init.o)\t_ZNSt8ios_base4InitC1Ev\n"
    "/g/libstdc++.a(ios_init.o)\t/g/libstdc++.a(numeric_members_cow.o)\tx\n"
    "/g/libstdc++.a(numeric_members_cow.o)\t/x/libc.a(iconv_open.o)\ticonv_open\n"
    "/o/0-main.o\t/x/libc.a(getpwnam.o)\tgetpwnam\n";

scan::Finding trap(std::string code, std::string message, scan::Severity severity) {
  return {std::move(code), severity, std::move(message), "the catalogue's hint"};
}

} // namespace

TEST_CASE("pipeline.gate: a trap symbol is traced to the member outside libc that pulled it in") {
  auto getaddrinfo = trap_origin(k_why, "getaddrinfo");
  REQUIRE(getaddrinfo);
  CHECK(*getaddrinfo == TrapOrigin{"/s/libcrypto.a(bio_addr.o)", "getaddrinfo", ""});
  CHECK(origin_text(*getaddrinfo, {}) == "libcrypto.a(bio_addr.o), which calls getaddrinfo");
  // Through the C library's own members, to the first reference outside it.
  auto gethostbyname = trap_origin(k_why, "gethostbyname2_r");
  REQUIRE(gethostbyname);
  CHECK(origin_text(*gethostbyname, {}) == "libcrypto.a(bio_addr.o), which calls getaddrinfo");
  // An object of the link line: by its source when the build says which, else by its name.
  auto dlopen = trap_origin(k_why, "dlopen");
  REQUIRE(dlopen);
  CHECK(*dlopen == TrapOrigin{"/o/0-main.o", "dlopen", ""});
  CHECK(origin_text(*dlopen, {}) == "0-main.o, which calls dlopen");
  CHECK(origin_text(*dlopen, {{"/o/0-main.o", "src/main.c"}}) == "src/main.c, which calls dlopen");
  // Not in the table, or only the C library's start-up: nothing to say.
  CHECK_FALSE(trap_origin(k_why, "getgrnam"));
  CHECK_FALSE(trap_origin(k_why, "__libc_start_main"));
  CHECK_FALSE(trap_origin("", "getaddrinfo"));
}

TEST_CASE("pipeline.gate: a chain that ends in the toolchain's own runtime is the runtime's") {
  auto iconv = trap_origin(k_why, "iconv_open");
  REQUIRE(iconv);
  CHECK(*iconv == TrapOrigin{"/g/libstdc++.a(numeric_members_cow.o)", "iconv_open", "libstdc++.a"});
  for (const char* runtime : {"libstdc++.a", "libsupc++.a", "libgcc.a", "libgcc_eh.a", "libc++.a",
                              "libc++abi.a", "libunwind.a"}) {
    CAPTURE(runtime);
    CHECK(toolchain_runtime(runtime));
  }
  // Libraries the user links (-l, pkg-config) are the program's.
  for (const char* library : {"libcrypto.a", "libxml2.a", "libstdc++fs.a", "libgcc_s.a", ""}) {
    CAPTURE(library);
    CHECK_FALSE(toolchain_runtime(library));
  }
}

TEST_CASE("pipeline.gate: attribution names the source, and demotes only the runtime's traps") {
  GateItem item;
  item.why_extract = k_why;
  item.object_sources = {{"/o/0-main.o", "main.cpp"}};
  scan::FileReport f;
  f.findings = {
      trap("glibc.iconv", "iconv_open: glibc converts most character sets …",
           scan::Severity::warning),
      trap("glibc.nss", "getpwnam: glibc looks this up through NSS …", scan::Severity::warning),
      // --strict made these errors.
      trap("glibc.dlopen", "dlopen: a static glibc program …", scan::Severity::error),
      trap("glibc.nss", "getaddrinfo: glibc looks this up …", scan::Severity::error),
      trap("elf.exec-stack", "getpwnam: not a trap", scan::Severity::warning),
  };
  scan::FileReport strict = f;
  strict.findings[0].severity = scan::Severity::error;
  attribute_traps(f, item);
  attribute_traps(strict, item);

  CHECK(f.findings[0] == scan::Finding{"glibc.iconv", scan::Severity::note,
                                       "iconv_open (from libstdc++.a(numeric_members_cow.o), "
                                       "which calls iconv_open): only libstdc++'s internals "
                                       "reach it, not the program's own code; glibc converts "
                                       "most character sets …",
                                       ""});
  // --strict does not make the runtime's trap the program's.
  CHECK(strict.findings[0] == f.findings[0]);
  CHECK(f.findings[1] == trap("glibc.nss",
                              "getpwnam (from main.cpp, which calls getpwnam): glibc looks this "
                              "up through NSS …",
                              scan::Severity::warning));
  CHECK(f.findings[2] ==
        trap("glibc.dlopen", "dlopen (from main.cpp, which calls dlopen): a static glibc program …",
             scan::Severity::error));
  CHECK(f.findings[3] == trap("glibc.nss",
                              "getaddrinfo (from libcrypto.a(bio_addr.o), which calls "
                              "getaddrinfo): glibc looks this up …",
                              scan::Severity::error));
  CHECK(f.findings[4] == trap("elf.exec-stack", "getpwnam: not a trap", scan::Severity::warning));
  CHECK(strict.count(scan::Severity::error) == 2);

  // Without the table (a CMake project's executable) nothing changes.
  scan::FileReport untouched = strict;
  untouched.findings[0].severity = scan::Severity::error;
  scan::FileReport before = untouched;
  attribute_traps(untouched, GateItem{});
  CHECK(untouched.findings == before.findings);
}

TEST_CASE("pipeline.gate: sources are shown as the user named them") {
  std::map<std::string, fs::path> engine = {{"/tmp/o/0-dl.o", "dl.c"},
                                            {"/tmp/o/1-util.o", "/w/proj/src/util.c"},
                                            {"/tmp/o/2-x.o", "/elsewhere/x.c"}};
  CHECK(shown_sources(engine) ==
        std::map<std::string, std::string>{{"/tmp/o/0-dl.o", "dl.c"},
                                           {"/tmp/o/1-util.o", "/w/proj/src/util.c"},
                                           {"/tmp/o/2-x.o", "/elsewhere/x.c"}});
  // A manifest's sources, relative to its directory (report.json names no build path).
  CHECK(shown_sources(engine, "/w/proj") ==
        std::map<std::string, std::string>{{"/tmp/o/0-dl.o", "dl.c"},
                                           {"/tmp/o/1-util.o", "src/util.c"},
                                           {"/tmp/o/2-x.o", "/elsewhere/x.c"}});
}
