// The image flags `build` and `package` share (--image, --format, --cmd, --env, --nonroot…), and
// the recipe that turns binaries into images and writes them: plan_image → build_platform_image
// (per target) → finish_images (index, archive or OCI dir, --load). This is where the toolchain's
// binaries meet the packager; neither library knows the other.
#pragma once

#include "cli/cli.h"
#include "cli/push_flags.h"
#include "packager/blob_store.h"
#include "packager/compress.h"
#include "packager/config.h"
#include "packager/contents.h"
#include "packager/image.h"
#include "packager/layer_cache.h"
#include "packager/reference.h"
#include "toolchain/scan/scanner.h"
#include "util/fs.h"
#include "util/platform.h"
#include "util/result.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sp::cli {

/// The image flags as typed on the command line.
struct ImageFlags {
  std::string image;             ///< --image NAME[:TAG]
  std::string format = "archive"; ///< archive | oci-dir | none
  std::string cmd;               ///< --cmd JSON (exec form)
  std::string entrypoint;        ///< --entrypoint JSON (exec form)
  std::vector<std::string> env, labels, annotations, expose, adds;
  std::string user, workdir, stop_signal;
  bool nonroot = false, ca_certs = false, tzdata = false, tmp = false, init = false;
  bool load = false;
  std::string compression = "gzip";
  int level = 0;
  bool strict = false;           ///< scan gate: warnings are errors
  bool no_scan = false;          ///< skip the scan gate (payloads that carry dynamic objects)
};

/// Adds the image flags to a command.
void add_image_flags(CLI::App* cmd, ImageFlags& flags);

enum class ImageFormat { archive, oci_dir, none };

/// The flags checked and parsed; nothing has been read from disk yet.
struct ImagePlan {
  ImageFormat format = ImageFormat::archive;
  packager::ImageRef ref;
  std::vector<std::string> extra_tags; ///< more tags of ref.repository, written and pushed too
  bool always_index = false;           ///< an index even for one platform (release does)
  const packager::LayerCache* layer_cache = nullptr; ///< optional
  packager::ImageConfig config;   ///< everything but platform, diff_ids and history
  std::vector<packager::AddSpec> adds;
  bool nonroot = false, ca_certs = false, tzdata = false, tmp = false, init = false;
  bool load = false;
  packager::Compression compression = packager::Compression::gzip;
  int level = 0;
  bool strict = false;
  bool no_scan = false;
  packager::Annotations annotations; ///< from --annotation, plus the standard ones
};

/// Parses the flags. `default_name` names the image when --image is not given; `default_cmd` is
/// the Cmd when neither --cmd nor --entrypoint is given. Usage errors come back before any work.
Result<ImagePlan> plan_image(const ImageFlags& flags, const std::string& default_name,
                             const std::vector<std::string>& default_cmd);

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

/// The scan of an image's contents before anything is written: every ELF added, and the
/// entrypoint rules. Errors stop packaging.
struct GateResult {
  scan::ScanReport report;
};

/// Builds one platform's image into `store`: base layer (passwd, certs, zoneinfo, /tmp) when
/// asked for, then the application layer (files, --add, init). Runs the scan gate first; its
/// report is returned through `gate` whether or not it passed.
Result<packager::Image> build_platform_image(const ImagePlan& plan, const PlatformInput& input,
                                             const packager::BlobStore& store, GateResult& gate);

/// A blob store in a temporary directory inside the output directory (created when missing), so
/// that writing an OCI dir can hard-link blobs instead of copying them. Removed with the object.
struct Staging {
  std::unique_ptr<TempDir> dir;
  packager::BlobStore store;
};
Result<Staging> open_staging(const fs::path& out_dir);

/// What was written.
struct ImageOutputs {
  fs::path path;           ///< out/NAME.tar or out/NAME.oci; empty for format none
  packager::Descriptor root; ///< the manifest (one platform) or the index (several)
  std::string digest;      ///< root.digest as text
  std::string loaded_into; ///< "podman" when --load ran
};

/// Writes the image (one platform) or an index over the images (several) in the plan's format
/// into `out_dir`, then loads it into podman/docker when --load was given. The root blob stays in
/// `store` for a push.
Result<ImageOutputs> finish_images(const ImagePlan& plan, const std::vector<packager::Image>& images,
                                   const packager::BlobStore& store, const fs::path& out_dir,
                                   const std::string& file_stem);

/// The last step of build and package: write the image(s) (finish_images), push when --push was
/// given, and report — the paths and digests as lines, or with `json` one JSON document holding
/// the binaries, the image and the push. No images (build --format none): only the binaries are
/// reported, and `store` may be null. Returns the exit code.
int publish_images(Io& io, const ImagePlan& plan, const std::vector<packager::Image>& images,
                   const packager::BlobStore* store, const fs::path& out_dir,
                   const std::string& file_stem, const PushFlags& push, bool json,
                   const std::vector<fs::path>& binaries);

/// Prints a scan gate's findings (errors and warnings, each hint once) on stderr, the way
/// `scratchpack scan` shows them.
void print_gate_findings(Io& io, const scan::ScanReport& report);

} // namespace sp::cli
