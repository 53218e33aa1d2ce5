#include "packager/layer.h"
#include "test_packager_helpers.h"
#include "util/diagnostics.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

LayerSpec sample_spec(const fs::path& dir) {
  REQUIRE(write_file_atomic(dir / "tool", "#!/bin/true\n", 0755));
  REQUIRE(write_file_atomic(dir / "notes.txt", "hello\n", 0600));
  LayerSpec spec;
  spec.add_file("/usr/local/bin/tool", dir / "tool");
  spec.add_file("/srv/notes.txt", dir / "notes.txt");
  spec.add_bytes("/etc/app.conf", "port = 80\n", 0640, 10, 20);
  spec.add_symlink("/usr/bin/tool", "../local/bin/tool");
  spec.add_directory("/data", 0700, 65532, 65532);
  spec.add_bytes("/big.txt", pseudo_text(3'500'000, 7)); // several gzip chunks
  return spec;
}

Layer build(const LayerSpec& spec, const BlobStore& store, Compression c, unsigned threads,
            int64_t mtime = 0, int level = 0) {
  LayerOptions o;
  o.compression = c;
  o.threads = threads;
  o.mtime = mtime;
  o.level = level;
  Result<Layer> layer = build_layer(spec, o, store);
  if (!layer) {
    FAIL(render(layer.error()));
  }
  return *layer;
}

} // namespace

TEST_CASE("packager.layer: the same spec twice gives the same digests") {
  TempDir dir("sp-layer");
  LayerSpec spec = sample_spec(dir.path());
  BlobStore a = BlobStore::open(dir.path() / "a").value();
  BlobStore b = BlobStore::open(dir.path() / "b").value();
  Layer la = build(spec, a, Compression::gzip, 2);
  Layer lb = build(spec, b, Compression::gzip, 2);
  CHECK(la.digest == lb.digest);
  CHECK(la.diff_id == lb.diff_id);
  CHECK(la.size == lb.size);
  CHECK(la.media_type == "application/vnd.oci.image.layer.v1.tar+gzip");
}

TEST_CASE("packager.layer: the bytes do not depend on the thread count") {
  TempDir dir("sp-layer");
  LayerSpec spec = sample_spec(dir.path());
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  for (auto [c, level] : {std::pair{Compression::gzip, 0}, std::pair{Compression::gzip, 1},
                          std::pair{Compression::gzip, 6}, std::pair{Compression::zstd, 0}}) {
    CAPTURE(to_string(c));
    CAPTURE(level);
    Layer one = build(spec, store, c, 1, 0, level);
    Layer two = build(spec, store, c, 2, 0, level);
    Layer four = build(spec, store, c, 4, 0, level);
    CHECK(one.digest == two.digest);
    CHECK(one.digest == four.digest);
    CHECK(one.diff_id == two.diff_id);
  }
}

TEST_CASE("packager.layer: SOURCE_DATE_EPOCH changes the diff_id") {
  TempDir dir("sp-layer");
  LayerSpec spec;
  spec.add_bytes("/a", "a");
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  Layer epoch = build(spec, store, Compression::gzip, 1, 0);
  Layer later = build(spec, store, Compression::gzip, 1, 1700000000);
  CHECK(epoch.diff_id != later.diff_id);
  std::vector<TarItem> items = list_tar(blob_bytes(store, later.digest));
  REQUIRE(items.size() == 1);
  CHECK(items[0].mtime == 1700000000);
}

