// The document root, `targets` and `output`.
#include "manifests/parse.h"

#include "manifests/grammar.h"

#include <algorithm>
#include <map>

namespace sp::manifests::detail {

std::string Context::target_key(std::string_view target) const {
  return hooks.target_key ? hooks.target_key(target) : std::string(target);
}

fs::path Context::resolve(std::string_view path) const {
  return (base_dir / fs::path(path)).lexically_normal();
}

namespace {} // namespace

Context::Context(Diagnostics& diag_, const ParseHooks& hooks_, fs::path base_dir_)
    : diag(diag_), hooks(hooks_), base_dir(std::move(base_dir_)) {
  std::error_code ec;
  real_base_dir = fs::weakly_canonical(base_dir, ec);
  for (const fs::path& allowed : hooks.allow_outside) {
    real_allowed.push_back(fs::weakly_canonical(allowed, ec));
  }
}

bool Context::is_inside(const fs::path& path) const {
  std::error_code ec;
  fs::path real = fs::weakly_canonical(path, ec);
  return lexically_within(real, real_base_dir) ||
         std::any_of(real_allowed.begin(), real_allowed.end(),
                     [&](const fs::path& allowed) { return lexically_within(real, allowed); });
}

bool Context::inside(const fs::path& path, std::string_view as_written, Mark mark,
                     const std::string& key_path) const {
  if (is_inside(path)) {
    return true;
  }
  std::error_code ec;
  fs::path real = fs::weakly_canonical(path, ec);
  std::string shown = real == path ? "" : " (" + real.string() + ")";
  diag.error_at(mark, key_path,
                "'" + std::string(as_written) + "'" + shown +
                    " is outside the manifest's directory; a manifest may name only its own "
                    "files unless you pass --allow-outside " +
                    real.string());
  return false;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    out += i == 0 ? "" : i + 1 == words.size() ? " and " : ", ";
    out += words[i];
  }
  return out;
}

void parse_checked_list(const Field& field, Status (*check)(std::string_view),
                        std::vector<std::string>& out, Context& ctx) {
  if (!field.present) {
    return;
  }
  std::optional<std::vector<Item>> items = read_string_list(field, ctx.diag);
  for (const Item& item : items.value_or(std::vector<Item>{})) {
    if (Status s = check(item.value); !s) {
      ctx.diag.error_at(item.mark, item.path, s.error().why);
    } else {
      out.push_back(item.value);
    }
  }
}

std::optional<std::vector<TargetName>> parse_targets(const Field& field, Context& ctx) {
  if (!field.present) {
    return std::nullopt;
  }
  std::optional<std::vector<Item>> items = read_string_list(field, ctx.diag);
  if (!items) {
    return std::nullopt;
  }
  if (is_empty_list(field)) {
    ctx.diag.error_at(field.mark, field.path, "must list at least one target");
    return std::nullopt;
  }
  std::vector<TargetName> targets;
  std::map<std::string, Mark> seen;
  for (const Item& item : *items) {
    std::optional<std::string> why;
    if (item.value.empty()) {
      why = "target is empty";
    } else if (ctx.hooks.check_target) {
      if (std::optional<std::string> problem = ctx.hooks.check_target(item.value)) {
        why = "invalid target '" + item.value + "': " + *problem;
      }
    }
    if (why) {
      ctx.diag.error_at(item.mark, item.path, *why);
      continue;
    }
    auto [pos, inserted] = seen.emplace(ctx.target_key(item.value), item.mark);
    if (!inserted) {
      ctx.diag.error_at(item.mark, item.path,
                        "duplicate target '" + item.value + "' (first at " +
                            to_string(pos->second) + ")");
      continue;
    }
    targets.push_back(TargetName{item.value, item.mark});
  }
  if (targets.empty()) {
    return std::nullopt;
  }
  return targets;
}

