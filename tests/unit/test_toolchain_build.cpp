#include "fake_tools.h"
#include "toolchain/build.h"
#include "util/diagnostics.h"
#include "util/sha256.h"

#include <doctest/doctest.h>
#include <mutex>

using namespace sp;
using namespace sp::toolchain;
using namespace sp::testing;

namespace {

BinaryRequest request(const std::string& name, std::vector<fs::path> sources, Target target,
                      const fs::path& out, std::string label = {}) {
  BinaryRequest r;
  r.sources = std::move(sources);
  r.target = target;
  r.output = out / target.name() / name;
  r.label = std::move(label);
  return r;
}

} // namespace

TEST_CASE("toolchain.build: binaries x targets in one engine run, one result each") {
  TempDir tmp("sp-engine");
  FakeCounts counts;
  BuildTools tools = fake_tools(tmp.path() / "root", counts);
  fs::path a = write_source(tmp.path(), "a.c", "int main(){}\n");
  fs::path b = write_source(tmp.path(), "b.c", "WARN\n");
  Target x86{Arch::x86_64, Libc::glibc}, arm{Arch::aarch64, Libc::glibc};
  std::vector<BinaryRequest> reqs = {request("one", {a, b}, x86, tmp.path()),
                                     request("one", {a, b}, arm, tmp.path()),
                                     request("two", {a}, x86, tmp.path())};
  std::vector<std::string> phases;
  std::mutex m;
  auto results = build_binaries(reqs, tools, [&](const BuildProgress& p) {
    std::lock_guard<std::mutex> lock(m);
    phases.push_back(p.phase + " " + std::to_string(p.done) + "/" + std::to_string(p.total));
  });
  REQUIRE_MESSAGE(results.ok(), render(results.error()));
  REQUIRE(results->size() == 3);
  CHECK(counts.compiles == 5); // every unit of every binary, one pool
  CHECK(counts.links == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK((*results)[i].ok());
    CHECK(fs::exists(reqs[i].output));
    CHECK((*results)[i].sha256.size() == 64);
  }
  CHECK((*results)[0].diagnostics.find("warning: careful") != std::string::npos);
  CHECK(std::count(phases.begin(), phases.end(), "compile 5/5") == 1);
  CHECK(std::count(phases.begin(), phases.end(), "link 3/3") == 1);
}

TEST_CASE("toolchain.build: a failed compile or link does not hide the others'") {
  TempDir tmp("sp-engine");
  FakeCounts counts;
  BuildTools tools = fake_tools(tmp.path() / "root", counts);
  fs::path ok = write_source(tmp.path(), "ok.c", "int main(){}\n");
  fs::path broken = write_source(tmp.path(), "broken.c", "BROKEN\n");
  fs::path undef = write_source(tmp.path(), "undef.c", "UNDEFINED\n");
  Target x86{Arch::x86_64, Libc::glibc};
  std::vector<BinaryRequest> reqs = {request("a", {ok, broken}, x86, tmp.path(), "a, x86_64-glibc"),
                                     request("b", {undef}, x86, tmp.path(), "b, x86_64-glibc"),
                                     request("c", {ok}, x86, tmp.path(), "c, x86_64-glibc"),
                                     request("d", {undef}, x86, tmp.path(), "d, x86_64-glibc")};
  auto results = build_binaries(reqs, tools);
  REQUIRE(results.ok());
  CHECK((*results)[2].ok());
  CHECK(fs::exists(reqs[2].output));
  CHECK_FALSE(fs::exists(reqs[0].output));
  CHECK_FALSE(fs::exists(reqs[1].output));
  std::optional<Error> e = build_error(*results);
  REQUIRE(e);
  CHECK(e->exit_code() == 1);
  CHECK(render(*e) == broken.string() +
                          ":1:1: error: nope\n"
                          "error: compilation failed: " +
                          broken.string() +
                          " (a, x86_64-glibc)\n"
                          "ld.lld: error: undefined symbol: missing\n"
                          "error: link failed: b, x86_64-glibc\n"
                          "ld.lld: error: undefined symbol: missing\n"
                          "error: link failed: d, x86_64-glibc\n");
  CHECK(counts.links == 3); // a was not linked: its compile failed
}

