// A first pass over a manifest's YAML that decides whether yaml-cpp may build nodes from it. It
// runs yaml-cpp's parser with an event handler that builds nothing, and stops it on what a
// manifest never needs and a hostile one uses to make the parser or the grammar run away:
// - a stray ',' at the start of a document: yaml-cpp 0.7's LoadAll then returns empty documents
//   forever, each one stored (jbeder/yaml-cpp#1040, fixed upstream after 0.8 by PR #1319; found
//   by fuzz.manifest);
// - text larger than k_max_manifest_size;
// - collections nested deeper than k_max_yaml_depth (the grammar's deepest key is 4 levels down);
// - aliases that expand the document beyond k_max_yaml_nodes values (nested aliases double what
//   they repeat at each level), or an alias inside the value its own anchor names (a value that
//   contains itself).
// Internal to manifests/ (yaml-cpp stays out of the public headers).
#pragma once

#include "util/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::manifests::detail {

/// The largest manifest read: a real one is a few KiB.
inline constexpr size_t k_max_manifest_size = 1u << 20;
/// Collections nested in collections, at most.
inline constexpr unsigned k_max_yaml_depth = 32;
/// Values (scalars, empty values, collections) in the document once every alias is replaced by
/// what its anchor names, at most.
inline constexpr uint64_t k_max_yaml_nodes = 100'000;

/// Why yaml-cpp must not load a text, and where.
struct YamlRefusal {
  Mark mark;
  std::string why;
};

/// Parses `text` without building it: nullopt when it is safe to load with yaml-cpp (it may
/// still hold several documents, or none), else the first reason it is not. A YAML syntax error
/// is a refusal too ("YAML syntax error: <yaml-cpp's message>").
std::optional<YamlRefusal> screen_yaml(std::string_view text);

} // namespace sp::manifests::detail
