// One function per command: each adds its subcommand to the app; the subcommand's callback runs
// the command's recipe and stores the exit code in `rc`.
#pragma once

#include "cli/cli.h"

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

} // namespace sp::cli
