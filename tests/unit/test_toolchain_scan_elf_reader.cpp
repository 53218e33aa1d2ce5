#include "scan_fixtures.h"
#include "toolchain/scan/elf_reader.h"

#include <doctest/doctest.h>
#include <random>

using namespace sp::scan;
using sp::test::ElfSpec;
using sp::test::make_elf;

namespace {

std::vector<std::string> issue_codes(const ElfFile& f) {
  std::vector<std::string> out;
  for (const ElfIssue& i : f.issues) {
    out.push_back(i.code);
  }
  return out;
}

ElfSpec dynamic_spec(bool is64, bool big) {
  ElfSpec s;
  s.is64 = is64;
  s.big_endian = big;
  s.type = elf::k_et_dyn;
  s.machine = is64 ? 21 : 8; // powerpc64, mips
  s.interp = "/lib/ld.so.1";
  s.needed = {"liba.so.1", "libb.so.2"};
  s.runpath = "/opt/lib:/usr/local/lib";
  s.rpath = "$ORIGIN";
  s.flags_1 = elf::k_df_1_pie;
  s.tls = true;
  return s;
}

} // namespace

TEST_CASE("elf reader: ELF32/ELF64 x little/big endian read into one shape") {
  for (bool is64 : {false, true}) {
    for (bool big : {false, true}) {
      CAPTURE(is64);
      CAPTURE(big);
      std::string image = make_elf(dynamic_spec(is64, big));
      ElfReader reader(image);
      const ElfFile& f = reader.file();
      CHECK(f.issues.empty());
      REQUIRE(f.header_ok);
      CHECK(f.header.elf_class == (is64 ? elf::k_class64 : elf::k_class32));
      CHECK(f.header.big_endian == big);
      CHECK(f.header.type == elf::k_et_dyn);
      CHECK(f.header.machine == (is64 ? 21 : 8));
      CHECK(f.header.entry == sp::test::k_load_address + 0x100);
      CHECK(f.segments.size() == 5);
      REQUIRE(f.interp);
      CHECK(*f.interp == "/lib/ld.so.1");
      CHECK(f.dynamic.present);
      CHECK(f.dynamic.needed == std::vector<std::string>{"liba.so.1", "libb.so.2"});
      CHECK(f.dynamic.rpath == std::vector<std::string>{"$ORIGIN"});
      CHECK(f.dynamic.runpath == std::vector<std::string>{"/opt/lib:/usr/local/lib"});
      CHECK(f.dynamic.flags_1 == elf::k_df_1_pie);
      CHECK(f.has_segment(elf::k_pt_tls));
    }
  }
}

TEST_CASE("elf reader: section names, contents and symbols") {
  ElfSpec s;
  s.big_endian = true;
  s.sections = {{".gnu.warning.getpwnam", {1, "Using 'getpwnam' in statically linked"}},
                {".note.ABI-tag", {7, std::string(16, '\0')}}};
  std::string image = make_elf(s);
  ElfReader reader(image);
  const ElfFile& f = reader.file();
  CHECK(f.issues.empty());
  REQUIRE(f.sections.size() == 4);
  CHECK(f.sections[0].name.empty());
  CHECK(f.sections[1].name == ".gnu.warning.getpwnam");
  CHECK(f.sections[3].name == ".shstrtab");
  const SectionHeader* w = f.find_section(".gnu.warning.getpwnam");
  REQUIRE(w != nullptr);
  CHECK(reader.section_bytes(*w).value() == "Using 'getpwnam' in statically linked");
  CHECK(f.find_section(".nope") == nullptr);
  CHECK(reader.symbol_values({"main"}) == std::vector<std::optional<uint64_t>>{std::nullopt});
}

TEST_CASE("elf reader: symbols of a real static binary") {
  const auto& fx = sp::test::scan_fixtures();
  std::string bytes = sp::test::file_bytes(fx.static_glibc);
  ElfReader reader(bytes);
  auto values = reader.symbol_values({"main", "dlopen", "no_such_symbol"});
  CHECK(values[0].has_value());
  CHECK(values[1].has_value()); // glibc >= 2.34 links dlopen into every static program
  CHECK_FALSE(values[2].has_value());
  CHECK(reader.read_uint(0, 4) == 0x464c457fu);
  CHECK_FALSE(reader.read_uint(bytes.size() - 2, 4));
  CHECK_FALSE(reader.read_uint(0, 3 + 6));
}

