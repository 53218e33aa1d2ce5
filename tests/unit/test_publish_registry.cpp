// Pure parts of the registry client: references, URLs, scheme rules, retry policy,
// WWW-Authenticate, base64, docker config files, redaction.
#include "publish/http.h"
#include "publish/registry.h"
#include "publish/registry_auth.h"

#include <doctest/doctest.h>
#include <fstream>

using namespace sp;
using namespace sp::packager;
using namespace sp::publish;

TEST_CASE("publish.registry: references split into registry, repository and tag") {
  RegistryRef r = parse_registry_ref("127.0.0.1:5000/hello:1.0").value();
  CHECK(r.registry == "127.0.0.1:5000");
  CHECK(r.repository == "hello");
  CHECK(r.tag == "1.0");
  CHECK(r.to_string() == "127.0.0.1:5000/hello:1.0");

  r = parse_registry_ref("registry.example.com/acme/tools/hello").value();
  CHECK(r.registry == "registry.example.com");
  CHECK(r.repository == "acme/tools/hello");
  CHECK(r.tag == "latest");

  r = parse_registry_ref("localhost/hello").value();
  CHECK(r.registry == "localhost");

  // No host: Docker Hub, with library/ for official-image style names.
  r = parse_registry_ref("hello").value();
  CHECK(r.registry == "docker.io");
  CHECK(r.repository == "library/hello");
  r = parse_registry_ref("acme/hello:2").value();
  CHECK(r.repository == "acme/hello");
  CHECK(api_host("docker.io") == "registry-1.docker.io");
  CHECK(api_host("127.0.0.1:5000") == "127.0.0.1:5000");

  CHECK_FALSE(parse_registry_ref("Hello:latest").ok());
  CHECK_FALSE(parse_registry_ref("127.0.0.1:5000/hello@sha256:abc").ok());
  Digest d = Digest::of("x");
  CHECK(parse_registry_ref("127.0.0.1:5000/a/b:t")->with_digest(d) ==
        "127.0.0.1:5000/a/b@" + d.to_string());
}

TEST_CASE("publish.registry: URL helpers resolve Location headers and encode queries") {
  std::string base = "http://127.0.0.1:5000/v2/hello/blobs/uploads/";
  auto resolve = [](std::string_view b, std::string_view location) {
    return http::resolve_url(b, location).value().text;
  };
  CHECK(resolve(base, "/v2/hello/blobs/uploads/abc?_state=x") ==
        "http://127.0.0.1:5000/v2/hello/blobs/uploads/abc?_state=x");
  CHECK(resolve(base, "https://other.test/upload/1") == "https://other.test/upload/1");
  CHECK(resolve(base, "abc?x=1") == "http://127.0.0.1:5000/v2/hello/blobs/uploads/abc?x=1");
  CHECK(resolve("https://r.test/a/b?q=1", "//cdn.test/x") == "https://cdn.test/x");
  CHECK(http::add_query("http://h/u", "digest", "sha256:ab") == "http://h/u?digest=sha256%3Aab");
  CHECK(http::add_query("http://h/u?_state=x", "digest", "sha256:ab") ==
        "http://h/u?_state=x&digest=sha256%3Aab");
  CHECK(http::url_encode("repository:a/b:pull,push") == "repository%3Aa%2Fb%3Apull%2Cpush");
  CHECK(http::url_origin("https://r.test:5000/v2/x?y") == "https://r.test:5000");
  CHECK(http::url_host("http://[::1]:5000/v2/") == "::1");
  CHECK(http::url_host("https://user@r.test:443/v2/") == "r.test");
  CHECK(http::url_host("127.0.0.1:5000") == "127.0.0.1");
  CHECK(http::status_text(503) == "503 Service Unavailable");
}

