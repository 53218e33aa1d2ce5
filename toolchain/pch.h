// Precompiled standard-library preambles. Most C++ sources start with a run of `#include <…>`
// lines naming standard headers; parsing those (libc++'s <iostream> alone is ~390 headers, about
// a second) is most of a small compile. scratchpack precompiles such a preamble once per set of
// flags (kept in the build cache) and passes it with -include-pch. The preamble holds exactly the
// source's own leading standard includes, in its order, so the source means the same thing; the
// object is byte-identical to one compiled without it (asserted by the tests). Only profiles
// without debug info use it: with -g the debug info would name the preamble's header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sp::toolchain {

/// True for the C++ standard library's headers (<vector>, <iostream>, <cstdio>…).
bool is_std_header(std::string_view name);

/// The headers of the `#include <…>` lines at the top of `source` that name standard headers,
/// in order, up to the first line that is anything else (comments and blank lines aside). A
/// quoted include, a macro, a pragma or code ends the preamble. Pure.
std::vector<std::string> std_preamble(std::string_view source);

/// The header precompiled for a preamble: one `#include <h>` line per header.
std::string preamble_text(const std::vector<std::string>& headers);

} // namespace sp::toolchain
