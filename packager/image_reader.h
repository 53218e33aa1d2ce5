// Reading images back: an archive .tar or an OCI layout directory written by anyone (us,
// skopeo, `podman save --format oci-archive`, `docker save`), index → manifests → configs →
// layers, and a platform's merged filesystem for the scanner. Everything is read through
// layout.h (names kept inside the layout, every blob checked against its digest as it streams)
// and within ReadLimits. Layers stream through libarchive (gzip, zstd or none, detected) and are
// applied in order with whiteouts; file contents are never held whole in memory: each file keeps
// its first bytes, and ELF files are copied to a private spool file the scanner reads back.
#pragma once

#include "packager/config.h"
#include "packager/digest.h"
#include "packager/read_limits.h"
#include "util/fs.h"
#include "util/platform.h"
#include "util/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sp {
class Spool;
}

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

/// Lists every image in the archive or directory at `path` (nested indexes followed; an image
/// listed twice, e.g. under two tags, is listed once with both names). A layout without
/// index.json is read as a docker-archive (manifest.json).
Result<std::vector<ImageInfo>> read_images(const fs::path& path, const ReadLimits& limits = {});

enum class FsType { file, directory, symlink, other };

/// A file of an image's merged filesystem.
struct FsEntry {
  std::string path; ///< absolute: "/hello"
  FsType type = FsType::file;
  unsigned mode = 0; ///< permission bits
  unsigned uid = 0;
  unsigned gid = 0;
  /// The file's first bytes: up to ExtractOptions::head_size of them (all of a small file), or
  /// none when ExtractOptions::all_heads is off and the file is neither a script nor spooled.
  std::string data;
  uint64_t size = 0;       ///< real size
  std::string link_target; ///< symlinks
  /// Set for a file kept whole on disk (ExtractOptions::spool_elf): its `size` bytes are at
  /// `spool_offset` in this private file, shared with every hard link to it.
  std::shared_ptr<const Spool> spool;
  uint64_t spool_offset = 0;
};

struct ExtractOptions {
  /// The image to extract; unset: the only one (several images without a platform is an error).
  std::optional<Platform> platform;
  /// The image to extract by its manifest digest (read_images' ImageInfo::manifest), which wins
  /// over `platform`: a layout may hold two images of one platform (two tags of different
  /// builds), and only the digest tells them apart.
  std::optional<Digest> manifest;
  /// How much is read at most: entries, hard links, sizes (read_limits.h).
  ReadLimits limits;
  /// How many of each file's first bytes FsEntry::data keeps.
  uint64_t head_size = 256;
  /// Keep the head of every file (true), or only of "#!" scripts and spooled files, which is
  /// all the scanner needs and less memory for an image of many files.
  bool all_heads = true;
  /// Copy every file that starts with the ELF magic whole into a private spool file (deleted
  /// when the last FsEntry referring to it goes), so it can be read at random.
  bool spool_elf = true;
};

/// The merged filesystem of one image, sorted by path. Whiteouts (.wh.NAME, .wh..wh..opq) hide
/// lower entries; a hard link is an entry of its own that shares its target's head and spooled
/// contents (nothing is copied).
Result<std::vector<FsEntry>> extract_filesystem(const fs::path& path,
                                                const ExtractOptions& options = {});

} // namespace sp::packager