TEST_CASE("publish.registry: URLs are read as libcurl reads them") {
  http::Url u = http::parse_url("HTTP://Other-Host/token").value();
  CHECK(u.scheme == "http"); // any case: a realm in capitals is still plain HTTP
  CHECK(u.host == "other-host");
  CHECK(u.port == 80);
  CHECK_FALSE(u.explicit_port);
  CHECK(u.origin() == "http://other-host");
  CHECK(u.text == "http://Other-Host/token");

  u = http::parse_url("HTTP://127.0.0.1.evil.com/x").value();
  CHECK(u.host == "127.0.0.1.evil.com");
  CHECK_FALSE(http::is_loopback_host(u.host));

  // User info, however it is dressed up, is seen (and then refused by the callers).
  CHECK(http::parse_url("http://user@host/x")->has_userinfo);
  CHECK(http::parse_url("http://user:pw@host:81/x")->has_userinfo);
  u = http::parse_url("http://10.200.0.2\\@127.0.0.1/").value();
  CHECK(u.has_userinfo);
  CHECK(u.host == "127.0.0.1");
  CHECK_FALSE(http::parse_url("https://r.test/v2/")->has_userinfo);

  // IPv6 brackets, ports, the default port written out.
  u = http::parse_url("http://[::1]:5000/v2/").value();
  CHECK(u.host == "::1");
  CHECK(u.port == 5000);
  CHECK(u.authority() == "[::1]:5000");
  CHECK(u.origin() == "http://[::1]:5000");
  u = http::parse_url("HTTPS://Reg.Example.COM:443/v2/").value();
  CHECK(u.explicit_port);
  CHECK(u.origin() == "https://reg.example.com");
  CHECK(http::same_origin(u, http::parse_url("https://reg.example.com/x").value()));
  CHECK_FALSE(http::same_origin(u, http::parse_url("http://reg.example.com:443/").value()));
  CHECK_FALSE(http::same_origin(u, http::parse_url("https://reg.example.com:444/").value()));

  // IPv4 in other spellings is what libcurl connects to: 127.0.0.1.
  CHECK(http::parse_url("http://127.1/")->host == "127.0.0.1");
  CHECK(http::parse_url("http://2130706433:5000/")->host == "127.0.0.1");
  CHECK(http::parse_url("http://0x7f000001/")->host == "127.0.0.1");

  // A fragment is never sent, and a query appended later must not land in it.
  u = http::parse_url("http://10.200.0.2:8080#@127.0.0.1/").value();
  CHECK(u.host == "10.200.0.2");
  CHECK(u.text == "http://10.200.0.2:8080/");

  CHECK(http::parse_url("ftp://h/x")->scheme == "ftp"); // parsed, so callers can refuse it
  for (const char* bad : {" http://a/", "http://a b/", "http://h:99999/", "127.0.0.1:5000", "/v2/x",
                          "http:h", "", "://h/"}) {
    CAPTURE(bad);
    CHECK_FALSE(http::parse_url(bad).ok());
  }

  CHECK(http::parse_host_port("127.0.0.1:5000")->port == 5000);
  CHECK(http::parse_host_port("[::1]:5000")->host == "::1");
  CHECK(http::parse_host_port("localhost")->host == "localhost");
  CHECK_FALSE(http::parse_host_port("localhost")->explicit_port);
  CHECK(http::parse_host_port("HTTP://Host:5000/v2/")->authority() == "host:5000");
  CHECK(http::url_host("HTTPS://[::1]:5000/") == "::1");
  CHECK(http::url_origin("not a url") == "");
}

TEST_CASE("publish.registry: Locations resolve as RFC 3986 says, whatever they hold") {
  std::string base = "https://r.test/v2/hello/blobs/uploads/";
  // A relative Location whose query holds "://" is still relative (it used to be taken as
  // absolute and sent as is).
  CHECK(http::resolve_url(base, "/v2/hello/blobs/uploads/u1?next=http://evil.test/")->text ==
        "https://r.test/v2/hello/blobs/uploads/u1?next=http://evil.test/");
  CHECK(http::resolve_url(base, "HTTP://Other.Test/up")->origin() == "http://other.test");
  CHECK(http::resolve_url(base, "../../z")->text == "https://r.test/v2/hello/z");
  CHECK(http::resolve_url(base, "//user@cdn.test/x")->has_userinfo);
  CHECK_FALSE(http::resolve_url(base, "http://h:99999/").ok());
  CHECK_FALSE(http::resolve_url("relative/base", "/x").ok());
  // Found by fuzz.registry: libcurl read this as an absolute URL of scheme "50ehttps", which
  // parse_url (and RFC 3986: a scheme starts with a letter) refuses; every URL resolve_url
  // returns now parses back the same.
  CHECK_FALSE(http::resolve_url(base, "50ehttps://127.1/up").ok());
  CHECK_FALSE(http::resolve_url(base, "1http://h/").ok());
  CHECK(http::resolve_url(base, "h1+t.p-x://h/")->scheme == "h1+t.p-x");
}

