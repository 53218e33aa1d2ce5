#include "pipeline/supply.h"
#include "pipeline/verify.h"
#include "toolchain/materials.h"
#include "util/target.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

TEST_CASE("toolchain.materials: the members lld's --why-extract table names, each once") {
  std::string table = "reference\textracted\tsymbol\n"
                      "/tmp/o/0-hello.o\t/usr/lib/x86_64-linux-gnu/libc.a(printf.o)\tprintf\n"
                      "/usr/lib/x86_64-linux-gnu/libc.a(printf.o)\t/usr/lib/x86_64-linux-gnu/"
                      "libc.a(vfprintf-internal.o)\t__vfprintf_internal\n"
                      "/tmp/o/0-hello.o\t/usr/lib/x86_64-linux-gnu/libc.a(printf.o)\tputs\n"
                      "garbage line\n";
  auto members = extracted_members(table);
  REQUIRE(members.size() == 2);
  CHECK(members[0].archive == "/usr/lib/x86_64-linux-gnu/libc.a");
  CHECK(members[0].member == "printf.o");
  CHECK(members[1].member == "vfprintf-internal.o");
}

TEST_CASE("toolchain.materials: the package note's JSON holds a placeholder that stamping fills") {
  Target t = parse_target("aarch64").value();
  std::string note = package_metadata("he\"llo", "", t);
  CHECK(note == R"({"type":"scratchpack","name":"he\"llo","version":"0","architecture":"arm64",)"
                R"("os":"linux","sbom":"sha256:)" +
                    std::string(64, '0') + "\"}");
}

TEST_CASE("pipeline.supply: the recorded arguments leave out what does not change the output") {
  std::vector<std::string> args = {"build",   "hello.cpp",  "--out", "x",
                                   "-j4",     "--push=r/h", "-v",    "--target",
                                   "aarch64", "--sign-key", "k.pem"};
  CHECK(pipeline::recorded_arguments(args, {"--out", "--push", "-v", "--sign-key"},
                                     {"--out", "--push", "--target", "--sign-key"}) ==
        std::vector<std::string>{"build", "hello.cpp", "-j4", "--target", "aarch64"});
}

TEST_CASE("pipeline.verify: a provenance that would push, load or sign is not run again") {
  CHECK(pipeline::check_replayable({"build", "hello.cpp", "--image", "r/h:1"}).ok());
  CHECK(pipeline::check_replayable({"release", "-f", "scratchpack.yaml"}).ok());
  auto pushed = pipeline::check_replayable({"build", "x.c", "--push=evil.example/x"});
  REQUIRE_FALSE(pushed.ok());
  CHECK(pushed.error().why.starts_with("records --push, which verify will not run again"));
  CHECK_FALSE(pipeline::check_replayable({"build", "x.c", "--load"}).ok());
  CHECK_FALSE(pipeline::check_replayable({"build", "x.c", "--sign-key", "k"}).ok());
  CHECK_FALSE(pipeline::check_replayable({"push", "a.tar", "r/x"}).ok());
  CHECK_FALSE(pipeline::check_replayable({}).ok());
}
