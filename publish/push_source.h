// What `scratchpack push SOURCE` sends: the root of an OCI layout (a directory, or an archive
// .tar, compressed or not) and every blob it names, gathered into a private store and checked
// (size and sha256) before a byte is sent. The layout is read by packager/layout.h, as
// everything else reads it: as hostile input, within packager::ReadLimits.
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "packager/read_limits.h"
#include "util/fs.h"
#include "util/result.h"

#include <memory>

namespace sp::publish {

/// A layout opened for pushing. Keep it alive while pushing: the blobs live in a temporary
/// directory it owns.
struct PushSource {
  std::shared_ptr<TempDir> scratch; ///< owns `store`
  packager::BlobStore store;        ///< private copies of every blob the root names, checked
  packager::Descriptor root;        ///< the manifest or index index.json names
};

/// Opens an OCI layout directory or archive. index.json must name one image or one index
/// (several entries with the same digest, e.g. one per tag, are one); a docker-archive
/// without index.json is refused with a hint. Every document and blob the root names is copied
/// into a private store through the layout reader (an archive's blobs while it is read once;
/// a directory's from regular files inside it only), and must have its descriptor's size and
/// sha256. The push then uploads those private copies: exactly the bytes that were checked,
/// whatever happens to the source meanwhile.
Result<PushSource> open_push_source(const fs::path& path, const packager::ReadLimits& limits = {});

} // namespace sp::publish