TEST_CASE("publish.registry: where a URL from the registry may get plain HTTP") {
  auto url = [](const char* text) { return http::parse_url(text).value(); };
  // A loopback registry may point at loopback services, nothing else.
  CHECK(allows_insecure_url("127.0.0.1:5000", url("http://127.0.0.1:5001/token"), {}));
  CHECK(allows_insecure_url("127.0.0.1:5000", url("HTTP://LOCALHOST/token"), {}));
  CHECK(allows_insecure_url("localhost:5000", url("http://[::1]:9/token"), {}));
  CHECK_FALSE(allows_insecure_url("127.0.0.1:5000", url("HTTP://10.200.0.2:8080/token"), {}));
  CHECK_FALSE(allows_insecure_url("127.0.0.1:5000", url("http://127.0.0.1.evil.com/"), {}));
  CHECK_FALSE(allows_insecure_url("127.0.0.1:5000", url("http://localhost.evil.com/"), {}));
  CHECK_FALSE(allows_insecure_url("127.0.0.1:5000", url("http://[::ffff:127.0.0.1]/"), {}));
  // A remote registry cannot aim credentials at this machine's plain-HTTP services.
  CHECK_FALSE(allows_insecure_url("registry.example.com", url("http://127.0.0.1/token"), {}));
  CHECK_FALSE(allows_insecure_url("registry.example.com", url("http://localhost:80/"), {}));
  // Hosts the user listed: HOST for any port, HOST:PORT for that port.
  CHECK(allows_insecure_url("r.lan", url("http://auth.lan:8080/t"), {"auth.lan"}));
  CHECK(allows_insecure_url("r.lan", url("http://Auth.LAN:8080/t"), {"auth.lan:8080"}));
  CHECK_FALSE(allows_insecure_url("r.lan", url("http://auth.lan:8081/t"), {"auth.lan:8080"}));
  CHECK_FALSE(allows_insecure_url("r.lan", url("http://auth.lan.evil.test/t"), {"auth.lan"}));
  CHECK(allows_insecure_url("r.lan", url("http://[fd00::5]:5000/t"), {"[fd00::5]"}));
  CHECK_FALSE(allows_insecure_url("r.lan", url("http://10.200.0.2/t"), {"r.lan"}));
}

TEST_CASE("publish.registry: a request's deadline grows with the bytes it sends") {
  using ms = std::chrono::milliseconds;
  CHECK(request_deadline(ms(300000), 0) == ms(300000));
  CHECK(request_deadline(ms(300000), 8u << 20) == ms(300000 + 1024 * 1000)); // 8 MiB: +1024 s
  CHECK(request_deadline(ms(5000), 4096) == ms(5500));
  CHECK(request_deadline(ms(0), 1u << 30) == ms(0)); // no deadline stays none
  CHECK(k_default_timeout == ms(300000));
  CHECK(http::format_duration(ms(300000)) == "5m");
  CHECK(http::format_duration(ms(5000)) == "5s");
  CHECK(http::format_duration(ms(1500)) == "1500ms");
}

TEST_CASE("publish.registry: plain HTTP only for loopback and listed registries") {
  CHECK(http::is_loopback_host("localhost"));
  CHECK(http::is_loopback_host("127.0.0.1"));
  CHECK(http::is_loopback_host("127.1.2.3"));
  CHECK(http::is_loopback_host("::1"));
  CHECK(http::is_loopback_host("[::1]"));
  CHECK_FALSE(http::is_loopback_host("128.0.0.1"));
  CHECK_FALSE(http::is_loopback_host("127.0.0.1.example.com"));
  CHECK_FALSE(http::is_loopback_host("localhost.example.com"));

  CHECK(allows_insecure("127.0.0.1:5000", {}));
  CHECK(allows_insecure("localhost:5000", {}));
  CHECK_FALSE(allows_insecure("registry.example.com", {}));
  CHECK_FALSE(allows_insecure("docker.io", {}));
  // HOST allows every port; HOST:PORT only that one.
  CHECK(allows_insecure("registry.lan:5000", {"registry.lan"}));
  CHECK(allows_insecure("registry.lan:5000", {"registry.lan:5000"}));
  CHECK_FALSE(allows_insecure("registry.lan:5001", {"registry.lan:5000"}));
  CHECK(allows_insecure("Registry.LAN", {"http://registry.lan/"}));
  CHECK_FALSE(allows_insecure("registry.lan.evil.test", {"registry.lan"}));
  CHECK(allows_insecure("[fd00::5]:5000", {"[fd00::5]"}));
  CHECK(allows_insecure("2130706433:5000", {})); // 127.0.0.1, as libcurl reads it
  CHECK_FALSE(allows_insecure("127.0.0.1.evil.test:5000", {}));
}

