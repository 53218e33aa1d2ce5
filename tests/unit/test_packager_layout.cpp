// The one layout reader: directories and archives (plain and compressed) read the same, large
// members stream from the archive, unpacking checks every blob against its name, and
// layout_root picks the one root of an index.json.
#include "packager/layout.h"
#include "packager/writers.h"
#include "test_packager_helpers.h"
#include "util/process.h"
#include "util/sha256.h"

#include <chrono>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <thread>
#include <unistd.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

Image one_file_image(const BlobStore& store, const std::string& content) {
  LayerSpec spec;
  spec.add_bytes("/hello", content, 0755);
  LayerOptions o;
  o.compression = Compression::none;
  Layer layer = build_layer(spec, o, store).value();
  ImageConfig config = default_config(parse_platform("linux/amd64").value(), 0);
  return make_image(config, {layer}, {}, store).value();
}

// Every byte of a member, through stream().
std::string streamed(const Layout& layout, const std::string& name) {
  std::string out;
  Status s = layout.stream(name, [&](ByteReader& reader) -> Status {
    for (Result<std::string_view> block = reader(); block; block = reader()) {
      if (block->empty()) {
        return {};
      }
      out.append(*block);
    }
    return failure(name, "read error");
  });
  REQUIRE(s.ok());
  return out;
}

// tar -C DIR -cf ARCHIVE [-z] . (GNU tar: "./" names, as `docker save` writes them).
void tar_dir(const fs::path& dir, const fs::path& archive, bool gzip = false) {
  std::vector<std::string> argv = {
      "tar", "-C", dir.string(), gzip ? "-czf" : "-cf", archive.string(), "."};
  Result<ProcessResult> r = run_process(argv);
  REQUIRE(r.ok());
  REQUIRE(r->exit_code == 0);
}

} // namespace

TEST_CASE("packager.layout: a directory and its archives read the same") {
  TempDir dir("sp-layout");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = one_file_image(store, "hello");
  std::string layer = blob_name(image.layers[0].digest);
  CHECK(layer == "blobs/sha256/" + image.layers[0].digest.hex());
  REQUIRE(write_oci_dir(image, store, dir.path() / "oci"));
  REQUIRE(write_archive(image, store, dir.path() / "img.tar"));
  tar_dir(dir.path() / "oci", dir.path() / "img.tar.gz", true);

  for (const char* name : {"oci", "img.tar", "img.tar.gz"}) {
    CAPTURE(name);
    Layout l = Layout::open(dir.path() / name).value();
    CHECK(l.is_archive() == (std::string(name) != "oci"));
    CHECK(l.path() == dir.path() / name);
    CHECK(l.has("index.json"));
    CHECK(l.has(layer));
    CHECK_FALSE(l.has("blobs/sha256/nothing"));
    CHECK(l.read_document(blob_name(image.manifest.digest)).value() == image.manifest_bytes);
    CHECK(streamed(l, layer) == blob_bytes(store, image.layers[0].digest));
    Result<std::string> missing = l.read_document("nothing.json");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().what == l.where("nothing.json"));
  }
  Layout tar = Layout::open(dir.path() / "img.tar").value();
  CHECK(tar.where("index.json") == (dir.path() / "img.tar").string() + ":index.json");
  CHECK(tar.read_document("nothing.json").error().why == "not in the archive");
  CHECK(Layout::open(dir.path() / "oci").value().where("index.json") ==
        (dir.path() / "oci" / "index.json").string());
}

TEST_CASE("packager.layout: a member larger than a document is read back, never held whole") {
  TempDir dir("sp-layout");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = one_file_image(store, pseudo_text(k_max_document + 4096, 7));
  REQUIRE(write_archive(image, store, dir.path() / "big.tar"));
  std::string layer = blob_name(image.layers[0].digest);

  Layout l = Layout::open(dir.path() / "big.tar").value();
  REQUIRE(l.has(layer));
  Result<std::string> whole = l.read_document(layer);
  REQUIRE_FALSE(whole.ok());
  CHECK(whole.error().why == "more than 4 MiB: too large for a JSON document");
  CHECK(whole.error().hint == "raise the limit with --max-document-size if the image is trusted");
  Sha256 hash;
  hash.update(streamed(l, layer));
  CHECK(Digest::sha256_hex(hash.hex_digest()) == image.layers[0].digest);

  // Compressed, the archive is not read twice: the large member was spooled in the one pass.
  REQUIRE(write_oci_dir(image, store, dir.path() / "oci"));
  tar_dir(dir.path() / "oci", dir.path() / "big.tar.gz", true);
  Layout gz = Layout::open(dir.path() / "big.tar.gz").value();
  fs::remove(dir.path() / "big.tar.gz");
  Sha256 again;
  again.update(streamed(gz, layer));
  CHECK(Digest::sha256_hex(again.hex_digest()) == image.layers[0].digest);
}

