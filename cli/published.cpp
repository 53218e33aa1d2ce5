#include "cli/published.h"

#include "cli/diagnostics.h"
#include "cli/push_flags.h"

#include <ostream>

namespace sp::cli {

namespace {

void print_lines(Io& io, const pipeline::ImagePlan& plan, const Published& p) {
  for (const pipeline::BuiltBinary& b : p.binaries) {
    io.out << b.path.string() << '\n';
  }
  const auto& written = p.delivered.outputs;
  if (written && !written->path.empty()) {
    io.out << written->path.string() << ' ' << plan.ref.to_string() << '@' << written->digest
           << '\n';
  }
  if (p.delivered.pushed) {
    print_pushed(io.out, *p.delivered.pushed);
  }
}

Json binary_json(const pipeline::BuiltBinary& b, Profile profile) {
  std::error_code ec;
  uint64_t size = fs::file_size(b.path, ec);
  return {{"name", b.path.filename().string()},
          {"target", b.target.name()},
          {"platform", b.target.platform().to_string()},
          {"profile", std::string(to_string(profile))},
          {"path", b.path.string()},
          {"size", ec ? 0 : size},
          {"sha256", b.sha256}};
}

/// The target a platform's image was built for, when build made it (package does not know).
std::optional<std::string> target_of(const Published& p, const Platform& platform) {
  for (const pipeline::BuiltBinary& b : p.binaries) {
    if (b.target.platform() == platform) {
      return b.target.name();
    }
  }
  return std::nullopt;
}

Json image_json(const pipeline::ImagePlan& plan, const Published& p) {
  const pipeline::ImageOutputs& written = *p.delivered.outputs;
  Json img;
  img["name"] = plan.ref.repository;
  img["tags"] = Json::array({plan.ref.tag});
  for (const std::string& tag : plan.extra_tags) {
    img["tags"].push_back(tag);
  }
  img["reference"] = plan.ref.to_string();
  img["digest"] = written.digest;
  img["media_type"] = written.root.media_type;
  img["platforms"] = Json::array();
  for (const packager::Image& image : p.images) {
    Json entry = {{"platform", image.platform.to_string()}};
    if (auto target = target_of(p, image.platform)) {
      entry["target"] = *target;
    }
    entry["digest"] = image.manifest.digest.to_string();
    img["platforms"].push_back(entry);
  }
  img["outputs"] = Json::array();
  if (!written.path.empty()) {
    img["outputs"].push_back(
        {{"path", written.path.string()},
         {"format", plan.format == pipeline::ImageFormat::archive ? "archive" : "oci-dir"}});
  }
  img["pushed"] = p.delivered.pushed ? Json(p.delivered.pushed->pushed()) : Json(nullptr);
  return img;
}

} // namespace

Json published_json(std::string_view schema, const pipeline::ImagePlan& plan, const Published& p) {
  Json j;
  j["schema"] = schema;
  if (schema == "scratchpack.build/v1") {
    j["binaries"] = Json::array();
    for (const pipeline::BuiltBinary& b : p.binaries) {
      j["binaries"].push_back(binary_json(b, p.profile));
    }
  }
  j["images"] = Json::array();
  if (p.delivered.outputs) {
    j["images"].push_back(image_json(plan, p));
  }
  j["push"] = p.delivered.pushed ? push_result_object(*p.delivered.pushed) : Json(nullptr);
  return j;
}

int print_outcome(Io& io, bool json, std::string_view schema, const pipeline::ImagePlan& plan,
                  const Published& published, const Error* error) {
  if (json) {
    return print_json(io, published_json(schema, plan, published), error);
  }
  if (error) {
    return print_error(io, *error);
  }
  print_lines(io, plan, published);
  io.out.flush();
  return 0;
}

} // namespace sp::cli
