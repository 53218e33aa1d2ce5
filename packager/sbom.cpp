#include "packager/sbom.h"

#include "packager/config.h"
#include "util/sha256.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace sp::packager {

namespace {

using nlohmann::json;

/// An SPDX identifier's idstring may hold letters, digits, '.' and '-' only.
std::string spdx_id(std::string_view kind, std::string_view name) {
  std::string id = "SPDXRef-" + std::string(kind) + "-";
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    id += ok ? c : '-';
  }
  return id;
}

std::string component_key(const bom::Component& c) {
  return c.name + "@" + c.version + "?" + c.arch;
}

std::string supplier_of(const bom::Component& c) {
  switch (c.origin) {
  case bom::Origin::debian:
    return "Organization: Debian";
  case bom::Origin::llvm:
    return "Organization: LLVM (built by scratchpack)";
  case bom::Origin::scratchpack:
    return "Organization: scratchpack";
  case bom::Origin::file:
    break;
  }
  return "NOASSERTION";
}

json spdx_checksums(const bom::FileDigest& f) {
  json sums = json::array();
  if (!f.sha1.empty()) {
    sums.push_back({{"algorithm", "SHA1"}, {"checksumValue", f.sha1}});
  }
  if (!f.sha256.empty()) {
    sums.push_back({{"algorithm", "SHA256"}, {"checksumValue", f.sha256}});
  }
  return sums;
}

json cdx_hashes(const bom::FileDigest& f) {
  json hashes = json::array();
  if (!f.sha1.empty()) {
    hashes.push_back({{"alg", "SHA-1"}, {"content", f.sha1}});
  }
  if (!f.sha256.empty()) {
    hashes.push_back({{"alg", "SHA-256"}, {"content", f.sha256}});
  }
  return hashes;
}

/// Builds an SPDX document: packages, files and relationships are added by identifier (each
/// once), then written sorted.
class Spdx {
public:
  /// The package of a component (once per document), its member files CONTAINed.
  std::string component(const bom::Component& c) {
    std::string id = spdx_id("Package", component_key(c));
    if (m_packages.count(id)) {
      return id;
    }
    json p = {{"SPDXID", id},
              {"name", c.name},
              {"downloadLocation", "NOASSERTION"},
              {"filesAnalyzed", false},
              {"supplier", supplier_of(c)},
              {"primaryPackagePurpose", "LIBRARY"}};
    if (!c.version.empty()) {
      p["versionInfo"] = c.version;
    }
    if (!c.purl.empty()) {
      p["externalRefs"] = json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                        {"referenceType", "purl"},
                                        {"referenceLocator", c.purl}}});
    }
    if (!c.properties.empty()) {
      std::string comment;
      for (const std::string& prop : c.properties) {
        comment += (comment.empty() ? "" : "; ") + prop;
      }
      p["comment"] = comment;
    }
    m_packages[id] = p;
    for (const bom::FileDigest& f : c.files) {
      relate(id, "CONTAINS", file(f, c.name));
    }
    return id;
  }

  /// A file entry (once per path and content).
  std::string file(const bom::FileDigest& f, std::string_view owner = {}) {
    std::string id = spdx_id("File", std::string(owner) + "-" + f.path + "-" +
                                         f.sha256.substr(0, std::min<size_t>(f.sha256.size(), 12)));
    if (!m_files.count(id)) {
      std::string name = f.path.starts_with("/") ? "." + f.path : "./" + f.path;
      m_files[id] = {{"SPDXID", id}, {"fileName", name}, {"checksums", spdx_checksums(f)}};
    }
    return id;
  }

  /// The package of one binary: GENERATED_FROM its sources, STATIC_LINK each component.
  std::string binary(const bom::Binary& b, const std::string& sha256 = {},
                     const std::string& path = {}) {
    std::string id = spdx_id("Binary", b.name + "-" + b.target);
    json p = {{"SPDXID", id},
              {"name", b.name},
              {"downloadLocation", "NOASSERTION"},
              {"filesAnalyzed", false},
              {"primaryPackagePurpose", "APPLICATION"},
              {"comment", "static executable for " + b.target + " (" + b.platform + ")"}};
    if (!sha256.empty()) {
      p["checksums"] = json::array({{{"algorithm", "SHA256"}, {"checksumValue", sha256}}});
    }
    if (!path.empty()) {
      p["packageFileName"] = path;
    }
    m_packages[id] = p;
    for (const bom::FileDigest& s : b.sources) {
      relate(id, "GENERATED_FROM", file(s));
    }
    for (const bom::Component& c : b.components) {
      relate(id, "STATIC_LINK", component(c));
    }
    return id;
  }

  void package(const std::string& id, json p) { m_packages[id] = std::move(p); }

  void relate(const std::string& from, const std::string& type, const std::string& to) {
    m_relationships.insert({from, type, to});
  }

  /// The document named `name`, describing `described`. Its namespace is derived from the rest
  /// of its contents, so it is unique per content and reproducible.
  std::string write(const std::string& name, const std::vector<std::string>& described,
                    const SbomOptions& options, const std::string& fingerprint) {
    for (const std::string& id : described) {
      relate("SPDXRef-DOCUMENT", "DESCRIBES", id);
    }
    json doc = {{"spdxVersion", "SPDX-2.3"},
                {"dataLicense", "CC0-1.0"},
                {"SPDXID", "SPDXRef-DOCUMENT"},
                {"name", name},
                {"creationInfo",
                 {{"created", rfc3339(options.created)},
                  {"creators", json::array({"Tool: " + options.tool})}}}};
    json packages = json::array(), files = json::array(), rels = json::array();
    for (auto& [id, p] : m_packages) {
      packages.push_back(p);
    }
    for (auto& [id, f] : m_files) {
      files.push_back(f);
    }
    for (const auto& [from, type, to] : m_relationships) {
      rels.push_back(
          {{"spdxElementId", from}, {"relationshipType", type}, {"relatedSpdxElement", to}});
    }
    doc["packages"] = packages;
    if (!files.empty()) {
      doc["files"] = files;
    }
    doc["relationships"] = rels;
    doc["documentNamespace"] = "https://spdx.org/spdxdocs/scratchpack/" + safe_name(name) + "-" +
                               sha256_hex("spdx\n" + fingerprint + "\n" + options.tool + "\n" +
                                          std::to_string(options.created));
    return doc.dump() + "\n";
  }

