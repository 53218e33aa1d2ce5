#include "toolchain/scan/report_json.h"

#include <nlohmann/json.hpp>
#include <optional>

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

Json verdict_json(const FileReport& file) {
  Json j;
  j["errors"] = file.count(Severity::error);
  j["warnings"] = file.count(Severity::warning);
  j["findings"] = Json::array();
  for (const Finding& f : file.findings) {
    if (f.severity != Severity::info) {
      j["findings"].push_back({{"code", f.code},
                               {"severity", std::string(severity_name(f.severity))},
                               {"message", f.message}});
    }
  }
  return j;
}

std::string file_report_to_json(const FileReport& file) {
  return file_json(file).dump();
}

namespace {

std::string string_or_empty(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::optional<Severity> severity_from(const std::string& s) {
  for (Severity v : {Severity::info, Severity::note, Severity::warning, Severity::error}) {
    if (severity_name(v) == s) {
      return v;
    }
  }
  return std::nullopt;
}

ElfFacts elf_from(const Json& j) {
  ElfFacts e;
  e.elf_class = j.at("class").get<unsigned>();
  e.endian = j.at("endian").get<std::string>();
  e.machine = j.at("machine").get<std::string>();
  e.type = j.at("type").get<std::string>();
  e.osabi = j.at("osabi").get<std::string>();
  e.float_abi = string_or_empty(j, "float_abi");
  e.is_static = j.at("static").get<bool>();
  e.static_pie = j.at("static_pie").get<bool>();
  e.stripped = j.at("stripped").get<bool>();
  e.tls = j.at("tls").get<bool>();
  e.exec_stack = j.at("exec_stack").get<bool>();
  e.interp = string_or_empty(j, "interp");
  e.needed = j.at("needed").get<std::vector<std::string>>();
  e.rpath = j.at("rpath").get<std::vector<std::string>>();
  e.runpath = j.at("runpath").get<std::vector<std::string>>();
  e.glibc_traps = j.at("glibc_traps").get<std::vector<std::string>>();
  return e;
}

} // namespace

std::optional<FileReport> file_report_from_json(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return std::nullopt;
  }
  try {
    FileReport r;
    r.path = j.at("path").get<std::string>();
    r.kind = j.at("kind").get<std::string>();
    r.entrypoint = j.at("entrypoint").get<bool>();
    if (!j.at("elf").is_null()) {
      r.elf = elf_from(j.at("elf"));
    }
    r.interpreter = string_or_empty(j, "interpreter");
    for (const Json& f : j.at("findings")) {
      auto severity = severity_from(f.at("severity").get<std::string>());
      if (!severity) {
        return std::nullopt;
      }
      r.findings.push_back({f.at("code").get<std::string>(), *severity,
                            f.at("message").get<std::string>(), string_or_empty(f, "hint")});
    }
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

} // namespace sp::scan
