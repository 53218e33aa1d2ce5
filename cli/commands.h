// One function per command: each adds its subcommand to the app; the subcommand's callback runs
// the command's recipe and stores the exit code in `rc`.
#pragma once

#include "cli/cli.h"

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sp::cli {

void register_build(CLI::App& app, Io& io, int& rc);
void register_package(CLI::App& app, Io& io, int& rc);
void register_scan(CLI::App& app, Io& io, int& rc);
void register_sysroot(CLI::App& app, Io& io, int& rc);
void register_push(CLI::App& app, Io& io, int& rc);
void register_cache(CLI::App& app, Io& io, int& rc);
void register_release(CLI::App& app, Io& io, int& rc);
void register_env(CLI::App& app, Io& io, int& rc);
void register_sign(CLI::App& app, Io& io, int& rc);
void register_keygen(CLI::App& app, Io& io, int& rc);
void register_sbom(CLI::App& app, Io& io, int& rc);
void register_verify(CLI::App& app, Io& io, int& rc);

/// `scratchpack cc|c++ ARGS...`: gcc's arguments, not CLI11's, so run before CLI11 sees them.
int run_drop_in_compiler(const std::vector<std::string>& args, bool cxx, Io& io);
/// `scratchpack pkg-config [--target T] ARGS...`: the host's pkg-config over the target's .pc
/// files, --static always.
int run_pkg_config(const std::vector<std::string>& args, Io& io);
/// `scratchpack ar|ranlib|nm|strip|objcopy ARGS...`: runs LLVM 19's tool in this process's place.
int run_llvm_tool(const std::string& tool, const std::vector<std::string>& args, Io& io);

} // namespace sp::cli
