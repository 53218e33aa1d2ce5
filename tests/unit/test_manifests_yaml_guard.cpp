// The first pass over a manifest's YAML (manifests/yaml_guard.h), through parse_manifest: what it
// refuses is reported like any other manifest problem, located, and yaml-cpp never sees it.
#include "manifests/manifest.h"
#include "manifests/yaml_guard.h"

#include <chrono>
#include <doctest/doctest.h>
#include <fstream>

using namespace sp;
using namespace sp::manifests;

namespace {

struct Project {
  TempDir tmp{"sp-yaml-guard-test"};

  Project() {
    fs::create_directories(tmp.path() / "src");
    std::ofstream(tmp.path() / "src/main.cpp") << "int main() {}\n";
  }
  Result<Manifest> parse(std::string_view yaml) const {
    return parse_manifest(yaml, "scratchpack.yaml", tmp.path());
  }
  std::string problems(std::string_view yaml) const {
    Result<Manifest> r = parse(yaml);
    REQUIRE_FALSE(r.ok());
    return render_problems(r.error());
  }
};

const std::string k_head = "version: 1\n"
                           "project: demo\n"
                           "binaries:\n"
                           "  - name: app\n"
                           "    sources: [src/main.cpp]\n";

// Nested aliases: each level a list of ten aliases to the level below, so level n stands for
// 10^n values.
std::string laughs(int levels) {
  std::string out = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= levels; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    out += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) {
      out += (j ? ", " : "") + prev;
    }
    out += "]\n";
  }
  return out;
}

} // namespace

// Found by fuzz.manifest (two 2 s timeouts, reduced): yaml-cpp 0.7's LoadAll never returns on a
// ',' where a document's value should start, storing an empty document each time round.
TEST_CASE("yaml guard: a stray ',' is a located syntax error, not a hang") {
  Project p;
  auto started = std::chrono::steady_clock::now();
  CHECK(p.problems(",") == "scratchpack.yaml:1:1: error: YAML syntax error: unexpected ','\n");
  CHECK(p.problems("# The smallest useful manifest\n,\n") ==
        "scratchpack.yaml:2:1: error: YAML syntax error: unexpected ','\n");
  CHECK(p.problems("version: 1\n---\n ,") ==
        "scratchpack.yaml:3:2: error: YAML syntax error: unexpected ','\n");
  CHECK(p.problems("&a ,") == "scratchpack.yaml:1:4: error: YAML syntax error: unexpected ','\n");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("yaml guard: other syntax errors keep yaml-cpp's words") {
  Project p;
  CHECK(p.problems("version: 1\nproject: [demo\n") ==
        "scratchpack.yaml:3:1: error: YAML syntax error: end of sequence flow not found\n");
  CHECK(p.problems("a: *nowhere\n") ==
        "scratchpack.yaml:1:4: error: YAML syntax error: the referenced anchor is not defined\n");
}

TEST_CASE("yaml guard: several documents still get the manifest's own message") {
  Project p;
  CHECK(p.problems(k_head + "---\n" + k_head) ==
        "scratchpack.yaml:7:1: error: a manifest is one YAML document, but this file has 2\n");
}

TEST_CASE("yaml guard: anchors and aliases within the limits work") {
  Project p;
  Result<Manifest> r = p.parse(k_head + "targets: &all [x86_64, aarch64]\n" +
                               "images:\n"
                               "  - name: demo\n"
                               "    binaries: [app]\n"
                               "    targets: *all\n" +
                               "    labels: {a: &v value, b: *v}\n");
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : render_problems(r.error())));
  CHECK(r->images[0].targets.size() == 2);
  CHECK(r->images[0].labels.size() == 2);
}

TEST_CASE("yaml guard: aliases that expand beyond the limit") {
  Project p;
  // Three levels (12,000 values) fit; four (123,000) do not. The error is at the alias that
  // crosses the line, the eighth on line 10.
  CHECK(p.problems(k_head + laughs(3)).find("unknown key 'l0'") != std::string::npos);
  CHECK(p.problems(k_head + laughs(4)) ==
        "scratchpack.yaml:10:45: error: the YAML aliases expand the manifest to more than "
        "100000 values; write repeated values out, or nest fewer aliases\n");
}

TEST_CASE("yaml guard: a value that contains itself") {
  Project p;
  CHECK(p.problems("a: &x [1, *x]\n") ==
        "scratchpack.yaml:1:11: error: the alias *x is inside the value its anchor names; a value "
        "cannot contain itself\n");
  CHECK(p.problems("a: &m {b: {c: *m}}\n") ==
        "scratchpack.yaml:1:15: error: the alias *m is inside the value its anchor names; a "
        "value cannot contain itself\n");
}

TEST_CASE("yaml guard: nesting and size limits") {
  Project p;
  std::string deep = std::string(40, '[') + std::string(40, ']');
  CHECK(p.problems(deep) == "scratchpack.yaml:1:33: error: YAML collections nested more than 32 "
                            "deep; no manifest key is nested that deep\n");
  std::string big = k_head + "# " + std::string(manifests::detail::k_max_manifest_size, 'x') + "\n";
  CHECK(p.problems(big) == "scratchpack.yaml:1:1: error: the manifest is " +
                               std::to_string(big.size()) +
                               " bytes; a manifest may be at most 1024 KiB\n");
}
