// The `release` recipe: every binary × target × image of a scratchpack.yaml, built the same way
// every time. plan_release (manifest → what to build; pure) → run_release: build every binary
// with the toolchain's engine (all compiles in one pool, every link failure reported) → scan
// gate → package (one index per image) → push → dist/ (binaries, images, SHA256SUMS,
// report.json), all under a temporary name renamed at the end.
#pragma once

#include "manifests/manifest.h"
#include "packager/image.h"
#include "packager/layer_cache.h"
#include "pipeline/cmake.h"
#include "pipeline/events.h"
#include "pipeline/image.h"
#include "pipeline/push.h"
#include "toolchain/build.h"
#include "util/fs.h"
#include "util/result.h"
#include "util/target.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sp::pipeline {

/// One binary for one target.
struct ReleaseBinary {
  std::string name;
  std::string key; ///< the manifest's target as written, normalised ("aarch64-glibc")
  Target target;   ///< with the binary's libc applied
  std::vector<fs::path> sources;
  std::optional<CMakeSource> cmake; ///< instead of sources: an executable of a CMake project
  toolchain::CompileOptions compile;
  std::vector<std::string> lib_dirs;
  std::vector<std::string> libs;
  std::vector<std::string> pkg_config; ///< pkg-config modules of the target's libraries
  std::vector<std::string> packages;   ///< Debian -dev packages added to the target first
  std::string rel_path;                ///< "<target>/<name>" under dist/
};

/// One image: its plan and, per platform, the binaries it holds.
struct ReleaseImage {
  std::string name;              ///< the manifest's repository
  std::vector<std::string> tags; ///< as written
  ImagePlan plan;
  std::string stem; ///< file name under dist/ without extension
  struct Part {
    /// What its binaries were built for: the manifest's target with their libc applied
    /// ("x86_64" with `libc: musl` binaries is x86_64-musl; the first binary's when they differ).
    Target target;
    std::vector<std::pair<size_t, std::string>> binaries; ///< ReleaseBinary index, path in image
  };
  std::vector<Part> parts; ///< one per platform, in the manifest's target order
};

/// What a release will do, decided before any work starts.
struct ReleasePlan {
  std::string project;
  fs::path base_dir; ///< the manifest's directory
  fs::path out_dir;  ///< absolute
  std::vector<ReleaseBinary> binaries;
  std::vector<ReleaseImage> images;
  std::vector<ImageFormat> formats; ///< archive and/or OCI dir, in the manifest's order
  bool push = false;                ///< output.push
  /// build.distribute.hosts (used only with --distribute: pipeline::DistributeOptions) and where
  /// the manifest wrote them ("FILE:LINE:COL").
  std::string distribute_hosts;
  std::string distribute_where;
};

/// The toolchain's target vocabulary for the manifest parser (targets checked, and "amd64" and
/// "x86_64" compared as one).
manifests::ParseHooks target_hooks();

/// The image plan of a manifest image (fields already validated by the parser). `size_profile`:
/// every binary in it is built with the size profile, so its layers get the strongest level.
ImagePlan manifest_image_plan(const manifests::Image& image, bool size_profile);

/// The plan of a parsed manifest: binaries × targets, images × platforms, dist/ at
/// `out_override` or output.dir. Pure (reads no file). Every problem the parser could not see
/// (a binary's libc against its target, two images written under one name, two targets with one
/// platform in one image) is reported, located in the manifest.
Result<ReleasePlan> plan_release(const manifests::Manifest& manifest, const fs::path& out_override);

/// The file a release leaves in its output directory: a later release replaces only a directory
/// that holds it (or an empty one), never a directory of the user's.
inline constexpr std::string_view k_dist_marker = ".scratchpack-release";

/// Checks that `out` may be replaced by a release: it is not, and does not contain, the
/// manifest's directory, the working directory, $HOME or /; it does not exist, or is empty, or
/// holds k_dist_marker; its parent can be written.
Status check_output_dir(const fs::path& out, const fs::path& manifest_dir);

/// What run_release needs besides the plan.
struct ReleaseRun {
  toolchain::BuildTools tools;
  const packager::LayerCache* layer_cache = nullptr;
  std::optional<publish::PushOptions> push; ///< set: push every image with these options
  /// What the provenance records: the command line (without what does not change the
  /// artifacts) and the manifest file.
  std::vector<std::string> arguments;
  fs::path manifest;
  /// When set, told every input the release reads (pipeline/up_to_date.h records them).
  toolchain::InputLog* inputs = nullptr;
};

/// One binary's outcome, for the report.
struct BinaryOutcome {
  std::string sha256;
  scan::FileReport scan;
  /// Written beside it (none for a CMake project's). Once written, its two texts are dropped
  /// (a large release would hold hundreds of megabytes of them) and their sha256 kept below.
  std::optional<BinarySbom> sbom;
  std::string spdx_sha256;
  std::string cyclonedx_sha256;
};

/// One image's outcome.
struct ImageOutcome {
  std::vector<packager::Image> images; ///< one per part
  std::vector<ImageOutputs> outputs;   ///< one per format
  std::optional<publish::PushResult> pushed;
  std::optional<publish::ReferrersPushResult> referrers;
};

/// Build cache use over the whole release.
struct CacheCounts {
  size_t compiled = 0;
  size_t compile_hits = 0;
  size_t linked = 0;
  size_t link_hits = 0;
};

/// A file under dist/, as SHA256SUMS and report.json list it.
struct Artifact {
  std::string sha256;
  uint64_t size = 0;
};

/// Everything a finished release made.
struct ReleaseOutcome {
  std::vector<BinaryOutcome> binaries; ///< parallel to plan.binaries
  std::vector<ImageOutcome> images;    ///< parallel to plan.images
  CacheCounts cache;
  std::map<std::string, Artifact> artifacts; ///< by path under dist/, sorted
  std::string report;                        ///< report.json's text
  int64_t committed_ns = 0;                  ///< CLOCK_REALTIME just after dist/ was renamed
};

/// Why a release of `plan` cannot be skipped when its recorded inputs are unchanged (its inputs
/// are not all known to scratchpack: a CMake project, pkg-config, packages); nullopt when it
/// can.
std::optional<std::string> unrecordable(const ReleasePlan& plan);

/// Runs the plan into plan.out_dir. On failure the previous dist/ (or none) is left as it was.
Result<ReleaseOutcome> run_release(const ReleasePlan& plan, const ReleaseRun& run, Events& events);

/// report.json's text for a finished release (schema: docs/report.schema.json). Pure.
std::string report_json(const ReleasePlan& plan, const ReleaseOutcome& outcome,
                        int64_t source_date_epoch);

/// SHA256SUMS's text: one `HASH  PATH` line per artifact, sorted by path. Pure.
std::string sha256sums(const std::map<std::string, Artifact>& artifacts);

} // namespace sp::pipeline
