#include "fake_tools.h"
#include "toolchain/build.h"
#include "util/diagnostics.h"
#include "util/sha256.h"

#include <chrono>
#include <doctest/doctest.h>
#include <mutex>
#include <thread>

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

namespace {

/// A fake distcc: records each launched command and its environment, then answers with
/// `exit_code` (and distcc's chatter) or, for 0, compiles with the fake compiler.
struct FakeDistcc {
  std::mutex m;
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> env;
  int exit_code = 0;

  void install(BuildTools& tools, const std::string& hosts) {
    tools.launcher = distcc_launcher(hosts, *parse_distcc_hosts(hosts), "clang-19");
    auto compile = tools.compile;
    tools.launch = [this, compile](const std::vector<std::string>& argv,
                                   const std::vector<std::string>& e) -> Result<CompileOutput> {
      {
        std::lock_guard<std::mutex> lock(m);
        commands.push_back(argv);
        env = e;
      }
      if (exit_code != 0) {
        return CompileOutput{false,
                             "distcc[7] ERROR: nonblocking connect to 127.0.0.1:1 failed\n"
                             "distcc[7] (dcc_build_somewhere) ERROR: failed to distribute and "
                             "fallbacks are disabled\n",
                             exit_code};
      }
      auto out = compile(std::vector<std::string>(argv.begin() + 1, argv.end()));
      if (out && !out->ok) {
        out->exit_code = 1;
        out->diagnostics = "distcc[7] ERROR: compile " + argv.back() +
                           " on 127.0.0.1:3632/1 failed\n" + out->diagnostics;
      }
      return out;
    };
  }
};

/// Waits until files written now are older than the cache's clock (it stores nothing compiled
/// from a file changed at or after the compile started).
void settle() {
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
}

/// The sources compiles were run for, in the order they started.
struct CompileOrder {
  std::mutex m;
  std::vector<std::string> sources;
};

void record_order(BuildTools& tools, CompileOrder& order) {
  auto compile = tools.compile;
  tools.compile = [compile, &order](const std::vector<std::string>& argv) {
    {
      std::lock_guard<std::mutex> lock(order.m);
      order.sources.push_back(fs::path(argv.back()).filename().string());
    }
    return compile(argv);
  };
}

} // namespace

TEST_CASE("toolchain.build: the longest units compile first, by recorded time or size") {
  TempDir tmp("sp-engine");
  FakeCounts counts;
  BuildTools tools = fake_tools(tmp.path() / "root", counts);
  auto cache = BuildCache::open(tmp.path() / "cache");
  REQUIRE(cache);
  tools.cache = cache->get();
  tools.jobs = 1; // one worker: the start order is the compile order
  CompileOrder order;
  record_order(tools, order);
  fs::path small = write_source(tmp.path(), "small.c", "int small;\n");
  fs::path big = write_source(tmp.path(), "big.c", "int big;\n" + std::string(20000, ' '));
  fs::path mid = write_source(tmp.path(), "mid.c", "int mid;\n" + std::string(4000, ' '));
  settle();
  Target x86{Arch::x86_64, Libc::glibc};
  std::vector<BinaryRequest> reqs = {request("p", {small, big, mid}, x86, tmp.path())};
  REQUIRE(build_binaries(reqs, tools).ok());
  CHECK(order.sources == std::vector<std::string>{"big.c", "mid.c", "small.c"});

  // Recorded wall times win over sizes, and survive edits (keyed by path and target).
  (void)(*cache)->store_text("timings", compile_time_key(small, {}, x86, Profile::release), "900");
  (void)(*cache)->store_text("timings", compile_time_key(big, {}, x86, Profile::release), "10");
  (void)(*cache)->store_text("timings", compile_time_key(mid, {}, x86, Profile::release), "300");
  for (const fs::path& p : {small, big, mid}) {
    std::ofstream(p, std::ios::app) << "// edited\n";
  }
  settle();
  cache = BuildCache::open(tmp.path() / "cache"); // a new run: no memoised source hashes
  REQUIRE(cache);
  tools.cache = cache->get();
  order.sources.clear();
  REQUIRE(build_binaries(reqs, tools).ok());
  CHECK(order.sources == std::vector<std::string>{"small.c", "mid.c", "big.c"});
  // A compile records its time: the entry is there after a build.
  CHECK((*cache)->fetch_text("timings", compile_time_key(small, {}, x86, Profile::release)));
}

