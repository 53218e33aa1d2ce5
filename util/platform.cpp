#include "util/platform.h"

#include "util/strings.h"
#include "util/target.h"

namespace sp {

std::string Platform::to_string() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) {
    s += "/" + variant;
  }
  return s;
}

namespace {

/// "linux/amd64, linux/arm64 or linux/arm/v7", from the target table.
std::string platform_names() {
  std::string out;
  std::span<const ArchInfo> table = arch_table();
  for (size_t i = 0; i < table.size(); ++i) {
    out += i == 0 ? "" : i + 1 == table.size() ? " or " : ", ";
    out += "linux/" + std::string(table[i].oci_arch);
    // arm64's v8 is its only variant and is left out as users type it; arm's v7 is not implied
    // by the name alone for readers, so it is shown.
    if (!table[i].oci_variant.empty() && table[i].elf_class == 32) {
      out += "/" + std::string(table[i].oci_variant);
    }
  }
  return out;
}

} // namespace

Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts = split(text, '/');
  if (parts.size() == 1) {
    parts.insert(parts.begin(), "linux");
  }
  std::string quoted = "platform '" + std::string(text) + "'";
  if (parts.size() < 2 || parts.size() > 3 || parts[0] != "linux") {
    return usage_error(quoted, "expected linux/ARCH[/VARIANT]", "use " + platform_names());
  }
  // OCI names first; scratchpack's own names (x86_64, aarch64) are taken too.
  const ArchInfo* arch = nullptr;
  for (const ArchInfo& a : arch_table()) {
    if (a.oci_arch == parts[1]) {
      arch = &a;
    }
  }
  if (!arch && (arch = find_arch(parts[1])) != nullptr && arch->elf_class == 32) {
    arch = nullptr; // "arm" is an OCI name above; "armhf"/"armv7" are not platform words
  }
  if (!arch) {
    return usage_error(quoted, "unsupported architecture", "use " + platform_names());
  }
  Platform p{"linux", std::string(arch->oci_arch), parts.size() == 3 ? parts[2] : ""};
  if (arch->oci_variant.empty()) {
    if (!p.variant.empty() && p.variant != "v1") {
      return usage_error(quoted, "unknown " + p.architecture + " variant");
    }
    p.variant.clear();
  } else if (p.variant.empty()) {
    p.variant = arch->oci_variant;
  } else if (p.variant != arch->oci_variant) {
    return usage_error(quoted, "unsupported " + p.architecture + " variant",
                       "scratchpack builds linux/" + p.architecture + "/" +
                           std::string(arch->oci_variant));
  }
  return p;
}

} // namespace sp
