// A fake compiler and linker for the build engine (toolchain::BuildTools' seams): no clang is
// started. A compile writes an object naming its source (and a depfile); a source whose text
// holds "BROKEN" fails with a clang-like diagnostic. A link writes a small static ELF for the
// emulation's machine (a dynamic one when an object's source holds "DYNAMIC"); an object made
// from a source holding "UNDEFINED" makes it fail like lld. A strip copies its input with
// "stripped" appended (so the contents change), or fails for a file holding "NOSTRIP".
#pragma once

#include "fake_sysroot.h"
#include "pipeline/events.h"
#include "scan_fixtures.h"
#include "toolchain/build.h"
#include "util/fs.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <string>
#include <vector>

namespace sp::testing {

inline std::string arg_after(const std::vector<std::string>& argv, const std::string& flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it != argv.end() && it + 1 != argv.end() ? *(it + 1) : std::string();
}

/// Counts what ran; the tools capture it by reference.
struct FakeCounts {
  std::atomic<int> compiles{0};
  std::atomic<int> links{0};
  std::atomic<int> strips{0};
};

/// Tools over a fake Debian tree (x86_64 and aarch64 glibc; no armv7) in `root`.
inline toolchain::BuildTools fake_tools(const fs::path& root, FakeCounts& counts) {
  make_fake_debian(root);
  toolchain::BuildTools tools;
  tools.compiler = {root / "bin/clang", root / "lib/clang/19", "19.1.7", "fake clang"};
  tools.search.host_root = root;
  tools.search.cache = root / "cache";
  tools.jobs = 2;
  tools.compile =
      [&counts](const std::vector<std::string>& argv) -> Result<toolchain::CompileOutput> {
    ++counts.compiles;
    const std::string& source = argv.back();
    std::string text = read_file(source).value_or("");
    if (text.find("BROKEN") != std::string::npos) {
      return toolchain::CompileOutput{false, source + ":1:1: error: nope\n"};
    }
    std::ofstream(arg_after(argv, "-o")) << "object of " << source << "\n" << text;
    std::ofstream(arg_after(argv, "-MF")) << "x.o: " << source << "\n";
    return toolchain::CompileOutput{
        true, text.find("WARN") != std::string::npos ? source + ":1:1: warning: careful\n" : ""};
  };
  tools.link = [&counts](const std::vector<std::string>& argv) -> Result<toolchain::LinkOutput> {
    ++counts.links;
    for (const std::string& a : argv) {
      if (a.ends_with(".o") && read_file(a).value_or("").find("UNDEFINED") != std::string::npos) {
        return toolchain::LinkOutput{false, "ld.lld: error: undefined symbol: missing\n"};
      }
    }
    sp::test::ElfSpec spec;
    spec.machine = arg_after(argv, "-m") == "aarch64linux" ? 183 : 62;
    for (const std::string& a : argv) {
      if (a.ends_with(".o") && read_file(a).value_or("").find("DYNAMIC") != std::string::npos) {
        spec.interp = "/lib64/ld-linux-x86-64.so.2";
        spec.needed = {"libc.so.6"};
      }
    }
    std::ofstream(arg_after(argv, "-o"), std::ios::binary) << sp::test::make_elf(spec);
    return toolchain::LinkOutput{true, ""};
  };
  tools.compiler.objcopy = root / "bin/llvm-objcopy";
  tools.strip = [&counts](const std::vector<std::string>& argv) -> Result<toolchain::LinkOutput> {
    ++counts.strips;
    std::string data = read_file(argv[argv.size() - 2]).value_or("");
    if (data.find("NOSTRIP") != std::string::npos) {
      return toolchain::LinkOutput{false, "llvm-objcopy: error: cannot strip\n"};
    }
    std::ofstream(argv.back(), std::ios::binary) << data << "stripped";
    return toolchain::LinkOutput{true, ""};
  };
  return tools;
}

inline fs::path write_source(const fs::path& dir, const std::string& name,
                             const std::string& text) {
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

/// Events a test can look at: progress lines, findings reports, notes and warnings.
struct RecordingEvents final : pipeline::Events {
  std::vector<std::string> steps;
  std::vector<scan::ScanReport> reports;
  std::vector<std::string> notes;
  std::string tool_text;
  void progress(const pipeline::Progress& p) override {
    steps.push_back(p.phase + " " + std::to_string(p.done) + "/" + std::to_string(p.total));
  }
  void tool_output(std::string_view text) override { tool_text += text; }
  void findings(const scan::ScanReport& r) override { reports.push_back(r); }
  void note(std::string_view text) override { notes.emplace_back(text); }
  void warning(std::string_view text) override { notes.emplace_back(text); }
  /// Every finding code of every report, in order.
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const scan::ScanReport& r : reports) {
      for (const scan::FileReport& f : r.files) {
        for (const std::string& c : f.codes()) {
          out.push_back(c);
        }
      }
    }
    return out;
  }
};

} // namespace sp::testing
