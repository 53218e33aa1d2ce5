#include "util/diagnostics.h"

#include <doctest/doctest.h>

using namespace sp;

namespace {

Result<int> half(int n) {
  if (n % 2 != 0) {
    return usage_error(std::to_string(n), "is odd");
  }
  return n / 2;
}

Result<int> quarter(int n) {
  int h = SP_TRY(half(n));
  return SP_TRY(half(h));
}

Status even(int n) {
  SP_TRY(half(n));
  return {};
}

} // namespace

TEST_CASE("util.diagnostics: each error kind is one exit code") {
  CHECK(failure("a", "b").exit_code() == 1);
  CHECK(usage_error("a", "b").exit_code() == 2);
  CHECK(io_error("a", "b").exit_code() == 2);
  CHECK(static_cast<int>(ErrorKind::failure) != static_cast<int>(ErrorKind::usage_or_io));
}

TEST_CASE("util.diagnostics: SP_TRY yields the value or returns the error") {
  CHECK(quarter(8).value() == 2);
  Result<int> odd = quarter(6); // 6 → 3 → odd
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.error().what == "3");
  CHECK(even(4).ok());
  CHECK(even(5).error().why == "is odd");
}

TEST_CASE("util.diagnostics: render lays out details, location, error and hint") {
  Error e = failure("link failed", "hello", "see above")
                .with_details("ld.lld: error: undefined symbol: x");
  CHECK(e.kind == ErrorKind::failure);
  CHECK(render(e) ==
        "ld.lld: error: undefined symbol: x\nerror: link failed: hello\nhint: see above\n");
  ErrorStyle loud;
  loud.error_label = [](std::string_view l) { return "<" + std::string(l) + ">"; };
  CHECK(render(failure("a", "b"), loud) == "<error:> a: b\n");

  Diagnostics located("m.yaml");
  located.error_at(Mark{}, "", "x");
  located.error_at(Mark{3, 7}, "images[0]", "bad");
  CHECK(render(located.to_error()) == "m.yaml:1:1: error: x\nm.yaml:3:7: error: images[0]: bad\n");
}

TEST_CASE("util.diagnostics: every problem, then one summary line") {
  Diagnostics d;
  CHECK(d.status().ok());
  d.add(usage_error("--env x", "expected KEY=VALUE"));
  d.add(usage_error("--user root", "no /etc/passwd", "use a numeric uid"));
  Error all = d.to_error();
  CHECK(all.exit_code() == 2);
  CHECK(render(all) == "error: --env x: expected KEY=VALUE\n"
                       "error: --user root: no /etc/passwd\nhint: use a numeric uid\n");
  Error summary = d.summarise("flags");
  CHECK(render(summary).ends_with("error: flags: 2 problems found\n"));

  // A bundle added to another collector is flattened, and one failure makes the whole a failure.
  Diagnostics outer;
  outer.add(all);
  outer.add(failure("link failed", "a"));
  CHECK(outer.count() == 3);
  CHECK(outer.to_error().exit_code() == 1);

  // One problem and no summary is that problem itself.
  Diagnostics one;
  one.add(failure("x", "y"));
  CHECK(one.to_error().problems.empty());
  CHECK(one.summarise("z").what == "x");
}

TEST_CASE("util.diagnostics: located problems sort by position, found order kept for ties") {
  Diagnostics d("f");
  d.error_at(Mark{5, 1}, "c", "third");
  d.error_at(Mark{2, 3}, "a", "first");
  d.error_at(Mark{}, "b", "default sorts as 1:1");
  d.error_at(Mark{2, 3}, "a2", "tie keeps order");
  d.sort_by_position();
  std::vector<std::string> order;
  for (const Error& e : d.errors()) {
    order.push_back(e.what);
  }
  CHECK(order == std::vector<std::string>{"b", "a", "a2", "c"});
}

TEST_CASE("util.diagnostics: problems_status names the subject once or summarises") {
  CHECK(problems_status("layer", {}).ok());
  Status one = problems_status("layer", {"'x': must be absolute"});
  CHECK(render(one.error()) == "error: layer: 'x': must be absolute\n");
  Status two = problems_status("layer", {"p1", "p2"});
  CHECK(two.error().why == "2 problems found");
  CHECK(render_problems(two.error()) == "error: layer: p1\nerror: layer: p2\n");
}