TEST_CASE("toolchain.build: launched compiles; the launcher is not in the cache key") {
  TempDir tmp("sp-engine");
  FakeCounts counts;
  BuildTools tools = fake_tools(tmp.path() / "root", counts);
  auto cache = BuildCache::open(tmp.path() / "cache");
  REQUIRE(cache);
  tools.cache = cache->get();
  tools.jobs = 1;
  FakeDistcc distcc;
  distcc.install(tools, "127.0.0.1:3632/1");
  fs::path a = write_source(tmp.path(), "a.c", "int a;\n");
  fs::path b = write_source(tmp.path(), "b.c", "WARN\n");
  settle();
  Target x86{Arch::x86_64, Libc::glibc};
  std::vector<BinaryRequest> reqs = {request("p", {a, b}, x86, tmp.path())};
  auto first = build_binaries(reqs, tools);
  REQUIRE(first.ok());
  REQUIRE((*first)[0].ok());
  CHECK(distcc.commands.size() == 2);
  CHECK(distcc.commands[0][0] == "distcc");
  CHECK(distcc.commands[0][1] == "clang-19");
  CHECK(distcc.env.front() == "DISTCC_HOSTS=127.0.0.1:3632/1");
  CHECK(tools.launch_stats->remote() == 2);
  CHECK(tools.launch_stats->fallbacks() == 0);
  CHECK((*first)[0].diagnostics.find("warning: careful") != std::string::npos);

  // The same build without the launcher: every object comes from the cache.
  BuildTools local = tools;
  local.launcher = {};
  auto second = build_binaries(reqs, local);
  REQUIRE(second.ok());
  CHECK((*second)[0].compile_hits == 2);
  CHECK((*second)[0].compiled == 0);
}

TEST_CASE("toolchain.build: distcc's own failures compile locally; a real error is reported once") {
  TempDir tmp("sp-engine");
  FakeCounts counts;
  BuildTools tools = fake_tools(tmp.path() / "root", counts);
  FakeDistcc distcc;
  distcc.install(tools, "127.0.0.1:1/2 127.0.0.1:2/2");
  fs::path a = write_source(tmp.path(), "a.c", "int a;\n");
  fs::path b = write_source(tmp.path(), "b.c", "int b;\n");
  fs::path broken = write_source(tmp.path(), "broken.c", "BROKEN\n");
  Target x86{Arch::x86_64, Libc::glibc};

  SUBCASE("every host down: compiled here, counted with distcc's reason") {
    distcc.exit_code = 116;
    auto r = build_binaries({request("p", {a, b}, x86, tmp.path())}, tools);
    REQUIRE(r.ok());
    CHECK((*r)[0].ok());
    CHECK(counts.compiles == 2); // both compiled here
    CHECK(tools.launch_stats->fallbacks() == 2);
    CHECK(tools.launch_stats->remote() == 0);
    CHECK(tools.launch_stats->first_reason() == "ERROR: nonblocking connect to 127.0.0.1:1 failed");
    CHECK((*r)[0].diagnostics.empty());
  }
  SUBCASE("a compile error: clang's diagnostic once, without distcc's line, nothing redone") {
    auto r = build_binaries({request("p", {broken}, x86, tmp.path())}, tools);
    REQUIRE(r.ok());
    REQUIRE_FALSE((*r)[0].ok());
    std::string details = render((*r)[0].error.value());
    size_t first = details.find("error: nope");
    REQUIRE(first != std::string::npos);
    CHECK(details.find("error: nope", first + 1) == std::string::npos);
    CHECK(details.find("distcc[") == std::string::npos);
    CHECK(counts.compiles == 1); // the launched one only
    CHECK(tools.launch_stats->fallbacks() == 0);
  }
}
