// push() against the in-memory registry: order of calls, HEAD skips, mounts, chunked uploads,
// Basic and Bearer auth, retries with a new upload session, digest checks, and that no secret
// ever reaches an Error.
#include "packager/image.h"
#include "packager/writers.h"
#include "publish/push_source.h"
#include "publish/registry.h"
#include "test_packager_helpers.h"
#include "test_publish_registry_fake.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <map>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;
using namespace sp::publish;
using namespace sp::publish::testing;

namespace {

struct Fixture {
  TempDir dir{"sp-registry"};
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  FakeRegistry registry;
  std::vector<std::chrono::milliseconds> waits;
  std::vector<PushEvent> events;

  Image image(const std::string& content, const std::string& platform = "linux/amd64") {
    LayerSpec spec;
    spec.add_bytes("/hello", content, 0755);
    LayerOptions o;
    o.compression = Compression::none;
    Layer l = build_layer(spec, o, store).value();
    ImageConfig c = default_config(parse_platform(platform).value(), 0);
    c.cmd = std::vector<std::string>{"/hello"};
    return make_image(c, {l}, standard_annotations(0, "hello"), store).value();
  }

  PushOptions options() {
    PushOptions o;
    o.transport = &registry;
    o.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    o.progress = [this](const PushEvent& e) { events.push_back(e); };
    return o;
  }

  RegistryRef ref(const std::string& text = "registry.test/acme/hello:latest") {
    return parse_registry_ref(text).value();
  }

  size_t events_of(PushEvent::Kind kind) const {
    size_t n = 0;
    for (const PushEvent& e : events) {
      n += e.kind == kind ? 1 : 0;
    }
    return n;
  }
};

http::Response answer(long status) {
  http::Response r;
  r.status = status;
  return r;
}

http::Response dropped() {
  http::Response r;
  r.net_error = http::NetError::empty_reply;
  r.net_message = "Empty reply from server";
  return r;
}

bool is_blob_upload(const http::Request& r) {
  return r.url.find("/blobs/uploads/") != std::string::npos;
}

} // namespace

TEST_CASE("publish.registry push: blobs, then the manifest by digest, then the tag") {
  Fixture f;
  Image image = f.image("hello binary");
  PushResult r = push(image, f.store, f.ref(), f.options()).value();
  CHECK(r.digest == image.manifest.digest);
  CHECK(r.pushed() == "registry.test/acme/hello@" + image.manifest.digest.to_string());
  CHECK(r.counters.blobs_uploaded == 2);
  CHECK(r.counters.blobs_skipped == 0);
  CHECK(r.counters.bytes_uploaded == image.config.size + image.layers[0].size);
  CHECK(r.counters.manifests_put == 2);

  std::string digest = image.manifest.digest.to_string();
  auto& m = f.registry.manifests["acme/hello"];
  CHECK(m[digest] == image.manifest_bytes);
  CHECK(m["latest"] == image.manifest_bytes);
  CHECK(f.registry.content_types["acme/hello"]["latest"] == media_type::k_manifest);
  CHECK(f.registry.blobs[image.layers[0].digest.to_string()] ==
        blob_bytes(f.store, image.layers[0].digest));

  // The log: ping, then per blob HEAD → POST → PUT, then manifest by digest, then tag.
  std::vector<std::string>& log = f.registry.log;
  REQUIRE(log.size() == 9);
  CHECK(log[0] == "GET /v2/");
  CHECK(log[1] == "HEAD /v2/acme/hello/blobs/" + image.config.digest.to_string());
  CHECK(log[2] == "POST /v2/acme/hello/blobs/uploads/");
  CHECK(log[3].starts_with("PUT /v2/acme/hello/blobs/uploads/u1?_state=x&digest=sha256%3A"));
  CHECK(log[7] == "PUT /v2/acme/hello/manifests/" + digest);
  CHECK(log[8] == "PUT /v2/acme/hello/manifests/latest");
  CHECK(f.events_of(PushEvent::Kind::blob_uploaded) == 2);
  CHECK(f.events_of(PushEvent::Kind::tag_put) == 1);
}

