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

/// How a report names an input: "libcrypto.a(bio_addr.o)", or an object's file name.
std::string shown_input(std::string_view input) {
  size_t open = input.find('(');
  if (open != std::string_view::npos && input.ends_with(")")) {
    return archive_of(input) + std::string(input.substr(open));
  }
  return fs::path(input).filename().string();
}

} // namespace

std::string trap_origin(std::string_view why_extract, const std::string& symbol) {
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
    return "";
  }
  Row at = *start;
  for (int depth = 0; depth < 32 && c_library(at.reference); ++depth) {
    auto it = by_extracted.find(at.reference);
    if (it == by_extracted.end()) {
      return ""; // the C library's own start-up
    }
    at = it->second;
  }
  if (c_library(at.reference)) {
    return "";
  }
  return shown_input(at.reference) + ", which calls " + at.symbol;
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
    // "getaddrinfo: …" -> "getaddrinfo (from libcrypto.a(bio_addr.o), which calls getaddrinfo): …"
    for (scan::Finding& finding : f.findings) {
      size_t colon = finding.message.find(": ");
      if (item.why_extract.empty() || !finding.code.starts_with("glibc.") ||
          colon == std::string::npos) {
        continue;
      }
      std::string origin = trap_origin(item.why_extract, finding.message.substr(0, colon));
      if (!origin.empty()) {
        finding.message.insert(colon, " (from " + origin + ")");
      }
    }
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
