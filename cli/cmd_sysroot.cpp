#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace sp::cli {
void register_sysroot(CLI::App& app, Io& io, int& rc) { app.add_subcommand("sysroot", "(not yet)"); }
} // namespace sp::cli
