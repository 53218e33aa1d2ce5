#include "util/fs.h"
#include "util/interrupt.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <doctest/doctest.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace sp;

namespace {

/// Every entry below `dir` (hidden ones too) as "rel" or "rel/" for a directory, sorted.
std::vector<std::string> tree(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    std::string rel = e.path().lexically_relative(dir).string();
    out.push_back(e.is_directory() ? rel + "/" : rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Writes `text` to `path`, creating its directory.
void put(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  REQUIRE(write_file_atomic(path, text));
}

} // namespace

TEST_CASE("util.fs: OutputStage moves its outputs into place only on commit") {
  TempDir tmp("sp-fs");
  fs::path out = tmp.path() / "out";
  put(out / "app", "old app");
  put(out / "app.oci/index.json", "old index");
  put(out / "app.oci/old-blob", "old blob");
  put(out / "other", "not ours");

  auto write_new = [&](OutputStage& stage) {
    fs::path app = stage.stage(out / "app");
    CHECK(app == stage.root() / "app");
    put(app, "new app");
    put(stage.root() / "app.oci/index.json", "new index");
    CHECK(stage.adopt(stage.root() / "app.oci") == out / "app.oci");
    CHECK(stage.final_path(stage.root() / "x86_64-glibc/app") == out / "x86_64-glibc/app");
    CHECK(stage.final_path("elsewhere/app") == fs::path("elsewhere/app"));
  };
  {
    auto stage = OutputStage::open(out);
    REQUIRE(stage.ok());
    CHECK((*stage)->root().parent_path() == out);
    CHECK((*stage)->root().filename().string().starts_with(".scratchpack-stage."));
    write_new(**stage);
    // Not committed: out is as it was, without the stage.
  }
  CHECK(tree(out) == std::vector<std::string>{"app", "app.oci/", "app.oci/index.json",
                                              "app.oci/old-blob", "other"});
  CHECK(*read_file(out / "app") == "old app");
  {
    auto stage = OutputStage::open(out);
    REQUIRE(stage.ok());
    write_new(**stage);
    REQUIRE((*stage)->commit().ok());
  }
  // The file replaced, the directory exchanged whole (no old blob left), the rest untouched.
  CHECK(tree(out) == std::vector<std::string>{"app", "app.oci/", "app.oci/index.json", "other"});
  CHECK(*read_file(out / "app") == "new app");
  CHECK(*read_file(out / "app.oci/index.json") == "new index");
  CHECK(*read_file(out / "other") == "not ours");
}

TEST_CASE("util.fs: a stage not committed removes the directories it created") {
  TempDir tmp("sp-fs");
  fs::path out = tmp.path() / "a/b/out";
  {
    auto stage = OutputStage::open(out);
    REQUIRE(stage.ok());
    CHECK(fs::is_directory(out));
    put((*stage)->stage(out / "x86_64-glibc/app"), "app");
  }
  CHECK_FALSE(fs::exists(tmp.path() / "a"));

  // A directory that something else filled meanwhile stays.
  {
    auto stage = OutputStage::open(out);
    REQUIRE(stage.ok());
    put(tmp.path() / "a/b/mine", "x");
  }
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::exists(tmp.path() / "a/b/mine"));

  // A committed stage keeps them, with its outputs and nothing else.
  {
    auto stage = OutputStage::open(out);
    REQUIRE(stage.ok());
    put((*stage)->stage(out / "x86_64-glibc/app"), "app");
    REQUIRE((*stage)->commit().ok());
  }
  CHECK(tree(out) == std::vector<std::string>{"x86_64-glibc/", "x86_64-glibc/app"});
}

TEST_CASE("util.fs: a stage that would put a file where a directory is moves nothing") {
  TempDir tmp("sp-fs");
  fs::path out = tmp.path() / "out";
  fs::create_directories(out / "app");
  put(out / "app.tar", "old archive");
  auto stage = OutputStage::open(out);
  REQUIRE(stage.ok());
  put((*stage)->stage(out / "app.tar"), "new archive");
  put((*stage)->stage(out / "app"), "app");
  Status s = (*stage)->commit();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().what == (out / "app").string());
  CHECK(s.error().why == "is a directory; the output is a file");
  CHECK(*read_file(out / "app.tar") == "old archive");
}

TEST_CASE("util.fs: open() sweeps the stage a killed run left") {
  TempDir tmp("sp-fs");
  fs::path out = tmp.path() / "out";
  // pid 2^22 + 1 is above Linux's pid_max limit: no such process can exist.
  fs::path stale = out / ".scratchpack-stage.4194305.abcdef";
  put(stale / "app", "half");
  auto stage = OutputStage::open(out);
  REQUIRE(stage.ok());
  CHECK_FALSE(fs::exists(stale));
}

