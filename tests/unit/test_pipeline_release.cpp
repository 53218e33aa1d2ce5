#include "fake_tools.h"
#include "pipeline/release.h"
#include "util/diagnostics.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace sp;
using namespace sp::pipeline;
using namespace sp::testing;

namespace {

/// A project with sources, and the manifest text parsed the way `release` parses it.
struct Project {
  TempDir tmp{"sp-pipeline-release"};
  Project() {
    write_source(tmp.path() / "src", "server.c", "int main(){}\n");
    write_source(tmp.path() / "src", "tool.c", "int main(){}\n");
  }
  Result<manifests::Manifest> parse(const std::string& yaml) const {
    return manifests::parse_manifest(yaml, "scratchpack.yaml", tmp.path(), target_hooks());
  }
  ReleasePlan plan(const std::string& yaml) const {
    auto m = parse(yaml);
    REQUIRE_MESSAGE(m.ok(), render(m.error()));
    auto p = plan_release(*m, {});
    REQUIRE_MESSAGE(p.ok(), render(p.error()));
    return *p;
  }
};

const std::string k_two_binaries = R"(version: 1
project: demo
targets: [x86_64, aarch64]
binaries:
  - name: server
    sources: [src/server.c]
    profile: size
  - name: tool
    sources: [src/tool.c]
    targets: [x86_64]
images:
  - name: registry.example.com/acme/server
    tags: ["1.0", latest]
    binaries: [server]
    compression: zstd
  - name: tool
    targets: [x86_64]
    binaries: [tool, {name: server, path: /bin/server}]
    entrypoint: [/tool]
output:
  formats: [archive, oci-dir]
)";

} // namespace

TEST_CASE("pipeline.release: the plan is binaries x targets and one image per platform") {
  Project p;
  ReleasePlan plan = p.plan(k_two_binaries);
  CHECK(plan.project == "demo");
  CHECK(plan.out_dir == p.tmp.path() / "dist");
  REQUIRE(plan.binaries.size() == 3);
  CHECK(plan.binaries[0].rel_path == "x86_64-glibc/server");
  CHECK(plan.binaries[1].rel_path == "aarch64-glibc/server");
  CHECK(plan.binaries[2].rel_path == "x86_64-glibc/tool");
  CHECK(plan.binaries[1].compile.profile == Profile::size);
  CHECK(plan.binaries[0].compile.prefix_map_from == p.tmp.path());
  REQUIRE(plan.images.size() == 2);
  const ReleaseImage& img = plan.images[0];
  CHECK(img.stem == "server");
  CHECK(img.plan.ref.to_string() == "registry.example.com/acme/server:1.0");
  CHECK(img.plan.extra_tags == std::vector<std::string>{"latest"});
  CHECK(img.plan.always_index);
  REQUIRE(img.parts.size() == 2);
  CHECK(img.parts[1].target.name() == "aarch64-glibc");
  CHECK(img.parts[1].binaries == std::vector<std::pair<size_t, std::string>>{{1, "/server"}});
  // Every binary of it is size-profile: the strongest zstd level.
  CHECK(img.plan.level == 19);
  CHECK(img.plan.compression == Compression::zstd);
  const ReleaseImage& tool = plan.images[1];
  REQUIRE(tool.parts.size() == 1);
  CHECK(tool.parts[0].binaries ==
        std::vector<std::pair<size_t, std::string>>{{2, "/tool"}, {0, "/bin/server"}});
  // Not every binary is size-profile: the fast default level stays.
  CHECK(tool.plan.level == 0);
  CHECK(tool.plan.config.entrypoint == std::vector<std::string>{"/tool"});
  CHECK(plan.formats == std::vector<ImageFormat>{ImageFormat::archive, ImageFormat::oci_dir});
}

