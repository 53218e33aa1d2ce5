#include "toolchain/scan/elf_reader.h"

#include "toolchain/scan/elf_data.h"

#include <algorithm>

namespace sp::scan {

using namespace elf_data;

namespace {

constexpr size_t k_max_issues = 32; // a hostile file could otherwise yield millions

/// Where a string table lies in the file.
struct StringTable {
  uint64_t offset = 0;
  uint64_t size = 0;
};

class Parser {
public:
  Parser(const ByteSource& source, ElfFile& out)
      : m_src(source), m_out(out), m_data(source, false), m_layout{false} {}

  void run() {
    if (!stage([&] { parse_header(); })) {
      return;
    }
    m_out.header_ok = true;
    stage([&] { resolve_extended_numbering(); });
    stage([&] { parse_segments(); });
    stage([&] { parse_sections(); });
    stage([&] { parse_section_names(); });
    stage([&] { parse_interp(); });
    stage([&] { parse_dynamic(); });
    if (m_out.header.machine == elf::k_em_arm) {
      stage([&] { parse_arm_attributes(); });
    }
  }

private:
  template <class Fn> bool stage(Fn&& fn) {
    try {
      fn();
      return true;
    } catch (const ReadError& e) {
      add_issue(e.code, e.message);
      return false;
    }
  }

  void add_issue(const char* code, std::string message) {
    if (m_out.issues.size() < k_max_issues) {
      m_out.issues.push_back({code, std::move(message)});
    } else if (m_out.issues.size() == k_max_issues) {
      m_out.issues.push_back({"elf.malformed", "more problems in this file were not listed"});
    }
  }

  void parse_header() {
    std::string_view ident =
        m_data.substr(0, std::min<uint64_t>(m_src.size(), 16), "ELF identification");
    if (!is_elf_magic(ident)) {
      fail_malformed("no ELF magic");
    }
    if (ident.size() < 16) {
      fail_truncated("file ends inside the ELF identification (" + std::to_string(ident.size()) +
                     " bytes)");
    }
    ElfHeader& h = m_out.header;
    h.elf_class = static_cast<uint8_t>(ident[4]);
    uint8_t data = static_cast<uint8_t>(ident[5]);
    if (h.elf_class != elf::k_class32 && h.elf_class != elf::k_class64) {
      fail_malformed("unknown ELF class " + std::to_string(h.elf_class));
    }
    if (data != elf::k_data_lsb && data != elf::k_data_msb) {
      fail_malformed("unknown ELF data encoding " + std::to_string(data));
    }
    h.big_endian = data == elf::k_data_msb;
    h.osabi = static_cast<uint8_t>(ident[7]);
    m_layout = Layout{h.elf_class == elf::k_class64};
    m_data = Data(m_src, h.big_endian);
    std::string_view e = m_data.substr(0, m_layout.ehdr_size(), "ELF header");
    read_header_fields(e);
    if (static_cast<uint8_t>(ident[6]) != 1) {
      add_issue("elf.malformed", "ELF identification version is " +
                                     std::to_string(static_cast<uint8_t>(ident[6])) +
                                     ", expected 1");
    }
  }

  void read_header_fields(std::string_view e) {
    ElfHeader& h = m_out.header;
    size_t w = m_layout.word();
    size_t o = 24 + 3 * w; // e_flags follows e_entry, e_phoff, e_shoff
    h.type = static_cast<uint16_t>(m_data.field(e, 16, 2));
    h.machine = static_cast<uint16_t>(m_data.field(e, 18, 2));
    h.entry = m_data.field(e, 24, w);
    h.phoff = m_data.field(e, 24 + w, w);
    h.shoff = m_data.field(e, 24 + 2 * w, w);
    h.flags = static_cast<uint32_t>(m_data.field(e, o, 4));
    h.ehsize = static_cast<uint16_t>(m_data.field(e, o + 4, 2));
    h.phentsize = static_cast<uint16_t>(m_data.field(e, o + 6, 2));
    h.phnum = m_data.field(e, o + 8, 2);
    h.shentsize = static_cast<uint16_t>(m_data.field(e, o + 10, 2));
    h.shnum = m_data.field(e, o + 12, 2);
    h.shstrndx = m_data.field(e, o + 14, 2);
  }