TEST_CASE("packager.layout: unpacking copies an archive's blobs into a store") {
  TempDir dir("sp-layout");
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = one_file_image(store, "unpack me");
  REQUIRE(write_archive(image, store, dir.path() / "img.tar"));

  BlobStore into = BlobStore::open(dir.path() / "into").value();
  Layout l = Layout::open(dir.path() / "img.tar", LayoutOptions{into}).value();
  for (const Digest& d : {image.manifest.digest, image.config.digest, image.layers[0].digest}) {
    CHECK(into.has(d));
    CHECK(l.has(blob_name(d)));
  }
  // Blobs are read back from the store; the other members are still in the layout.
  CHECK(l.read_document(blob_name(image.manifest.digest)).value() == image.manifest_bytes);
  CHECK(streamed(l, blob_name(image.layers[0].digest)) ==
        blob_bytes(store, image.layers[0].digest));
  CHECK(l.read_document("index.json").ok());

  // A directory is read in place: nothing is copied.
  REQUIRE(write_oci_dir(image, store, dir.path() / "oci"));
  BlobStore untouched = BlobStore::open(dir.path() / "untouched").value();
  REQUIRE(Layout::open(dir.path() / "oci", LayoutOptions{untouched}).ok());
  CHECK_FALSE(untouched.has(image.manifest.digest));
}

TEST_CASE("packager.layout: a blob whose content does not hash to its name is refused") {
  TempDir dir("sp-layout");
  fs::path root = dir.path() / "damaged";
  Digest named = Digest::of("what the name says");
  REQUIRE(make_dirs(root / "blobs" / "sha256"));
  REQUIRE(write_file_atomic(root / "index.json", R"({"schemaVersion":2,"manifests":[]})"));
  REQUIRE(write_file_atomic(root / "blobs" / "sha256" / named.hex(), "something else"));
  tar_dir(root, dir.path() / "damaged.tar");

  BlobStore into = BlobStore::open(dir.path() / "into").value();
  Result<Layout> l = Layout::open(dir.path() / "damaged.tar", LayoutOptions{into});
  REQUIRE_FALSE(l.ok());
  CHECK(l.error().what == (dir.path() / "damaged.tar").string() + ":" + blob_name(named));
  CHECK(l.error().why ==
        "its contents hash to " + Digest::of("something else").to_string() + ", not to its name");
  CHECK(l.error().hint == "the archive is damaged; build or save it again");
  // Read without unpacking, the archive opens: a layer is checked when it is extracted.
  CHECK(Layout::open(dir.path() / "damaged.tar").ok());
}

TEST_CASE("packager.layout: what is not a layout") {
  TempDir dir("sp-layout");
  Result<Layout> missing = Layout::open(dir.path() / "missing.tar");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().why == "no such image archive or directory");
  CHECK(missing.error().kind == ErrorKind::usage_or_io);

  REQUIRE(write_file_atomic(dir.path() / "x.tar", "not a tar at all"));
  Result<Layout> garbage = Layout::open(dir.path() / "x.tar");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().what == (dir.path() / "x.tar").string());
  CHECK(garbage.error().why == "cannot open the archive: Unrecognized archive format");
}

TEST_CASE("packager.layout: an index.json must name one root") {
  Digest a = Digest::of("a");
  Digest b = Digest::of("b");
  auto entry = [](const Digest& d, const std::string& tag) {
    return R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
           d.to_string() + R"(","size":10,"annotations":{"org.opencontainers.image.ref.name":")" +
           tag + R"("}})";
  };
  // Two tags of one image are one root.
  Descriptor root = layout_root(R"({"schemaVersion":2,"manifests":[)" + entry(a, "1") + "," +
                                    entry(a, "2") + "]}",
                                "index.json")
                        .value();
  CHECK(root.digest == a);
  CHECK(root.annotations.empty());
  auto two = layout_root(R"({"manifests":[)" + entry(a, "1") + "," + entry(b, "2") + "]}", "i");
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().why.find("2 different images") != std::string::npos);
  CHECK(two.error().kind == ErrorKind::usage_or_io);
  auto none = layout_root(R"({"manifests":[]})", "i");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().why == "lists no image");
  auto not_an_index = layout_root("[]", "i");
  REQUIRE_FALSE(not_an_index.ok());
  CHECK(not_an_index.error().why == "has no 'manifests' list");
  auto broken = layout_root("{", "i");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().kind == ErrorKind::usage_or_io);
}

