#include "publish/registry_auth.h"
#include "publish/remote_cache.h"
#include "util/cache_store.h"
#include "util/sha256.h"

#include <doctest/doctest.h>
#include <map>
#include <mutex>
#include <unistd.h>

using namespace sp;
using namespace sp::publish;

namespace {

const std::string k_key(64, 'k');

/// An in-memory HTTP file server: GET, HEAD and PUT of paths under a prefix.
struct FakeServer {
  std::mutex mutex;
  std::map<std::string, std::string> files; ///< path after the prefix → bytes
  std::vector<std::string> log;             ///< "METHOD path"
  std::vector<std::string> authorization;   ///< the Authorization header of each request
  http::NetError fail = http::NetError::none;
  long status_override = 0;
  std::string prefix = "http://127.0.0.1:1/cache/";
};

class FakeTransport final : public http::Transport {
public:
  explicit FakeTransport(FakeServer& s) : m_s(s) {}
  http::Response send(const http::Request& r) override {
    std::lock_guard<std::mutex> lock(m_s.mutex);
    std::string path = r.url.substr(m_s.prefix.size());
    m_s.log.push_back(r.method + " " + path);
    m_s.authorization.push_back(http::header_value(r.headers, "Authorization"));
    http::Response out;
    if (m_s.fail != http::NetError::none) {
      out.net_error = m_s.fail;
      out.net_message = "fake failure";
      return out;
    }
    if (m_s.status_override) {
      out.status = m_s.status_override;
      return out;
    }
    auto it = m_s.files.find(path);
    if (r.method == "PUT") {
      std::string body = r.body;
      if (r.body_file) {
        body =
            read_file(r.body_file->path).value().substr(r.body_file->offset, r.body_file->length);
      }
      m_s.files[path] = body;
      out.status = 201;
    } else if (it == m_s.files.end()) {
      out.status = 404;
    } else if (r.method == "HEAD") {
      out.status = 200;
    } else if (r.response_fd >= 0) {
      if (it->second.size() > r.max_response) {
        out.net_error = http::NetError::too_large;
        out.net_message = "too large";
        return out;
      }
      REQUIRE(::write(r.response_fd, it->second.data(), it->second.size()) ==
              static_cast<ssize_t>(it->second.size()));
      out.status = 200;
    } else {
      out.status = 200;
      out.body = it->second;
    }
    return out;
  }

private:
  FakeServer& m_s;
};

struct Fixture {
  FakeServer server;
  std::vector<std::string> warnings;
  std::mutex warn_mutex;
  TempDir tmp{"sp-remote-cache"};

  std::shared_ptr<RemoteCacheLevel> level(bool read_only = false, std::string auth = {}) {
    RemoteCacheConfig c;
    c.base = server.prefix;
    c.read_only = read_only;
    c.authorization = std::move(auth);
    return make_http_remote_cache(
        c,
        [this](const std::string& w) {
          std::lock_guard<std::mutex> lock(warn_mutex);
          warnings.push_back(w);
        },
        [this] { return std::make_unique<FakeTransport>(server); });
  }
  CacheStore store(const std::string& name, std::shared_ptr<RemoteCacheLevel> remote,
                   const std::string& key = k_key) {
    CacheStore s = CacheStore::open(tmp.path() / name, key).value();
    s.set_remote(std::move(remote), "build", {"inputs/"});
    return s;
  }
  fs::path file(const std::string& name, const std::string& text) {
    fs::path p = tmp.path() / name;
    REQUIRE(write_file_atomic(p, text));
    return p;
  }
};

} // namespace

TEST_CASE("publish.remote_cache: the record is signed, names its entry and is bounded") {
  CacheEntryInfo info{sha256_hex("contents"), 8};
  std::string record = remote_record("build/objects/ab/x.o", info, k_key);
  auto parsed = parse_remote_record("build/objects/ab/x.o", record, k_key);
  REQUIRE(parsed);
  CHECK(parsed->sha256 == info.sha256);
  CHECK(parsed->size == 8);
  // Another entry's name, another key, an edited size or digest: refused.
  CHECK_FALSE(parse_remote_record("build/objects/ab/y.o", record, k_key));
  CHECK_FALSE(parse_remote_record("build/objects/ab/x.o", record, std::string(64, 'o')));
  std::string bigger = record;
  bigger.replace(bigger.find("size 8"), 6, "size 9");
  CHECK_FALSE(parse_remote_record("build/objects/ab/x.o", bigger, k_key));
  std::string other = record;
  other.replace(other.find(info.sha256), 64, sha256_hex("evil"));
  CHECK_FALSE(parse_remote_record("build/objects/ab/x.o", other, k_key));
  CHECK_FALSE(parse_remote_record("build/objects/ab/x.o", record + std::string(5000, ' '), k_key));
  CHECK_FALSE(parse_remote_record("build/objects/ab/x.o", "", k_key));
  CHECK(remote_record_path("build/objects/ab/x.o") == "ac/" + sha256_hex("build/objects/ab/x.o"));
  CHECK(remote_content_path(info.sha256) == "cas/" + info.sha256);
}

