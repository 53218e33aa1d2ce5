#include "fake_sysroot.h"
#include "toolchain/provision.h"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <optional>
#include <thread>

using namespace sp;
using namespace sp::toolchain;

TEST_CASE("a held lock makes the next taker report that it waits, then get it on release") {
  TempDir tmp;
  fs::path path = tmp.path() / "libcxx" / "x.lock";
  fs::create_directories(path.parent_path());
  std::optional<FileLock> first;
  {
    auto lock = FileLock::acquire(path);
    REQUIRE(lock);
    first.emplace(std::move(*lock));
  }
  std::atomic<bool> waiting{false}, got{false};
  std::thread second([&] {
    auto lock = FileLock::acquire(path, [&] { waiting = true; });
    got = static_cast<bool>(lock);
  });
  for (int i = 0; i < 200 && !waiting; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(waiting);
  CHECK_FALSE(got);
  first.reset();
  second.join();
  CHECK(got);
}

TEST_CASE("leftovers of interrupted runs are removed by prefix, finished entries stay") {
  TempDir tmp;
  testing::touch(tmp.path() / ".x86_64-linux-musl-abc.tmp-1234/lib/libc++.a");
  testing::touch(tmp.path() / "build-x86_64-linux-musl-abc.Xy12/CMakeCache.txt");
  testing::touch(tmp.path() / "x86_64-linux-musl-abc/lib/libc++.a");
  testing::touch(tmp.path() / "x86_64-linux-musl-abc.lock");
  remove_leftovers(tmp.path(), {".x86_64-linux-musl-abc.tmp-", "build-x86_64-linux-musl-abc."});
  CHECK_FALSE(fs::exists(tmp.path() / ".x86_64-linux-musl-abc.tmp-1234"));
  CHECK_FALSE(fs::exists(tmp.path() / "build-x86_64-linux-musl-abc.Xy12"));
  CHECK(fs::exists(tmp.path() / "x86_64-linux-musl-abc/lib/libc++.a"));
  CHECK(fs::exists(tmp.path() / "x86_64-linux-musl-abc.lock"));
}
