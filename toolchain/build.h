// The build engine `build` and `release` share: sources → static executables for any number of
// binaries × targets. Sysroots and C++ runtimes are found once per target, every translation
// unit of every binary is compiled in one pool (through the build cache), and every binary whose
// units compiled is linked with lld; a failure in one binary does not hide the others'. Binaries
// are linked with their symbol table, which the scan gate reads; the size profile strips them
// after the gate (strip_binaries). It neither prints nor packages: progress and results come back
// as values.
#pragma once

#include "toolchain/cache.h"
#include "toolchain/compile.h"
#include "toolchain/distribute.h"
#include "toolchain/libcxx.h"
#include "toolchain/link.h"
#include "toolchain/sysroot.h"
#include "util/bom.h"
#include "util/result.h"
#include "util/target.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sp::toolchain {

/// One executable for one target.
struct BinaryRequest {
  std::vector<fs::path> sources;
  Target target;
  CompileOptions compile;
  std::vector<std::string> lib_dirs;  ///< -L
  std::vector<std::string> libs;      ///< -l
  std::vector<std::string> link_args; ///< other lld arguments (from pkg-config's -Wl,)
  /// Link the C++ runtime even when every source is C: a library may be C++ inside (ICU under
  /// libxml2), and pkg-config does not say so. Its archives are searched only when referenced.
  bool cxx_runtime = false;
  fs::path output; ///< the executable; written atomically
  /// Names the binary in progress and error messages when there are several ("hello,
  /// aarch64-glibc"): "link failed: hello, aarch64-glibc"; empty: the output's file name.
  std::string label;
  /// The bill of materials (BinaryResult::materials) and the package note (.note.package, with a
  /// placeholder for the SBOM's digest: toolchain/materials.h) of the binary, named `name`.
  bool sbom = true;
  std::string name; ///< in the note and the SBOM; empty: the output's file name
};

/// What became of one request.
struct BinaryResult {
  std::optional<Error> error;         ///< compile or link failure, with clang's or lld's output
  std::string diagnostics;            ///< warnings of its compiles and its link, in source order
  std::vector<std::string> link_argv; ///< the link line that was run (naming `output`)
  size_t compiled = 0;                ///< units compiled (not from the cache)
  size_t compile_hits = 0;            ///< units from the cache
  bool link_cached = false;
  std::string sha256; ///< of the binary
  /// lld's --why-extract table ("reference<TAB>extracted<TAB>symbol" a line): which object or
  /// archive member pulled each archive member in, for which symbol. Kept with the link in the
  /// cache; empty when the linker wrote none (fakes in tests).
  std::string why_extract;
  /// Each object of the link line (as why_extract names it) → the source it was compiled from,
  /// as the request names it.
  std::map<std::string, fs::path> object_sources;
  /// What the link put into the binary (toolchain/materials.h), when the request asked for it.
  std::optional<bom::Binary> materials;

  bool ok() const { return !error; }
};

/// One step of progress. `phase` is "compile", "link", or "C++ runtime for TARGET" (libc++ for
/// a musl target built on first use: `done` stays 0 until it is ready).
struct BuildProgress {
  std::string phase;
  size_t done = 0;
  size_t total = 0;
  std::string what;
};
/// Called from worker threads, one call at a time.
using BuildProgressFn = std::function<void(const BuildProgress&)>;

/// Every file and directory a build read or looked for: the sources, the headers each compile
/// read (its depfile, or the cache entry's manifest on a hit) and their directories, every file
/// on each link line and the candidates of each -l, the sysroots' directories. release records
/// their identities so that a release whose inputs are all unchanged can skip its work
/// (pipeline/up_to_date.h). Thread-safe; paths as the tools named them, deduplicated.
class InputLog {
public:
  void add(const fs::path& path);
  void add_all(const std::vector<fs::path>& paths);
  /// A place looked at that need not exist (an -l candidate): its absence is recorded too.
  void add_probe(const fs::path& path);
  /// What was added, sorted (add_probe's apart: they may be missing).
  std::vector<std::string> paths() const;
  std::vector<std::string> probes() const;

private:
  mutable std::mutex m_mutex;
  std::set<std::string> m_paths;
  std::set<std::string> m_probes;
};

