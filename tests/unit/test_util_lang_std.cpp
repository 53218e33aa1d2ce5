#include "util/lang_std.h"

#include <doctest/doctest.h>

using namespace sp;

TEST_CASE("lang_std: every name clang 19 lists is known, with its language") {
  for (const char* c : {"c89", "c90", "iso9899:1990", "gnu89", "c99", "c11", "gnu11", "c17", "c18",
                        "iso9899:2018", "c23", "c2x", "gnu23", "c2y", "gnu2y"}) {
    auto s = find_language_standard(c, c);
    REQUIRE_MESSAGE(s, c);
    CHECK(s->language == Language::c);
  }
  for (const char* cxx :
       {"c++98", "c++03", "gnu++98", "c++11", "c++0x", "c++14", "c++17", "c++1z", "c++20", "c++2a",
        "gnu++20", "c++23", "c++2b", "c++26", "c++2c", "gnu++26"}) {
    auto s = find_language_standard(cxx, cxx);
    REQUIRE_MESSAGE(s, cxx);
    CHECK(s->language == Language::cxx);
  }
}

TEST_CASE("lang_std: an unknown name is one usage error that lists its language's standards") {
  auto cxx = find_language_standard("c++21", "--std c++21");
  REQUIRE(!cxx);
  CHECK(cxx.error().exit_code() == 2);
  CHECK(cxx.error().what == "--std c++21");
  CHECK(cxx.error().why == "unknown language standard");
  CHECK(cxx.error().hint == "C++ standards are c++98, c++11, c++14, c++17, c++20, c++23, c++26 "
                            "(gnu++NN for GNU extensions)");
  auto c = find_language_standard("c21", "--std c21");
  REQUIRE(!c);
  CHECK(c.error().hint == "C standards are c89, c99, c11, c17, c23, c2y (gnuNN for GNU "
                          "extensions); C++ ones are c++11 to c++26");
  CHECK(!find_language_standard("", "--std"));
  CHECK(!find_language_standard("C++20", "--std C++20"));
}
