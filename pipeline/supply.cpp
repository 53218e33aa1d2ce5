#include "pipeline/supply.h"

#include "toolchain/materials.h"
#include "toolchain/version.h"
#include "util/sha256.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace sp::pipeline {

namespace pk = packager;

bool sbom_enabled() {
  const char* off = std::getenv("SCRATCHPACK_NO_SBOM");
  return !off || !*off;
}

pk::SbomOptions sbom_options() {
  return {"scratchpack-" + toolchain::scratchpack_version(), source_date_epoch()};
}

namespace {

/// The SPDX and CycloneDX documents of `what` (a fingerprint of all they say), from the build
/// cache when they were made before, else from `make` (and then kept). The key's "documents N"
/// is the renderers' version: bump it whenever packager/sbom.cpp writes other bytes.
template <typename Make>
std::pair<std::string, std::string> documents(toolchain::BuildCache* cache, const std::string& what,
                                              const pk::SbomOptions& options, Make make) {
  std::string key = sha256_hex("sbom documents 2\n" + what + "\n" + options.tool + "\n" +
                               std::to_string(options.created));
  if (cache) {
    auto spdx = cache->fetch_text("sboms", sha256_hex(key + "spdx"));
    auto cdx = cache->fetch_text("sboms", sha256_hex(key + "cyclonedx"));
    if (spdx && cdx) {
      return {std::move(*spdx), std::move(*cdx)};
    }
  }
  auto made = make();
  if (cache) {
    (void)cache->store_text("sboms", sha256_hex(key + "spdx"), made.first);
    (void)cache->store_text("sboms", sha256_hex(key + "cyclonedx"), made.second);
  }
  return made;
}

} // namespace

Result<std::string> stamp_binary(const fs::path& binary, const bom::Binary& materials,
                                 BinarySbom& out, toolchain::BuildCache* cache) {
  // Dated 1970-01-01 whatever SOURCE_DATE_EPOCH says: the binary carries this document's digest,
  // and a binary depends on its sources, not on the time (the image's documents are dated).
  pk::SbomOptions options = sbom_options();
  options.created = 0;
  out.bom = materials;
  auto docs = documents(cache, "binary " + pk::sbom_fingerprint(materials), options, [&] {
    return std::pair{pk::binary_spdx(materials, options), pk::binary_cyclonedx(materials, options)};
  });
  out.spdx = std::move(docs.first);
  out.cyclonedx = std::move(docs.second);
  return toolchain::stamp_package_note(binary, sha256_hex(out.spdx));
}

fs::path spdx_path(const fs::path& binary) {
  return binary.string() + ".spdx.json";
}

fs::path cyclonedx_path(const fs::path& binary) {
  return binary.string() + ".cdx.json";
}

Result<ImageDocuments> image_documents(const SupplyChain& supply, const pk::Descriptor& root,
                                       const std::vector<pk::Image>& images,
                                       const std::string& repository, const std::string& tag,
                                       const pk::BlobStore& store, toolchain::BuildCache* cache) {
  pk::ImageSubject subject;
  subject.repository = repository;
  subject.tag = tag;
  subject.root_digest = root.digest.to_string();
  subject.platforms = supply.platforms;
  for (pk::ImagePlatform& p : subject.platforms) {
    for (const pk::Image& image : images) {
      if (image.platform.to_string() == p.platform) {
        p.manifest_digest = image.manifest.digest.to_string();
      }
    }
  }
  pk::SbomOptions options = sbom_options();
  ImageDocuments docs;
  auto made = documents(cache, "image " + pk::sbom_fingerprint(subject), options, [&] {
    return std::pair{pk::image_spdx(subject, options), pk::image_cyclonedx(subject, options)};
  });
  docs.spdx = std::move(made.first);
  docs.cyclonedx = std::move(made.second);

  pk::ProvenanceRecord record = supply.provenance;
  record.subjects.push_back({repository, root.digest.hex()});
  for (const pk::ImagePlatform& p : subject.platforms) {
    for (const pk::ImageBinary& b : p.binaries) {
      record.subjects.push_back({b.bom.target + "/" + b.bom.name, b.sha256});
    }
  }
  std::sort(record.subjects.begin() + 1, record.subjects.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  docs.provenance = pk::provenance_statement(record);

  std::vector<pk::Artifact> artifacts;
  artifacts.push_back(SP_TRY(pk::make_artifact(root, pk::k_spdx_media_type, docs.spdx, {}, store)));
  artifacts.push_back(
      SP_TRY(pk::make_artifact(root, pk::k_cyclonedx_media_type, docs.cyclonedx, {}, store)));
  artifacts.push_back(SP_TRY(
      pk::make_artifact(root, pk::k_in_toto_media_type, docs.provenance,
                        {{"in-toto.io/predicate-type", "https://slsa.dev/provenance/v1"}}, store)));
  docs.referrers = SP_TRY(pk::make_referrers(root, std::move(artifacts), store));
  return docs;
}

std::vector<std::pair<std::string, std::string>> image_document_files(const std::string& stem,
                                                                      const ImageDocuments& docs) {
  return {{stem + ".image.spdx.json", docs.spdx},
          {stem + ".image.cdx.json", docs.cyclonedx},
          {stem + ".provenance.json", docs.provenance}};
}

pk::ProvenanceRecord provenance_record(const std::string& build_type,
                                       std::vector<std::string> arguments,
                                       std::vector<bom::FileDigest> inputs,
                                       const std::vector<const bom::Binary*>& binaries) {
  pk::ProvenanceRecord r;
  r.build_type = build_type;
  r.arguments = std::move(arguments);
  std::map<std::string, bom::FileDigest> files;
  for (bom::FileDigest& f : inputs) {
    files[f.path] = std::move(f);
  }
  std::map<std::string, bom::Component> packages;
  for (const bom::Binary* b : binaries) {
    for (const bom::FileDigest& s : b->sources) {
      files[s.path] = s;
    }
    for (const bom::Component& c : b->components) {
      bom::Component p = c;
      p.files.clear();
      packages[c.purl.empty() ? c.name : c.purl] = std::move(p);
    }
  }
  for (auto& [path, f] : files) {
    r.inputs.push_back(std::move(f));
  }
  for (auto& [key, c] : packages) {
    r.packages.push_back(std::move(c));
  }
  r.source_date_epoch = source_date_epoch();
  r.scratchpack_version = toolchain::scratchpack_version();
  r.llvm_version = toolchain::llvm_version();
  return r;
}

Result<std::string> file_sha256(const fs::path& path) {
  Sha256 h;
  SP_TRY(pk::for_each_block(path, [&](const char* data, size_t size) {
    h.update(data, size);
    return Status{};
  }));
  return h.hex_digest();
}

std::vector<std::string> recorded_arguments(const std::vector<std::string>& args,
                                            const std::vector<std::string>& keep_out,
                                            const std::vector<std::string>& takes_value) {
  auto listed = [](const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    size_t eq = a.find('=');
    std::string name = a.starts_with("--") && eq != std::string::npos ? a.substr(0, eq) : a;
    bool joined = name.size() != a.size();
    bool value_next = !joined && listed(takes_value, name) && i + 1 < args.size();
    if (listed(keep_out, name)) {
      i += value_next ? 1 : 0;
      continue;
    }
    out.push_back(a);
    if (value_next) {
      out.push_back(args[++i]);
    }
  }
  return out;
}

} // namespace sp::pipeline
