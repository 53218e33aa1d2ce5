#include "util/cache_store.h"
#include "util/sha256.h"

#include <chrono>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <thread>

using namespace sp;

namespace {

const std::string k_key(64, 'k');

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

std::string read(const fs::path& p) {
  return read_file(p).value();
}

struct Fixture {
  TempDir tmp{"sp-cache-store"};
  CacheStore store = CacheStore::open(tmp.path() / "cache", k_key).value();
  fs::path out(const std::string& name) const { return tmp.path() / name; }
};

} // namespace

TEST_CASE("util.cache_store: stored, found, copied out with its digest") {
  Fixture f;
  write(f.out("in"), "object bytes");
  CHECK_FALSE(f.store.get("objects/ab/x.o", f.out("miss")));
  auto put = f.store.put("objects/ab/x.o", f.out("in"));
  REQUIRE(put);
  CHECK(put->sha256 == sha256_hex("object bytes"));
  auto got = f.store.get("objects/ab/x.o", f.out("copy"), 0755);
  REQUIRE(got);
  CHECK(got->size == 12);
  CHECK(read(f.out("copy")) == "object bytes");
  CHECK((fs::status(f.out("copy")).permissions() & fs::perms::owner_exec) != fs::perms::none);
  REQUIRE(f.store.put_bytes("scans/ab/y", "{}"));
  CHECK(f.store.get_bytes("scans/ab/y") == "{}");
  CHECK(f.store.contains("scans/ab/y"));
  CHECK(f.store.usage().entries == 2);
}

TEST_CASE("util.cache_store: outputs share no inode with the cache; editing one leaves it") {
  Fixture f;
  write(f.out("in"), "layer blob");
  REQUIRE(f.store.put("blobs/abc", f.out("in")));
  REQUIRE(f.store.get("blobs/abc", f.out("copy")));
  struct stat a{}, b{};
  ::stat((f.store.dir() / "blobs/abc").c_str(), &a);
  ::stat(f.out("copy").c_str(), &b);
  CHECK(a.st_ino != b.st_ino);
  write(f.out("copy"), "edited by the user");
  REQUIRE(f.store.get("blobs/abc", f.out("again")));
  CHECK(read(f.out("again")) == "layer blob");
}

TEST_CASE("util.cache_store: a damaged entry is a miss, and is removed") {
  Fixture f;
  write(f.out("in"), "good bytes");
  REQUIRE(f.store.put("links/ab/k", f.out("in")));
  // Same size, same mtime: what a stat-based check would miss.
  fs::path entry = f.store.dir() / "links/ab/k";
  struct stat st{};
  ::stat(entry.c_str(), &st);
  write(entry, "evil bytes");
  timespec times[2] = {st.st_atim, st.st_mtim};
  ::utimensat(AT_FDCWD, entry.c_str(), times, 0);
  CHECK_FALSE(f.store.get("links/ab/k", f.out("copy")));
  CHECK_FALSE(fs::exists(f.out("copy")));
  CHECK_FALSE(fs::exists(entry));
  CHECK_FALSE(f.store.contains("links/ab/k"));
}

TEST_CASE("util.cache_store: a forged or moved sidecar, or another key, is not believed") {
  Fixture f;
  write(f.out("in"), "real");
  REQUIRE(f.store.put("links/ab/one", f.out("in")));
  REQUIRE(f.store.put_bytes("links/ab/two", "other"));
  fs::path meta = f.store.dir() / "links/ab/one.meta";
  // A forger who rewrites the entry and its recorded hash, without the key.
  write(f.store.dir() / "links/ab/one", "evil");
  std::string text = read(meta);
  size_t at = text.find("sha256 ") + 7;
  text.replace(at, 64, sha256_hex("evil"));
  text.replace(text.find("size 4"), 6, "size 4");
  write(meta, text);
  CHECK_FALSE(f.store.get("links/ab/one", f.out("a")));
  // A sound sidecar moved onto another entry: the MAC covers the name.
  fs::copy_file(f.store.dir() / "links/ab/two.meta", f.store.dir() / "links/ab/three.meta");
  fs::copy_file(f.store.dir() / "links/ab/two", f.store.dir() / "links/ab/three");
  CHECK_FALSE(f.store.get("links/ab/three", f.out("b")));
  // The same files read with another key.
  CacheStore stranger = CacheStore::open(f.store.dir(), std::string(64, 'z')).value();
  CHECK_FALSE(stranger.get("links/ab/two", f.out("c")));
}

TEST_CASE("util.cache_store: large entries are trusted only while they are the file stored") {
  Fixture f;
  std::string big(CacheStore::k_rehash_limit + 100, 'x');
  write(f.out("big"), big);
  REQUIRE(f.store.put("pch/ab/p.pch", f.out("big")));
  REQUIRE(f.store.get("pch/ab/p.pch", f.out("copy")));
  // Rewritten with other bytes of the same size: a new mtime/ctime, so it is re-hashed and refused.
  std::string evil = big;
  evil[10] = 'y';
  write(f.store.dir() / "pch/ab/p.pch", evil);
  CHECK_FALSE(f.store.get("pch/ab/p.pch", f.out("copy2")));
}

TEST_CASE("util.cache_store: eviction goes by last use; verify finds the damage") {
  Fixture f;
  for (const char* name : {"a", "b", "c"}) {
    REQUIRE(f.store.put_bytes(std::string("scans/") + name, std::string(1000, name[0])));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(f.store.get_bytes("scans/a")); // a is now the most recent
  uint64_t all = f.store.usage().bytes;
  CHECK(evict_lru({&f.store}, all - 1) == 1);
  CHECK(f.store.contains("scans/a"));
  CHECK_FALSE(f.store.contains("scans/b"));
  CHECK(f.store.contains("scans/c"));

  write(f.store.dir() / "scans/c", std::string(1000, 'X'));
  write(f.store.dir() / "scans/orphan", "no sidecar");
  CacheVerifyReport r = f.store.verify();
  CHECK(r.checked == 2);
  CHECK(r.removed == 1);
  CHECK(r.bad == std::vector<std::string>{"scans/c"});
  CHECK(r.temporaries == 1);
  CHECK(f.store.verify().removed == 0);
}

TEST_CASE("util.cache_store: a removal racing a commit leaves the entry whole or gone") {
  // The remover strikes as soon as a writer's file is in place, before its sidecar is: without
  // the entry lock it removes the file and the writer's sidecar then lands on nothing, which
  // verify reports as damage no one did.
  Fixture f;
  constexpr int k_entries = 30;
  auto name = [](int i) { return "links/" + std::to_string(i); };
  std::thread writer([&] {
    for (int i = 0; i < k_entries; ++i) {
      REQUIRE(f.store.put_bytes(name(i), std::string(3000, 'a')));
    }
  });
  std::thread remover([&] {
    for (int i = 0; i < k_entries; ++i) {
      auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!fs::exists(f.store.dir() / name(i)) && std::chrono::steady_clock::now() < until) {
      }
      f.store.remove(name(i));
    }
  });
  writer.join();
  remover.join();
  CacheVerifyReport r = f.store.verify();
  CHECK(r.checked == 0);
  CHECK(r.bad.empty());
}

TEST_CASE("util.cache_store: the key file is made once, private, and reused") {
  TempDir tmp("sp-cache-key");
  fs::path file = tmp.path() / "cfg/cache-key";
  std::string key = cache_key(file).value();
  CHECK(key.size() == 64);
  CHECK((fs::status(file).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
        fs::perms::none);
  CHECK(cache_key(file).value() == key);
}