// --- hostile layouts (docs/security.md) ---------------------------------------------------

namespace {

// An OCI layout directory of one small image, and a file beside it that must never be read.
struct HostileDir {
  TempDir dir{"sp-layout"};
  BlobStore store = BlobStore::open(dir.path() / "store").value();
  Image image = one_file_image(store, "hello");
  fs::path root = dir.path() / "oci";
  fs::path secret = dir.path() / "secret.json";

  HostileDir() {
    REQUIRE(write_oci_dir(image, store, root));
    REQUIRE(write_file_atomic(secret, R"({"secret":"HOST-SECRET"})"));
  }

  // Replaces the blob `d` of the layout with a symlink to `target`.
  void link_blob(const Digest& d, const fs::path& target) const {
    fs::remove(root / blob_name(d));
    fs::create_symlink(target, root / blob_name(d));
  }
};

// Opens a fifo for writing after a while (and closes it), so that a reader that opened it
// blocking gets EOF instead of hanging the test.
struct FifoWatchdog {
  fs::path fifo;
  std::thread thread;
  explicit FifoWatchdog(fs::path path) : fifo(std::move(path)) {
    thread = std::thread([p = fifo] {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      int fd = ::open(p.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) {
        ::close(fd);
      }
    });
  }
  ~FifoWatchdog() { thread.join(); }
};

} // namespace

TEST_CASE("packager.layout: a directory's names never leave it") {
  HostileDir h;
  Layout l = Layout::open(h.root).value();
  Result<std::string> up = l.read_document("../secret.json");
  REQUIRE_FALSE(up.ok());
  CHECK(up.error().what == (h.root / "../secret.json").string());
  CHECK(up.error().why == "a path that leaves the layout ('..'); only paths inside it are read");
  CHECK(up.error().kind == ErrorKind::usage_or_io);
  CHECK_FALSE(l.has("../secret.json"));
  Result<std::string> deep = l.read_document("blobs/sha256/../../../secret.json");
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().why == "a path that leaves the layout ('..'); only paths inside it are read");
  Result<std::string> absolute = l.read_document(h.secret.string());
  REQUIRE_FALSE(absolute.ok());
  CHECK(absolute.error().why == "an absolute path; only paths inside the layout are read");
}

TEST_CASE("packager.layout: symlinks in a directory are followed only while they stay inside") {
  HostileDir h;
  std::string config = blob_name(h.image.config.digest);
  Layout l = Layout::open(h.root).value();

  h.link_blob(h.image.config.digest, h.secret);
  Result<std::string> out = l.read_document(config);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().what == (h.root / config).string());
  CHECK(out.error().why == "a symlink to " + h.secret.string() +
                               ", outside the layout; only files inside it are read");
  CHECK_FALSE(l.has(config));

  h.link_blob(h.image.config.digest, "../../../secret.json");
  Result<std::string> relative = l.read_document(config);
  REQUIRE_FALSE(relative.ok());
  CHECK(relative.error().why ==
        "a symlink in its path leaves the layout; only files inside it are read");

  // A directory on the way that leads out is refused the same way.
  fs::create_symlink(h.dir.path(), h.root / "up");
  Result<std::string> through = l.read_document("up/secret.json");
  REQUIRE_FALSE(through.ok());
  CHECK(through.error().why == "a symlink to " + h.dir.path().string() +
                                   ", outside the layout; only files inside it are read");

  // Inside the layout, a relative symlink is fine (older docker-archives link layer.tar).
  fs::create_directories(h.root / "legacy");
  fs::create_symlink("../" + blob_name(h.image.manifest.digest), h.root / "legacy" / "json");
  CHECK(l.has("legacy/json"));
  CHECK(l.read_document("legacy/json").value() == h.image.manifest_bytes);
  // A loop is refused, not followed for ever.
  fs::create_symlink("loop", h.root / "loop");
  CHECK(l.read_document("loop").error().why == "too many symlinks in its path");
}

