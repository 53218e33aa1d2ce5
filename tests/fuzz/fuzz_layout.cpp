// libFuzzer target for the reader of images written by others (packager/layout.h and
// image_reader.h, and push's use of them in publish/push_source.h). The input is an image
// archive: a tar, compressed or not, holding an OCI layout or a docker-archive.
//
// It is read twice:
// - as it is, from a file: the archive reader (libarchive, member names, links, spool, limits),
//   then read_images, extract_filesystem (each layer's tar) and open_push_source;
// - unpacked into a directory (regular files, directories, symlinks and fifos only, written
//   without ever following a symlink the input made), after repairing the blob names: a member
//   blobs/sha256/<hex> whose bytes do not hash to <hex> is renamed to their hash, and <hex> is
//   replaced by it in every other member. A mutated manifest or layer then still passes the
//   digest check and the fuzzer reaches the parsers behind it, through the directory reader
//   (openat walk, symlinks resolved by the reader).
//
// The limits are small so that a decompression bomb or a huge claimed size ends in
// milliseconds.
#include "packager/image_reader.h"
#include "packager/layout.h"
#include "publish/push_source.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/spool.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace {

namespace pk = sp::packager;
namespace fs = std::filesystem;

constexpr std::string_view k_blob_prefix = "blobs/sha256/";
// What unpacking for the directory reading keeps at most, whatever the input expands to.
constexpr size_t k_max_unpacked = 1u << 20;
constexpr size_t k_max_members = 200;

pk::ReadLimits small_limits() {
  pk::ReadLimits l;
  l.max_document = 64u << 10;
  l.max_index_depth = 3;
  l.max_entry_size = 1u << 20;
  l.max_total_size = 4u << 20;
  l.max_entries = 1000;
  l.max_hardlinks = 100;
  return l;
}

// Everything a reader of a layout does, each step on its own so that one failing does not hide
// the others.
void read_layout(const fs::path& path) {
  const pk::ReadLimits limits = small_limits();
  if (sp::Result<pk::Layout> layout = pk::Layout::open(path, {std::nullopt, limits})) {
    for (std::string_view name : {"index.json", "manifest.json", "oci-layout", "repositories",
                                  "blobs/sha256/../index.json", "/index.json"}) {
      (void)layout->has(name);
      if (sp::Result<std::string> text = layout->read_document(name)) {
        (void)pk::layout_root(*text, layout->where(name));
      }
    }
  }
  sp::Result<std::vector<pk::ImageInfo>> images = pk::read_images(path, limits);
  pk::ExtractOptions options;
  options.limits = limits;
  options.all_heads = false;
  if (images && images->size() > 1) {
    options.platform = images->back().manifest.platform; // may be unset: then an error
  }
  if (sp::Result<std::vector<pk::FsEntry>> files = pk::extract_filesystem(path, options)) {
    // A spooled file's bytes must be where its entry says.
    for (const pk::FsEntry& f : *files) {
      if (f.spool) {
        (void)f.spool->read_string(f.spool_offset, static_cast<size_t>(f.size));
      }
    }
  }
  (void)sp::publish::open_push_source(path, limits);
}

struct Member {
  unsigned type = AE_IFREG;
  std::string data;   ///< regular files
  std::string target; ///< symlinks
};

