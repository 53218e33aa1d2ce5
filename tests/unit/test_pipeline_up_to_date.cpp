#include "pipeline/up_to_date.h"
#include "toolchain/cache.h"

#include <chrono>
#include <doctest/doctest.h>
#include <fstream>
#include <thread>

using namespace sp;
using namespace sp::pipeline;

namespace {

const std::string k_key(64, 'k');

/// A cache store, an input tree and a dist/ written "by a release" that started before them.
struct Fixture {
  TempDir tmp{"sp-up-to-date"};
  CacheStore store = CacheStore::open(tmp.path() / "cache", k_key).value();
  fs::path src = tmp.path() / "src";
  fs::path dist = tmp.path() / "dist";
  RecordInputs in;
  std::string name = "releases/ab/abcd";

  Fixture() {
    fs::create_directories(src);
    write(src / "main.c", "int main(){}\n");
    write(src / "a.h", "#define A 1\n");
    // Inputs exist before the release starts; the clock's tick (coarse) must pass.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    in.started_ns = toolchain::BuildCache::coarse_now_ns();
    fs::create_directories(dist / "x86_64-glibc");
    write(dist / "x86_64-glibc" / "hello", "ELF");
    write(dist / "SHA256SUMS", "sums\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    in.committed_ns = toolchain::BuildCache::coarse_now_ns();
    in.files = {(src / "main.c").string(), (src / "a.h").string(), src.string()};
    in.probes = {(src / "libmissing.a").string()};
    in.dist = dist;
  }
  static void write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  }
  void record() { REQUIRE(record_release(store, name, in, "shown again") == std::nullopt); }
};

} // namespace

TEST_CASE("up to date: a record whose identities all hold gives its payload back") {
  Fixture f;
  f.record();
  CHECK(check_release(f.store, f.name) == std::optional<std::string>("shown again"));
  CHECK(check_release(f.store, "releases/ab/other") == std::nullopt);
}

TEST_CASE("up to date: an edited, touched, replaced or removed input is a change") {
  SUBCASE("edited") {
    Fixture f;
    f.record();
    Fixture::write(f.src / "a.h", "#define A 2\n");
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
  SUBCASE("touched, contents the same") {
    Fixture f;
    f.record();
    fs::last_write_time(f.src / "main.c", fs::file_time_type::clock::now());
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
  SUBCASE("removed") {
    Fixture f;
    f.record();
    fs::remove(f.src / "main.c");
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
  SUBCASE("a file created in a recorded directory") {
    Fixture f;
    f.record();
    Fixture::write(f.src / "b.h", "new\n");
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
  SUBCASE("a probe that was absent appears") {
    Fixture f;
    f.record();
    fs::create_directories(f.tmp.path() / "elsewhere");
    Fixture::write(f.tmp.path() / "elsewhere" / "libmissing.a", "!<arch>\n");
    fs::rename(f.tmp.path() / "elsewhere" / "libmissing.a", f.src / "libmissing.a");
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
}

TEST_CASE("up to date: dist/ edited, added to or removed is a change") {
  SUBCASE("an output edited") {
    Fixture f;
    f.record();
    Fixture::write(f.dist / "SHA256SUMS", "forged\n");
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
  SUBCASE("a file added in a subdirectory") {
    Fixture f;
    f.record();
    Fixture::write(f.dist / "x86_64-glibc" / "extra", "x");
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
  SUBCASE("dist/ removed") {
    Fixture f;
    f.record();
    fs::remove_all(f.dist);
    CHECK(check_release(f.store, f.name) == std::nullopt);
  }
}

TEST_CASE("up to date: nothing is recorded when an input changed while the release ran") {
  Fixture f;
  Fixture::write(f.src / "a.h", "#define A 3\n"); // after started_ns
  auto why = record_release(f.store, f.name, f.in, "x");
  REQUIRE(why.has_value());
  CHECK(why->find("changed during the release") != std::string::npos);
  CHECK(check_release(f.store, f.name) == std::nullopt);
  // A directory the release itself changes is recorded as it is now.
  f.in.files = {f.src.string()};
  f.in.own_dirs = {f.src};
  CHECK(record_release(f.store, f.name, f.in, "y") == std::nullopt);
  CHECK(check_release(f.store, f.name) == std::optional<std::string>("y"));
}

TEST_CASE("up to date: nothing is recorded when dist/ changed after it was written") {
  Fixture f;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  Fixture::write(f.dist / "SHA256SUMS", "edited after the rename\n");
  CHECK(record_release(f.store, f.name, f.in, "x").has_value());
  CHECK(check_release(f.store, f.name) == std::nullopt);
}

TEST_CASE("up to date: a forged or damaged record is no record") {
  Fixture f;
  f.record();
  // The same entry under another key (the store's HMAC) is refused.
  CacheStore stranger = CacheStore::open(f.store.dir(), std::string(64, 'z')).value();
  CHECK(check_release(stranger, f.name) == std::nullopt);
  // A record whose text is not one.
  (void)f.store.put_bytes(f.name, "scratchpack release record v1\n99\nshort");
  CHECK(check_release(f.store, f.name) == std::nullopt);
  (void)f.store.put_bytes(f.name, "scratchpack release record v1\n1\nx\n");
  CHECK(check_release(f.store, f.name) == std::nullopt); // records no identity at all
}

TEST_CASE("up to date: the record's name follows every part of the invocation") {
  ReleaseInvocation a{
      "/p/scratchpack.yaml", "/p", {"release", "-q"}, {{"SOURCE_DATE_EPOCH", "0"}}, "tools"};
  std::string base = record_name(a);
  CHECK(base.starts_with("releases/"));
  CHECK(record_name(a) == base);
  ReleaseInvocation b = a;
  b.manifest = "/q/scratchpack.yaml";
  CHECK(record_name(b) != base);
  b = a;
  b.cwd = "/";
  CHECK(record_name(b) != base);
  b = a;
  b.arguments.push_back("--json");
  CHECK(record_name(b) != base);
  b = a;
  b.environment[0].second = "1";
  CHECK(record_name(b) != base);
  b = a;
  b.tools = "other clang";
  CHECK(record_name(b) != base);
  // Fields cannot run into each other.
  b = a;
  b.arguments = {"release-q"};
  CHECK(record_name(b) != base);
}
