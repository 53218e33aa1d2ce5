// The image configuration (OCI config.json): what runs, as whom, where, with which environment,
// and the diff_ids that tie it to its layers. Plus the checks the CLI, manifests and the
// Dockerfile reader share for each field (the stop signal's, which manifests/ needs too, is
// util/image_values.h's parse_stop_signal).
#pragma once

#include "packager/digest.h"
#include "util/platform.h"
#include "util/result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sp::packager {

/// One line of `docker history`.
struct HistoryEntry {
  int64_t created = 0; ///< epoch seconds
  std::string created_by;
  std::string comment;
  bool empty_layer = false; ///< true for a step that added no layer (ENV, CMD…)

  bool operator==(const HistoryEntry&) const = default;
};

/// The fields of an OCI image config that a scratch image uses. Unset optionals and empty
/// containers are left out of the JSON.
struct ImageConfig {
  Platform platform;
  std::optional<std::vector<std::string>> entrypoint; ///< exec form only
  std::optional<std::vector<std::string>> cmd;        ///< exec form only
  std::vector<std::string> env;                       ///< "K=V", in order
  std::string user;                                   ///< "65532", "65532:65532", "nonroot"…
  std::string working_dir;
  std::set<std::string> exposed_ports; ///< "8080/tcp", "53/udp"
  std::set<std::string> volumes;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  int64_t created = 0; ///< epoch seconds (SOURCE_DATE_EPOCH or 0)
  std::string author;
  std::vector<HistoryEntry> history;
  std::vector<Digest> diff_ids; ///< one per layer, bottom first

  bool operator==(const ImageConfig&) const = default;
};

/// The PATH Docker gives every image built FROM scratch; default_config() sets it.
inline constexpr std::string_view k_default_path_env =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What the container starts: Entrypoint followed by Cmd (either may be absent).
std::vector<std::string> start_argv(const ImageConfig& config);

/// A config for `platform` created at `created` with Docker's default PATH in Env.
ImageConfig default_config(const Platform& platform, int64_t created);

/// The config's canonical JSON bytes (keys sorted, compact): the blob the config digest names.
std::string config_json(const ImageConfig& config);
/// Reads a config written by anyone (unknown fields ignored; missing required ones are errors).
Result<ImageConfig> parse_config_json(std::string_view text);

/// RFC 3339 UTC time of `epoch_seconds`: "1970-01-01T00:00:00Z".
std::string rfc3339(int64_t epoch_seconds);

/// The message for a shell-form CMD/ENTRYPOINT: scratch has no /bin/sh.
std::string shell_form_message(std::string_view instruction);

/// Parses an exec-form command, a JSON array of strings ('["/hello","--port","80"]'). Anything
/// else is taken for the shell form and rejected, because scratch has no /bin/sh to run it:
/// `shell form CMD needs /bin/sh, which a scratch image does not have; use the exec form, e.g.
/// ["/hello"]`. `instruction` is CMD or ENTRYPOINT and only shapes the message.
Result<std::vector<std::string>> parse_exec_form(std::string_view text,
                                                 std::string_view instruction = "CMD");

/// "K=V" with a non-empty key free of '=' and whitespace.
Status check_env(std::string_view entry);
/// "8080", "8080/tcp", "53/udp", "9000/sctp", or a range "8000-8002/tcp"; returns the
/// normalised entries ("8080/tcp"…), a range expanded.
Result<std::vector<std::string>> parse_ports(std::string_view text);
/// "name", "uid", "name:group", "uid:gid": no spaces, at most one ':', no empty part.
Status check_user(std::string_view user);
/// True when `user` is numeric ("65532" or "65532:65532"): it works without /etc/passwd.
bool is_numeric_user(std::string_view user);
/// An absolute working directory (relative ones are ambiguous in a config).
Status check_working_dir(std::string_view dir);

} // namespace sp::packager
