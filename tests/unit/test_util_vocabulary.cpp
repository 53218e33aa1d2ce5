#include "util/vocabulary.h"

#include <doctest/doctest.h>

using namespace sp;

TEST_CASE("util.vocabulary: names, aliases and one message shape per word") {
  CHECK(to_string(Profile::size) == "size");
  CHECK(to_string(Compression::none) == "none");
  CHECK(to_string(Libc::musl) == "musl");
  CHECK(lookup<Compression>("uncompressed") == Compression::none);
  CHECK(lookup<Libc>("gnu") == Libc::glibc);
  CHECK_FALSE(lookup<Profile>("fast"));
  // Aliases are accepted, never listed.
  CHECK(expected_names<Compression>() == "gzip, zstd or none");
  CHECK(expected_names<Libc>() == "glibc or musl");
  Result<Profile> bad = parse_named<Profile>("fast");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what == "profile 'fast'");
  CHECK(bad.error().why == "unknown profile");
  CHECK(bad.error().hint == "use debug, release or size");
  CHECK(bad.error().exit_code() == 2);
}

TEST_CASE("util.vocabulary: the size profile asks for the strongest layer compression") {
  CHECK(compression_level_for(Profile::size, Compression::gzip) == 9);
  CHECK(compression_level_for(Profile::size, Compression::zstd) == 19);
  CHECK(compression_level_for(Profile::size, Compression::none) == 0);
  CHECK(compression_level_for(Profile::release, Compression::zstd) == 0);
  CHECK(compression_level_for(Profile::debug, Compression::gzip) == 0);
}
