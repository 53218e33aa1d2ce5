// The image model: an Image is a config, a manifest and its layers, all stored as blobs in a
// BlobStore; an Index lists images by platform. Values only — sinks (writers.h) turn them into
// files. An Image with no layers is the empty image, "FROM scratch" itself.
#pragma once

#include "packager/blob_store.h"
#include "packager/config.h"
#include "packager/digest.h"
#include "packager/layer.h"
#include "util/platform.h"
#include "util/result.h"

#include <string>
#include <vector>

namespace sp::packager {

/// A single-platform image whose blobs are in a BlobStore.
struct Image {
  Platform platform;
  Descriptor config;          ///< application/vnd.oci.image.config.v1+json
  std::string config_bytes;   ///< the exact blob
  Descriptor manifest;        ///< application/vnd.oci.image.manifest.v1+json
  std::string manifest_bytes; ///< the exact blob
  std::vector<Layer> layers;  ///< bottom first
  Annotations annotations;    ///< the manifest's annotations
};

/// Several platform images under one digest (an OCI image index blob).
struct Index {
  Descriptor descriptor;             ///< application/vnd.oci.image.index.v1+json
  std::string bytes;                 ///< the exact blob
  std::vector<Descriptor> manifests; ///< one per platform, each with .platform set
  Annotations annotations;
  std::vector<Image> images; ///< the images the manifests name, same order
};

/// Annotations from the OCI set that are known: created (always, RFC 3339), and title,
/// version, source, revision when not empty.
Annotations standard_annotations(int64_t created, const std::string& title = {},
                                 const std::string& version = {}, const std::string& source = {},
                                 const std::string& revision = {});

/// Stores the config and the manifest for `layers` in `store`. The config's diff_ids are set
/// from the layers; an empty history gets one entry per layer ("scratchpack", at
/// config.created); a given history must have one non-empty_layer entry per layer.
Result<Image> make_image(ImageConfig config, const std::vector<Layer>& layers,
                         const Annotations& annotations, const BlobStore& store);

/// Stores an image index over `images` (one per platform; a platform twice is an error).
Result<Index> make_index(const std::vector<Image>& images, const Annotations& annotations,
                         const BlobStore& store);

/// The manifest JSON for `config` and `layers` (canonical bytes).
std::string manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers,
                          const Annotations& annotations);

struct ValidateOptions {
  /// Decompress every layer and compare the sha256 of the tar with the config's diff_id.
  bool check_diff_ids = true;
};

/// Everything wrong with an image, one sentence each; empty when it is sound
/// (util/diagnostics.h's problems_status() makes it an Error).
using Problems = std::vector<std::string>;

/// Re-reads every blob of `image` from `store`: sha256 and size against the descriptors, the
/// manifest names this config and these layers with the right media types, the config's
/// platform and diff_ids match. Reports every problem, not the first.
Problems validate(const Image& image, const BlobStore& store, const ValidateOptions& options = {});
/// The same for an index and every image it names.
Problems validate(const Index& index, const BlobStore& store, const ValidateOptions& options = {});
/// The same starting from a manifest or index descriptor alone (what a reader has).
Problems validate_descriptor(const Descriptor& root, const BlobStore& store,
                             const ValidateOptions& options = {});

} // namespace sp::packager
