// `scratchpack cc` / `c++` (and the multi-call names scratchpack-cc, scratchpack-c++): the
// drop-in compilers build systems call as CC and CXX. Their arguments are gcc's, not CLI11
// flags: scratchpack's own --target/--libc/--profile/--no-scan (or SCRATCHPACK_TARGET,
// SCRATCHPACK_LIBC, SCRATCHPACK_PROFILE, or clang's -target/--target=) are taken out, the rest
// goes to toolchain/driver.h. `scratchpack ar|ranlib|nm|strip|objcopy` run LLVM 19's tools.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/events.h"
#include "pipeline/drop_in.h"
#include "toolchain/build_systems.h"
#include "toolchain/driver.h"
#include "toolchain/overlay.h"
#include "toolchain/sysroot.h"
#include "toolchain/version.h"
#include "util/interrupt.h"
#include "util/strings.h"
#include "util/target.h"
#include "util/vocabulary.h"

#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace sp::cli {

namespace {

/// scratchpack's own options, wherever they are, and the driver's arguments without them.
struct DropInFlags {
  std::string target;
  bool target_from_env = false; ///< SCRATCHPACK_TARGET, named in an error about it
  std::string libc;
  std::string profile;
  bool scan = true;
  bool keep_symbols = false;
  std::vector<std::string> rest;
};

std::string env_or(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

Result<DropInFlags> split_flags(const std::vector<std::string>& args) {
  DropInFlags f;
  f.target = env_or("SCRATCHPACK_TARGET");
  f.target_from_env = !f.target.empty();
  f.libc = env_or("SCRATCHPACK_LIBC");
  f.profile = env_or("SCRATCHPACK_PROFILE");
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto take = [&](std::string_view flag, std::string& into) -> std::optional<Status> {
      std::string eq = std::string(flag) + "=";
      if (a.starts_with(eq)) {
        into = a.substr(eq.size());
        return Status{};
      }
      if (a == flag) {
        if (i + 1 >= args.size()) {
          return Status(usage_error(a, "needs a value"));
        }
        into = args[++i];
        return Status{};
      }
      return std::nullopt;
    };
    std::optional<Status> took;
    if ((took = take("--target", f.target)) || (took = take("-target", f.target))) {
      f.target_from_env = false;
    } else if (!(took = take("--libc", f.libc)) && !(took = take("--profile", f.profile))) {
      if (a == "--no-scan") {
        f.scan = false;
      } else if (a == "--keep-symbols") {
        f.keep_symbols = true;
      } else {
        f.rest.push_back(a);
      }
      continue;
    }
    SP_TRY(*took);
  }
  return f;
}

Result<pipeline::DropInInput> drop_in_input(const DropInFlags& flags, bool cxx) {
  pipeline::DropInInput input;
  std::optional<Libc> libc;
  if (!flags.libc.empty()) {
    libc = SP_TRY(parse_named<Libc>(flags.libc));
  }
  auto target =
      parse_target(flags.target.empty() ? std::string(to_string(host_arch())) : flags.target, libc);
  if (!target) {
    Error e = target.error();
    if (flags.target_from_env) {
      e.what += " (from SCRATCHPACK_TARGET)";
    }
    return e;
  }
  input.target = *target;
  if (!flags.profile.empty()) {
    input.profile = SP_TRY(parse_named<Profile>(flags.profile));
  }
  input.scan = flags.scan;
  input.keep_symbols = flags.keep_symbols;
  input.command = SP_TRY(toolchain::parse_driver(flags.rest, cxx));
  std::error_code ec;
  input.cwd = fs::current_path(ec);
  return input;
}

/// Errors as a compiler prints them: "scratchpack cc: error: -shared: …" would break the
/// scripts that grep gcc's text, so the usual scratchpack form is kept, with exit code 1 for
/// everything (a compiler has no usage exit code).
int fail(Io& io, const Error& e) {
  print_error(io, e);
  return 1;
}

/// Runs argv[0] (a path, or a name looked up on PATH) in this process's place; returns only when
/// it cannot be run, after printing `missing`.
int exec_tool(std::vector<std::string> argv, Io& io, const Error& missing) {
  std::vector<char*> cargv;
  for (std::string& a : argv) {
    cargv.push_back(a.data());
  }
  cargv.push_back(nullptr);
  io.out.flush();
  std::cout.flush();
  reset_signals_in_child(); // Ctrl-C reaches the tool as it would without scratchpack
  ::execvp(cargv[0], cargv.data());
  return fail(io, missing);
}

} // namespace

