// The image recipe `build`, `package` and `release` share: binaries + extras → one image per
// platform (scan gate first, then the base and application layers) → an index when there are
// several or the caller always wants one → the writers (archive, OCI dir) → podman/docker load.
// This is where the toolchain's binaries meet the packager; neither library knows the other.
#pragma once

#include "packager/blob_store.h"
#include "packager/config.h"
#include "packager/contents.h"
#include "packager/image.h"
#include "packager/layer_cache.h"
#include "packager/reference.h"
#include "pipeline/events.h"
#include "pipeline/supply.h"
#include "util/fs.h"
#include "util/platform.h"
#include "util/result.h"
#include "util/vocabulary.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sp::pipeline {

enum class ImageFormat { archive, oci_dir, none };

/// Everything an image needs besides its files, checked: nothing has been read from disk yet.
struct ImagePlan {
  ImageFormat format = ImageFormat::archive;
  packager::ImageRef ref;
  std::vector<std::string> extra_tags; ///< more tags of ref.repository, written and pushed too
  bool always_index = false;           ///< an index even for one platform (release does)
  const packager::LayerCache* layer_cache = nullptr; ///< optional
  packager::ImageConfig config; ///< everything but platform, diff_ids and history
  std::vector<packager::AddSpec> adds;
  bool nonroot = false, ca_certs = false, tzdata = false, tmp = false, init = false;
  bool load = false; ///< load the archive into podman (or docker) once written
  Compression compression = Compression::gzip;
  int level = 0; ///< 0: the packager's default for the layer's size
  bool strict = false;
  bool no_scan = false;
  packager::Annotations annotations; ///< besides the standard ones
  /// The image's SBOMs and provenance (pipeline/supply.h), attached to it when set.
  std::optional<SupplyChain> supply;
  /// Keeps the supply chain's documents (optional): a cached build does not make them again.
  toolchain::BuildCache* build_cache = nullptr;
};

/// A file from the host that goes into the image (a binary built or given).
struct ImageFile {
  fs::path source;
  std::string dest;
  unsigned mode = 0755;
  bool scanned = false; ///< already through the scan gate (build scans its output right away)
  std::string sha256;   ///< of the contents when known (the layer cache keys on it)
};

/// Everything that makes one platform's image besides the plan.
struct PlatformInput {
  Platform platform;
  std::vector<ImageFile> files;
  /// Extra layer contents already resolved (e.g. a Dockerfile's ADD/COPY); may be empty.
  std::optional<packager::LayerSpec> extra;
  /// Files added through `extra` that must pass the scan (every binary added is scanned).
  std::vector<packager::AddedFile> extra_added;
};

/// The config of `platform`'s image: the plan's, with the platform set and, with the init, the
/// entrypoint rewritten to run the program under it (`/.scratchpack/init -- ENTRYPOINT...`).
packager::ImageConfig platform_config(const ImagePlan& plan, const Platform& platform);

/// Builds one platform's image into `store`: the scan gate over every file added and the
/// entrypoint (its report goes to events.findings; an error stops here), then the base layer
/// (passwd, certs, zoneinfo, /tmp) when asked for, then the application layer (files, adds, a
/// Dockerfile's files, the init).
Result<packager::Image> build_platform_image(const ImagePlan& plan, const PlatformInput& input,
                                             const packager::BlobStore& store, Events& events);

/// Where `build` and `package` write: every output (binaries, the archive or OCI dir) goes under
/// a staging directory inside the output directory (util/fs.h OutputStage) and is moved into
/// place by `outputs->commit()` only when the whole run succeeded, so a failed run changes
/// nothing in the output directory (and does not create it). The blob store is in the staging
/// directory too, so writing an OCI dir can hard-link blobs instead of copying them. Everything
/// staged is removed with the object.
struct Staging {
  std::unique_ptr<OutputStage> outputs;
  packager::BlobStore store;
};
Result<Staging> open_staging(const fs::path& out_dir);

/// build_platform_image for every input; every platform's failure is reported.
Result<std::vector<packager::Image>> build_images(const ImagePlan& plan,
                                                  const std::vector<PlatformInput>& inputs,
                                                  const packager::BlobStore& store, Events& events);

/// The image or index over `images`: the manifest of the one image, or an index (stored in the
/// store) when there are several or the plan always wants one.
struct ImageRoot {
  packager::Descriptor descriptor;
  std::optional<packager::Index> index;
};
Result<ImageRoot> image_root(const ImagePlan& plan, const std::vector<packager::Image>& images,
                             const packager::BlobStore& store);

/// What was written.
struct ImageOutputs {
  fs::path path;             ///< OUT/STEM.tar or OUT/STEM.oci; empty for format none
  packager::Descriptor root; ///< the manifest (one platform) or the index
  std::string digest;        ///< root.digest as text
  std::string loaded_into;   ///< "podman" or "docker" when the plan loads it
  /// The documents attached to it (the plan's supply chain), and the files they were written
  /// to beside the image (OUT/STEM.image.spdx.json…; none for format none).
  std::optional<ImageDocuments> documents;
  std::vector<fs::path> document_paths;
};

/// Writes the image (or index) in the plan's format as OUT/STEM.tar or OUT/STEM.oci, named
/// ref and ref.repository:extra_tags, and loads it when the plan asks (a note event says where).
Result<ImageOutputs> write_images(const ImagePlan& plan, const std::vector<packager::Image>& images,
                                  const packager::BlobStore& store, const fs::path& out_dir,
                                  const std::string& stem, Events& events);

/// The file name an image is written under: the repository's last component ("hello" for
/// "registry.example.com/acme/hello").
std::string image_stem(const packager::ImageRef& ref);

} // namespace sp::pipeline
