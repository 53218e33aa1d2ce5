// Image names as users type them ("hello", "hello:1.0", "registry.example.com:5000/acme/hello:1.0")
// split into repository and tag, checked against the distribution reference grammar.
#pragma once

#include "util/result.h"

#include <string>
#include <string_view>

namespace sp::packager {

struct ImageRef {
  std::string repository; ///< "hello", "registry.example.com:5000/acme/hello"
  std::string tag;        ///< "latest" when none was given

  /// "repository:tag".
  std::string to_string() const { return repository + ":" + tag; }
  bool operator==(const ImageRef&) const = default;
};

/// Parses NAME[:TAG]. Path components are lower-case alphanumerics joined by '.', '_', '__' or
/// dashes; the first component may be a registry host with a port; tags match
/// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. A digest ("@sha256:…") is refused: writers compute it.
Result<ImageRef> parse_image_ref(std::string_view text);

} // namespace sp::packager
