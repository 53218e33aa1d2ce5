// `scratchpack env` and `scratchpack toolchain-file cmake|meson`: what an existing build system
// needs to compile with scratchpack. `eval "$(scratchpack env --target aarch64)"` sets CC, CXX,
// AR… for ./configure and make, and CMAKE_TOOLCHAIN_FILE for cmake; `toolchain-file` prints (or
// writes with -o) a CMake toolchain file or a Meson cross file.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "pipeline/drop_in.h"
#include "toolchain/build_systems.h"
#include "util/fs.h"
#include "util/strings.h"
#include "util/target.h"
#include "util/vocabulary.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

namespace sp::cli {

namespace {

namespace tc = toolchain;

struct SetupFlags {
  std::string target;
  std::string libc;
  std::string profile = "release";
};

void add_setup_flags(CLI::App* cmd, SetupFlags& f) {
  cmd->add_option(
      "--target", f.target,
      "Target: x86_64, aarch64, armv7, riscv64 (-glibc/-musl), a triple or linux/arm64; "
      "default: this machine's");
  cmd->add_option("--libc", f.libc, "glibc or musl (default glibc)");
  cmd->add_option("--profile", f.profile, "debug, release or size (default release)");
}

Result<tc::ToolchainSetup> setup_of(const SetupFlags& f) {
  std::optional<Libc> libc;
  if (!f.libc.empty()) {
    libc = SP_TRY(parse_named<Libc>(f.libc));
  }
  Target target =
      SP_TRY(parse_target(f.target.empty() ? std::string(to_string(host_arch())) : f.target, libc));
  Profile profile = SP_TRY(parse_named<Profile>(f.profile));
  return pipeline::toolchain_setup(target, profile);
}

int run_env(const SetupFlags& f, const std::string& shell, Io& io) {
  auto setup = setup_of(f);
  if (!setup) {
    return print_error(io, setup.error());
  }
  auto cmake = pipeline::installed_cmake_file(*setup);
  if (!cmake) {
    return print_error(io, cmake.error());
  }
  auto vars = tc::environment(*setup, *cmake);
  if (shell == "json") {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [k, v] : vars) {
      j[k] = v;
    }
    io.out << j.dump(2) << '\n';
    return 0;
  }
  for (const auto& [k, v] : vars) {
    io.out << (shell == "fish" ? "set -gx " + k + " " + backslash_quoted(v, '\'') + ";"
                               : "export " + k + "=" + shell_quote(v))
           << '\n';
  }
  return 0;
}

int run_toolchain_file(const SetupFlags& f, const std::string& kind, const std::string& out,
                       Io& io) {
  auto setup = setup_of(f);
  if (!setup) {
    return print_error(io, setup.error());
  }
  std::string text =
      kind == "meson" ? tc::meson_cross_file(*setup) : tc::cmake_toolchain_file(*setup);
  if (out.empty() || out == "-") {
    io.out << text;
    return 0;
  }
  if (Status st = write_file_atomic(out, text); !st) {
    return print_error(io, st.error());
  }
  return 0;
}

} // namespace

void register_env(CLI::App& app, Io& io, int& rc) {
  auto env = std::make_shared<SetupFlags>();
  auto shell = std::make_shared<std::string>("sh");
  CLI::App* cmd = app.add_subcommand(
      "env",
      "Print CC, CXX, AR… and CMAKE_TOOLCHAIN_FILE for a target: eval \"$(scratchpack env)\"");
  add_setup_flags(cmd, *env);
  cmd->add_option("--shell", *shell, "sh, fish or json (default sh)")
      ->check(CLI::IsMember({"sh", "fish", "json"}));
  cmd->callback([env, shell, &io, &rc] { rc = run_env(*env, *shell, io); });

  auto tf = std::make_shared<SetupFlags>();
  auto kind = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* file = app.add_subcommand(
      "toolchain-file", "Print a CMake toolchain file or a Meson cross file for a target");
  file->add_option("kind", *kind, "cmake or meson")
      ->required()
      ->check(CLI::IsMember({"cmake", "meson"}));
  add_setup_flags(file, *tf);
  file->add_option("-o,--output", *out, "Write it to this file instead of stdout");
  file->callback([tf, kind, out, &io, &rc] { rc = run_toolchain_file(*tf, *kind, *out, io); });
}

} // namespace sp::cli
