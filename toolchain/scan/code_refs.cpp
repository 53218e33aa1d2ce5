#include "toolchain/scan/code_refs.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

namespace sp::scan {

namespace {

/// One loaded section's bytes and address. The bytes come from ElfReader::section_bytes, so every
/// index below stays inside a range that was bounds-checked once.
struct Span {
  std::string_view bytes;
  uint64_t addr;
  bool exec;
};

/// A `size`-byte integer at b[i] (2, 4 or 8 bytes). These scans touch every position of every
/// code section, so the loads are single memcpy's plus a byte swap when the file's byte order is
/// not the host's, which the compiler turns into one instruction each.
uint16_t swap(uint16_t v) {
  return __builtin_bswap16(v);
}
uint32_t swap(uint32_t v) {
  return __builtin_bswap32(v);
}
uint64_t swap(uint64_t v) {
  return __builtin_bswap64(v);
}

template <class T> T load_as(std::string_view b, size_t i, bool big) {
  T v;
  std::memcpy(&v, b.data() + i, sizeof v);
  bool host_big = std::endian::native == std::endian::big;
  return big == host_big ? v : swap(v);
}

uint64_t load(std::string_view b, size_t i, unsigned size, bool big) {
  switch (size) {
  case 2:
    return load_as<uint16_t>(b, i, big);
  case 4:
    return load_as<uint32_t>(b, i, big);
  default:
    return load_as<uint64_t>(b, i, big);
  }
}

int64_t sign_extend(uint64_t v, unsigned bits) {
  uint64_t m = uint64_t{1} << (bits - 1);
  v &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

uint8_t byte_at(std::string_view b, size_t i) {
  return static_cast<uint8_t>(b[i]);
}

/// Opcodes that end in a rel32 to a code address: call, jmp, jcc near, and lea reg, [rip+disp].
bool rel32_opcode(std::string_view b, size_t i) {
  uint8_t op = byte_at(b, i - 1);
  uint8_t before = i >= 2 ? byte_at(b, i - 2) : 0;
  return op == 0xe8 || op == 0xe9 || (op >= 0x80 && op <= 0x8f && before == 0x0f) ||
         ((op & 0xc7) == 0x05 && before == 0x8d);
}

/// Opcodes that end in an absolute imm32 (non-PIC code): mov reg, imm32; mov r/m, imm32; push.
bool imm32_opcode(std::string_view b, size_t i) {
  uint8_t op = byte_at(b, i - 1);
  uint8_t before = i >= 2 ? byte_at(b, i - 2) : 0;
  return (op >= 0xb8 && op <= 0xbf) || ((op & 0xc0) == 0xc0 && before == 0xc7) || op == 0x68;
}

/// x86 and x86-64, without a decoder: every position whose preceding opcode byte takes a 32-bit
/// operand is checked as a PC-relative displacement and as an absolute immediate.
bool x86_refs(const Span& s, uint64_t target) {
  for (size_t i = 1; i + 4 <= s.bytes.size(); ++i) {
    // The opcode tests are a byte or two and fail for most positions; only then load the operand.
    bool rel = rel32_opcode(s.bytes, i);
    bool imm = imm32_opcode(s.bytes, i);
    if (!rel && !imm) {
      continue;
    }
    uint64_t v = load(s.bytes, i, 4, false);
    if (imm && v == target) {
      return true;
    }
    int64_t disp = sign_extend(v, 32);
    if (rel && disp != 0 && s.addr + i + 4 + static_cast<uint64_t>(disp) == target) {
      return true;
    }
  }
  return false;
}

/// AArch64: B/BL imm26, and ADRP (page) followed within a few instructions by ADD imm12 (offset).
bool aarch64_refs(const Span& s, uint64_t target, bool big) {
  size_t n = s.bytes.size() / 4;
  for (size_t k = 0; k < n; ++k) {
    uint64_t pc = s.addr + 4 * k;
    uint32_t w = static_cast<uint32_t>(load(s.bytes, 4 * k, 4, big));
    if ((w & 0x7c000000u) == 0x14000000u &&
        pc + static_cast<uint64_t>(sign_extend(w & 0x3ffffff, 26) * 4) == target) {
      return true;
    }
    if ((w & 0x9f000000u) != 0x90000000u) {
      continue;
    }
    uint64_t imm = ((w >> 29) & 3) | (((w >> 5) & 0x7ffff) << 2);
    uint64_t page = (pc & ~uint64_t{0xfff}) + static_cast<uint64_t>(sign_extend(imm, 21) << 12);
    if (page != (target & ~uint64_t{0xfff})) {
      continue;
    }
    for (size_t j = k + 1; j < n && j <= k + 4; ++j) {
      uint32_t add = static_cast<uint32_t>(load(s.bytes, 4 * j, 4, big));
      if ((add & 0xffc00000u) == 0x91000000u && ((add >> 10) & 0xfff) == (target & 0xfff)) {
        return true;
      }
    }
  }
  return false;
}

/// Thumb-2 BL, BLX and B.W (32-bit encodings T1-T4 with the J1/J2 bits).
bool thumb_branch_to(uint32_t hw1, uint32_t hw2, uint64_t pc, uint64_t target) {
  if ((hw1 & 0xf800) != 0xf000) {
    return false;
  }
  uint32_t kind = hw2 & 0xd000;
  if (kind != 0xd000 && kind != 0xc000 && kind != 0x9000) {
    return false;
  }
  uint32_t sign = (hw1 >> 10) & 1;
  uint32_t i1 = ~((hw2 >> 13) ^ sign) & 1;
  uint32_t i2 = ~((hw2 >> 11) ^ sign) & 1;
  uint64_t raw = (uint64_t{sign} << 24) | (uint64_t{i1} << 23) | (uint64_t{i2} << 22) |
                 (uint64_t{hw1 & 0x3ff} << 12) | (uint64_t{hw2 & 0x7ff} << 1);
  uint64_t base = kind == 0xc000 ? ((pc + 4) & ~uint64_t{3}) : pc + 4;
  uint64_t dest = (base + static_cast<uint64_t>(sign_extend(raw, 25))) & 0xffffffffu;
  return dest == (target & ~uint64_t{1});
}

/// A32 B/BL/BLX imm24 to the target.
bool a32_branch_to(uint32_t w, uint64_t pc, uint64_t target) {
  bool b_or_bl = (w & 0x0e000000u) == 0x0a000000u && (w >> 28) != 0xf;
  bool blx = (w & 0xfe000000u) == 0xfa000000u;
  if (!b_or_bl && !blx) {
    return false;
  }
  uint64_t off = static_cast<uint64_t>(sign_extend(w & 0xffffff, 24) * 4);
  uint64_t dest = (pc + 8 + off + (blx ? ((w >> 24) & 1) * 2 : 0)) & 0xffffffffu;
  return dest == (target & ~uint64_t{1});
}

/// The imm16 of an A32 MOVW (movt = false) or MOVT, with its register; nullopt for others.
std::optional<std::pair<uint32_t, uint32_t>> a32_mov16(uint32_t w, bool movt) {
  if ((w & 0x0ff00000u) != (movt ? 0x03400000u : 0x03000000u)) {
    return std::nullopt;
  }
  return std::pair<uint32_t, uint32_t>{((w >> 4) & 0xf000) | (w & 0xfff), (w >> 12) & 0xf};
}

/// The same for the Thumb-2 MOVW/MOVT (T3/T1 encodings) made of halfwords hw1, hw2.
std::optional<std::pair<uint32_t, uint32_t>> t32_mov16(uint32_t hw1, uint32_t hw2, bool movt) {
  if ((hw1 & 0xfbf0) != (movt ? 0xf2c0u : 0xf240u) || (hw2 & 0x8000) != 0) {
    return std::nullopt;
  }
  uint32_t imm =
      ((hw1 & 0xf) << 12) | (((hw1 >> 10) & 1) << 11) | (((hw2 >> 12) & 7) << 8) | (hw2 & 0xff);
  return std::pair<uint32_t, uint32_t>{imm, (hw2 >> 8) & 0xf};
}

/// MOVW reg, #lo16 followed within four instructions by MOVT reg, #hi16 of the target, in A32
/// (at word positions) or Thumb-2 (at halfword positions).
bool arm_movw_movt(const Span& s, size_t i, uint64_t target, bool big) {
  auto a32 = [&](size_t at, bool movt) {
    return a32_mov16(static_cast<uint32_t>(load(s.bytes, at, 4, big)), movt);
  };
  auto t32 = [&](size_t at, bool movt) {
    return t32_mov16(static_cast<uint32_t>(load(s.bytes, at, 2, big)),
                     static_cast<uint32_t>(load(s.bytes, at + 2, 2, big)), movt);
  };
  auto pair_at = [&](auto decode, size_t step) {
    auto low = decode(i, false);
    if (!low || low->first != (target & 0xffff)) {
      return false;
    }
    for (size_t j = i + 4; j + 4 <= s.bytes.size() && j <= i + 16; j += step) {
      auto high = decode(j, true);
      if (high && high->first == ((target >> 16) & 0xffff) && high->second == low->second) {
        return true;
      }
    }
    return false;
  };
  return pair_at(t32, 2) || (i % 4 == 0 && pair_at(a32, 4));
}

/// 32-bit ARM: A32 branches at word positions, Thumb-2 branches at halfword positions, and
/// MOVW/MOVT address pairs in either.
bool arm_refs(const Span& s, uint64_t target, bool big) {
  for (size_t i = 0; i + 4 <= s.bytes.size(); i += 2) {
    uint64_t pc = s.addr + i;
    if (i % 4 == 0 && a32_branch_to(static_cast<uint32_t>(load(s.bytes, i, 4, big)), pc, target)) {
      return true;
    }
    uint32_t hw1 = static_cast<uint32_t>(load(s.bytes, i, 2, big));
    uint32_t hw2 = static_cast<uint32_t>(load(s.bytes, i + 2, 2, big));
    if (thumb_branch_to(hw1, hw2, pc, target) || arm_movw_movt(s, i, target, big)) {
      return true;
    }
  }
  return false;
}

/// A pointer to the function stored at an aligned position: data, GOT, literal pools, and the
/// addend of R_*_RELATIVE relocations in a static-pie.
bool stored_pointer(const Span& s, uint64_t target, unsigned word, bool big) {
  for (size_t i = (word - s.addr % word) % word; i + word <= s.bytes.size(); i += word) {
    if (load(s.bytes, i, word, big) == target) {
      return true;
    }
  }
  return false;
}

bool code_refers(const Span& s, uint16_t machine, uint64_t target, bool big) {
  switch (machine) {
  case elf::k_em_x86_64:
  case elf::k_em_386:
    return x86_refs(s, target);
  case elf::k_em_aarch64:
    return aarch64_refs(s, target, big);
  case elf::k_em_arm:
    return arm_refs(s, target, big);
  default:
    return false;
  }
}

} // namespace

bool refers_to(const ElfReader& reader, uint64_t target) {
  const ElfFile& f = reader.file();
  bool big = f.header.big_endian;
  unsigned word = f.header.elf_class == elf::k_class64 ? 8 : 4;
  // The allocated sections by file offset; one whose bytes overlap a section already taken is
  // left out. Linkers never lay sections over each other, so nothing real is lost, and a crafted
  // file with thousands of sections over the same bytes costs one pass over them, not thousands:
  // the work per call is bounded by the file's size.
  std::vector<const SectionHeader*> order;
  for (const SectionHeader& sec : f.sections) {
    if ((sec.flags & elf::k_shf_alloc) != 0 && sec.type != elf::k_sht_nobits && sec.size > 0) {
      order.push_back(&sec);
    }
  }
  std::sort(order.begin(), order.end(), [](const SectionHeader* a, const SectionHeader* b) {
    return a->offset != b->offset ? a->offset < b->offset : a->size < b->size;
  });
  uint64_t covered = 0; // file offsets below this were scanned
  for (const SectionHeader* sec : order) {
    if (sec->offset < covered) {
      continue;
    }
    std::optional<std::string_view> bytes = reader.section_bytes(*sec);
    if (!bytes) {
      continue;
    }
    covered = sec->offset + sec->size;
    Span span{*bytes, sec->addr, (sec->flags & elf::k_shf_execinstr) != 0};
    if (span.exec && code_refers(span, f.header.machine, target, big)) {
      return true;
    }
    if (stored_pointer(span, target, word, big)) {
      return true;
    }
  }
  return false;
}

} // namespace sp::scan
