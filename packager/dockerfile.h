// The `FROM scratch` subset of the Dockerfile language: enough to build the Dockerfiles people
// write for static binaries (FROM scratch / ADD hello / / CMD ["/hello"]) without a daemon.
// Everything that needs a shell (RUN, the shell form of CMD/ENTRYPOINT, SHELL) or a base image
// (FROM anything else) is rejected with a message that says why and what to do instead.
#pragma once

#include "packager/config.h"
#include "packager/contents.h"
#include "packager/layer.h"
#include "util/fs.h"
#include "util/result.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sp::packager {

/// One ADD or COPY, variables expanded, destination made absolute against WORKDIR.
struct DockerfileCopy {
  int line = 0;
  std::string instruction;          ///< "ADD" or "COPY"
  std::vector<std::string> sources; ///< relative to the build context, as written
  std::string dest;                 ///< absolute; ends with '/' when written so
  std::optional<unsigned> chmod;    ///< --chmod=0755 (files)
  unsigned uid = 0;                 ///< --chown=UID:GID (numeric only: scratch has no passwd)
  unsigned gid = 0;
};

/// What a Dockerfile asks for. Config fields are only set when an instruction set them.
struct DockerfilePlan {
  std::vector<DockerfileCopy> copies;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env; ///< "K=V" in first-set order, last value wins
  std::map<std::string, std::string> labels;
  std::set<std::string> exposed_ports; ///< normalised, "8080/tcp"
  std::set<std::string> volumes;
  std::optional<std::string> user;
  std::optional<std::string> working_dir;
  std::optional<std::string> stop_signal;
  std::optional<std::string> author;     ///< MAINTAINER
  std::vector<std::string> workdirs;     ///< every WORKDIR, created as directories
  std::vector<std::string> instructions; ///< each instruction as written, for history
};

/// Parses `text`. `name` prefixes every message ("Dockerfile:3: …"); `build_args` override ARG
/// defaults. Every problem is reported: one error alone is `<name>:<line>` / message; several
/// are listed one per line in Error::details.
Result<DockerfilePlan> parse_dockerfile(std::string_view text, std::string_view name = "Dockerfile",
                                        const std::map<std::string, std::string>& build_args = {});

/// The layer contents of a plan's ADD/COPY instructions.
struct DockerfileFiles {
  LayerSpec layer;
  std::vector<AddedFile> added; ///< every regular file, for the scanner
};

/// Resolves every ADD/COPY source inside `context` (wildcards in the last component allowed).
/// Sources outside the context, remote URLs and archives ADD would unpack are rejected.
/// `name` prefixes messages as in parse_dockerfile.
Result<DockerfileFiles> resolve_dockerfile_files(const DockerfilePlan& plan,
                                                 const fs::path& context,
                                                 std::string_view name = "Dockerfile");

/// Sets the config fields the plan sets (ENV merges by key into config.env).
void apply_dockerfile_config(const DockerfilePlan& plan, ImageConfig& config);

} // namespace sp::packager
