// libFuzzer target for the manifest parser (yaml-cpp and scratchpack's grammar): any text gives a
// Manifest or located problems, never a crash, a hang or a leak. Paths resolve against an empty
// directory, so globs and file checks run but find nothing; the target hooks are the release's.
#include "manifests/manifest.h"
#include "util/fs.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sp::TempDir base("fuzz-manifest");
  static const sp::manifests::ParseHooks hooks = [] {
    sp::manifests::ParseHooks h;
    h.check_target = [](std::string_view t) -> std::optional<std::string> {
      return t.size() < 32 ? std::nullopt : std::optional<std::string>("too long");
    };
    return h;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)sp::manifests::parse_manifest(text, "scratchpack.yaml", base.path(), hooks);
  return 0;
}
