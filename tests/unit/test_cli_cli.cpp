#include "cli_run.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using sp::testing::Run;
using sp::testing::scratchpack;

TEST_CASE("cli: an unknown command is named, with the closest one when there is one") {
  Run r = scratchpack({"frobnicate"});
  CHECK(r.rc == 2);
  CHECK(r.err == "error: unknown command 'frobnicate': scratchpack has build, package, scan, "
                 "sysroot, push, cache, release, env, toolchain-file, sign, keygen, sbom, verify, "
                 "cc, c++, "
                 "pkg-config, ar, ranlib, nm, strip, objcopy\nhint: run 'scratchpack --help'\n");
  Run typo = scratchpack({"biuld", "hello.c"});
  CHECK(typo.rc == 2);
  CHECK(typo.err.ends_with("hint: did you mean 'scratchpack build'?\n"));
  // cc takes gcc's arguments, not scratchpack's flags: a compiler's error, exit 1.
  Run cc = scratchpack({"cc"});
  CHECK(cc.rc == 1);
  CHECK(cc.err == "error: no input files: nothing to compile or link\n");
  Run help = scratchpack({"c++", "--help"});
  CHECK(help.rc == 0);
  CHECK(help.out.starts_with("Usage: scratchpack c++ [--target T]"));
  CHECK(scratchpack({"--help"}).out.find("  cc, c++            drop-in C and C++ compilers") !=
        std::string::npos);
}

TEST_CASE("cli: every bad flag is reported, each on its own error line") {
  Run r = scratchpack({"build", "hello.c", "--profile", "fast", "--libc", "uclibc", "--env", "x",
                       "--user", "root", "--format", "zip"});
  CHECK(r.rc == 2);
  CHECK(r.err == "error: libc 'uclibc': unknown libc\nhint: use glibc or musl\n"
                 "error: profile 'fast': unknown profile\nhint: use debug, release or size\n"
                 "error: --format zip: unknown format\nhint: use archive, oci-dir or none\n"
                 "error: environment entry 'x': expected KEY=VALUE\n"
                 "error: --user root: a scratch image has no /etc/passwd to look the name up in\n"
                 "hint: use a numeric uid[:gid], or --nonroot for 65532 with passwd and group "
                 "files\n");
}

TEST_CASE("cli: --target and --platform take OCI platform names") {
  // A bad profile stops the build before anything runs; the targets were accepted.
  for (const char* flag : {"--target", "--platform"}) {
    Run r = scratchpack(
        {"build", "hello.c", flag, "linux/amd64,linux/arm64,linux/arm/v7", "--profile", "fast"});
    CHECK(r.rc == 2);
    CHECK(r.err == "error: profile 'fast': unknown profile\nhint: use debug, release or size\n");
  }
  Run bad = scratchpack({"build", "hello.c", "--target", "linux/s390x"});
  CHECK(bad.rc == 2);
  CHECK(bad.err.starts_with("error: unknown target 'linux/s390x': unsupported architecture\n"));
}

TEST_CASE("cli: an unknown flag is named, with the closest known one") {
  Run r = scratchpack({"build", "hello.c", "--taget", "aarch64"});
  CHECK(r.rc == 2);
  CHECK(r.err == "error: --taget: unknown flag\nhint: did you mean --target?\n");
  Run eq = scratchpack({"release", "--jsn"});
  CHECK(eq.rc == 2);
  CHECK(eq.err == "error: --jsn: unknown flag\nhint: did you mean --json?\n");
  Run far = scratchpack({"sysroot", "install", "x86_64-musl", "--frobnicate"});
  CHECK(far.rc == 2);
  CHECK(far.err ==
        "error: --frobnicate: unknown flag\nhint: run 'scratchpack sysroot install --help'\n");
  Run two = scratchpack({"scan", "x", "--jsno", "--platfrom", "linux/amd64"});
  CHECK(two.rc == 2);
  CHECK(two.err.find("error: --jsno: unknown flag\nhint: did you mean --json?\n") !=
        std::string::npos);
  CHECK(two.err.find("error: --platfrom: unknown flag\nhint: did you mean --platform?\n") !=
        std::string::npos);
}

TEST_CASE("cli: a single-value flag given twice is named; --target hints at a list") {
  Run r = scratchpack({"build", "hello.c", "--target", "x86_64", "--target", "aarch64"});
  CHECK(r.rc == 2);
  CHECK(r.err == "error: --target: given 2 times; it takes one value\n"
                 "hint: give several targets as one comma-separated list: --target "
                 "x86_64,aarch64\n");
  Run image = scratchpack({"build", "hello.c", "--image", "a", "--image", "b"});
  CHECK(image.rc == 2);
  CHECK(image.err == "error: --image: given 2 times; it takes one value\nhint: give it once\n");
  Run missing = scratchpack({"build", "hello.c", "--out"});
  CHECK(missing.rc == 2);
  CHECK(missing.err == "error: --out: needs a value\nhint: run 'scratchpack build --help'\n");
}

TEST_CASE("cli: --std is checked against clang's standards before anything compiles") {
  Run r = scratchpack({"build", "hello.c", "--std", "c++21", "--profile", "fast"});
  CHECK(r.rc == 2);
  CHECK(r.err == "error: profile 'fast': unknown profile\nhint: use debug, release or size\n"
                 "error: --std c++21: unknown language standard\n"
                 "hint: C++ standards are c++98, c++11, c++14, c++17, c++20, c++23, c++26 "
                 "(gnu++NN for GNU extensions)\n");
  // A known one passes: only the bad profile is reported.
  Run ok = scratchpack({"build", "hello.c", "--std", "gnu++2a", "--profile", "fast"});
  CHECK(ok.err == "error: profile 'fast': unknown profile\nhint: use debug, release or size\n");
}

TEST_CASE("cli: with --json a parse error is the command's document with its error") {
  Run r = scratchpack({"build", "hello.c", "--json", "--taget", "x86_64"});
  CHECK(r.rc == 2);
  CHECK(r.err == "error: --taget: unknown flag\nhint: did you mean --target?\n");
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["schema"] == "scratchpack.build/v1");
  CHECK(doc["error"]["what"] == "--taget");
  CHECK(doc["error"]["why"] == "unknown flag");
  CHECK(doc["error"]["hint"] == "did you mean --target?");
  CHECK(doc["error"]["exit_code"] == 2);
  Run scan = scratchpack({"scan", "--json", "/nonexistent-scan-path"});
  CHECK(scan.rc == 2);
  auto s = nlohmann::json::parse(scan.out);
  CHECK(s["schema"] == "scratchpack.scan/v1");
  CHECK(s["error"]["what"] == "/nonexistent-scan-path");
  CHECK(s.size() == 2);
}
