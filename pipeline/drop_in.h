// The drop-in compiler's recipe (`scratchpack cc` / `c++`): a gcc-style command line, parsed by
// toolchain/driver.h, run the way `build` runs its units. Each source is compiled through the
// build cache with scratchpack's compile command; a link runs in process on scratchpack's own
// link line with the user's objects, archives, -l/-L and -Wl options in their places; the result
// passes the scan gate before it carries its name. The dependency files build systems ask for
// (-MD, -MF, -MT, -MP) are written from what the compile read, cached or not.
#pragma once

#include "pipeline/events.h"
#include "toolchain/build.h"
#include "toolchain/build_systems.h"
#include "toolchain/driver.h"
#include "util/result.h"
#include "util/target.h"
#include "util/vocabulary.h"

#include <memory>
#include <string>
#include <vector>

namespace sp::pipeline {

struct DropInInput {
  toolchain::DriverCommand command;
  Target target;
  Profile profile = Profile::release;
  bool scan = true;
  /// The size profile's strip is left to whoever gates the executable later (`build --cmake`);
  /// -s still strips.
  bool keep_symbols = false;
  fs::path cwd; ///< the directory the build system runs in: prefix map and cache base
};

/// What a run did.
struct DropInResult {
  std::vector<std::vector<std::string>> commands; ///< every clang, lld and objcopy command run
};

/// The drop-in compiler's cache: the shared build cache opened alone (a compile never packages,
/// so scratchpack-cc links no layer cache), and on close, now and then (measuring walks the whole
/// cache, and a build system starts one compiler per unit), both stores brought under the limit.
class DropInCache {
public:
  DropInCache(bool enabled, Events& events);
  ~DropInCache();
  DropInCache(const DropInCache&) = delete;
  DropInCache& operator=(const DropInCache&) = delete;
  toolchain::BuildCache* build() const { return m_build.get(); }

private:
  std::unique_ptr<toolchain::BuildCache> m_build;
};

/// clang found and the drop-in cache; one compile at a time (the build system runs them in
/// parallel).
Result<toolchain::BuildTools> drop_in_tools(const DropInCache& cache);

/// The answer to a query (--version, -v, -dumpmachine, -dumpversion, -print-file-name=…,
/// -print-search-dirs, -print-libgcc-file-name, -print-multiarch, -print-sysroot,
/// -print-prog-name=…), as clang or gcc prints it for this target. An unknown -print- query is
/// an error.
Result<std::string> answer_query(const DropInInput& input, const toolchain::BuildTools& tools);

/// Compiles, assembles, preprocesses or links as the command says. clang's and lld's diagnostics
/// go to events.tool_output as they come; a failed compile or link, a refused input or a failed
/// scan gate is the error (nothing is then written under the output's name).
Result<DropInResult> run_drop_in(const DropInInput& input, const toolchain::BuildTools& tools,
                                 Events& events);

/// Everything a build system needs to call scratchpack for `target`: this executable, the
/// multi-call links (scratchpack-cc, scratchpack-c++, scratchpack-ar… in
/// $XDG_DATA_HOME/scratchpack/bin, made or repaired here), the target's sysroot (an error names
/// the install command when it is missing) and qemu for a foreign target.
Result<toolchain::ToolchainSetup> toolchain_setup(const Target& target, Profile profile,
                                                  const toolchain::SysrootSearch& search = {});

/// The CMake toolchain file for `setup`, written (atomically, when its text changed) to
/// $XDG_DATA_HOME/scratchpack/toolchains/TARGET-PROFILE.cmake; returns its path.
Result<fs::path> installed_cmake_file(const toolchain::ToolchainSetup& setup);

} // namespace sp::pipeline