TEST_CASE("packager.layer: gzip and zstd decode to exactly the uncompressed tar") {
  TempDir dir("sp-layer");
  LayerSpec spec = sample_spec(dir.path());
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  Layer plain = build(spec, store, Compression::none, 2);
  std::string tar = blob_bytes(store, plain.digest);
  CHECK(plain.digest == plain.diff_id);
  CHECK(plain.media_type == "application/vnd.oci.image.layer.v1.tar");
  CHECK(plain.uncompressed_size == tar.size());
  CHECK(Digest::of(tar) == plain.diff_id);

  for (int level : {1, 2, 3, 6, 9}) {
    CAPTURE(level);
    Layer gz = build(spec, store, Compression::gzip, 2, 0, level);
    std::string blob = blob_bytes(store, gz.digest);
    // Fixed header: magic, deflate, no flags, mtime 0, no extra flags, OS 255.
    CHECK(blob.substr(0, 10) == std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
    CHECK(gunzip(blob) == tar);
    CHECK(gz.diff_id == plain.diff_id);
    CHECK(gz.size == blob.size());
  }
  Layer zst = build(spec, store, Compression::zstd, 2);
  CHECK(zst.media_type == "application/vnd.oci.image.layer.v1.tar+zstd");
  CHECK(unzstd(blob_bytes(store, zst.digest)) == tar);
}

TEST_CASE("packager.layer: entries are sorted, parents added, modes and owners fixed") {
  TempDir dir("sp-layer");
  LayerSpec spec = sample_spec(dir.path());
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  std::vector<TarItem> items =
      list_tar(blob_bytes(store, build(spec, store, Compression::gzip, 2).digest));
  std::vector<std::string> names;
  for (const TarItem& t : items) {
    names.push_back(t.name);
    CHECK(t.mtime == 0);
    CHECK_FALSE(t.has_uname);
  }
  CHECK(names == std::vector<std::string>{"big.txt", "data/", "etc/", "etc/app.conf", "srv/",
                                          "srv/notes.txt", "usr/", "usr/bin/", "usr/bin/tool",
                                          "usr/local/", "usr/local/bin/", "usr/local/bin/tool"});
  auto find = [&](const std::string& name) {
    for (const TarItem& t : items) {
      if (t.name == name) {
        return t;
      }
    }
    FAIL("missing " << name);
    return TarItem{};
  };
  CHECK(find("usr/local/bin/tool").mode == 0755); // host file with an x bit
  CHECK(find("srv/notes.txt").mode == 0644);      // host 0600 normalised
  CHECK(find("etc/app.conf").mode == 0640);
  CHECK(find("etc/app.conf").uid == 10);
  CHECK(find("etc/app.conf").gid == 20);
  CHECK(find("etc/app.conf").data == "port = 80\n");
  CHECK(find("etc/").mode == 0755);
  CHECK(find("etc/").uid == 0);
  CHECK(find("data/").mode == 0700);
  CHECK(find("data/").uid == 65532);
  CHECK(find("usr/bin/tool").type == AE_IFLNK);
  CHECK(find("usr/bin/tool").link == "../local/bin/tool");
  CHECK(find("usr/local/bin/tool").data == "#!/bin/true\n");
}

TEST_CASE("packager.layer: long and non-ASCII names survive (pax records)") {
  TempDir dir("sp-layer");
  std::string long_name = "/opt/" + std::string(150, 'x') + "/file";
  LayerSpec spec;
  spec.add_bytes(long_name, "long");
  spec.add_bytes("/opt/caf\xc3\xa9.txt", "utf8");
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  std::vector<TarItem> items =
      list_tar(blob_bytes(store, build(spec, store, Compression::none, 1).digest));
  std::vector<std::string> names;
  for (const TarItem& t : items) {
    names.push_back(t.name);
  }
  CHECK(std::find(names.begin(), names.end(), long_name.substr(1)) != names.end());
  CHECK(std::find(names.begin(), names.end(), "opt/caf\xc3\xa9.txt") != names.end());
}

TEST_CASE("packager.layer: a later entry replaces an earlier one at the same path") {
  TempDir dir("sp-layer");
  LayerSpec spec;
  spec.add_bytes("/a", "first");
  spec.add_bytes("/a", "second");
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  std::vector<TarItem> items =
      list_tar(blob_bytes(store, build(spec, store, Compression::none, 1).digest));
  REQUIRE(items.size() == 1);
  CHECK(items[0].data == "second");
}

TEST_CASE("packager.layer: every problem in a spec is reported together") {
  TempDir dir("sp-layer");
  LayerSpec spec;
  spec.add_bytes("relative/path", "x");
  spec.add_bytes("/etc/../passwd", "x");
  spec.add_file("/missing", dir.path() / "does-not-exist");
  spec.add_bytes("/file", "x");
  spec.add_bytes("/file/child", "x");
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  Result<Layer> layer = build_layer(spec, {}, store);
  REQUIRE_FALSE(layer.ok());
  CHECK(layer.error().why == "4 problems found");
  const std::string d = render_problems(layer.error());
  CHECK(d.find("'relative/path': an image path must be absolute") != std::string::npos);
  CHECK(d.find("'..' is not allowed") != std::string::npos);
  CHECK(d.find("does-not-exist") != std::string::npos);
  CHECK(d.find("/file/child: its parent /file is a file, not a directory") != std::string::npos);
  // Nothing half-written is left in the store.
  CHECK(fs::is_empty(store.dir() / "sha256"));
}

TEST_CASE("packager.layer: a 50 MB file streams through and matches gzip -dc | sha256sum") {
  TempDir dir("sp-layer");
  fs::path big = dir.path() / "big.bin";
  {
    int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    for (uint32_t i = 0; i < 50; ++i) {
      std::string block = pseudo_text(1 << 20, i);
      REQUIRE(::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size()));
    }
    ::close(fd);
  }
  LayerSpec spec;
  spec.add_file("/big.bin", big);
  BlobStore store = BlobStore::open(dir.path() / "s").value();
  struct rusage before{};
  getrusage(RUSAGE_SELF, &before);
  Layer layer = build(spec, store, Compression::gzip, 2);
  struct rusage after{};
  getrusage(RUSAGE_SELF, &after);
  // Peak memory grows by far less than the file (ru_maxrss is in KiB).
  CHECK(after.ru_maxrss - before.ru_maxrss < 30 * 1024);
  CHECK(layer.uncompressed_size > 50u << 20);

  fs::path blob = store.path_of(layer.digest);
  Result<ProcessResult> sum = run_process({"sh", "-c", "sha256sum < '" + blob.string() + "'"});
  REQUIRE(sum.ok());
  CHECK(sum->out.substr(0, 64) == layer.digest.hex());
  Result<ProcessResult> diff =
      run_process({"sh", "-c", "gzip -dc < '" + blob.string() + "' | sha256sum"});
  REQUIRE(diff.ok());
  CHECK(diff->out.substr(0, 64) == layer.diff_id.hex());
}

