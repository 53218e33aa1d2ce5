#include <doctest/doctest.h>

#include "toolchain/target.h"

using namespace sp::toolchain;

TEST_CASE("short target names map to triples, platforms and emulations") {
  auto t = parse_target("aarch64");
  REQUIRE(t);
  CHECK(t->name() == "aarch64-glibc");
  CHECK(t->clang_triple() == "aarch64-linux-gnu");
  CHECK(t->platform().to_string() == "linux/arm64/v8");
  CHECK(t->lld_emulation() == "aarch64linux");

  auto a = parse_target("armv7-musl");
  REQUIRE(a);
  CHECK(a->clang_triple() == "armv7a-linux-musleabihf");
  CHECK(a->musl_triple() == "arm-linux-musleabihf");
  CHECK(a->platform().to_string() == "linux/arm/v7");
  CHECK(a->debian_arch() == "armhf");
}

TEST_CASE("full triples and aliases are accepted") {
  CHECK(parse_target("aarch64-linux-gnu")->name() == "aarch64-glibc");
  CHECK(parse_target("aarch64-linux-musl")->name() == "aarch64-musl");
  CHECK(parse_target("arm-linux-gnueabihf")->name() == "armv7-glibc");
  CHECK(parse_target("arm-linux-musleabihf")->name() == "armv7-musl");
  CHECK(parse_target("x86_64-unknown-linux-musl")->name() == "x86_64-musl");
  CHECK(parse_target("amd64")->name() == "x86_64-glibc");
  CHECK(parse_target("arm64", Libc::musl)->name() == "aarch64-musl");
}

TEST_CASE("bad targets give one usage error with a hint") {
  auto bad = parse_target("riscv64");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what == "unknown target 'riscv64'");
  CHECK(bad.error().exit_code() == 2);
  CHECK(bad.error().hint.find("x86_64, aarch64 or armv7") != std::string::npos);

  auto soft = parse_target("arm-linux-gnueabi");
  REQUIRE_FALSE(soft);
  CHECK(soft.error().why == "soft-float ARM is not supported (armv7 is hard-float)");

  auto clash = parse_target("aarch64-linux-musl", Libc::glibc);
  REQUIRE_FALSE(clash);
  CHECK(clash.error().why == "names musl but --libc is glibc");
}

TEST_CASE("target lists keep order and reject duplicates") {
  auto list = parse_targets("x86_64, aarch64,armv7", std::nullopt);
  REQUIRE(list);
  REQUIRE(list->size() == 3);
  CHECK((*list)[2].name() == "armv7-glibc");
  auto dup = parse_targets("x86_64,amd64", std::nullopt);
  REQUIRE_FALSE(dup);
  CHECK(dup.error().why == "given twice");
}
