// `scratchpack package BINARY...` and `scratchpack package --dockerfile FILE [CONTEXT]`: check
// every flag → the inputs (pipeline/package) → the image (scan gate first) → write, load, push.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/events.h"
#include "cli/image_flags.h"
#include "cli/json_output.h"
#include "cli/published.h"
#include "cli/push_flags.h"
#include "pipeline/caches.h"
#include "pipeline/package.h"
#include "pipeline/push.h"
#include "publish/registry.h"
#include "util/diagnostics.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

constexpr const char* k_schema = "scratchpack.package/v1";

struct PackageFlags {
  std::vector<std::string> inputs; ///< binaries, or [CONTEXT] with --dockerfile
  std::string dockerfile;
  std::vector<std::string> build_args;
  std::string platform;
  std::string out_dir = "out";
  bool json = false;
  ImageFlags image;
  PushFlags push;
};

/// --platform, --build-arg and --push REF, every problem reported.
struct Common {
  std::optional<Platform> platform;
  std::map<std::string, std::string> build_args;
  std::optional<pipeline::PushTarget> push;
};

Result<Common> plan_common(const PackageFlags& f, std::istream* in) {
  Common c;
  Diagnostics diag;
  if (!f.platform.empty()) {
    if (auto p = parse_platform(f.platform); diag.check(p)) {
      c.platform = *p;
    }
  }
  for (const std::string& a : f.build_args) {
    size_t eq = a.find('=');
    if (eq == 0 || eq == std::string::npos) {
      diag.add(usage_error("--build-arg " + a, "expected NAME=VALUE"));
    } else {
      c.build_args[a.substr(0, eq)] = a.substr(eq + 1);
    }
  }
  if (!f.push.ref.empty()) {
    // REF is checked here, before a Dockerfile is read; it also names the image (plan_image),
    // and deliver() pushes under that name and tags.
    Result<publish::RegistryRef> ref = publish::parse_registry_ref(f.push.ref);
    if (!ref) {
      Error e = ref.take_error();
      e.what = "--push " + e.what;
      diag.add(std::move(e));
    }
    if (auto options = to_push_options(f.push, in); diag.check(options) && ref) {
      c.push = pipeline::PushTarget{f.push.ref, std::move(*options)};
    }
  }
  SP_TRY(diag.status());
  return c;
}

/// The image plan and its one platform's input.
struct PackagePlan {
  pipeline::ImagePlan image;
  pipeline::PlatformInput input;
};

Result<PackagePlan> plan_binaries(const PackageFlags& f, const Common& c) {
  if (f.inputs.empty() && f.image.adds.empty()) {
    return usage_error("package", "nothing to package",
                       "scratchpack package BINARY... [--add SRC:DEST], or --dockerfile FILE");
  }
  std::vector<fs::path> files(f.inputs.begin(), f.inputs.end());
  std::string name = files.empty() ? "image" : files.front().filename().string();
  auto plan =
      SP_TRY(plan_image(f.image, f.push.ref, name,
                        files.empty() ? std::vector<std::string>{} : std::vector{"/" + name}));
  SP_TRY(check_flag_program(f.image, plan.config));
  auto input = SP_TRY(pipeline::binaries_input(files, c.platform));
  return PackagePlan{std::move(plan), std::move(input)};
}

Result<PackagePlan> plan_dockerfile(const PackageFlags& f, const Common& c) {
  if (f.inputs.size() > 1) {
    return usage_error("package --dockerfile", "takes one CONTEXT directory");
  }
  fs::path context =
      f.inputs.empty() ? fs::path(f.dockerfile).parent_path() : fs::path(f.inputs[0]);
  auto df = SP_TRY(pipeline::read_dockerfile(f.dockerfile, context.empty() ? "." : context,
                                             c.build_args, c.platform));
  auto plan = SP_TRY(
      plan_image(f.image, f.push.ref, df.default_name.empty() ? "image" : df.default_name, {}));
  pipeline::apply_dockerfile(df.plan, !f.image.cmd.empty(), !f.image.entrypoint.empty(), plan);
  SP_TRY(check_flag_program(f.image, plan.config));
  return PackagePlan{std::move(plan), std::move(df.input)};
}

/// The image, written and pushed; `out` gets each result as it is made.
Status package(const PackageFlags& f, const PackagePlan& p, const Common& c, Io& io,
               Published& out) {
  TerminalEvents events(io, event_view(f.push.quiet, stderr_is_tty()));
  pipeline::Caches caches = pipeline::open_caches(true, events);
  pipeline::ImagePlan plan = p.image;
  plan.layer_cache = caches.layers.get();
  // Staged inside --out and moved into place only when everything worked, push included.
  auto staging = SP_TRY(pipeline::open_staging(f.out_dir));
  out.images.push_back(
      SP_TRY(pipeline::build_platform_image(plan, p.input, staging.store, events)));
  return pipeline::deliver(plan, out.images, staging, pipeline::image_stem(plan.ref), c.push,
                           events, out.delivered);
}

int run_package(const PackageFlags& f, Io& io) {
  auto common = plan_common(f, io.in);
  if (!common) {
    return print_outcome(io, f.json, k_schema, {}, {}, &common.error());
  }
  auto plan = f.dockerfile.empty() ? plan_binaries(f, *common) : plan_dockerfile(f, *common);
  if (!plan) {
    return print_outcome(io, f.json, k_schema, {}, {}, &plan.error());
  }
  Published published;
  Status made = package(f, *plan, *common, io, published);
  return print_outcome(io, f.json, k_schema, plan->image, published,
                       made ? nullptr : &made.error());
}

} // namespace

void register_package(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<PackageFlags>();
  CLI::App* cmd = app.add_subcommand(
      "package", "Wrap prebuilt static binaries (or a FROM-scratch Dockerfile) into an image");
  cmd->add_option("inputs", f->inputs,
                  "Static binaries, each placed at /NAME; with --dockerfile: CONTEXT");
  cmd->add_option("--dockerfile,-f", f->dockerfile, "A Dockerfile in the FROM scratch subset");
  cmd->add_option("--build-arg", f->build_args, "ARG value for the Dockerfile: NAME=VALUE");
  cmd->add_option("--platform", f->platform,
                  "linux/amd64, linux/arm64 or linux/arm/v7 (default: from the first binary)");
  cmd->add_option("--out", f->out_dir, "Output directory")->capture_default_str();
  cmd->add_flag("--json", f->json,
                "Print one JSON document on stdout (docs/package.schema.json): image, push, error");
  add_image_flags(cmd, f->image);
  add_push_flags(cmd, f->push, PushFlagsFor::image);
  cmd->callback([f, &io, &rc] { rc = run_package(*f, io); });
}

} // namespace sp::cli
