// A bounds-checked ELF reader. Every byte it looks at goes through one checked-range helper, so a
// truncated, corrupted or hostile file yields issues (values), never a crash or an escaping
// exception. ELF32/ELF64 and little/big endian are normalised here: the rest of the scanner sees
// one shape with 64-bit fields in host order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::scan {

/// ELF constants the scanner uses (from the System V gABI and the psABIs).
namespace elf {
inline constexpr uint8_t k_class32 = 1;
inline constexpr uint8_t k_class64 = 2;
inline constexpr uint8_t k_data_lsb = 1;
inline constexpr uint8_t k_data_msb = 2;

inline constexpr uint16_t k_et_rel = 1;
inline constexpr uint16_t k_et_exec = 2;
inline constexpr uint16_t k_et_dyn = 3;
inline constexpr uint16_t k_et_core = 4;

inline constexpr uint16_t k_em_386 = 3;
inline constexpr uint16_t k_em_arm = 40;
inline constexpr uint16_t k_em_x86_64 = 62;
inline constexpr uint16_t k_em_aarch64 = 183;

inline constexpr uint32_t k_pt_load = 1;
inline constexpr uint32_t k_pt_dynamic = 2;
inline constexpr uint32_t k_pt_interp = 3;
inline constexpr uint32_t k_pt_tls = 7;
inline constexpr uint32_t k_pt_gnu_stack = 0x6474e551;
inline constexpr uint32_t k_pf_x = 1;

inline constexpr uint32_t k_sht_symtab = 2;
inline constexpr uint32_t k_sht_nobits = 8;
inline constexpr uint32_t k_sht_arm_attributes = 0x70000003;
inline constexpr uint64_t k_shf_alloc = 2;
inline constexpr uint64_t k_shf_execinstr = 4;

inline constexpr int64_t k_dt_needed = 1;
inline constexpr int64_t k_dt_strtab = 5;
inline constexpr int64_t k_dt_strsz = 10;
inline constexpr int64_t k_dt_soname = 14;
inline constexpr int64_t k_dt_rpath = 15;
inline constexpr int64_t k_dt_runpath = 29;
inline constexpr int64_t k_dt_flags_1 = 0x6ffffffb;
inline constexpr uint64_t k_df_1_pie = 0x08000000;

inline constexpr uint32_t k_ef_arm_abi_float_soft = 0x200;
inline constexpr uint32_t k_ef_arm_abi_float_hard = 0x400;
} // namespace elf

/// The ELF file header, widened to 64 bits.
struct ElfHeader {
  uint8_t elf_class = 0; ///< elf::k_class32 or elf::k_class64
  bool big_endian = false;
  uint8_t osabi = 0;
  uint16_t type = 0;
  uint16_t machine = 0;
  uint32_t flags = 0;
  uint64_t entry = 0;
  uint64_t phoff = 0;
  uint64_t shoff = 0;
  uint16_t ehsize = 0;
  uint16_t phentsize = 0;
  uint16_t shentsize = 0;
  uint64_t phnum = 0; ///< after extended numbering (PN_XNUM) is resolved
  uint64_t shnum = 0; ///< after extended numbering is resolved
  uint64_t shstrndx = 0;
};

struct ProgramHeader {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
};

struct SectionHeader {
  std::string name; ///< resolved through e_shstrndx; empty when it cannot be
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
  uint64_t entsize = 0;
};

/// What the dynamic section asks of the loader, strings resolved.
struct DynamicInfo {
  bool present = false; ///< a PT_DYNAMIC segment (or .dynamic section) exists
  std::vector<std::string> needed;
  std::vector<std::string> rpath;   ///< DT_RPATH entries, each the whole colon-separated string
  std::vector<std::string> runpath; ///< DT_RUNPATH entries
  std::string soname;
  uint64_t flags_1 = 0;
};

/// The parts of the ARM build attributes (.ARM.attributes, "aeabi") the scanner cares about.
struct ArmAttributes {
  std::optional<uint64_t> vfp_args; ///< Tag_ABI_VFP_args: 0 base (soft), 1 VFP (hard), 2, 3
  std::string cpu_name;             ///< Tag_CPU_name, e.g. "7-A"
};

/// One problem met while reading: code is "elf.truncated" or "elf.malformed".
struct ElfIssue {
  std::string code;
  std::string message;
};

