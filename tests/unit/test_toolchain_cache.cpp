#include "toolchain/cache.h"
#include "util/fs.h"
#include "util/sha256.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <thread>
#include <utime.h>

using namespace sp;
using namespace sp::toolchain;

namespace {

/// A source, two headers and a depfile naming them, as clang -MD writes one, under a temp dir.
struct Project {
  TempDir tmp;
  fs::path src = tmp.path() / "a.cpp";
  fs::path one = tmp.path() / "one.h";
  fs::path two = tmp.path() / "two.h";
  fs::path dep = tmp.path() / "a.d";
  fs::path obj = tmp.path() / "a.o";
  std::vector<std::string> argv;

  Project() {
    write("int main() {}\n", src);
    write("#pragma once\n", one);
    write("#pragma once\n", two);
    write("a.o: " + src.string() + " \\\n  " + one.string() + " " + two.string() + "\n", dep);
    write("OBJECT-1", obj);
    argv = {"clang",      "-c",        "-O2",        "-I" + tmp.path().string(),
            src.string(), "-o",        obj.string(), "-MD",
            "-MF",        dep.string()};
  }
  static void write(const std::string& text, const fs::path& p) {
    REQUIRE(write_file_atomic(p, text));
  }
};

std::unique_ptr<BuildCache> open_cache(const TempDir& dir) {
  auto cache = BuildCache::open(dir.path() / "build");
  REQUIRE(cache);
  return std::move(*cache);
}

/// A compile start that is after every file Project wrote.
int64_t after_writes() {
  return BuildCache::coarse_now_ns() + 1'000'000'000;
}

std::string key_of(BuildCache& cache, const Project& p, const std::string& compiler = "clang 19") {
  auto key = cache.compile_key(p.argv, p.src, p.tmp.path(), compiler);
  REQUIRE(key);
  return *key;
}

} // namespace

TEST_CASE("parse_depfile: prerequisites after the colon, escapes and continuations") {
  auto files = parse_depfile("out/a.o: src/a.cpp \\\n  inc/with\\ space.h inc/b.h\n");
  CHECK(files == std::vector<std::string>{"src/a.cpp", "inc/with space.h", "inc/b.h"});
  CHECK(parse_depfile("").empty());
}

TEST_CASE("compile keys: the build directory, object and depfile names do not count") {
  TempDir store;
  auto cache = open_cache(store);
  Project p;
  std::string key = key_of(*cache, p);
  std::vector<std::string> moved = p.argv;
  moved[6] = "/elsewhere/b.o";
  moved[9] = "/elsewhere/b.d";
  CHECK(*cache->compile_key(moved, p.src, p.tmp.path(), "clang 19") == key);
  moved[2] = "-O1";
  CHECK(*cache->compile_key(moved, p.src, p.tmp.path(), "clang 19") != key);
  CHECK(key_of(*cache, p, "clang 20") != key);
}

TEST_CASE("an object comes back while its headers are unchanged, touched or not") {
  TempDir store;
  Project p;
  {
    auto cache = open_cache(store);
    std::string key = key_of(*cache, p);
    CHECK_FALSE(cache->fetch_object(key, p.obj, p.tmp.path()));
    REQUIRE(cache->store_object(key, p.obj, p.dep, p.src, p.tmp.path(), after_writes()));
  }
  fs::remove(p.obj);
  { // a fresh cache object: nothing memoised
    auto cache = open_cache(store);
    REQUIRE(cache->fetch_object(key_of(*cache, p), p.obj, p.tmp.path()));
    CHECK(*read_file(p.obj) == "OBJECT-1");
    CHECK(cache->counters().compile_hits == 1);
  }
  // Touched (new mtime and ctime, same bytes): the header is hashed again and still matches.
  REQUIRE(::utime(p.one.c_str(), nullptr) == 0);
  {
    auto cache = open_cache(store);
    CHECK(cache->fetch_object(key_of(*cache, p), p.obj, p.tmp.path()));
  }
}

