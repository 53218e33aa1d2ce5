// The PID-1 init embedded in scratchpack, one static binary per architecture (init.c).
#pragma once

#include <string_view>

namespace sp::runtime_stub {

/// Where images carry the init.
inline constexpr std::string_view k_path = "/.scratchpack/init";

/// The init binary for an OCI architecture ("amd64", "arm64", "arm"); empty when there is none.
std::string_view binary(std::string_view oci_architecture);

} // namespace sp::runtime_stub
