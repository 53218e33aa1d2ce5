#include "pipeline/cmake.h"

#include "pipeline/drop_in.h"
#include "toolchain/build_systems.h"
#include "util/process.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sp::pipeline {

namespace {

using Json = nlohmann::json;

/// File API replies are small; a bigger one is not CMake's.
constexpr uintmax_t k_max_reply_bytes = 64u << 20;

Result<Json> read_reply(const fs::path& file) {
  std::error_code ec;
  if (fs::file_size(file, ec) > k_max_reply_bytes || ec) {
    return failure(file.string(), "not a CMake file API reply (missing or larger than 64 MiB)");
  }
  auto text = SP_TRY(read_file(file));
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return failure(file.string(), "not a CMake file API reply (not a JSON object)");
  }
  return j;
}

std::string text_of(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// A reply's file name: a plain name inside the reply directory.
Result<fs::path> reply_file(const fs::path& reply_dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return failure(reply_dir.string(), "a file API reply names '" + name + "'");
  }
  return reply_dir / name;
}

std::string build_type(Profile profile) {
  switch (profile) {
  case Profile::debug:
    return "Debug";
  case Profile::size:
    return "MinSizeRel";
  default:
    return "Release";
  }
}

} // namespace

Result<std::vector<CMakeExecutable>> cmake_executables(const fs::path& build_dir,
                                                       const fs::path& source_dir) {
  std::error_code ec;
  fs::path build = fs::absolute(build_dir, ec).lexically_normal();
  fs::path source = fs::absolute(source_dir, ec).lexically_normal();
  fs::path reply_dir = build / ".cmake" / "api" / "v1" / "reply";
  fs::path index;
  for (const fs::directory_entry& e : fs::directory_iterator(reply_dir, ec)) {
    std::string name = e.path().filename().string();
    // index-<timestamp>.json: the newest sorts last.
    if (name.starts_with("index-") && name.ends_with(".json") && e.path() > index) {
      index = e.path();
    }
  }
  if (index.empty()) {
    return failure(build.string(), "CMake wrote no file API reply (is it older than 3.14?)");
  }
  Json idx = SP_TRY(read_reply(index));
  std::string codemodel;
  if (auto objects = idx.find("objects"); objects != idx.end() && objects->is_array()) {
    for (const Json& o : *objects) {
      if (o.is_object() && text_of(o, "kind") == "codemodel") {
        codemodel = text_of(o, "jsonFile");
      }
    }
  }
  Json model = SP_TRY(read_reply(SP_TRY(reply_file(reply_dir, codemodel))));
  std::vector<CMakeExecutable> out;
  auto configs = model.find("configurations");
  if (configs == model.end() || !configs->is_array() || configs->empty() ||
      !(*configs)[0].is_object()) {
    return failure(index.string(), "the codemodel has no configuration");
  }
  const Json& config = (*configs)[0];
  auto targets = config.find("targets");
  if (targets == config.end() || !targets->is_array()) {
    return out;
  }
  for (const Json& t : *targets) {
    if (!t.is_object()) {
      continue;
    }
    Json target = SP_TRY(read_reply(SP_TRY(reply_file(reply_dir, text_of(t, "jsonFile")))));
    if (text_of(target, "type") != "EXECUTABLE") {
      continue;
    }
    auto artifacts = target.find("artifacts");
    if (artifacts == target.end() || !artifacts->is_array() || artifacts->empty() ||
        !(*artifacts)[0].is_object()) {
      continue;
    }
    fs::path artifact = text_of((*artifacts)[0], "path");
    fs::path path = (artifact.is_absolute() ? artifact : build / artifact).lexically_normal();
    if (!lexically_within(path, build) && !lexically_within(path, source)) {
      return failure(text_of(target, "name"), "its executable " + path.string() +
                                                  " is outside the build and source directories");
    }
    out.push_back({text_of(target, "name"), path});
  }
  std::sort(out.begin(), out.end(),
            [](const CMakeExecutable& a, const CMakeExecutable& b) { return a.target < b.target; });
  return out;
}