TEST_CASE("a changed header misses; the stored entry for the new contents then hits") {
  TempDir store;
  Project p;
  {
    auto cache = open_cache(store);
    REQUIRE(
        cache->store_object(key_of(*cache, p), p.obj, p.dep, p.src, p.tmp.path(), after_writes()));
  }
  Project::write("#pragma once\n#define CHANGED 1\n", p.two);
  auto cache = open_cache(store);
  std::string key = key_of(*cache, p); // same key: the source did not change
  CHECK_FALSE(cache->fetch_object(key, p.obj, p.tmp.path()));
  CHECK(cache->counters().compile_misses == 1);
  Project::write("OBJECT-2", p.obj);
  REQUIRE(cache->store_object(key, p.obj, p.dep, p.src, p.tmp.path(), after_writes()));
  fs::remove(p.obj);
  auto again = open_cache(store);
  REQUIRE(again->fetch_object(key, p.obj, p.tmp.path()));
  CHECK(*read_file(p.obj) == "OBJECT-2");
}

TEST_CASE("a header edited while the compile ran is not cached (ccache's file-too-new rule)") {
  TempDir store;
  Project p;
  auto cache = open_cache(store);
  std::string key = key_of(*cache, p);
  int64_t started_before_edit = BuildCache::coarse_now_ns() - 1'000'000'000;
  REQUIRE(cache->store_object(key, p.obj, p.dep, p.src, p.tmp.path(), started_before_edit));
  CHECK_FALSE(cache->fetch_object(key, p.obj, p.tmp.path()));
  CHECK(cache->usage().objects == 0);
}

TEST_CASE("link keys: objects by contents, the output name left out") {
  TempDir store;
  auto cache = open_cache(store);
  Project p;
  std::vector<std::string> argv = {"ld.lld", "-static", "-o", "out/.x.tmp-1", p.obj.string()};
  std::string key = cache->link_key(argv, "out/.x.tmp-1", {});
  std::vector<std::string> other_out = argv;
  other_out[3] = "out/.x.tmp-2";
  CHECK(cache->link_key(other_out, "out/.x.tmp-2", {}) == key);
  auto fresh = open_cache(store); // file hashes are memoised per cache object
  Project::write("OBJECT-CHANGED", p.obj);
  CHECK(fresh->link_key(argv, "out/.x.tmp-1", {}) != key);
}

TEST_CASE("binaries: stored with their sha256, returned executable") {
  TempDir store;
  auto cache = open_cache(store);
  Project p;
  fs::path bin = p.tmp.path() / "bin";
  Project::write("ELF...", bin);
  CHECK_FALSE(cache->fetch_binary("k1", bin));
  // The hash the caller passes must be the contents': a wrong one is not stored.
  CHECK_FALSE(cache->store_binary("k1", bin, std::string(64, 'a')));
  REQUIRE(cache->store_binary("k1", bin, sha256_hex("ELF...")));
  fs::path out = p.tmp.path() / "copy";
  auto sha = cache->fetch_binary("k1", out);
  REQUIRE(sha);
  CHECK(*sha == sha256_hex("ELF..."));
  CHECK((fs::status(out).permissions() & fs::perms::owner_exec) != fs::perms::none);
  CHECK(cache->counters().link_hits == 1);
  CHECK(cache->usage().links == 1);
  REQUIRE(cache->clean());
  CHECK(cache->usage().links == 0);
}

