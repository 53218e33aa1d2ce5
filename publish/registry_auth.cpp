#include "publish/registry_auth.h"

#include "util/strings.h"

#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace sp::publish {

namespace {

using nlohmann::json;

constexpr std::string_view k_b64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "user:pass" → Credentials; nullopt without a ':' or with an empty user.
std::optional<Credentials> split_user_pass(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::nullopt;
  }
  return Credentials{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

// Reads one `auths` entry. An entry without usable fields is skipped (nullopt), as podman does
// for entries that only hold an identity token.
Result<std::optional<Credentials>> read_entry(const json& entry, std::string_view key,
                                              std::string_view where) {
  if (!entry.is_object()) {
    return failure(std::string(where), "the entry for '" + std::string(key) + "' is not an object");
  }
  std::string auth = entry.value("auth", json("")).is_string() ? entry.value("auth", "") : "";
  if (!auth.empty()) {
    std::optional<std::string> decoded = base64_decode(auth);
    std::optional<Credentials> c = decoded ? split_user_pass(*decoded) : std::nullopt;
    if (!c) {
      return failure(std::string(where), "the 'auth' of the entry for '" + std::string(key) +
                                             "' is not base64 of USER:PASSWORD");
    }
    return std::optional<Credentials>(*c);
  }
  const json& user = entry.contains("username") ? entry["username"] : json();
  const json& pass = entry.contains("password") ? entry["password"] : json();
  if (user.is_string() && pass.is_string() && !user.get<std::string>().empty()) {
    return std::optional<Credentials>(
        Credentials{user.get<std::string>(), pass.get<std::string>()});
  }
  return std::optional<Credentials>();
}

size_t skip_separators(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) {
    ++i;
  }
  return i;
}

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
    ++i;
  }
  return i;
}

// A parameter value: a quoted-string (with \-escapes) or a token up to ',' or space.
std::string read_value(std::string_view s, size_t& i) {
  std::string value;
  if (i < s.size() && s[i] == '"') {
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
      }
      value += s[i++];
    }
    if (i < s.size()) {
      ++i; // closing quote
    }
    return value;
  }
  while (i < s.size() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') {
    value += s[i++];
  }
  return value;
}

} // namespace

CredentialSources default_credential_sources() {
  CredentialSources sources;
  if (std::string file = env("REGISTRY_AUTH_FILE"); !file.empty()) {
    sources.files.emplace_back(file);
  } else {
    if (std::string run = env("XDG_RUNTIME_DIR"); !run.empty()) {
      sources.files.push_back(fs::path(run) / "containers" / "auth.json");
    }
    std::string config_home = env("XDG_CONFIG_HOME");
    if (config_home.empty() && !env("HOME").empty()) {
      config_home = env("HOME") + "/.config";
    }
    if (!config_home.empty()) {
      sources.files.push_back(fs::path(config_home) / "containers" / "auth.json");
    }
  }
  if (std::string docker = env("DOCKER_CONFIG"); !docker.empty()) {
    sources.files.push_back(fs::path(docker) / "config.json");
  } else if (std::string home = env("HOME"); !home.empty()) {
    sources.files.push_back(fs::path(home) / ".docker" / "config.json");
  }
  return sources;
}

Result<Credentials> parse_creds(std::string_view text) {
  std::optional<Credentials> c = split_user_pass(text);
  if (!c) {
    return usage_error("--creds", "expects USER:PASSWORD (the value is not shown)",
                       "or put the credentials in a docker config file (DOCKER_CONFIG) or "
                       "$REGISTRY_AUTH_FILE");
  }
  return *c;
}

std::string normalize_registry_key(std::string_view key) {
  if (size_t scheme = key.find("://"); scheme != std::string_view::npos) {
    key.remove_prefix(scheme + 3);
  }
  key = key.substr(0, key.find('/'));
  std::string k = lower(key);
  if (k == "index.docker.io" || k == "registry-1.docker.io" || k == "registry.hub.docker.com") {
    return "docker.io";
  }
  return k;
}

