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

TEST_CASE("cli image flags: --tag with --format none and no --push has nothing to tag") {
  cli::ImageFlags f;
  f.format = "none";
  f.tags = {"v2"};
  Result<pipeline::ImagePlan> none = plan(f);
  REQUIRE_FALSE(none.ok());
  CHECK(render(none.error()) ==
        "error: --tag v2: --format none writes no image, so there is nothing to tag\n"
        "hint: drop --format none, or give --push REF\n");
  CHECK(plan(f, "registry.test/acme/hc:2").ok()); // the pushed image carries the tag
}

TEST_CASE("cli image flags: the program --entrypoint or --cmd names must be an absolute path") {
  cli::ImageFlags f;
  f.entrypoint = R"(["hello"])";
  Status relative = cli::check_flag_program(f, plan(f).value().config);
  REQUIRE_FALSE(relative.ok());
  CHECK(relative.error().exit_code() == 2); // a bad flag value, found before anything is built
  CHECK(relative.error().what == R"(--entrypoint ["hello"])");
  CHECK(relative.error().why == "program 'hello' is not an absolute path; write its path in the "
                                "image, e.g. \"/hello\"");
  f.entrypoint = R"(["/hello"])";
  CHECK(cli::check_flag_program(f, plan(f).value().config).ok());

  // Without an entrypoint, --cmd names the program; after one (a Dockerfile's ENTRYPOINT), it
  // only gives arguments.
  f.entrypoint.clear();
  f.cmd = R"(["--verbose"])";
  pipeline::ImagePlan p = plan(f).value();
  CHECK(cli::check_flag_program(f, p.config).error().what == R"(--cmd ["--verbose"])");
  p.config.entrypoint = std::vector<std::string>{"/hello"};
  CHECK(cli::check_flag_program(f, p.config).ok());
}