TEST_CASE("publish.registry push: a second push HEADs every blob and uploads none") {
  Fixture f;
  Image image = f.image("same");
  REQUIRE(push(image, f.store, f.ref(), f.options()).ok());
  f.registry.log.clear();
  PushResult again = push(image, f.store, f.ref(), f.options()).value();
  CHECK(again.counters.blobs_uploaded == 0);
  CHECK(again.counters.blobs_skipped == 2);
  CHECK(again.counters.bytes_uploaded == 0);
  CHECK(f.registry.count("POST") == 0);
  CHECK(f.registry.count("PATCH") == 0);
  CHECK(f.registry.count("PUT /v2/acme/hello/blobs") == 0);
  CHECK(again.digest == image.manifest.digest);
}

TEST_CASE("publish.registry push: blobs of another repository are mounted, not uploaded") {
  Fixture f;
  Image image = f.image("shared");
  REQUIRE(push(image, f.store, f.ref("registry.test/a/hello"), f.options()).ok());
  PushOptions o = f.options();
  o.mount_from = {"registry.test/a/hello", "b/other"};
  PushResult r = push(image, f.store, f.ref("registry.test/b/hello"), o).value();
  CHECK(r.counters.blobs_mounted == 2);
  CHECK(r.counters.blobs_uploaded == 0);
  CHECK(f.registry.count("POST /v2/b/hello/blobs/uploads/?mount=sha256%3A") == 2);
  CHECK(f.registry.repo_blobs["b/hello"].size() == 2);

  // A source that lacks the blob: the session the registry opened instead is used.
  f.registry.log.clear();
  Image other = f.image("not shared");
  o.mount_from = {"a/nothing-here"};
  PushResult up = push(other, f.store, f.ref("registry.test/c/hello"), o).value();
  CHECK(up.counters.blobs_mounted == 0);
  CHECK(up.counters.blobs_uploaded == 2);
  CHECK(f.registry.count("POST /v2/c/hello/blobs/uploads/?mount=") == 2);
  CHECK(std::count(f.registry.log.begin(), f.registry.log.end(),
                   "POST /v2/c/hello/blobs/uploads/") == 0);

  o.mount_from = {"elsewhere.test/a/hello"};
  auto wrong = push(image, f.store, f.ref("registry.test/d/hello"), o);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().exit_code() == 2);
}

TEST_CASE("publish.registry push: large blobs go in PATCH chunks") {
  Fixture f;
  Image image = f.image(pseudo_text(10000, 7));
  PushOptions o = f.options();
  o.chunk_size = 4096;
  PushResult r = push(image, f.store, f.ref(), o).value();
  uint64_t size = image.layers[0].size;
  REQUIRE(size > 8192);
  CHECK(f.registry.count("PATCH") == (size + 4095) / 4096);
  CHECK(f.registry.blobs[image.layers[0].digest.to_string()] ==
        blob_bytes(f.store, image.layers[0].digest));
  CHECK(r.counters.bytes_uploaded == size + image.config.size);

  // chunk_size 0: always one PUT.
  Fixture g;
  Image same = g.image(pseudo_text(10000, 7));
  PushOptions mono = g.options();
  mono.chunk_size = 0;
  REQUIRE(push(same, g.store, g.ref(), mono).ok());
  CHECK(g.registry.count("PATCH") == 0);
}

TEST_CASE("publish.registry push: an index goes up after its manifests, children first") {
  Fixture f;
  Image amd = f.image("x86", "linux/amd64");
  Image arm = f.image("arm", "linux/arm64");
  Index index = make_index({amd, arm}, {}, f.store).value();
  PushOptions o = f.options();
  o.extra_tags = {"1.0", "latest"};
  PushResult r = push(index, f.store, f.ref(), o).value();
  CHECK(r.digest == index.descriptor.digest);
  CHECK(r.media_type == media_type::k_index);
  CHECK(r.counters.manifests_put == 5); // 2 manifests + index + 2 distinct tags
  auto& m = f.registry.manifests["acme/hello"];
  CHECK(m["latest"] == index.bytes);
  CHECK(m["1.0"] == index.bytes);
  CHECK(f.registry.content_types["acme/hello"]["latest"] == media_type::k_index);
  std::vector<std::string> puts;
  for (const std::string& l : f.registry.log) {
    if (l.starts_with("PUT /v2/acme/hello/manifests/")) {
      puts.push_back(l.substr(29));
    }
  }
  REQUIRE(puts.size() == 5);
  CHECK(puts[2] == index.descriptor.digest.to_string());
  CHECK(puts[3] == "latest");
  CHECK(puts[4] == "1.0");
}

