// libFuzzer target for the FROM-scratch Dockerfile reader: any text parses into a plan or into
// problems, never a crash, a hang or a leak; a plan's config always applies.
#include "packager/dockerfile.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto plan = sp::packager::parse_dockerfile(text, "Dockerfile", {{"VERSION", "2"}});
  if (plan) {
    sp::packager::ImageConfig config;
    sp::packager::apply_dockerfile_config(*plan, config);
  }
  return 0;
}
