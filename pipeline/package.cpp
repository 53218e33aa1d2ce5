#include "pipeline/package.h"

#include "toolchain/scan/scanner.h"
#include "util/diagnostics.h"
#include "util/target.h"

namespace sp::pipeline {

namespace pk = packager;

std::optional<Platform> platform_of(const fs::path& file) {
  scan::FileReport r = scan::scan_file(file.string(), {});
  const ArchInfo* arch = r.elf ? find_arch_by_elf_machine(r.elf->e_machine) : nullptr;
  if (!arch) {
    return std::nullopt;
  }
  return Target{arch->arch, Libc::glibc}.platform();
}

Platform choose_platform(const std::optional<Platform>& given, const std::vector<fs::path>& files) {
  if (given) {
    return *given;
  }
  for (const fs::path& f : files) {
    if (auto p = platform_of(f)) {
      return *p;
    }
  }
  return Target{host_arch(), Libc::glibc}.platform();
}

Result<PlatformInput> binaries_input(const std::vector<fs::path>& binaries,
                                     const std::optional<Platform>& platform) {
  PlatformInput input;
  Diagnostics diag;
  for (const fs::path& b : binaries) {
    std::error_code ec;
    if (!fs::is_regular_file(b, ec)) {
      diag.add(io_error(b.string(), fs::exists(b, ec) ? "not a regular file" : "no such file"));
      continue;
    }
    input.files.push_back({b, "/" + b.filename().string(), 0755, false, {}});
  }
  SP_TRY(diag.status());
  input.platform = choose_platform(platform, binaries);
  return input;
}

Result<DockerfileInput> read_dockerfile(const fs::path& dockerfile, const fs::path& context,
                                        const std::map<std::string, std::string>& build_args,
                                        const std::optional<Platform>& platform) {
  std::string text = SP_TRY(read_file(dockerfile));
  std::string name = dockerfile.filename().string();
  DockerfileInput out;
  out.plan = SP_TRY(pk::parse_dockerfile(text, name, build_args));
  auto files = SP_TRY(pk::resolve_dockerfile_files(out.plan, context, name));
  out.input.extra = std::move(files.layer);
  out.input.extra_added = files.added;
  std::vector<fs::path> sources;
  for (const pk::AddedFile& a : files.added) {
    sources.push_back(a.source);
  }
  out.input.platform = choose_platform(platform, sources);
  for (const pk::DockerfileCopy& c : out.plan.copies) {
    if (out.default_name.empty() && !c.sources.empty()) {
      out.default_name = fs::path(c.sources.front()).filename().string();
    }
  }
  return out;
}

void apply_dockerfile(const pk::DockerfilePlan& dockerfile, bool keep_cmd, bool keep_entrypoint,
                      ImagePlan& plan) {
  pk::ImageConfig flags = plan.config;
  pk::apply_dockerfile_config(dockerfile, plan.config);
  if (keep_cmd) {
    plan.config.cmd = flags.cmd;
  }
  if (keep_entrypoint) {
    plan.config.entrypoint = flags.entrypoint;
  }
}

} // namespace sp::pipeline
