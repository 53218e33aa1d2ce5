#include "cli/attached.h"

#include "packager/layout.h"
#include "packager/referrers.h"
#include "packager/sbom.h"
#include "pipeline/supply.h"
#include "publish/registry.h"
#include "publish/signature.h"
#include "toolchain/scan/elf_reader.h"
#include "toolchain/scan/scanner.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace sp::cli {

namespace {

std::string kind_of(const std::string& artifact_type) {
  if (artifact_type == packager::k_spdx_media_type) {
    return "spdx";
  }
  if (artifact_type == packager::k_cyclonedx_media_type) {
    return "cyclonedx";
  }
  if (artifact_type == packager::k_in_toto_media_type) {
    return "provenance";
  }
  return "";
}

Result<AttachedDocuments> from_binary(const fs::path& path, const std::string& bytes) {
  scan::ElfReader reader(bytes);
  std::string note = scan::package_note(reader);
  AttachedDocuments out;
  out.kind = SourceKind::binary;
  if (note.empty()) {
    return failure(path.string() + " has no SBOM",
                   "it carries no package note (.note.package): it was not linked by scratchpack "
                   "build or release",
                   "scan it for what it is: scratchpack scan " + path.string());
  }
  nlohmann::json j = nlohmann::json::parse(note, nullptr, false);
  std::string sbom = j.is_object() ? j.value("sbom", "") : "";
  auto spdx = read_file(pipeline::spdx_path(path));
  if (!spdx) {
    return failure(path.string() + " has no SBOM beside it",
                   "its package note names " + sbom + ", but " +
                       pipeline::spdx_path(path).string() + " cannot be read",
                   "keep NAME.spdx.json next to the binary, as build and release write it");
  }
  if ("sha256:" + sha256_hex(*spdx) != sbom) {
    return failure(pipeline::spdx_path(path).string() + " is not this binary's SBOM",
                   "its sha256 is sha256:" + sha256_hex(*spdx) + "; the package note names " +
                       sbom);
  }
  out.documents.push_back({"spdx", *spdx});
  if (auto cdx = read_file(pipeline::cyclonedx_path(path))) {
    out.documents.push_back({"cyclonedx", *cdx});
  }
  return out;
}

} // namespace

std::vector<std::string> recorded_command(const std::vector<std::string>& args,
                                          const std::vector<std::string>& also_unrecorded,
                                          std::vector<std::string> takes_value) {
  std::vector<std::string> unrecorded = {"--out",
                                         "--json",
                                         "-v",
                                         "--verbose",
                                         "-q",
                                         "--quiet",
                                         "-j",
                                         "--jobs",
                                         "--no-cache",
                                         "--distribute",
                                         "--compiler-launcher",
                                         "--creds",
                                         "--username",
                                         "--password-stdin",
                                         "--insecure-registry",
                                         "--mount-from",
                                         "--chunk-size",
                                         "--timeout",
                                         "--retries",
                                         "--sign-key",
                                         "--passphrase-env",
                                         "--passphrase-stdin"};
  unrecorded.insert(unrecorded.end(), also_unrecorded.begin(), also_unrecorded.end());
  takes_value.insert(takes_value.end(),
                     {"--out", "-j", "--jobs", "--compiler-launcher", "--creds", "--username",
                      "--insecure-registry", "--mount-from", "--chunk-size", "--timeout",
                      "--retries", "--sign-key", "--passphrase-env"});
  return pipeline::recorded_arguments(args, unrecorded, takes_value);
}

Result<AttachedDocuments> attached_documents(const std::string& source, const PushFlags& registry,
                                             std::istream* in) {
  std::error_code ec;
  fs::path path(source);
  auto status = fs::status(path, ec);
  if (fs::is_directory(status) && fs::exists(path / "provenance.json", ec) &&
      fs::exists(path / "SHA256SUMS", ec)) {
    AttachedDocuments out;
    out.kind = SourceKind::dist;
    out.documents.push_back({"provenance", SP_TRY(read_file(path / "provenance.json"))});
    return out;
  }
  if (fs::is_regular_file(status)) {
    char magic[4] = {};
    std::ifstream file(path, std::ios::binary);
    file.read(magic, sizeof magic);
    if (file.gcount() == sizeof magic && scan::is_elf_magic({magic, sizeof magic})) {
      if (fs::file_size(path, ec) > (uint64_t{1} << 30)) {
        return usage_error(source, "is an ELF file larger than 1 GiB");
      }
      return from_binary(path, SP_TRY(read_file(path)));
    }
  }
  if (fs::exists(status)) {
    packager::Layout layout = SP_TRY(packager::Layout::open(path));
    AttachedDocuments out;
    out.kind = SourceKind::layout;
    std::string index = SP_TRY(layout.read_document("index.json"));
    out.digest =
        SP_TRY(packager::layout_root(index, layout.where("index.json"))).digest.to_string();
    for (const packager::ReadArtifact& a : SP_TRY(packager::read_referrers(layout))) {
      if (std::string kind = kind_of(a.artifact_type); !kind.empty()) {
        out.documents.push_back({kind, a.document});
      }
    }
    return out;
  }
  auto target = publish::parse_sign_target(source);
  if (!target) {
    return usage_error(source, "is neither a file, a directory nor an image reference",
                       "name a binary, an image archive or layout, a release's dist/, or "
                       "HOST[:PORT]/NAME[:TAG]");
  }
  publish::PushOptions options = SP_TRY(to_push_options(registry, in));
  AttachedDocuments out;
  out.kind = SourceKind::registry;
  packager::Digest digest =
      target->digest ? *target->digest : SP_TRY(publish::resolve_digest(target->ref, options));
  out.digest = digest.to_string();
  for (const publish::FetchedDocument& d :
       SP_TRY(publish::fetch_documents(target->ref, digest, options))) {
    if (std::string kind = kind_of(d.artifact_type); !kind.empty()) {
      out.documents.push_back({kind, d.document});
    }
  }
  return out;
}

Result<std::string> pick_document(const AttachedDocuments& docs, const std::string& kind,
                                  const std::string& source) {
  std::vector<std::string> have;
  for (const Attached& a : docs.documents) {
    if (a.kind == kind) {
      return a.document;
    }
    have.push_back(a.kind);
  }
  std::string what = kind == "provenance" ? "provenance statement"
                     : kind == "spdx"     ? "SPDX SBOM"
                                          : "CycloneDX SBOM";
  return failure(source + " has no " + what + " attached",
                 have.empty() ? std::string("it has no documents at all")
                              : "it has: " + join(have, ", "),
                 "build it with scratchpack build or release, which attach them");
}

} // namespace sp::cli