TEST_CASE("packager.layout: only regular files are read from a directory: no fifo, no device") {
  HostileDir h;
  Layout l = Layout::open(h.root).value();
  std::string layer = blob_name(h.image.layers[0].digest);
  fs::remove(h.root / layer);
  REQUIRE(::mkfifo((h.root / layer).c_str(), 0644) == 0);
  {
    FifoWatchdog watchdog(h.root / layer);
    Status s = l.stream(
        layer, [](ByteReader& r) -> Status { return r().ok() ? Status() : failure("", ""); });
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().why == "a fifo, not a regular file; only regular files are read");
  }
  CHECK_FALSE(l.has(layer));

  h.link_blob(h.image.layers[0].digest, "/dev/zero");
  Status zero = l.stream(
      layer, [](ByteReader& r) -> Status { return r().ok() ? Status() : failure("", ""); });
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().why == "a symlink to /dev/zero, outside the layout; only files inside it "
                            "are read");

  // A device node inside the layout (when this user may make one).
  fs::remove(h.root / layer);
  if (::mknod((h.root / layer).c_str(), S_IFCHR | 0600, makedev(1, 5)) == 0) {
    Result<std::string> dev = l.read_document(layer);
    REQUIRE_FALSE(dev.ok());
    CHECK(dev.error().why == "a character device, not a regular file; only regular files are read");
  }
}

TEST_CASE("packager.layout: a blob is checked against its name as it streams") {
  HostileDir h;
  std::string layer = blob_name(h.image.layers[0].digest);
  std::string original = read_file(h.root / layer).value();
  std::string tampered = original;
  tampered[tampered.size() / 2] ^= 0x20;
  fs::remove(h.root / layer);
  REQUIRE(write_file_atomic(h.root / layer, tampered));
  REQUIRE(write_archive(h.image, h.store, h.dir.path() / "img.tar"));
  tar_dir(h.root, h.dir.path() / "tampered.tar");

  for (const fs::path& p : {h.root, h.dir.path() / "tampered.tar"}) {
    CAPTURE(p);
    Layout l = Layout::open(p).value();
    std::string why =
        "its contents hash to " + Digest::of(tampered).to_string() + ", not to its name";
    // Read to the end: the reader fails where it would have ended.
    std::string seen;
    Status whole = l.stream(layer, [&](ByteReader& reader) -> Status {
      for (;;) {
        std::string_view block = SP_TRY(reader());
        if (block.empty()) {
          return {};
        }
        seen.append(block);
      }
    });
    REQUIRE_FALSE(whole.ok());
    CHECK(whole.error().why == why);
    CHECK(whole.error().what == l.where(layer));
    // Stopped early: what was left is read and checked all the same.
    Status early = l.stream(layer, [](ByteReader&) -> Status { return {}; });
    REQUIRE_FALSE(early.ok());
    CHECK(early.error().why == why);
  }
  // The archive written before the damage reads clean.
  CHECK(streamed(Layout::open(h.dir.path() / "img.tar").value(), layer) == original);
}

TEST_CASE("packager.layout: a blob read through its descriptor must have its size") {
  HostileDir h;
  Layout l = Layout::open(h.root).value();
  Descriptor d = h.image.layers[0].descriptor();
  std::string bytes = streamed(l, blob_name(d.digest));
  auto through = [&](const Descriptor& desc) {
    return l.stream(desc, [](ByteReader& reader) -> Status {
      for (;;) {
        if (SP_TRY(reader()).empty()) {
          return {};
        }
      }
    });
  };
  CHECK(through(d).ok());
  Descriptor small = d;
  small.size -= 1;
  Status more = through(small);
  REQUIRE_FALSE(more.ok());
  CHECK(more.error().why ==
        "holds more than the " + std::to_string(small.size) + " bytes its descriptor says");
  Descriptor big = d;
  big.size += 1;
  Status fewer = through(big);
  REQUIRE_FALSE(fewer.ok());
  CHECK(fewer.error().why == "is " + std::to_string(d.size) + " bytes, not the " +
                                 std::to_string(big.size) + " its descriptor says");
  Descriptor manifest = h.image.manifest;
  CHECK(l.read_document(manifest).value() == h.image.manifest_bytes);
  manifest.size += 1;
  CHECK_FALSE(l.read_document(manifest).ok());
  CHECK(bytes == blob_bytes(h.store, d.digest));
}