TEST_CASE("publish.registry: retry policy — what is retried and how long to wait") {
  auto response = [](long status, http::NetError e = http::NetError::none) {
    http::Response r;
    r.status = status;
    r.net_error = e;
    return r;
  };
  CHECK(is_retryable(response(503)));
  CHECK(is_retryable(response(500)));
  CHECK(is_retryable(response(502)));
  CHECK(is_retryable(response(429)));
  CHECK_FALSE(is_retryable(response(501)));
  CHECK_FALSE(is_retryable(response(400)));
  CHECK_FALSE(is_retryable(response(401)));
  CHECK_FALSE(is_retryable(response(404)));
  CHECK_FALSE(is_retryable(response(201)));
  CHECK(is_retryable(response(0, http::NetError::connect)));
  CHECK(is_retryable(response(0, http::NetError::recv)));
  CHECK(is_retryable(response(0, http::NetError::send)));
  CHECK(is_retryable(response(0, http::NetError::empty_reply)));
  CHECK(is_retryable(response(0, http::NetError::partial)));
  CHECK(is_retryable(response(0, http::NetError::timeout)));
  CHECK_FALSE(is_retryable(response(0, http::NetError::deadline)));
  CHECK_FALSE(is_retryable(response(0, http::NetError::tls)));
  CHECK_FALSE(is_retryable(response(0, http::NetError::resolve)));

  using ms = std::chrono::milliseconds;
  RetryPolicy p;
  CHECK(retry_delay(p, 1, response(503)) == ms(200));
  CHECK(retry_delay(p, 2, response(503)) == ms(400));
  CHECK(retry_delay(p, 3, response(503)) == ms(800));
  CHECK(retry_delay(p, 10, response(503)) == ms(5000)); // capped
  http::Response later = response(429);
  later.headers = {{"Retry-After", "3"}};
  CHECK(retry_delay(p, 1, later) == ms(3000));
  later.headers = {{"Retry-After", "3600"}};
  CHECK(retry_delay(p, 1, later) == ms(30000)); // a registry cannot park us for an hour
  later.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  CHECK(retry_delay(p, 1, later) == ms(200)); // dates are not honoured: plain backoff
  p.base_delay = ms(0);
  CHECK(retry_delay(p, 4, response(503)) == ms(0));
}

TEST_CASE("publish.registry: WWW-Authenticate challenges") {
  std::vector<Challenge> c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/hello:pull,push")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].param("realm") == "https://auth.docker.io/token");
  CHECK(c[0].param("service") == "registry.docker.io");
  CHECK(c[0].param("scope") == "repository:library/hello:pull,push");

  c = parse_www_authenticate(R"(Basic realm="Registry Realm")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "basic");
  CHECK(c[0].param("realm") == "Registry Realm");

  // Several challenges, odd spacing and case, escapes, an unquoted value.
  c = parse_www_authenticate(
      R"(basic REALM = "a \"quoted\" realm" , BEARER realm=https://t.test/token, error="insufficient_scope")");
  REQUIRE(c.size() == 2);
  CHECK(c[0].param("realm") == "a \"quoted\" realm");
  CHECK(c[1].scheme == "bearer");
  CHECK(c[1].param("realm") == "https://t.test/token");
  CHECK(c[1].param("error") == "insufficient_scope");

  CHECK(parse_www_authenticate("").empty());
  CHECK(parse_www_authenticate("Negotiate").size() == 1);
}

TEST_CASE("publish.registry: base64 round trips and rejects garbage") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("user:s3cret") == "dXNlcjpzM2NyZXQ=");
  CHECK(base64_decode("dXNlcjpzM2NyZXQ=").value() == "user:s3cret");
  CHECK(base64_decode("dXNlcjpzM2NyZXQ").value() == "user:s3cret"); // padding optional
  CHECK_FALSE(base64_decode("not base64!").has_value());
  CHECK_FALSE(base64_decode("abcde").has_value());
}

