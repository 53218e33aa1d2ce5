// The order compiles start in: the longest first (LPT scheduling), so that a long translation
// unit does not start last and leave the other workers idle while it finishes. A unit's length
// is its last recorded wall time (kept in the build cache: compile_time_key in build.h), or an
// estimate from its text when it was never compiled here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sp::toolchain {

/// A guess at a compile's wall time in milliseconds from the source's text: its size and the
/// headers it includes (standard C++ headers weigh most: <iostream> alone is ~1 s of parsing).
/// Only the order matters, and recorded times take precedence. Pure.
uint64_t estimate_compile_ms(std::string_view source_text, bool cxx);

/// The indices of `lengths` from the longest to the shortest; equal lengths keep their order.
/// Pure.
std::vector<size_t> longest_first(const std::vector<uint64_t>& lengths);

/// A recorded wall time as the build cache keeps it ("1234" milliseconds); nullopt for
/// anything else (the entry is a hint: a bad one is ignored).
std::optional<uint64_t> parse_compile_ms(std::string_view text);

} // namespace sp::toolchain
