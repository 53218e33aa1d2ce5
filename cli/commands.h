// One function per command: each adds its subcommand to the app; the subcommand's callback runs
// the command's recipe and stores the exit code in `rc`.
#pragma once

#include "cli/cli.h"

#include <memory>

namespace CLI {
class App;
}

namespace sp::toolchain {
class BuildCache;
}
namespace sp::packager {
class LayerCache;
}

namespace sp::cli {

void register_build(CLI::App& app, Io& io, int& rc);
void register_package(CLI::App& app, Io& io, int& rc);
void register_scan(CLI::App& app, Io& io, int& rc);
void register_sysroot(CLI::App& app, Io& io, int& rc);
void register_push(CLI::App& app, Io& io, int& rc);
void register_cache(CLI::App& app, Io& io, int& rc);
void register_release(CLI::App& app, Io& io, int& rc);

/// The build cache at its default place, or null (with a warning) when it cannot be opened.
std::unique_ptr<toolchain::BuildCache> open_build_cache(Io& io);
/// The layer cache (<cache>/layers), or null (with a warning) when it cannot be opened.
std::unique_ptr<packager::LayerCache> open_layer_cache(Io& io);

} // namespace sp::cli
