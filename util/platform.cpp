#include "util/platform.h"

#include "util/strings.h"

namespace sp {

std::string Platform::to_string() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) {
    s += "/" + variant;
  }
  return s;
}

Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts = split(text, '/');
  if (parts.size() == 1) {
    parts.insert(parts.begin(), "linux");
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0] != "linux") {
    return usage_error("platform '" + std::string(text) + "'",
                       "expected linux/ARCH[/VARIANT]",
                       "use linux/amd64, linux/arm64 or linux/arm/v7");
  }
  Platform p;
  p.architecture = parts[1];
  p.variant = parts.size() == 3 ? parts[2] : "";
  if (p.architecture == "x86_64") {
    p.architecture = "amd64";
  } else if (p.architecture == "aarch64") {
    p.architecture = "arm64";
  }
  if (p.architecture == "amd64") {
    if (!p.variant.empty() && p.variant != "v1") {
      return usage_error("platform '" + std::string(text) + "'", "unknown amd64 variant");
    }
    p.variant.clear();
  } else if (p.architecture == "arm64") {
    if (p.variant.empty()) {
      p.variant = "v8";
    } else if (p.variant != "v8") {
      return usage_error("platform '" + std::string(text) + "'", "unsupported arm64 variant",
                         "scratchpack builds linux/arm64/v8");
    }
  } else if (p.architecture == "arm") {
    if (p.variant.empty()) {
      p.variant = "v7";
    } else if (p.variant != "v7") {
      return usage_error("platform '" + std::string(text) + "'", "unsupported arm variant",
                         "scratchpack builds linux/arm/v7 (hard-float)");
    }
  } else {
    return usage_error("platform '" + std::string(text) + "'", "unsupported architecture",
                       "use linux/amd64, linux/arm64 or linux/arm/v7");
  }
  return p;
}

} // namespace sp
