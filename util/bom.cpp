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

namespace {

bool plain(std::initializer_list<std::string_view> fields) {
  for (std::string_view f : fields) {
    if (f.find_first_of("\t\n") != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    out.emplace_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) {
      return out;
    }
    start = tab + 1;
  }
}

} // namespace

std::optional<Origin> origin_from_text(std::string_view text) {
  if (text.size() != 1 || text[0] < '0' || text[0] > '3') {
    return std::nullopt;
  }
  return static_cast<Origin>(text[0] - '0');
}

std::string to_text(const Binary& b) {
  std::string text;
  auto line = [&text](std::initializer_list<std::string_view> fields) {
    bool first = true;
    for (std::string_view f : fields) {
      text += first ? "" : "\t";
      text += f;
      first = false;
    }
    text += "\n";
  };
  if (!plain({b.name, b.target, b.platform, b.arch})) {
    return "";
  }
  line({"binary", b.name, b.target, b.platform, b.arch});
  for (const FileDigest& s : b.sources) {
    if (!plain({s.path})) {
      return "";
    }
    line({"source", s.path, s.sha256, s.sha1});
  }
  for (const Component& c : b.components) {
    std::string props;
    for (const std::string& p : c.properties) {
      props += (props.empty() ? "" : ";") + p;
    }
    if (!plain({c.name, c.version, c.arch, c.purl, props})) {
      return "";
    }
    line({"component", std::to_string(static_cast<int>(c.origin)), c.name, c.version, c.arch,
          c.purl, props});
    for (const FileDigest& f : c.files) {
      if (!plain({f.path})) {
        return "";
      }
      line({"file", f.path, f.sha256, f.sha1});
    }
  }
  return text;
}

std::optional<Binary> binary_from_text(std::string_view text) {
  Binary b;
  bool head = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    std::vector<std::string> f = fields_of(text.substr(start, end - start));
    start = end + 1;
    if (f[0] == "binary" && f.size() == 5 && !head) {
      b.name = f[1], b.target = f[2], b.platform = f[3], b.arch = f[4];
      head = true;
    } else if (f[0] == "source" && f.size() == 4 && head) {
      b.sources.push_back({f[1], f[2], f[3]});
    } else if (f[0] == "component" && f.size() == 7 && head && origin_from_text(f[1])) {
      Component c;
      c.origin = *origin_from_text(f[1]);
      c.name = f[2], c.version = f[3], c.arch = f[4], c.purl = f[5];
      for (size_t s = 0; !f[6].empty() && s <= f[6].size();) {
        size_t semi = f[6].find(';', s);
        c.properties.push_back(f[6].substr(s, semi == std::string::npos ? semi : semi - s));
        s = semi == std::string::npos ? f[6].size() + 1 : semi + 1;
      }
      b.components.push_back(std::move(c));
    } else if (f[0] == "file" && f.size() == 4 && !b.components.empty()) {
      b.components.back().files.push_back({f[1], f[2], f[3]});
    } else {
      return std::nullopt;
    }
  }
  if (!head) {
    return std::nullopt;
  }
  return b;
}

} // namespace sp::bom
