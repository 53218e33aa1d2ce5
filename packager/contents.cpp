#include "packager/contents.h"

#include "util/diagnostics.h"
#include "util/image_values.h"
#include "util/strings.h"

#include <algorithm>
#include <cctype>
#include <sys/stat.h>

namespace sp::packager {

namespace {

// How a tree walk treats a symlink that is absolute or leaves the tree.
enum class LinkPolicy { reject, skip };

struct TreeWalk {
  LayerSpec& spec;
  std::optional<unsigned> mode;
  unsigned uid = 0;
  unsigned gid = 0;
  LinkPolicy policy = LinkPolicy::reject;
  std::vector<AddedFile> added;
  std::vector<std::string> problems;
};

std::string join_image_path(const std::string& dir, const std::string& rel) {
  return dir == "/" ? "/" + rel : dir + "/" + rel;
}

void walk_entry(TreeWalk& w, const fs::directory_entry& entry, const fs::path& root,
                const std::string& dest) {
  std::string rel = entry.path().lexically_relative(root).generic_string();
  std::string image_path = join_image_path(dest, rel);
  struct stat st{};
  if (::lstat(entry.path().c_str(), &st) != 0) {
    w.problems.push_back(entry.path().string() + ": cannot be read");
    return;
  }
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    std::string target = fs::read_symlink(entry.path(), ec).string();
    if (!ec && symlink_stays_inside(rel, target)) {
      w.spec.add_symlink(image_path, target, w.uid, w.gid);
    } else if (w.policy == LinkPolicy::reject) {
      w.problems.push_back(entry.path().string() + " -> " + target + ": a symlink that is " +
                           "absolute or leaves " + root.string() +
                           " would point outside the "
                           "added files in the image; replace it with the file or a relative link");
    }
  } else if (S_ISDIR(st.st_mode)) {
    w.spec.add_directory(image_path, 0755, w.uid, w.gid);
  } else if (S_ISREG(st.st_mode)) {
    w.spec.add_file(image_path, entry.path(), w.mode, w.uid, w.gid);
    w.added.push_back(AddedFile{entry.path(), image_path});
  } else {
    w.problems.push_back(entry.path().string() + ": not a regular file, directory or symlink");
  }
}

void walk_tree(TreeWalk& w, const fs::path& root, const std::string& dest) {
  w.spec.add_directory(dest, 0755, w.uid, w.gid);
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(*it);
  }
  if (ec) {
    w.problems.push_back(root.string() + ": " + ec.message());
  }
  // Sorted so that the problems come out in a stable order; the layer sorts entries itself.
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const fs::directory_entry& e : entries) {
    walk_entry(w, e, root, dest);
  }
}

} // namespace

std::string passwd_text() {
  return "root:x:0:0:root:/root:/sbin/nologin\n"
         "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
         "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
}

std::string group_text() {
  return "root:x:0:\n"
         "nobody:x:65534:\n"
         "nonroot:x:65532:\n";
}

void add_nonroot(LayerSpec& spec) {
  spec.add_bytes("/etc/passwd", passwd_text(), 0644);
  spec.add_bytes("/etc/group", group_text(), 0644);
  spec.add_directory("/home/nonroot", 0700, k_nonroot_id, k_nonroot_id);
}

Status add_ca_certs(LayerSpec& spec, const fs::path& bundle) {
  std::error_code ec;
  if (!fs::is_regular_file(bundle, ec)) {
    return io_error(bundle.string(), "no CA certificate bundle on this machine",
                    "install it with: apt-get install ca-certificates");
  }
  spec.add_file(std::string(k_host_ca_bundle), bundle, 0644u);
  return {};
}

Status add_tzdata(LayerSpec& spec, const fs::path& zoneinfo) {
  std::error_code ec;
  if (!fs::is_directory(zoneinfo, ec)) {
    return io_error(zoneinfo.string(), "no time zone database on this machine",
                    "install it with: apt-get install tzdata");
  }
  TreeWalk w{spec, 0644u, 0, 0, LinkPolicy::skip, {}, {}};
  walk_tree(w, zoneinfo, std::string(k_host_zoneinfo));
  return problems_status(zoneinfo.string(), w.problems);
}

void add_tmp(LayerSpec& spec) {
  spec.add_directory("/tmp", 01777);
}

