#include "toolchain/scan/report_json.h"

#include <nlohmann/json.hpp>

namespace sp::scan {

namespace {

// ordered_json keeps insertion order: the key order below is the documented order.
using Json = nlohmann::ordered_json;

Json string_or_null(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(s);
}

Json elf_json(const ElfFacts& e) {
  Json j;
  j["class"] = e.elf_class;
  j["endian"] = e.endian;
  j["machine"] = e.machine;
  j["type"] = e.type;
  j["osabi"] = e.osabi;
  j["float_abi"] = string_or_null(e.float_abi);
  j["static"] = e.is_static;
  j["static_pie"] = e.static_pie;
  j["stripped"] = e.stripped;
  j["tls"] = e.tls;
  j["exec_stack"] = e.exec_stack;
  j["interp"] = string_or_null(e.interp);
  j["needed"] = e.needed;
  j["rpath"] = e.rpath;
  j["runpath"] = e.runpath;
  j["glibc_traps"] = e.glibc_traps;
  return j;
}

Json finding_json(const Finding& f) {
  Json j;
  j["code"] = f.code;
  j["severity"] = std::string(severity_name(f.severity));
  j["message"] = f.message;
  j["hint"] = string_or_null(f.hint);
  return j;
}

Json file_json(const FileReport& r) {
  Json j;
  j["path"] = r.path;
  j["kind"] = r.kind;
  j["entrypoint"] = r.entrypoint;
  j["elf"] = r.elf ? elf_json(*r.elf) : Json(nullptr);
  j["interpreter"] = string_or_null(r.interpreter);
  j["findings"] = Json::array();
  for (const Finding& f : r.findings) {
    j["findings"].push_back(finding_json(f));
  }
  return j;
}

} // namespace

std::string to_json(const ScanReport& report) {
  Json doc;
  doc["schema"] = k_json_schema;
  doc["platform"] = report.platform ? Json(report.platform->to_string()) : Json(nullptr);
  doc["strict"] = report.strict;
  doc["summary"] = {{"files", report.files.size()},
                    {"skipped", report.skipped},
                    {"errors", report.errors()},
                    {"warnings", report.warnings()},
                    {"infos", report.infos()}};
  doc["files"] = Json::array();
  for (const FileReport& r : report.files) {
    doc["files"].push_back(file_json(r));
  }
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace sp::scan
