#include "manifests/grammar.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::manifests;

namespace {

std::string why(const Status& s) {
  return s.ok() ? "" : s.error().why;
}
template <class T> std::string why(const Result<T>& r) {
  return r.ok() ? "" : r.error().why;
}

} // namespace

TEST_CASE("image names follow the distribution grammar, without tag or digest") {
  CHECK(check_image_name("hello").ok());
  CHECK(check_image_name("acme/hello-world").ok());
  CHECK(check_image_name("registry.example.com/acme/hello").ok());
  CHECK(check_image_name("localhost:5000/hello").ok());
  CHECK(check_image_name("a__b/c.d/e---f").ok());
  CHECK(why(check_image_name("Acme/hello")) ==
        "invalid image name 'Acme/hello': path components are lower-case letters and digits "
        "separated by '.', '_', '__' or '-'");
  CHECK(why(check_image_name("hello:1.0")) ==
        "image name 'hello:1.0' includes a tag; write the name without it and put '1.0' in tags");
  CHECK(why(check_image_name("example.com:5000/a/hello:1")) ==
        "image name 'example.com:5000/a/hello:1' includes a tag; write the name without it and "
        "put '1' in tags");
  CHECK(!check_image_name("hello@sha256:abc").ok());
  CHECK(!check_image_name("a/-b").ok());
  CHECK(!check_image_name("a//b").ok());
  CHECK(why(check_image_name("bad_host.com/x")) ==
        "invalid registry host 'bad_host.com' in image name 'bad_host.com/x'");
  CHECK(why(check_image_name("")) == "image name is empty");
}

TEST_CASE("tags: 1 to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'") {
  CHECK(check_tag("latest").ok());
  CHECK(check_tag("1.0.0-rc.1").ok());
  CHECK(check_tag("_x").ok());
  CHECK(check_tag(std::string(128, 'a')).ok());
  CHECK_FALSE(check_tag(std::string(129, 'a')).ok());
  CHECK_FALSE(check_tag("").ok());
  CHECK_FALSE(check_tag(".x").ok());
  CHECK_FALSE(check_tag("-x").ok());
  CHECK(why(check_tag("1.0+b")) ==
        "invalid tag '1.0+b': a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting "
        "with '.' or '-'");
}

TEST_CASE("ports: number and optional protocol") {
  CHECK(parse_port("8080")->to_string() == "8080/tcp");
  CHECK(parse_port("53/udp")->to_string() == "53/udp");
  CHECK(parse_port("9/sctp")->to_string() == "9/sctp");
  CHECK(why(parse_port("0")) == "port 0 is out of range 1-65535");
  CHECK(why(parse_port("70000")) == "port 70000 is out of range 1-65535");
  CHECK(why(parse_port("80/http")) ==
        "invalid port '80/http': expected PORT or PORT/PROTOCOL with tcp, udp or sctp, e.g. 8080 "
        "or \"53/udp\"");
  CHECK_FALSE(parse_port("8000-8010").ok());
}

TEST_CASE("users, env keys, defines, libs, standards") {
  CHECK(check_user("65532").ok());
  CHECK(check_user("65532:65532").ok());
  CHECK(check_user("nonroot").ok());
  CHECK(why(check_user("www-data")) ==
        "user 'www-data' has no entry in a scratch image; use a numeric uid[:gid], 'root' or "
        "'nonroot'");
  CHECK(why(check_user("a b")) == "invalid user 'a b': expected uid, uid:gid, 'root' or 'nonroot'");
  CHECK(check_env_key("_PATH2").ok());
  CHECK_FALSE(check_env_key("2X").ok());
  CHECK_FALSE(check_env_key("A-B").ok());
  CHECK(check_define("NDEBUG").ok());
  CHECK(check_define("VERSION=\"1.0\"").ok());
  CHECK_FALSE(check_define("=1").ok());
  CHECK(check_lib("z").ok());
  CHECK(check_lib(":libfoo.a").ok());
  CHECK(why(check_lib("-lz")) == "write the library name without '-l': 'z'");
  CHECK_FALSE(check_lib("/usr/lib/libz.a").ok());
  for (const char* std : {"c89", "c11", "c17", "c2x", "gnu11", "iso9899:2011"}) {
    CHECK_MESSAGE(parse_std(std).value_or(Language::cxx) == Language::c, std);
  }
  for (const char* std : {"c++98", "c++17", "c++20", "gnu++2b", "c++26"}) {
    CHECK_MESSAGE(parse_std(std).value_or(Language::c) == Language::cxx, std);
  }
  CHECK(parse_std("c++21").error().why ==
        "unknown language standard 'c++21'; use e.g. c99, c11, c17, c23 or gnu17 for C; c++14, "
        "c++17, c++20, c++23 or gnu++20 for C++");
  CHECK_FALSE(parse_std("cpp20").ok());
}

TEST_CASE("paths in the image") {
  CHECK(check_image_file_path("/etc/app.yaml").ok());
  CHECK(why(check_image_file_path("etc/app.yaml")) ==
        "'etc/app.yaml' is not absolute; paths in the image start with '/'");
  CHECK(why(check_image_file_path("/etc/../x")) == "'/etc/../x' must not contain '..'");
  CHECK(why(check_image_file_path("/etc/")) ==
        "'/etc/' names a directory; name the file, e.g. '/etc/app.conf'");
  CHECK_FALSE(check_image_file_path("/a//b").ok());
  CHECK(check_image_dir("/").ok());
  CHECK(check_image_dir("/srv/app/").ok());
  CHECK_FALSE(check_image_dir("srv").ok());
}

TEST_CASE("names and enumerations") {
  CHECK(check_project_name("hello-world.v2").ok());
  CHECK_FALSE(check_project_name("Hello").ok());
  CHECK_FALSE(check_project_name("-x").ok());
  CHECK(check_binary_name("hello++").ok());
  CHECK_FALSE(check_binary_name("bin/hello").ok());
  CHECK_FALSE(check_binary_name("..").ok());
  CHECK(*parse_profile("size") == Profile::size);
  CHECK(why(parse_profile("fast")) == "unknown profile 'fast'; expected debug, release or size");
  CHECK(*parse_output_format("oci-dir") == OutputFormat::oci_dir);
  CHECK(why(parse_compression("gz")) == "unknown compression 'gz'; expected gzip, zstd or none");
  CHECK(exec_form_hint("/hello --name 'big world'") == "[\"/hello\", \"--name\", \"big world\"]");
}
