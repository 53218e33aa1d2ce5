// Streaming SHA-256 through OpenSSL's EVP interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sp {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  /// Finishes the hash and returns 64 lower-case hex digits; the object is reset afterwards.
  std::string hex_digest();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// sha256 of `data` as lower-case hex.
std::string sha256_hex(std::string_view data);

/// SHA-1 of `data` as lower-case hex: only where a format demands it (SPDX 2.3 files), never to
/// trust anything.
std::string sha1_hex(std::string_view data);

/// HMAC-SHA256 of `data` under `key`, as lower-case hex.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// Starts OpenSSL without reading openssl.cnf, registering every cipher and digest by name or
/// loading its error texts (which the first HMAC would otherwise do): all a short-lived process
/// that only hashes needs. scratchpack-cc runs once per translation unit; this saves it ~1 ms. Call
/// it first thing in main, and only in a program that makes no TLS connection: the system's OpenSSL
/// configuration (its protocol and cipher policy) is then never read.
void crypto_init_lean();

/// `n` bytes from the operating system's cryptographic random source, as lower-case hex.
std::string random_hex(size_t n);

} // namespace sp