TEST_CASE("toolchain.build: missing sources and sysroots are all reported before any compile") {
  TempDir tmp("sp-engine");
  FakeCounts counts;
  BuildTools tools = fake_tools(tmp.path() / "root", counts);
  fs::path ok = write_source(tmp.path(), "ok.c", "int main(){}\n");
  std::vector<BinaryRequest> reqs = {request("a", {tmp.path() / "gone.c", tmp.path() / "x.rs"},
                                             {Arch::x86_64, Libc::glibc}, tmp.path()),
                                     request("b", {ok}, {Arch::armv7, Libc::glibc}, tmp.path()),
                                     request("c", {ok}, {Arch::armv7, Libc::glibc}, tmp.path())};
  auto results = build_binaries(reqs, tools);
  REQUIRE_FALSE(results.ok());
  std::string text = render(results.error());
  CHECK(text.find("gone.c: no such file") != std::string::npos);
  CHECK(text.find("x.rs: not a C or C++ source") != std::string::npos);
  CHECK(counts.compiles == 0);

  reqs.erase(reqs.begin());
  auto no_sysroot = build_binaries(reqs, tools);
  REQUIRE_FALSE(no_sysroot.ok());
  // One target, looked for once, reported once.
  CHECK(no_sysroot.error().what.find("armv7-glibc") != std::string::npos);
  CHECK(no_sysroot.error().problems.empty());
  CHECK(counts.compiles == 0);
}

TEST_CASE("toolchain.build: strips in place through the cache, every failure reported") {
  TempDir tmp("sp-engine");
  FakeCounts counts;
  BuildTools tools = fake_tools(tmp.path() / "root", counts);
  auto cache = BuildCache::open(tmp.path() / "cache");
  REQUIRE(cache);
  tools.cache = cache->get();
  fs::path a = write_source(tmp.path(), "a", "ELF a");
  std::vector<StripRequest> reqs = {{a, sha256_hex("ELF a"), "a"}};
  auto first = strip_binaries(reqs, tools);
  REQUIRE_MESSAGE(first.ok(), render(first.error()));
  CHECK(*read_file(a) == "ELF astripped");
  CHECK(first->front().sha256 == sha256_hex("ELF astripped"));
  CHECK_FALSE(first->front().cached);
  CHECK(first->front().argv ==
        std::vector<std::string>{(tmp.path() / "root/bin/llvm-objcopy").string(), "--strip-all",
                                 a.string()});
  CHECK(counts.strips == 1);

  // The same linked contents again: the stripped copy comes from the cache.
  REQUIRE(write_file_atomic(a, "ELF a"));
  auto second = strip_binaries(reqs, tools);
  REQUIRE(second.ok());
  CHECK(second->front().cached);
  CHECK(*read_file(a) == "ELF astripped");
  CHECK(counts.strips == 1);

  fs::path b = write_source(tmp.path(), "b", "NOSTRIP b");
  fs::path c = write_source(tmp.path(), "c", "NOSTRIP c");
  auto failed = strip_binaries({{b, "", "b, x86_64-glibc"}, {c, "", "c, aarch64-glibc"}}, tools);
  REQUIRE_FALSE(failed.ok());
  CHECK(render(failed.error()) == "llvm-objcopy: error: cannot strip\n"
                                  "error: strip failed: b, x86_64-glibc\n"
                                  "llvm-objcopy: error: cannot strip\n"
                                  "error: strip failed: c, aarch64-glibc\n");
  CHECK(*read_file(b) == "NOSTRIP b"); // left as it was
}