TEST_CASE("publish.registry push: 503s and dropped connections are retried in new sessions") {
  Fixture f;
  Image image = f.image("flaky");
  int failures = 0;
  f.registry.fault = [&](const http::Request& r) -> std::optional<http::Response> {
    if (!is_blob_upload(r) || failures >= 3) {
      return std::nullopt;
    }
    ++failures;
    return failures == 3 ? dropped() : answer(503);
  };
  PushOptions o = f.options();
  PushResult r = push(image, f.store, f.ref(), o).value();
  CHECK(r.digest == image.manifest.digest);
  CHECK(r.counters.retries == 3);
  CHECK(r.counters.blobs_uploaded == 2);
  CHECK(f.waits == std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(200),
                                                          std::chrono::milliseconds(400),
                                                          std::chrono::milliseconds(800)});
  CHECK(f.events_of(PushEvent::Kind::retry) == 3);

  // A PUT that fails mid-upload restarts with a new POST, not the dead session.
  Fixture g;
  Image other = g.image("put fails once");
  bool failed = false;
  g.registry.fault = [&](const http::Request& r) -> std::optional<http::Response> {
    if (r.method == "PUT" && is_blob_upload(r) && !failed) {
      failed = true;
      return answer(500);
    }
    return std::nullopt;
  };
  REQUIRE(push(other, g.store, g.ref(), g.options()).ok());
  CHECK(g.registry.count("POST /v2/acme/hello/blobs/uploads/") == 3); // 2 blobs + 1 restart
}

TEST_CASE("publish.registry push: retries run out with a clear error; 4xx are not retried") {
  Fixture f;
  Image image = f.image("down");
  f.registry.fault = [](const http::Request& r) -> std::optional<http::Response> {
    if (r.method == "HEAD") {
      http::Response busy = answer(429);
      busy.headers = {{"Retry-After", "1"}};
      return busy;
    }
    return std::nullopt;
  };
  PushOptions o = f.options();
  o.retry.max_attempts = 3;
  auto r = push(image, f.store, f.ref(), o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().exit_code() == 1);
  CHECK(r.error().what == "push registry.test/acme/hello:latest");
  CHECK(r.error().why.find("429 Too Many Requests after 3 attempts") != std::string::npos);
  CHECK(f.waits == std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000),
                                                          std::chrono::milliseconds(1000)});

  Fixture g;
  Image bad = g.image("bad");
  g.registry.fault = [](const http::Request& r) -> std::optional<http::Response> {
    if (r.method == "PUT" && r.url.find("/manifests/") != std::string::npos) {
      http::Response no = answer(400);
      no.body = R"({"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]})";
      return no;
    }
    return std::nullopt;
  };
  auto refused = push(bad, g.store, g.ref(), g.options());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().why.find("400 Bad Request (MANIFEST_INVALID: manifest invalid)") !=
        std::string::npos);
  CHECK(g.waits.empty());
}

TEST_CASE("publish.registry push: the digest the registry reports must be ours") {
  Fixture f;
  Image image = f.image("tampered");
  f.registry.lie_about_digest = Digest::of("something else").to_string();
  auto r = push(image, f.store, f.ref(), f.options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why.find("the registry reports " + f.registry.lie_about_digest) !=
        std::string::npos);
}

TEST_CASE("publish.registry push: Basic auth from credentials; none gives the clear message") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::basic;
  Image image = f.image("private");
  auto anonymous = push(image, f.store, f.ref(), f.options());
  REQUIRE_FALSE(anonymous.ok());
  CHECK(anonymous.error().why == "the registry requires authentication (401 Unauthorized)");
  CHECK(anonymous.error().hint.find("--username USER --password-stdin") != std::string::npos);
  CHECK(anonymous.error().exit_code() == 1);

  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  PushResult r = push(image, f.store, f.ref(), o).value();
  CHECK(r.counters.blobs_uploaded == 2);

  o.credentials.explicit_creds = "user:wrong-pass";
  auto wrong = push(image, f.store, f.ref(), o);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().why ==
        "the registry rejected the credentials from --creds (401 Unauthorized)");
  for (const std::string& text : {wrong.error().what, wrong.error().why, wrong.error().hint}) {
    CHECK(text.find("wrong-pass") == std::string::npos);
    CHECK(text.find(base64_encode("user:wrong-pass")) == std::string::npos);
  }
}

