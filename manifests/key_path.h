// Paths of keys in manifest messages: "images[0].binaries[1]", `labels["org.x"]`. The problems
// themselves are collected in util's Diagnostics: a manifest with five mistakes gets five
// messages, each `FILE:LINE:COL: error: KEY.PATH: message`, in position order.
#pragma once

#include "util/diagnostics.h"
#include "util/fs.h"
#include "util/strings.h"

#include <compare>
#include <string>
#include <string_view>
#include <vector>

namespace sp::manifests {

/// `parent.key`, or `parent["key"]` when the key has characters that would make the path
/// ambiguous ("labels[\"org.opencontainers.image.source\"]").
std::string child_path(std::string_view parent, std::string_view key);
/// `parent[index]`.
std::string index_path(std::string_view parent, size_t index);

} // namespace sp::manifests
