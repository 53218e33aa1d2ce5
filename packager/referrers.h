// OCI 1.1 artifacts and referrers: documents about an image (SBOMs, a provenance statement)
// stored as artifact manifests whose `subject` is the image, and the index that lists them (the
// form of the referrers API's answer, and of the `sha256-<hex>` fallback tag for registries
// without that API).
//
// In an image archive or layout, index.json keeps its one entry — podman and skopeo refuse an
// `oci-archive:FILE` with more ("more than one image in oci, choose an image") — and that entry
// names the referrers index by the annotation k_referrers_annotation; the index, the artifact
// manifests and their blobs are in blobs/ like any other.
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "packager/read_limits.h"
#include "util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace sp::packager {

class Layout; // packager/layout.h

/// The annotation of index.json's entry that names the image's referrers index.
inline constexpr std::string_view k_referrers_annotation = "dev.scratchpack.referrers";

/// One artifact manifest: empty config, the document as its one layer, `subject` the image.
struct Artifact {
  Descriptor manifest; ///< with artifact_type and the manifest's annotations, as indexes list it
  std::string manifest_bytes;
  Descriptor config;   ///< application/vnd.oci.empty.v1+json, "{}"
  Descriptor document; ///< the layer
};

/// Stores `document` and an artifact manifest of type `artifact_type` over it in `store`.
/// `annotations` go on the manifest (and on its entry in a referrers index).
Result<Artifact> make_artifact(const Descriptor& subject, const std::string& artifact_type,
                               std::string_view document, const Annotations& annotations,
                               const BlobStore& store);

/// The referrers of one subject: the artifacts and an image index listing their manifests.
struct Referrers {
  Descriptor subject;
  Descriptor index;
  std::string index_bytes;
  std::vector<Artifact> artifacts;
};

/// Stores the index over `artifacts` (in their order) in `store`.
Result<Referrers> make_referrers(const Descriptor& subject, std::vector<Artifact> artifacts,
                                 const BlobStore& store);

/// The manifests an index lists (a referrers index read back), for merging with what a registry's
/// fallback tag holds. Entries that are not descriptors are skipped.
std::vector<Descriptor> index_entries(std::string_view index_bytes);

/// An image index over `entries` (canonical bytes), each once by digest, in the given order.
std::string referrers_index_json(const std::vector<Descriptor>& entries);

/// The fallback tag of the referrers of `subject`: "sha256-<hex>".
std::string referrers_tag(const Digest& subject);

/// One artifact read back: its type, its manifest's annotations, its document.
struct ReadArtifact {
  std::string artifact_type;
  Annotations annotations;
  std::string document;
  Descriptor manifest;
};

/// The artifacts attached to the image of a layout (an archive or a directory): index.json's
/// entry names their index by k_referrers_annotation. Every document is read through the layout,
/// so each is checked against its digest and bounded by its limits. Empty when it names none.
Result<std::vector<ReadArtifact>> read_referrers(const Layout& layout);

} // namespace sp::packager
