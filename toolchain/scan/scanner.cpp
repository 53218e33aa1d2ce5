#include "toolchain/scan/scanner.h"

#include "toolchain/scan/elf_reader.h"
#include "toolchain/scan/findings.h"
#include "toolchain/scan/glibc_traps.h"
#include "util/target.h"

#include <algorithm>

namespace sp::scan {

namespace {

constexpr size_t k_shebang_max = 256; // the kernel's BINPRM_BUF_SIZE

std::string elf_type(const ElfFile& f) {
  switch (f.header.type) {
  case elf::k_et_exec:
    return "exec";
  case elf::k_et_dyn:
    // Old linkers set no DF_1_PIE; a dynamic PIE still has a loader, a library has neither.
    return (f.dynamic.flags_1 & elf::k_df_1_pie) != 0 || f.interp ? "pie" : "shared";
  case elf::k_et_rel:
    return "relocatable";
  case elf::k_et_core:
    return "core";
  default:
    return "unknown";
  }
}

std::string osabi_name(uint8_t osabi) {
  switch (osabi) {
  case 0:
    return "sysv";
  case 3:
    return "gnu";
  case 6:
    return "solaris";
  case 9:
    return "freebsd";
  case 12:
    return "openbsd";
  default:
    return "osabi-" + std::to_string(osabi);
  }
}

/// e_flags wins when it says (EABI5 linkers set it); the build attributes decide otherwise.
std::string float_abi(const ElfFile& f) {
  if (f.header.machine != elf::k_em_arm) {
    return {};
  }
  if ((f.header.flags & elf::k_ef_arm_abi_float_hard) != 0) {
    return "hard";
  }
  if ((f.header.flags & elf::k_ef_arm_abi_float_soft) != 0) {
    return "soft";
  }
  if (f.arm_attributes && f.arm_attributes->vfp_args) {
    uint64_t v = *f.arm_attributes->vfp_args;
    return v == 1 ? "hard" : v == 0 ? "soft" : "";
  }
  return {};
}

const ProgramHeader* find_segment(const ElfFile& f, uint32_t type) {
  for (const ProgramHeader& p : f.segments) {
    if (p.type == type) {
      return &p;
    }
  }
  return nullptr;
}

/// Without PT_GNU_STACK these kernels give the process an executable stack.
bool exec_stack(const ElfFile& f) {
  if (f.header.type != elf::k_et_exec && f.header.type != elf::k_et_dyn) {
    return false;
  }
  if (const ProgramHeader* p = find_segment(f, elf::k_pt_gnu_stack)) {
    return (p->flags & elf::k_pf_x) != 0;
  }
  uint16_t m = f.header.machine;
  return !f.segments.empty() && (m == elf::k_em_x86_64 || m == elf::k_em_386 || m == elf::k_em_arm);
}

bool sections_read(const ElfFile& f) {
  return f.header.shnum == 0 || !f.sections.empty();
}

ElfFacts facts_of(const ElfFile& f) {
  ElfFacts e;
  e.elf_class = f.header.elf_class == elf::k_class64 ? 64 : 32;
  e.endian = f.header.big_endian ? "big" : "little";
  e.machine = machine_name(f.header.machine);
  e.e_machine = f.header.machine;
  e.type = elf_type(f);
  e.osabi = osabi_name(f.header.osabi);
  e.float_abi = float_abi(f);
  e.interp = f.interp.value_or("");
  e.needed = f.dynamic.needed;
  e.rpath = f.dynamic.rpath;
  e.runpath = f.dynamic.runpath;
  e.is_static = !f.interp && f.dynamic.needed.empty();
  e.static_pie = e.is_static && e.type == "pie";
  // A section table that could not be read says nothing about stripping: report "not stripped".
  e.stripped = sections_read(f) &&
               std::none_of(f.sections.begin(), f.sections.end(),
                            [](const SectionHeader& s) { return s.type == elf::k_sht_symtab; });
  e.tls = f.has_segment(elf::k_pt_tls);
  e.exec_stack = exec_stack(f);
  return e;
}

void check_dynamic(const ElfFile& f, const ElfFacts& e, const ScanOptions& o,
                   std::vector<Finding>& out) {
  if (f.interp) {
    out.push_back(make_finding("dynamic.interp",
                               "requests the program loader " + *f.interp +
                                   "; a scratch image has none, so exec fails with \"no such "
                                   "file or directory\"",
                               o));
  }
  for (const std::string& lib : e.needed) {
    out.push_back(make_finding("dynamic.needed",
                               lib + ": shared library needed at run time (DT_NEEDED); a scratch "
                                     "image has no shared libraries",
                               o));
  }
  for (const std::string& path : e.rpath) {
    out.push_back(make_finding("dynamic.rpath", "DT_RPATH " + path + ": library search path", o));
  }
  for (const std::string& path : e.runpath) {
    out.push_back(
        make_finding("dynamic.runpath", "DT_RUNPATH " + path + ": library search path", o));
  }
  if (f.dynamic.present && f.header.type == elf::k_et_exec && !f.interp) {
    out.push_back(make_finding("dynamic.non-pie-dynamic",
                               "non-PIE executable with a dynamic section but no loader: nothing "
                               "will process its dynamic relocations",
                               o));
  }
}

void check_platform(const ElfFile& f, const ElfFacts& e, const ScanOptions& o,
                    std::vector<Finding>& out) {
  const ArchInfo* want = o.platform ? find_arch(*o.platform) : nullptr;
  if (!want) {
    return;
  }
  std::string platform = o.platform->to_string();
  if (f.header.machine != want->elf_machine) {
    out.push_back(make_finding("platform.arch",
                               "built for " + e.machine + ", but " + platform + " runs " +
                                   machine_name(want->elf_machine) +
                                   " code; exec fails with \"exec format error\"",
                               o));
  }
  if (e.elf_class != want->elf_class) {
    out.push_back(make_finding("platform.class",
                               "ELF" + std::to_string(e.elf_class) + " file, but " + platform +
                                   " runs ELF" + std::to_string(want->elf_class),
                               o));
  }
  if (f.header.big_endian) {
    out.push_back(make_finding("platform.endian",
                               "big-endian file, but " + platform + " is little-endian", o));
  }
  if (f.header.osabi != 0 && f.header.osabi != 3) {
    out.push_back(make_finding("platform.osabi",
                               "built for another operating system (EI_OSABI " + e.osabi +
                                   "), but " + platform + " is Linux",
                               o));
  }
  if (want->hard_float && f.header.machine == elf::k_em_arm && e.float_abi == "soft") {
    out.push_back(make_finding("platform.float-abi",
                               "soft-float ABI (arguments in integer registers), but " + platform +
                                   " is hard-float (gnueabihf): calls between the two pass "
                                   "floating-point values in the wrong registers",
                               o));
  }
}

void check_stack(const ElfFacts& e, const ScanOptions& o, std::vector<Finding>& out) {
  if (e.exec_stack) {
    out.push_back(make_finding("elf.exec-stack",
                               "executable stack (PT_GNU_STACK with PF_X, or no PT_GNU_STACK): "
                               "an exploit can run code from the stack",
                               o));
  }
}

void add_infos(const ElfFile& f, const ElfFacts& e, const ScanOptions& o,
               std::vector<Finding>& out) {
  if (e.type == "relocatable") {
    out.push_back(make_finding("info.object-file", "relocatable object, not a program", o));
  } else if (e.is_static && e.type == "shared") {
    out.push_back(make_finding("info.shared-object", "shared object with no dependencies", o));
  } else if (e.static_pie) {
    out.push_back(make_finding("info.static-pie", "static-pie: no loader, no shared libraries", o));
  } else if (e.is_static && e.type == "exec") {
    out.push_back(
        make_finding("info.static", "static executable: no loader, no shared libraries", o));
  }
  if (sections_read(f)) {
    out.push_back(e.stripped
                      ? make_finding("info.stripped", "no symbol table", o)
                      : make_finding("info.not-stripped", "has a symbol table (.symtab)", o));
  }
  if (e.tls) {
    out.push_back(make_finding("info.tls", "uses thread-local storage (PT_TLS)", o));
  }
}

void scan_elf(FileReport& r, const ByteSource& source, const ScanOptions& o) {
  ElfReader reader(source);
  const ElfFile& f = reader.file();
  for (const ElfIssue& issue : f.issues) {
    r.findings.push_back(make_finding(issue.code, issue.message, o));
  }
  if (!f.header_ok) {
    r.kind = "malformed";
    return;
  }
  r.kind = "elf";
  ElfFacts e = facts_of(f);
  check_dynamic(f, e, o, r.findings);
  check_platform(f, e, o, r.findings);
  if (e.is_static) {
    check_glibc_traps(reader, o, e, r.findings);
  }
  check_stack(e, o, r.findings);
  add_infos(f, e, o, r.findings);
  if (std::string note = package_note(reader); !note.empty()) {
    r.findings.push_back(make_finding("info.package-note", "package note: " + note, o));
  }
  r.elf = std::move(e);
}

} // namespace

std::string package_note(const ElfReader& reader) {
  const SectionHeader* section = reader.file().find_section(".note.package");
  if (!section) {
    return "";
  }
  auto bytes = reader.section_bytes(*section);
  // One note: namesz, descsz, type (in the file's byte order), "FDO\0", then the JSON.
  if (!bytes || bytes->size() < 16) {
    return "";
  }
  auto u32 = [&](size_t at) { return reader.read_uint(section->offset + at, 4).value_or(0); };
  uint64_t namesz = u32(0), descsz = u32(4), type = u32(8);
  if (namesz != 4 || type != 0xcafe1a7e || bytes->substr(12, 4) != std::string_view("FDO\0", 4) ||
      descsz > bytes->size() - 16 || descsz > 4096) {
    return "";
  }
  std::string_view json = bytes->substr(16, descsz);
  json = json.substr(0, json.find('\0'));
  for (char c : json) {
    if (static_cast<unsigned char>(c) < 0x20) {
      return ""; // not the JSON text the format promises
    }
  }
  return std::string(json);
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
  case Severity::info:
    return "info";
  case Severity::note:
    return "note";
  case Severity::warning:
    return "warning";
  case Severity::error:
    return "error";
  }
  return "error";
}