TEST_CASE("publish.registry: docker config entries by host key variants") {
  std::string auth = base64_encode("alice:pa:ss");
  std::string config = R"({"auths":{
      "https://127.0.0.1:5000/v1/":{"auth":")" +
                       auth + R"("},
      "registry.example.com":{"username":"bob","password":"hunter2"},
      "http://plain.test:8080":{"auth":")" +
                       base64_encode("carol:x") + R"("},
      "https://index.docker.io/v1/":{"auth":")" +
                       base64_encode("dave:y") + R"("},
      "only-token.test":{"identitytoken":"abc"}},
    "credsStore":"desktop"})";
  auto get = [&](std::string_view registry) {
    return credentials_from_config(config, registry, "config.json").value();
  };
  REQUIRE(get("127.0.0.1:5000").has_value());
  CHECK(get("127.0.0.1:5000")->username == "alice");
  CHECK(get("127.0.0.1:5000")->password == "pa:ss"); // a ':' in the password survives
  CHECK(get("registry.example.com")->password == "hunter2");
  CHECK(get("Registry.Example.com")->username == "bob");
  CHECK(get("plain.test:8080")->username == "carol");
  CHECK(get("docker.io")->username == "dave");
  CHECK_FALSE(get("127.0.0.1:5001").has_value());
  CHECK_FALSE(get("127.0.0.1").has_value());
  CHECK_FALSE(get("only-token.test").has_value());
  CHECK_FALSE(credentials_from_config("{}", "x", "c").value().has_value());

  CHECK(normalize_registry_key("https://index.docker.io/v1/") == "docker.io");
  CHECK(normalize_registry_key("registry-1.docker.io") == "docker.io");
  CHECK(normalize_registry_key("HTTP://Host:5000/v2/") == "host:5000");
}

TEST_CASE("publish.registry: a malformed config names the file and quotes none of it") {
  std::string secret = "hunter2-very-secret";
  auto e = credentials_from_config(R"({"auths":{"h":{"password":")" + secret + "\"", "h",
                                   "/x/config.json");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().what == "/x/config.json");
  CHECK(e.error().why.find(secret) == std::string::npos);
  auto bad = credentials_from_config(R"({"auths":{"h":{"auth":"%%%)" + secret + R"("}}})", "h",
                                     "/x/config.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().why.find("not base64") != std::string::npos);
  CHECK(bad.error().why.find(secret) == std::string::npos);
}

TEST_CASE("publish.registry: credential sources in order, --creds first") {
  TempDir dir("sp-reg-creds");
  fs::path a = dir.path() / "auth.json";
  fs::path b = dir.path() / "config.json";
  std::ofstream(a) << R"({"auths":{"one.test":{"auth":")" << base64_encode("a:1") << R"("}}})";
  std::ofstream(b) << R"({"auths":{"one.test":{"auth":")" << base64_encode("b:2")
                   << R"("},"two.test":{"auth":")" << base64_encode("b:3") << R"("}}})";
  CredentialSources s;
  s.files = {dir.path() / "missing.json", a, b};
  auto one = find_credentials("one.test", s).value();
  REQUIRE(one.has_value());
  CHECK(one->credentials.username == "a");
  CHECK(one->source == a.string());
  CHECK(find_credentials("two.test", s).value()->credentials.password == "3");
  CHECK_FALSE(find_credentials("three.test", s).value().has_value());
  s.explicit_creds = "me:pw:with:colons";
  auto given = find_credentials("one.test", s).value();
  CHECK(given->credentials.username == "me");
  CHECK(given->credentials.password == "pw:with:colons");
  CHECK(given->source == "--creds");

  s.explicit_creds = "no-colon-secret";
  auto bad = find_credentials("one.test", s);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().exit_code() == 2);
  CHECK(bad.error().why.find("no-colon-secret") == std::string::npos);
}

TEST_CASE("publish.registry: redaction removes every secret from an Error") {
  Error e = failure("push r.test/x:latest", "token tok-123 rejected for user:pw",
                    "dXNlcjpwdw== was sent");
  e.details = "Authorization: Basic dXNlcjpwdw==";
  Error r = redact(e, {"tok-123", "dXNlcjpwdw==", "user:pw", "pw", ""});
  for (const std::string& text : {r.what, r.why, r.hint, r.details}) {
    CHECK(text.find("tok-123") == std::string::npos);
    CHECK(text.find("dXNlcjpwdw==") == std::string::npos);
    CHECK(text.find("pw") == std::string::npos);
  }
  CHECK(r.why == "token *** rejected for ***");
  CHECK(redact("pwpwpw", {"pw"}) == "*********");
}