Result<std::optional<Credentials>> credentials_from_config(std::string_view json_text,
                                                           std::string_view registry,
                                                           std::string_view where) {
  // Parse without exceptions: nlohmann's messages quote the text near the error, which may be a
  // password.
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return failure(std::string(where), "is not a JSON object (a docker config or auth.json)");
  }
  if (!j.contains("auths")) {
    return std::optional<Credentials>();
  }
  const json& auths = j["auths"];
  if (!auths.is_object()) {
    return failure(std::string(where), "'auths' is not an object");
  }
  std::string want = normalize_registry_key(registry);
  for (const auto& [key, entry] : auths.items()) {
    if (normalize_registry_key(key) != want) {
      continue;
    }
    Result<std::optional<Credentials>> c = read_entry(entry, key, where);
    if (!c || c->has_value()) {
      return c;
    }
  }
  return std::optional<Credentials>();
}

Result<std::optional<FoundCredentials>> find_credentials(std::string_view registry,
                                                         const CredentialSources& sources) {
  if (sources.explicit_creds) {
    Result<Credentials> c = parse_creds(*sources.explicit_creds);
    if (!c) {
      return c.take_error();
    }
    return std::optional<FoundCredentials>(FoundCredentials{*c, "--creds"});
  }
  if (sources.given) {
    return sources.given;
  }
  for (const fs::path& file : sources.files) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      continue;
    }
    Result<std::string> text = read_file(file);
    if (!text) {
      return text.take_error();
    }
    Result<std::optional<Credentials>> c = credentials_from_config(*text, registry, file.string());
    if (!c) {
      Error e = c.take_error();
      e.kind = ErrorKind::usage_or_io;
      return e;
    }
    if (c->has_value()) {
      return std::optional<FoundCredentials>(FoundCredentials{**c, file.string()});
    }
  }
  return std::optional<FoundCredentials>();
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += k_b64[(v >> 6) & 63];
    out += k_b64[v & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) {
      v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    }
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += rest == 2 ? k_b64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  text = trim(text);
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = k_b64.find(c);
    if (v == std::string_view::npos) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::vector<Challenge> parse_www_authenticate(std::string_view header) {
  std::vector<Challenge> out;
  size_t i = 0;
  while ((i = skip_separators(header, i)) < header.size()) {
    size_t start = i;
    while (i < header.size() && header[i] != ' ' && header[i] != '\t' && header[i] != '=' &&
           header[i] != ',') {
      ++i;
    }
    std::string token = lower(header.substr(start, i - start));
    size_t after = skip_spaces(header, i);
    if (after < header.size() && header[after] == '=' && !out.empty() && !token.empty()) {
      i = skip_spaces(header, after + 1);
      out.back().params[token] = read_value(header, i);
    } else if (!token.empty()) {
      out.push_back(Challenge{token, {}});
    } else {
      ++i; // a stray '=': skip it
    }
  }
  return out;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.empty()) {
      continue;
    }
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) {
      text.replace(pos, s.size(), "***");
    }
  }
  return text;
}

Error redact(Error error, const std::vector<std::string>& secrets) {
  error.what = redact(std::move(error.what), secrets);
  error.why = redact(std::move(error.why), secrets);
  error.hint = redact(std::move(error.hint), secrets);
  error.details = redact(std::move(error.details), secrets);
  return error;
}

Authenticator::Authenticator(std::optional<FoundCredentials> credentials, Send send,
                             AllowsInsecure allows_insecure)
    : m_credentials(std::move(credentials)), m_send(std::move(send)),
      m_allows_insecure(std::move(allows_insecure)) {}

std::string Authenticator::credentials_source() const {
  return m_credentials ? m_credentials->source : std::string();
}