TEST_CASE("threads storing and fetching the same entries never see a partial one") {
  TempDir store;
  Project p;
  std::string key;
  {
    auto cache = open_cache(store);
    key = key_of(*cache, p);
  }
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto cache = open_cache(store);
      fs::path out = p.tmp.path() / ("out" + std::to_string(t) + ".o");
      for (int i = 0; i < 50; ++i) {
        if (!cache->store_object(key, p.obj, p.dep, p.src, p.tmp.path(), after_writes())) {
          ++bad;
        }
        if (cache->fetch_object(key, out, p.tmp.path()) && *read_file(out) != "OBJECT-1") {
          ++bad;
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  CHECK(bad == 0);
  CHECK(open_cache(store)->usage().objects == 1);
}

TEST_CASE("the same project in another directory hits only when its headers are the same") {
  TempDir store;
  Project a;
  {
    auto cache = open_cache(store);
    // Headers named relative to the build directory, as clang writes them for -Iinc.
    Project::write("a.o: a.cpp one.h two.h\n", a.dep);
    fs::path cwd = fs::current_path();
    fs::current_path(a.tmp.path());
    Status stored =
        cache->store_object(key_of(*cache, a), a.obj, a.dep, a.src, a.tmp.path(), after_writes());
    fs::current_path(cwd);
    REQUIRE(stored);
  }
  Project b; // same contents, another directory
  std::vector<std::string> argv_b = b.argv;
  auto cache = open_cache(store);
  std::string key_b = *cache->compile_key(argv_b, b.src, b.tmp.path(), "clang 19");
  CHECK(key_b == key_of(*cache, a)); // the build directory is mapped to "."
  CHECK(cache->fetch_object(key_b, b.obj, b.tmp.path()));
  Project::write("#pragma once\n#define ONLY_IN_B 1\n", b.one);
  auto fresh = open_cache(store);
  CHECK_FALSE(fresh->fetch_object(key_b, b.obj, b.tmp.path()));
}

TEST_CASE("portable keys: another machine's sysroots directory, with other file identities") {
  // Machine one has its sysroots at one path; machine two at another (another user), with the
  // same files copied there (other ctimes and inodes). Both share the entries (as the remote
  // cache shares them): the compile hits with the system header found by contents, and the link
  // key is the same.
  TempDir store;
  TempDir machines("sp-portable");
  const char* before = std::getenv("SCRATCHPACK_SYSROOTS");
  std::string saved = before ? before : "";
  auto on = [&](const std::string& name) {
    fs::path root = machines.path() / name / "sysroots";
    ::setenv("SCRATCHPACK_SYSROOTS", root.c_str(), 1);
    return root;
  };
  Project p;
  auto layout = [&](const fs::path& root) {
    fs::create_directories(root / "musl" / "include");
    fs::create_directories(root / "musl" / "lib");
    Project::write("#pragma once\nint libc_thing;\n", root / "musl" / "include" / "stdio.h");
    Project::write("!<arch>\nlibc members\n", root / "musl" / "lib" / "libc.a");
    Project::write("a.o: " + p.src.string() + " " + (root / "musl/include/stdio.h").string() + " " +
                       p.one.string() + "\n",
                   p.dep);
  };
  auto argv_on = [&](const fs::path& root) {
    std::vector<std::string> argv = p.argv;
    argv.push_back("-isystem");
    argv.push_back((root / "musl" / "include").string());
    return argv;
  };
  auto link_on = [&](const fs::path& root) {
    return std::vector<std::string>{"ld.lld",       "-static", "-L" + (root / "musl/lib").string(),
                                    p.obj.string(), "-lc",     "-o",
                                    "out/x"};
  };
  fs::path one = on("one");
  layout(one);
  std::string link_one;
  {
    auto cache = open_cache(store);
    auto key = cache->compile_key(argv_on(one), p.src, p.tmp.path(), "clang 19");
    REQUIRE(key);
    REQUIRE(cache->store_object(*key, p.obj, p.dep, p.src, p.tmp.path(), after_writes()));
    link_one = cache->link_key(link_on(one), "out/x", {});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20)); // other mtimes and ctimes
  fs::path two = on("two");
  layout(two);
  {
    auto cache = open_cache(store);
    auto key = cache->compile_key(argv_on(two), p.src, p.tmp.path(), "clang 19");
    REQUIRE(key);
    fs::remove(p.obj);
    CHECK(cache->fetch_object(*key, p.obj, p.tmp.path()));
    CHECK(cache->link_key(link_on(two), "out/x", {}) == link_one);
    // Other contents in the sysroot: another link key.
    Project::write("!<arch>\nother members\n", two / "musl" / "lib" / "libc.a");
    auto fresh = open_cache(store);
    CHECK(fresh->link_key(link_on(two), "out/x", {}) != link_one);
  }
  if (before) {
    ::setenv("SCRATCHPACK_SYSROOTS", saved.c_str(), 1);
  } else {
    ::unsetenv("SCRATCHPACK_SYSROOTS");
  }
}
