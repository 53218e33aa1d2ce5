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
/// `default_name` names the image when --image is not given; `default_cmd` is the Cmd when
/// neither --cmd nor --entrypoint is given.
Result<pipeline::ImagePlan> plan_image(const ImageFlags& flags, const std::string& default_name,
                                       const std::vector<std::string>& default_cmd);

} // namespace sp::cli
