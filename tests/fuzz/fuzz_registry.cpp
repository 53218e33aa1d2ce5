// libFuzzer target for what a registry (or a login file) sends scratchpack: WWW-Authenticate
// challenges, token service answers, Locations, Docker-Content-Digest and Range headers,
// {"errors":[…]} bodies, docker config.json / auth.json, and the URLs in all of them (read with
// libcurl's URL API, publish/http.h). No network: the input scripts the server.
//
// Input, as text (the seeds in corpus/registry/ show it):
//   line 1            the reference pushed to ("127.0.0.1:5000/acme/hello:v1")
//   up to "\n--\n"    a docker config.json, looked up for that registry
//   then, each ended by "\n--\n", the server's answers in order, each
//                     "STATUS\nName: value\n…\n\nBODY"; status 0 fails below HTTP
//                     ("0 8": http::NetError number 8, TLS)
// A push of a small image then runs against those answers (ping, token, HEAD, mount, chunked
// and monolithic uploads, manifest PUTs); when they run out, the connection is refused.
//
// Besides "no crash, leak or hang", it checks what the registry client promises:
// - a URL's normalised text parses back to the same scheme, host, port and user info (the
//   decisions are made on the parts, the request goes to the text);
// - every request goes to an http(s) URL without user info, and one that carries an
//   Authorization header goes to the registry itself, or is the token request;
// - credentials never cross plain HTTP to a host not allowed it;
// - an error never shows the password.
#include "packager/blob_store.h"
#include "publish/http.h"
#include "publish/registry.h"
#include "publish/registry_auth.h"
#include "util/diagnostics.h"
#include "util/fs.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace http = sp::publish::http;
namespace pk = sp::packager;
using sp::Result;

constexpr std::string_view k_separator = "\n--\n";
constexpr std::string_view k_default_ref = "127.0.0.1:5000/acme/hello:v1";
const std::vector<std::string> k_insecure = {"insecure.example.com"};

// A broken promise: reported like a sanitizer finding (libFuzzer keeps the input).
void expect(bool ok, const char* what, std::string_view detail = {}) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_registry: %s: %.*s\n", what, static_cast<int>(detail.size()),
                 detail.data());
    std::abort();
  }
}

std::vector<std::string_view> split_on(std::string_view text, std::string_view separator) {
  std::vector<std::string_view> out;
  for (size_t at = text.find(separator); at != std::string_view::npos; at = text.find(separator)) {
    out.push_back(text.substr(0, at));
    text.remove_prefix(at + separator.size());
  }
  out.push_back(text);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// "STATUS [NETERROR]\nheaders\n\nbody" → a Response; a status of 0 fails below HTTP with the
// NetError numbered NETERROR.
http::Response parse_answer(std::string_view text) {
  http::Response r;
  size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  size_t i = 0;
  while (i < line.size() && i < 4 && std::isdigit(static_cast<unsigned char>(line[i]))) {
    r.status = r.status * 10 + (line[i++] - '0');
  }
  if (r.status == 0) {
    unsigned n = 0;
    for (char c : line.substr(i)) {
      n = std::isdigit(static_cast<unsigned char>(c)) ? (n * 10 + (c - '0')) % 1000 : n;
    }
    r.net_error = static_cast<http::NetError>(n % 11 == 0 ? 1 : n % 11);
    r.net_message = std::string(line);
  }
  while (!text.empty()) {
    end = text.find('\n');
    line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (trim(line).empty()) {
      break;
    }
    if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      r.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                             std::string(trim(line.substr(colon + 1))));
    }
  }
  r.body = std::string(text);
  return r;
}

void expect_same_url(const http::Url& a, const http::Url& b, const char* what) {
  expect(a.scheme == b.scheme && a.host == b.host && a.port == b.port &&
             a.has_userinfo == b.has_userinfo,
         what, a.text + " / " + b.text);
}

// Every URL entry point on one piece of text, and the promise that the normalised text means
// what was checked.
void check_url(std::string_view text) {
  if (Result<http::Url> u = http::parse_url(text)) {
    Result<http::Url> again = http::parse_url(u->text);
    expect(again.ok(), "a normalised URL does not parse again", u->text);
    expect_same_url(*u, *again, "a normalised URL parses to other parts");
    expect(http::url_origin(text) == u->origin(), "url_origin differs from parse_url", u->text);
    (void)u->authority();
    (void)http::is_loopback_host(u->host);
  }
  Result<http::Url> hp = http::parse_host_port(text);
  expect(http::url_host(text) == (hp ? hp->host : std::string()),
         "url_host differs from parse_host_port", text);
  if (Result<http::Url> r = http::resolve_url(
          "https://registry.example.com:5000/v2/acme/hello/blobs/uploads/", text)) {
    Result<http::Url> again = http::parse_url(r->text);
    expect(again.ok(), "a resolved URL does not parse again", r->text);
    expect_same_url(*r, *again, "a resolved URL parses to other parts");
  }
}