TEST_CASE("elf reader: ARM float ABI from e_flags and .ARM.attributes") {
  const auto& fx = sp::test::scan_fixtures();
  std::string bytes = sp::test::file_bytes(fx.armv7_static);
  ElfReader reader(bytes);
  const ElfFile& f = reader.file();
  CHECK(f.issues.empty());
  CHECK(f.header.machine == elf::k_em_arm);
  CHECK((f.header.flags & elf::k_ef_arm_abi_float_hard) != 0);
  REQUIRE(f.arm_attributes);
  CHECK(f.arm_attributes->vfp_args == 1u);
  CHECK(f.arm_attributes->cpu_name == "7-A");
}

TEST_CASE("elf reader: hand-made .ARM.attributes with soft-float arguments") {
  // 'A', subsection [len]["aeabi\0"], Tag_File [1][len] Tag_CPU_name "6" Tag_ABI_VFP_args 0.
  std::string file_attrs = std::string("\x05"
                                       "6\0",
                                       3) +
                           std::string("\x1c\x00", 2);
  std::string tag_file = std::string("\x01", 1) + std::string(4, '\0') + file_attrs;
  tag_file[1] = static_cast<char>(tag_file.size());
  std::string sub = std::string(4, '\0') + std::string("aeabi\0", 6) + tag_file;
  sub[0] = static_cast<char>(sub.size());
  ElfSpec s;
  s.is64 = false;
  s.machine = elf::k_em_arm;
  s.sections = {{".ARM.attributes", {elf::k_sht_arm_attributes, "A" + sub}}};
  std::string image = make_elf(s);
  ElfReader reader(image);
  CHECK(reader.file().issues.empty());
  REQUIRE(reader.file().arm_attributes);
  CHECK(reader.file().arm_attributes->vfp_args == 0u);
  CHECK(reader.file().arm_attributes->cpu_name == "6");
}

TEST_CASE("elf reader: a file cut inside the identification or the header") {
  std::string image = make_elf(dynamic_spec(true, false));
  for (size_t cut : {4, 10, 15}) {
    ElfReader reader(image.substr(0, cut));
    CHECK_FALSE(reader.file().header_ok);
    CHECK(issue_codes(reader.file()) == std::vector<std::string>{"elf.truncated"});
  }
  ElfReader inside_header(image.substr(0, 40));
  CHECK_FALSE(inside_header.file().header_ok);
  CHECK(issue_codes(inside_header.file()) == std::vector<std::string>{"elf.truncated"});
}

TEST_CASE("elf reader: a file cut inside the program headers keeps the header") {
  std::string image = make_elf(dynamic_spec(false, true));
  ElfReader reader(image.substr(0, 60));
  CHECK(reader.file().header_ok);
  CHECK(reader.file().segments.empty());
  CHECK(issue_codes(reader.file()) == std::vector<std::string>{"elf.truncated"});
}

TEST_CASE("elf reader: unknown class and encoding are malformed") {
  std::string image = make_elf(dynamic_spec(true, false));
  for (size_t offset : {4, 5}) {
    ElfReader reader(sp::test::flip_byte(image, offset));
    CHECK_FALSE(reader.file().header_ok);
    CHECK(issue_codes(reader.file()) == std::vector<std::string>{"elf.malformed"});
  }
}

TEST_CASE("elf reader: a wrong program header entry size is malformed, the rest still read") {
  ElfSpec s = dynamic_spec(true, false);
  s.sections = {{".comment", {1, "clang"}}};
  std::string image = make_elf(s);
  image[sp::test::e_phentsize_offset(true)] = 40;
  ElfReader reader(image);
  CHECK(reader.file().header_ok);
  CHECK(issue_codes(reader.file()) == std::vector<std::string>{"elf.malformed"});
  CHECK(reader.file().segments.empty());
  CHECK(reader.file().find_section(".comment") != nullptr);
}

