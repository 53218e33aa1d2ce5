// The `package` recipe's inputs: prebuilt binaries (each at /NAME, the platform read from the
// first ELF header) or a FROM-scratch Dockerfile (its ADD/COPY resolved inside the context, its
// config instructions applied). The image itself is the image recipe's (pipeline/image.h).
#pragma once

#include "packager/dockerfile.h"
#include "pipeline/image.h"
#include "util/fs.h"
#include "util/platform.h"
#include "util/result.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sp::pipeline {

/// The platform a prebuilt ELF was built for (through the target table), or nullopt when the
/// file is not an ELF of an architecture scratchpack knows.
std::optional<Platform> platform_of(const fs::path& file);

/// `given` when set, else the platform of the first ELF among `files`, else the host's.
Platform choose_platform(const std::optional<Platform>& given, const std::vector<fs::path>& files);

/// Prebuilt binaries, each at /<its file name>. Every missing file is reported.
Result<PlatformInput> binaries_input(const std::vector<fs::path>& binaries,
                                     const std::optional<Platform>& platform);

/// A Dockerfile read, parsed and its files resolved.
struct DockerfileInput {
  packager::DockerfilePlan plan;
  PlatformInput input;
  std::string default_name; ///< the first file it adds: names the image when no name is given
};

/// Reads `dockerfile` (ARG values from `build_args`) and resolves its ADD/COPY sources inside
/// `context`.
Result<DockerfileInput> read_dockerfile(const fs::path& dockerfile, const fs::path& context,
                                        const std::map<std::string, std::string>& build_args,
                                        const std::optional<Platform>& platform);

/// The Dockerfile decides the config; a Cmd or Entrypoint the flags gave (`keep_cmd`,
/// `keep_entrypoint`) stays.
void apply_dockerfile(const packager::DockerfilePlan& dockerfile, bool keep_cmd,
                      bool keep_entrypoint, ImagePlan& plan);

} // namespace sp::pipeline
