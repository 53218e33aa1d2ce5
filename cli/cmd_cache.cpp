// `scratchpack cache stats | verify | clean`: what the caches hold against their size limit,
// re-hashing every entry, emptying them.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/events.h"
#include "pipeline/caches.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <ostream>

namespace sp::cli {

namespace {

/// Both caches, or the error that stops the command.
Result<pipeline::Caches> open(Io& io) {
  TerminalEvents events(io, EventView{});
  pipeline::Caches caches = pipeline::open_caches(true, events, /*remote=*/false);
  if (!caches.build || !caches.layers) {
    return io_error(cache_dir().string(), "the caches cannot be opened (see the warning above)");
  }
  return caches;
}

/// Bytes of the regular files under `dir` (symlinks not followed).
uint64_t tree_bytes(const fs::path& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) {
      bytes += it->file_size(ec);
    }
  }
  return bytes;
}

/// Layers known to the layer cache (its entries/, not the blobs they share).
size_t count_layers(const packager::LayerCache& cache) {
  size_t n = 0;
  for (const CacheEntryUse& e : cache.store().entries()) {
    n += e.name.starts_with("entries/") ? 1 : 0;
  }
  return n;
}

int run_stats(Io& io) {
  auto caches = open(io);
  if (!caches) {
    return print_error(io, caches.error());
  }
  toolchain::CacheUsage u = caches->build->usage();
  CacheStoreUsage l = caches->layers->store().usage();
  uint64_t max = caches->limit.bytes;
  io.out << "build cache:     " << u.dir.string() << '\n'
         << "objects:         " << u.objects << '\n'
         << "linked binaries: " << u.links << '\n'
         << "stripped copies: " << u.strips << '\n'
         << "precompiled std: " << u.pch << '\n'
         << "size:            " << format_bytes(u.bytes) << '\n'
         << "layer cache:     " << caches->layers->dir().string() << '\n'
         << "layers:          " << count_layers(*caches->layers) << '\n'
         << "size:            " << format_bytes(l.bytes) << '\n'
         << "max size:        " << (max ? format_bytes(max) : "no limit") << " ("
         << caches->limit.source << "), " << format_bytes(u.bytes + l.bytes) << " used\n"
         << "sysroots:        " << sysroots_dir().string() << " ("
         << format_bytes(tree_bytes(sysroots_dir())) << ", not cache entries: no limit applies)\n";
  publish::RemoteCacheSettings remote = pipeline::remote_cache_settings();
  pipeline::RemoteStats r = pipeline::read_remote_stats();
  if (remote.url.empty()) {
    io.out << "remote cache:    none (SCRATCHPACK_REMOTE_CACHE)\n";
  } else if (auto config = publish::remote_cache_config(remote)) {
    io.out << "remote cache:    " << config->base << " ("
           << (config->read_only ? "read-only" : "read-write")
           << (config->authorization.empty() ? "" : ", with credentials") << ")\n";
  } else {
    io.out << "remote cache:    misconfigured: " << config.error().why << '\n';
  }
  io.out << "remote hits:     " << r.hits << '\n'
         << "remote misses:   " << r.misses << '\n'
         << "remote uploads:  " << r.uploads << '\n'
         << "remote errors:   " << r.errors << '\n'
         << "remote bad:      " << r.bad << " (damaged or forged entries ignored)\n";
  return 0;
}

int run_verify(Io& io) {
  auto caches = open(io);
  if (!caches) {
    return print_error(io, caches.error());
  }
  CacheVerifyReport r = pipeline::verify_caches(*caches);
  for (const std::string& name : r.bad) {
    print_warning(io, "removed a damaged or forged cache entry: " + name);
  }
  io.out << r.checked << " entries checked, " << r.removed << " damaged or forged removed, "
         << r.temporaries << " leftovers of interrupted runs removed\n";
  return r.removed == 0 ? 0 : 1;
}

int run_clean(Io& io) {
  auto caches = open(io);
  if (!caches) {
    return print_error(io, caches.error());
  }
  toolchain::CacheUsage before = caches->build->usage();
  CacheStoreUsage layers = caches->layers->store().usage();
  size_t layer_count = count_layers(*caches->layers);
  for (Status s : {caches->build->clean(), caches->layers->store().clean()}) {
    if (!s) {
      return print_error(io, s.error());
    }
  }
  io.out << "removed " << before.objects << " objects, " << before.links << " linked binaries and "
         << layer_count << " layers (" << format_bytes(before.bytes + layers.bytes) << ")\n";
  return 0;
}

} // namespace

void register_cache(CLI::App& app, Io& io, int& rc) {
  CLI::App* cmd = app.add_subcommand("cache", "Show, check or empty the build and layer caches");
  cmd->require_subcommand(1);
  cmd->footer("The caches share a size limit (default 5 GiB): SCRATCHPACK_CACHE_MAX_SIZE, or "
              "'max_size = 10G' in <cache>/scratchpack.conf. See docs/security.md.");
  cmd->add_subcommand("stats", "Entries, bytes and the size limit")->callback([&io, &rc] {
    rc = run_stats(io);
  });
  cmd->add_subcommand("verify", "Re-hash every entry; remove damaged or forged ones (exit 1)")
      ->callback([&io, &rc] { rc = run_verify(io); });
  cmd->add_subcommand("clean", "Remove every cache entry")->callback([&io, &rc] {
    rc = run_clean(io);
  });
}

} // namespace sp::cli
