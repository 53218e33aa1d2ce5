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
};

/// Where trap symbol `symbol` came from, by lld's --why-extract table: the first object or
/// archive member outside the C library whose reference pulled it in, walking through the C
/// library's own members ("libcrypto.a(bio_addr.o), which calls getaddrinfo"); empty when the
/// table does not say. Pure.
std::string trap_origin(std::string_view why_extract, const std::string& symbol);

/// Scans every item, sends the findings to events.findings as one report, and fails with one
/// problem per binary that has errors: "scan gate: PATH is not fit for a scratch image (N
/// errors); nothing was CONSEQUENCE". Returns the reports, in item order, when all pass.
Result<std::vector<scan::FileReport>> gate_binaries(const std::vector<GateItem>& items, bool strict,
                                                    toolchain::BuildCache* cache,
                                                    std::string_view consequence, Events& events);

} // namespace sp::pipeline
