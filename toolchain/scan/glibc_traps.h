// glibc's static-linking traps. glibc tags functions that need its shared libraries at run time
// (NSS lookups, dlopen, …) with `.gnu.warning.<symbol>` sections; GNU ld prints them, lld keeps the
// sections and stays silent. The scanner reads them back and says what will fail in a scratch
// image.
#pragma once

#include "toolchain/scan/elf_reader.h"
#include "toolchain/scan/scanner.h"

#include <vector>

namespace sp::scan {

/// Appends glibc.* findings for a static ELF and records the functions in facts.glibc_traps.
void check_glibc_traps(const ElfReader& reader, const ScanOptions& options, ElfFacts& facts,
                       std::vector<Finding>& out);

} // namespace sp::scan
