#include "pipeline/push.h"

#include "publish/signature.h"

namespace sp::pipeline {

Result<publish::PushResult> push_root(const packager::Descriptor& root,
                                      const packager::BlobStore& store, const PushTarget& target,
                                      Events& events) {
  auto ref = SP_TRY(publish::parse_registry_ref(target.ref));
  publish::PushOptions options = target.options;
  options.progress = [&events](const publish::PushEvent& e) { events.push(e); };
  auto pushed = SP_TRY(publish::push_descriptor(root, store, ref, options));
  if (options.sign_key) {
    // Signed after the push: the digest signed is the one the registry confirmed.
    auto signature = publish::sign_image(ref, pushed.digest, *options.sign_key, options);
    if (!signature) {
      Error e = signature.take_error();
      e.hint = "the image itself was pushed as " + pushed.pushed() +
               "; sign it with 'scratchpack sign " + pushed.pushed() + " --key KEY'";
      return e;
    }
    pushed.signature = std::move(*signature);
  }
  return pushed;
}

Result<publish::ReferrersPushResult> push_documents(const packager::Referrers& referrers,
                                                    const packager::BlobStore& store,
                                                    const PushTarget& target, Events& events) {
  auto ref = SP_TRY(publish::parse_registry_ref(target.ref));
  publish::PushOptions options = target.options;
  options.extra_tags.clear();
  auto result = SP_TRY(publish::push_referrers(referrers, store, ref, options));
  events.note(std::to_string(result.artifacts) + " documents (SBOMs, provenance) attached to " +
              ref.with_digest(referrers.subject.digest) +
              (result.api ? " (referrers API)" : " (tag " + result.tag + ")"));
  return result;
}

Status deliver(const ImagePlan& plan, const std::vector<packager::Image>& images, Staging& staging,
               const std::string& stem, const std::optional<PushTarget>& push, Events& events,
               Delivered& out) {
  const packager::BlobStore& store = staging.store;
  ImageOutputs written =
      SP_TRY(write_images(plan, images, store, staging.outputs->root(), stem, events));
  if (!written.path.empty()) {
    written.path = staging.outputs->adopt(written.path);
  }
  for (fs::path& doc : written.document_paths) {
    doc = staging.outputs->adopt(doc);
  }
  SP_TRY(staging.outputs->commit());
  out.outputs = std::move(written);
  if (push) {
    // The same name and tags as the archive and --load: one image, one set of names.
    PushTarget target = *push;
    target.ref = plan.ref.to_string();
    target.options.extra_tags = plan.extra_tags;
    out.pushed = SP_TRY(push_root(out.outputs->root, store, target, events));
    if (out.outputs->documents) {
      out.referrers =
          SP_TRY(push_documents(out.outputs->documents->referrers, store, target, events));
    }
  }
  return {};
}

} // namespace sp::pipeline