namespace {

void parse_formats(const Field& field, Output& output, Context& ctx) {
  std::optional<std::vector<Item>> items = read_string_list(field, ctx.diag);
  if (!items) {
    return;
  }
  if (is_empty_list(field)) {
    ctx.diag.error_at(field.mark, field.path, "must list at least one format");
    return;
  }
  output.formats.clear();
  std::map<OutputFormat, Mark> seen;
  for (const Item& item : *items) {
    Result<OutputFormat> format = parse_output_format(item.value);
    if (!format) {
      ctx.diag.error_at(item.mark, item.path, format.error().why);
    } else if (auto [pos, inserted] = seen.emplace(*format, item.mark); !inserted) {
      ctx.diag.error_at(item.mark, item.path,
                        "duplicate format '" + item.value + "' (first at " +
                            to_string(pos->second) + ")");
    } else {
      output.formats.push_back(*format);
    }
  }
}

Output parse_output(const Field& field, Context& ctx) {
  Output output;
  output.dir = ctx.resolve("dist");
  output.formats = {OutputFormat::archive};
  if (!field.present) {
    return output;
  }
  output.mark = field.mark;
  MapReader map(field, {"dir", "formats", "push"}, ctx.diag);
  if (Field dir = map.get("dir"); dir.present) {
    if (std::optional<std::string> text = read_string(dir, ctx.diag)) {
      if (text->empty()) {
        ctx.diag.error_at(dir.mark, dir.path, "output directory is empty");
      } else if (fs::path d = ctx.resolve(*text); ctx.inside(d, *text, dir.mark, dir.path)) {
        output.dir = d;
      }
    }
  }
  if (Field formats = map.get("formats"); formats.present) {
    parse_formats(formats, output, ctx);
  }
  if (Field push = map.get("push"); push.present) {
    output.push = read_bool(push, ctx.diag).value_or(false);
  }
  return output;
}

/// `build: {distribute: {hosts: "…" | [..]}}`.
BuildSettings parse_build(const Field& field, Context& ctx) {
  BuildSettings build;
  if (!field.present) {
    return build;
  }
  MapReader map(field, {"distribute"}, ctx.diag);
  Field distribute = map.get("distribute");
  if (!distribute.present) {
    return build;
  }
  MapReader dist(distribute, {"hosts"}, ctx.diag);
  Field hosts = dist.require("hosts");
  if (!hosts.present) {
    return build;
  }
  std::string text;
  if (hosts.node.IsSequence()) {
    for (const Item& item : read_string_list(hosts, ctx.diag).value_or(std::vector<Item>{})) {
      text += (text.empty() ? "" : " ") + item.value;
    }
  } else if (std::optional<std::string> value = read_string(hosts, ctx.diag)) {
    text = *value;
  }
  if (text.find_first_not_of(" \t\n") == std::string::npos) {
    ctx.diag.error_at(hosts.mark, hosts.path, "names no host");
    return build;
  }
  if (ctx.hooks.check_distcc_hosts) {
    if (std::optional<std::string> why = ctx.hooks.check_distcc_hosts(text)) {
      ctx.diag.error_at(hosts.mark, hosts.path, *why);
      return build;
    }
  }
  build.distribute_hosts = text;
  build.distribute_mark = hosts.mark;
  return build;
}

void parse_version(const MapReader& root, Manifest& manifest, Context& ctx) {
  Field field = root.require("version");
  if (!field.present) {
    return;
  }
  if (std::optional<long long> version = read_int(field, ctx.diag)) {
    if (*version != k_manifest_version) {
      ctx.diag.error_at(field.mark, field.path,
                        "unsupported version " + std::to_string(*version) +
                            "; this scratchpack reads version " +
                            std::to_string(k_manifest_version));
    }
  }
}

void parse_project(const MapReader& root, Manifest& manifest, Context& ctx) {
  Field field = root.require("project");
  if (!field.present) {
    return;
  }
  if (std::optional<std::string> name = read_string(field, ctx.diag)) {
    if (Status s = check_project_name(*name); !s) {
      ctx.diag.error_at(field.mark, field.path, s.error().why);
    }
    manifest.project = *name;
  }
}

// Reads a list section entry by entry; an entry that is not even a map is left out.
template <class T, class F>
void parse_section(const Field& field, std::string_view what, std::vector<T>& out, F&& parse_one,
                   Context& ctx) {
  std::optional<std::vector<Field>> entries = read_list(field, what, ctx.diag);
  if (!entries) {
    return;
  }
  for (const Field& entry : *entries) {
    if (std::optional<T> value = parse_one(entry, ctx)) {
      out.push_back(std::move(*value));
    }
  }
}

} // namespace

void parse_document(const YAML::Node& node, Manifest& manifest, Context& ctx) {
  Field field{node, "", mark_of(node), true};
  MapReader root(field, {"version", "project", "targets", "binaries", "images", "output", "build"},
                 ctx.diag);
  if (!root.ok()) {
    return;
  }
  parse_version(root, manifest, ctx);
  parse_project(root, manifest, ctx);
  manifest.targets = parse_targets(root.get("targets"), ctx)
                         .value_or(std::vector<TargetName>{TargetName{"x86_64", {}}});
  Field binaries = root.require("binaries");
  if (binaries.present) {
    parse_section(binaries, "a list of binaries", manifest.binaries, parse_binary, ctx);
    if (is_empty_list(binaries)) {
      ctx.diag.error_at(binaries.mark, binaries.path, "must list at least one binary");
    }
  }
  if (Field images = root.get("images"); images.present) {
    parse_section(images, "a list of images", manifest.images, parse_image, ctx);
  }
  manifest.output = parse_output(root.get("output"), ctx);
  manifest.build = parse_build(root.get("build"), ctx);
}

} // namespace sp::manifests::detail
