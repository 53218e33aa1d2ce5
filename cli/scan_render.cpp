#include "cli/scan_render.h"

#include "cli/diagnostics.h"
#include "util/strings.h"

#include <algorithm>
#include <ostream>

namespace sp::cli {

namespace {

Color severity_color(scan::Severity s) {
  switch (s) {
  case scan::Severity::error:
    return Color::red;
  case scan::Severity::warning:
    return Color::yellow;
  case scan::Severity::note:
    return Color::bold;
  case scan::Severity::info:
    return Color::dim;
  }
  return Color::none;
}

} // namespace

std::string describe_file(const scan::FileReport& f) {
  if (f.kind == "script") {
    return "script for " + f.interpreter;
  }
  if (f.kind != "elf" || !f.elf) {
    return f.kind;
  }
  const scan::ElfFacts& e = *f.elf;
  std::string linkage = e.static_pie              ? "static-pie"
                        : e.type == "relocatable" ? "object"
                        : !e.is_static            ? "dynamic"
                        : e.type == "shared"      ? "no dependencies"
                                                  : "static";
  std::string s = "ELF" + std::to_string(e.elf_class) + " " + e.machine + " " + e.type + ", " +
                  linkage + (e.stripped ? ", stripped" : ", not stripped");
  if (!e.float_abi.empty()) {
    s += ", " + e.float_abi + "-float";
  }
  return s + (f.entrypoint ? ", entrypoint" : "");
}

namespace {

bool shown(const scan::Finding& f, const ScanView& v) {
  if (v.errors_only) {
    return f.severity == scan::Severity::error;
  }
  switch (f.severity) {
  case scan::Severity::info:
    return v.show_infos;
  case scan::Severity::note:
    return v.show_notes || v.show_infos;
  default:
    return true;
  }
}

/// Each distinct hint is printed once, at the end, with the codes it fixes: a directory scan
/// would repeat it thousands of times otherwise.
struct Hints {
  struct Entry {
    std::vector<std::string> codes;
    std::string hint;
  };
  std::vector<Entry> entries;

  void add(const scan::Finding& f) {
    if (f.hint.empty()) {
      return;
    }
    for (Entry& e : entries) {
      if (e.hint == f.hint) {
        if (std::find(e.codes.begin(), e.codes.end(), f.code) == e.codes.end()) {
          e.codes.push_back(f.code);
        }
        return;
      }
    }
    entries.push_back({{f.code}, f.hint});
  }
};

void render_file(std::ostream& os, bool color, const scan::FileReport& f, const ScanView& v,
                 Hints& hints) {
  std::vector<const scan::Finding*> lines;
  for (const scan::Finding& finding : f.findings) {
    if (shown(finding, v)) {
      lines.push_back(&finding);
    }
  }
  if (lines.empty() && !v.show_all_files) {
    return;
  }
  os << paint(f.path, Color::bold, color) << "  "
     << paint("(" + describe_file(f) + ")", Color::dim, color) << '\n';
  for (const scan::Finding* finding : lines) {
    std::string label =
        std::string(scan::severity_name(finding->severity)) + "[" + finding->code + "]";
    os << "  " << paint(label, severity_color(finding->severity), color) << ' ' << finding->message
       << '\n';
    hints.add(*finding);
  }
}

void render_summary(std::ostream& os, bool color, const scan::ScanReport& report) {
  size_t errors = report.errors();
  size_t warnings = report.warnings();
  std::string e = std::to_string(errors) + (errors == 1 ? " error" : " errors");
  std::string w = std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
  os << report.files.size() << (report.files.size() == 1 ? " file" : " files") << " scanned, "
     << paint(e, errors ? Color::red : Color::green, color) << ", "
     << paint(w, warnings ? Color::yellow : Color::none, color);
  if (report.skipped > 0) {
    os << " (" << report.skipped << " non-ELF files skipped)";
  }
  os << '\n';
}

} // namespace

void render_scan_report(std::ostream& os, bool color, const scan::ScanReport& report,
                        const ScanView& view) {
  Hints hints;
  for (const scan::FileReport& f : report.files) {
    render_file(os, color, f, view, hints);
  }
  if (view.hints) {
    for (const Hints::Entry& e : hints.entries) {
      os << paint("hint[" + join(e.codes, ", ") + "]:", Color::cyan, color) << ' ' << e.hint
         << '\n';
    }
  }
  if (view.summary) {
    render_summary(os, color, report);
  }
}

} // namespace sp::cli