Result<std::vector<CMakeExecutable>> cmake_build(const CMakeSource& source, const Target& target,
                                                 Profile profile, const fs::path& build_dir,
                                                 unsigned jobs, Events& events) {
  std::error_code ec;
  if (!fs::is_regular_file(source.dir / "CMakeLists.txt", ec)) {
    return usage_error("--cmake " + source.dir.string(), "no CMakeLists.txt there");
  }
  fs::path source_dir = fs::absolute(source.dir, ec);
  fs::path build_abs = fs::absolute(build_dir, ec);
  toolchain::ToolchainSetup setup = SP_TRY(toolchain_setup(target, profile));
  setup.gate_afterwards = true; // the build recipe gates and strips, as for sources
  SP_TRY(make_dirs(build_dir / ".cmake" / "api" / "v1" / "query" / "client-scratchpack"));
  SP_TRY(write_file_atomic(
      build_dir / ".cmake" / "api" / "v1" / "query" / "client-scratchpack" / "codemodel-v2", ""));
  fs::path toolchain_file = build_dir / "scratchpack-toolchain.cmake";
  std::string text = toolchain::cmake_toolchain_file(setup);
  if (auto now = read_file(toolchain_file); !now || *now != text) {
    SP_TRY(write_file_atomic(toolchain_file, text));
  }

  std::vector<std::string> configure = {"cmake",
                                        "-S",
                                        source_dir.string(),
                                        "-B",
                                        build_abs.string(),
                                        "-G",
                                        "Ninja",
                                        "-DCMAKE_TOOLCHAIN_FILE=" +
                                            fs::absolute(toolchain_file, ec).string()};
  bool type_given =
      std::any_of(source.options.begin(), source.options.end(),
                  [](const std::string& o) { return o.starts_with("CMAKE_BUILD_TYPE="); });
  if (!type_given) {
    configure.push_back("-DCMAKE_BUILD_TYPE=" + build_type(profile));
  }
  for (const std::string& o : source.options) {
    configure.push_back("-D" + o);
  }
  std::string label = source.dir.string() + " for " + target.name();
  events.progress({"cmake configure", 0, 1, label});
  ProcessOptions quiet;
  auto configured = SP_TRY(run_process(configure, quiet));
  if (configured.exit_code != 0) {
    return failure("cmake configure failed", label)
        .with_details(tail_lines(configured.out + configured.err, 40));
  }

  std::vector<CMakeExecutable> all = SP_TRY(cmake_executables(build_abs, source_dir));
  std::vector<CMakeExecutable> chosen;
  std::vector<std::string> names;
  for (const CMakeExecutable& x : all) {
    names.push_back(x.target);
  }
  if (source.targets.empty()) {
    if (all.size() != 1) {
      return usage_error("--cmake " + source.dir.string(),
                         all.empty() ? "the project has no executable target"
                                     : "the project has " + std::to_string(all.size()) +
                                           " executables: " + join(names, ", "),
                         all.empty() ? "" : "name the ones to package with --cmake-target");
    }
    chosen = all;
  }
  for (const std::string& want : source.targets) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const CMakeExecutable& x) { return x.target == want; });
    if (it == all.end()) {
      return usage_error("--cmake-target " + want, "not an executable target of the project",
                         names.empty() ? "" : "its executables: " + join(names, ", "));
    }
    chosen.push_back(*it);
  }

  std::vector<std::string> build = {
      "cmake",   "--build", build_abs.string(), "--parallel", std::to_string(std::max(1u, jobs)),
      "--target"};
  for (const CMakeExecutable& x : chosen) {
    build.push_back(x.target);
  }
  events.progress({"cmake build", 0, 1, label});
  auto built = SP_TRY(run_process(build, quiet));
  if (built.exit_code != 0) {
    return failure("cmake build failed", label).with_details(tail_lines(built.out + built.err, 40));
  }
  for (const CMakeExecutable& x : chosen) {
    if (!fs::is_regular_file(x.path, ec)) {
      return failure("cmake build of " + label, "it made no " + x.path.string());
    }
  }
  return chosen;
}

Result<std::string> place_executable(const fs::path& from, const fs::path& to) {
  SP_TRY(make_dirs(to.parent_path()));
  auto data = SP_TRY(read_file(from));
  SP_TRY(write_file_atomic(to, data, 0755));
  return sha256_hex(data);
}

} // namespace sp::pipeline
