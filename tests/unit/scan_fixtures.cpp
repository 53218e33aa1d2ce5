#include "scan_fixtures.h"

#include "util/fs.h"
#include "util/process.h"
#include "util/strings.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace sp::test {

namespace {

constexpr const char* k_hello =
    "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
constexpr const char* k_getaddrinfo =
    "#include <netdb.h>\n#include <stdio.h>\n"
    "int main(void) { struct addrinfo* r = 0;\n"
    "  printf(\"%d\\n\", getaddrinfo(\"localhost\", 0, 0, &r)); return 0; }\n";
constexpr const char* k_dlopen =
    "#include <dlfcn.h>\n#include <stdio.h>\n"
    "int main(void) { printf(\"%p\\n\", dlopen(\"libm.so.6\", RTLD_NOW)); return 0; }\n";
constexpr const char* k_musl = "/usr/lib/x86_64-linux-musl";

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

void run_clang(std::vector<std::string> args) {
  args.insert(args.begin(), SP_CLANG);
  Result<ProcessResult> r = run_process(args);
  if (!r || r->exit_code != 0) {
    throw std::runtime_error("fixture build failed: " + shell_join(args) + "\n" +
                             (r ? r->err : r.error().why));
  }
}

/// The libc-free seed program for `target`; "dynamic" links it against a small shared library.
void build_seed(const fs::path& dir, const std::string& target, bool dynamic, const fs::path& out) {
  std::string seed = std::string(SP_SOURCE_DIR) + "/tests/fuzz/seed.c";
  std::vector<std::string> base = {
      "--target=" + target,   "-O0",         "-nostdlib", "-ffreestanding",
      "-fno-stack-protector", "-fuse-ld=lld"};
  if (!dynamic) {
    base.insert(base.end(), {"-static", "-Wl,-e,_start", seed, "-o", out.string()});
    run_clang(base);
    return;
  }
  fs::path lib = dir / ("libseed-" + target + ".so");
  std::vector<std::string> shared = base;
  shared.insert(shared.end(),
                {"-fPIC", "-shared", "-Wl,-soname,libseed.so.1",
                 std::string(SP_SOURCE_DIR) + "/tests/fuzz/seed_lib.c", "-o", lib.string()});
  run_clang(shared);
  base.insert(base.end(), {"-Wl,-e,_start", "-DSEED_DYNAMIC", "-fPIE", "-pie",
                           "-Wl,--dynamic-linker=/lib/ld-seed.so.1", "-Wl,-rpath,/opt/seed/lib",
                           seed, lib.string(), "-o", out.string()});
  run_clang(base);
}

ScanFixtures build_all(const fs::path& dir) {
  ScanFixtures f;
  f.dir = dir;
  write_text(dir / "hello.c", k_hello);
  write_text(dir / "gai.c", k_getaddrinfo);
  write_text(dir / "dl.c", k_dlopen);
  std::string hello = (dir / "hello.c").string();
  auto out = [&](const char* name) { return dir / name; };

  f.dynamic_hello = out("dynamic_hello");
  run_clang({hello, "-o", f.dynamic_hello.string()});
  f.static_glibc = out("static_glibc");
  run_clang({"-static", "-fuse-ld=lld", hello, "-o", f.static_glibc.string()});
  f.static_pie = out("static_pie");
  run_clang({"-static-pie", "-fuse-ld=lld", hello, "-o", f.static_pie.string()});
  f.glibc_getaddrinfo = out("glibc_getaddrinfo");
  run_clang(
      {"-static", "-fuse-ld=lld", (dir / "gai.c").string(), "-o", f.glibc_getaddrinfo.string()});
  f.glibc_getaddrinfo_bfd = out("glibc_getaddrinfo_bfd");
  run_clang({"-static", "-fuse-ld=bfd", (dir / "gai.c").string(), "-o",
             f.glibc_getaddrinfo_bfd.string()});
  f.glibc_dlopen = out("glibc_dlopen");
  run_clang({"-static", "-fuse-ld=lld", (dir / "dl.c").string(), "-o", f.glibc_dlopen.string()});
  f.static_musl = out("static_musl");
  run_clang({"--target=x86_64-linux-musl", "-static", "-fuse-ld=lld", "-nostdinc", "-isystem",
             "/usr/include/x86_64-linux-musl", "-nostdlib", std::string(k_musl) + "/crt1.o",
             std::string(k_musl) + "/crti.o", hello, std::string(k_musl) + "/libc.a",
             std::string(k_musl) + "/crtn.o", "-o", f.static_musl.string()});
  f.aarch64_static = out("aarch64_static");
  run_clang({"--target=aarch64-linux-gnu", "-static", "-fuse-ld=lld", hello, "-o",
             f.aarch64_static.string()});
  f.armv7_static = out("armv7_static");
  run_clang({"--target=arm-linux-gnueabihf", "-static", "-fuse-ld=lld", hello, "-o",
             f.armv7_static.string()});
  f.script = out("script.sh");
  write_text(f.script, "#!/bin/sh\necho hello\n");
  f.seed_x86_64 = out("seed_x86_64");
  build_seed(dir, "x86_64-linux-gnu", false, f.seed_x86_64);
  f.seed_mips = out("seed_mips");
  build_seed(dir, "mips-linux-gnu", false, f.seed_mips);
  f.seed_i386 = out("seed_i386");
  build_seed(dir, "i386-linux-gnu", false, f.seed_i386);
  f.seed_ppc64_dynamic = out("seed_ppc64_dynamic");
  build_seed(dir, "powerpc64-linux-gnu", true, f.seed_ppc64_dynamic);
  return f;
}

/// Appends integers in the image's byte order.
class Writer {
public:
  explicit Writer(bool big) : m_big(big) {}
  void put(uint64_t v, unsigned size) {
    for (unsigned i = 0; i < size; ++i) {
      unsigned shift = 8 * (m_big ? size - 1 - i : i);
      m_out.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  }
  void word(uint64_t v, bool is64) { put(v, is64 ? 8 : 4); }
  void bytes(const std::string& s) { m_out += s; }
  void align(size_t a) {
    while (m_out.size() % a != 0) {
      m_out.push_back('\0');
    }
  }
  size_t size() const { return m_out.size(); }
  std::string& out() { return m_out; }

private:
  bool m_big;
  std::string m_out;
};

struct Segment {
  uint32_t type;
  uint32_t flags;
  uint64_t offset;
  uint64_t size;
};

struct Layout {
  std::vector<Segment> segments;
  std::string dynstr;
  std::vector<std::pair<int64_t, uint64_t>> dynamic;
};

/// Dynamic string table and entries for the spec (strings first, so offsets are known).
void plan_dynamic(const ElfSpec& s, Layout& l) {
  l.dynstr = std::string(1, '\0');
  auto add_string = [&](const std::string& text) {
    uint64_t off = l.dynstr.size();
    l.dynstr += text + '\0';
    return off;
  };
  for (const std::string& n : s.needed) {
    l.dynamic.push_back({1, add_string(n)});
  }
  if (!s.rpath.empty()) {
    l.dynamic.push_back({15, add_string(s.rpath)});
  }
  if (!s.runpath.empty()) {
    l.dynamic.push_back({29, add_string(s.runpath)});
  }
  if (s.flags_1 != 0) {
    l.dynamic.push_back({0x6ffffffb, s.flags_1});
  }
}

void write_header(Writer& w, const ElfSpec& s, size_t phnum, uint64_t shoff, size_t shnum) {
  w.bytes(std::string("\x7f"
                      "ELF",
                      4));
  w.put(s.is64 ? 2 : 1, 1);
  w.put(s.big_endian ? 2 : 1, 1);
  w.put(1, 1);
  w.put(s.osabi, 1);
  w.bytes(std::string(8, '\0'));
  w.put(s.type, 2);
  w.put(s.machine, 2);
  w.put(1, 4);
  w.word(k_load_address + 0x100, s.is64); // e_entry
  w.word(s.is64 ? 64 : 52, s.is64);       // e_phoff
  w.word(shoff, s.is64);
  w.put(s.flags, 4);
  w.put(s.is64 ? 64 : 52, 2);
  w.put(s.is64 ? 56 : 32, 2);
  w.put(phnum, 2);
  w.put(s.is64 ? 64 : 40, 2);
  w.put(shnum, 2);
  w.put(shnum == 0 ? 0 : shnum - 1, 2); // .shstrtab is last
}

void write_segment(Writer& w, bool is64, const Segment& p) {
  uint64_t vaddr = k_load_address + p.offset;
  w.put(p.type, 4);
  if (is64) {
    w.put(p.flags, 4);
    w.put(p.offset, 8);
    w.put(vaddr, 8);
    w.put(vaddr, 8);
    w.put(p.size, 8);
    w.put(p.size, 8);
    w.put(8, 8);
  } else {
    w.put(p.offset, 4);
    w.put(vaddr, 4);
    w.put(vaddr, 4);
    w.put(p.size, 4);
    w.put(p.size, 4);
    w.put(p.flags, 4);
    w.put(8, 4);
  }
}

void write_section_header(Writer& w, bool is64, uint32_t name, uint32_t type, uint64_t offset,
                          uint64_t size) {
  w.put(name, 4);
  w.put(type, 4);
  w.word(0, is64);      // flags
  w.word(0, is64);      // addr
  w.word(offset, is64); // offset
  w.word(size, is64);   // size
  w.put(0, 4);          // link
  w.put(0, 4);          // info
  w.word(1, is64);      // addralign
  w.word(0, is64);      // entsize
}

} // namespace

const ScanFixtures& scan_fixtures() {
  static std::unique_ptr<TempDir> dir;
  static std::unique_ptr<ScanFixtures> fixtures;
  if (!fixtures) {
    dir = std::make_unique<TempDir>("sp-scan-fixtures");
    fixtures = std::make_unique<ScanFixtures>(build_all(dir->path()));
  }
  return *fixtures;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string flip_byte(std::string bytes, size_t offset) {
  if (offset < bytes.size()) {
    bytes[offset] = static_cast<char>(~bytes[offset]);
  }
  return bytes;
}

size_t e_phentsize_offset(bool is64) {
  return is64 ? 54 : 42;
}
size_t e_shstrndx_offset(bool is64) {
  return is64 ? 62 : 50;
}
size_t e_flags_offset(bool is64) {
  return is64 ? 48 : 36;
}

std::string make_elf(const ElfSpec& s) {
  Layout l;
  plan_dynamic(s, l);
  bool has_dynamic = !l.dynamic.empty() || s.force_dynamic;
  size_t phnum = 1 + (s.interp.empty() ? 0 : 1) + (has_dynamic ? 1 : 0) + (s.tls ? 1 : 0) +
                 (s.gnu_stack ? 1 : 0);
  size_t ehsize = s.is64 ? 64 : 52;
  size_t phsize = s.is64 ? 56 : 32;
  size_t dynent = s.is64 ? 16 : 8;

  // Body after the program headers: interp, dynstr, dynamic, section contents, shstrtab.
  uint64_t off = ehsize + phnum * phsize;
  uint64_t interp_off = off;
  off += s.interp.empty() ? 0 : s.interp.size() + 1;
  uint64_t dynstr_off = off;
  off += l.dynstr.size();
  off = (off + 7) & ~uint64_t{7};
  uint64_t dyn_off = off;
  l.dynamic.push_back({5, k_load_address + dynstr_off});
  l.dynamic.push_back({10, l.dynstr.size()});
  l.dynamic.push_back({0, 0});
  off += has_dynamic ? l.dynamic.size() * dynent : 0;

  Writer body(s.big_endian);
  body.bytes(std::string(off, '\0')); // placeholder, filled below
  std::vector<uint64_t> section_offsets;
  std::string shstrtab(1, '\0');
  std::vector<uint32_t> name_offsets;
  for (const auto& [name, content] : s.sections) {
    section_offsets.push_back(body.size());
    body.bytes(content.second);
    name_offsets.push_back(static_cast<uint32_t>(shstrtab.size()));
    shstrtab += name + '\0';
  }
  size_t shnum = 0;
  uint64_t shoff = 0;
  uint64_t shstr_off = body.size();
  uint32_t shstr_name = static_cast<uint32_t>(shstrtab.size());
  if (!s.sections.empty()) {
    shstrtab += std::string(".shstrtab") + '\0';
    body.bytes(shstrtab);
    body.align(8);
    shoff = body.size();
    shnum = s.sections.size() + 2;
    body.out().resize(shoff + (s.is64 ? 64 : 40), '\0'); // the null section header
    for (size_t i = 0; i < s.sections.size(); ++i) {
      write_section_header(body, s.is64, name_offsets[i], s.sections[i].second.first,
                           section_offsets[i], s.sections[i].second.second.size());
    }
    write_section_header(body, s.is64, shstr_name, 3, shstr_off, shstrtab.size());
  }
  uint64_t total = body.size();

  l.segments.push_back({1, 5, 0, total});
  if (!s.interp.empty()) {
    l.segments.push_back({3, 4, interp_off, s.interp.size() + 1});
  }
  if (has_dynamic) {
    l.segments.push_back({2, 6, dyn_off, l.dynamic.size() * dynent});
  }
  if (s.tls) {
    l.segments.push_back({7, 4, 0, 0});
  }
  if (s.gnu_stack) {
    l.segments.push_back({0x6474e551, s.exec_stack ? 7u : 6u, 0, 0});
  }

  Writer head(s.big_endian);
  write_header(head, s, phnum, shoff, shnum);
  for (const Segment& p : l.segments) {
    write_segment(head, s.is64, p);
  }
  if (!s.interp.empty()) {
    head.bytes(s.interp + '\0');
  }
  head.bytes(l.dynstr);
  head.align(8);
  if (has_dynamic) {
    for (const auto& [tag, value] : l.dynamic) {
      head.word(static_cast<uint64_t>(tag), s.is64);
      head.word(value, s.is64);
    }
  }
  std::string image = body.out();
  image.replace(0, head.size(), head.out());
  return image;
}

} // namespace sp::test
