#include "packager/digest.h"

#include "util/sha256.h"

namespace sp::packager {

namespace {

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

} // namespace

Digest Digest::of(std::string_view bytes) {
  return sha256_hex(sp::sha256_hex(bytes));
}

std::string Digest::to_string() const {
  return m_hex.empty() ? std::string() : m_algorithm + ":" + m_hex;
}

Result<Digest> parse_digest(std::string_view text) {
  size_t colon = text.find(':');
  std::string_view algorithm = colon == std::string_view::npos ? "" : text.substr(0, colon);
  std::string_view hex = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  if (algorithm == "sha512") {
    return failure("digest '" + std::string(text) + "'", "only sha256 content is supported");
  }
  if (algorithm != "sha256" || hex.size() != 64 || !is_lower_hex(hex)) {
    return failure("digest '" + std::string(text) + "'",
                   "expected sha256: followed by 64 lower-case hex digits");
  }
  return Digest::sha256_hex(std::string(hex));
}

nlohmann::json to_json(const Platform& p) {
  nlohmann::json j = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.variant.empty()) {
    j["variant"] = p.variant;
  }
  return j;
}

nlohmann::json to_json(const Descriptor& d) {
  nlohmann::json j = {
      {"mediaType", d.media_type}, {"digest", d.digest.to_string()}, {"size", d.size}};
  if (d.platform) {
    j["platform"] = to_json(*d.platform);
  }
  if (!d.annotations.empty()) {
    j["annotations"] = d.annotations;
  }
  if (!d.artifact_type.empty()) {
    j["artifactType"] = d.artifact_type;
  }
  return j;
}

Result<Platform> platform_from_json(const nlohmann::json& j, std::string_view where) {
  if (!j.is_object() || !j.contains("architecture") || !j["architecture"].is_string() ||
      !j.contains("os") || !j["os"].is_string()) {
    return failure(std::string(where), "platform needs string fields architecture and os");
  }
  Platform p;
  p.os = j["os"].get<std::string>();
  p.architecture = j["architecture"].get<std::string>();
  if (j.contains("variant") && j["variant"].is_string()) {
    p.variant = j["variant"].get<std::string>();
  }
  return p;
}

Result<Descriptor> descriptor_from_json(const nlohmann::json& j, std::string_view where) {
  if (!j.is_object() || !j.contains("digest") || !j["digest"].is_string() || !j.contains("size") ||
      !j["size"].is_number_unsigned()) {
    return failure(std::string(where), "a descriptor needs a digest string and a size");
  }
  Descriptor d;
  if (j.contains("mediaType") && j["mediaType"].is_string()) {
    d.media_type = j["mediaType"].get<std::string>();
  }
  Result<Digest> digest = parse_digest(j["digest"].get<std::string>());
  if (!digest) {
    return failure(std::string(where), digest.error().what + ": " + digest.error().why);
  }
  d.digest = *digest;
  d.size = j["size"].get<uint64_t>();
  if (j.contains("platform")) {
    Result<Platform> p = platform_from_json(j["platform"], where);
    if (!p) {
      return p.take_error();
    }
    d.platform = *p;
  }
  if (j.contains("artifactType") && j["artifactType"].is_string()) {
    d.artifact_type = j["artifactType"].get<std::string>();
  }
  if (j.contains("annotations") && j["annotations"].is_object()) {
    for (const auto& [k, v] : j["annotations"].items()) {
      if (v.is_string()) {
        d.annotations[k] = v.get<std::string>();
      }
    }
  }
  return d;
}

std::string canonical_json(const nlohmann::json& j) {
  // Invalid UTF-8 (a label from a binary file, say) is replaced rather than thrown on.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<nlohmann::json> parse_json(std::string_view text, std::string_view where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    return failure(std::string(where), "not valid JSON");
  }
  return j;
}

} // namespace sp::packager
