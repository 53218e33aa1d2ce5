#include "util/target.h"

#include <doctest/doctest.h>

using namespace sp;

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

TEST_CASE("riscv64: the fourth target, with its triple, platform, emulation and qemu") {
  auto t = parse_target("riscv64");
  REQUIRE(t);
  CHECK(t->name() == "riscv64-glibc");
  CHECK(t->clang_triple() == "riscv64-linux-gnu");
  CHECK(t->platform().to_string() == "linux/riscv64");
  CHECK(t->lld_emulation() == "elf64lriscv");
  CHECK(t->qemu() == "qemu-riscv64-static");
  CHECK(parse_target("linux/riscv64", Libc::musl)->name() == "riscv64-musl");
  CHECK(parse_target("riscv64-linux-musl")->clang_triple() == "riscv64-linux-musl");
  CHECK_FALSE(t->info().debian12_binaries); // no riscv64 musl-dev in Debian 12
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
  auto bad = parse_target("mips64");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what == "unknown target 'mips64'");
  CHECK(bad.error().exit_code() == 2);
  CHECK(bad.error().hint.find("x86_64, aarch64, armv7 or riscv64") != std::string::npos);

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

TEST_CASE("OCI platform names are targets, as docker buildx and ko users type them") {
  CHECK(parse_target("linux/amd64")->name() == "x86_64-glibc");
  CHECK(parse_target("linux/arm64")->name() == "aarch64-glibc");
  CHECK(parse_target("linux/arm64/v8", Libc::musl)->name() == "aarch64-musl");
  CHECK(parse_target("linux/arm/v7")->name() == "armv7-glibc");
  auto list = parse_targets("linux/amd64,linux/arm64,linux/arm/v7", std::nullopt);
  REQUIRE(list);
  CHECK(list->size() == 3);
  CHECK_FALSE(parse_targets("linux/amd64,x86_64", std::nullopt)); // the same target twice
  auto v6 = parse_target("linux/arm/v6");
  REQUIRE_FALSE(v6);
  CHECK(v6.error().what == "unknown target 'linux/arm/v6'");
  CHECK(v6.error().why == "unsupported arm variant");
  auto sparc = parse_target("linux/sparc");
  REQUIRE_FALSE(sparc);
  CHECK(sparc.error().hint.find("a platform such as linux/arm64") != std::string::npos);
}

TEST_CASE("one table: every name of an architecture comes from its row") {
  for (const ArchInfo& a : arch_table()) {
    Target t{a.arch, Libc::glibc};
    CHECK(find_arch(a.name) == &a);
    CHECK(find_arch(t.platform()) == &a);
    CHECK(find_arch_by_elf_machine(a.elf_machine) == &a);
    CHECK(parse_target(t.platform().to_string())->arch == a.arch);
    CHECK(parse_platform(t.platform().to_string()).value() == t.platform());
    CHECK_FALSE(t.qemu().empty());
  }
  CHECK(find_arch("armhf")->arch == Arch::armv7);
  CHECK(find_arch_by_elf_machine(8) == nullptr); // mips
  CHECK(Target{Arch::armv7, Libc::glibc}.debian_arch() == "armhf");
  CHECK(info(Arch::aarch64).qemu == "qemu-aarch64-static");
  CHECK(all_targets().size() == 2 * arch_table().size());
}
