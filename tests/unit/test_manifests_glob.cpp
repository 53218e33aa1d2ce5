#include "manifests/glob.h"

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