TEST_CASE("publish.registry push: Bearer tokens come from the realm with push and pull scopes") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::bearer;
  Image image = f.image("bearer");
  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  o.mount_from = {"acme/base"};
  PushResult r = push(image, f.store, f.ref(), o).value();
  CHECK(r.digest == image.manifest.digest);
  // One token, fetched once after the ping's challenge, for every request.
  CHECK(f.registry.count("GET /token") == 1);
  CHECK(f.registry.token_scopes ==
        std::vector<std::string>{"repository:acme/hello:pull,push", "repository:acme/base:pull"});

  // The token expires mid-push: the 401 fetches a fresh one and the request goes through.
  f.registry.log.clear();
  f.registry.token_scopes.clear();
  f.registry.fault = [&](const http::Request& r) -> std::optional<http::Response> {
    if (r.method == "PUT" && r.url.find("/manifests/") != std::string::npos) {
      f.registry.token = "tok-renewed";
    }
    return std::nullopt;
  };
  Image next = f.image("after expiry");
  REQUIRE(push(next, f.store, f.ref(), o).ok());
  CHECK(f.registry.count("GET /token") == 2); // at the ping, and after the expiry
  CHECK(f.registry.manifests["acme/hello"]["latest"] == next.manifest_bytes);
}

TEST_CASE("publish.registry push: an error never holds the password or the token") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::bearer;
  Image image = f.image("leaky");
  // A hostile or buggy registry echoing the Authorization header in its error message.
  f.registry.fault = [](const http::Request& r) -> std::optional<http::Response> {
    if (r.method == "PUT" && r.url.find("/manifests/") != std::string::npos) {
      http::Response no = answer(400);
      no.body = R"({"errors":[{"code":"DENIED","message":"bad header )" +
                http::header_value(r.headers, "Authorization") + R"("}]})";
      return no;
    }
    return std::nullopt;
  };
  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  auto r = push(image, f.store, f.ref(), o);
  REQUIRE_FALSE(r.ok());
  std::string all = r.error().what + r.error().why + r.error().hint + r.error().details;
  CHECK(all.find("bad header Bearer ***") != std::string::npos);
  CHECK(all.find(f.registry.token) == std::string::npos);
  CHECK(all.find("s3cret-pass") == std::string::npos);
}

TEST_CASE("publish.registry push: https first; plain HTTP only where allowed") {
  Fixture f;
  f.registry.serves_https = false;
  Image image = f.image("plain");
  auto refused = push(image, f.store, f.ref(), f.options());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().hint.find("--insecure-registry registry.test") != std::string::npos);
  CHECK(f.registry.count("GET /v2/") == 1);

  PushOptions o = f.options();
  o.insecure_registries = {"registry.test"};
  f.registry.log.clear();
  REQUIRE(push(image, f.store, f.ref(), o).ok());
  CHECK(f.registry.log[0] == "GET /v2/"); // https, refused (TLS)
  CHECK(f.registry.log[1] == "GET /v2/"); // then http
}

TEST_CASE("publish.registry push: a missing blob is found before any request") {
  Fixture f;
  Image image = f.image("gone");
  fs::remove(f.store.path_of(image.layers[0].digest));
  auto r = push(image, f.store, f.ref(), f.options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().what == "blob " + image.layers[0].digest.to_string());
  CHECK(f.registry.log.empty());
}

TEST_CASE("publish.registry push: an archive read back pushes the same digests") {
  Fixture f;
  Image image = f.image("from an archive");
  fs::path tar = f.dir.path() / "hello.tar";
  WriteOptions w;
  w.refs = {"hello:latest", "hello:1.0"};
  REQUIRE(write_archive(image, f.store, tar, w).ok());
  PushSource source = open_push_source(tar).value();
  CHECK(source.root.digest == image.manifest.digest);
  PushResult r = push_descriptor(source.root, source.store, f.ref(), f.options()).value();
  CHECK(r.digest == image.manifest.digest);
  CHECK(f.registry.manifests["acme/hello"]["latest"] == image.manifest_bytes);

  fs::path dir = f.dir.path() / "layout";
  REQUIRE(write_oci_dir(image, f.store, dir, w).ok());
  PushSource from_dir = open_push_source(dir).value();
  CHECK(from_dir.root.digest == image.manifest.digest);
  // A directory's blobs are copied (and checked) into a private store too.
  REQUIRE(from_dir.scratch != nullptr);
  CHECK(from_dir.store.dir() == from_dir.scratch->path() / "blobs");
  CHECK(from_dir.store.has(image.layers[0].digest));
  CHECK_FALSE(open_push_source(f.dir.path() / "nothing.tar").ok());
}

