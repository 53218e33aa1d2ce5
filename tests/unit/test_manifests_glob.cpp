#include "manifests/glob.h"

#include <algorithm>
#include <chrono>
#include <doctest/doctest.h>
#include <fstream>

using namespace sp;
using namespace sp::manifests;

namespace {

// A small tree: sources at several depths, a header, hidden files and a hidden directory.
struct Tree {
  TempDir tmp{"sp-glob-test"};
  Tree() {
    for (const char* rel :
         {"src/b.cpp", "src/a.cpp", "src/a.h", "src/.hidden.cpp", "src/x1.c", "src/x2.c",
          "src/xy.c", "src/net/http.cpp", "src/net/deep/tls.cpp", "src/.cache/junk.cpp", "top.c"}) {
      fs::path path = tmp.path() / rel;
      fs::create_directories(path.parent_path());
      std::ofstream(path) << "int x;\n";
    }
  }
  std::vector<std::string> expand(std::string_view pattern) const {
    Result<std::vector<std::string>> r = expand_glob(pattern, tmp.path());
    REQUIRE(r.ok());
    return *r;
  }
};

using Paths = std::vector<std::string>;

} // namespace

TEST_CASE("match_name: *, ?, brackets and escapes within one component") {
  CHECK(match_name("*.cpp", "main.cpp"));
  CHECK_FALSE(match_name("*.cpp", "main.c"));
  CHECK(match_name("x?.c", "x1.c"));
  CHECK_FALSE(match_name("x?.c", "x.c"));
  CHECK(match_name("x[0-9].c", "x2.c"));
  CHECK_FALSE(match_name("x[0-9].c", "xy.c"));
  CHECK(match_name("x[!0-9].c", "xy.c"));
  CHECK(match_name("x[^0-9].c", "xy.c"));
  CHECK(match_name("[]]", "]"));
  CHECK(match_name("a\\*b", "a*b"));
  CHECK_FALSE(match_name("a\\*b", "axb"));
  CHECK(match_name("*", ""));
  CHECK(match_name("a*b*c", "abxbc"));
}

TEST_CASE("has_glob_chars and check_glob") {
  CHECK(has_glob_chars("src/*.c"));
  CHECK(has_glob_chars("a?.c"));
  CHECK(has_glob_chars("[ab].c"));
  CHECK_FALSE(has_glob_chars("src/main.c"));
  CHECK(check_glob("src/[ab].c").ok());
  Status bad = check_glob("src/[ab.c");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().why == "unterminated '[' at offset 4");
}

TEST_CASE("expand_glob: * in one directory, sorted, hidden files left out") {
  Tree tree;
  CHECK(tree.expand("src/*.cpp") == Paths{"src/a.cpp", "src/b.cpp"});
  CHECK(tree.expand("src/.*.cpp") == Paths{"src/.hidden.cpp"});
  CHECK(tree.expand("./src/*.h") == Paths{"src/a.h"});
}

TEST_CASE("expand_glob: ? and brackets") {
  Tree tree;
  CHECK(tree.expand("src/x?.c") == Paths{"src/x1.c", "src/x2.c", "src/xy.c"});
  CHECK(tree.expand("src/x[0-9].c") == Paths{"src/x1.c", "src/x2.c"});
  CHECK(tree.expand("src/x[!0-9].c") == Paths{"src/xy.c"});
}

TEST_CASE("expand_glob: ** spans any depth, including none, but not hidden directories") {
  Tree tree;
  CHECK(tree.expand("src/**/*.cpp") ==
        Paths{"src/a.cpp", "src/b.cpp", "src/net/deep/tls.cpp", "src/net/http.cpp"});
  CHECK(tree.expand("**/*.c") == Paths{"src/x1.c", "src/x2.c", "src/xy.c", "top.c"});
  CHECK(tree.expand("src/net/**") == Paths{"src/net/deep/tls.cpp", "src/net/http.cpp"});
}

