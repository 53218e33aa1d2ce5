#include "cli/image_flags.h"
#include "util/diagnostics.h"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace sp;

namespace {

Result<pipeline::ImagePlan> plan(const cli::ImageFlags& f, const std::string& push_ref = {}) {
  return cli::plan_image(f, push_ref, "Hello", {"/hello"});
}

} // namespace

TEST_CASE("cli image flags: one name for every output, from --image, --push or the program") {
  cli::ImageFlags f;
  CHECK(plan(f).value().ref.to_string() == "hello:latest");
  // --push REF names the image (the archive and --load use it too), --tag adds tags.
  f.tags = {"latest", "v2", "v2", "2"};
  pipeline::ImagePlan pushed = plan(f, "registry.test:5000/acme/hc:2").value();
  CHECK(pushed.ref.to_string() == "registry.test:5000/acme/hc:2");
  CHECK(pushed.extra_tags == std::vector<std::string>{"latest", "v2"});
  f.tags.clear();
  f.image = "registry.test:5000/acme/hc:2";
  CHECK(plan(f, "registry.test:5000/acme/hc:2").ok());
  f.image = "hello";
  CHECK(plan(f).value().ref.to_string() == "hello:latest");
}

TEST_CASE("cli image flags: --image and --push naming two images, and bad tags, are refused") {
  cli::ImageFlags f;
  f.image = "hello";
  Result<pipeline::ImagePlan> clash = plan(f, "registry.test/acme/hc:2");
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().exit_code() == 2);
  CHECK(render(clash.error()) ==
        "error: --image hello --push registry.test/acme/hc:2: name two different images; the "
        "archive, --load and the push all use one name\n"
        "hint: give the name once: --push registry.test/acme/hc:2 alone names the image, and "
        "--tag adds tags\n");
  f.image.clear();
  f.tags = {"v 2", "a:b", "-x", "ok"};
  Result<pipeline::ImagePlan> tags = plan(f);
  REQUIRE_FALSE(tags.ok());
  CHECK(tags.error().exit_code() == 2);
  CHECK(tags.error().problems.size() == 3);
  Result<pipeline::ImagePlan> bad_push = plan({}, "Bad@@ref");
  REQUIRE_FALSE(bad_push.ok());
  CHECK(bad_push.error().what.starts_with("--push image name 'Bad@@ref'"));
}
