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

} // namespace

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
