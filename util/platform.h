// OCI platform (os/architecture/variant): the vocabulary the toolchain, the scanner and the
// packager share without depending on one another.
#pragma once

#include "util/result.h"

#include <string>
#include <string_view>

namespace sp {

struct Platform {
  std::string os = "linux";
  std::string architecture; ///< OCI/GOARCH name: amd64, arm64, arm
  std::string variant;      ///< v8 for arm64, v7 for arm; empty for amd64

  /// "linux/amd64", "linux/arm64/v8", "linux/arm/v7".
  std::string to_string() const;
  bool operator==(const Platform&) const = default;
};

/// Parses "linux/arm64", "linux/arm64/v8", "arm64", "amd64", "linux/arm/v7", "arm"… Normalises
/// arm64 to variant v8 and arm to v7 when no variant is given.
Result<Platform> parse_platform(std::string_view text);

} // namespace sp
