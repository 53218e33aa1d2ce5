// Links three of Debian's static libraries from `sysroot add`: SHA-256 of stdin through OpenSSL's
// libcrypto (compared with sha256sum), a zlib round trip, and an in-memory SQLite table.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <string>
#include <zlib.h>
int main() {
  std::string in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  for (unsigned char c : md) {
    std::printf("%02x", c);
  }
  std::printf("  -\n");
  std::string text(1000, 'x');
  uLongf zl = compressBound(text.size()), bl = text.size();
  std::string z(zl, '\0'), back(bl, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &zl, reinterpret_cast<const Bytef*>(text.data()),
           text.size());
  uncompress(reinterpret_cast<Bytef*>(back.data()), &bl, reinterpret_cast<const Bytef*>(z.data()),
             zl);
  std::printf("zlib: %lu -> %lu bytes, round trip %s\n", (unsigned long)text.size(),
              (unsigned long)zl, back == text ? "ok" : "FAILED");
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "create table t(name text); insert into t values('scratch');", nullptr, nullptr,
               nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "select name from t", -1, &st, nullptr);
  if (sqlite3_step(st) == SQLITE_ROW) {
    std::printf("sqlite %s: %s\n", sqlite3_libversion(), sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}