private:
  static std::string safe_name(const std::string& name) {
    std::string out;
    for (char c : name) {
      out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '-';
    }
    return out;
  }

  std::map<std::string, json> m_packages;
  std::map<std::string, json> m_files;
  std::set<std::tuple<std::string, std::string, std::string>> m_relationships;
};

/// Builds a CycloneDX document: components by bom-ref (each once), dependencies by ref.
class CycloneDx {
public:
  /// A component for a package, its members nested as file components.
  std::string component(const bom::Component& c) {
    std::string ref = c.purl.empty() ? "component:" + component_key(c) : c.purl;
    if (m_components.count(ref)) {
      return ref;
    }
    json j = {{"type", "library"}, {"bom-ref", ref}, {"name", c.name}};
    if (!c.version.empty()) {
      j["version"] = c.version;
    }
    if (!c.purl.empty()) {
      j["purl"] = c.purl;
    }
    if (c.origin != bom::Origin::file) {
      std::string supplier = supplier_of(c).substr(std::string("Organization: ").size());
      j["supplier"] = {{"name", supplier}};
    }
    json props = json::array();
    if (!c.arch.empty()) {
      props.push_back({{"name", "scratchpack:arch"}, {"value", c.arch}});
    }
    for (const std::string& p : c.properties) {
      size_t eq = p.find('=');
      props.push_back({{"name", "scratchpack:" + p.substr(0, eq)},
                       {"value", eq == std::string::npos ? std::string() : p.substr(eq + 1)}});
    }
    if (!props.empty()) {
      j["properties"] = props;
    }
    json files = json::array();
    for (const bom::FileDigest& f : c.files) {
      files.push_back({{"type", "file"},
                       {"bom-ref", ref + "#" + f.path},
                       {"name", f.path},
                       {"hashes", cdx_hashes(f)}});
    }
    if (!files.empty()) {
      j["components"] = files;
    }
    m_components[ref] = j;
    return ref;
  }

  std::string source(const bom::FileDigest& f) {
    std::string ref = "file:" + f.path + "@" + f.sha256;
    m_components.try_emplace(
        ref, json{{"type", "file"}, {"bom-ref", ref}, {"name", f.path}, {"hashes", cdx_hashes(f)}});
    return ref;
  }

