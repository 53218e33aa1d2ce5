#include "toolchain/pch.h"

#include <doctest/doctest.h>

using namespace sp::toolchain;
using V = std::vector<std::string>;

TEST_CASE("std_preamble: the leading standard includes, comments and blank lines aside") {
  CHECK(std_preamble("#include <iostream>\n\nint main() {}\n") == V{"iostream"});
  CHECK(std_preamble("// hello\n/* a\n   block */\n#include <vector>\n#  include<string>  // s\n"
                     "#include <cstdio>\nint x;\n#include <map>\n") ==
        V{"vector", "string", "cstdio"});
  CHECK(std_preamble("\xEF\xBB\xBF#include <memory>\n") == V{"memory"});
  CHECK(std_preamble("#include <vector> /* trailing */\n") == V{"vector"});
}

TEST_CASE("std_preamble: anything else ends it") {
  CHECK(std_preamble("#include \"mine.h\"\n#include <vector>\n").empty());
  CHECK(std_preamble("#define NDEBUG\n#include <cassert>\n").empty());
  CHECK(std_preamble("#include <vector>\n#pragma once\n#include <string>\n") == V{"vector"});
  CHECK(std_preamble("#include <unistd.h>\n#include <vector>\n").empty());
  CHECK(std_preamble("#include <boost/asio.hpp>\n").empty());
  CHECK(std_preamble("#include <vector> x\n").empty());
  CHECK(std_preamble("#include <vector>\\\n").empty());
  CHECK(std_preamble("#include_next <vector>\n").empty());
  CHECK(std_preamble("int main() {}\n").empty());
  CHECK(std_preamble("").empty());
}

TEST_CASE("preamble_text: one include line per header, in order") {
  CHECK(preamble_text({"string", "vector"}) == "#include <string>\n#include <vector>\n");
  CHECK(is_std_header("iostream"));
  CHECK(is_std_header("cstdint"));
  CHECK_FALSE(is_std_header("stdio.h"));
  CHECK_FALSE(is_std_header(""));
}