TEST_CASE("elf reader: a bad section name table index is malformed") {
  ElfSpec s;
  s.sections = {{".comment", {1, "clang"}}};
  std::string image = make_elf(s);
  image[sp::test::e_shstrndx_offset(true)] = 99;
  ElfReader reader(image);
  CHECK(issue_codes(reader.file()) == std::vector<std::string>{"elf.malformed"});
  CHECK(reader.file().sections.size() == 3);
}

TEST_CASE("elf reader: a DT_NEEDED offset past the string table is reported, others kept") {
  std::string image = make_elf(dynamic_spec(true, false));
  ElfReader good(image);
  // The first dynamic entry is DT_NEEDED liba.so.1: point its value far outside DT_STRSZ.
  uint64_t dynamic_offset = 0;
  for (const ProgramHeader& p : good.file().segments) {
    if (p.type == elf::k_pt_dynamic) {
      dynamic_offset = p.offset;
    }
  }
  REQUIRE(dynamic_offset != 0);
  REQUIRE(image[dynamic_offset] == 1);
  image[dynamic_offset + 8 + 3] = 0x7f;
  ElfReader reader(image);
  CHECK(issue_codes(reader.file()) == std::vector<std::string>{"elf.malformed"});
  CHECK(reader.file().dynamic.needed == std::vector<std::string>{"<unreadable>", "libb.so.2"});
}

TEST_CASE("elf reader: deterministic random corruption never crashes") {
  const auto& fx = sp::test::scan_fixtures();
  std::vector<std::string> originals = {
      sp::test::file_bytes(fx.seed_x86_64), sp::test::file_bytes(fx.seed_mips),
      sp::test::file_bytes(fx.seed_ppc64_dynamic), sp::test::file_bytes(fx.armv7_static),
      make_elf(dynamic_spec(false, true))};
  std::mt19937 rng(42);
  size_t issues = 0;
  for (const std::string& original : originals) {
    for (int round = 0; round < 200; ++round) {
      std::string bytes = original;
      // Corrupt the first 4 KiB: headers and tables live there in these small files.
      size_t span = std::min<size_t>(bytes.size(), 4096);
      for (int k = 0; k < 4; ++k) {
        bytes[rng() % span] = static_cast<char>(rng());
      }
      if (round % 5 == 0) {
        bytes.resize(rng() % bytes.size());
      }
      ElfReader reader(bytes);
      for (const SectionHeader& s : reader.file().sections) {
        (void)reader.section_bytes(s);
      }
      (void)reader.symbol_values({"dlopen"});
      issues += reader.file().issues.size();
    }
  }
  CHECK(issues > 0);
}

TEST_CASE("elf reader: extended section numbering (e_shnum 0, e_shstrndx SHN_XINDEX)") {
  ElfSpec s;
  s.sections = {{".comment", {1, "clang"}}};
  std::string image = make_elf(s);
  const ElfFile plain = ElfReader(image).file();
  REQUIRE(plain.sections.size() == 3);
  // Move the counts into section header 0: sh_size = shnum, sh_link = shstrndx.
  size_t shoff = static_cast<size_t>(plain.header.shoff);
  image[60] = 0;
  image[61] = 0; // e_shnum = 0
  image[62] = static_cast<char>(0xff);
  image[63] = static_cast<char>(0xff); // e_shstrndx = SHN_XINDEX
  image[shoff + 32] = 3;               // sh_size of section 0
  image[shoff + 40] = 2;               // sh_link of section 0
  ElfReader reader(image);
  CHECK(reader.file().issues.empty());
  CHECK(reader.file().sections.size() == 3);
  CHECK(reader.file().find_section(".comment") != nullptr);
}

TEST_CASE("elf reader: machine names") {
  CHECK(machine_name(elf::k_em_x86_64) == "x86-64");
  CHECK(machine_name(elf::k_em_aarch64) == "aarch64");
  CHECK(machine_name(elf::k_em_arm) == "arm");
  CHECK(machine_name(9999) == "machine-9999");
}
