// The language standards clang 19 accepts for -std=, one table: each name with its language, so
// that a flag or a manifest key is checked before anything compiles (clang's own answer to a bad
// value is ~30 notes), and a flag for one language can refuse the other's standards.
#pragma once

#include "util/result.h"

#include <optional>
#include <span>
#include <string_view>

namespace sp {

/// The language of a source file, and of a language standard.
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

/// The language of a -std= value of the table (aliases included); nullopt for any other name.
/// C and C++ sources each get their own standard, so this is how a standard given for both
/// finds its sources.
std::optional<Language> standard_language(std::string_view name);

/// Standards to suggest in messages: "c99, c11, c17, c23 or gnu17 for C; c++14, c++17, c++20,
/// c++23 or gnu++20 for C++".
std::string_view standard_examples();

} // namespace sp
