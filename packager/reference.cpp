#include "packager/reference.h"

#include "util/strings.h"

#include <cctype>

namespace sp::packager {

namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool is_path_component(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && is_lower_alnum(s[i])) {
      ++i;
    }
    if (i == start) {
      return false;
    }
    if (i == s.size()) {
      return true;
    }
    std::string_view sep = s.substr(i);
    if (sep.substr(0, 2) == "__") {
      i += 2;
    } else if (s[i] == '.' || s[i] == '_') {
      ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') {
        ++i;
      }
    } else {
      return false;
    }
    if (i == s.size()) {
      return false;
    }
  }
  return !s.empty();
}

// A registry host: contains '.' or ':' or is "localhost"; letters, digits, '-', '.', one port.
bool is_registry_host(std::string_view s) {
  if (s.find('.') == std::string_view::npos && s.find(':') == std::string_view::npos &&
      s != "localhost") {
    return false;
  }
  size_t colon = s.find(':');
  std::string_view host = s.substr(0, colon);
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
      return false;
    }
  }
  unsigned long long port = 0;
  return !host.empty() && (colon == std::string_view::npos ||
                           (parse_uint(s.substr(colon + 1), port) && port < 65536));
}

bool is_tag(std::string_view s) {
  if (s.empty() || s.size() > 128 || s[0] == '.' || s[0] == '-') {
    return false;
  }
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

} // namespace

Result<ImageRef> parse_image_ref(std::string_view text) {
  auto bad = [&](std::string why) {
    return usage_error("image name '" + std::string(text) + "'", std::move(why),
                       "use NAME[:TAG] with a lower-case name, e.g. hello:latest or "
                       "registry.example.com/acme/hello:1.0");
  };
  if (text.find('@') != std::string_view::npos) {
    return bad("a digest cannot be chosen: it is computed from the image");
  }
  size_t last_slash = text.rfind('/');
  size_t colon = text.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  ImageRef ref;
  ref.repository = std::string(text.substr(0, colon));
  ref.tag = colon == std::string_view::npos ? "latest" : std::string(text.substr(colon + 1));
  if (!is_tag(ref.tag)) {
    return bad("the tag '" + ref.tag +
               "' must be 1-128 of A-Z a-z 0-9 _ . - not starting with . or -");
  }
  std::vector<std::string> parts = split(ref.repository, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    bool host = i == 0 && parts.size() > 1 && is_registry_host(parts[0]);
    if (!host && !is_path_component(parts[i])) {
      return bad("'" + parts[i] +
                 "' is not a valid name component (lower-case letters, digits, "
                 "and . _ - between them)");
    }
  }
  if (ref.repository.size() > 255) {
    return bad("the name is longer than 255 characters");
  }
  return ref;
}

} // namespace sp::packager
