// Does a linked executable refer to a given function? Used where the presence of a function says
// nothing on its own: every static glibc ≥ 2.34 binary contains dlopen() (libc's own static
// start-up pulls it in), so only a call or an address-taken reference from the program counts.
#pragma once

#include "toolchain/scan/elf_reader.h"

#include <cstdint>

namespace sp::scan {

/// True when the file refers to the function at `target` (its symbol value; bit 0 set for a Thumb
/// function): a direct call or jump, a PC-relative address computation (x86 rel32, AArch64
/// ADRP+ADD), or a pointer stored in a loaded section (data, literal pools, the addend of a
/// relative relocation). Architectures without a decoder get the pointer check only. A false
/// positive needs a 32-bit coincidence; a reference through a computed address is not seen.
bool refers_to(const ElfReader& reader, uint64_t target);

} // namespace sp::scan