TEST_CASE("pipeline.release: a size-profile image gets the strongest level; --out wins") {
  Project p;
  auto m = p.parse(R"(version: 1
project: demo
binaries:
  - name: tool
    sources: [src/tool.c]
    profile: size
images:
  - name: tool
    binaries: [tool]
)");
  REQUIRE_MESSAGE(m.ok(), render(m.error()));
  ReleasePlan plan = plan_release(*m, p.tmp.path() / "elsewhere").value();
  CHECK(plan.out_dir == p.tmp.path() / "elsewhere");
  CHECK(plan.images[0].plan.level == 9);
  CHECK(plan.images[0].plan.config.entrypoint == std::vector<std::string>{"/tool"});
}

TEST_CASE("pipeline.release: every planning problem is reported, in file order") {
  Project p;
  auto m = p.parse(R"(version: 1
project: demo
targets: [x86_64, x86_64-musl]
binaries:
  - name: server
    sources: [src/server.c]
    libc: musl
    targets: [x86_64-glibc]
  - name: tool
    sources: [src/tool.c]
images:
  - name: a/tool
    binaries: [tool]
  - name: b/tool
    targets: [x86_64]
    binaries: [tool]
)");
  REQUIRE_MESSAGE(m.ok(), render(m.error()));
  auto plan = plan_release(*m, {});
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().exit_code() == 1);
  CHECK(render(plan.error()) ==
        "scratchpack.yaml:3:19: error: images[0].targets: two targets give the platform "
        "linux/amd64; an image index holds one image per platform\n"
        "scratchpack.yaml:8:15: error: binaries[0].targets: target 'x86_64-glibc' is glibc but "
        "binary server has libc: musl\n"
        "scratchpack.yaml:14:11: error: images[1].name: another image is also written as "
        "tool.tar; give the images different last names\n"
        "error: scratchpack.yaml: 3 problems found\n");
}