  /// A binary: depends on its components; its sources are listed as file components.
  std::string binary(const bom::Binary& b, json& out, const std::string& sha256 = {},
                     const std::string& path = {}) {
    std::string ref = "binary:" + b.target + "/" + b.name;
    out = {
        {"type", "application"},
        {"bom-ref", ref},
        {"name", b.name},
        {"properties", json::array({{{"name", "scratchpack:target"}, {"value", b.target}},
                                    {{"name", "scratchpack:platform"}, {"value", b.platform}}})}};
    if (!sha256.empty()) {
      out["hashes"] = json::array({{{"alg", "SHA-256"}, {"content", sha256}}});
    }
    if (!path.empty()) {
      out["properties"].push_back({{"name", "scratchpack:path"}, {"value", path}});
    }
    std::set<std::string>& deps = m_dependencies[ref];
    for (const bom::Component& c : b.components) {
      deps.insert(component(c));
    }
    for (const bom::FileDigest& s : b.sources) {
      deps.insert(source(s));
    }
    return ref;
  }

  void depend(const std::string& from, const std::string& to) { m_dependencies[from].insert(to); }

  std::string write(json metadata_component, std::vector<json> extra_components,
                    const SbomOptions& options, const std::string& fingerprint) {
    json components = json::array();
    for (json& c : extra_components) {
      components.push_back(std::move(c));
    }
    for (auto& [ref, c] : m_components) {
      components.push_back(c);
    }
    json deps = json::array();
    for (const auto& [ref, on] : m_dependencies) {
      deps.push_back(
          {{"ref", ref}, {"dependsOn", json(std::vector<std::string>(on.begin(), on.end()))}});
    }
    // Components every dependency names must exist: each ref gets its own entry.
    for (const auto& [ref, c] : m_components) {
      if (!m_dependencies.count(ref)) {
        deps.push_back({{"ref", ref}, {"dependsOn", json::array()}});
      }
    }
    size_t dash = options.tool.rfind('-');
    json tool = {{"type", "application"},
                 {"name", options.tool.substr(0, dash)},
                 {"version", dash == std::string::npos ? "" : options.tool.substr(dash + 1)}};
    json doc = {{"bomFormat", "CycloneDX"},
                {"specVersion", "1.5"},
                {"version", 1},
                {"metadata",
                 {{"timestamp", rfc3339(options.created)},
                  {"tools", {{"components", json::array({tool})}}},
                  {"component", metadata_component}}},
                {"components", components},
                {"dependencies", deps}};
    // A serial number from the contents: an RFC 4122 form of its sha256 (version 5-like bits).
    std::string h = sha256_hex("cyclonedx\n" + fingerprint + "\n" + options.tool + "\n" +
                               std::to_string(options.created));
    h[12] = '5';
    h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
    doc["serialNumber"] = "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" +
                          h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
    return doc.dump() + "\n";
  }

private:
  std::map<std::string, json> m_components;
  std::map<std::string, std::set<std::string>> m_dependencies;
};

/// What a document says, in a few bytes: its identifiers are derived from this rather than from
/// a second serialisation of the document.
std::string fingerprint_of(const bom::Binary& b) {
  Sha256 h;
  auto line = [&h](std::initializer_list<std::string_view> fields) {
    for (std::string_view f : fields) {
      h.update(f);
      h.update("\t");
    }
    h.update("\n");
  };
  line({b.name, b.target, b.platform, b.arch});
  for (const bom::FileDigest& s : b.sources) {
    line({"source", s.path, s.sha256, s.sha1});
  }
  for (const bom::Component& c : b.components) {
    line({"component", c.name, c.version, c.arch, c.purl});
    for (const std::string& p : c.properties) {
      line({"property", p});
    }
    for (const bom::FileDigest& f : c.files) {
      line({"file", f.path, f.sha256, f.sha1});
    }
  }
  return h.hex_digest();
}

std::string fingerprint_of(const ImageSubject& image) {
  std::string text = image.repository + "\n" + image.tag + "\n" + image.root_digest + "\n";
  for (const ImagePlatform& p : image.platforms) {
    text += p.platform + " " + p.manifest_digest + "\n";
    for (const ImageBinary& b : p.binaries) {
      text += b.path + " " + b.sha256 + " " + fingerprint_of(b.bom) + "\n";
    }
    for (const ImageExtra& e : p.extras) {
      text += e.path + " " + e.sha256 + " " + e.supplier + "\n";
    }
  }
  return sha256_hex(text);
}

