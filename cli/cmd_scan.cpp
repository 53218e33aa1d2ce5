// Placeholder until the scanner lands (being written now); replaced by the real command.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace sp::cli {
void register_scan(CLI::App& app, Io& io, int& rc) { app.add_subcommand("scan", "(not yet)"); }
} // namespace sp::cli
