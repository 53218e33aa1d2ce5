#include "fake_tools.h"
#include "pipeline/build.h"
#include "util/diagnostics.h"
#include "util/sha256.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::pipeline;
using namespace sp::testing;

namespace {

BuildInput input_for(const fs::path& dir, std::vector<Target> targets, const fs::path& source) {
  BuildInput in;
  in.name = "app";
  in.sources = {source};
  in.targets = std::move(targets);
  in.out_dir = dir / "out";
  return in;
}

const Target k_x86{Arch::x86_64, Libc::glibc};
const Target k_arm{Arch::aarch64, Libc::glibc};

} // namespace

TEST_CASE("pipeline.build: one target is OUT/NAME, several OUT/TARGET/NAME") {
  BuildInput in = input_for("/p", {k_x86}, "a.c");
  CHECK(binary_path(in, k_x86) == fs::path("/p/out/app"));
  in.targets = {k_x86, k_arm};
  CHECK(binary_path(in, k_arm) == fs::path("/p/out/aarch64-glibc/app"));
}

TEST_CASE("pipeline.build: every target built and gated into the stage; warnings passed on") {
  TempDir tmp("sp-pipeline-build");
  FakeCounts counts;
  toolchain::BuildTools tools = fake_tools(tmp.path() / "root", counts);
  fs::path src = write_source(tmp.path(), "app.c", "WARN\n");
  RecordingEvents events;
  BuildInput input = input_for(tmp.path(), {k_x86, k_arm}, src);
  auto stage = OutputStage::open(input.out_dir);
  REQUIRE(stage.ok());
  auto built = build_binaries(input, **stage, tools, events);
  REQUIRE_MESSAGE(built.ok(), render(built.error()));
  REQUIRE(built->size() == 2);
  const BuiltBinary& arm = (*built)[1];
  CHECK(arm.target == k_arm);
  CHECK(arm.path == tmp.path() / "out/aarch64-glibc/app");
  CHECK(arm.staged == (*stage)->root() / "aarch64-glibc/app");
  CHECK(fs::is_regular_file(arm.staged));
  CHECK_FALSE(fs::exists(arm.path)); // until the stage is committed
  CHECK((*built)[0].link_argv.front() == "ld.lld");
  CHECK(arg_after((*built)[0].link_argv, "-o") == (tmp.path() / "out/x86_64-glibc/app").string());
  CHECK(arm.strip_argv.empty()); // release does not strip
  CHECK(counts.strips == 0);
  CHECK(events.tool_text.find("warning: careful") != std::string::npos);
  REQUIRE(events.reports.size() == 1);
  CHECK(events.reports[0].files.size() == 2);
  CHECK(events.reports[0].files[1].path == arm.path.string());
  CHECK(events.reports[0].errors() == 0);
  REQUIRE((*stage)->commit().ok());
  CHECK(fs::is_regular_file(arm.path));
  CHECK(sha256_hex(*read_file(arm.path)) == arm.sha256);
}

TEST_CASE("pipeline.build: the size profile is gated as linked, then stripped") {
  TempDir tmp("sp-pipeline-build");
  FakeCounts counts;
  toolchain::BuildTools tools = fake_tools(tmp.path() / "root", counts);
  RecordingEvents events;
  BuildInput input = input_for(tmp.path(), {k_x86}, write_source(tmp.path(), "app.c", "int x;\n"));
  input.compile.profile = Profile::size;
  size_t reports_when_stripped = 0;
  tools.strip = [&, strip = tools.strip](const std::vector<std::string>& argv) {
    reports_when_stripped = events.reports.size();
    return strip(argv);
  };
  auto stage = OutputStage::open(input.out_dir);
  REQUIRE(stage.ok());
  auto built = build_binaries(input, **stage, tools, events);
  REQUIRE_MESSAGE(built.ok(), render(built.error()));
  const BuiltBinary& b = built->front();
  std::string data = *read_file(b.staged);
  CHECK(data.ends_with("stripped"));
  CHECK(b.sha256 == sha256_hex(data));
  // The gate judged the binary lld wrote, before the strip.
  CHECK(events.reports.size() == 1);
  CHECK(reports_when_stripped == 1);
  CHECK(b.strip_argv == std::vector<std::string>{(tmp.path() / "root/bin/llvm-objcopy").string(),
                                                 "--strip-all", (tmp.path() / "out/app").string()});

  // A binary the gate stops is not stripped.
  BuildInput dynamic = input;
  dynamic.sources = {write_source(tmp.path(), "dyn.c", "DYNAMIC\n")};
  CHECK_FALSE(build_binaries(dynamic, **stage, tools, events).ok());
  CHECK(counts.strips == 1);
}

TEST_CASE("pipeline.build: the gate judges every target and reports each failure") {
  TempDir tmp("sp-pipeline-build");
  FakeCounts counts;
  toolchain::BuildTools tools = fake_tools(tmp.path() / "root", counts);
  fs::path src = write_source(tmp.path(), "app.c", "DYNAMIC\n");
  RecordingEvents events;
  BuildInput input = input_for(tmp.path(), {k_x86, k_arm}, src);
  fs::path out = tmp.path() / "out";
  {
    auto stage = OutputStage::open(out);
    REQUIRE(stage.ok());
    auto built = build_binaries(input, **stage, tools, events);
    REQUIRE_FALSE(built.ok());
    CHECK(render(built.error()) ==
          "error: scan gate: " + (out / "x86_64-glibc/app").string() +
              " is not fit for a scratch image (2 errors); nothing was packaged\n"
              "error: scan gate: " +
              (out / "aarch64-glibc/app").string() +
              " is not fit for a scratch image (2 errors); nothing was packaged\n");
    CHECK(built.error().exit_code() == 1);
  }
  CHECK_FALSE(fs::exists(out)); // the stage went, and the directory it created

  BuildInput unchecked = input_for(tmp.path(), {k_x86}, src);
  unchecked.scan = false;
  auto stage = OutputStage::open(out);
  REQUIRE(stage.ok());
  CHECK(build_binaries(unchecked, **stage, tools, events).ok());
}