int run_drop_in_compiler(const std::vector<std::string>& args, bool cxx, Io& io) {
  if (args.size() == 1 && args.front() == "--help") {
    io.out
        << "Usage: scratchpack " << (cxx ? "c++" : "cc")
        << " [--target T] [--libc L] [--profile P] [--no-scan] GCC-ARGS...\n"
           "A drop-in C/C++ compiler: gcc's command line, compiled through scratchpack's build\n"
           "cache, linked statically with lld in process, gated by the scan. The target also\n"
           "comes from SCRATCHPACK_TARGET, SCRATCHPACK_LIBC and SCRATCHPACK_PROFILE, or clang's\n"
           "-target/--target=. -shared and anything else that needs a dynamic loader is refused.\n"
           "See docs/build-systems.md, 'scratchpack env' and 'scratchpack toolchain-file'.\n";
    return 0;
  }
  auto flags = split_flags(args);
  if (!flags) {
    return fail(io, flags.error());
  }
  auto input = drop_in_input(*flags, cxx);
  if (!input) {
    return fail(io, input.error());
  }
  TerminalEvents events(io, EventView{ProgressStyle::long_ops, stderr_is_tty(), false, false});
  pipeline::DropInCache cache(std::getenv("SCRATCHPACK_NO_CACHE") == nullptr ||
                                  env_or("SCRATCHPACK_NO_CACHE") == "0",
                              events);
  auto tools = pipeline::drop_in_tools(cache);
  if (!tools) {
    return fail(io, tools.error());
  }
  if (input->command.action == toolchain::DriverAction::query) {
    auto text = pipeline::answer_query(*input, *tools);
    if (!text) {
      return fail(io, text.error());
    }
    (input->command.query == "-v" ? io.err : io.out) << *text;
    return 0;
  }
  auto result = pipeline::run_drop_in(*input, *tools, events);
  if (result && input->command.verbose) {
    for (const auto& argv : result->commands) {
      io.err << " " << join(argv, " ") << "\n";
    }
  }
  if (!result) {
    return fail(io, result.error());
  }
  return 0;
}

int run_pkg_config(const std::vector<std::string>& args, Io& io) {
  auto flags = split_flags(args);
  if (!flags) {
    return fail(io, flags.error());
  }
  std::optional<Libc> libc;
  if (!flags->libc.empty()) {
    auto l = parse_named<Libc>(flags->libc);
    if (!l) {
      return fail(io, l.error());
    }
    libc = *l;
  }
  auto target = parse_target(
      flags->target.empty() ? std::string(to_string(host_arch())) : flags->target, libc);
  if (!target) {
    return fail(io, target.error());
  }
  auto sysroot = toolchain::find_sysroot(*target);
  if (!sysroot) {
    return fail(io, sysroot.error());
  }
  auto overlay = toolchain::find_overlay(*target);
  for (const auto& [name, value] : toolchain::pkg_config_environment(
           *target, sysroot->root, overlay ? overlay->root : fs::path())) {
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  // Static executables only: every query answers for a static link.
  std::vector<std::string> argv = {"pkg-config", "--static"};
  argv.insert(argv.end(), flags->rest.begin(), flags->rest.end());
  return exec_tool(argv, io,
                   failure("pkg-config not found", "it is not on PATH",
                           "install pkg-config (scripts/setup.sh does)"));
}

int run_llvm_tool(const std::string& tool, const std::vector<std::string>& args, Io& io) {
  std::string path = toolchain::llvm_bindir() + "/llvm-" + tool;
  std::vector<std::string> argv = {path};
  argv.insert(argv.end(), args.begin(), args.end());
  return exec_tool(argv, io,
                   failure("llvm-" + tool + " not found", path + " cannot be run",
                           "install llvm-19 (scripts/setup.sh does)"));
}

} // namespace sp::cli