TEST_CASE("expand_glob: directories are not files, missing directories match nothing") {
  Tree tree;
  CHECK(tree.expand("src/*") ==
        Paths{"src/a.cpp", "src/a.h", "src/b.cpp", "src/x1.c", "src/x2.c", "src/xy.c"});
  CHECK(tree.expand("nowhere/*.c").empty());
  CHECK(tree.expand("src/*.cc").empty());
}

TEST_CASE("expand_glob: '..' and absolute patterns") {
  Tree tree;
  Result<std::vector<std::string>> up = expand_glob("../src/*.cpp", tree.tmp.path() / "src");
  REQUIRE(up.ok());
  CHECK(*up == Paths{"../src/a.cpp", "../src/b.cpp"});
  std::string abs = (tree.tmp.path() / "src/net").string();
  Result<std::vector<std::string>> r = expand_glob(abs + "/*.cpp", "/nonexistent");
  REQUIRE(r.ok());
  CHECK(*r == Paths{abs + "/http.cpp"});
}

// A hostile manifest (a clone's) chooses the pattern, and its repository the names and the tree:
// neither may make expansion take more than polynomial time.
TEST_CASE("match_name: many stars against a long name take linear time") {
  auto started = std::chrono::steady_clock::now();
  std::string name(250, 'a');
  CHECK_FALSE(match_name("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", name));
  CHECK(match_name("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*", name));
  CHECK(match_name("a*[ab]?*\\a", name));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
  // The one-character tokens still mean what they did.
  CHECK(match_name("*x[!0-9]?.c", "abxy1.c"));
  CHECK_FALSE(match_name("*x[!0-9]?.c", "abx11.c"));
  CHECK(match_name("*[", "a["));
  CHECK(match_name("*\\", "a\\"));
}

TEST_CASE("expand_glob: many ** over a deep tree read each directory once per component") {
  TempDir tmp("sp-glob-deep");
  fs::path deep = tmp.path();
  for (int i = 0; i < 24; ++i) {
    deep /= "a";
  }
  fs::create_directories(deep);
  std::ofstream(deep / "x.c") << "int x;\n";
  auto started = std::chrono::steady_clock::now();
  Result<std::vector<std::string>> r =
      expand_glob("**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/**/x.c", tmp.path());
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK(r->front().ends_with("/a/a/x.c"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("expand_glob: directories may_enter refuses are not read") {
  Tree tree;
  std::vector<fs::path> asked;
  auto only_top = [&](const fs::path& dir) {
    asked.push_back(dir);
    return dir.filename() != "net";
  };
  Result<std::vector<std::string>> r = expand_glob("src/**/*.cpp", tree.tmp.path(), only_top);
  REQUIRE(r.ok());
  CHECK(*r == Paths{"src/a.cpp", "src/b.cpp"});
  CHECK(std::find(asked.begin(), asked.end(), tree.tmp.path() / "src/net") != asked.end());
}

TEST_CASE("expand_glob: observe is told every directory whose entries decide the matches") {
  Tree tree;
  std::vector<fs::path> seen;
  auto observe = [&seen](const fs::path& dir) { seen.push_back(dir.lexically_normal()); };
  auto matches = expand_glob("src/**/*.cpp", tree.tmp.path(), nullptr, observe);
  REQUIRE(matches.ok());
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  const fs::path& t = tree.tmp.path();
  // Every directory the walk read (hidden ones are not entered)...
  for (const fs::path& d : {t / "src", t / "src/net", t / "src/net/deep"}) {
    CHECK(std::find(seen.begin(), seen.end(), d) != seen.end());
  }
  CHECK(std::find(seen.begin(), seen.end(), t / "src/.cache") == seen.end());
  // ...and, for a literal last component, the directory it would appear in.
  seen.clear();
  REQUIRE(expand_glob("*/later.c", t, nullptr, observe).ok());
  CHECK(std::find(seen.begin(), seen.end(), t / "src") != seen.end());
}