  /// e_phnum 0xffff, e_shnum 0 and e_shstrndx 0xffff defer to fields of section header 0.
  void resolve_extended_numbering() {
    ElfHeader& h = m_out.header;
    bool needs = h.phnum == 0xffff || (h.shnum == 0 && h.shoff != 0) || h.shstrndx == 0xffff;
    if (!needs || h.shoff == 0) {
      return;
    }
    check_entsize(h.shentsize, m_layout.shdr_size(), "section header");
    std::string_view s0 = m_data.substr(h.shoff, m_layout.shdr_size(), "section header 0");
    size_t w = m_layout.word();
    if (h.shnum == 0) {
      h.shnum = m_data.field(s0, 8 + 3 * w, w); // sh_size
    }
    if (h.shstrndx == 0xffff) {
      h.shstrndx = m_data.field(s0, 8 + 4 * w, 4); // sh_link
    }
    if (h.phnum == 0xffff) {
      h.phnum = m_data.field(s0, 12 + 4 * w, 4); // sh_info
    }
  }

  void check_entsize(uint64_t entsize, size_t expected, const char* what) {
    if (entsize != expected) {
      fail_malformed(std::string(what) + " entry size is " + std::to_string(entsize) +
                     ", expected " + std::to_string(expected));
    }
  }

  /// The table at `offset` of `count` entries of `entsize` bytes, bounds-checked.
  std::string_view table(uint64_t offset, uint64_t count, uint64_t entsize, const char* what) {
    if (entsize != 0 && count > m_src.size() / entsize + 1) {
      fail_truncated(std::string(what) + " table of " + std::to_string(count) +
                     " entries cannot fit in the file");
    }
    return m_data.substr(offset, count * entsize, std::string(what) + " table");
  }

  void parse_segments() {
    const ElfHeader& h = m_out.header;
    if (h.phnum == 0) {
      return;
    }
    check_entsize(h.phentsize, m_layout.phdr_size(), "program header");
    std::string_view t = table(h.phoff, h.phnum, h.phentsize, "program header");
    m_out.segments.reserve(h.phnum);
    for (uint64_t i = 0; i < h.phnum; ++i) {
      m_out.segments.push_back(read_segment(t.substr(i * h.phentsize, h.phentsize)));
    }
  }

  ProgramHeader read_segment(std::string_view r) {
    ProgramHeader p;
    p.type = static_cast<uint32_t>(m_data.field(r, 0, 4));
    if (m_layout.is64) {
      p.flags = static_cast<uint32_t>(m_data.field(r, 4, 4));
      p.offset = m_data.field(r, 8, 8);
      p.vaddr = m_data.field(r, 16, 8);
      p.filesz = m_data.field(r, 32, 8);
      p.memsz = m_data.field(r, 40, 8);
    } else {
      p.offset = m_data.field(r, 4, 4);
      p.vaddr = m_data.field(r, 8, 4);
      p.filesz = m_data.field(r, 16, 4);
      p.memsz = m_data.field(r, 20, 4);
      p.flags = static_cast<uint32_t>(m_data.field(r, 24, 4));
    }
    return p;
  }

  void parse_sections() {
    const ElfHeader& h = m_out.header;
    if (h.shnum == 0 || h.shoff == 0) {
      return;
    }
    check_entsize(h.shentsize, m_layout.shdr_size(), "section header");
    std::string_view t = table(h.shoff, h.shnum, h.shentsize, "section header");
    m_out.sections.reserve(h.shnum);
    for (uint64_t i = 0; i < h.shnum; ++i) {
      m_out.sections.push_back(read_section(t.substr(i * h.shentsize, h.shentsize)));
    }
  }