TEST_CASE("pipeline.release: the report and SHA256SUMS come from the plan and the outcome") {
  Project p;
  ReleasePlan plan = p.plan(k_two_binaries);
  ReleaseOutcome out;
  out.binaries.resize(3);
  out.binaries[1].scan.findings.push_back({"glibc.iconv", scan::Severity::warning, "iconv", ""});
  out.binaries[1].scan.findings.push_back({"elf.static", scan::Severity::info, "static", ""});
  out.binaries[0].scan.findings.push_back({"glibc.iconv", scan::Severity::note, "libstdc++'s", ""});
  out.images.resize(2);
  out.cache = {3, 0, 2, 1};
  out.artifacts["x86_64-glibc/server"] = {std::string(64, 'a'), 100};
  out.artifacts["aarch64-glibc/server"] = {std::string(64, 'b'), 200};
  out.artifacts["x86_64-glibc/tool"] = {std::string(64, 'c'), 300};
  CHECK(sha256sums(out.artifacts) == std::string(64, 'b') + "  aarch64-glibc/server\n" +
                                         std::string(64, 'a') + "  x86_64-glibc/server\n" +
                                         std::string(64, 'c') + "  x86_64-glibc/tool\n");
  auto r = nlohmann::ordered_json::parse(report_json(plan, out, 42));
  std::vector<std::string> keys;
  for (const auto& [k, v] : r.items()) {
    keys.push_back(k);
  }
  CHECK(keys == std::vector<std::string>{"schema", "project", "source_date_epoch", "binaries",
                                         "images", "artifacts", "cache"});
  CHECK(r["schema"] == "scratchpack.release/v1");
  CHECK(r["source_date_epoch"] == 42);
  CHECK(r["binaries"][1]["target"] == "aarch64-glibc");
  CHECK(r["binaries"][1]["platform"] == "linux/arm64/v8");
  CHECK(r["binaries"][1]["profile"] == "size");
  CHECK(r["binaries"][1]["size"] == 200);
  CHECK(r["binaries"][1]["sha256"] == std::string(64, 'b'));
  // Infos are not part of the verdict.
  CHECK(r["binaries"][1]["scan"]["warnings"] == 1);
  CHECK(r["binaries"][1]["scan"]["findings"].size() == 1);
  // A note (a trap only the C++ runtime reaches) is recorded, and is not a warning.
  CHECK(r["binaries"][0]["scan"]["warnings"] == 0);
  CHECK(r["binaries"][0]["scan"]["findings"] ==
        nlohmann::ordered_json::parse(
            R"([{"code": "glibc.iconv", "severity": "note", "message": "libstdc++'s"}])"));
  CHECK(r["images"][0]["name"] == "registry.example.com/acme/server");
  CHECK(r["images"][0]["tags"] == nlohmann::json::array({"1.0", "latest"}));
  CHECK(r["artifacts"].size() == 3);
  CHECK(r["cache"]["link_hits"] == 1);
}

TEST_CASE("pipeline.release: a whole release with fake tools, then one that fails twice") {
  Project p;
  FakeCounts counts;
  ReleaseRun run{fake_tools(p.tmp.path() / "root", counts), nullptr, std::nullopt};
  ReleasePlan plan = p.plan(k_two_binaries);
  RecordingEvents events;
  auto outcome = run_release(plan, run, events);
  REQUIRE_MESSAGE(outcome.ok(), render(outcome.error()));
  fs::path dist = p.tmp.path() / "dist";
  CHECK(fs::is_regular_file(dist / "x86_64-glibc/server"));
  CHECK(fs::is_regular_file(dist / "aarch64-glibc/server"));
  CHECK(fs::is_regular_file(dist / "server.tar"));
  CHECK(fs::is_regular_file(dist / "server.oci/index.json"));
  CHECK(fs::is_regular_file(dist / "tool.tar"));
  CHECK(read_file(dist / "report.json").value() == outcome->report);
  std::string sums = read_file(dist / "SHA256SUMS").value();
  CHECK(sums.find("  server.tar\n") != std::string::npos);
  CHECK(sums.find("  x86_64-glibc/tool\n") != std::string::npos);
  CHECK(outcome->cache.compiled == 3);
  CHECK(outcome->cache.linked == 3);
  CHECK(outcome->images[0].images.size() == 2);
  CHECK(std::count(events.steps.begin(), events.steps.end(), "package 2/2") == 1);

  // Both binaries fail to link: both are reported, and the previous dist/ stays.
  write_source(p.tmp.path() / "src", "server.c", "UNDEFINED\n");
  write_source(p.tmp.path() / "src", "tool.c", "UNDEFINED\n");
  auto failed = run_release(plan, run, events);
  REQUIRE_FALSE(failed.ok());
  std::string text = render(failed.error());
  CHECK(text.find("error: link failed: server, x86_64-glibc\n") != std::string::npos);
  CHECK(text.find("error: link failed: server, aarch64-glibc\n") != std::string::npos);
  CHECK(text.find("error: link failed: tool, x86_64-glibc\n") != std::string::npos);
  CHECK(read_file(dist / "report.json").value() == outcome->report);
}

TEST_CASE("pipeline.release: an image reports the target its binaries were built for") {
  Project p;
  ReleasePlan plan = p.plan(R"(version: 1
project: demo
targets: [x86_64, aarch64]
binaries:
  - name: server
    sources: [src/server.c]
    libc: musl
  - name: tool
    sources: [src/tool.c]
    targets: [x86_64]
images:
  - name: server
    binaries: [server]
  - name: both
    targets: [x86_64]
    binaries: [server, tool]
    entrypoint: [/server]
)");
  REQUIRE(plan.images[0].parts.size() == 2);
  CHECK(plan.images[0].parts[0].target.name() == "x86_64-musl");
  CHECK(plan.images[0].parts[1].target.name() == "aarch64-musl");
  ReleaseOutcome out;
  out.binaries.resize(plan.binaries.size());
  out.images.resize(2);
  for (size_t i = 0; i < 2; ++i) {
    for (const ReleaseImage::Part& part : plan.images[i].parts) {
      packager::Image image;
      image.platform = part.target.platform();
      out.images[i].images.push_back(image);
    }
  }
  auto r = nlohmann::ordered_json::parse(report_json(plan, out, 0));
  CHECK(r["images"][0]["platforms"][0]["target"] == "x86_64-musl");
  CHECK(r["images"][0]["platforms"][1]["target"] == "aarch64-musl");
  // Binaries built for different C libraries: both are named.
  CHECK(r["images"][1]["platforms"][0]["target"] == "x86_64-glibc,x86_64-musl");
}
