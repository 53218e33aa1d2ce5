#include "manifests/grammar.h"

#include "util/lang_std.h"
#include "util/strings.h"

#include <algorithm>
#include <array>

namespace sp::manifests {

namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident(char c) {
  return is_ident_start(c) || is_digit(c);
}

bool all_of(std::string_view text, bool (*pred)(char)) {
  return std::all_of(text.begin(), text.end(), pred);
}

bool is_identifier(std::string_view text) {
  return !text.empty() && is_ident_start(text[0]) && all_of(text.substr(1), is_ident);
}

Status bad(std::string message) {
  return failure("", std::move(message));
}

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// [a-z0-9]+ joined by '.', '_', '__' or runs of '-' (the distribution path-component grammar).
bool is_path_component(std::string_view c) {
  size_t i = 0;
  auto alnum_run = [&] {
    size_t start = i;
    while (i < c.size() && is_lower_alnum(c[i])) {
      ++i;
    }
    return i > start;
  };
  if (!alnum_run()) {
    return false;
  }
  while (i < c.size()) {
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      i += c.substr(i, 2) == "__" ? 2 : 1;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') {
        ++i;
      }
    } else {
      return false;
    }
    if (!alnum_run()) {
      return false;
    }
  }
  return true;
}

// host[:port], each host label [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9].
bool is_registry_host(std::string_view host) {
  size_t colon = host.find(':');
  if (colon != std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    if (port.empty() || !all_of(port, is_digit)) {
      return false;
    }
    host = host.substr(0, colon);
  }
  if (host.empty()) {
    return false;
  }
  for (const std::string& label : split(host, '.')) {
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back()) ||
        !std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
      return false;
    }
  }
  return true;
}

} // namespace

Status check_project_name(std::string_view name) {
  if (name.size() > 128) {
    return bad("project name is longer than 128 characters");
  }
  if (name.empty() || !is_lower_alnum(name[0]) ||
      !all_of(name, [](char c) { return is_lower_alnum(c) || c == '.' || c == '_' || c == '-'; })) {
    return bad("invalid project name " + in_quotes(name) +
               ": use lower-case letters, digits, '.', '_' and '-', starting with a letter or "
               "digit");
  }
  return {};
}

Status check_binary_name(std::string_view name) {
  if (name.size() > 255) {
    return bad("binary name is longer than 255 characters");
  }
  if (name.empty() || !is_alnum(name[0]) || !all_of(name, [](char c) {
        return is_alnum(c) || c == '.' || c == '_' || c == '+' || c == '-';
      })) {
    return bad("invalid binary name " + in_quotes(name) +
               ": use letters, digits, '.', '_', '+' and '-', starting with a letter or digit");
  }
  return {};
}

Status check_image_name(std::string_view name) {
  if (name.empty()) {
    return bad("image name is empty");
  }
  if (name.size() > 255) {
    return bad("image name is longer than 255 characters");
  }
  if (name.find('@') != std::string_view::npos) {
    return bad("image name " + in_quotes(name) +
               " includes a digest; scratchpack computes digests, write the name alone");
  }
  std::vector<std::string> parts = split(name, '/');
  size_t first = 0;
  if (parts.size() > 1 &&
      (parts[0].find_first_of(".:") != std::string::npos || parts[0] == "localhost")) {
    if (!is_registry_host(parts[0])) {
      return bad("invalid registry host " + in_quotes(parts[0]) + " in image name " +
                 in_quotes(name));
    }
    first = 1;
  }
  const std::string& last = parts.back();
  if (size_t colon = last.find(':'); colon != std::string::npos && parts.size() > first) {
    return bad("image name " + in_quotes(name) +
               " includes a tag; write the name without it and put " +
               in_quotes(last.substr(colon + 1)) + " in tags");
  }
  for (size_t i = first; i < parts.size(); ++i) {
    if (!is_path_component(parts[i])) {
      return bad("invalid image name " + in_quotes(name) +
                 ": path components are lower-case letters and digits separated by '.', '_', "
                 "'__' or '-'");
    }
  }
  return {};
}

Status check_tag(std::string_view tag) {
  bool ok = !tag.empty() && tag.size() <= 128 && (is_alnum(tag[0]) || tag[0] == '_') &&
            all_of(tag, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
  if (!ok) {
    return bad("invalid tag " + in_quotes(tag) +
               ": a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or "
               "'-'");
  }
  return {};
}

Result<Language> parse_std(std::string_view std) {
  if (std::optional<Language> language = standard_language(std)) {
    return *language;
  }
  return failure("", "unknown language standard " + in_quotes(std) + "; use e.g. " +
                         std::string(standard_examples()));
}

Status check_define(std::string_view define) {
  std::string_view name = define.substr(0, define.find('='));
  if (!is_identifier(name)) {
    return bad("invalid define " + in_quotes(define) +
               ": expected NAME or NAME=VALUE, NAME a C identifier");
  }
  return {};
}

Status check_debian_package(std::string_view name) {
  auto first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  auto rest = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  };
  if (name.size() < 2 || !first(name[0]) || !all_of(name, rest)) {
    return bad("invalid Debian package name " + in_quotes(name) +
               ": lower-case letters, digits, '+', '-' and '.', such as 'libssl-dev'");
  }
  return {};
}

Status check_pkg_config_module(std::string_view name) {
  if (name.empty() || name[0] == '-' || !all_of(name, [](char c) {
        return is_alnum(c) || c == '_' || c == '.' || c == '+' || c == '-';
      })) {
    return bad("invalid pkg-config module " + in_quotes(name) + ", such as 'zlib' or 'libcrypto'");
  }
  return {};
}

