#include "cli_run.h"
#include "scan_fixtures.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using sp::testing::Run;
using sp::testing::scratchpack;

TEST_CASE("cli scan: a dynamic binary fails with its DT_NEEDED, grouped by file") {
  std::string path = sp::test::scan_fixtures().dynamic_hello.string();
  Run r = scratchpack({"scan", path});
  CHECK(r.rc == 1);
  CHECK(r.out.starts_with(path + "  (ELF64 x86-64 pie, dynamic, not stripped)\n"));
  CHECK(r.out.find("\n  error[dynamic.needed] libc.so.6: ") != std::string::npos);
  CHECK(r.out.find("\nhint[dynamic.interp, dynamic.needed]: link statically") != std::string::npos);
  CHECK(r.out.ends_with("1 file scanned, 2 errors, 0 warnings\n"));
  CHECK(r.out.find("\x1b[") == std::string::npos); // no colour when not asked for
}

TEST_CASE("cli scan: clean static binary exits 0; --strict turns glibc traps into errors") {
  const auto& fx = sp::test::scan_fixtures();
  CHECK(scratchpack({"scan", fx.static_musl.string(), "--platform", "linux/amd64"}).rc == 0);
  Run gai = scratchpack({"scan", fx.glibc_getaddrinfo.string()});
  CHECK(gai.rc == 0);
  CHECK(gai.out.find("warning[glibc.nss] getaddrinfo: ") != std::string::npos);
  Run strict = scratchpack({"scan", fx.glibc_getaddrinfo.string(), "--strict"});
  CHECK(strict.rc == 1);
  CHECK(strict.out.find("error[glibc.nss] getaddrinfo: ") != std::string::npos);
}

TEST_CASE("cli scan: --json prints only the document") {
  const auto& fx = sp::test::scan_fixtures();
  Run r = scratchpack({"scan", "--json", fx.aarch64_static.string(), "--platform", "linux/amd64"});
  CHECK(r.rc == 1);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["schema"] == "scratchpack.scan/v1");
  CHECK(doc["platform"] == "linux/amd64");
  CHECK(doc["files"][0]["findings"][0]["code"] == "platform.arch");
  CHECK(r.err.empty());
}

TEST_CASE("cli scan: usage and I/O errors exit 2") {
  Run platform = scratchpack({"scan", "/bin/true", "--platform", "linux/sparc"});
  CHECK(platform.rc == 2);
  CHECK(platform.err.starts_with("error: platform 'linux/sparc': unsupported architecture\n"));
  Run missing = scratchpack({"scan", "/nonexistent/dir"});
  CHECK(missing.rc == 2);
  CHECK(missing.err == "error: /nonexistent/dir: No such file or directory\n");
  CHECK(scratchpack({"scan"}).rc == 2);
}

TEST_CASE("cli scan: --quiet prints errors only, --verbose shows clean files") {
  const auto& fx = sp::test::scan_fixtures();
  Run quiet = scratchpack({"scan", "-q", fx.dynamic_hello.string(), fx.static_musl.string()});
  CHECK(quiet.rc == 1);
  CHECK(quiet.out.find("info[") == std::string::npos);
  CHECK(quiet.out.find("scanned") == std::string::npos);
  CHECK(quiet.out.find(fx.static_musl.string()) == std::string::npos);
  Run verbose = scratchpack({"scan", "-v", fx.dynamic_hello.string(), fx.static_musl.string()});
  CHECK(verbose.out.find(fx.static_musl.string() + "  (ELF64 x86-64 exec, static") !=
        std::string::npos);
  CHECK(verbose.out.find("info[info.static]") != std::string::npos);
}
