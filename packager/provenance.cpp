#include "packager/provenance.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sp::packager {

namespace {

using nlohmann::json;

constexpr const char* k_statement = "https://in-toto.io/Statement/v1";
constexpr const char* k_slsa = "https://slsa.dev/provenance/v1";
constexpr const char* k_builder = "https://scratchpack.dev/builder/local/v1";

bool hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

} // namespace

std::string provenance_statement(const ProvenanceRecord& r) {
  json subjects = json::array();
  for (const ProvenanceSubject& s : r.subjects) {
    subjects.push_back({{"name", s.name}, {"digest", {{"sha256", s.sha256}}}});
  }
  json inputs = json::array();
  std::vector<bom::FileDigest> files = r.inputs;
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  for (const bom::FileDigest& f : files) {
    inputs.push_back(
        {{"name", f.path}, {"uri", "file:" + f.path}, {"digest", {{"sha256", f.sha256}}}});
  }
  std::vector<bom::Component> packages = r.packages;
  std::sort(packages.begin(), packages.end(),
            [](const auto& a, const auto& b) { return a.purl < b.purl; });
  for (const bom::Component& c : packages) {
    json dep = {{"name", c.name}, {"uri", c.purl.empty() ? "file:" + c.name : c.purl}};
    if (!c.version.empty()) {
      dep["annotations"] = {{"version", c.version}};
    }
    inputs.push_back(dep);
  }
  json statement = {
      {"_type", k_statement},
      {"subject", subjects},
      {"predicateType", k_slsa},
      {"predicate",
       {{"buildDefinition",
         {{"buildType", r.build_type},
          {"externalParameters", {{"arguments", r.arguments}}},
          {"internalParameters", {{"SOURCE_DATE_EPOCH", std::to_string(r.source_date_epoch)}}},
          {"resolvedDependencies", inputs}}},
        {"runDetails",
         {{"builder",
           {{"id", k_builder},
            {"version", {{"scratchpack", r.scratchpack_version}, {"llvm", r.llvm_version}}}}},
          {"metadata", json::object()}}}}}};
  return statement.dump(2) + "\n";
}

Result<ProvenanceRecord> parse_provenance(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  auto bad = [](std::string why) { return failure("provenance", std::move(why)); };
  if (!j.is_object() || j.value("_type", "") != k_statement ||
      j.value("predicateType", "") != k_slsa) {
    return bad("not an in-toto statement with an SLSA provenance v1 predicate");
  }
  ProvenanceRecord r;
  try {
    const json& def = j.at("predicate").at("buildDefinition");
    r.build_type = def.at("buildType").get<std::string>();
    if (r.build_type != k_build_type_build && r.build_type != k_build_type_release) {
      return bad("build type " + r.build_type + " is not scratchpack's");
    }
    r.arguments = def.at("externalParameters").at("arguments").get<std::vector<std::string>>();
    std::string epoch = def.at("internalParameters").at("SOURCE_DATE_EPOCH").get<std::string>();
    r.source_date_epoch = std::stoll(epoch);
    for (const json& d : def.at("resolvedDependencies")) {
      std::string uri = d.at("uri").get<std::string>();
      if (uri.starts_with("file:") && d.contains("digest")) {
        std::string sha = d.at("digest").at("sha256").get<std::string>();
        if (!hex64(sha)) {
          return bad("input " + uri + " has no sha256");
        }
        r.inputs.push_back({uri.substr(5), sha, ""});
      }
    }
    for (const json& s : j.at("subject")) {
      std::string sha = s.at("digest").at("sha256").get<std::string>();
      if (!hex64(sha)) {
        return bad("subject " + s.at("name").get<std::string>() + " has no sha256");
      }
      r.subjects.push_back({s.at("name").get<std::string>(), sha});
    }
    const json& version = j.at("predicate").at("runDetails").at("builder").at("version");
    r.scratchpack_version = version.value("scratchpack", "");
    r.llvm_version = version.value("llvm", "");
  } catch (const std::exception& e) {
    return bad(std::string("a field is missing or of the wrong type (") + e.what() + ")");
  }
  return r;
}

} // namespace sp::packager
