#include "util/bom.h"

namespace sp::bom {

std::string purl_encode(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string deb_purl(const std::string& name, const std::string& version, const std::string& arch) {
  std::string purl = "pkg:deb/debian/" + purl_encode(name);
  if (!version.empty()) {
    purl += "@" + purl_encode(version);
  }
  if (!arch.empty()) {
    purl += "?arch=" + purl_encode(arch);
  }
  return purl;
}

} // namespace sp::bom
