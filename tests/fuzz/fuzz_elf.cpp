// libFuzzer target for the ELF reader and everything the scanner does with what it reads: the
// same bytes go through the reader, the full scan (with a platform and --strict chosen from the
// input's size, so every check runs), the JSON rendering and, for a quarter of the inputs, an
// image-tree scan with the input as entrypoint.
#include "toolchain/scan/elf_reader.h"
#include "toolchain/scan/report_json.h"
#include "toolchain/scan/scanner.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

sp::scan::ScanOptions options_for(size_t size) {
  static const char* const k_platforms[] = {"linux/amd64", "linux/arm64", "linux/arm/v7"};
  sp::scan::ScanOptions options;
  options.platform = *sp::parse_platform(k_platforms[size % 3]);
  options.strict = (size & 1) != 0;
  options.jobs = 1;
  return options;
}

void exercise_reader(std::string_view bytes) {
  sp::scan::ElfReader reader(bytes);
  for (const sp::scan::SectionHeader& s : reader.file().sections) {
    (void)reader.section_bytes(s);
  }
  (void)reader.symbol_values({"dlopen", "dlmopen", "iconv_open"});
  (void)reader.read_uint(reader.file().header.entry, 4);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  exercise_reader(bytes);
  sp::scan::ScanOptions options = options_for(size);
  sp::scan::ScanReport report;
  report.files.push_back(sp::scan::scan_bytes("fuzz", bytes, options));
  (void)sp::scan::to_json(report);

  // The tree scan repeats the whole scan of the input: a quarter of the inputs is enough for it.
  if (size % 4 != 0) {
    return 0;
  }
  using sp::scan::TreeFile;
  std::vector<TreeFile> tree = {
      {"/bin/app", 0755, TreeFile::Type::file, std::string(bytes), ""},
      {"/entry", 0777, TreeFile::Type::symlink, "", "bin/../bin/app"},
  };
  (void)sp::scan::scan_tree(tree, {"/entry"}, options, "image:");
  return 0;
}
