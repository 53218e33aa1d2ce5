// `scratchpack cache stats | clean`: what the build cache holds, and emptying it.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "toolchain/cache.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <ostream>

namespace sp::cli {

namespace {

struct LayerUsage {
  fs::path dir = cache_dir() / "layers";
  size_t layers = 0;
  uint64_t bytes = 0;
};

LayerUsage layer_usage() {
  LayerUsage u;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(u.dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      u.bytes += it->file_size(ec);
      u.layers += it->path().extension() == ".json" ? 1 : 0;
    }
  }
  return u;
}

Result<std::unique_ptr<toolchain::BuildCache>> open_cache() {
  return toolchain::BuildCache::open(toolchain::BuildCache::default_dir());
}

int run_stats(Io& io) {
  auto cache = open_cache();
  if (!cache) {
    return print_error(io, cache.error());
  }
  toolchain::CacheUsage u = (*cache)->usage();
  LayerUsage l = layer_usage();
  io.out << "build cache:     " << u.dir.string() << '\n'
         << "objects:         " << u.objects << '\n'
         << "linked binaries: " << u.links << '\n'
         << "precompiled std: " << u.pch << '\n'
         << "size:            " << format_bytes(u.bytes) << '\n'
         << "layer cache:     " << l.dir.string() << '\n'
         << "layers:          " << l.layers << '\n'
         << "size:            " << format_bytes(l.bytes) << '\n';
  return 0;
}

int run_clean(Io& io) {
  auto cache = open_cache();
  if (!cache) {
    return print_error(io, cache.error());
  }
  toolchain::CacheUsage before = (*cache)->usage();
  LayerUsage layers = layer_usage();
  if (Status s = (*cache)->clean(); !s) {
    return print_error(io, s.error());
  }
  std::error_code ec;
  fs::remove_all(layers.dir, ec);
  if (ec) {
    return print_error(io, io_error(layers.dir.string(), ec.message()));
  }
  io.out << "removed " << before.objects << " objects, " << before.links << " linked binaries and "
         << layers.layers << " layers (" << format_bytes(before.bytes + layers.bytes) << ")\n";
  return 0;
}

} // namespace

void register_cache(CLI::App& app, Io& io, int& rc) {
  CLI::App* cmd = app.add_subcommand("cache", "Show or empty the build cache");
  cmd->require_subcommand(1);
  cmd->add_subcommand("stats", "Objects, linked binaries and bytes in the cache")
      ->callback([&io, &rc] { rc = run_stats(io); });
  cmd->add_subcommand("clean", "Remove every cache entry")->callback([&io, &rc] {
    rc = run_clean(io);
  });
}

} // namespace sp::cli