TEST_CASE("publish.remote_cache: written through by one machine, fetched and verified by "
          "another") {
  Fixture f;
  auto remote_a = f.level();
  CacheStore a = f.store("a", remote_a);
  REQUIRE(a.put("objects/ab/x.o", f.file("x.o", "object bytes")));
  REQUIRE(a.put_bytes("scans/cd/s.json", "{\"scan\":1}"));
  REQUIRE(a.put_bytes("inputs/ef/i.facts", "local facts"));
  CHECK(f.server.files.count(remote_record_path("build/objects/ab/x.o")) == 1);
  CHECK(f.server.files.count(remote_content_path(sha256_hex("object bytes"))) == 1);
  CHECK(f.server.files.count(remote_record_path("build/inputs/ef/i.facts")) == 0);
  CHECK(remote_a->counters().uploads == 4);

  auto remote_b = f.level(/*read_only=*/true);
  CacheStore b = f.store("b", remote_b);
  auto got = b.get("objects/ab/x.o", f.tmp.path() / "out.o");
  REQUIRE(got);
  CHECK(read_file(f.tmp.path() / "out.o").value() == "object bytes");
  CHECK(b.get_bytes("scans/cd/s.json") == std::string("{\"scan\":1}"));
  CHECK_FALSE(b.get_bytes("inputs/ef/i.facts"));
  CHECK(remote_b->counters().hits == 2);
  // Now local: no further request.
  size_t requests = f.server.log.size();
  CHECK(b.get_bytes("scans/cd/s.json"));
  CHECK(f.server.log.size() == requests);
  // Read-only: a put stays local.
  REQUIRE(b.put_bytes("scans/00/new.json", "new"));
  CHECK(f.server.log.size() == requests);
  CHECK(f.warnings.empty());
}

TEST_CASE("publish.remote_cache: a damaged, forged or oversized entry is never used") {
  Fixture f;
  CacheStore a = f.store("a", f.level());
  REQUIRE(a.put_bytes("texts/aa/t.txt", "the real text"));
  std::string content = remote_content_path(sha256_hex("the real text"));

  SUBCASE("content changed on the server") {
    f.server.files[content] = "the evil text";
    auto remote_b = f.level();
    CacheStore b = f.store("b", remote_b);
    CHECK_FALSE(b.get_bytes("texts/aa/t.txt"));
    CHECK(remote_b->counters().bad == 1);
    CHECK_FALSE(b.contains("texts/aa/t.txt"));
    REQUIRE(f.warnings.size() == 1);
    CHECK(f.warnings[0].find("build/texts/aa/t.txt") != std::string::npos);
  }
  SUBCASE("content longer than the record says") {
    f.server.files[content] = "the real text, and more";
    auto remote_b = f.level();
    CacheStore b = f.store("b", remote_b);
    CHECK_FALSE(b.get_bytes("texts/aa/t.txt"));
    CHECK_FALSE(b.contains("texts/aa/t.txt"));
    CHECK(remote_b->counters().bad == 1);
  }
  SUBCASE("a record signed with another key") {
    auto remote_b = f.level();
    CacheStore b = f.store("b", remote_b, std::string(64, 'z'));
    CHECK_FALSE(b.get_bytes("texts/aa/t.txt"));
    CHECK(remote_b->counters().bad == 1);
  }
  SUBCASE("a record moved onto another entry's name") {
    f.server.files[remote_record_path("build/texts/bb/u.txt")] =
        f.server.files[remote_record_path("build/texts/aa/t.txt")];
    auto remote_b = f.level();
    CacheStore b = f.store("b", remote_b);
    CHECK_FALSE(b.get_bytes("texts/bb/u.txt"));
    CHECK(remote_b->counters().bad == 1);
  }
  SUBCASE("an entry larger than the caller takes is not fetched") {
    auto remote_b = f.level();
    CacheStore b = f.store("b", remote_b);
    CHECK_FALSE(b.get_bytes("texts/aa/t.txt", 4));
    CHECK(std::none_of(f.server.log.begin(), f.server.log.end(),
                       [](const std::string& l) { return l.starts_with("GET cas/"); }));
  }
}

