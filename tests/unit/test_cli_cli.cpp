#include "cli_run.h"

#include <doctest/doctest.h>

using sp::testing::Run;
using sp::testing::scratchpack;

TEST_CASE("cli: an unknown command is named, with the closest one when there is one") {
  Run r = scratchpack({"frobnicate"});
  CHECK(r.rc == 2);
  CHECK(r.err == "error: unknown command 'frobnicate': scratchpack has build, package, scan, "
                 "sysroot, push, cache, release\nhint: run 'scratchpack --help'\n");
  Run typo = scratchpack({"biuld", "hello.c"});
  CHECK(typo.rc == 2);
  CHECK(typo.err.ends_with("hint: did you mean 'scratchpack build'?\n"));
  CHECK(scratchpack({"cc", "-c", "x.c"}).err.starts_with("error: unknown command 'cc'"));
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