  SectionHeader read_section(std::string_view r) {
    SectionHeader s;
    size_t w = m_layout.word();
    m_name_offsets.push_back(m_data.field(r, 0, 4));
    s.type = static_cast<uint32_t>(m_data.field(r, 4, 4));
    s.flags = m_data.field(r, 8, w);
    s.addr = m_data.field(r, 8 + w, w);
    s.offset = m_data.field(r, 8 + 2 * w, w);
    s.size = m_data.field(r, 8 + 3 * w, w);
    s.link = static_cast<uint32_t>(m_data.field(r, 8 + 4 * w, 4));
    s.entsize = m_data.field(r, 16 + 5 * w, w);
    return s;
  }

  void parse_section_names() {
    if (m_out.sections.empty() || m_out.header.shstrndx == 0) {
      return;
    }
    if (m_out.header.shstrndx >= m_out.sections.size()) {
      fail_malformed("section name table index " + std::to_string(m_out.header.shstrndx) +
                     " is out of range (" + std::to_string(m_out.sections.size()) + " sections)");
    }
    const SectionHeader& names = m_out.sections[m_out.header.shstrndx];
    std::string_view strtab = m_data.substr(names.offset, names.size, "section name table");
    for (size_t i = 0; i < m_out.sections.size(); ++i) {
      stage([&] {
        m_out.sections[i].name = m_data.cstring(strtab, m_name_offsets[i], "section name");
      });
    }
  }

  void parse_interp() {
    for (const ProgramHeader& p : m_out.segments) {
      if (p.type != elf::k_pt_interp) {
        continue;
      }
      std::string_view raw = m_data.substr(p.offset, p.filesz, "PT_INTERP segment");
      size_t nul = raw.find('\0');
      m_out.interp = std::string(raw.substr(0, std::min(nul, k_max_string)));
      if (nul == std::string_view::npos) {
        add_issue("elf.malformed", "PT_INTERP string is not NUL-terminated");
      }
      return;
    }
  }

  /// Where the dynamic entries are: PT_DYNAMIC as the loader sees it, else the .dynamic section.
  std::optional<std::string_view> dynamic_bytes() {
    for (const ProgramHeader& p : m_out.segments) {
      if (p.type == elf::k_pt_dynamic) {
        m_out.dynamic.present = true;
        return m_data.substr(p.offset, p.filesz, "PT_DYNAMIC segment");
      }
    }
    for (const SectionHeader& s : m_out.sections) {
      if (s.type == 6 /* SHT_DYNAMIC */) {
        m_out.dynamic.present = true;
        return m_data.substr(s.offset, s.size, ".dynamic section");
      }
    }
    return std::nullopt;
  }

  void parse_dynamic() {
    std::optional<std::string_view> dyn = dynamic_bytes();
    if (!dyn) {
      return;
    }
    struct Ref {
      int64_t tag;
      uint64_t value;
    };
    std::vector<Ref> refs;
    uint64_t strtab = 0;
    std::optional<uint64_t> strsz;
    size_t w = m_layout.word();
    for (size_t off = 0; off + m_layout.dyn_size() <= dyn->size(); off += m_layout.dyn_size()) {
      int64_t tag = sign_extend(m_data.field(*dyn, off, w), w);
      uint64_t value = m_data.field(*dyn, off + w, w);
      if (tag == 0) {
        break;
      }
      if (tag == elf::k_dt_strtab) {
        strtab = value;
      } else if (tag == elf::k_dt_strsz) {
        strsz = value;
      } else if (tag == elf::k_dt_flags_1) {
        m_out.dynamic.flags_1 = value;
      } else if (tag == elf::k_dt_needed || tag == elf::k_dt_rpath || tag == elf::k_dt_runpath ||
                 tag == elf::k_dt_soname) {
        refs.push_back({tag, value});
      }
    }
    if (refs.empty()) {
      return;
    }
    StringTable strings = dynamic_strings(strtab, strsz);
    for (const Ref& r : refs) {
      store_dynamic_string(r.tag, resolve_dynamic_string(strings, r.value, r.tag));
    }
  }

