#include "toolchain/schedule.h"

#include <algorithm>
#include <numeric>

namespace sp::toolchain {

uint64_t estimate_compile_ms(std::string_view text, bool cxx) {
  // Weights measured roughly on clang-19 -O2 here: ~25 ms per KiB of code of one's own, ~25 ms
  // for a project header, ~120 ms for a standard C++ header, ~10 ms for a C one, 40 ms to start.
  uint64_t ms = 40 + text.size() / 40;
  size_t pos = 0;
  while ((pos = text.find("#include", pos)) != std::string_view::npos) {
    size_t open = text.find_first_of("<\"\n", pos + 8);
    pos += 8;
    if (open == std::string_view::npos || text[open] == '\n') {
      continue;
    }
    ms += text[open] == '"' ? 25 : cxx ? 120 : 10;
  }
  return ms;
}

std::vector<size_t> longest_first(const std::vector<uint64_t>& lengths) {
  std::vector<size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Ties by index (std::stable_sort's temporary buffer is deprecated in libstdc++ 12 for clang).
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return lengths[a] != lengths[b] ? lengths[a] > lengths[b] : a < b;
  });
  return order;
}

std::optional<uint64_t> parse_compile_ms(std::string_view text) {
  if (text.empty() || text.size() > 9) {
    return std::nullopt;
  }
  uint64_t ms = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    ms = ms * 10 + static_cast<uint64_t>(c - '0');
  }
  return ms;
}

} // namespace sp::toolchain
