// Fixtures for the scanner tests, made at test time (no binaries are committed): real programs
// built with clang for the host, musl, aarch64 and armv7, libc-free programs for big-endian and
// 32-bit targets, and ELF images assembled byte by byte for the cases no toolchain produces.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace sp::test {

namespace fs = std::filesystem;

/// Paths of the fixture programs, built once per test run into a private temporary directory.
struct ScanFixtures {
  fs::path dir;
  fs::path dynamic_hello;         ///< clang hello.c (PIE, libc.so.6)
  fs::path static_glibc;          ///< -static -fuse-ld=lld
  fs::path static_musl;           ///< musl's crt1.o + libc.a
  fs::path static_pie;            ///< -static-pie
  fs::path glibc_getaddrinfo;     ///< static glibc calling getaddrinfo
  fs::path glibc_dlopen;          ///< static glibc calling dlopen
  fs::path glibc_getaddrinfo_bfd; ///< the same as glibc_getaddrinfo, linked by GNU ld
  fs::path aarch64_static;        ///< aarch64-linux-gnu, static glibc
  fs::path armv7_static;          ///< arm-linux-gnueabihf, static glibc
  fs::path script;                ///< "#!/bin/sh" script
  fs::path seed_x86_64;           ///< tests/fuzz/seed.c, static, no libc: calls dlopen, has TLS
  fs::path seed_mips;             ///< the same for mips (ELF32 big-endian)
  fs::path seed_ppc64_dynamic;    ///< powerpc64 (ELF64 big-endian) with INTERP, NEEDED, RUNPATH
  fs::path seed_i386;             ///< i386 (ELF32 little-endian x86)
};

/// Builds the fixtures on first call (several seconds) and returns the same paths afterwards.
/// Throws std::runtime_error with the compiler's output when a build fails.
const ScanFixtures& scan_fixtures();

/// The whole file.
std::string file_bytes(const fs::path& path);

/// `bytes` with the byte at `offset` inverted.
std::string flip_byte(std::string bytes, size_t offset);

/// An ELF image described field by field; make_elf lays it out with one PT_LOAD covering the
/// whole file at k_load_address, so DT_STRTAB and friends resolve.
struct ElfSpec {
  bool is64 = true;
  bool big_endian = false;
  uint16_t type = 2; ///< ET_EXEC
  uint16_t machine = 62;
  uint32_t flags = 0;
  uint8_t osabi = 0;
  std::string interp;
  std::vector<std::string> needed;
  std::string rpath;
  std::string runpath;
  uint64_t flags_1 = 0;
  bool force_dynamic = false; ///< PT_DYNAMIC even without entries
  bool tls = false;
  bool gnu_stack = true;
  bool exec_stack = false;
  /// Extra sections (name, type, contents); section headers are written when any exist.
  std::vector<std::pair<std::string, std::pair<uint32_t, std::string>>> sections;
};

inline constexpr uint64_t k_load_address = 0x10000;

std::string make_elf(const ElfSpec& spec);

/// Offsets of ELF header fields, for tests that corrupt them.
size_t e_phentsize_offset(bool is64);
size_t e_shstrndx_offset(bool is64);
size_t e_flags_offset(bool is64);

} // namespace sp::test
