#include "scan_fixtures.h"
#include "toolchain/scan/elf_reader.h"
#include "toolchain/scan/findings.h"
#include "toolchain/scan/report_json.h"
#include "toolchain/scan/scanner.h"
#include "util/fs.h"

#include <doctest/doctest.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

using namespace sp::scan;
using Codes = std::vector<std::string>;
namespace fx = sp::test;

namespace {

ScanOptions on(const char* platform, bool strict = false) {
  ScanOptions o;
  o.platform = *sp::parse_platform(platform);
  o.strict = strict;
  return o;
}

FileReport scan(const fx::fs::path& path, const ScanOptions& options = {}) {
  return scan_file(path.string(), options);
}

const Codes k_static_glibc = {"info.static", "info.not-stripped", "info.tls"};

Codes with(Codes head, const Codes& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

} // namespace

TEST_CASE("scan: dynamic hello needs a loader and libc.so.6") {
  FileReport r = scan(fx::scan_fixtures().dynamic_hello);
  CHECK(r.kind == "elf");
  CHECK(r.codes() == Codes{"dynamic.interp", "dynamic.needed", "info.not-stripped"});
  REQUIRE(r.elf);
  CHECK(r.elf->type == "pie");
  CHECK_FALSE(r.elf->is_static);
  CHECK(r.elf->needed == Codes{"libc.so.6"});
  CHECK(r.elf->interp == "/lib64/ld-linux-x86-64.so.2");
  CHECK(r.findings[1].message.starts_with("libc.so.6: "));
  CHECK(r.count(Severity::error) == 2);
}

TEST_CASE("scan: static glibc, static musl and static-pie are clean") {
  const auto& f = fx::scan_fixtures();
  FileReport glibc = scan(f.static_glibc, on("linux/amd64", true));
  CHECK(glibc.codes() == k_static_glibc);
  CHECK(glibc.elf->is_static);
  CHECK_FALSE(glibc.elf->static_pie);

  FileReport musl = scan(f.static_musl, on("linux/amd64", true));
  CHECK(musl.codes() == Codes{"info.static", "info.not-stripped"});

  FileReport pie = scan(f.static_pie, on("linux/amd64", true));
  CHECK(pie.codes() == Codes{"info.static-pie", "info.not-stripped", "info.tls"});
  CHECK(pie.elf->static_pie);
  CHECK(pie.elf->type == "pie");
  for (const FileReport* r : {&glibc, &musl, &pie}) {
    CHECK(r->count(Severity::error) == 0);
    CHECK(r->count(Severity::warning) == 0);
  }
}

TEST_CASE("scan: glibc static getaddrinfo warns about NSS, --strict makes it an error") {
  const auto& f = fx::scan_fixtures();
  FileReport r = scan(f.glibc_getaddrinfo);
  CHECK(r.codes() == with({"glibc.nss", "glibc.nss", "glibc.nss"}, k_static_glibc));
  CHECK(r.elf->glibc_traps == Codes{"getaddrinfo", "gethostbyname2_r", "getservbyname_r"});
  CHECK(r.findings[0].severity == Severity::warning);
  // What a static glibc really does: files and dns are built in, so the lookup works wherever
  // /etc/hosts and /etc/resolv.conf are (podman, docker and Kubernetes mount them); only other
  // services are lost.
  const std::string rest =
      "glibc looks this up through NSS, of which a static glibc has only the files and dns "
      "services built in: it reads ";
  const std::string skipped =
      "; any other service /etc/nsswitch.conf names needs a libnss_*.so.2 module of the same "
      "glibc, which a scratch image does not have, and is skipped";
  const std::string hosts =
      "/etc/hosts and the name servers in /etc/resolv.conf, which container runtimes (podman, "
      "docker, Kubernetes) mount into the container, and finds nothing without them";
  CHECK(r.findings[0].message == "getaddrinfo: " + rest + hosts + skipped);
  CHECK(r.findings[1].message == "gethostbyname2_r: " + rest + hosts + skipped);
  CHECK(r.findings[2].message ==
        "getservbyname_r: " + rest +
            "/etc/services, which a scratch image has only when it is added, and finds nothing "
            "without it (getaddrinfo looks a service name such as \"http\" up here; a port number "
            "needs no lookup)" +
            skipped);
  // One hint for every glibc.nss finding, so it is printed once; it agrees with docs/scan.md.
  const std::string hint =
      "add the files the lookups read (--nonroot adds /etc/passwd and /etc/group, --add SRC:DEST "
      "any other) and name only files and dns in an /etc/nsswitch.conf, or build with --libc "
      "musl, which reads the same files without NSS";
  for (const Finding& x : r.findings) {
    if (x.code == "glibc.nss") {
      CHECK(x.hint == hint);
    }
  }
  std::string docs = fx::file_bytes(std::string(SP_SOURCE_DIR) + "/docs/scan.md");
  CHECK(docs.find("\nhint[glibc.nss]: " + hint + "\n") != std::string::npos);

  FileReport strict = scan(f.glibc_getaddrinfo, on("linux/amd64", true));
  CHECK(strict.count(Severity::error) == 3);
}

TEST_CASE("scan: glibc user and group lookups name the file they read and share the one hint") {
  fx::ElfSpec s;
  const uint32_t progbits = 1;
  for (const char* sym : {"getpwnam", "getgrgid_r", "initgroups", "getspnam"}) {
    s.sections.push_back({std::string(".gnu.warning.") + sym,
                          {progbits, std::string("Using '") + sym +
                                         "' in statically linked applications requires at "
                                         "runtime the shared libraries from the glibc version "
                                         "used for linking"}});
  }
  FileReport r = scan_bytes("users", fx::make_elf(s), {});
  REQUIRE(r.codes() == Codes{"glibc.nss", "glibc.nss", "glibc.nss", "glibc.nss", "info.static",
                             "info.stripped"});
  const std::string head = ": glibc looks this up through NSS, of which a static glibc has only "
                           "the files and dns services built in: it reads ";
  const std::string tail =
      ", and finds nothing without it; any other service /etc/nsswitch.conf names needs a "
      "libnss_*.so.2 module of the same glibc, which a scratch image does not have, and is "
      "skipped";
  CHECK(r.findings[0].message ==
        "getpwnam" + head +
            "/etc/passwd, which a scratch image has only when it is added (--nonroot adds it)" +
            tail);
  CHECK(r.findings[1].message ==
        "getgrgid_r" + head +
            "/etc/group, which a scratch image has only when it is added (--nonroot adds it)" +
            tail);
  CHECK(r.findings[2].message ==
        "initgroups" + head +
            "/etc/group, which a scratch image has only when it is added (--nonroot adds it)" +
            tail);
  CHECK(r.findings[3].message ==
        "getspnam" + head + "/etc/shadow, which a scratch image has only when it is added" + tail);
  std::set<std::string> hints;
  for (const Finding& x : r.findings) {
    if (x.code == "glibc.nss") {
      hints.insert(x.hint);
    }
  }
  CHECK(hints.size() == 1);
}

TEST_CASE("scan: GNU ld drops the warning sections; the traps are found by symbol") {
  const auto& f = fx::scan_fixtures();
  std::string bytes = fx::file_bytes(f.glibc_getaddrinfo_bfd);
  CHECK(bytes.find(".gnu.warning.getaddrinfo") == std::string::npos);
  FileReport r = scan(f.glibc_getaddrinfo_bfd);
  CHECK(r.codes() == with({"glibc.nss", "glibc.nss", "glibc.nss"}, k_static_glibc));
  CHECK(r.elf->glibc_traps == Codes{"getaddrinfo", "gethostbyname2_r", "getservbyname_r"});
}

TEST_CASE("scan: glibc static dlopen is reported only when the program calls it") {
  const auto& f = fx::scan_fixtures();
  FileReport r = scan(f.glibc_dlopen);
  CHECK(r.codes() == with({"glibc.dlopen"}, k_static_glibc));
  CHECK(r.findings[0].message.starts_with("dlopen: "));
  // The plain static hello carries .gnu.warning.dlopen too (libc pulls dlopen.o in) but never
  // calls it: no finding (asserted in the static glibc case above).
  std::string bytes = fx::file_bytes(f.static_glibc);
  CHECK(bytes.find(".gnu.warning.dlopen") != std::string::npos);
}

TEST_CASE("scan: aarch64 and armv7 against the wrong and the right platform") {
  const auto& f = fx::scan_fixtures();
  CHECK(scan(f.aarch64_static, on("linux/amd64")).codes() ==
        with({"platform.arch"}, k_static_glibc));
  CHECK(scan(f.aarch64_static, on("linux/arm64")).codes() == k_static_glibc);
  CHECK(scan(f.armv7_static, on("linux/arm64")).codes() ==
        with({"platform.arch", "platform.class"}, k_static_glibc));
  FileReport arm = scan(f.armv7_static, on("linux/arm/v7"));
  CHECK(arm.codes() == k_static_glibc);
  CHECK(arm.elf->float_abi == "hard");
  CHECK(scan(f.static_glibc, on("linux/arm/v7")).codes() ==
        with({"platform.arch", "platform.class"}, k_static_glibc));
}

TEST_CASE("scan: armv7 soft-float against linux/arm/v7") {
  std::string bytes = fx::file_bytes(fx::scan_fixtures().armv7_static);
  size_t flags = fx::e_flags_offset(false);
  bytes[flags + 1] = 0x02; // EF_ARM_ABI_FLOAT_SOFT instead of _HARD (0x400)
  FileReport r = scan_bytes("soft", bytes, on("linux/arm/v7"));
  CHECK(r.codes() == with({"platform.float-abi"}, k_static_glibc));
  CHECK(r.elf->float_abi == "soft");
}

TEST_CASE("scan: big-endian and 32-bit programs") {
  const auto& f = fx::scan_fixtures();
  FileReport mips = scan(f.seed_mips, on("linux/amd64"));
  CHECK(mips.elf->elf_class == 32);
  CHECK(mips.elf->endian == "big");
  CHECK(mips.elf->machine == "mips");
  // No MIPS decoder: the dlopen() call is proven by its address in the GOT.
  CHECK(mips.codes() == Codes{"platform.arch", "platform.class", "platform.endian", "glibc.dlopen",
                              "glibc.nss", "glibc.link-warning", "glibc.iconv", "info.static",
                              "info.not-stripped", "info.tls"});

  FileReport ppc = scan(f.seed_ppc64_dynamic, on("linux/amd64"));
  CHECK(ppc.elf->endian == "big");
  CHECK(ppc.elf->needed == Codes{"libseed.so.1"});
  CHECK(ppc.elf->runpath == Codes{"/opt/seed/lib"});
  CHECK(ppc.codes() == Codes{"dynamic.interp", "dynamic.needed", "dynamic.runpath", "platform.arch",
                             "platform.endian", "info.not-stripped", "info.tls"});

  FileReport i386 = scan(f.seed_i386, on("linux/amd64"));
  CHECK(i386.codes() == Codes{"platform.arch", "platform.class", "glibc.dlopen", "glibc.nss",
                              "glibc.link-warning", "glibc.iconv", "info.static",
                              "info.not-stripped", "info.tls"});

  FileReport x86 = scan(f.seed_x86_64, on("linux/amd64"));
  CHECK(x86.codes() == Codes{"glibc.dlopen", "glibc.nss", "glibc.link-warning", "glibc.iconv",
                             "info.static", "info.not-stripped", "info.tls"});
}

TEST_CASE("scan: hand-made images cover rpath, non-PIE dynamic, exec stack and OS ABI") {
  fx::ElfSpec s;
  s.rpath = "/opt/x";
  s.exec_stack = true;
  s.osabi = 9; // FreeBSD
  FileReport r = scan_bytes("x", fx::make_elf(s), on("linux/amd64"));
  CHECK(r.codes() == Codes{"dynamic.rpath", "dynamic.non-pie-dynamic", "platform.osabi",
                           "elf.exec-stack", "info.static", "info.stripped"});
  CHECK(r.elf->osabi == "freebsd");

  fx::ElfSpec shared;
  shared.type = 3; // ET_DYN without DF_1_PIE or a loader: a library
  shared.force_dynamic = true;
  shared.gnu_stack = false;
  FileReport lib = scan_bytes("lib", fx::make_elf(shared), {});
  CHECK(lib.codes() == Codes{"elf.exec-stack", "info.shared-object", "info.stripped"});
  CHECK(lib.elf->type == "shared");

  fx::ElfSpec strict_stack;
  strict_stack.exec_stack = true;
  ScanOptions strict;
  strict.strict = true;
  CHECK(scan_bytes("s", fx::make_elf(strict_stack), strict).count(Severity::error) == 1);
}

TEST_CASE("scan: a shell script and other files named explicitly") {
  FileReport r = scan(fx::scan_fixtures().script);
  CHECK(r.kind == "script");
  CHECK(r.interpreter == "/bin/sh");
  CHECK(r.codes() == Codes{"info.script"});
  FileReport other = scan_bytes("notes.txt", "hello\n", {});
  CHECK(other.kind == "other");
  CHECK(other.codes() == Codes{"info.not-elf"});
  FileReport missing = scan_file("/nonexistent/file", {});
  CHECK(missing.kind == "missing");
  CHECK(missing.codes() == Codes{"file.missing"});
}

TEST_CASE("scan: truncated copies of every fixture") {
  const auto& f = fx::scan_fixtures();
  for (const fx::fs::path& p :
       {f.dynamic_hello, f.static_glibc, f.static_musl, f.static_pie, f.glibc_getaddrinfo,
        f.glibc_dlopen, f.aarch64_static, f.armv7_static, f.seed_mips, f.seed_ppc64_dynamic}) {
    CAPTURE(p.filename().string());
    std::string bytes = fx::file_bytes(p);
    bool is64 = bytes[4] == 2;
    // Inside the identification and inside the ELF header: nothing readable.
    for (size_t cut : {10, 30}) {
      FileReport r = scan_bytes("cut", bytes.substr(0, cut), {});
      CHECK(r.kind == "malformed");
      CHECK(r.codes() == Codes{"elf.truncated"});
    }
    // Inside the program headers: the header is read, the tables are not.
    FileReport phdrs = scan_bytes("cut", bytes.substr(0, is64 ? 100 : 70), {});
    CHECK(phdrs.kind == "elf");
    CHECK(phdrs.codes().front() == "elf.truncated");
    // Halfway: the section headers (at the end) are gone.
    FileReport half = scan_bytes("cut", bytes.substr(0, bytes.size() / 2), {});
    CHECK(half.codes().front() == "elf.truncated");
    CHECK(half.count(Severity::error) >= 1);
  }
  FileReport script = scan_bytes("cut", fx::file_bytes(f.script).substr(0, 5), {});
  CHECK(script.kind == "script");
}

TEST_CASE("scan: bit-flipped copies of every fixture") {
  const auto& f = fx::scan_fixtures();
  std::mt19937 rng(7);
  for (const fx::fs::path& p :
       {f.dynamic_hello, f.static_glibc, f.static_musl, f.static_pie, f.glibc_getaddrinfo,
        f.glibc_dlopen, f.aarch64_static, f.armv7_static, f.script}) {
    CAPTURE(p.filename().string());
    std::string bytes = fx::file_bytes(p);
    if (bytes.starts_with("\x7f"
                          "ELF")) {
      bool is64 = bytes[4] == 2;
      CHECK(scan_bytes("x", fx::flip_byte(bytes, 4), {}).codes() == Codes{"elf.malformed"});
      CHECK(scan_bytes("x", fx::flip_byte(bytes, 5), {}).codes() == Codes{"elf.malformed"});
      CHECK(
          scan_bytes("x", fx::flip_byte(bytes, fx::e_phentsize_offset(is64)), {}).codes().front() ==
          "elf.malformed");
      CHECK(
          scan_bytes("x", fx::flip_byte(bytes, fx::e_shstrndx_offset(is64)), {}).codes().front() ==
          "elf.malformed");
    }
    // Random flips all over the file: any findings, never a crash.
    for (int round = 0; round < 20; ++round) {
      std::string damaged = bytes;
      for (int k = 0; k < 8; ++k) {
        damaged[rng() % std::min<size_t>(damaged.size(), 8192)] ^=
            static_cast<char>(1 << (rng() % 8));
      }
      FileReport r = scan_bytes("x", damaged, on("linux/amd64", round % 2 == 0));
      CHECK_FALSE(r.kind.empty());
    }
  }
}

TEST_CASE("scan_tree: a static entrypoint, reached through a relative symlink") {
  using sp::scan::TreeFile;
  std::string binary = fx::file_bytes(fx::scan_fixtures().static_musl);
  std::vector<TreeFile> tree = {
      {"/app/hello", 0755, TreeFile::Type::file, binary, ""},
      {"/usr/bin/hello", 0777, TreeFile::Type::symlink, "", "../../app/hello"},
      {"/etc/motd", 0644, TreeFile::Type::file, "hi\n", ""},
  };
  ScanReport r = scan_tree(tree, {"/usr/bin/hello", "--flag"}, on("linux/amd64"), "img:");
  REQUIRE(r.files.size() == 1);
  CHECK(r.files[0].path == "img:/app/hello");
  CHECK(r.files[0].entrypoint);
  CHECK(r.files[0].codes() == Codes{"info.static", "info.not-stripped", "info.entrypoint"});
  CHECK(r.files[0].findings.back().message ==
        "the image's entrypoint (/usr/bin/hello -> /app/hello)");
  CHECK(r.skipped == 1);
  CHECK(r.errors() == 0);
  // A bare name is looked up on the default PATH.
  ScanReport bare = scan_tree(tree, {"hello"}, {}, "");
  CHECK(bare.errors() == 0);
  CHECK(bare.files[0].entrypoint);
}

TEST_CASE("scan_tree: a file read on demand from its source scans as the same bytes would") {
  using sp::scan::TreeFile;
  std::string path = fx::scan_fixtures().dynamic_hello;
  std::string binary = fx::file_bytes(path);
  int opened = 0;
  TreeFile lazy{"/app/hello", 0755, TreeFile::Type::file, binary.substr(0, 256), ""};
  lazy.contents = [&]() -> std::unique_ptr<ByteSource> {
    ++opened;
    return std::make_unique<MemorySource>(binary);
  };
  ScanReport from_source = scan_tree({lazy}, {"/app/hello"}, on("linux/amd64"), "img:");
  ScanReport in_memory = scan_tree({{"/app/hello", 0755, TreeFile::Type::file, binary, ""}},
                                   {"/app/hello"}, on("linux/amd64"), "img:");
  REQUIRE(from_source.files.size() == 1);
  CHECK(from_source.files[0].codes() == in_memory.files[0].codes());
  CHECK(from_source.files[0].codes().front() == "dynamic.interp");
  CHECK(opened == 1); // opened for its scan only
}

TEST_CASE("scan_tree: entrypoint rules") {
  using sp::scan::TreeFile;
  std::string elf = fx::file_bytes(fx::scan_fixtures().static_musl);
  auto codes_for = [](const std::vector<TreeFile>& tree, const std::string& argv0) {
    ScanReport r = scan_tree(tree, {argv0}, {}, "");
    for (const FileReport& f : r.files) {
      if (f.entrypoint) {
        return f.codes();
      }
    }
    return Codes{"(no entrypoint report)"};
  };
  std::vector<TreeFile> tree = {
      {"/hello", 0644, TreeFile::Type::file, elf, ""},
      {"/run.sh", 0755, TreeFile::Type::file, "#!/bin/sh\nexec /hello\n", ""},
      {"/env.sh", 0755, TreeFile::Type::file, "#!/usr/bin/env python3\n", ""},
      {"/usr/bin/env", 0755, TreeFile::Type::file, elf, ""},
      {"/data.txt", 0755, TreeFile::Type::file, "just text\n", ""},
      {"/etc", 0755, TreeFile::Type::dir, "", ""},
      {"/loop", 0777, TreeFile::Type::symlink, "/loop", ""},
  };
  tree[6].link_target = "/loop";
  CHECK(codes_for(tree, "/nope") == Codes{"entrypoint.missing"});
  CHECK(codes_for(tree, "/loop") == Codes{"entrypoint.missing"});
  CHECK(codes_for(tree, "/hello") ==
        Codes{"info.static", "info.not-stripped", "info.entrypoint", "entrypoint.not-executable"});
  CHECK(codes_for(tree, "/run.sh") ==
        Codes{"info.script", "info.entrypoint", "entrypoint.script-interpreter-missing"});
  CHECK(codes_for(tree, "/env.sh") ==
        Codes{"info.script", "info.entrypoint", "entrypoint.script-interpreter-missing"});
  CHECK(codes_for(tree, "/data.txt") ==
        Codes{"info.not-elf", "info.entrypoint", "entrypoint.not-elf"});
  CHECK(codes_for(tree, "/etc") ==
        Codes{"info.not-elf", "info.entrypoint", "entrypoint.not-executable"});
  // With the interpreter in the image, the script is fine.
  tree.push_back({"/bin/sh", 0755, TreeFile::Type::file, elf, ""});
  CHECK(codes_for(tree, "/run.sh") == Codes{"info.script", "info.entrypoint"});
  ScanReport env = scan_tree(tree, {"/env.sh"}, {}, "");
  bool found = false;
  for (const FileReport& f : env.files) {
    for (const Finding& finding : f.findings) {
      found =
          found || finding.message.find("python3 (run through /usr/bin/env)") != std::string::npos;
    }
  }
  CHECK(found);
}

TEST_CASE("scan_tree: every ELF in the image is checked, sorted by path") {
  using sp::scan::TreeFile;
  const auto& f = fx::scan_fixtures();
  std::vector<TreeFile> tree = {
      {"/z", 0755, TreeFile::Type::file, fx::file_bytes(f.static_musl), ""},
      {"/a", 0755, TreeFile::Type::file, fx::file_bytes(f.dynamic_hello), ""},
  };
  ScanReport r = scan_tree(tree, {"/z"}, {}, "");
  REQUIRE(r.files.size() == 2);
  CHECK(r.files[0].path == "/a");
  CHECK(r.errors() == 2);
  CHECK(r.exit_code() == 1);
}

TEST_CASE("scan_paths: directories recurse, skip non-ELF quietly, sort, dedupe") {
  const auto& f = fx::scan_fixtures();
  sp::TempDir dir("sp-scan-paths");
  fx::fs::create_directories(dir.path() / "sub");
  fx::fs::copy_file(f.dynamic_hello, dir.path() / "sub" / "b");
  fx::fs::copy_file(f.static_musl, dir.path() / "a");
  std::ofstream(dir.path() / "notes.txt") << "text";
  fx::fs::create_symlink(dir.path() / "a", dir.path() / "link-to-a");
  std::string a = (dir.path() / "a").string();
  auto report = scan_paths({dir.path().string(), a}, {});
  REQUIRE(report);
  REQUIRE(report->files.size() == 2);
  CHECK(report->files[0].path == a);
  CHECK(report->files[1].path == (dir.path() / "sub" / "b").string());
  CHECK(report->skipped == 1);
  CHECK(report->errors() == 2);
  CHECK(report->exit_code() == 1);

  auto missing = scan_paths({dir.path().string() + "/nope"}, {});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().exit_code() == 2);
}

