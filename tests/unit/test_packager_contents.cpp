#include "packager/contents.h"
#include "test_packager_helpers.h"
#include "util/diagnostics.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

const LayerEntry* find_entry(const LayerSpec& spec, const std::string& path) {
  for (const LayerEntry& e : spec.entries) {
    if (e.path == path) {
      return &e;
    }
  }
  return nullptr;
}

} // namespace

TEST_CASE("packager.contents: nonroot files, exact text") {
  LayerSpec spec;
  add_nonroot(spec);
  CHECK(passwd_text() == "root:x:0:0:root:/root:/sbin/nologin\n"
                         "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
                         "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n");
  CHECK(group_text() == "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n");
  REQUIRE(find_entry(spec, "/etc/passwd"));
  CHECK(*find_entry(spec, "/etc/passwd")->data == passwd_text());
  CHECK(*find_entry(spec, "/etc/passwd")->mode == 0644);
  CHECK(*find_entry(spec, "/etc/group")->data == group_text());
  const LayerEntry* home = find_entry(spec, "/home/nonroot");
  REQUIRE(home);
  CHECK(home->type == EntryType::directory);
  CHECK(home->uid == 65532);
  CHECK(home->gid == 65532);
  CHECK(*home->mode == 0700);
  CHECK(k_nonroot_user == "65532:65532");
}

TEST_CASE("packager.contents: /tmp is 1777 in the layer") {
  TempDir dir("sp-contents");
  LayerSpec spec;
  add_tmp(spec);
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  LayerOptions o;
  o.compression = Compression::none;
  Layer layer = build_layer(spec, o, store).value();
  std::vector<TarItem> items = list_tar(blob_bytes(store, layer.digest));
  REQUIRE(items.size() == 1);
  CHECK(items[0].name == "tmp/");
  CHECK(items[0].mode == 01777);
}

TEST_CASE("packager.contents: CA bundle and tzdata from the host, with hints when missing") {
  TempDir dir("sp-contents");
  LayerSpec spec;
  Status missing = add_ca_certs(spec, dir.path() / "nope.crt");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().hint == "install it with: apt-get install ca-certificates");
  Status no_tz = add_tzdata(spec, dir.path() / "nozone");
  REQUIRE_FALSE(no_tz.ok());
  CHECK(no_tz.error().hint == "install it with: apt-get install tzdata");

  REQUIRE(write_file_atomic(dir.path() / "ca.crt", "-----BEGIN CERTIFICATE-----\n"));
  REQUIRE(add_ca_certs(spec, dir.path() / "ca.crt"));
  CHECK(find_entry(spec, "/etc/ssl/certs/ca-certificates.crt")->source == dir.path() / "ca.crt");

  // A fake zoneinfo: a file, a relative link inside, an absolute link and an escaping one.
  fs::path zi = dir.path() / "zoneinfo";
  fs::create_directories(zi / "Europe");
  REQUIRE(write_file_atomic(zi / "Europe" / "Paris", "TZif"));
  fs::create_symlink("Europe/Paris", zi / "CET-link");
  fs::create_symlink("/etc/localtime", zi / "localtime");
  fs::create_symlink("../../outside", zi / "Europe" / "escape");
  LayerSpec tz;
  REQUIRE(add_tzdata(tz, zi));
  CHECK(find_entry(tz, "/usr/share/zoneinfo/Europe/Paris"));
  CHECK(find_entry(tz, "/usr/share/zoneinfo/CET-link")->link_target == "Europe/Paris");
  CHECK_FALSE(find_entry(tz, "/usr/share/zoneinfo/localtime"));
  CHECK_FALSE(find_entry(tz, "/usr/share/zoneinfo/Europe/escape"));
}

