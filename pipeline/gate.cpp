#include "pipeline/gate.h"

#include "util/diagnostics.h"
#include "util/strings.h"

#include <map>
#include <optional>

namespace sp::pipeline {

namespace {

/// "DIR/libc.a(getaddrinfo.o)" -> "libc.a"; a plain object -> "".
std::string archive_of(std::string_view input) {
  size_t open = input.find('(');
  if (open == std::string_view::npos || !input.ends_with(")")) {
    return "";
  }
  return fs::path(input.substr(0, open)).filename().string();
}

/// The C library's inputs, walked through rather than named: members of its archives, and its
/// start files (crt1.o, crti.o, crtbeginT.o…).
bool c_library(std::string_view input) {
  std::string archive = archive_of(input);
  if (archive.empty()) {
    std::string name = fs::path(input).filename().string();
    return name == "crt1.o" || name == "crti.o" || name == "crtn.o" || name == "crtbegin.o" ||
           name == "crtbeginT.o" || name == "crtend.o" || name == "Scrt1.o" || name == "rcrt1.o";
  }
  return archive == "libc.a" || archive == "libm.a" || archive == "libpthread.a" ||
         archive == "libdl.a" || archive == "librt.a" || archive == "libresolv.a" ||
         archive.starts_with("libnss_");
}

/// How a report names an archive member: "libcrypto.a(bio_addr.o)"; anything else by its file
/// name.
std::string shown_input(std::string_view input) {
  size_t open = input.find('(');
  if (open != std::string_view::npos && input.ends_with(")")) {
    return archive_of(input) + std::string(input.substr(open));
  }
  return fs::path(input).filename().string();
}

} // namespace

std::map<std::string, std::string> shown_sources(const std::map<std::string, fs::path>& sources,
                                                 const fs::path& base) {
  std::map<std::string, std::string> shown;
  for (const auto& [object, source] : sources) {
    fs::path rel = base.empty() ? fs::path() : source.lexically_relative(base);
    bool inside = !rel.empty() && *rel.begin() != "..";
    shown.emplace(object, (inside ? rel : source).string());
  }
  return shown;
}

bool toolchain_runtime(std::string_view archive) {
  for (std::string_view runtime : {"libstdc++.a", "libsupc++.a", "libgcc.a", "libgcc_eh.a",
                                   "libc++.a", "libc++abi.a", "libunwind.a"}) {
    if (archive == runtime) {
      return true;
    }
  }
  return false;
}

std::optional<TrapOrigin> trap_origin(std::string_view why_extract, const std::string& symbol) {
  struct Row {
    std::string reference, symbol;
  };
  std::map<std::string, Row> by_extracted; // the first reason each member was pulled in
  std::optional<Row> start;
  for (const std::string& line : split(why_extract, '\n')) {
    std::vector<std::string> f = split(line, '\t');
    if (f.size() != 3 || f[0] == "reference") {
      continue;
    }
    by_extracted.try_emplace(f[1], Row{f[0], f[2]});
    if (!start && f[2] == symbol) {
      start = Row{f[0], f[2]};
    }
  }
  if (!start) {
    return std::nullopt;
  }
  Row at = *start;
  for (int depth = 0; depth < 32 && c_library(at.reference); ++depth) {
    auto it = by_extracted.find(at.reference);
    if (it == by_extracted.end()) {
      return std::nullopt; // the C library's own start-up
    }
    at = it->second;
  }
  if (c_library(at.reference)) {
    return std::nullopt;
  }
  std::string archive = archive_of(at.reference);
  return TrapOrigin{at.reference, at.symbol, toolchain_runtime(archive) ? archive : ""};
}

std::string origin_text(const TrapOrigin& origin,
                        const std::map<std::string, std::string>& object_sources) {
  auto source = object_sources.find(origin.input);
  std::string input = source != object_sources.end() ? source->second : shown_input(origin.input);
  return input + ", which calls " + origin.symbol;
}

void attribute_traps(scan::FileReport& file, const GateItem& item) {
  if (item.why_extract.empty()) {
    return;
  }
  for (scan::Finding& finding : file.findings) {
    // "getaddrinfo: …" -> "getaddrinfo (from libcrypto.a(bio_addr.o), which calls getaddrinfo): …"
    size_t colon = finding.message.find(": ");
    if (!finding.code.starts_with("glibc.") || colon == std::string::npos) {
      continue;
    }
    std::string symbol = finding.message.substr(0, colon);
    std::optional<TrapOrigin> origin = trap_origin(item.why_extract, symbol);
    if (!origin) {
      continue;
    }
    std::string head = symbol + " (from " + origin_text(*origin, item.object_sources) + ")";
    if (origin->runtime.empty()) {
      finding.message.replace(0, colon, head);
      continue;
    }
    // The program never calls it: the runtime scratchpack links does, for its own purposes, so
    // there is nothing for the program to fix (no hint) and nothing for --strict to fail.
    std::string runtime = origin->runtime.substr(0, origin->runtime.size() - 2); // "libstdc++"
    finding.severity = scan::Severity::note;
    finding.hint.clear();
    finding.message = head + ": only " + runtime +
                      "'s internals reach it, not the program's own code; " +
                      finding.message.substr(colon + 2);
  }
}

Result<std::vector<scan::FileReport>> gate_binaries(const std::vector<GateItem>& items, bool strict,
                                                    toolchain::BuildCache* cache,
                                                    std::string_view consequence, Events& events) {
  scan::ScanReport report;
  report.strict = strict;
  Diagnostics diag;
  for (const GateItem& item : items) {
    scan::ScanOptions opts;
    opts.platform = item.platform;
    opts.strict = strict;
    scan::FileReport f = toolchain::scan_file_cached(item.path, item.sha256, opts, cache);
    f.path = item.shown;
    attribute_traps(f, item);
    if (size_t errors = f.count(scan::Severity::error)) {
      diag.add(failure("scan gate", item.shown + " is not fit for a scratch image (" +
                                        std::to_string(errors) +
                                        (errors == 1 ? " error" : " errors") + "); nothing was " +
                                        std::string(consequence)));
    }
    report.files.push_back(std::move(f));
  }
  events.findings(report);
  SP_TRY(diag.status());
  return std::move(report.files);
}

} // namespace sp::pipeline
