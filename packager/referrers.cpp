#include "packager/referrers.h"

#include "packager/layout.h"

#include <nlohmann/json.hpp>
#include <set>

namespace sp::packager {

namespace {

using nlohmann::json;

Result<Descriptor> put(const BlobStore& store, std::string_view bytes, std::string media_type) {
  BlobInfo info = SP_TRY(store.put(bytes));
  Descriptor d;
  d.media_type = std::move(media_type);
  d.digest = info.digest;
  d.size = info.size;
  return d;
}

} // namespace

Result<Artifact> make_artifact(const Descriptor& subject, const std::string& artifact_type,
                               std::string_view document, const Annotations& annotations,
                               const BlobStore& store) {
  Artifact a;
  a.config = SP_TRY(put(store, "{}", std::string(media_type::k_empty)));
  a.document = SP_TRY(put(store, document, artifact_type));
  json config = to_json(a.config);
  config["data"] = "e30="; // "{}" inline, as the OCI 1.1 guidance for the empty descriptor has it
  Descriptor subject_only{subject.media_type, subject.digest, subject.size, {}, {}, {}};
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", media_type::k_manifest},
                   {"artifactType", artifact_type},
                   {"config", config},
                   {"layers", json::array({to_json(a.document)})},
                   {"subject", to_json(subject_only)}};
  if (!annotations.empty()) {
    manifest["annotations"] = annotations;
  }
  a.manifest_bytes = canonical_json(manifest);
  a.manifest = SP_TRY(put(store, a.manifest_bytes, std::string(media_type::k_manifest)));
  a.manifest.artifact_type = artifact_type;
  a.manifest.annotations = annotations;
  return a;
}

std::string referrers_index_json(const std::vector<Descriptor>& entries) {
  json manifests = json::array();
  std::set<std::string> seen;
  for (const Descriptor& d : entries) {
    if (seen.insert(d.digest.to_string()).second) {
      manifests.push_back(to_json(d));
    }
  }
  return canonical_json(
      {{"schemaVersion", 2}, {"mediaType", media_type::k_index}, {"manifests", manifests}});
}

Result<Referrers> make_referrers(const Descriptor& subject, std::vector<Artifact> artifacts,
                                 const BlobStore& store) {
  Referrers r;
  r.subject = subject;
  std::vector<Descriptor> entries;
  for (const Artifact& a : artifacts) {
    entries.push_back(a.manifest);
  }
  r.index_bytes = referrers_index_json(entries);
  r.index = SP_TRY(put(store, r.index_bytes, std::string(media_type::k_index)));
  r.artifacts = std::move(artifacts);
  return r;
}

std::vector<Descriptor> index_entries(std::string_view index_bytes) {
  std::vector<Descriptor> out;
  json j = json::parse(index_bytes, nullptr, false);
  if (!j.is_object() || !j.contains("manifests") || !j["manifests"].is_array()) {
    return out;
  }
  for (const json& m : j["manifests"]) {
    if (!m.is_object() || !m.contains("digest") || !m["digest"].is_string() ||
        !m.contains("size") || !m["size"].is_number_unsigned()) {
      continue;
    }
    if (auto d = descriptor_from_json(m, "referrers index")) {
      out.push_back(*d);
    }
  }
  return out;
}

std::string referrers_tag(const Digest& subject) {
  return subject.algorithm() + "-" + subject.hex();
}

Result<std::vector<ReadArtifact>> read_referrers(const Layout& layout) {
  std::vector<ReadArtifact> out;
  std::string index_json = SP_TRY(layout.read_document("index.json"));
  std::string named;
  for (const Descriptor& d : index_entries(index_json)) {
    auto it = d.annotations.find(std::string(k_referrers_annotation));
    if (it != d.annotations.end()) {
      named = it->second;
      break;
    }
  }
  if (named.empty()) {
    return out;
  }
  Digest digest = SP_TRY(parse_digest(named));
  std::string bytes = SP_TRY(layout.read_document(blob_name(digest)));
  std::vector<Descriptor> manifests = index_entries(bytes);
  if (manifests.size() > 64) {
    return failure(layout.where(blob_name(digest)), "lists more than 64 artifacts");
  }
  for (const Descriptor& m : manifests) {
    std::string manifest_bytes = SP_TRY(layout.read_document(m));
    json manifest = SP_TRY(parse_json(manifest_bytes, layout.where(blob_name(m.digest))));
    if (!manifest.is_object() || !manifest.contains("layers") || !manifest["layers"].is_array() ||
        manifest["layers"].size() != 1) {
      return failure(layout.where(blob_name(m.digest)), "does not hold exactly one document");
    }
    Descriptor doc = SP_TRY(descriptor_from_json(manifest["layers"][0], "artifact layer"));
    ReadArtifact a;
    a.manifest = m;
    a.artifact_type = manifest.value("artifactType", std::string());
    if (manifest.contains("annotations") && manifest["annotations"].is_object()) {
      for (const auto& [k, v] : manifest["annotations"].items()) {
        if (v.is_string()) {
          a.annotations[k] = v.get<std::string>();
        }
      }
    }
    a.document = SP_TRY(layout.read_document(doc));
    out.push_back(std::move(a));
  }
  return out;
}

} // namespace sp::packager
