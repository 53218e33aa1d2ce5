#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace sp::cli {
void register_build(CLI::App& app, Io& io, int& rc) { app.add_subcommand("build", "(not yet)"); }
} // namespace sp::cli
