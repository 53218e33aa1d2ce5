// Loading an image archive into the local container engine (`--load`): the archive written by
// packager/writers.h is at once an OCI layout and a docker-archive, so `podman load` and
// `docker load` both take it as it is.
#pragma once

#include "util/fs.h"
#include "util/result.h"

#include <string>

namespace sp::publish {

/// Loads `archive` into the first container engine found on $PATH, podman then docker, and
/// returns the one used ("podman" or "docker"). Fails when neither is installed or the engine's
/// load fails (its output is in the error's details).
Result<std::string> load_archive(const fs::path& archive);

} // namespace sp::publish
