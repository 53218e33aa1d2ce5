#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "util/strings.h"

#include <doctest/doctest.h>

TEST_CASE("split keeps empty fields") {
  CHECK(sp::split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(sp::split("", ',') == std::vector<std::string>{""});
}

TEST_CASE("shell_quote leaves plain words alone and quotes the rest") {
  CHECK(sp::shell_quote("-O2") == "-O2");
  CHECK(sp::shell_quote("a b") == "'a b'");
  CHECK(sp::shell_quote("it's") == "'it'\\''s'");
}

TEST_CASE("parse_uint accepts only whole numbers") {
  unsigned long long v = 0;
  CHECK(sp::parse_uint("1700000000", v));
  CHECK(v == 1700000000ULL);
  CHECK_FALSE(sp::parse_uint("12x", v));
  CHECK_FALSE(sp::parse_uint("", v));
}

TEST_CASE("path_components drops empty components and '.', keeps '..'") {
  CHECK(sp::path_components("a//./b/") == std::vector<std::string>{"a", "b"});
  CHECK(sp::path_components("/usr/../bin") == std::vector<std::string>{"usr", "..", "bin"});
  CHECK(sp::path_components("").empty());
  CHECK(sp::path_components("/./").empty());
}
