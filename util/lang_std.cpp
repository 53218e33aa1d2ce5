#include "util/lang_std.h"

#include <algorithm>
#include <array>
#include <string>

namespace sp {

namespace {

using L = Language;

// From clang 19's LangStandards.def; the C2y and C++2c drafts included.
constexpr std::array k_standards = {
    LanguageStandard{"c89", L::c},
    LanguageStandard{"c90", L::c, true},
    LanguageStandard{"iso9899:1990", L::c, true},
    LanguageStandard{"iso9899:199409", L::c, true},
    LanguageStandard{"gnu89", L::c},
    LanguageStandard{"gnu90", L::c, true},
    LanguageStandard{"c99", L::c},
    LanguageStandard{"c9x", L::c, true},
    LanguageStandard{"iso9899:1999", L::c, true},
    LanguageStandard{"iso9899:199x", L::c, true},
    LanguageStandard{"gnu99", L::c},
    LanguageStandard{"gnu9x", L::c, true},
    LanguageStandard{"c11", L::c},
    LanguageStandard{"c1x", L::c, true},
    LanguageStandard{"iso9899:2011", L::c, true},
    LanguageStandard{"iso9899:201x", L::c, true},
    LanguageStandard{"gnu11", L::c},
    LanguageStandard{"gnu1x", L::c, true},
    LanguageStandard{"c17", L::c},
    LanguageStandard{"c18", L::c, true},
    LanguageStandard{"iso9899:2017", L::c, true},
    LanguageStandard{"iso9899:2018", L::c, true},
    LanguageStandard{"gnu17", L::c},
    LanguageStandard{"gnu18", L::c, true},
    LanguageStandard{"c23", L::c},
    LanguageStandard{"c2x", L::c, true},
    LanguageStandard{"gnu23", L::c},
    LanguageStandard{"gnu2x", L::c, true},
    LanguageStandard{"c2y", L::c},
    LanguageStandard{"gnu2y", L::c},
    LanguageStandard{"c++98", L::cxx},
    LanguageStandard{"c++03", L::cxx, true},
    LanguageStandard{"gnu++98", L::cxx},
    LanguageStandard{"gnu++03", L::cxx, true},
    LanguageStandard{"c++11", L::cxx},
    LanguageStandard{"c++0x", L::cxx, true},
    LanguageStandard{"gnu++11", L::cxx},
    LanguageStandard{"gnu++0x", L::cxx, true},
    LanguageStandard{"c++14", L::cxx},
    LanguageStandard{"c++1y", L::cxx, true},
    LanguageStandard{"gnu++14", L::cxx},
    LanguageStandard{"gnu++1y", L::cxx, true},
    LanguageStandard{"c++17", L::cxx},
    LanguageStandard{"c++1z", L::cxx, true},
    LanguageStandard{"gnu++17", L::cxx},
    LanguageStandard{"gnu++1z", L::cxx, true},
    LanguageStandard{"c++20", L::cxx},
    LanguageStandard{"c++2a", L::cxx, true},
    LanguageStandard{"gnu++20", L::cxx},
    LanguageStandard{"gnu++2a", L::cxx, true},
    LanguageStandard{"c++23", L::cxx},
    LanguageStandard{"c++2b", L::cxx, true},
    LanguageStandard{"gnu++23", L::cxx},
    LanguageStandard{"gnu++2b", L::cxx, true},
    LanguageStandard{"c++26", L::cxx},
    LanguageStandard{"c++2c", L::cxx, true},
    LanguageStandard{"gnu++26", L::cxx},
    LanguageStandard{"gnu++2c", L::cxx, true},
};

/// "c89, c99, c11, c17, c23, c2y" — the names suggested for one language, gnu variants left to
/// the sentence that lists them.
std::string listed(Language language) {
  std::string out;
  for (const LanguageStandard& s : k_standards) {
    if (s.language == language && !s.alias && !s.name.starts_with("gnu")) {
      out += (out.empty() ? "" : ", ") + std::string(s.name);
    }
  }
  return out;
}

const LanguageStandard* find_row(std::string_view name) {
  auto it = std::find_if(k_standards.begin(), k_standards.end(),
                         [&](const LanguageStandard& s) { return s.name == name; });
  return it == k_standards.end() ? nullptr : &*it;
}

} // namespace

std::span<const LanguageStandard> language_standards() {
  return k_standards;
}

Result<LanguageStandard> find_language_standard(std::string_view name, std::string_view what) {
  if (const LanguageStandard* row = find_row(name)) {
    return *row;
  }
  bool cxx = name.find('+') != std::string_view::npos;
  std::string hint =
      cxx ? "C++ standards are " + listed(Language::cxx) + " (gnu++NN for GNU extensions)"
          : "C standards are " + listed(Language::c) + " (gnuNN for GNU extensions)";
  if (!cxx) {
    hint += "; C++ ones are c++11 to c++26";
  }
  return usage_error(std::string(what), "unknown language standard", hint);
}

std::optional<Language> standard_language(std::string_view name) {
  const LanguageStandard* row = find_row(name);
  return row ? std::optional<Language>(row->language) : std::nullopt;
}

std::string_view standard_examples() {
  return "c99, c11, c17, c23 or gnu17 for C; c++14, c++17, c++20, c++23 or gnu++20 for C++";
}

} // namespace sp