std::string image_name(const ImageSubject& image) {
  return image.repository + (image.tag.empty() ? "" : ":" + image.tag);
}

} // namespace

std::string sbom_fingerprint(const bom::Binary& binary) {
  return fingerprint_of(binary);
}

std::string sbom_fingerprint(const ImageSubject& image) {
  return fingerprint_of(image);
}

std::string oci_purl(const std::string& repository, const std::string& digest,
                     const std::string& tag) {
  size_t slash = repository.rfind('/');
  std::string name = slash == std::string::npos ? repository : repository.substr(slash + 1);
  std::string purl = "pkg:oci/" + bom::purl_encode(name) + "@" + bom::purl_encode(digest);
  std::string query;
  if (slash != std::string::npos) {
    query += "repository_url=" + bom::purl_encode(repository);
  }
  if (!tag.empty()) {
    query += (query.empty() ? "" : "&") + std::string("tag=") + bom::purl_encode(tag);
  }
  return query.empty() ? purl : purl + "?" + query;
}

std::string binary_spdx(const bom::Binary& binary, const SbomOptions& options) {
  Spdx doc;
  std::string id = doc.binary(binary);
  return doc.write(binary.name + "-" + binary.target, {id}, options, fingerprint_of(binary));
}

std::string binary_cyclonedx(const bom::Binary& binary, const SbomOptions& options) {
  CycloneDx doc;
  json component;
  doc.binary(binary, component);
  return doc.write(component, {}, options, fingerprint_of(binary));
}

std::string image_spdx(const ImageSubject& image, const SbomOptions& options) {
  Spdx doc;
  std::string image_id = spdx_id("Image", image.repository);
  json p = {{"SPDXID", image_id},
            {"name", image_name(image)},
            {"downloadLocation", "NOASSERTION"},
            {"filesAnalyzed", false},
            {"primaryPackagePurpose", "CONTAINER"},
            {"externalRefs",
             json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                           {"referenceType", "purl"},
                           {"referenceLocator",
                            oci_purl(image.repository, image.root_digest, image.tag)}}})}};
  if (image.root_digest.starts_with("sha256:")) {
    p["checksums"] =
        json::array({{{"algorithm", "SHA256"}, {"checksumValue", image.root_digest.substr(7)}}});
  }
  doc.package(image_id, p);
  for (const ImagePlatform& platform : image.platforms) {
    for (const ImageBinary& b : platform.binaries) {
      doc.relate(image_id, "CONTAINS", doc.binary(b.bom, b.sha256, b.path));
    }
    for (const ImageExtra& e : platform.extras) {
      std::string id =
          doc.file({e.path, e.sha256, ""}, e.supplier.empty() ? platform.platform : e.supplier);
      doc.relate(image_id, "CONTAINS", id);
    }
  }
  return doc.write(image_name(image), {image_id}, options, fingerprint_of(image));
}

std::string image_cyclonedx(const ImageSubject& image, const SbomOptions& options) {
  CycloneDx doc;
  std::string ref = oci_purl(image.repository, image.root_digest, image.tag);
  json container = {
      {"type", "container"}, {"bom-ref", ref}, {"name", image.repository}, {"purl", ref}};
  if (!image.tag.empty()) {
    container["version"] = image.tag;
  }
  std::vector<json> binaries;
  for (const ImagePlatform& platform : image.platforms) {
    for (const ImageBinary& b : platform.binaries) {
      json component;
      doc.depend(ref, doc.binary(b.bom, component, b.sha256, b.path));
      binaries.push_back(component);
    }
    for (const ImageExtra& e : platform.extras) {
      json file = {{"type", "file"},
                   {"bom-ref", "file:" + platform.platform + ":" + e.path},
                   {"name", e.path},
                   {"hashes", json::array({{{"alg", "SHA-256"}, {"content", e.sha256}}})}};
      if (!e.supplier.empty()) {
        file["supplier"] = {{"name", e.supplier}};
      }
      doc.depend(ref, file["bom-ref"]);
      binaries.push_back(file);
    }
  }
  return doc.write(container, binaries, options, fingerprint_of(image));
}

} // namespace sp::packager
