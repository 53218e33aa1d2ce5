// Sinks for the image model: an OCI image layout directory, and one .tar that is at once an OCI
// layout (oci-layout, index.json, blobs/sha256/…) and a docker-archive (manifest.json,
// repositories) over the same blobs, so that docker load, podman load, skopeo (oci-archive: and
// docker-archive:) and podman run oci-archive: all take the same file.
//
// Both writers are atomic (a temporary sibling renamed at the end: an error leaves neither a
// final nor a temporary file) and deterministic (same model, same refs → same bytes).
#pragma once

#include "packager/blob_store.h"
#include "packager/image.h"
#include "packager/referrers.h"
#include "util/fs.h"
#include "util/platform.h"
#include "util/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sp::packager {

struct WriteOptions {
  /// Image names, each NAME[:TAG] ("hello:latest", "registry.example.com/acme/hello:1.0").
  /// index.json gets one entry per name with org.opencontainers.image.ref.name = the tag (what
  /// `oci:DIR:TAG`, umoci and `docker save` use) and io.containerd.image.name = the full name;
  /// the docker side lists them as RepoTags. No names: one unnamed entry.
  std::vector<std::string> refs;
  /// mtime of every entry of the archive itself (the layers carry their own).
  int64_t mtime = 0;
  /// Index only: the platform whose image also goes into manifest.json (docker's format has no
  /// multi-platform form). Unset: the archive is OCI only.
  std::optional<Platform> docker_platform;
  /// Documents about the image (SBOMs, provenance): their blobs go in, and index.json's entries
  /// name their index by packager::k_referrers_annotation (referrers.h says why not as entries).
  const Referrers* referrers = nullptr;
};

/// Writes an OCI image layout directory at `dir` (replacing whatever was there). Blobs are
/// hard-linked from the store when it is on the same filesystem, copied otherwise.
Status write_oci_dir(const Image& image, const BlobStore& store, const fs::path& dir,
                     const WriteOptions& options = {});
/// The same for a multi-platform index: index.json names the index blob.
Status write_oci_dir(const Index& index, const BlobStore& store, const fs::path& dir,
                     const WriteOptions& options = {});

/// Writes the combined OCI/docker archive at `path` (a .tar), streaming blobs from the store.
Status write_archive(const Image& image, const BlobStore& store, const fs::path& path,
                     const WriteOptions& options = {});
/// The same for an index: the OCI side holds every platform; manifest.json holds the image of
/// options.docker_platform when set.
Status write_archive(const Index& index, const BlobStore& store, const fs::path& path,
                     const WriteOptions& options = {});

} // namespace sp::packager