Status check_lib(std::string_view lib) {
  if (lib.starts_with("-l") && lib.size() > 2) {
    return bad("write the library name without '-l': " + in_quotes(lib.substr(2)));
  }
  std::string_view body = lib.starts_with(":") ? lib.substr(1) : lib;
  if (body.find('/') != std::string_view::npos) {
    return bad("invalid library name " + in_quotes(lib) +
               ": name the library (e.g. 'z') and put its directory in lib_dirs");
  }
  if (body.empty() || !all_of(body, [](char c) {
        return is_alnum(c) || c == '_' || c == '.' || c == '+' || c == '-';
      })) {
    return bad("invalid library name " + in_quotes(lib) +
               ": use letters, digits, '_', '.', '+' and '-' (or ':file.a')");
  }
  return {};
}

Status check_env_key(std::string_view key) {
  if (!is_identifier(key)) {
    return bad("invalid environment variable name " + in_quotes(key) +
               ": use letters, digits and '_', not starting with a digit");
  }
  return {};
}

Status check_image_dir(std::string_view path) {
  if (!path.starts_with("/")) {
    return bad(in_quotes(path) + " is not absolute; paths in the image start with '/'");
  }
  for (const std::string& part : split(path, '/')) {
    if (part == "..") {
      return bad(in_quotes(path) + " must not contain '..'");
    }
  }
  return {};
}

Status check_image_file_path(std::string_view path) {
  SP_TRY(check_image_dir(path));
  if (path == "/" || path.ends_with("/")) {
    return bad(in_quotes(path) + " names a directory; name the file, e.g. '/etc/app.conf'");
  }
  std::vector<std::string> parts = split(path.substr(1), '/');
  if (std::any_of(parts.begin(), parts.end(),
                  [](const std::string& p) { return p.empty() || p == "."; })) {
    return bad(in_quotes(path) + " is not a normal path; remove the empty or '.' components");
  }
  return {};
}

Status check_user(std::string_view user) {
  auto is_id = [](std::string_view part) {
    unsigned long long v = 0;
    return parse_uint(part, v) && v <= 4294967294ULL;
  };
  std::vector<std::string> parts = split(user, ':');
  if (parts.size() <= 2 && std::all_of(parts.begin(), parts.end(), is_id)) {
    return {};
  }
  if (user == "root" || user == "nonroot") {
    return {};
  }
  bool plausible = parts.size() <= 2 && std::all_of(parts.begin(), parts.end(), [](auto& p) {
                     return !p.empty() && all_of(p, [](char c) {
                       return is_alnum(c) || c == '_' || c == '-' || c == '.';
                     });
                   });
  if (plausible) {
    return bad("user " + in_quotes(user) +
               " has no entry in a scratch image; use a numeric uid[:gid], 'root' or 'nonroot'");
  }
  return bad("invalid user " + in_quotes(user) + ": expected uid, uid:gid, 'root' or 'nonroot'");
}

Result<Port> parse_port(std::string_view text) {
  std::vector<std::string> parts = split(text, '/');
  unsigned long long number = 0;
  bool protocol_ok =
      parts.size() == 1 ||
      (parts.size() == 2 && (parts[1] == "tcp" || parts[1] == "udp" || parts[1] == "sctp"));
  if (!protocol_ok || !parse_uint(parts[0], number)) {
    return failure("", "invalid port " + in_quotes(text) +
                           ": expected PORT or PORT/PROTOCOL with tcp, udp or sctp, e.g. 8080 or "
                           "\"53/udp\"");
  }
  if (number < 1 || number > 65535) {
    return failure("", "port " + parts[0] + " is out of range 1-65535");
  }
  return Port{static_cast<unsigned>(number), parts.size() == 2 ? parts[1] : "tcp"};
}

namespace {

template <class E, size_t N>
Result<E> parse_enum(std::string_view text, std::string_view noun,
                     const std::array<std::pair<std::string_view, E>, N>& values) {
  std::vector<std::string> names;
  for (const auto& [name, value] : values) {
    if (name == text) {
      return value;
    }
    names.emplace_back(name);
  }
  std::string expected;
  for (size_t i = 0; i < names.size(); ++i) {
    expected += i == 0 ? "" : i + 1 == names.size() ? " or " : ", ";
    expected += names[i];
  }
  return failure("",
                 "unknown " + std::string(noun) + " " + in_quotes(text) + "; expected " + expected);
}

} // namespace

namespace {

/// A word of util's vocabulary, in the manifest's wording.
template <class E> Result<E> parse_word(std::string_view text) {
  if (std::optional<E> value = lookup<E>(text)) {
    return *value;
  }
  return failure("", "unknown " + std::string(noun_of(E{})) + " " + in_quotes(text) +
                         "; expected " + expected_names<E>());
}

} // namespace

Result<Profile> parse_profile(std::string_view text) {
  return parse_word<Profile>(text);
}

Result<Libc> parse_libc(std::string_view text) {
  return parse_word<Libc>(text);
}

Result<Compression> parse_compression(std::string_view text) {
  return parse_word<Compression>(text);
}

Result<OutputFormat> parse_output_format(std::string_view text) {
  return parse_enum<OutputFormat, 2>(
      text, "format", {{{"archive", OutputFormat::archive}, {"oci-dir", OutputFormat::oci_dir}}});
}

std::string exec_form_hint(std::string_view shell_command) {
  std::vector<std::string> words = split_words(shell_command, false);
  std::string out = "[";
  for (size_t i = 0; i < words.size(); ++i) {
    out += i == 0 ? "\"" : ", \"";
    for (char c : words[i]) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

} // namespace sp::manifests
