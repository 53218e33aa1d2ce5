// Checks that span sections: unique names, images naming defined binaries, target lists that are
// subsets of the top-level one, images whose targets every binary is built for.
#include "manifests/parse.h"

#include <algorithm>
#include <map>
#include <set>

namespace sp::manifests::detail {

namespace {

std::vector<std::string> names_of(const std::vector<TargetName>& targets) {
  std::vector<std::string> out;
  for (const TargetName& target : targets) {
    out.push_back(target.name);
  }
  return out;
}

std::set<std::string> keys_of(const std::vector<TargetName>& targets, const Context& ctx) {
  std::set<std::string> out;
  for (const TargetName& target : targets) {
    out.insert(ctx.target_key(target.name));
  }
  return out;
}

template <class T>
void check_unique_names(const std::vector<T>& items, std::string_view noun, Context& ctx) {
  std::map<std::string, Mark> seen;
  for (const T& item : items) {
    if (item.name.empty()) {
      continue;
    }
    if (auto [pos, inserted] = seen.emplace(item.name, item.name_mark); !inserted) {
      ctx.diag.error_at(item.name_mark, item.key_path + ".name",
                        "duplicate " + std::string(noun) + " name '" + item.name + "' (first at " +
                            to_string(pos->second) + ")");
    }
  }
}

// An own `targets` list must be a subset of the top-level one; no list inherits it.
void resolve_targets(std::vector<TargetName>& targets, bool& inherited, const std::string& path,
                     const Manifest& manifest, Context& ctx) {
  if (targets.empty()) {
    targets = manifest.targets;
    inherited = true;
    return;
  }
  std::set<std::string> top = keys_of(manifest.targets, ctx);
  for (const TargetName& target : targets) {
    if (!top.contains(ctx.target_key(target.name))) {
      ctx.diag.error_at(target.mark, path,
                        "target '" + target.name + "' is not in the top-level targets (" +
                            join_words(names_of(manifest.targets)) + ")");
    }
  }
}

void check_image_binary(const Image& image, const ImageBinary& ref, const Manifest& manifest,
                        Context& ctx) {
  const Binary* binary = manifest.find_binary(ref.name);
  if (binary == nullptr) {
    std::vector<std::string> names;
    for (const Binary& b : manifest.binaries) {
      if (!b.name.empty()) {
        names.push_back(b.name);
      }
    }
    std::string hint = did_you_mean(ref.name, names);
    if (hint.empty() && !names.empty()) {
      hint = "; the binaries are " + join_words(names);
    }
    ctx.diag.error_at(ref.mark, ref.key_path, "unknown binary '" + ref.name + "'" + hint);
    return;
  }
  std::set<std::string> built = keys_of(binary->targets, ctx);
  std::vector<std::string> missing;
  for (const TargetName& target : image.targets) {
    if (!built.contains(ctx.target_key(target.name))) {
      missing.push_back(target.name);
    }
  }
  if (!missing.empty()) {
    std::string message = "binary '" + ref.name + "' is not built for " + join_words(missing) +
                          " (its targets: " + join_words(names_of(binary->targets)) + ")";
    if (image.targets_inherited) {
      message += "; list the image's own targets";
    }
    ctx.diag.error_at(ref.mark, ref.key_path, message);
  }
}

/// `packages` keyed by target: each key names one of the binary's targets, and is rewritten to
/// that target as written there, so the release finds it ("aarch64-glibc" for "aarch64").
void check_target_packages(Binary& binary, Context& ctx) {
  std::map<std::string, std::vector<std::string>> by_written;
  for (auto& [key, packages] : binary.target_packages) {
    auto it = std::find_if(binary.targets.begin(), binary.targets.end(), [&](const TargetName& t) {
      return ctx.target_key(t.name) == ctx.target_key(key);
    });
    if (it == binary.targets.end()) {
      ctx.diag.error_at(binary.target_packages_marks[key], binary.key_path + ".packages",
                        "'" + key + "' is not one of this binary's targets (" +
                            join_words(names_of(binary.targets)) + ") nor 'all'");
      continue;
    }
    std::vector<std::string>& to = by_written[it->name];
    to.insert(to.end(), packages.begin(), packages.end());
  }
  binary.target_packages = std::move(by_written);
}

} // namespace

void cross_check(Manifest& manifest, Context& ctx) {
  check_unique_names(manifest.binaries, "binary", ctx);
  for (Binary& binary : manifest.binaries) {
    resolve_targets(binary.targets, binary.targets_inherited, binary.key_path + ".targets",
                    manifest, ctx);
    check_target_packages(binary, ctx);
  }
  check_unique_names(manifest.images, "image", ctx);
  for (Image& image : manifest.images) {
    resolve_targets(image.targets, image.targets_inherited, image.key_path + ".targets", manifest,
                    ctx);
    for (const ImageBinary& ref : image.binaries) {
      check_image_binary(image, ref, manifest, ctx);
    }
  }
}

} // namespace sp::manifests::detail