  static int64_t sign_extend(uint64_t v, size_t width) {
    if (width == 4) {
      return static_cast<int32_t>(static_cast<uint32_t>(v));
    }
    return static_cast<int64_t>(v);
  }

  /// Only the bytes of each string are read, not the whole table (megabytes in a big library).
  std::string resolve_dynamic_string(const StringTable& strings, uint64_t offset, int64_t tag) {
    std::string value = "<unreadable>";
    stage([&] {
      if (offset >= strings.size) {
        fail_malformed(std::string(dynamic_tag_name(tag)) + ": string offset " + hex(offset) +
                       " is outside the dynamic string table (" + hex(strings.size) + " bytes)");
      }
      uint64_t length = std::min<uint64_t>(strings.size - offset, k_max_string + 1);
      std::string_view window = m_data.substr(strings.offset + offset, length, "dynamic string");
      value = m_data.cstring(window, 0, dynamic_tag_name(tag));
    });
    return value;
  }

  static const char* dynamic_tag_name(int64_t tag) {
    switch (tag) {
    case elf::k_dt_needed:
      return "DT_NEEDED";
    case elf::k_dt_rpath:
      return "DT_RPATH";
    case elf::k_dt_runpath:
      return "DT_RUNPATH";
    default:
      return "DT_SONAME";
    }
  }

  void store_dynamic_string(int64_t tag, std::string value) {
    DynamicInfo& d = m_out.dynamic;
    if (tag == elf::k_dt_needed) {
      d.needed.push_back(std::move(value));
    } else if (tag == elf::k_dt_rpath) {
      d.rpath.push_back(std::move(value));
    } else if (tag == elf::k_dt_runpath) {
      d.runpath.push_back(std::move(value));
    } else {
      d.soname = std::move(value);
    }
  }

  /// The dynamic string table's place in the file: DT_STRTAB is a virtual address, mapped through
  /// PT_LOAD; without program headers the .dynstr section (same address) is used. Empty when
  /// neither works, after recording why, so every string then reads as "<unreadable>".
  StringTable dynamic_strings(uint64_t strtab, std::optional<uint64_t> strsz) {
    StringTable found;
    stage([&] {
      std::optional<uint64_t> off = file_offset_of(strtab);
      if (!off) {
        fail_malformed("DT_STRTAB address " + hex(strtab) + " is not in any loaded segment");
      }
      uint64_t avail = m_src.size() > *off ? m_src.size() - *off : 0;
      uint64_t size = strsz.value_or(avail);
      if (size > avail) {
        fail_truncated("dynamic string table (offset " + hex(*off) + ", size " + hex(size) +
                       ") extends past the end of the file (" + hex(m_src.size()) + " bytes)");
      }
      found = StringTable{*off, size};
    });
    return found;
  }

  std::optional<uint64_t> file_offset_of(uint64_t vaddr) const {
    for (const ProgramHeader& p : m_out.segments) {
      if (p.type == elf::k_pt_load && vaddr >= p.vaddr && vaddr - p.vaddr < p.filesz) {
        return p.offset + (vaddr - p.vaddr);
      }
    }
    for (const SectionHeader& s : m_out.sections) {
      if (s.type == 3 /* SHT_STRTAB */ && s.addr != 0 && s.addr == vaddr) {
        return s.offset;
      }
    }
    return std::nullopt;
  }

  void parse_arm_attributes() {
    for (const SectionHeader& s : m_out.sections) {
      if (s.type == elf::k_sht_arm_attributes) {
        ArmAttributes attrs;
        read_arm_attributes(m_data, m_data.substr(s.offset, s.size, ".ARM.attributes section"),
                            attrs);
        m_out.arm_attributes = attrs;
        return;
      }
    }
  }

