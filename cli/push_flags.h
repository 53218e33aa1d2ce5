// The registry flags every publishing command shares (push, build --push, package --push,
// release): parsing them into PushOptions, and the push result as JSON.
#pragma once

#include "cli/cli.h"
#include "cli/key_flags.h"
#include "publish/registry.h"
#include "util/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace sp::cli {

struct PushFlags {
  std::string ref;      ///< where to push: --push REF, or `push`'s second argument
  std::string creds;    ///< USER:PASS (never printed; other users see it in ps)
  std::string username; ///< --username, with --password-stdin
  bool password_stdin = false;
  std::vector<std::string> insecure_registries;
  std::vector<std::string> mount_from;
  std::vector<std::string> tags; ///< extra tags (`push` only: an image flag of build and package)
  std::string chunk_size;        ///< "8M", "512K", "0" (empty: the default)
  std::string timeout;           ///< "90s", "5m", "0" (empty: $SCRATCHPACK_PUSH_TIMEOUT or 5m)
  int retries = 0;               ///< attempts per request; 0: the default
  bool quiet = false;            ///< no progress lines
  KeyFlags sign;                 ///< --sign-key (`sign`: --key) and its passphrase
};

/// The command the registry flags are added to: where the reference and the tags come from.
enum class PushFlagsFor {
  push,    ///< `push SOURCE REF`: REF is an argument, --tag adds tags
  image,   ///< `build`, `package`: `--push REF` (which also names the image); --tag is an image
           ///< flag there (cli/image_flags.h), since it names the archive and --load too
  release, ///< `--push` is the command's own switch: the manifest names and tags every image
  sign,    ///< `sign REF --key FILE`: only the connection flags (no --tag, --mount-from,
           ///< --chunk-size); the key and its passphrase flags are the command's own
};

/// Adds --creds, --username, --password-stdin, --insecure-registry, --mount-from, --chunk-size,
/// --timeout, --retries, -q, --sign-key, --passphrase-stdin and --passphrase-env to `cmd`; for
/// `push` also --tag, for build and package also `--push REF`; for `sign` only the connection
/// flags (credentials, --insecure-registry, --timeout, --retries, -q).
void add_push_flags(CLI::App* cmd, PushFlags& flags, PushFlagsFor command);

/// PushOptions from the flags and the environment: the credentials (--creds; --username with
/// the password read from `in` for --password-stdin; else $SCRATCHPACK_REGISTRY_USER and
/// $SCRATCHPACK_REGISTRY_PASSWORD, which is then removed from this process's environment so
/// that no child inherits it; then the credential files of default_credential_sources()),
/// --timeout or $SCRATCHPACK_PUSH_TIMEOUT, and $SCRATCHPACK_RETRY_BASE_MS (the first retry's
/// wait, for tests); the signing key of --sign-key, decrypted with its passphrase (stdin serves
/// one of --password-stdin and --passphrase-stdin). `in` is the command's stdin (null: none).
/// Every problem is reported.
Result<publish::PushOptions> to_push_options(const PushFlags& flags, std::istream* in);

/// Parses a duration: "90" or "90s", "500ms", "5m", "1h"; "0" means no deadline.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

/// {"reference","digest","pushed","media_type","blobs_uploaded","blobs_skipped","blobs_mounted",
/// "bytes_uploaded","manifests_put","retries"[,"signature"]}; `signature` (only when signed) is
/// signature_object().
nlohmann::ordered_json push_result_object(const publish::PushResult& result);

/// {"reference","signed_digest","digest","signatures","unchanged"}.
nlohmann::ordered_json signature_object(const publish::PushedSignature& signature);

/// The pushed reference (REGISTRY/REPO@DIGEST) and, when it was signed, the signature's tag
/// (REGISTRY/REPO:sha256-<hex>.sig), a line each.
void print_pushed(std::ostream& out, const publish::PushResult& result);

} // namespace sp::cli