TEST_CASE("packager.layout: an archive's names and links stay inside it") {
  TempDir dir("sp-layout");
  std::string index = R"({"schemaVersion":2,"manifests":[]})";
  REQUIRE(write_file_atomic(dir.path() / "hostile.tar",
                            make_tar({{"index.json", index},
                                      {"../outside.json", "OUTSIDE"},
                                      {"up.json", "", "../outside.json"},
                                      {"passwd", "", "/etc/passwd"},
                                      {"hard.json", "", "", "index.json"},
                                      {"dir/rel.json", "", "../index.json"},
                                      {"hard-out.json", "", "", "../outside.json"}})));
  Layout l = Layout::open(dir.path() / "hostile.tar").value();
  Result<std::string> outside = l.read_document("../outside.json");
  REQUIRE_FALSE(outside.ok());
  CHECK(outside.error().why ==
        "a path that leaves the layout ('..'); only paths inside it are read");
  for (const char* link : {"up.json", "passwd", "hard-out.json"}) {
    CAPTURE(link);
    CHECK_FALSE(l.has(link));
    Result<std::string> r = l.read_document(link);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().why == "not in the archive");
  }
  // Links inside the archive are aliases of their targets.
  CHECK(l.read_document("hard.json").value() == index);
  CHECK(l.read_document("dir/rel.json").value() == index);
}

TEST_CASE("packager.layout: limits on an archive") {
  TempDir dir("sp-layout");
  std::vector<TarSpec> members;
  for (int i = 0; i < 20; ++i) {
    members.push_back({"doc" + std::to_string(i) + ".json", std::string(1000, 'x')});
  }
  members.push_back({"big", "", "", "", 2 << 20});
  fs::path tar = dir.path() / "limits.tar";
  REQUIRE(write_file_atomic(tar, make_tar(members)));
  std::string where = tar.string();
  auto open_with = [&](auto set) {
    LayoutOptions o;
    set(o.limits);
    return Layout::open(tar, o);
  };
  const std::string raise = "raise the limit with ";

  Result<Layout> entries = open_with([](ReadLimits& r) { r.max_entries = 5; });
  REQUIRE_FALSE(entries.ok());
  CHECK(entries.error().what == where);
  CHECK(entries.error().why == "more than 5 members");
  CHECK(entries.error().hint == raise + "--max-entries if the image is trusted");
  CHECK(entries.error().kind == ErrorKind::usage_or_io);

  Result<Layout> size = open_with([](ReadLimits& r) { r.max_entry_size = 1 << 20; });
  REQUIRE_FALSE(size.ok());
  CHECK(size.error().what == where + ":big");
  CHECK(size.error().why == "is 2097152 bytes, more than 1 MiB");
  CHECK(size.error().hint == raise + "--max-entry-size if the image is trusted");

  Result<Layout> total = open_with([](ReadLimits& r) { r.max_total_size = 64 << 10; });
  REQUIRE_FALSE(total.ok());
  CHECK(total.error().why == "more than 64 KiB of uncompressed data");
  CHECK(total.error().hint == raise + "--max-total-size if the image is trusted");

  // Names count too: 21 members may have 21 × 256 bytes of names, not 21 names of 300.
  std::vector<TarSpec> long_names;
  for (int i = 0; i < 21; ++i) {
    long_names.push_back({std::string(290, 'n') + std::to_string(1000 + i), "x"});
  }
  REQUIRE(write_file_atomic(dir.path() / "names.tar", make_tar(long_names)));
  LayoutOptions names;
  names.limits.max_entries = 21;
  Result<Layout> named = Layout::open(dir.path() / "names.tar", names);
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().why == "its member names add up to more than 5376 bytes");

  // Documents: each at most max_document, all together at most 16 times that.
  Layout l = open_with([](ReadLimits& r) { r.max_document = 1000; }).value();
  CHECK(l.read_document("big").error().why == "more than 1000 bytes: too large for a JSON "
                                              "document");
  for (int i = 0; i < 16; ++i) {
    REQUIRE(l.read_document("doc" + std::to_string(i) + ".json").ok());
  }
  Result<std::string> seventeenth = l.read_document("doc16.json");
  REQUIRE_FALSE(seventeenth.ok());
  CHECK(seventeenth.error().why == "the JSON documents read from this layout add up to more "
                                   "than 16000 bytes (16 times --max-document-size)");
  CHECK(seventeenth.error().hint == raise + "--max-document-size if the image is trusted");
}
