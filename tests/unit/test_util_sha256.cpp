#include "util/sha256.h"

#include <doctest/doctest.h>

using namespace sp;

namespace {

void check_known_answers() {
  // FIPS 180-2 and RFC 4231 (test case 2) known answers.
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.update("a");
  h.update("bc");
  CHECK(h.hex_digest() == sha256_hex("abc"));
  h.update("abc"); // reset after the digest: the same answer again
  CHECK(h.hex_digest() == sha256_hex("abc"));
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

} // namespace

TEST_CASE("util.sha256: sha256 and HMAC-SHA256 give the published answers") {
  check_known_answers();
}

TEST_CASE("util.sha256: after crypto_init_lean (scratchpack-cc's start) the answers are the same") {
  crypto_init_lean();
  check_known_answers();
}
