#include "cli/cli.h"

#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/json_output.h"
#include "cli/parse_errors.h"
#include "toolchain/version.h"
#include "util/interrupt.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

namespace sp::cli {

namespace {

/// Commands whose arguments are another tool's, run before CLI11 sees them: the drop-in
/// compilers and LLVM's binary tools.
constexpr std::array<std::string_view, 8> k_raw_commands = {
    "cc", "c++", "pkg-config", "ar", "ranlib", "nm", "strip", "objcopy"};

/// A first argument that is not an option must name a command: CLI11 would only say "A
/// subcommand is required".
std::optional<Error> unknown_command(const CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty() || args.front().starts_with("-")) {
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names.push_back(sub->get_name());
  }
  names.insert(names.end(), k_raw_commands.begin(), k_raw_commands.end());
  if (std::find(names.begin(), names.end(), args.front()) != names.end()) {
    return std::nullopt;
  }
  std::string near = closest_match(args.front(), names);
  return usage_error(
      "unknown command '" + args.front() + "'", "scratchpack has " + join(names, ", "),
      near.empty() ? "run 'scratchpack --help'" : "did you mean 'scratchpack " + near + "'?");
}

std::string version_text() {
  return std::string("scratchpack ") + SP_VERSION + " (LLVM " + toolchain::llvm_version() +
         ", lld linked in-process)";
}

} // namespace

int run(const std::vector<std::string>& args, Io& io) {
  if (!args.empty() && std::find(k_raw_commands.begin(), k_raw_commands.end(), args.front()) !=
                           k_raw_commands.end()) {
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args.front() == "cc" || args.front() == "c++") {
      return run_drop_in_compiler(rest, args.front() == "c++", io);
    }
    if (args.front() == "pkg-config") {
      return run_pkg_config(rest, io);
    }
    return run_llvm_tool(args.front(), rest, io);
  }
  io.args = args;
  CLI::App app{"scratchpack: C/C++ sources to fully static executables and FROM-scratch images",
               "scratchpack"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text());
  app.footer(
      "Run 'scratchpack COMMAND --help' for a command's options.\n\n"
      "Commands that take another tool's arguments (docs/build-systems.md):\n"
      "  cc, c++            drop-in C and C++ compilers for CMake, Meson, configure and make\n"
      "                     (also as scratchpack-cc, scratchpack-c++; see 'scratchpack env')\n"
      "  pkg-config         pkg-config over the target's .pc files, --static\n"
      "  ar, ranlib, nm, strip, objcopy   LLVM 19's tools");

  int rc = 0;
  register_build(app, io, rc);
  register_package(app, io, rc);
  register_scan(app, io, rc);
  register_sysroot(app, io, rc);
  register_push(app, io, rc);
  register_cache(app, io, rc);
  register_release(app, io, rc);
  register_env(app, io, rc);
  register_sign(app, io, rc);
  register_keygen(app, io, rc);
  register_sbom(app, io, rc);
  register_verify(app, io, rc);

  if (auto e = unknown_command(app, args)) {
    return print_error(io, *e);
  }
  // CLI11 wants argv in reverse order when given a vector.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::Success& e) {
    // --help (of the command that was selected) and --version.
    return app.exit(e, io.out, io.err);
  } catch (const CLI::ParseError& e) {
    Error error = parse_error(e, app);
    // A script that asked for --json reads stdout: it gets the command's document with the error.
    if (auto schema = json_schema_asked(args)) {
      return print_json(io, Json{{"schema", *schema}}, &error);
    }
    return print_error(io, error);
  }
  io.out.flush();
  return rc;
}

int main_entry(int argc, char** argv) {
  // Before any thread starts: Ctrl-C and SIGTERM remove what the run had half-written.
  install_interrupt_cleanup();
  std::ios::sync_with_stdio(false);
  Io io{std::cout, std::cerr, color_enabled(1), color_enabled(2), &std::cin, {}};
  std::vector<std::string> args(argv + 1, argv + argc);
  // The multi-call names (scratchpack-cc, scratchpack-c++, scratchpack-ar…): build systems that
  // want one executable as CC get a symlink, and its name is the command.
  std::string self = std::filesystem::path(argv[0]).filename().string();
  if (self.starts_with("scratchpack-")) {
    args.insert(args.begin(), self.substr(12));
  }
  int rc = 0;
  try {
    rc = run(args, io);
  } catch (const std::exception& e) {
    // Library code reports through Result; what reaches here is the environment failing
    // (no temporary directory, out of memory): an I/O-class error, never a crash.
    rc = print_error(io, io_error("scratchpack", e.what()));
  }
  std::cout.flush();
  return rc;
}

} // namespace sp::cli
