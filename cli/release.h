// `scratchpack release`: every binary × target × image of a scratchpack.yaml, built the same way
// every time. The recipe: load_manifest → plan_release → find_sysroots → compile (all units of all
// binaries in parallel, through the cache) → link → scan_gate → package (one index per image) →
// push → write dist/ (binaries, images, SHA256SUMS, report.json) in one rename.
#pragma once

#include "cli/cli.h"
#include "cli/push_flags.h"
#include "util/fs.h"

#include <functional>
#include <string>

namespace sp::cli {

struct ReleaseOptions {
  fs::path manifest = "scratchpack.yaml";
  fs::path out_dir;      ///< empty: the manifest's output.dir
  unsigned jobs = 0;     ///< parallel compiles; 0 = number of cores
  bool push = false;     ///< push even when output.push is false
  bool json = false;     ///< stdout holds only report.json's contents
  bool no_cache = false;
  PushFlags push_flags;  ///< credentials and registry options for pushes
};

/// One step of progress: `phase` is "compile", "link", "scan", "package", "push" or "write";
/// `done`/`total` count the phase's steps; `what` names the step that just finished.
struct ReleaseProgress {
  std::string phase;
  size_t done = 0;
  size_t total = 0;
  std::string what;
};

/// Runs the release and returns the exit code; errors and findings are printed on io.err.
int run_release(const ReleaseOptions& options, Io& io,
                const std::function<void(const ReleaseProgress&)>& progress);

} // namespace sp::cli
