// The scan gate over freshly linked binaries, shared by `build` and `release`: each binary is
// scanned (through the build cache, keyed by its sha256) against its platform before anything
// is packaged, every finding is reported, and every binary with an error is a problem.
#pragma once

#include "pipeline/events.h"
#include "toolchain/cache.h"
#include "toolchain/scan/scanner.h"
#include "util/fs.h"
#include "util/platform.h"
#include "util/result.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::pipeline {

/// One binary to judge.
struct GateItem {
  fs::path path;
  std::string shown;  ///< how reports name it ("out/hello", "x86_64-glibc/hello")
  std::string sha256; ///< of its contents (from the link); empty: not cached
  Platform platform;
  /// lld's --why-extract table of its link (toolchain::BinaryResult::why_extract): each glibc
  /// trap finding then names the object or archive member that pulled the symbol in.
  std::string why_extract;
  /// Each object of the link line, as why_extract names it → its source as the user named it
  /// ("dl.c"), which reports show instead of the object's temporary name.
  std::map<std::string, std::string> object_sources;
};

/// Where a trap symbol came from, by lld's --why-extract table.
struct TrapOrigin {
  /// The first object or archive member outside the C library whose reference pulled it in,
  /// as the table names it ("/tmp/…/0-main.o", "/usr/lib/…/libcrypto.a(bio_addr.o)").
  std::string input;
  std::string symbol; ///< what that input calls ("getaddrinfo")
  /// The archive of `input` when it is a runtime library the toolchain itself links (see
  /// toolchain_runtime), "libstdc++.a"; empty for the program's own objects and libraries.
  std::string runtime;

  bool operator==(const TrapOrigin&) const = default;
};

/// GateItem::object_sources from the engine's (toolchain::BinaryResult::object_sources): each
/// source as given, or relative to `base` (a manifest's directory) when it is inside it.
std::map<std::string, std::string> shown_sources(const std::map<std::string, fs::path>& sources,
                                                 const fs::path& base = {});

/// Whether `archive` ("libstdc++.a") is one of the C++ and compiler runtime archives scratchpack
/// adds to every link (libstdc++, libsupc++, libgcc, libgcc_eh, libc++, libc++abi, libunwind),
/// not a library the user asked for.
bool toolchain_runtime(std::string_view archive);

/// Where trap symbol `symbol` came from: walks lld's --why-extract table from it back through the
/// C library's own members to the first input outside the C library; nullopt when the table does
/// not say (or only the C library's start-up refers to it). Pure.
std::optional<TrapOrigin> trap_origin(std::string_view why_extract, const std::string& symbol);

/// How a report names an origin: "libcrypto.a(bio_addr.o), which calls getaddrinfo", or for an
/// object of the link line its source by `object_sources` ("dl.c, which calls dlopen"; an object
/// not in it by its file name). Pure.
std::string origin_text(const TrapOrigin& origin,
                        const std::map<std::string, std::string>& object_sources);

/// Names the origin of each glibc trap finding of `file` ("dlopen (from dl.c, which calls
/// dlopen): …"), and demotes to a note, whatever --strict made it, each one that only a toolchain
/// runtime library reaches: the program does not call it. Pure.
void attribute_traps(scan::FileReport& file, const GateItem& item);

/// Scans every item, names where its traps came from (attribute_traps), sends the findings to
/// events.findings as one report, and fails with one problem per binary that has errors: "scan
/// gate: PATH is not fit for a scratch image (N errors); nothing was CONSEQUENCE". Returns the
/// reports, in item order, when all pass.
Result<std::vector<scan::FileReport>> gate_binaries(const std::vector<GateItem>& items, bool strict,
                                                    toolchain::BuildCache* cache,
                                                    std::string_view consequence, Events& events);

} // namespace sp::pipeline