TEST_CASE("packager.contents: --add SRC:DEST[:MODE[:UID:GID]] parsing") {
  CHECK(parse_add_spec("conf/app.yaml:/etc/app.yaml").value() ==
        AddSpec{"conf/app.yaml", "/etc/app.yaml", std::nullopt});
  CHECK(parse_add_spec("conf/app.yaml:/etc/app.yaml:0600").value() ==
        AddSpec{"conf/app.yaml", "/etc/app.yaml", 0600u});
  CHECK(parse_add_spec("bin/tool:/usr/bin/:0755").value() ==
        AddSpec{"bin/tool", "/usr/bin/", 0755u});
  CHECK(parse_add_spec("a:b:/x").value() == AddSpec{"a:b", "/x", std::nullopt});
  CHECK(parse_add_spec("dir:/").value().dest == "/");
  CHECK(parse_add_spec("key.pem:/etc/key.pem:0600:65532:65532").value() ==
        AddSpec{"key.pem", "/etc/key.pem", 0600u, {65532, 65532}});
  // The owner alone: the mode stays the default.
  CHECK(parse_add_spec("a:b:/x::0:65532").value() ==
        AddSpec{"a:b", "/x", std::nullopt, {0, 65532}});

  Result<AddSpec> up = parse_add_spec("x:../../etc/passwd");
  REQUIRE_FALSE(up.ok());
  CHECK(up.error().why == "DEST '../../etc/passwd' must be an absolute path in the image");
  Result<AddSpec> dots = parse_add_spec("x:/app/../../etc/passwd");
  REQUIRE_FALSE(dots.ok());
  CHECK(dots.error().why ==
        "DEST '/app/../../etc/passwd' must not contain '..': it would leave the image root");
  Result<AddSpec> relative = parse_add_spec("x:etc/app");
  CHECK(relative.error().why == "DEST 'etc/app' must be an absolute path in the image");
  // MODE follows the manifest's rule and message: "644" is ambiguous, 999 is not octal.
  Result<AddSpec> ambiguous = parse_add_spec("x:/etc/x:644");
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.error().exit_code() == 2);
  CHECK(ambiguous.error().why ==
        "mode '644' is ambiguous; write the octal mode with a leading 0, e.g. \"0644\"");
  CHECK(parse_add_spec("x:/etc/app:0999").error().why ==
        "invalid mode '0999': expected an octal mode such as \"0644\"");
  CHECK_FALSE(parse_add_spec("x:/etc/app:077777").ok());
  CHECK(parse_add_spec("x:/etc/app:0600:nonroot:nonroot").error().why ==
        "invalid owner 'nonroot:nonroot': expected numeric UID:GID such as \"65532:65532\" (a "
        "scratch image has no /etc/passwd to look names up in)");
  CHECK(parse_add_spec("x:/etc/app:0600:65532").error().why ==
        "expected SRC:DEST[:MODE[:UID:GID]]; 2 fields follow DEST");
  CHECK_FALSE(parse_add_spec("justonepart").ok());
  CHECK_FALSE(parse_add_spec(":/x").ok());
  CHECK(parse_add_spec("x:a").error().hint ==
        "write it as SRC:DEST[:MODE[:UID:GID]], e.g. conf/app.yaml:/etc/app.yaml:0644");
}

TEST_CASE("packager.contents: adding host files and trees") {
  TempDir dir("sp-contents");
  fs::path tree = dir.path() / "site";
  fs::create_directories(tree / "css");
  REQUIRE(write_file_atomic(tree / "index.html", "<html>"));
  REQUIRE(write_file_atomic(tree / "css" / "a.css", "a{}"));
  fs::create_symlink("css/a.css", tree / "style.css");
  REQUIRE(write_file_atomic(dir.path() / "tool", "bin", 0755));

  LayerSpec spec;
  std::vector<AddedFile> added = add_host_path(spec, tree, "/srv/www", 0640u).value();
  CHECK(added.size() == 2);
  CHECK(find_entry(spec, "/srv/www")->type == EntryType::directory);
  CHECK(find_entry(spec, "/srv/www/css/a.css")->mode == 0640u);
  CHECK(find_entry(spec, "/srv/www/style.css")->link_target == "css/a.css");

  std::vector<AddedFile> file =
      add_spec(spec, parse_add_spec((dir.path() / "tool").string() + ":/usr/bin/").value()).value();
  REQUIRE(file.size() == 1);
  CHECK(file[0].dest == "/usr/bin/tool");
  CHECK(add_host_path(spec, dir.path() / "tool", "/opt/renamed").value()[0].dest == "/opt/renamed");
  CHECK(add_host_path(spec, dir.path() / "tool", "/").value()[0].dest == "/tool");
  CHECK(add_host_path(spec, dir.path() / "missing", "/x").error().exit_code() == 2);

  // An owner applies to every file, directory and link of the tree.
  LayerSpec owned;
  AddSpec add = parse_add_spec(tree.string() + ":/srv/www:0600:65532:65532").value();
  REQUIRE(add_spec(owned, add).ok());
  for (const char* path :
       {"/srv/www", "/srv/www/css", "/srv/www/index.html", "/srv/www/style.css"}) {
    CHECK_MESSAGE(find_entry(owned, path)->uid == 65532u, path);
    CHECK_MESSAGE(find_entry(owned, path)->gid == 65532u, path);
  }
  CHECK(find_entry(owned, "/srv/www/index.html")->mode == 0600u);
}

TEST_CASE("packager.contents: symlinks that escape the added tree are rejected, all of them") {
  TempDir dir("sp-contents");
  fs::path tree = dir.path() / "app";
  fs::create_directories(tree / "lib");
  fs::create_symlink("/etc/passwd", tree / "passwd");
  fs::create_symlink("../../secret", tree / "lib" / "up");
  fs::create_symlink("../lib", tree / "lib" / "self"); // inside: fine
  LayerSpec spec;
  Result<std::vector<AddedFile>> r = add_host_path(spec, tree, "/app");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why == "2 problems found");
  // The tree cannot be added as asked: an input problem, exit 2 like a missing --add source.
  CHECK(r.error().exit_code() == 2);
  CHECK(render_problems(r.error()).find(
            "passwd -> /etc/passwd: a symlink that is absolute or leaves") != std::string::npos);
  CHECK(render_problems(r.error()).find("up -> ../../secret") != std::string::npos);

  CHECK(symlink_stays_inside("a/b/link", "../c"));
  CHECK(symlink_stays_inside("link", "./x/../y"));
  CHECK_FALSE(symlink_stays_inside("link", "../x"));
  CHECK_FALSE(symlink_stays_inside("a/link", "../../x"));
  CHECK_FALSE(symlink_stays_inside("a/link", "/abs"));
  CHECK_FALSE(symlink_stays_inside("a/link", "x/../../../y"));
}