TEST_CASE("publish.registry push: a realm in capitals is plain HTTP; no credentials go there") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::bearer;
  f.registry.host = "127.0.0.1";
  Image image = f.image("realm");
  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  auto ref = f.ref("127.0.0.1:5000/acme/hello");

  f.registry.realm = "HTTP://auth.test/token";
  auto r = push(image, f.store, ref, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why == "the token service http://auth.test uses plain HTTP; credentials are not "
                         "sent there");
  CHECK(r.error().hint == "pass --insecure-registry auth.test if that host is trusted");
  CHECK(r.error().exit_code() == 1);
  CHECK(f.registry.token_requests.empty());

  // A name that merely starts like a loopback address is another host.
  f.registry.token_host = "127.0.0.1.evil.test";
  f.registry.realm = "HTTP://127.0.0.1.evil.test:5001/token";
  r = push(image, f.store, ref, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why.find("uses plain HTTP") != std::string::npos);
  CHECK(f.registry.token_requests.empty());

  // Listed with --insecure-registry: the user trusts it.
  f.registry.token_host = "auth.test";
  f.registry.realm = "HTTP://auth.test/token";
  o.insecure_registries = {"auth.test"};
  REQUIRE(push(image, f.store, ref, o).ok());
  CHECK(f.registry.token_requests == std::vector<std::string>{"http://auth.test:80 basic"});
}

TEST_CASE("publish.registry push: realms that are not http(s) or hold a user are refused") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::bearer;
  Image image = f.image("realm kinds");
  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  struct Case {
    const char* realm;
    const char* why;
  };
  for (const Case& c : {
           Case{"ftp://auth.test/token", "the token service ftp://auth.test is neither http nor "
                                         "https; nothing is sent there"},
           Case{"FILE:///etc/passwd", "the realm of the registry's Bearer challenge is not a "
                                      "usable URL (has no scheme or no host)"},
           Case{"https://user@auth.test/token", "the token service URL https://auth.test holds a "
                                                "user name (user@host); nothing is sent there"},
           Case{"https://registry.test\\@auth.test/token",
                "the token service URL https://auth.test holds a user name (user@host); nothing "
                "is sent there"},
           Case{" https://auth.test/token", "the realm of the registry's Bearer challenge is not "
                                            "a usable URL (is not absolute (scheme://host/…))"},
           Case{"/token", "the realm of the registry's Bearer challenge is not a usable URL (is "
                          "not absolute (scheme://host/…))"},
       }) {
    CAPTURE(c.realm);
    f.registry.realm = c.realm;
    f.registry.token_requests.clear();
    auto r = push(image, f.store, f.ref(), o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().why == c.why);
    CHECK(f.registry.token_requests.empty());
  }
  // HTTPS in any case is HTTPS.
  f.registry.realm = "HTTPS://AUTH.test/token";
  REQUIRE(push(image, f.store, f.ref(), o).ok());
  CHECK(f.registry.token_requests == std::vector<std::string>{"https://auth.test:443 basic"});
}

TEST_CASE("publish.registry push: plain-HTTP realms on loopback only for a loopback registry") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::bearer;
  f.registry.token_host = "127.0.0.1";
  f.registry.realm = "http://127.0.0.1:5001/token";
  Image image = f.image("loopback realm");
  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  // A remote registry aiming the credentials at a plain-HTTP service on this machine.
  auto r = push(image, f.store, f.ref(), o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why.find("the token service http://127.0.0.1:5001 uses plain HTTP") == 0);
  CHECK(f.registry.token_requests.empty());

  // A registry on this machine with its token service beside it.
  f.registry.host = "127.0.0.2";
  REQUIRE(push(image, f.store, f.ref("127.0.0.2:5000/acme/hello"), o).ok());
  CHECK(f.registry.token_requests == std::vector<std::string>{"http://127.0.0.1:5001 basic"});

  // Without credentials nothing secret is sent, so any http(s) realm may issue the token.
  f.registry.host = "registry.test";
  f.registry.token_host = "auth.test";
  f.registry.realm = "http://auth.test/token";
  f.registry.token_requests.clear();
  o.credentials = {};
  CHECK_FALSE(push(image, f.store, f.ref(), o).ok()); // the fake's token service wants a user
  REQUIRE_FALSE(f.registry.token_requests.empty());
  for (const std::string& request : f.registry.token_requests) {
    CHECK(request == "http://auth.test:80 anonymous");
  }
}

