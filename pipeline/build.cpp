#include "pipeline/build.h"

#include "pipeline/caches.h"
#include "pipeline/gate.h"
#include "toolchain/overlay.h"
#include "util/diagnostics.h"

namespace sp::pipeline {

namespace tc = toolchain;

fs::path binary_path(const BuildInput& input, const Target& target) {
  return binary_path(input, target, input.name);
}

fs::path binary_path(const BuildInput& input, const Target& target, const std::string& name) {
  return input.targets.size() == 1 ? input.out_dir / name : input.out_dir / target.name() / name;
}

toolchain::BuildProgressFn progress_to(Events& events) {
  return [&events](const tc::BuildProgress& p) {
    events.progress({p.phase, p.done, p.total, p.what});
  };
}

namespace {

/// `argv` with `from` replaced by `to` (a staged path by its final one, for whoever prints it).
std::vector<std::string> renamed(std::vector<std::string> argv, const fs::path& from,
                                 const fs::path& to) {
  for (std::string& arg : argv) {
    if (arg == from.string()) {
      arg = to.string();
    }
  }
  return argv;
}

/// Strips the binaries of a profile that strips, after the gate.
Status strip_built(const BuildInput& input, const tc::BuildTools& tools,
                   std::vector<BuiltBinary>& built) {
  if (!tc::strips(input.compile.profile)) {
    return {};
  }
  std::vector<tc::StripRequest> requests;
  for (const BuiltBinary& b : built) {
    requests.push_back({b.staged, b.sha256, b.path.string()});
  }
  auto stripped = SP_TRY(tc::strip_binaries(requests, tools));
  for (size_t i = 0; i < built.size(); ++i) {
    built[i].sha256 = stripped[i].sha256;
    built[i].strip_argv = renamed(stripped[i].argv, built[i].staged, built[i].path);
  }
  return {};
}

/// The CMake project's executables for every target, copied into the stage; every target's
/// failure is reported.
Result<std::vector<BuiltBinary>> build_cmake(const BuildInput& input, OutputStage& stage,
                                             const tc::BuildTools& tools, Events& events) {
  std::vector<BuiltBinary> built;
  std::vector<GateItem> gate;
  Diagnostics diag;
  for (const Target& t : input.targets) {
    auto exes = cmake_build(*input.cmake, t, input.compile.profile,
                            input.out_dir / ".cmake-build" / t.name(), tools.jobs, events);
    if (!diag.check(exes)) {
      continue;
    }
    for (const CMakeExecutable& x : *exes) {
      std::string name = x.path.filename().string();
      fs::path path = binary_path(input, t, name);
      fs::path staged = stage.stage(path);
      std::string sha = SP_TRY(place_executable(x.path, staged));
      built.push_back({name, t, path, staged, sha, {}, {}, {}});
      gate.push_back({staged, path.string(), sha, t.platform(), {}, {}});
    }
  }
  SP_TRY(diag.status());
  if (input.scan) {
    SP_TRY(gate_binaries(gate, input.strict, tools.cache, "packaged", events));
  }
  SP_TRY(strip_built(input, tools, built));
  return built;
}

} // namespace

Result<std::vector<BuiltBinary>> build_binaries(const BuildInput& input, OutputStage& stage,
                                                const tc::BuildTools& tools, Events& events) {
  if (input.cmake) {
    return build_cmake(input, stage, tools, events);
  }
  std::vector<tc::BinaryRequest> requests;
  for (const Target& t : input.targets) {
    tc::BinaryRequest r;
    r.sources = input.sources;
    r.target = t;
    r.compile = input.compile;
    r.lib_dirs = input.lib_dirs;
    r.libs = input.libs;
    SP_TRY(tc::use_pkg_config(r, input.pkgs, tools.search));
    r.output = stage.stage(binary_path(input, t));
    r.label = input.targets.size() == 1 ? "" : input.name + ", " + t.name();
    r.name = input.name;
    r.sbom = sbom_enabled();
    requests.push_back(std::move(r));
  }
  // The engine names the staged binaries; whoever watches sees where they will be.
  auto progress = [&events, &stage](const tc::BuildProgress& p) {
    std::string what = p.phase == "link" ? stage.final_path(p.what).string() : p.what;
    events.progress({p.phase, p.done, p.total, std::move(what)});
  };
  auto results = SP_TRY(tc::build_binaries(requests, tools, progress));
  report_launches(tools, events);
  std::vector<BuiltBinary> built;
  std::vector<GateItem> gate;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].diagnostics.empty()) {
      events.tool_output(results[i].diagnostics);
    }
    if (results[i].ok()) {
      const tc::BinaryRequest& r = requests[i];
      fs::path path = binary_path(input, r.target);
      std::optional<BinarySbom> sbom;
      if (results[i].materials) {
        sbom.emplace();
        results[i].sha256 =
            SP_TRY(stamp_binary(r.output, *results[i].materials, *sbom, tools.cache));
        // Staged: the stage's commit moves them into place with the binary.
        SP_TRY(
            write_file_atomic(stage.stage(spdx_path(path)), sbom->spdx, 0644, Durability::ordered));
        SP_TRY(write_file_atomic(stage.stage(cyclonedx_path(path)), sbom->cyclonedx, 0644,
                                 Durability::ordered));
      }
      built.push_back({input.name,
                       r.target,
                       path,
                       r.output,
                       results[i].sha256,
                       renamed(results[i].link_argv, r.output, path),
                       {},
                       std::move(sbom)});
      gate.push_back({r.output, path.string(), results[i].sha256, r.target.platform(),
                      results[i].why_extract, shown_sources(results[i].object_sources)});
    }
  }
  if (auto e = tc::build_error(results)) {
    return *e;
  }
  if (input.scan) {
    SP_TRY(gate_binaries(gate, input.strict, tools.cache, "packaged", events));
  }
  SP_TRY(strip_built(input, tools, built));
  return built;
}

} // namespace sp::pipeline