TEST_CASE("util.fs: an interrupt while threads make and fill temporaries leaves nothing") {
  // Threads create temporary files and directories and write into them as fast as they can; a
  // SIGINT lands at some moment of that. Whatever it interrupts (a creation not yet recorded, a
  // directory being filled while the handler empties it), the directory is empty afterwards.
  // (Not a TempDir: the forked child would inherit its record and remove it.)
  std::string templ = (temp_root() / "sp-fs-interrupt.XXXXXX").string();
  REQUIRE(::mkdtemp(templ.data()) != nullptr);
  const fs::path root = templ;
  for (int round = 0; round < 12; ++round) {
    fs::path dir = root / std::to_string(round);
    fs::create_directories(dir);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      install_interrupt_cleanup();
      auto churn = [&dir] {
        for (;;) {
          TempDir d("t", dir);
          for (int i = 0; i < 20; ++i) {
            if (auto f = TempFile::create(d.path(), "f")) {
              (void)f->write("x");
              (void)f->commit(d.path() / std::to_string(i));
            }
          }
          (void)TempFile::create(dir, "g");
        }
      };
      std::thread(churn).detach();
      std::thread(churn).detach();
      for (;;) {
        ::pause();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(15 + 7 * round));
    ::kill(child, SIGINT);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGINT);
    std::vector<std::string> left = tree(dir);
    CHECK_MESSAGE(left.empty(), "left after SIGINT: " << (left.empty() ? "" : left.front()));
  }
  fs::remove_all(root);
}

TEST_CASE("util.fs: xdg_path takes the override, else the XDG variable, else the home directory") {
  struct Env { // sets a variable for the test and puts the old value back
    std::string name;
    std::optional<std::string> old;
    Env(std::string n, const char* value) : name(std::move(n)) {
      if (const char* v = std::getenv(name.c_str())) {
        old = v;
      }
      value ? ::setenv(name.c_str(), value, 1) : ::unsetenv(name.c_str());
    }
    ~Env() { old ? ::setenv(name.c_str(), old->c_str(), 1) : ::unsetenv(name.c_str()); }
  };
  Env home("HOME", "/home/u");
  Env xdg("SP_TEST_XDG", nullptr);
  Env over("SP_TEST_OVERRIDE", nullptr);
  CHECK(xdg_path("SP_TEST_OVERRIDE", "SP_TEST_XDG", ".local/share", "sysroots") ==
        "/home/u/.local/share/scratchpack/sysroots");
  CHECK(xdg_path("SP_TEST_OVERRIDE", "SP_TEST_XDG", ".cache", "") == "/home/u/.cache/scratchpack");
  ::setenv("SP_TEST_XDG", "/xdg", 1);
  CHECK(xdg_path("SP_TEST_OVERRIDE", "SP_TEST_XDG", ".cache", "") == "/xdg/scratchpack");
  ::setenv("SP_TEST_XDG", "", 1); // empty counts as unset
  CHECK(xdg_path("SP_TEST_OVERRIDE", "SP_TEST_XDG", ".config", "cache-key") ==
        "/home/u/.config/scratchpack/cache-key");
  ::setenv("SP_TEST_OVERRIDE", "/somewhere/else", 1);
  CHECK(xdg_path("SP_TEST_OVERRIDE", "SP_TEST_XDG", ".cache", "") == "/somewhere/else");
}

TEST_CASE("util.fs: lexically_within tells a path inside a directory from one beside it") {
  CHECK(lexically_within("/usr/include/stdio.h", "/usr/include"));
  CHECK(lexically_within("/usr/include", "/usr/include"));
  CHECK_FALSE(lexically_within("/usr/include2/x.h", "/usr/include")); // a prefix, not a parent
  CHECK_FALSE(lexically_within("/usr/lib/x.h", "/usr/include"));
  CHECK_FALSE(lexically_within("/usr/include/../lib/x.h", "/usr/include"));
  CHECK_FALSE(lexically_within("/x", ""));
  // The text comparison for normal absolute paths, and the general one for the rest, agree.
  CHECK(lexically_within("/usr/include/stdio.h", "/"));
  CHECK(lexically_within("/", "/"));
  CHECK_FALSE(lexically_within("/usr", "/usr/include"));
  CHECK(lexically_within("/usr/include/stdio.h", "/usr/include/")); // a trailing separator
  CHECK(lexically_within("/usr/include/./stdio.h", "/usr/include"));
  CHECK_FALSE(lexically_within("/usr/include2", "/usr/include/"));
  CHECK(lexically_within("src/a.h", "src"));
  CHECK_FALSE(lexically_within("src2/a.h", "src"));
}

TEST_CASE("util.fs: normal_absolute makes a path absolute and normal, and keeps one that is") {
  CHECK(normal_absolute("/usr/include/stdio.h") == "/usr/include/stdio.h");
  CHECK(normal_absolute("/") == "/");
  CHECK(normal_absolute("/usr/include/../lib/./x.h") == "/usr/lib/x.h");
  CHECK(normal_absolute("/usr//include/") == "/usr/include/");
  CHECK(normal_absolute("/usr/include/..") == "/usr/");
  CHECK(normal_absolute("a/./b/../c.h") == fs::current_path() / "a/c.h");
  CHECK(normal_absolute("..").native().size() < fs::current_path().native().size());
}
