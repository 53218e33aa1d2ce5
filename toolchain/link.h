// Static links: a pure function from (target, sysroot, options) to lld's argv, and the step that
// runs lld in this process. The link line names every start file and library by path; nothing is
// left to a compiler driver's -static. The size profile's strip (llvm-objcopy, after the scan
// gate has read the symbol table) is here too.
#pragma once

#include "toolchain/compile.h"
#include "toolchain/sysroot.h"
#include "util/result.h"
#include "util/target.h"

#include <string>
#include <string_view>
#include <vector>

namespace sp::toolchain {

struct LinkOptions {
  fs::path output;
  std::vector<fs::path> objects;     ///< in command-line order
  std::vector<std::string> lib_dirs; ///< -L, searched before the sysroot's
  std::vector<std::string> libs;     ///< -l, after the objects
  /// After the objects, in the order given: object and archive paths, -lNAME and lld options
  /// whose place matters (--whole-archive, --start-group…): the drop-in compiler's inputs.
  std::vector<std::string> inputs;
  bool cxx = false; ///< link the C++ runtime (Sysroot::cxx_libs)
  Profile profile = Profile::release;
  /// Extra lld arguments placed before the inputs (e.g. --why-extract=FILE).
  std::vector<std::string> extra_args;
};

/// lld's argv (argv[0] = "ld.lld"). Pure: reads nothing, runs nothing.
std::vector<std::string> link_line(const Target& target, const Sysroot& sysroot,
                                   const LinkOptions& options);

/// What lld printed (warnings on success, errors on failure).
struct LinkOutput {
  bool ok = false;
  std::string diagnostics;
};

/// lld's --why-extract table (`table`) with the link's own objects, `objects` in link-line order,
/// named by their place on it ("@object:0") instead of their path: the form the build cache keeps,
/// since the objects of each build are in a new temporary directory and a cached link is found by
/// their contents. Pure.
std::string portable_why_extract(std::string_view table, const std::vector<fs::path>& objects);

/// The reverse: a kept table's places named by the paths `objects` of this link. Pure.
std::string local_why_extract(std::string_view table, const std::vector<fs::path>& objects);

/// Whether binaries of `profile` are stripped (size). They are linked with their symbol table,
/// which the scan gate reads, and stripped after it (strip_command).
bool strips(Profile profile);

/// llvm-objcopy's argv that writes `input` without its symbol table and non-allocated sections
/// (glibc's .gnu.warning.* stay) to `output`: the size profile's last step, after the scan gate.
/// Pure: reads nothing, runs nothing.
std::vector<std::string> strip_command(const fs::path& objcopy, const fs::path& input,
                                       const fs::path& output);

/// Runs a strip_command (llvm-objcopy, a child process); fails only when it cannot be started.
Result<LinkOutput> run_strip(const std::vector<std::string>& argv);

/// Runs lld::lldMain on `argv` — scratchpack's own code, no ld.lld executable — in a forked copy
/// of this process, one per link. lld 19 does not fully reset its globals between links (an
/// x86_64 link followed by an aarch64 one, both with -O1 and --build-id, crashes in
/// MergeNoTailSection::writeTo), and a fatal lld error leaves them unusable; a fresh copy per
/// link sidesteps both, costs about a millisecond, and turns an lld crash into an error message.
Result<LinkOutput> run_link(const std::vector<std::string>& argv);

} // namespace sp::toolchain
