// Reading images back: an archive .tar or an OCI layout directory written by anyone (us,
// skopeo, `podman save --format oci-archive`, `docker save`), index → manifests → configs →
// layers, and a platform's merged filesystem in memory for the scanner. Layers stream through
// libarchive (gzip, zstd or none, detected), are checked against their digests as they go, and
// are applied in order with whiteouts.
#pragma once

#include "packager/config.h"
#include "packager/digest.h"
#include "util/fs.h"
#include "util/platform.h"
#include "util/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sp::packager {

/// One single-platform image found in a layout.
struct ImageInfo {
  Descriptor manifest;                ///< empty digest for a legacy docker-archive entry
  std::vector<std::string> ref_names; ///< ref.name annotations, or RepoTags of manifest.json
  Descriptor config_descriptor;
  ImageConfig config;
  std::vector<Descriptor> layers;       ///< as the manifest lists them
  std::vector<std::string> layer_paths; ///< where each layer is inside the layout
};

/// Lists every image in the archive or directory at `path` (nested indexes followed). An
/// archive without index.json is read as a docker-archive (manifest.json).
Result<std::vector<ImageInfo>> read_images(const fs::path& path);

enum class FsType { file, directory, symlink, other };

/// A file of an image's merged filesystem.
struct FsEntry {
  std::string path; ///< absolute: "/hello"
  FsType type = FsType::file;
  unsigned mode = 0; ///< permission bits
  unsigned uid = 0;
  unsigned gid = 0;
  std::string data;        ///< file contents (empty when over ExtractOptions::max_file_size)
  uint64_t size = 0;       ///< real size, even when data was left out
  std::string link_target; ///< symlinks
};

struct ExtractOptions {
  /// The image to extract; unset: the only one (several images without a platform is an error).
  std::optional<Platform> platform;
  /// Files larger than this keep their size but not their data.
  uint64_t max_file_size = UINT64_MAX;
};

/// The merged filesystem of one image, sorted by path. Whiteouts (.wh.NAME, .wh..wh..opq) hide
/// lower entries; hard links become copies of their target.
Result<std::vector<FsEntry>> extract_filesystem(const fs::path& path,
                                                const ExtractOptions& options = {});

} // namespace sp::packager
