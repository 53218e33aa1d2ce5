// What `scratchpack push SOURCE` sends: the root of an OCI layout (a directory, or an archive
// .tar, compressed or not, whose blobs are unpacked into a private store and checked against
// their names on the way). The layout is read by packager/layout.h, as everything else reads it.
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "util/fs.h"
#include "util/result.h"

#include <memory>

namespace sp::publish {

/// A layout opened for pushing. Keep it alive while pushing: an archive's blobs live in a
/// temporary directory it owns.
struct PushSource {
  std::shared_ptr<TempDir> scratch; ///< null for a directory (its blobs/ is used in place)
  packager::BlobStore store;
  packager::Descriptor root; ///< the manifest or index index.json names
};

/// Opens an OCI layout directory or archive. index.json must name one image or one index
/// (several entries with the same digest, e.g. one per tag, are one); a docker-archive
/// without index.json is refused with a hint.
Result<PushSource> open_push_source(const fs::path& path);

} // namespace sp::publish