TEST_CASE("publish.remote_cache: a dead server is tried once, said once, then left alone") {
  Fixture f;
  f.server.fail = http::NetError::timeout;
  auto remote = f.level();
  CacheStore a = f.store("a", remote);
  CHECK_FALSE(a.get_bytes("texts/aa/t.txt"));
  CHECK_FALSE(a.get_bytes("texts/aa/u.txt"));
  REQUIRE(a.put_bytes("texts/aa/v.txt", "local still works"));
  CHECK(a.get_bytes("texts/aa/v.txt") == std::string("local still works"));
  CHECK(f.server.log.size() == 1);
  CHECK(f.warnings.size() == 1);
  CHECK_FALSE(remote->usable());
  CHECK(remote->counters().errors == 1);
}

TEST_CASE("publish.remote_cache: HTTP errors are said once, with the URL but no credentials") {
  Fixture f;
  f.server.status_override = 401;
  auto remote = f.level(false, "Bearer s3cret-token");
  CacheStore a = f.store("a", remote);
  CHECK_FALSE(a.get_bytes("texts/aa/t.txt"));
  REQUIRE(a.put_bytes("texts/aa/v.txt", "x"));
  CHECK(remote->usable()); // an answer is not a dead server
  CHECK(remote->counters().errors >= 2);
  REQUIRE(f.warnings.size() == 1);
  CHECK(f.warnings[0].find("401") != std::string::npos);
  CHECK(f.warnings[0].find("s3cret") == std::string::npos);
  CHECK(f.server.authorization.front() == "Bearer s3cret-token");
}

TEST_CASE("publish.remote_cache: configuration, credentials and their redaction") {
  CHECK(redact_url("https://user:pa%40ss@cache.example/x") == "https://cache.example/x");
  CHECK(redact_url("http://127.0.0.1:8080/c") == "http://127.0.0.1:8080/c");
  CHECK(redact_url("https://host/a@b") == "https://host/a@b");

  RemoteCacheSettings s;
  s.source = "test";
  s.url = "https://alice:pa%40ss@cache.example/team";
  auto basic = remote_cache_config(s);
  REQUIRE(basic);
  CHECK(basic->base == "https://cache.example/team/");
  CHECK(basic->authorization == "Basic " + base64_encode("alice:pa@ss"));
  CHECK_FALSE(basic->read_only);

  s.url = "http://alice:secret@cache.example/team";
  auto clear = remote_cache_config(s);
  REQUIRE_FALSE(clear);
  CHECK(clear.error().why.find("secret") == std::string::npos);
  CHECK(clear.error().what.find("secret") == std::string::npos);

  s.url = "http://127.0.0.1:9/c";
  s.mode = "read-only";
  s.token = "tok";
  auto bearer = remote_cache_config(s);
  REQUIRE(bearer);
  CHECK(bearer->read_only);
  CHECK(bearer->authorization == "Bearer tok");

  s.token = "tok\r\nX-Injected: 1";
  CHECK_FALSE(remote_cache_config(s));
  s.token.clear();
  TempDir tmp("sp-remote-config");
  REQUIRE(write_file_atomic(tmp.path() / "token", "from-file\n"));
  s.token_file = tmp.path() / "token";
  auto from_file = remote_cache_config(s);
  REQUIRE(from_file);
  CHECK(from_file->authorization == "Bearer from-file");
  s.token_file = tmp.path() / "missing";
  CHECK_FALSE(remote_cache_config(s));

  s.token_file.clear();
  s.mode = "sometimes";
  CHECK_FALSE(remote_cache_config(s));
  s.mode.clear();
  for (const char* bad : {"ftp://host/x", "cache.example/x", "https://host/x?y=1"}) {
    s.url = bad;
    CHECK_FALSE(remote_cache_config(s));
  }
}
