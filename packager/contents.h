// What a scratch image lacks and a program may need, added to a LayerSpec on request: a
// nonroot user, CA certificates, time zones, /tmp, and files from the host (--add SRC:DEST).
#pragma once

#include "packager/layer.h"
#include "util/fs.h"
#include "util/image_values.h"
#include "util/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::packager {

/// The nonroot user's uid and gid (distroless's choice, so policies written for it apply).
inline constexpr unsigned k_nonroot_id = 65532;
/// The config User for --nonroot: numeric, so it works even where /etc/passwd is not read.
inline constexpr std::string_view k_nonroot_user = "65532:65532";
inline constexpr std::string_view k_host_ca_bundle = "/etc/ssl/certs/ca-certificates.crt";
inline constexpr std::string_view k_host_zoneinfo = "/usr/share/zoneinfo";

/// /etc/passwd for a scratch image: root, nobody and nonroot (65532), shells /sbin/nologin.
std::string passwd_text();
/// /etc/group to match.
std::string group_text();

/// Adds /etc/passwd, /etc/group (0644) and /home/nonroot (0700, owned by 65532:65532). The
/// caller sets ImageConfig::user to k_nonroot_user.
void add_nonroot(LayerSpec& spec);

/// Adds the host's CA bundle at /etc/ssl/certs/ca-certificates.crt (0644). A missing bundle is
/// an error with a hint to install ca-certificates.
Status add_ca_certs(LayerSpec& spec, const fs::path& bundle = fs::path(k_host_ca_bundle));

/// Adds the host's zoneinfo tree at /usr/share/zoneinfo. Relative symlinks that stay inside are
/// kept; absolute or escaping ones (Debian's localtime -> /etc/localtime) are left out. A
/// missing tree is an error with a hint to install tzdata.
Status add_tzdata(LayerSpec& spec, const fs::path& zoneinfo = fs::path(k_host_zoneinfo));

/// Adds /tmp with mode 1777.
void add_tmp(LayerSpec& spec);

/// A parsed --add SRC:DEST[:MODE[:UID:GID]].
struct AddSpec {
  fs::path source;
  std::string dest;             ///< absolute, normalised; a trailing '/' kept ("into this dir")
  std::optional<unsigned> mode; ///< files' permission bits
  FileOwner owner;              ///< of every file, directory and link added; default 0:0
  bool operator==(const AddSpec&) const = default;
};

/// Parses SRC:DEST[:MODE[:UID:GID]]. DEST must be absolute without '..' (it cannot leave the
/// image root); MODE is octal with a leading 0 (0644, 0755, 04755; empty when only an owner is
/// given: SRC:DEST::UID:GID), UID:GID numeric — the rules of a manifest's files[].mode and
/// files[].owner (util/image_values.h). Usage errors name the spec.
Result<AddSpec> parse_add_spec(std::string_view text);

/// A regular file placed in the image, for the scanner (every binary added is scanned).
struct AddedFile {
  fs::path source;
  std::string dest;
  bool operator==(const AddedFile&) const = default;
};

/// Adds a host file or directory tree. A file goes to DEST, or into DEST when DEST ends with
/// '/'; a directory's contents go under DEST (like COPY). `mode` applies to files; directories
/// get 0755. Symlinks inside a tree are kept when relative and staying inside the tree, and
/// rejected otherwise (an absolute or escaping link would point into the host's layout, not
/// the image's). Sockets, devices and fifos are rejected. Returns the regular files added.
Result<std::vector<AddedFile>> add_host_path(LayerSpec& spec, const fs::path& source,
                                             const std::string& dest,
                                             std::optional<unsigned> mode = {}, unsigned uid = 0,
                                             unsigned gid = 0);

/// The same for a parsed --add spec.
Result<std::vector<AddedFile>> add_spec(LayerSpec& spec, const AddSpec& add);

/// True when `target`, a symlink at `link` (both relative to a tree's root), stays inside it.
bool symlink_stays_inside(std::string_view link, std::string_view target);

} // namespace sp::packager