  const ByteSource& m_src;
  ElfFile& m_out;
  Data m_data;
  Layout m_layout;
  std::vector<uint64_t> m_name_offsets;
};

} // namespace

const SectionHeader* ElfFile::find_section(std::string_view name) const {
  for (const SectionHeader& s : sections) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

bool ElfFile::has_segment(uint32_t type) const {
  return std::any_of(segments.begin(), segments.end(),
                     [&](const ProgramHeader& p) { return p.type == type; });
}

bool is_elf_magic(std::string_view bytes) {
  return bytes.substr(0, 4) == "\x7f"
                               "ELF";
}

std::optional<std::string_view> MemorySource::read(uint64_t offset, uint64_t length) const {
  if (offset > m_bytes.size() || length > m_bytes.size() - offset) {
    return std::nullopt;
  }
  return m_bytes.substr(offset, length);
}

ElfReader::ElfReader(const ByteSource& source) : m_source(&source) {
  Parser(source, m_file).run();
}

ElfReader::ElfReader(std::string_view bytes)
    : m_owned(std::make_unique<MemorySource>(bytes)), m_source(m_owned.get()) {
  Parser(*m_source, m_file).run();
}

std::optional<std::string_view> ElfReader::section_bytes(const SectionHeader& section) const {
  if (section.type == elf::k_sht_nobits) {
    return std::string_view();
  }
  uint64_t total = m_source->size();
  if (section.offset > total || section.size > total - section.offset) {
    return std::nullopt;
  }
  return m_source->read(section.offset, section.size);
}

std::optional<uint64_t> ElfReader::read_uint(uint64_t offset, unsigned size) const {
  uint64_t total = m_source->size();
  if (size == 0 || size > 8 || offset > total || size > total - offset) {
    return std::nullopt;
  }
  std::optional<std::string_view> bytes = m_source->read(offset, size);
  if (!bytes) {
    return std::nullopt;
  }
  return Data(*m_source, m_file.header.big_endian).field(*bytes, 0, size);
}

void ElfReader::for_each_symbol(const std::function<void(std::string_view, uint64_t)>& fn) const {
  const ElfFile& f = m_file;
  auto symtab = std::find_if(f.sections.begin(), f.sections.end(),
                             [](const SectionHeader& s) { return s.type == elf::k_sht_symtab; });
  if (!f.header_ok || symtab == f.sections.end() || symtab->link >= f.sections.size()) {
    return;
  }
  std::optional<std::string_view> syms = section_bytes(*symtab);
  std::optional<std::string_view> strs = section_bytes(f.sections[symtab->link]);
  if (!syms || !strs) {
    return;
  }
  Layout layout{f.header.elf_class == elf::k_class64};
  Data data(*m_source, f.header.big_endian);
  size_t step = layout.sym_size();
  for (size_t off = 0; off + step <= syms->size(); off += step) {
    std::string_view rec = syms->substr(off, step);
    uint64_t name = data.field(rec, 0, 4);
    uint64_t shndx = data.field(rec, layout.is64 ? 6 : 14, 2);
    if (shndx == 0 || name >= strs->size()) {
      continue;
    }
    std::string_view sym_name = strs->substr(name);
    sym_name = sym_name.substr(0, sym_name.find('\0'));
    fn(sym_name, data.field(rec, layout.is64 ? 8 : 4, layout.is64 ? 8 : 4));
  }
}

std::vector<std::optional<uint64_t>>
ElfReader::symbol_values(const std::vector<std::string>& names) const {
  std::vector<std::optional<uint64_t>> values(names.size());
  for_each_symbol([&](std::string_view name, uint64_t value) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (!values[i] && name == names[i]) {
        values[i] = value;
      }
    }
  });
  return values;
}

std::string machine_name(uint16_t machine) {
  switch (machine) {
  case elf::k_em_386:
    return "i386";
  case elf::k_em_x86_64:
    return "x86-64";
  case elf::k_em_arm:
    return "arm";
  case elf::k_em_aarch64:
    return "aarch64";
  case 2:
    return "sparc";
  case 8:
    return "mips";
  case 20:
    return "powerpc";
  case 21:
    return "powerpc64";
  case 22:
    return "s390";
  case 43:
    return "sparcv9";
  case 243:
    return "riscv";
  case 258:
    return "loongarch";
  default:
    return "machine-" + std::to_string(machine);
  }
}

} // namespace sp::scan
