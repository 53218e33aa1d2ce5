// The words every stage shares: optimisation profile, layer compression, C library, source
// language and its standards. One enum and one name table each; the CLI, manifests, toolchain and
// packager all parse and print through these (the architecture and its many names are in
// util/target.h).
#pragma once

#include "util/lang_std.h"
#include "util/result.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sp {

/// Optimisation profile of a binary: debug (-O0 -g), release (-O2), size (-Os, stripped).
enum class Profile { debug, release, size };
/// Layer compression of an image.
enum class Compression { none, gzip, zstd };
/// C library a binary links statically.
enum class Libc { glibc, musl };

/// A name of an enum value; aliases are accepted when parsing and never printed.
template <class E> struct NamedValue {
  std::string_view name;
  E value;
  bool alias = false;
};

std::span<const NamedValue<Profile>> names_of(Profile);
std::span<const NamedValue<Compression>> names_of(Compression);
std::span<const NamedValue<Libc>> names_of(Libc);

/// The noun a value is called in messages: "profile", "compression", "libc".
std::string_view noun_of(Profile);
std::string_view noun_of(Compression);
std::string_view noun_of(Libc);

std::string_view to_string(Profile profile);
std::string_view to_string(Compression compression);
std::string_view to_string(Libc libc);

/// The canonical names joined for a message: "debug, release or size".
template <class E> std::string expected_names() {
  std::string out;
  size_t count = 0;
  for (const auto& n : names_of(E{})) {
    count += n.alias ? 0 : 1;
  }
  size_t i = 0;
  for (const auto& n : names_of(E{})) {
    if (n.alias) {
      continue;
    }
    out += i == 0 ? "" : i + 1 == count ? " or " : ", ";
    out += n.name;
    ++i;
  }
  return out;
}

/// The value named `text` (a canonical name or an alias), or nullopt.
template <class E> std::optional<E> lookup(std::string_view text) {
  for (const auto& n : names_of(E{})) {
    if (n.name == text) {
      return n.value;
    }
  }
  return std::nullopt;
}

/// lookup() as a usage error: what "profile 'fast'", why "unknown profile", hint "use debug,
/// release or size".
template <class E> Result<E> parse_named(std::string_view text) {
  if (auto v = lookup<E>(text)) {
    return *v;
  }
  std::string noun(noun_of(E{}));
  return usage_error(noun + " '" + std::string(text) + "'", "unknown " + noun,
                     "use " + expected_names<E>());
}

/// The strongest layer compression level, which the size profile asks for ("the smallest
/// result"); 0 (the packager's size-based default) for every other profile.
int compression_level_for(Profile profile, Compression compression);

} // namespace sp
