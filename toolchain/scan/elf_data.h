// Internal to the ELF reader (not part of the scanner's API): checked, byte-order-aware access to
// a ByteSource, shared by elf_reader.cpp and arm_attributes.cpp.
#pragma once

#include "toolchain/scan/elf_reader.h"

#include <bit>
#include <cstring>
#include <string>
#include <string_view>

namespace sp::scan::elf_data {

/// A failed read inside the reader (bloaty's StrictSubstr habit keeps every parse step short).
/// Each parse stage of ElfReader catches it and records an ElfIssue: it never escapes the reader.
struct ReadError {
  const char* code;
  std::string message;
};

constexpr size_t k_max_string = 4096; // longer than PATH_MAX: a string this long is garbage

[[noreturn]] inline void fail_truncated(std::string message) {
  throw ReadError{"elf.truncated", std::move(message)};
}
[[noreturn]] inline void fail_malformed(std::string message) {
  throw ReadError{"elf.malformed", std::move(message)};
}

inline std::string hex(uint64_t v) {
  static const char* const k_digits = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), k_digits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

/// Checked access to the file's bytes in its byte order: every range is checked against the
/// file's size here before the source is asked for it.
class Data {
public:
  Data(const ByteSource& source, bool big_endian) : m_src(&source), m_big(big_endian) {}

  uint64_t size() const { return m_src->size(); }

  std::string_view substr(uint64_t offset, uint64_t size, std::string_view what) const {
    uint64_t total = m_src->size();
    if (offset > total || size > total - offset) {
      fail_truncated(std::string(what) + " (offset " + hex(offset) + ", size " + hex(size) +
                     ") extends past the end of the file (" + hex(total) + " bytes)");
    }
    std::optional<std::string_view> bytes = m_src->read(offset, size);
    if (!bytes) {
      fail_truncated(std::string(what) + " could not be read");
    }
    return *bytes;
  }

  /// Unsigned integer of `size` bytes at `offset` inside `record`.
  uint64_t field(std::string_view record, size_t offset, unsigned size) const {
    if (offset > record.size() || size > record.size() - offset) {
      fail_truncated("record too short for its fields");
    }
    const char* p = record.data() + offset;
    switch (size) {
    case 1:
      return static_cast<unsigned char>(*p);
    case 2:
      return load<uint16_t>(p);
    case 4:
      return load<uint32_t>(p);
    case 8:
      return load<uint64_t>(p);
    default:
      return load_bytes(p, size);
    }
  }

  /// A NUL-terminated string starting at `offset` inside `table`.
  std::string cstring(std::string_view table, uint64_t offset, std::string_view what) const {
    if (offset >= table.size()) {
      fail_malformed(std::string(what) + ": string offset " + hex(offset) +
                     " is outside its string table (" + hex(table.size()) + " bytes)");
    }
    std::string_view rest = table.substr(offset, k_max_string + 1);
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) {
      fail_malformed(std::string(what) + ": string at " + hex(offset) + " is not terminated");
    }
    return std::string(rest.substr(0, nul));
  }

private:
  /// An unaligned integer in the file's byte order (a hot path: every field of every table).
  template <class T> T load(const char* p) const {
    T v;
    std::memcpy(&v, p, sizeof v);
    if (m_big != (std::endian::native == std::endian::big)) {
      if constexpr (sizeof(T) == 2) {
        v = __builtin_bswap16(v);
      } else if constexpr (sizeof(T) == 4) {
        v = __builtin_bswap32(v);
      } else {
        v = __builtin_bswap64(v);
      }
    }
    return v;
  }

  uint64_t load_bytes(const char* p, unsigned size) const {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) {
      v = (v << 8) | static_cast<unsigned char>(p[m_big ? i : size - 1 - i]);
    }
    return v;
  }

  const ByteSource* m_src;
  bool m_big;
};

/// Field offsets that differ between ELF32 and ELF64.
struct Layout {
  bool is64;
  size_t word() const { return is64 ? 8 : 4; }
  size_t ehdr_size() const { return is64 ? 64 : 52; }
  size_t phdr_size() const { return is64 ? 56 : 32; }
  size_t shdr_size() const { return is64 ? 64 : 40; }
  size_t dyn_size() const { return is64 ? 16 : 8; }
  size_t sym_size() const { return is64 ? 24 : 16; }
};

/// Reads the "aeabi" File attributes of an .ARM.attributes section (throws ReadError).
void read_arm_attributes(const Data& data, std::string_view section, ArmAttributes& attrs);

} // namespace sp::scan::elf_data
