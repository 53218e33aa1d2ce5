// The language standards clang 19 accepts for -std=, one table: each name with its language, so
// that a flag or a manifest key is checked before anything compiles (clang's own answer to a bad
// value is ~30 notes), and a flag for one language can refuse the other's standards.
#pragma once

#include "util/result.h"

#include <span>
#include <string_view>

namespace sp {

/// The language a standard is for.
enum class Language { c, cxx };

/// One -std= value: "c++20", "gnu17", "iso9899:1999"; `alias` names are accepted and never
/// suggested (c++2a for c++20).
struct LanguageStandard {
  std::string_view name;
  Language language;
  bool alias = false;
};

/// Every value of the table, in clang's order (oldest first, C then C++).
std::span<const LanguageStandard> language_standards();

/// The row named `name`, or a usage error: what = `what` (e.g. "--std c++21"), why = "unknown
/// language standard", and a hint listing the standards of the language the name looks like.
Result<LanguageStandard> find_language_standard(std::string_view name, std::string_view what);

} // namespace sp