/// Everything the reader extracted. Reading continues past a broken part (bad section headers do
/// not hide the program headers), so a file may have both data and issues.
struct ElfFile {
  bool header_ok = false; ///< false: not even the ELF header could be read (see issues)
  ElfHeader header;
  std::vector<ProgramHeader> segments;
  std::vector<SectionHeader> sections;
  std::optional<std::string> interp; ///< PT_INTERP contents without the trailing NUL
  DynamicInfo dynamic;
  std::optional<ArmAttributes> arm_attributes;
  std::vector<ElfIssue> issues;

  /// First section named `name`, or nullptr.
  const SectionHeader* find_section(std::string_view name) const;
  bool has_segment(uint32_t type) const;
};

/// True when `bytes` starts with the ELF magic.
bool is_elf_magic(std::string_view bytes);

/// Where the reader's bytes come from: memory, or a file read piece by piece (so scanning a 100 MB
/// library reads a few kilobytes). The reader checks every range against size() before asking.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  /// The `length` bytes at `offset` (a range inside size()), valid as long as the source; nullopt
  /// when they cannot be read.
  virtual std::optional<std::string_view> read(uint64_t offset, uint64_t length) const = 0;
};

/// Bytes already in memory; `bytes` must outlive the source.
class MemorySource final : public ByteSource {
public:
  explicit MemorySource(std::string_view bytes) : m_bytes(bytes) {}
  uint64_t size() const override { return m_bytes.size(); }
  std::optional<std::string_view> read(uint64_t offset, uint64_t length) const override;

private:
  std::string_view m_bytes;
};

/// A file, or a range of one, read with pread(2) on demand: the reader asks for the header, the
/// tables and a few strings, each served from a cached window (kept as long as the source). Unlike
/// mmap, this costs no page-table updates or TLB shootdowns when many threads scan at once, and a
/// file truncated under us gives short reads (a finding), not SIGBUS. The descriptor stays the
/// caller's.
class FileSource final : public ByteSource {
public:
  /// The `size` bytes of `fd` that start at `base`.
  FileSource(int fd, uint64_t size, uint64_t base = 0) : m_fd(fd), m_size(size), m_base(base) {}

  uint64_t size() const override { return m_size; }
  std::optional<std::string_view> read(uint64_t offset, uint64_t length) const override;

private:
  struct Chunk {
    uint64_t offset;
    uint64_t size;
    std::unique_ptr<char[]> data;
  };
  bool read_exactly(char* out, size_t size, uint64_t offset) const;

  int m_fd;
  uint64_t m_size;
  uint64_t m_base;
  // Chunks own their buffers, so views handed out stay valid as the list grows.
  mutable std::vector<Chunk> m_chunks;
};

/// Reads an ELF image. The source (or `bytes`) must outlive the ElfReader, which goes back to it
/// for section_bytes() and symbol lookups.
class ElfReader {
public:
  explicit ElfReader(const ByteSource& source);
  explicit ElfReader(std::string_view bytes);

  const ElfFile& file() const { return m_file; }

  /// The contents of a section; nullopt when they lie outside the file. NOBITS sections are empty.
  std::optional<std::string_view> section_bytes(const SectionHeader& section) const;

  /// Calls fn(name, value) for every defined symbol in .symtab (none when stripped or broken).
  void for_each_symbol(const std::function<void(std::string_view, uint64_t)>& fn) const;

  /// Values of the defined symbols named in `names`, looked up in one pass over .symtab
  /// (same order as `names`; nullopt for a name that is absent or undefined).
  std::vector<std::optional<uint64_t>> symbol_values(const std::vector<std::string>& names) const;

  /// Reads an unsigned field of `size` bytes (1, 2, 4 or 8) at `offset` in the file's byte order;
  /// nullopt when out of range.
  std::optional<uint64_t> read_uint(uint64_t offset, unsigned size) const;

private:
  std::unique_ptr<MemorySource> m_owned; ///< set when constructed from bytes
  const ByteSource* m_source;
  ElfFile m_file;
};

/// The e_machine name used in messages and JSON ("x86-64", "aarch64", "arm", "i386", …).
std::string machine_name(uint16_t machine);

} // namespace sp::scan
