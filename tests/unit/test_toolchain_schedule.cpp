#include "toolchain/schedule.h"

#include <doctest/doctest.h>
#include <string>

using namespace sp::toolchain;

TEST_CASE("schedule: longest first, ties in their order") {
  CHECK(longest_first({5, 40, 5, 100, 0}) == std::vector<size_t>{3, 1, 0, 2, 4});
  CHECK(longest_first({}).empty());
}

TEST_CASE("schedule: estimates grow with the code and with the headers it includes") {
  std::string small = "int main() { return 0; }\n";
  std::string big = small + std::string(40000, ' ');
  CHECK(estimate_compile_ms(big, false) > estimate_compile_ms(small, false));
  std::string iostream = "#include <iostream>\n#include <vector>\nint main() {}\n";
  std::string local = "#include \"a.h\"\nint main() {}\n";
  CHECK(estimate_compile_ms(iostream, true) > estimate_compile_ms(local, true));
  CHECK(estimate_compile_ms(iostream, true) > estimate_compile_ms(iostream, false));
  CHECK(estimate_compile_ms("#include\n", true) == estimate_compile_ms("#includ_\n", true));
}

TEST_CASE("schedule: recorded times are read strictly") {
  CHECK(parse_compile_ms("1234") == 1234u);
  CHECK(parse_compile_ms("0") == 0u);
  CHECK_FALSE(parse_compile_ms(""));
  CHECK_FALSE(parse_compile_ms("12ms"));
  CHECK_FALSE(parse_compile_ms("-1"));
  CHECK_FALSE(parse_compile_ms("99999999999999"));
}
