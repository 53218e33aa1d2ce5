// Pushing what a recipe wrote: the root (an image manifest or an index) and every blob it names,
// from the staging store to a registry, with each step reported as a push event.
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "pipeline/events.h"
#include "pipeline/image.h"
#include "publish/registry.h"
#include "util/result.h"

#include <optional>
#include <string>
#include <vector>

namespace sp::pipeline {

/// Where to push and how: a reference HOST[:PORT]/NAME[:TAG] and the registry options.
struct PushTarget {
  std::string ref;
  publish::PushOptions options;
};

/// Pushes the documents about a pushed root (publish::push_referrers) to target.ref's repository,
/// with a note event saying where they can be found.
Result<publish::ReferrersPushResult> push_documents(const packager::Referrers& referrers,
                                                    const packager::BlobStore& store,
                                                    const PushTarget& target, Events& events);

/// Pushes `root` from `store` to `target.ref` (plus options.extra_tags); progress goes to
/// events.push. With options.sign_key, then signs the pushed digest (publish/signature.h).
Result<publish::PushResult> push_root(const packager::Descriptor& root,
                                      const packager::BlobStore& store, const PushTarget& target,
                                      Events& events);

/// What deliver() did.
struct Delivered {
  std::optional<ImageOutputs> outputs; ///< once written (a path-less one for format none)
  std::optional<publish::PushResult> pushed;
  /// How the image's documents (SBOMs, provenance) were attached in the registry.
  std::optional<publish::ReferrersPushResult> referrers;
};

/// The end of build and package: writes the images in the plan's format (an index when there
/// are several) into the stage and loads them when asked, moves every staged output into place
/// (the stage's commit: until then a failure changes nothing in the output directory), then
/// pushes the root when `push` is set — under the plan's ref and extra_tags, the names the
/// archive and the load use (push->ref and its extra_tags are replaced by them). `out` is filled
/// as each step finishes, so that a failed push still tells what was written: the local outputs
/// are whole, and `scratchpack push` can send them later.
Status deliver(const ImagePlan& plan, const std::vector<packager::Image>& images, Staging& staging,
               const std::string& stem, const std::optional<PushTarget>& push, Events& events,
               Delivered& out);

} // namespace sp::pipeline