bool symlink_stays_inside(std::string_view link, std::string_view target) {
  if (target.empty() || target[0] == '/') {
    return false;
  }
  std::vector<std::string> stack = split(link, '/');
  stack.pop_back(); // the link's own name: targets resolve from its directory
  for (const std::string& part : split(target, '/')) {
    if (part == "..") {
      if (stack.empty()) {
        return false;
      }
      stack.pop_back();
    } else if (!part.empty() && part != ".") {
      stack.push_back(part);
    }
  }
  return true;
}

Result<AddSpec> parse_add_spec(std::string_view text) {
  auto bad = [&](std::string why) {
    return usage_error(
        "--add " + std::string(text), std::move(why),
        "write it as SRC:DEST[:MODE[:UID:GID]], e.g. conf/app.yaml:/etc/app.yaml:0644");
  };
  std::vector<std::string> parts = split(text, ':');
  if (parts.size() < 2) {
    return bad("expected SRC:DEST[:MODE[:UID:GID]]");
  }
  // DEST is the last field that is an absolute path (SRC may hold ':'); MODE and the owner
  // follow it. Without one, the second field is the DEST that is refused.
  size_t d = 1;
  for (size_t i = parts.size() - 1; i >= 1; --i) {
    if (parts[i].starts_with("/")) {
      d = i;
      break;
    }
  }
  AddSpec spec;
  spec.source = join(std::vector<std::string>(parts.begin(), parts.begin() + d), ":");
  if (spec.source.empty()) {
    return bad("SRC is empty");
  }
  const std::string& dest = parts[d];
  if (dest.empty() || dest[0] != '/') {
    return bad("DEST '" + dest + "' must be an absolute path in the image");
  }
  Result<std::string> normal = normalize_image_path(dest);
  if (!normal) {
    return bad("DEST '" + dest + "' must not contain '..': it would leave the image root");
  }
  spec.dest = *normal;
  if (dest.back() == '/' && spec.dest != "/") {
    spec.dest += "/";
  }
  size_t trailing = parts.size() - 1 - d;
  if (trailing != 0 && trailing != 1 && trailing != 3) {
    return bad("expected SRC:DEST[:MODE[:UID:GID]]; " + std::to_string(trailing) +
               " fields follow DEST");
  }
  if (trailing >= 1 && !(trailing == 3 && parts[d + 1].empty())) {
    // The manifest's rule (util/image_values.h): octal with a leading 0; "644" is ambiguous.
    Result<unsigned> mode = parse_file_mode(parts[d + 1]);
    if (!mode) {
      return bad(mode.error().why);
    }
    spec.mode = *mode;
  }
  if (trailing == 3) {
    Result<FileOwner> owner = parse_file_owner(parts[d + 2] + ":" + parts[d + 3]);
    if (!owner) {
      return bad(owner.error().why);
    }
    spec.owner = *owner;
  }
  return spec;
}

Result<std::vector<AddedFile>> add_host_path(LayerSpec& spec, const fs::path& source,
                                             const std::string& dest, std::optional<unsigned> mode,
                                             unsigned uid, unsigned gid) {
  Result<std::string> normal = normalize_image_path(dest);
  if (!normal) {
    return normal.take_error();
  }
  std::error_code ec;
  fs::file_status st = fs::status(source, ec); // follows a symlink the user named on purpose
  if (ec || !fs::exists(st)) {
    return io_error(source.string(), "no such file or directory");
  }
  TreeWalk w{spec, mode, uid, gid, LinkPolicy::reject, {}, {}};
  if (fs::is_directory(st)) {
    walk_tree(w, source, *normal);
  } else if (fs::is_regular_file(st)) {
    bool into_dir = dest.back() == '/' || *normal == "/";
    std::string target = into_dir ? join_image_path(*normal, source.filename().string()) : *normal;
    spec.add_file(target, source, mode, uid, gid);
    w.added.push_back(AddedFile{source, target});
  } else {
    return io_error(source.string(), "not a regular file or directory");
  }
  // What was asked for cannot be added as it is: an input problem (exit 2), like a missing file.
  SP_TRY(problems_status(source.string(), w.problems, ErrorKind::usage_or_io));
  return w.added;
}

Result<std::vector<AddedFile>> add_spec(LayerSpec& spec, const AddSpec& add) {
  return add_host_path(spec, add.source, add.dest, add.mode, add.owner.uid, add.owner.gid);
}

} // namespace sp::packager