TEST_CASE("packager.layer: compression names and levels") {
  CHECK(parse_named<Compression>("gzip").value() == Compression::gzip);
  CHECK(parse_named<Compression>("zstd").value() == Compression::zstd);
  CHECK(parse_named<Compression>("none").value() == Compression::none);
  CHECK_FALSE(parse_named<Compression>("xz").ok());
  CHECK(resolve_level(Compression::gzip, 0).value() == k_default_gzip_level);
  CHECK(resolve_level(Compression::zstd, 0).value() == 1);
  CHECK_FALSE(resolve_level(Compression::gzip, 10).ok());
  // Uncompressed layers take no level: any but 0 is a usage error (exit 2).
  CHECK(resolve_level(Compression::none, 0).value() == 0);
  CHECK(resolve_level(Compression::none, 5).error().exit_code() == 2);
  CHECK(normalize_image_path("/usr//bin/./x/").value() == "/usr/bin/x");
  CHECK(normalize_image_path("/").value() == "/");
}

TEST_CASE("packager.layer: compressors at chunk boundaries and with no input") {
  for (size_t size : {size_t{0}, size_t{1}, k_gzip_chunk_size, 2 * k_gzip_chunk_size,
                      2 * k_gzip_chunk_size + 1}) {
    std::string input = pseudo_text(size, static_cast<uint32_t>(size));
    for (Compression c : {Compression::gzip, Compression::zstd}) {
      for (int level : {0, 1, 4, 9}) {
        if (c == Compression::zstd && level == 9) {
          continue;
        }
        CAPTURE(size);
        CAPTURE(to_string(c));
        CAPTURE(level);
        std::string out;
        auto compressor = StreamCompressor::create(c, level, 2, [&](const char* d, size_t n) {
          out.append(d, n);
          return Status();
        });
        REQUIRE(compressor.ok());
        // Uneven writes: the chunking must not depend on them.
        for (size_t i = 0; i < input.size(); i += 300'001) {
          REQUIRE(
              (*compressor)->write(input.data() + i, std::min<size_t>(300'001, input.size() - i)));
        }
        REQUIRE((*compressor)->finish());
        // gunzip takes one member and nothing after it: a gzip layer is one member.
        CHECK((c == Compression::gzip ? gunzip(out) : unzstd(out)) == input);
      }
    }
  }
}

TEST_CASE("packager.layer: gzip bytes are fixed by the encoder's version and the level") {
  // The bytes libdeflate 1.14 makes of this input, on any CPU (tests/e2e/test_image_gzip_cpus.sh
  // compares CPUs). Another libdeflate version may change them: then update these digests and
  // docs/image-format.md says why digests moved.
  if (gzip_encoder() != "libdeflate 1.14") {
    MESSAGE("gzip encoder " << gzip_encoder() << ": the digests below are libdeflate 1.14's");
    return;
  }
  std::string input = pseudo_text(2 * k_gzip_chunk_size + 12345, 3);
  const std::pair<int, std::string_view> expected[] = {
      {1, "34a6579f713ee1a28024032a01e6c0ed19f3c8c595dabbfe9c9eacf352cfce6c"},
      {6, "83c4668370afb04755d6f379785a08784e34a30849e371bf7a3816267c79c867"},
      {9, "66a705c966470f367c7ccf73491ee74568a66910ece4f159acf49a4e03908ed2"},
  };
  for (auto [level, digest] : expected) {
    CAPTURE(level);
    std::string out;
    auto compressor =
        StreamCompressor::create(Compression::gzip, level, 2, [&](const char* d, size_t n) {
          out.append(d, n);
          return Status();
        });
    REQUIRE(compressor.ok());
    REQUIRE((*compressor)->write(input.data(), input.size()));
    REQUIRE((*compressor)->finish());
    CHECK(sha256_hex(out) == digest);
  }
}
