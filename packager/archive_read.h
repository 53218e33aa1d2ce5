// libarchive reading helpers shared by the layout reader (layout.cpp: the outer archive) and the
// layer reader (image_reader.cpp: the tar inside each layer blob), so both name entries, follow
// links and report errors the same way. Internal to packager/.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <memory>
#include <string>
#include <string_view>

namespace sp::packager::archive_read {

struct ReadArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
/// A libarchive reader, freed with its owner.
using ReadArchive = std::unique_ptr<struct archive, ReadArchiveDeleter>;

/// A member name without leading "./" and "/" (GNU tar writes "./index.json").
inline std::string clean_name(std::string_view name) {
  while (name.starts_with("./")) {
    name.remove_prefix(2);
  }
  while (name.starts_with("/")) {
    name.remove_prefix(1);
  }
  return std::string(name);
}

/// The entry's name as UTF-8 when libarchive can give it, else its raw bytes.
inline std::string entry_name(archive_entry* e) {
  const char* utf8 = archive_entry_pathname_utf8(e);
  const char* raw = utf8 ? utf8 : archive_entry_pathname(e);
  return raw ? raw : "";
}

/// A symlink's or hard link's target, the same way.
inline std::string link_target(archive_entry* e, bool hard) {
  const char* utf8 = hard ? archive_entry_hardlink_utf8(e) : archive_entry_symlink_utf8(e);
  const char* raw = utf8 ? utf8 : hard ? archive_entry_hardlink(e) : archive_entry_symlink(e);
  return raw ? raw : "";
}

/// archive_read_next_header, with a warning (a name libarchive could not convert) taken as OK.
inline int next_header(struct archive* a, archive_entry** e) {
  int rc = archive_read_next_header(a, e);
  return rc == ARCHIVE_WARN ? ARCHIVE_OK : rc;
}

/// libarchive's reason for the last failure.
inline std::string archive_why(struct archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unreadable";
}

} // namespace sp::packager::archive_read