// The server: answers in order, then refused connections. Checks each request on the way.
class ScriptedServer final : public http::Transport {
public:
  ScriptedServer(std::deque<http::Response> answers, const sp::publish::RegistryRef& ref)
      : m_answers(std::move(answers)), m_ref(ref) {}

  http::Response send(const http::Request& request) override {
    check(request);
    if (m_answers.empty()) {
      http::Response refused;
      refused.net_error = http::NetError::connect;
      refused.net_message = "refused";
      return refused;
    }
    http::Response r = std::move(m_answers.front());
    m_answers.pop_front();
    return r;
  }

private:
  void check(const http::Request& request) const {
    Result<http::Url> url = http::parse_url(request.url);
    expect(url.ok(), "a request to a URL that does not parse", request.url);
    expect(url->scheme == "http" || url->scheme == "https", "a request neither http nor https",
           request.url);
    expect(!url->has_userinfo, "a request to a URL with user info", request.url);
    if (http::header_value(request.headers, "Authorization").empty()) {
      return;
    }
    std::string host = sp::publish::api_host(m_ref.registry);
    Result<http::Url> registry = http::parse_host_port(host);
    bool ours =
        registry && url->host == registry->host &&
        (url->explicit_port ? url->port : 0) == (registry->explicit_port ? registry->port : 0);
    bool token_request = request.method == "GET" && request.follow_redirects;
    expect(ours || token_request, "an Authorization header sent to another host", request.url);
    if (url->scheme == "http") {
      bool allowed = ours ? sp::publish::allows_insecure(m_ref.registry, k_insecure)
                          : sp::publish::allows_insecure_url(m_ref.registry, *url, k_insecure);
      expect(allowed, "credentials sent over plain HTTP to a host not allowed it", request.url);
    }
  }

  std::deque<http::Response> m_answers;
  sp::publish::RegistryRef m_ref;
};

// A small image in a private store: a 100-byte layer (sent in two PATCH chunks of 64 bytes and
// a PUT), a config (one PUT) and a manifest.
struct SmallImage {
  std::unique_ptr<sp::TempDir> dir = std::make_unique<sp::TempDir>("fuzz-registry");
  pk::BlobStore store = *pk::BlobStore::open(dir->path() / "blobs");
  pk::Descriptor root;

  SmallImage() {
    pk::BlobInfo layer = *store.put(std::string(100, 'L'));
    pk::BlobInfo config = *store.put(R"({"architecture":"amd64","os":"linux"})");
    std::string manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
        config.digest.to_string() + R"(","size":)" + std::to_string(config.size) +
        R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" +
        layer.digest.to_string() + R"(","size":100}]})";
    pk::BlobInfo m = *store.put(manifest);
    root = pk::Descriptor{std::string(pk::media_type::k_manifest), m.digest, m.size, {}, {}};
  }
};

bool distinctive(const std::string& secret) {
  return secret.size() >= 6 && std::all_of(secret.begin(), secret.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c));
         });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SmallImage image;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t eol = text.find('\n');
  std::string_view ref_text = text.substr(0, eol);
  text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);

  check_url(ref_text);
  Result<sp::publish::RegistryRef> parsed = sp::publish::parse_registry_ref(ref_text);
  sp::publish::RegistryRef ref = parsed ? *parsed : *sp::publish::parse_registry_ref(k_default_ref);

  std::vector<std::string_view> sections = split_on(text, k_separator);
  std::string_view config = sections.front();
  std::optional<sp::publish::FoundCredentials> creds;
  if (Result<std::optional<sp::publish::Credentials>> c =
          sp::publish::credentials_from_config(config, ref.registry, "config.json");
      c && c->has_value()) {
    creds = sp::publish::FoundCredentials{**c, "config.json"};
  }
  (void)sp::publish::credentials_from_config(config, "docker.io", "config.json");
  std::optional<std::string> decoded = sp::publish::base64_decode(config);
  std::string encoded = sp::publish::base64_encode(config);
  expect(sp::publish::base64_decode(encoded) == std::string(config),
         "base64 does not decode what it encoded");
  (void)decoded;

  std::deque<http::Response> answers;
  for (size_t i = 1; i < sections.size(); ++i) {
    http::Response r = parse_answer(sections[i]);
    for (const auto& [name, value] : r.headers) {
      (void)sp::publish::parse_www_authenticate(value);
      check_url(value);
    }
    answers.push_back(std::move(r));
  }

  ScriptedServer server(std::move(answers), ref);
  sp::publish::PushOptions options;
  options.credentials.given = creds;
  options.insecure_registries = k_insecure;
  options.retry.max_attempts = 3;
  options.sleep = [](std::chrono::milliseconds) {};
  options.chunk_size = 64;
  options.mount_from = {"acme/base"};
  options.extra_tags = {"v2"};
  options.transport = &server;
  Result<sp::publish::PushResult> pushed =
      sp::publish::push_descriptor(image.root, image.store, ref, options);
  if (!pushed && creds && distinctive(creds->credentials.password)) {
    std::string shown = sp::render(pushed.error());
    expect(shown.find(creds->credentials.password) == std::string::npos,
           "an error shows the password", shown);
  }
  return 0;
}
