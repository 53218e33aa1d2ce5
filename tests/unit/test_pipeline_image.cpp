#include "fake_tools.h"
#include "packager/image.h"
#include "pipeline/image.h"
#include "runtime-stub/runtime_stub.h"
#include "util/diagnostics.h"

#include <doctest/doctest.h>
#include <fstream>

using namespace sp;
using namespace sp::pipeline;
using namespace sp::testing;

namespace {

const Platform k_amd64{"linux", "amd64", ""};
const Platform k_arm64{"linux", "arm64", "v8"};

/// A plan as build makes it for "app": Cmd ["/app"], archive format, no extras.
ImagePlan app_plan() {
  ImagePlan plan;
  plan.ref = packager::parse_image_ref("app:1.0").value();
  plan.config = packager::default_config({}, 0);
  plan.config.cmd = std::vector<std::string>{"/app"};
  return plan;
}

/// A static ELF for `machine` (or a dynamic one) written at dir/name.
fs::path elf_file(const fs::path& dir, const std::string& name, uint16_t machine = 62,
                  bool dynamic = false) {
  sp::test::ElfSpec spec;
  spec.machine = machine;
  if (dynamic) {
    spec.interp = "/lib64/ld-linux-x86-64.so.2";
    spec.needed = {"libc.so.6"};
  }
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << sp::test::make_elf(spec);
  fs::permissions(dir / name, fs::perms::owner_all);
  return dir / name;
}

PlatformInput input_of(const fs::path& binary, const Platform& platform) {
  PlatformInput in;
  in.platform = platform;
  in.files.push_back({binary, "/app", 0755, false, {}});
  return in;
}

struct Store {
  TempDir tmp{"sp-pipeline-image"};
  packager::BlobStore store = packager::BlobStore::open(tmp.path() / "blobs").value();
};

} // namespace

TEST_CASE("pipeline.image: the init runs the program, the platform is set") {
  ImagePlan plan = app_plan();
  plan.config.entrypoint = std::vector<std::string>{"/app", "--serve"};
  packager::ImageConfig plain = platform_config(plan, k_arm64);
  CHECK(plain.platform == k_arm64);
  CHECK(plain.entrypoint == std::vector<std::string>{"/app", "--serve"});
  plan.init = true;
  packager::ImageConfig with_init = platform_config(plan, k_arm64);
  CHECK(with_init.entrypoint ==
        std::vector<std::string>{std::string(runtime_stub::k_path), "--", "/app", "--serve"});
  CHECK(with_init.cmd == plan.config.cmd);
  plan.config.entrypoint.reset();
  CHECK(platform_config(plan, k_amd64).entrypoint ==
        std::vector<std::string>{std::string(runtime_stub::k_path), "--"});
}

TEST_CASE("pipeline.image: extras make a base layer under the application layer") {
  Store s;
  ImagePlan plan = app_plan();
  plan.nonroot = true;
  plan.tmp = true;
  plan.init = true;
  RecordingEvents events;
  auto image =
      build_platform_image(plan, input_of(elf_file(s.tmp.path(), "app"), k_amd64), s.store, events);
  REQUIRE_MESSAGE(image.ok(), render(image.error()));
  REQUIRE(image->layers.size() == 2);
  CHECK(packager::validate(*image, s.store).empty());
  packager::ImageConfig config = packager::parse_config_json(image->config_bytes).value();
  REQUIRE(config.history.size() == 2);
  CHECK(config.history[0].created_by == "scratchpack: passwd, /tmp");
  CHECK(config.history[1].created_by == "scratchpack: /app /.scratchpack/init");
  // The gate saw the binary and the init, found nothing wrong.
  REQUIRE(events.reports.size() == 1);
  CHECK(events.reports[0].errors() == 0);
}

TEST_CASE("pipeline.image: the gate stops a dynamic binary before any layer is written") {
  Store s;
  RecordingEvents events;
  auto image = build_platform_image(
      app_plan(), input_of(elf_file(s.tmp.path(), "app", 62, true), k_amd64), s.store, events);
  REQUIRE_FALSE(image.ok());
  CHECK(image.error().what == "scan gate");
  CHECK(image.error().why == "2 errors in the image's files; nothing was packaged");
  std::vector<std::string> codes = events.codes();
  CHECK(std::count(codes.begin(), codes.end(), "dynamic.needed") == 1);
  CHECK(std::count(codes.begin(), codes.end(), "dynamic.interp") == 1);
  CHECK(fs::is_empty(s.store.dir() / "sha256"));

  // --no-scan lets it through.
  ImagePlan unchecked = app_plan();
  unchecked.no_scan = true;
  CHECK(build_platform_image(unchecked, input_of(elf_file(s.tmp.path(), "app", 62, true), k_amd64),
                             s.store, events)
            .ok());
}

