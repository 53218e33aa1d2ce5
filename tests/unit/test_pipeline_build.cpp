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

TEST_CASE("pipeline.build: every target built and gated; warnings passed on") {
  TempDir tmp("sp-pipeline-build");
  FakeCounts counts;
  toolchain::BuildTools tools = fake_tools(tmp.path() / "root", counts);
  fs::path src = write_source(tmp.path(), "app.c", "WARN\n");
  RecordingEvents events;
  auto built = build_binaries(input_for(tmp.path(), {k_x86, k_arm}, src), tools, events);
  REQUIRE_MESSAGE(built.ok(), render(built.error()));
  REQUIRE(built->size() == 2);
  CHECK((*built)[1].target == k_arm);
  CHECK(fs::is_regular_file(tmp.path() / "out/aarch64-glibc/app"));
  CHECK((*built)[0].link_argv.front() == "ld.lld");
  CHECK(events.tool_text.find("warning: careful") != std::string::npos);
  REQUIRE(events.reports.size() == 1);
  CHECK(events.reports[0].files.size() == 2);
  CHECK(events.reports[0].errors() == 0);
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
  auto built = build_binaries(input, tools, events);
  REQUIRE_MESSAGE(built.ok(), render(built.error()));
  const BuiltBinary& b = built->front();
  std::string data = *read_file(b.path);
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
  CHECK_FALSE(build_binaries(dynamic, tools, events).ok());
  CHECK(counts.strips == 1);
}

TEST_CASE("pipeline.build: the gate judges every target and reports each failure") {
  TempDir tmp("sp-pipeline-build");
  FakeCounts counts;
  toolchain::BuildTools tools = fake_tools(tmp.path() / "root", counts);
  fs::path src = write_source(tmp.path(), "app.c", "DYNAMIC\n");
  RecordingEvents events;
  auto built = build_binaries(input_for(tmp.path(), {k_x86, k_arm}, src), tools, events);
  REQUIRE_FALSE(built.ok());
  fs::path out = tmp.path() / "out";
  CHECK(render(built.error()) ==
        "error: scan gate: " + (out / "x86_64-glibc/app").string() +
            " is not fit for a scratch image (2 errors); nothing was packaged\n"
            "error: scan gate: " +
            (out / "aarch64-glibc/app").string() +
            " is not fit for a scratch image (2 errors); nothing was packaged\n");
  CHECK(built.error().exit_code() == 1);

  BuildInput unchecked = input_for(tmp.path(), {k_x86}, src);
  unchecked.scan = false;
  CHECK(build_binaries(unchecked, tools, events).ok());
}
