// ARM build attributes (ARM IHI 0045): the part that tells hard-float from soft-float.
#include "toolchain/scan/elf_data.h"

namespace sp::scan::elf_data {

namespace {

uint64_t uleb(std::string_view s, size_t& pos) {
  uint64_t v = 0;
  for (unsigned shift = 0; pos < s.size() && shift < 64; shift += 7) {
    uint8_t b = static_cast<uint8_t>(s[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      return v;
    }
  }
  fail_malformed("unterminated ULEB128 number in .ARM.attributes");
}

void read_attribute_list(const Data& data, std::string_view list, ArmAttributes& attrs) {
  size_t pos = 0;
  while (pos < list.size()) {
    uint64_t tag = uleb(list, pos);
    bool is_string = tag == 4 || tag == 5 || tag == 67 || (tag > 32 && (tag & 1) == 1);
    if (tag == 32) { // Tag_compatibility: a number, then a string
      uleb(list, pos);
      is_string = true;
    }
    if (is_string) {
      std::string s = data.cstring(list, pos, ".ARM.attributes string");
      pos += s.size() + 1;
      if (tag == 5) {
        attrs.cpu_name = s;
      }
      continue;
    }
    uint64_t value = uleb(list, pos);
    if (tag == 28) {
      attrs.vfp_args = value;
    }
  }
}

void read_aeabi(const Data& data, std::string_view sub, ArmAttributes& attrs) {
  size_t pos = 0;
  while (pos + 5 <= sub.size()) {
    uint8_t tag = static_cast<uint8_t>(sub[pos]);
    uint64_t len = data.field(sub, pos + 1, 4);
    if (len < 5 || len > sub.size() - pos) {
      fail_malformed(".ARM.attributes sub-subsection length " + std::to_string(len) +
                     " is invalid");
    }
    if (tag == 1) { // Tag_File: attributes of the whole file
      read_attribute_list(data, sub.substr(pos + 5, len - 5), attrs);
    }
    pos += len;
  }
}

} // namespace

// Layout (ARM IHI 0045): 'A', then subsections [u32 length][vendor NUL][sub-subsections]; the
// "aeabi" vendor's File sub-subsection (tag 1) holds [tag uleb][value uleb or NUL string].
void read_arm_attributes(const Data& data, std::string_view sec, ArmAttributes& attrs) {
  if (sec.empty() || sec[0] != 'A') {
    fail_malformed(".ARM.attributes does not start with format version 'A'");
  }
  size_t pos = 1;
  while (pos < sec.size()) {
    uint64_t len = data.field(sec, pos, 4);
    if (len < 4 || len > sec.size() - pos) {
      fail_malformed(".ARM.attributes subsection length " + std::to_string(len) + " is invalid");
    }
    std::string_view sub = sec.substr(pos + 4, len - 4);
    size_t nul = sub.find('\0');
    if (nul != std::string_view::npos && sub.substr(0, nul) == "aeabi") {
      read_aeabi(data, sub.substr(nul + 1), attrs);
    }
    pos += len;
  }
}

} // namespace sp::scan::elf_data