std::vector<std::string> Authenticator::secrets() const {
  std::vector<std::string> out = m_issued;
  if (m_credentials) {
    const Credentials& c = m_credentials->credentials;
    out.push_back(base64_encode(c.username + ":" + c.password));
    out.push_back(c.username + ":" + c.password);
    out.push_back(c.password);
  }
  return out;
}

Result<bool> Authenticator::answer(const http::Response& unauthorized,
                                   const std::vector<std::string>& scopes) {
  std::vector<Challenge> challenges =
      parse_www_authenticate(unauthorized.header("WWW-Authenticate"));
  for (const Challenge& c : challenges) {
    if (c.scheme == "bearer") {
      return fetch_token(c, scopes);
    }
  }
  for (const Challenge& c : challenges) {
    if (c.scheme == "basic" && m_credentials) {
      const Credentials& cred = m_credentials->credentials;
      std::string header = "Basic " + base64_encode(cred.username + ":" + cred.password);
      bool changed = header != m_authorization;
      m_authorization = header;
      return changed;
    }
  }
  return false;
}

namespace {

// The realm of a Bearer challenge as a URL the token request may go to. Only the parsed,
// normalised form is ever used or shown: the raw text is the registry's.
Result<http::Url> check_realm(const std::string& text) {
  if (text.empty()) {
    return failure("", "the registry's Bearer challenge names no realm (token service URL)");
  }
  Result<http::Url> realm = http::parse_url(text);
  if (!realm) {
    return failure("", "the realm of the registry's Bearer challenge is not a usable URL (" +
                           realm.error().why + ")");
  }
  if (realm->scheme != "http" && realm->scheme != "https") {
    return failure("", "the token service " + realm->origin() +
                           " is neither http nor https; nothing is sent there");
  }
  if (realm->has_userinfo) {
    return failure("", "the token service URL " + realm->origin() +
                           " holds a user name (user@host); nothing is sent there");
  }
  return realm;
}

} // namespace

Result<bool> Authenticator::fetch_token(const Challenge& challenge,
                                        const std::vector<std::string>& scopes) {
  auto realm = SP_TRY(check_realm(challenge.param("realm")));
  bool insecure = m_allows_insecure(realm);
  if (m_credentials && realm.scheme == "http" && !insecure) {
    return failure("",
                   "the token service " + realm.origin() +
                       " uses plain HTTP; credentials are not sent there",
                   "pass --insecure-registry " + realm.authority() + " if that host is trusted");
  }
  http::Request request;
  request.url = realm.text;
  if (std::string service = challenge.param("service"); !service.empty()) {
    request.url = http::add_query(request.url, "service", service);
  }
  for (const std::string& scope : scopes) {
    request.url = http::add_query(request.url, "scope", scope);
  }
  request.follow_redirects = true;
  request.insecure_tls = insecure;
  if (m_credentials) {
    const Credentials& c = m_credentials->credentials;
    request.headers.emplace_back("Authorization",
                                 "Basic " + base64_encode(c.username + ":" + c.password));
  }
  http::Response r = m_send(request);
  if (r.status == 401 || r.status == 403) {
    return false; // the caller words the refusal: it knows whether credentials were given
  }
  if (r.status != 200) {
    std::string why = r.status == 0
                          ? std::string(http::describe(r.net_error)) + " (" + r.net_message + ")"
                          : http::status_text(r.status);
    return failure("", "the token service " + realm.origin() + " failed: " + why);
  }
  json j = json::parse(r.body, nullptr, false);
  std::string token;
  if (j.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty()) {
        token = j[key].get<std::string>();
        break;
      }
    }
  }
  if (token.empty()) {
    return failure("", "the token service " + realm.origin() + " returned no token");
  }
  m_issued.push_back(token);
  std::string header = "Bearer " + token;
  bool changed = header != m_authorization;
  m_authorization = header;
  return changed;
}

} // namespace sp::publish