/// The engine's seams to the outside world: how a compile and a link run, where sysroots are
/// looked for and how a target gets its C++ runtime. The defaults are the real ones; unit tests
/// pass fakes (ninja's VirtualFileSystem idea) and never start clang.
struct BuildTools {
  Compiler compiler;
  BuildCache* cache = nullptr; ///< optional
  unsigned jobs = 1;           ///< parallel compiles, wherever they run
  /// Compiles that run on this machine at once (0: `jobs`). With a launcher that sends compiles
  /// elsewhere, `jobs` is this plus its remote slots, and a compile that finds every remote slot
  /// taken (or that the launcher failed) waits for one of these.
  unsigned local_jobs = 0;
  SysrootSearch search;
  std::function<Result<CompileOutput>(const std::vector<std::string>&)> compile =
      [](const std::vector<std::string>& argv) { return run_compile(argv); };
  /// Compiles that miss the cache run through it when it is active (toolchain/distribute.h). It
  /// is not part of any key: where a compile ran does not change the object.
  Launcher launcher;
  /// Runs a launched compile: launch_command's argv, with the launcher's environment added.
  std::function<Result<CompileOutput>(const std::vector<std::string>&,
                                      const std::vector<std::string>&)>
      launch = run_compile;
  /// What became of launched compiles (remote ones, local fallbacks); shared by copies.
  std::shared_ptr<LaunchStats> launch_stats = std::make_shared<LaunchStats>();
  std::function<Result<LinkOutput>(const std::vector<std::string>&)> link = run_link;
  /// Runs a strip_command (the size profile, after the scan gate).
  std::function<Result<LinkOutput>(const std::vector<std::string>&)> strip = run_strip;
  /// Readies a sysroot for C++ (ensure_cxx_runtime by default).
  std::function<Result<Sysroot>(const Sysroot&, const ProgressFn&, const SysrootSearch&)>
      cxx_runtime = ensure_cxx_runtime;
  /// When set, told every input the build reads (compiles then ask clang for what they read).
  InputLog* inputs = nullptr;
};

/// Builds every request and returns one result per request, in order. The Result fails only
/// for problems before any compile: sources that are missing or not C/C++, sysroots that are
/// missing or cannot get a C++ runtime (every such problem is reported), or clang that cannot
/// be started. Compile and link failures are in the results (see build_error()).
Result<std::vector<BinaryResult>> build_binaries(const std::vector<BinaryRequest>& requests,
                                                 const BuildTools& tools,
                                                 const BuildProgressFn& progress = {});

/// What compile_unit made of one translation unit.
struct UnitResult {
  bool ok = false;
  bool cached = false;        ///< the object came from the cache
  bool launched = false;      ///< compiled through the launcher (not redone locally)
  std::string diagnostics;    ///< clang's warnings or errors
  std::vector<fs::path> deps; ///< what it read, the source first (when asked for)
};

/// One translation unit as build_binaries compiles it: an object with a depfile through the
/// cache (a hit copies it out), otherwise clang (through the launcher when one is active, and
/// again locally when the launcher failed: launcher_failed); what clang made goes into the cache
/// with its wall time (compile_time_key), which orders the next build's compiles. With
/// `want_deps`, `deps` lists the source and the headers it read (from clang's depfile, or the
/// cache entry's manifest on a hit). Fails only when clang cannot be started.
Result<UnitResult> compile_unit(const BuildTools& tools, const Sysroot& sysroot,
                                const CompileOptions& options, const CompileJob& job,
                                bool want_deps = false);

/// The build cache's key of the last wall time of compiling `source` (named relative to
/// `build_dir` when below it, so it survives edits and a checkout elsewhere) for `target` with
/// `profile`. build_binaries compiles the longest units first (schedule.h).
std::string compile_time_key(const fs::path& source, const fs::path& build_dir,
                             const Target& target, Profile profile);

/// A binary of a profile that strips (size), linked with its symbol table and judged by the scan
/// gate, to be stripped now.
struct StripRequest {
  fs::path binary;
  std::string sha256; ///< of its contents (BinaryResult::sha256)
  std::string label;  ///< names it in an error
};

/// What strip_binaries made of one request.
struct StripResult {
  std::string sha256;            ///< of the stripped binary
  std::vector<std::string> argv; ///< the strip command
  bool cached = false;           ///< the stripped copy came from the cache
};

/// Strips every binary in place (strip_command, through the cache: keyed by the unstripped
/// contents, so the link entry keeps the evidence the gate reads and a cached build strips
/// nothing), `tools.jobs` at a time. Every failure is reported; the files are replaced atomically.
Result<std::vector<StripResult>> strip_binaries(const std::vector<StripRequest>& requests,
                                                const BuildTools& tools);

/// Every failed result's error in request order, as one Error; nullopt when all were built.
std::optional<Error> build_error(const std::vector<BinaryResult>& results);

/// Checks the sources (there are some, they exist, each is C or C++) and says whether any is
/// C++. Every problem is reported.
Result<bool> check_sources(const std::vector<fs::path>& sources);

} // namespace sp::toolchain