// A name that can be written below the directory as it is: relative, no "." or ".." component,
// no empty component once leading "./" and a trailing '/' are gone.
std::optional<std::string> plain_name(std::string name) {
  while (name.starts_with("./")) {
    name.erase(0, 2);
  }
  while (name.ends_with('/')) {
    name.pop_back();
  }
  if (name.empty() || name.size() > 200 || name.starts_with('/') ||
      name.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    std::string_view c = std::string_view(name).substr(start, end - start);
    if (c.empty() || c == "." || c == "..") {
      return std::nullopt;
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return name;
}

// The members of the input read as an archive, within k_max_unpacked and k_max_members; a hard
// link becomes a copy of its target.
std::map<std::string, Member> unpack(const uint8_t* data, size_t size) {
  std::map<std::string, Member> out;
  struct archive* a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_bzip2(a);
  archive_read_support_filter_xz(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  size_t kept = 0;
  archive_entry* e = nullptr;
  if (archive_read_open_memory(a, data, size) == ARCHIVE_OK) {
    // Stops before a member whose data would take long to skip, and once the archive has given
    // more than a few times what is kept: the readers under test are what must cope with bombs.
    while (out.size() < k_max_members && archive_read_next_header(a, &e) >= ARCHIVE_WARN &&
           archive_entry_size(e) <= static_cast<la_int64_t>(k_max_unpacked) &&
           archive_filter_bytes(a, 0) <= static_cast<la_int64_t>(4 * k_max_unpacked)) {
      const char* raw = archive_entry_pathname(e);
      std::optional<std::string> name = plain_name(raw ? raw : "");
      if (!name) {
        continue;
      }
      Member m;
      m.type = archive_entry_filetype(e);
      if (const char* hard = archive_entry_hardlink(e)) {
        std::optional<std::string> target = plain_name(hard);
        auto it = target ? out.find(*target) : out.end();
        if (it != out.end() && it->second.type == AE_IFREG) {
          out[*name] = it->second;
        }
        continue;
      }
      if (m.type == AE_IFLNK) {
        const char* target = archive_entry_symlink(e);
        m.target = target ? target : "";
      } else if (m.type == AE_IFREG) {
        char buf[4096];
        la_ssize_t n = 0;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0 && kept < k_max_unpacked) {
          m.data.append(buf, static_cast<size_t>(n));
          kept += static_cast<size_t>(n);
        }
      } else if (m.type != AE_IFDIR && m.type != AE_IFIFO) {
        continue;
      }
      out[*name] = std::move(m);
    }
  }
  archive_read_free(a);
  return out;
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Renames each blob to the hash of its bytes and rewrites the old name wherever it is quoted,
// repeated so that a manifest rewritten for its config gets its own new name in the index.
void repair_blob_names(std::map<std::string, Member>& members) {
  for (int pass = 0; pass < 4; ++pass) {
    std::vector<std::pair<std::string, std::string>> renames; // old hex, new hex
    for (const auto& [name, m] : members) {
      std::string_view hex =
          std::string_view(name).substr(std::min(name.size(), k_blob_prefix.size()));
      if (m.type != AE_IFREG || !name.starts_with(k_blob_prefix) || !is_hex64(hex)) {
        continue;
      }
      sp::Sha256 h;
      h.update(m.data);
      if (std::string real = h.hex_digest(); real != hex) {
        renames.emplace_back(std::string(hex), real);
      }
    }
    if (renames.empty()) {
      return;
    }
    for (const auto& [old_hex, new_hex] : renames) {
      auto node = members.extract(std::string(k_blob_prefix) + old_hex);
      if (node.empty()) {
        continue;
      }
      node.key() = std::string(k_blob_prefix) + new_hex;
      members.insert(std::move(node));
      for (auto& [name, m] : members) {
        for (size_t at = m.data.find(old_hex); at != std::string::npos;
             at = m.data.find(old_hex, at + new_hex.size())) {
          m.data.replace(at, old_hex.size(), new_hex);
        }
      }
    }
  }
}

// True when every directory above `name` below `root` is a real directory, not a symlink the
// input made: writing there cannot leave `root`.
bool parents_are_directories(const fs::path& root, const std::string& name) {
  fs::path at = root;
  fs::path rel(name);
  for (auto it = rel.begin(); std::next(it) != rel.end(); ++it) {
    at /= *it;
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(at, ec))) {
      return false;
    }
  }
  return true;
}

// Writes the members below `root`: directories, files and fifos first, symlinks last, and
// nothing below a path that is not a real directory.
void write_tree(const fs::path& root, const std::map<std::string, Member>& members) {
  std::error_code ec;
  for (bool links : {false, true}) {
    for (const auto& [name, m] : members) {
      if ((m.type == AE_IFLNK) != links) {
        continue;
      }
      fs::path p = root / name;
      fs::create_directories(p.parent_path(), ec);
      if (!parents_are_directories(root, name)) {
        continue;
      }
      if (m.type == AE_IFDIR) {
        fs::create_directory(p, ec);
      } else if (m.type == AE_IFIFO) {
        ::mkfifo(p.c_str(), 0600);
      } else if (m.type == AE_IFLNK) {
        fs::create_symlink(m.target, p, ec);
      } else if (!fs::exists(fs::symlink_status(p, ec))) {
        std::ofstream(p, std::ios::binary)
            .write(m.data.data(), static_cast<std::streamsize>(m.data.size()));
      }
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sp::TempDir work("fuzz-layout");
  const fs::path archive = work.path() / "image.tar";
  const fs::path dir = work.path() / "layout";

  std::ofstream(archive, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  read_layout(archive);

  std::map<std::string, Member> members = unpack(data, size);
  if (!members.empty()) {
    repair_blob_names(members);
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directory(dir, ec);
    write_tree(dir, members);
    read_layout(dir);
    fs::remove_all(dir, ec);
  }
  return 0;
}
