// The passes that turn a YAML document into a Manifest: reading each section with its local
// checks (parse*.cpp), then the checks across sections and the defaults (cross_check.cpp).
// Internal to manifests/.
#pragma once

#include "manifests/manifest.h"
#include "manifests/yaml_reader.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::manifests::detail {

/// What every pass shares: where problems go, the caller's hooks, the directory paths resolve
/// against.
struct Context {
  Context(Diagnostics& diag, const ParseHooks& hooks, fs::path base_dir);

  Diagnostics& diag;
  const ParseHooks& hooks;
  fs::path base_dir; ///< absolute, lexically normal
  /// base_dir and ParseHooks::allow_outside with symlinks resolved, once: every path the
  /// manifest names is compared with them.
  fs::path real_base_dir;
  std::vector<fs::path> real_allowed;

  /// The comparison key of a target string (ParseHooks::target_key, or the text).
  std::string target_key(std::string_view target) const;
  /// `path` resolved against base_dir, lexically normal.
  fs::path resolve(std::string_view path) const;
  /// Whether `path` (resolved, symlinks followed) is inside base_dir or a path the caller allowed
  /// (ParseHooks::allow_outside); reports the problem at `mark` when not. A manifest from a clone
  /// may only name its own files.
  bool inside(const fs::path& path, std::string_view as_written, Mark mark,
              const std::string& key_path) const;
  /// The same check, reporting nothing.
  bool is_inside(const fs::path& path) const;
};

/// Reads a `targets` list: each entry checked with the hook, duplicates reported. nullopt when
/// absent, broken or empty (so the caller inherits instead of cascading more problems).
std::optional<std::vector<TargetName>> parse_targets(const Field& field, Context& ctx);

/// Reads the whole document into `manifest` (nothing is resolved across sections yet).
void parse_document(const YAML::Node& root, Manifest& manifest, Context& ctx);

/// Reads `binaries[i]`: fields, grammar, source globs and directories on disk.
std::optional<Binary> parse_binary(const Field& field, Context& ctx);

/// Reads `images[i]`: fields, grammar, files on disk, paths in the image, entrypoint.
std::optional<Image> parse_image(const Field& field, Context& ctx);

/// Checks across sections (unique names, references, target subsets) and fills inherited
/// targets.
void cross_check(Manifest& manifest, Context& ctx);

/// A list of strings each checked by `check` (a grammar function), valid ones kept in order.
/// Absent: nothing.
void parse_checked_list(const Field& field, Status (*check)(std::string_view),
                        std::vector<std::string>& out, Context& ctx);

/// A string read with `parse` (one of the enum parsers in grammar.h); nullopt after a report.
template <class E>
std::optional<E> parse_choice(const Field& field, Result<E> (*parse)(std::string_view),
                              Context& ctx) {
  std::optional<std::string> text = read_string(field, ctx.diag);
  if (!text) {
    return std::nullopt;
  }
  Result<E> value = parse(*text);
  if (!value) {
    ctx.diag.error_at(field.mark, field.path, value.error().why);
    return std::nullopt;
  }
  return *value;
}

/// "a, b and c".
std::string join_words(const std::vector<std::string>& words);

} // namespace sp::manifests::detail