size_t FileReport::count(Severity severity) const {
  return static_cast<size_t>(std::count_if(
      findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

std::vector<std::string> FileReport::codes() const {
  std::vector<std::string> out;
  out.reserve(findings.size());
  for (const Finding& f : findings) {
    out.push_back(f.code);
  }
  return out;
}

namespace {
size_t total(const std::vector<FileReport>& files, Severity severity) {
  size_t n = 0;
  for (const FileReport& f : files) {
    n += f.count(severity);
  }
  return n;
}
} // namespace

size_t ScanReport::errors() const {
  return total(files, Severity::error);
}
size_t ScanReport::warnings() const {
  return total(files, Severity::warning);
}
size_t ScanReport::infos() const {
  return total(files, Severity::info);
}

std::optional<Shebang> parse_shebang(std::string_view bytes) {
  if (!bytes.starts_with("#!")) {
    return std::nullopt;
  }
  std::string_view line = bytes.substr(2, k_shebang_max - 2);
  line = line.substr(0, line.find('\n'));
  auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\0'; };
  auto skip_blanks = [&](std::string_view s) {
    while (!s.empty() && is_blank(s.front())) {
      s.remove_prefix(1);
    }
    while (!s.empty() && is_blank(s.back())) {
      s.remove_suffix(1);
    }
    return s;
  };
  line = skip_blanks(line);
  size_t end = 0;
  while (end < line.size() && !is_blank(line[end])) {
    ++end;
  }
  if (end == 0) {
    return std::nullopt;
  }
  return Shebang{std::string(line.substr(0, end)), std::string(skip_blanks(line.substr(end)))};
}

FileReport scan_source(std::string path, const ByteSource& source, const ScanOptions& options) {
  FileReport r;
  r.path = std::move(path);
  std::string_view head =
      source.read(0, std::min<uint64_t>(source.size(), k_shebang_max)).value_or("");
  if (is_elf_magic(head)) {
    scan_elf(r, source, options);
  } else if (std::optional<Shebang> s = parse_shebang(head)) {
    r.kind = "script";
    r.interpreter = s->program;
    r.findings.push_back(make_finding("info.script",
                                      "script run by " + s->program +
                                          ": a scratch image has no interpreters unless you add "
                                          "them",
                                      options));
  } else {
    r.kind = "other";
    r.findings.push_back(make_finding("info.not-elf", "not an ELF file or a #! script", options));
  }
  return r;
}

FileReport scan_bytes(std::string path, std::string_view bytes, const ScanOptions& options) {
  return scan_source(std::move(path), MemorySource(bytes), options);
}

} // namespace sp::scan
