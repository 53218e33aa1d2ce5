#include "util/process.h"

#include <doctest/doctest.h>

using namespace sp;

TEST_CASE("util.process: input larger than a pipe holds goes in while the output comes out") {
  // cat echoes as it reads: with a blocking write of all 4 MiB at once, the child's stdout
  // filled while we still wrote its stdin, and both waited for ever.
  std::string input(4 << 20, 'x');
  for (size_t i = 0; i < input.size(); i += 4096) {
    input[i] = static_cast<char>('a' + (i / 4096) % 26);
  }
  ProcessOptions options;
  options.input = input;
  auto r = run_process({"cat"}, options);
  REQUIRE(r);
  CHECK(r->exit_code == 0);
  CHECK(r->out.size() == input.size());
  CHECK(r->out == input);
}