TEST_CASE("pipeline.image: every platform's failure is reported, each named") {
  Store s;
  RecordingEvents events;
  fs::path x86 = elf_file(s.tmp.path(), "x86", 62);
  // An x86-64 binary in the arm64 image: the wrong architecture for that platform only.
  auto images =
      build_images(app_plan(), {input_of(x86, k_amd64), input_of(x86, k_arm64)}, s.store, events);
  REQUIRE_FALSE(images.ok());
  CHECK(images.error().why ==
        "1 error in the image's files; nothing was packaged (linux/arm64/v8)");
  CHECK(images.error().problems.empty());

  fs::path arm = elf_file(s.tmp.path(), "arm", 183);
  auto both =
      build_images(app_plan(), {input_of(x86, k_amd64), input_of(arm, k_arm64)}, s.store, events);
  REQUIRE(both.ok());
  CHECK(both->size() == 2);
}

TEST_CASE("pipeline.image: one image is its manifest; several, or always_index, an index") {
  Store s;
  RecordingEvents events;
  fs::path x86 = elf_file(s.tmp.path(), "x86", 62);
  fs::path arm = elf_file(s.tmp.path(), "arm", 183);
  ImagePlan plan = app_plan();
  auto one = build_images(plan, {input_of(x86, k_amd64)}, s.store, events).value();
  ImageRoot root = image_root(plan, one, s.store).value();
  CHECK_FALSE(root.index);
  CHECK(root.descriptor.digest == one.front().manifest.digest);

  plan.always_index = true;
  ImageRoot indexed = image_root(plan, one, s.store).value();
  REQUIRE(indexed.index);
  CHECK(indexed.descriptor.media_type == std::string(packager::media_type::k_index));

  plan.always_index = false;
  auto two =
      build_images(plan, {input_of(x86, k_amd64), input_of(arm, k_arm64)}, s.store, events).value();
  ImageRoot multi = image_root(plan, two, s.store).value();
  REQUIRE(multi.index);
  CHECK(multi.index->manifests.size() == 2);
  CHECK(packager::validate(*multi.index, s.store).empty());
}

TEST_CASE("pipeline.image: written as OUT/STEM.tar, OUT/STEM.oci, or not at all") {
  Store s;
  RecordingEvents events;
  ImagePlan plan = app_plan();
  plan.extra_tags = {"latest"};
  auto images =
      build_images(plan, {input_of(elf_file(s.tmp.path(), "x86"), k_amd64)}, s.store, events)
          .value();
  fs::path out = s.tmp.path() / "out";
  ImageOutputs tar = write_images(plan, images, s.store, out, "app", events).value();
  CHECK(tar.path == out / "app.tar");
  CHECK(fs::is_regular_file(tar.path));
  CHECK(tar.digest == images.front().manifest.digest.to_string());
  CHECK(tar.loaded_into.empty());

  plan.format = ImageFormat::oci_dir;
  ImageOutputs dir = write_images(plan, images, s.store, out, "app", events).value();
  CHECK(fs::is_regular_file(out / "app.oci" / "index.json"));
  std::string index = read_file(out / "app.oci" / "index.json").value();
  CHECK(index.find("\"org.opencontainers.image.ref.name\":\"1.0\"") != std::string::npos);
  CHECK(index.find("\"org.opencontainers.image.ref.name\":\"latest\"") != std::string::npos);
  CHECK(dir.digest == tar.digest);

  plan.format = ImageFormat::none;
  ImageOutputs none =
      write_images(plan, images, s.store, s.tmp.path() / "nowhere", "app", events).value();
  CHECK(none.path.empty());
  CHECK(none.digest == tar.digest);
  CHECK_FALSE(fs::exists(s.tmp.path() / "nowhere"));
  CHECK(image_stem(packager::parse_image_ref("registry.example.com/acme/app:2").value()) == "app");
}
