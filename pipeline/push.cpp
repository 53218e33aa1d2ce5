#include "pipeline/push.h"

namespace sp::pipeline {

Result<publish::PushResult> push_root(const packager::Descriptor& root,
                                      const packager::BlobStore& store, const PushTarget& target,
                                      Events& events) {
  auto ref = SP_TRY(publish::parse_registry_ref(target.ref));
  publish::PushOptions options = target.options;
  options.progress = [&events](const publish::PushEvent& e) { events.push(e); };
  return publish::push_descriptor(root, store, ref, options);
}

Status deliver(const ImagePlan& plan, const std::vector<packager::Image>& images,
               const packager::BlobStore& store, const fs::path& out_dir, const std::string& stem,
               const std::optional<PushTarget>& push, Events& events, Delivered& out) {
  out.outputs = SP_TRY(write_images(plan, images, store, out_dir, stem, events));
  if (push) {
    // The same name and tags as the archive and --load: one image, one set of names.
    PushTarget target = *push;
    target.ref = plan.ref.to_string();
    target.options.extra_tags = plan.extra_tags;
    out.pushed = SP_TRY(push_root(out.outputs->root, store, target, events));
  }
  return {};
}

} // namespace sp::pipeline