TEST_CASE("publish.registry push: upload Locations are checked like realms") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::basic;
  Image image = f.image("locations");
  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  o.chunk_size = 64; // the layer goes in PATCH chunks, each answer with a Location

  // The registry's own origin in other spellings is still its own: the credentials go along.
  f.registry.location_prefix = "HTTPS://Registry.Test:443";
  PushResult ok = push(image, f.store, f.ref(), o).value();
  CHECK(ok.counters.blobs_uploaded == 2);

  // A downgrade to plain HTTP, or a user name in the Location: refused before anything is sent.
  f.registry.location_prefix = "http://registry.test";
  Image second = f.image("downgrade");
  f.registry.log.clear();
  auto down = push(second, f.store, f.ref(), o);
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().why.find("the registry sent a Location on http://registry.test over plain "
                              "HTTP; refused") != std::string::npos);
  CHECK(f.registry.count("PATCH") == 0);
  CHECK(f.registry.count("PUT") == 0);

  f.registry.location_prefix = "https://user@registry.test";
  auto user = push(second, f.store, f.ref(), o);
  REQUIRE_FALSE(user.ok());
  CHECK(user.error().why.find("that holds a user name (user@host); refused") != std::string::npos);
  CHECK(user.error().exit_code() == 1);
}

TEST_CASE("publish.registry push: a Location on another host gets no credentials and full TLS") {
  Fixture f;
  f.registry.auth = FakeRegistry::Auth::basic;
  f.registry.host = "127.0.0.1"; // loopback: unverified TLS allowed for the registry itself
  f.registry.location_prefix = "https://storage.test";
  std::vector<http::Request> storage;
  f.registry.fault = [&](const http::Request& r) -> std::optional<http::Response> {
    if (http::url_host(r.url) != "storage.test") {
      return std::nullopt;
    }
    storage.push_back(r);
    std::string digest = r.url.substr(r.url.find("digest=") + 7);
    http::Response created = answer(201);
    created.headers = {{"Docker-Content-Digest", digest.replace(digest.find("%3A"), 3, ":")}};
    return created;
  };
  Image image = f.image("storage");
  PushOptions o = f.options();
  o.credentials.explicit_creds = "user:s3cret-pass";
  REQUIRE(push(image, f.store, f.ref("127.0.0.1:5000/acme/hello"), o).ok());
  REQUIRE(storage.size() == 2);
  for (const http::Request& r : storage) {
    CHECK(http::header_value(r.headers, "Authorization").empty());
    CHECK_FALSE(r.insecure_tls);
  }
}

TEST_CASE("publish.registry push: every request has a deadline; a spent one is not retried") {
  Fixture f;
  Image image = f.image("deadline");
  std::map<std::string, std::chrono::milliseconds> deadlines;
  f.registry.fault = [&](const http::Request& r) -> std::optional<http::Response> {
    deadlines[r.method] = std::max(deadlines[r.method], r.timeout);
    return std::nullopt;
  };
  PushOptions o = f.options();
  o.timeout = std::chrono::seconds(7);
  REQUIRE(push(image, f.store, f.ref(), o).ok());
  using ms = std::chrono::milliseconds;
  CHECK(deadlines["GET"] == ms(7000));
  CHECK(deadlines["HEAD"] == ms(7000));
  uint64_t biggest = std::max(image.layers[0].size, image.config.size);
  CHECK(deadlines["PUT"] ==
        request_deadline(ms(7000), std::max<uint64_t>(biggest, image.manifest_bytes.size())));
  CHECK(deadlines["PUT"] > ms(7000));

  // A registry that never finishes its answer: one attempt, a clear error, exit 1.
  f.registry.log.clear();
  f.registry.fault = [](const http::Request& r) -> std::optional<http::Response> {
    http::Response hung;
    hung.net_error = http::NetError::deadline;
    hung.net_message = "no complete answer within " + http::format_duration(r.timeout);
    return hung;
  };
  auto r = push(image, f.store, f.ref(), o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why ==
        "GET /v2/ at https://registry.test: timed out (no complete answer within 7s)");
  CHECK(r.error().hint.find("--timeout") != std::string::npos);
  CHECK(r.error().exit_code() == 1);
  CHECK(f.registry.count("GET /v2/") == 1);
  CHECK(f.waits.empty());
}
