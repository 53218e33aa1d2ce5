// `scratchpack package BINARY...` and `scratchpack package --dockerfile FILE [CONTEXT]`: prebuilt
// static binaries (or a FROM-scratch Dockerfile) → scan_gate → image → archive or OCI dir.
#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/image_options.h"
#include "packager/dockerfile.h"
#include "util/strings.h"

namespace sp::cli {

namespace {

namespace pk = packager;

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

/// The platform an ELF was built for, from its header.
std::optional<Platform> platform_of(const fs::path& file) {
  scan::FileReport r = scan::scan_file(file.string(), {});
  if (!r.elf) {
    return std::nullopt;
  }
  if (r.elf->machine == "x86-64") {
    return Platform{"linux", "amd64", ""};
  }
  if (r.elf->machine == "aarch64") {
    return Platform{"linux", "arm64", "v8"};
  }
  if (r.elf->machine == "arm") {
    return Platform{"linux", "arm", "v7"};
  }
  return std::nullopt;
}

/// --platform when given, else the architecture of the first ELF among `files`, else amd64.
Result<Platform> choose_platform(const std::string& flag, const std::vector<fs::path>& files) {
  if (!flag.empty()) {
    return parse_platform(flag);
  }
  for (const fs::path& f : files) {
    if (auto p = platform_of(f)) {
      return *p;
    }
  }
  return Platform{"linux", "amd64", ""};
}

/// Binaries given on the command line: each at /<its file name>.
Result<PlatformInput> binaries_input(const PackageFlags& f) {
  PlatformInput input;
  std::vector<fs::path> files;
  for (const std::string& b : f.inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(b, ec)) {
      return io_error(b, fs::exists(b, ec) ? "not a regular file" : "no such file");
    }
    files.emplace_back(b);
    input.files.push_back({b, "/" + fs::path(b).filename().string(), 0755, false, {}});
  }
  auto platform = choose_platform(f.platform, files);
  if (!platform) {
    return platform.take_error();
  }
  input.platform = *platform;
  return input;
}

/// A Dockerfile: its ADD/COPY files from the context and its config instructions.
Result<PlatformInput> dockerfile_input(const PackageFlags& f, ImagePlan& plan,
                                       const pk::DockerfilePlan& df) {
  fs::path context = f.inputs.empty() ? fs::path(f.dockerfile).parent_path() : fs::path(f.inputs[0]);
  if (context.empty()) {
    context = ".";
  }
  std::string name = fs::path(f.dockerfile).filename().string();
  auto files = pk::resolve_dockerfile_files(df, context, name);
  if (!files) {
    return files.take_error();
  }
  PlatformInput input;
  input.extra = std::move(files->layer);
  input.extra_added = files->added;
  std::vector<fs::path> sources;
  for (const pk::AddedFile& a : files->added) {
    sources.push_back(a.source);
  }
  auto platform = choose_platform(f.platform, sources);
  if (!platform) {
    return platform.take_error();
  }
  input.platform = *platform;
  return input;
}

Result<std::map<std::string, std::string>> parse_build_args(const std::vector<std::string>& args) {
  std::map<std::string, std::string> out;
  for (const std::string& a : args) {
    size_t eq = a.find('=');
    if (eq == 0 || eq == std::string::npos) {
      return usage_error("--build-arg " + a, "expected NAME=VALUE");
    }
    out[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return out;
}

/// The name an image gets without --image: the first binary's, or the Dockerfile's first file's.
std::string default_name(const std::vector<fs::path>& files) {
  return files.empty() ? "image" : files.front().filename().string();
}

int package_image(const PackageFlags& f, ImagePlan& plan, const PlatformInput& input, Io& io) {
  auto staging = open_staging(f.out_dir);
  if (!staging) {
    return print_error(io, staging.error());
  }
  const packager::BlobStore* store = &staging->store;
  GateResult gate;
  auto image = build_platform_image(plan, input, *store, gate);
  print_gate_findings(io, gate.report);
  if (!image) {
    return print_error(io, image.error());
  }
  std::string stem = fs::path(plan.ref.repository).filename().string();
  return publish_images(io, plan, {*image}, store, f.out_dir, stem, f.push, f.json, {});
}

int run_package(const PackageFlags& f, Io& io) {
  if (f.dockerfile.empty()) {
    if (f.inputs.empty() && f.image.adds.empty()) {
      return print_error(io, usage_error("package", "nothing to package",
                                         "scratchpack package BINARY... [--add SRC:DEST], or "
                                         "--dockerfile FILE"));
    }
    std::vector<fs::path> files(f.inputs.begin(), f.inputs.end());
    std::string name = default_name(files);
    auto plan = plan_image(f.image, name,
                           files.empty() ? std::vector<std::string>{} : std::vector{"/" + name});
    if (!plan) {
      return print_error(io, plan.error());
    }
    auto input = binaries_input(f);
    if (!input) {
      return print_error(io, input.error());
    }
    return package_image(f, *plan, *input, io);
  }

  if (f.inputs.size() > 1) {
    return print_error(io, usage_error("package --dockerfile", "takes one CONTEXT directory"));
  }
  auto text = read_file(f.dockerfile);
  if (!text) {
    return print_error(io, text.error());
  }
  auto args = parse_build_args(f.build_args);
  if (!args) {
    return print_error(io, args.error());
  }
  auto df = pk::parse_dockerfile(*text, fs::path(f.dockerfile).filename().string(), *args);
  if (!df) {
    return print_error(io, df.error());
  }
  std::vector<fs::path> firsts;
  for (const pk::DockerfileCopy& c : df->copies) {
    for (const std::string& s : c.sources) {
      firsts.emplace_back(s);
    }
  }
  auto plan = plan_image(f.image, default_name(firsts), {});
  if (!plan) {
    return print_error(io, plan.error());
  }
  // The Dockerfile decides the config; flags given as well override it.
  pk::ImageConfig flags_config = plan->config;
  pk::apply_dockerfile_config(*df, plan->config);
  if (!f.image.cmd.empty()) {
    plan->config.cmd = flags_config.cmd;
  }
  if (!f.image.entrypoint.empty()) {
    plan->config.entrypoint = flags_config.entrypoint;
  }
  auto input = dockerfile_input(f, *plan, *df);
  if (!input) {
    return print_error(io, input.error());
  }
  return package_image(f, *plan, *input, io);
}

} // namespace

void register_package(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<PackageFlags>();
  CLI::App* cmd = app.add_subcommand(
      "package", "Wrap prebuilt static binaries (or a FROM-scratch Dockerfile) into an image");
  cmd->add_option("inputs", f->inputs, "Static binaries, each placed at /NAME; with --dockerfile: CONTEXT");
  cmd->add_option("--dockerfile,-f", f->dockerfile, "A Dockerfile in the FROM scratch subset");
  cmd->add_option("--build-arg", f->build_args, "ARG value for the Dockerfile: NAME=VALUE");
  cmd->add_option("--platform", f->platform,
                  "linux/amd64, linux/arm64 or linux/arm/v7 (default: from the first binary)");
  cmd->add_option("--out", f->out_dir, "Output directory")->capture_default_str();
  cmd->add_flag("--json", f->json, "Print one JSON document (image, push) on stdout");
  add_image_flags(cmd, f->image);
  add_push_flags(cmd, f->push, /*with_push_ref=*/true);
  cmd->callback([f, &io, &rc] { rc = run_package(*f, io); });
}

} // namespace sp::cli