TEST_CASE("to_json: documented keys in a fixed order") {
  ScanReport report = *scan_paths({fx::scan_fixtures().dynamic_hello.string()}, on("linux/amd64"));
  std::string text = to_json(report);
  auto doc = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    keys.push_back(it.key());
  }
  CHECK(keys == Codes{"schema", "platform", "strict", "summary", "files"});
  CHECK(doc["schema"] == "scratchpack.scan/v1");
  CHECK(doc["platform"] == "linux/amd64");
  CHECK(doc["summary"]["errors"] == 2);
  const auto& file = doc["files"][0];
  keys.clear();
  for (auto it = file.begin(); it != file.end(); ++it) {
    keys.push_back(it.key());
  }
  CHECK(keys == Codes{"path", "kind", "entrypoint", "elf", "interpreter", "findings"});
  CHECK(file["elf"]["needed"] == nlohmann::json::array({"libc.so.6"}));
  CHECK(file["findings"][0]["code"] == "dynamic.interp");
  CHECK(file["findings"][0]["severity"] == "error");
  CHECK(to_json(report) == text); // deterministic
}

TEST_CASE("to_json: invalid UTF-8 from a hostile file is replaced, not thrown") {
  fx::ElfSpec s;
  s.needed = {"lib\xff\xfe.so"};
  ScanReport report;
  report.files.push_back(scan_bytes("x", fx::make_elf(s), {}));
  std::string text = to_json(report);
  CHECK(text.find("lib\xef\xbf\xbd") != std::string::npos);
}

TEST_CASE("findings: catalogue, strict, and docs/scan.md documents every code") {
  CHECK_THROWS(make_finding("no.such-code", "", {}));
  ScanOptions strict;
  strict.strict = true;
  CHECK(make_finding("glibc.nss", "m", strict).severity == Severity::error);
  CHECK(make_finding("info.tls", "m", strict).severity == Severity::info);
  std::string docs = fx::file_bytes(std::string(SP_SOURCE_DIR) + "/docs/scan.md");
  for (const CodeInfo& c : finding_catalog()) {
    CAPTURE(c.code);
    CHECK(docs.find("`" + std::string(c.code) + "`") != std::string::npos);
  }
}

TEST_CASE("parse_shebang") {
  CHECK(parse_shebang("#!/bin/sh\n")->program == "/bin/sh");
  auto env = parse_shebang("#! /usr/bin/env  python3 -u \nprint(1)\n");
  REQUIRE(env);
  CHECK(env->program == "/usr/bin/env");
  CHECK(env->argument == "python3 -u");
  CHECK_FALSE(parse_shebang("#!\n"));
  CHECK_FALSE(parse_shebang("echo"));
}
