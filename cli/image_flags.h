// The image flags `build` and `package` share (--image, --format, --cmd, --env, --nonroot…),
// checked into the image recipe's plan.
#pragma once

#include "cli/cli.h"
#include "pipeline/image.h"
#include "publish/registry.h"
#include "util/result.h"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sp::cli {

/// The image flags as typed on the command line.
struct ImageFlags {
  std::string image;              ///< --image NAME[:TAG]
  std::vector<std::string> tags;  ///< --tag TAG: more tags of the image's repository
  std::string format = "archive"; ///< archive | oci-dir | none
  std::string cmd;                ///< --cmd JSON (exec form)
  std::string entrypoint;         ///< --entrypoint JSON (exec form)
  std::vector<std::string> env, labels, annotations, expose, adds;
  std::string user, workdir, stop_signal;
  bool nonroot = false, ca_certs = false, tzdata = false, tmp = false, init = false;
  bool load = false;
  std::string compression = "gzip";
  int level = 0;
  bool strict = false;  ///< scan gate: warnings are errors
  bool no_scan = false; ///< skip the scan gate (payloads that carry dynamic objects)
};

/// Adds the image flags to a command.
void add_image_flags(CLI::App* cmd, ImageFlags& flags);

/// Checks every flag and reports every bad one (usage errors, exit 2) before any work.
/// The image is named by --image or `push_ref` (--push REF; both given must be the same name),
/// else `default_name`; --tag adds tags; that name and those tags are what the archive, --load
/// and the push all use. `default_cmd` is the Cmd when neither --cmd nor --entrypoint is given.
Result<pipeline::ImagePlan> plan_image(const ImageFlags& flags, const std::string& push_ref,
                                       const std::string& default_name,
                                       const std::vector<std::string>& default_cmd);

/// The program the flags name — --entrypoint's first word, else --cmd's when the final config
/// has no entrypoint — must be an absolute path, as a manifest's must: a scratch image has no
/// shell and usually nothing on PATH. A usage error (exit 2) otherwise. Called once the config
/// is final (a Dockerfile's ENTRYPOINT makes --cmd its arguments).
Status check_flag_program(const ImageFlags& flags, const packager::ImageConfig& config);

} // namespace sp::cli
