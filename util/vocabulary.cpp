#include "util/vocabulary.h"

#include <array>

namespace sp {

namespace {

constexpr std::array<NamedValue<Profile>, 3> k_profiles{{
    {"debug", Profile::debug},
    {"release", Profile::release},
    {"size", Profile::size},
}};

constexpr std::array<NamedValue<Compression>, 4> k_compressions{{
    {"gzip", Compression::gzip},
    {"zstd", Compression::zstd},
    {"none", Compression::none},
    {"uncompressed", Compression::none, true},
}};

constexpr std::array<NamedValue<Libc>, 3> k_libcs{{
    {"glibc", Libc::glibc},
    {"musl", Libc::musl},
    {"gnu", Libc::glibc, true},
}};

template <class E, size_t N>
std::string_view name_in(const std::array<NamedValue<E>, N>& table, E value) {
  for (const auto& n : table) {
    if (n.value == value && !n.alias) {
      return n.name;
    }
  }
  return "?";
}

/// clang 19's -std= values for C and C++ (clang/Basic/LangStandards.def), aliases included.
constexpr std::array<std::string_view, 30> k_c_standards = {
    "c89", "c90", "iso9899:1990", "iso9899:199409", "gnu89", "gnu90",
    "c99", "c9x", "iso9899:1999", "iso9899:199x",   "gnu99", "gnu9x",
    "c11", "c1x", "iso9899:2011", "iso9899:201x",   "gnu11", "gnu1x",
    "c17", "c18", "iso9899:2017", "iso9899:2018",   "gnu17", "gnu18",
    "c23", "c2x", "gnu23",        "gnu2x",          "c2y",   "gnu2y"};
constexpr std::array<std::string_view, 28> k_cxx_standards = {
    "c++98",   "c++03",   "gnu++98", "gnu++03", "c++11",   "c++0x",   "gnu++11",
    "gnu++0x", "c++14",   "c++1y",   "gnu++14", "gnu++1y", "c++17",   "c++1z",
    "gnu++17", "gnu++1z", "c++20",   "c++2a",   "gnu++20", "gnu++2a", "c++23",
    "c++2b",   "gnu++23", "gnu++2b", "c++26",   "c++2c",   "gnu++26", "gnu++2c"};

} // namespace

std::optional<Language> standard_language(std::string_view standard) {
  for (std::string_view s : k_c_standards) {
    if (s == standard) {
      return Language::c;
    }
  }
  for (std::string_view s : k_cxx_standards) {
    if (s == standard) {
      return Language::cxx;
    }
  }
  return std::nullopt;
}

std::string_view standard_examples() {
  return "c99, c11, c17, c23 or gnu17 for C; c++14, c++17, c++20, c++23 or gnu++20 for C++";
}

std::span<const NamedValue<Profile>> names_of(Profile) {
  return k_profiles;
}
std::span<const NamedValue<Compression>> names_of(Compression) {
  return k_compressions;
}
std::span<const NamedValue<Libc>> names_of(Libc) {
  return k_libcs;
}

std::string_view noun_of(Profile) {
  return "profile";
}
std::string_view noun_of(Compression) {
  return "compression";
}
std::string_view noun_of(Libc) {
  return "libc";
}

std::string_view to_string(Profile profile) {
  return name_in(k_profiles, profile);
}
std::string_view to_string(Compression compression) {
  return name_in(k_compressions, compression);
}
std::string_view to_string(Libc libc) {
  return name_in(k_libcs, libc);
}

int compression_level_for(Profile profile, Compression compression) {
  if (profile != Profile::size) {
    return 0;
  }
  switch (compression) {
  case Compression::gzip:
    return 9;
  case Compression::zstd:
    return 19;
  case Compression::none:
    return 0;
  }
  return 0;
}

} // namespace sp
