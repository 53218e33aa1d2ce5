#include "cli/limit_flags.h"
#include "util/diagnostics.h"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

using namespace sp;

TEST_CASE("cli limit flags: defaults, raised values, and every bad value reported") {
  CLI::App app;
  cli::LimitFlags flags;
  cli::add_limit_flags(&app, flags, cli::LimitScope::scan);
  packager::ReadLimits defaults = cli::to_read_limits(flags).value();
  CHECK(defaults.max_document == 4u << 20);
  CHECK(defaults.max_index_depth == 4);
  CHECK(defaults.max_entry_size == uint64_t{8} << 30);
  CHECK(defaults.max_total_size == uint64_t{32} << 30);
  CHECK(defaults.max_entries == 1'000'000);
  CHECK(defaults.max_hardlinks == 100'000);

  app.parse(std::vector<std::string>{"9", "--max-hardlinks", "3000000", "--max-entries", "64G",
                                     "--max-total-size", "16G", "--max-entry-size", "6",
                                     "--max-index-depth", "8M", "--max-document-size"});
  packager::ReadLimits raised = cli::to_read_limits(flags).value();
  CHECK(raised.max_document == 8u << 20);
  CHECK(raised.max_index_depth == 6);
  CHECK(raised.max_entry_size == uint64_t{16} << 30);
  CHECK(raised.max_total_size == uint64_t{64} << 30);
  CHECK(raised.max_entries == 3'000'000);
  CHECK(raised.max_hardlinks == 9);

  flags.max_entries = "many";
  flags.max_total_size = "1T";
  flags.max_index_depth = "99999999999";
  Result<packager::ReadLimits> bad = cli::to_read_limits(flags);
  REQUIRE_FALSE(bad.ok());
  CHECK(render_problems(bad.error()) ==
        "error: --max-index-depth 99999999999: expects a whole number\n"
        "error: --max-total-size 1T: expects a number of bytes, optionally with K, M or G\n"
        "error: --max-entries many: expects a whole number\n");
  CHECK(bad.error().kind == ErrorKind::usage_or_io);
}

TEST_CASE("cli limit flags: push has no --max-hardlinks") {
  CLI::App app;
  cli::LimitFlags flags;
  cli::add_limit_flags(&app, flags, cli::LimitScope::push);
  CHECK(app.get_option_no_throw("--max-entries") != nullptr);
  CHECK(app.get_option_no_throw("--max-hardlinks") == nullptr);
}
