// Supply-chain documents, where the toolchain's evidence meets the packager's formats: each
// binary's SBOM (from what its link pulled in) stamped into its package note, and each image's
// SBOMs and provenance statement, attached to it as OCI artifacts (packager/referrers.h) that the
// writers put into the archive and the push sends to the registry.
#pragma once

#include "packager/blob_store.h"
#include "packager/image.h"
#include "packager/provenance.h"
#include "packager/referrers.h"
#include "packager/sbom.h"
#include "toolchain/cache.h"
#include "util/bom.h"
#include "util/fs.h"
#include "util/result.h"

#include <optional>
#include <string>
#include <vector>

namespace sp::pipeline {

/// The documents' creator ("scratchpack-0.1.0") and time (SOURCE_DATE_EPOCH, or 0).
packager::SbomOptions sbom_options();

/// False when $SCRATCHPACK_NO_SBOM is set (to anything but empty): binaries are then linked
/// without the package note and get no SBOM, nor their images documents. For bench/sbom.sh,
/// which measures what the SBOM evidence costs a link; not for releases.
bool sbom_enabled();

/// One binary's SBOM documents.
struct BinarySbom {
  bom::Binary bom;
  std::string spdx;
  std::string cyclonedx;
};

/// Makes the documents of `materials` and writes the SPDX document's sha256 into `binary`'s
/// package note (toolchain/materials.h). Returns the binary's new sha256. The documents are
/// dated 1970-01-01 whatever SOURCE_DATE_EPOCH says: a binary does not depend on the time.
Result<std::string> stamp_binary(const fs::path& binary, const bom::Binary& materials,
                                 BinarySbom& out, toolchain::BuildCache* cache = nullptr);

/// The file names of a binary's documents beside it: PATH.spdx.json, PATH.cdx.json.
fs::path spdx_path(const fs::path& binary);
fs::path cyclonedx_path(const fs::path& binary);

/// What an image's documents are made of; the recipe fills it before writing the image.
struct SupplyChain {
  /// Per platform, the binaries (with their bills of materials) and other files it holds; the
  /// manifest digests are filled in from the images.
  std::vector<packager::ImagePlatform> platforms;
  /// The invocation; its subjects are filled in (the image root, and each binary).
  packager::ProvenanceRecord provenance;
};

/// An image's documents, stored as artifacts about its root.
struct ImageDocuments {
  std::string spdx;
  std::string cyclonedx;
  std::string provenance;
  packager::Referrers referrers;
};

/// Makes the documents of the image whose root is `root` (named `repository`:`tag`), over
/// `images` (one per platform), and stores them as artifacts in `store`.
Result<ImageDocuments> image_documents(const SupplyChain& supply, const packager::Descriptor& root,
                                       const std::vector<packager::Image>& images,
                                       const std::string& repository, const std::string& tag,
                                       const packager::BlobStore& store,
                                       toolchain::BuildCache* cache = nullptr);

/// Where an image's documents are written beside it: STEM.image.spdx.json, STEM.image.cdx.json,
/// STEM.provenance.json.
std::vector<std::pair<std::string, std::string>> image_document_files(const std::string& stem,
                                                                      const ImageDocuments& docs);

/// The invocation part of a provenance record: `arguments` as run, `inputs` besides the
/// binaries' sources (the manifest), and each binary's sources and packages (once each), with
/// SOURCE_DATE_EPOCH and the versions of scratchpack and LLVM. Subjects are left empty.
packager::ProvenanceRecord provenance_record(const std::string& build_type,
                                             std::vector<std::string> arguments,
                                             std::vector<bom::FileDigest> inputs,
                                             const std::vector<const bom::Binary*>& binaries);

/// The sha256 (hex) of a file's contents, read block by block.
Result<std::string> file_sha256(const fs::path& path);

/// Arguments of a command line that change what is made (those of `keep_out` do not: output
/// places, pushing, signing, parallelism, verbosity). `takes_value` lists the options (of
/// either list) that take a value as the next argument unless given as --name=value.
std::vector<std::string> recorded_arguments(const std::vector<std::string>& args,
                                            const std::vector<std::string>& keep_out,
                                            const std::vector<std::string>& takes_value);

} // namespace sp::pipeline
