#include "toolchain/materials.h"

#include "toolchain/overlay.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace sp::toolchain {

namespace {

constexpr std::string_view k_placeholder =
    "\"sbom\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"";

/// "/a/b/../c" -> "/a/c", without touching the file system.
std::string lexical(const fs::path& p) {
  return p.lexically_normal().generic_string();
}

/// `path` relative to `root` ("/usr/lib/…", rooted) when it is inside, else empty.
std::string inside(const fs::path& path, const fs::path& root) {
  if (root.empty() || !lexically_within(path, root)) {
    return "";
  }
  return "/" + fs::path(path)
                   .lexically_normal()
                   .lexically_relative(root.lexically_normal())
                   .generic_string();
}

/// How an SBOM names a file of the user's: relative to the working directory when inside it,
/// else by its file name (no absolute build path leaves the machine).
std::string user_path(const fs::path& path) {
  fs::path abs = normal_absolute(path);
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!ec && lexically_within(abs, cwd)) {
    return abs.lexically_relative(cwd).generic_string();
  }
  return path.filename().string();
}

bom::FileDigest digest_of(std::string shown, std::string_view data) {
  return {std::move(shown), sha256_hex(data), sha1_hex(data)};
}

/// Where one input came from.
struct Owner {
  bom::Origin origin = bom::Origin::file;
  std::string name, version, arch;
  std::vector<std::string> properties;
  std::string shown;      ///< the path as the package has it ("/usr/lib/…/libc.a")
  bool user_file = false; ///< no package owns it: shown relative to the working directory
};

/// What is known of one input file.
struct Facts {
  Owner owner;
  bom::FileDigest whole;                          ///< a file taken whole (start files)
  std::map<std::string, bom::FileDigest> members; ///< an archive: each member (the first of a name)
};

/// The digests of every member of an ar archive (libarchive's reader: GNU and BSD long names);
/// the first member of each name.
Result<std::map<std::string, bom::FileDigest>> all_members(const fs::path& archive) {
  std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                                  archive_read_free);
  archive_read_support_format_ar(a.get());
  if (archive_read_open_filename(a.get(), archive.c_str(), 1 << 16) != ARCHIVE_OK) {
    return failure("cannot read " + archive.string(), archive_error_string(a.get()));
  }
  std::map<std::string, bom::FileDigest> out;
  struct archive_entry* entry = nullptr;
  std::string data;
  while (archive_read_next_header(a.get(), &entry) == ARCHIVE_OK) {
    const char* name = archive_entry_pathname(entry);
    if (!name || out.count(name)) {
      archive_read_data_skip(a.get());
      continue;
    }
    int64_t size = archive_entry_size(entry);
    if (size < 0 || size > (int64_t{1} << 30)) {
      return failure("cannot read " + archive.string(), std::string(name) + " is too large");
    }
    data.resize(static_cast<size_t>(size));
    la_ssize_t got = size ? archive_read_data(a.get(), data.data(), data.size()) : 0;
    if (got != size) {
      return failure("cannot read " + archive.string(), std::string("short member ") + name);
    }
    out.emplace(name, digest_of("", data));
  }
  return out;
}

/// Facts as the build cache keeps them: tab-separated lines, "owner", then "file" or "m" (one
/// per member).
std::string format_facts(const Facts& f) {
  const Owner& o = f.owner;
  std::string text = "owner\t" + std::to_string(static_cast<int>(o.origin)) + "\t" + o.name + "\t" +
                     o.version + "\t" + o.arch + "\t" + (o.user_file ? "1" : "0") + "\t" + o.shown +
                     "\t" + join(o.properties, ";") + "\n";
  if (!f.whole.sha256.empty()) {
    text += "file\t" + f.whole.sha256 + "\t" + f.whole.sha1 + "\n";
  }
  for (const auto& [name, d] : f.members) {
    if (name.find_first_of("\t\n") == std::string::npos) {
      text += "m\t" + name + "\t" + d.sha256 + "\t" + d.sha1 + "\n";
    }
  }
  return text;
}

/// Reads format_facts's text; false when it is not that.
bool parse_facts(std::string_view text, Facts& f) {
  bool owner = false;
  for (const std::string& line : split(text, '\n')) {
    std::vector<std::string> x = split(line, '\t');
    if (x.size() == 8 && x[0] == "owner") {
      std::optional<bom::Origin> origin = bom::origin_from_text(x[1]);
      if (!origin) {
        return false;
      }
      f.owner.origin = *origin;
      f.owner.name = x[2];
      f.owner.version = x[3];
      f.owner.arch = x[4];
      f.owner.user_file = x[5] == "1";
      f.owner.shown = x[6];
      f.owner.properties = x[7].empty() ? std::vector<std::string>{} : split(x[7], ';');
      owner = true;
    } else if (x.size() == 3 && x[0] == "file") {
      f.whole = {"", x[1], x[2]};
    } else if (x.size() == 4 && x[0] == "m") {
      f.members[x[1]] = {"", x[2], x[3]};
    } else if (!line.empty()) {
      return false;
    }
  }
  return owner;
}

/// "musl-dev_1.2.3-1_arm64.deb" -> {musl-dev, 1.2.3-1, arm64}; the version's ':' is "%3a" in
/// file names.
std::optional<Owner> parse_deb_name(std::string_view file) {
  if (!file.ends_with(".deb")) {
    return std::nullopt;
  }
  std::vector<std::string> f = split(file.substr(0, file.size() - 4), '_');
  if (f.size() != 3) {
    return std::nullopt;
  }
  Owner o;
  o.origin = bom::Origin::debian;
  o.name = f[0];
  o.version = f[1];
  for (size_t at; (at = o.version.find("%3a")) != std::string::npos;) {
    o.version.replace(at, 3, ":");
  }
  o.arch = f[2];
  return o;
}

/// Maps inputs to their owners, reading each record once.
class Owners {
public:
  Owners(const MaterialsInput& in, DpkgOwners& dpkg) : m_in(in), m_dpkg(dpkg) {}

  /// Every input's owner, in order; host files go to dpkg in one batch.
  std::vector<Owner> resolve(const std::vector<fs::path>& inputs) {
    std::vector<Owner> out(inputs.size());
    std::vector<std::string> host;
    std::vector<size_t> host_at;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!scratchpack_owned(inputs[i], out[i])) {
        host.push_back(lexical(inputs[i]));
        host_at.push_back(i);
      }
    }
    std::vector<DpkgOwners::Package> packages = m_dpkg.owners(host);
    for (size_t k = 0; k < host.size(); ++k) {
      Owner& o = out[host_at[k]];
      o.shown = host[k];
      if (!packages[k].name.empty()) {
        o.origin = bom::Origin::debian;
        o.name = packages[k].name;
        o.version = packages[k].version;
        o.arch = packages[k].arch;
      } else {
        o.origin = bom::Origin::file;
        o.name = fs::path(host[k]).filename().string();
        o.shown = user_path(host[k]);
        o.user_file = true;
      }
    }
    return out;
  }

private:
  /// Files under scratchpack's sysroots directory: an overlay, libc++ for musl, a musl sysroot.
  bool scratchpack_owned(const fs::path& file, Owner& o) {
    const fs::path& cache = m_in.search.cache;
    if (std::string rel = inside(file, cache / "overlays" / m_in.target.name()); !rel.empty()) {
      return overlay_owner(rel, o);
    }
    if (std::string rel = inside(file, cache / "libcxx"); !rel.empty()) {
      // "/x86_64-linux-musl-a735f3802c530347/lib/libc++.a"
      std::vector<std::string> parts = split(rel.substr(1), '/');
      std::string dir = parts.empty() ? "" : parts[0];
      size_t dash = dir.rfind('-');
      o.origin = bom::Origin::llvm;
      o.name = "libc++";
      std::string shown_lib = m_in.sysroot ? m_in.sysroot->cxx_library : "";
      o.version = shown_lib.starts_with("libc++ ") ? shown_lib.substr(7) : "";
      o.properties = {"source=llvm-toolchain-" + o.version.substr(0, o.version.find('.')),
                      "build-key=" + (dash == std::string::npos ? dir : dir.substr(dash + 1))};
      o.shown = rel.substr(dir.size() + 1);
      return true;
    }
    if (m_in.sysroot) {
      if (std::string rel = inside(file, m_in.sysroot->root);
          !rel.empty() && lexically_within(m_in.sysroot->root, cache)) {
        return musl_owner(rel, o);
      }
    }
    return false;
  }

  bool overlay_owner(const std::string& rel, Owner& o) {
    if (!m_overlay_read) {
      m_overlay_read = true;
      if (auto overlay = find_overlay(m_in.target, m_in.search)) {
        for (const OverlayPackage& p : overlay->packages) {
          auto list = read_file(overlay->root / ".scratchpack-packages" / (p.name + ".list"));
          for (const std::string& line : split(list.value_or(""), '\n')) {
            // "./usr/lib/x86_64-linux-gnu/libz.a" -> "/usr/lib/x86_64-linux-gnu/libz.a"
            if (line.starts_with("./") && line.size() > 2) {
              m_overlay.emplace(line.substr(1), p);
            }
          }
        }
      }
    }
    o.shown = rel;
    auto it = m_overlay.find(rel);
    if (it == m_overlay.end()) {
      o.origin = bom::Origin::file;
      o.name = fs::path(rel).filename().string();
      return true;
    }
    o.origin = bom::Origin::debian;
    o.name = it->second.name;
    o.version = it->second.version;
    o.arch = it->second.arch;
    return true;
  }

  /// A musl sysroot unpacked from .debs: the record names them; the compiler's files (under
  /// usr/lib/gcc) are libgcc's, the rest musl-dev's (linux-libc-dev has headers only).
  bool musl_owner(const std::string& rel, Owner& o) {
    if (!m_musl_read) {
      m_musl_read = true;
      auto record = read_file(m_in.sysroot->root / "scratchpack-sysroot.txt");
      for (const std::string& line : split(record.value_or(""), '\n')) {
        if (auto deb = parse_deb_name(trim(line))) {
          m_musl.push_back(*deb);
        }
      }
    }
    bool gcc = rel.find("/gcc/") != std::string::npos;
    for (const Owner& deb : m_musl) {
      if (gcc ? deb.name.starts_with("libgcc") : deb.name == "musl-dev") {
        o = deb;
        o.shown = rel;
        return true;
      }
    }
    o.origin = bom::Origin::file;
    o.name = fs::path(rel).filename().string();
    o.shown = rel;
    return true;
  }

  const MaterialsInput& m_in;
  DpkgOwners& m_dpkg;
  bool m_overlay_read = false;
  std::map<std::string, OverlayPackage> m_overlay;
  bool m_musl_read = false;
  std::vector<Owner> m_musl;
};

bool object_file(std::string_view arg) {
  return !arg.starts_with("-") && (arg.ends_with(".o") || arg.ends_with(".obj"));
}

} // namespace

std::vector<ExtractedMember> extracted_members(std::string_view why_extract) {
  std::vector<ExtractedMember> out;
  std::set<std::string> seen;
  for (const std::string& line : split(why_extract, '\n')) {
    std::vector<std::string> f = split(line, '\t');
    if (f.size() != 3 || f[0] == "reference") {
      continue;
    }
    const std::string& x = f[1];
    size_t open = x.rfind('(');
    if (open == std::string::npos || !x.ends_with(")") || open + 2 > x.size()) {
      continue;
    }
    if (seen.insert(x).second) {
      out.push_back({x.substr(0, open), x.substr(open + 1, x.size() - open - 2)});
    }
  }
  return out;
}

std::vector<DpkgOwners::Package> DpkgOwners::owners(const std::vector<std::string>& paths) {
  std::lock_guard lock(m_mutex);
  std::set<std::string> wanted;
  for (const std::string& p : paths) {
    if (!m_known.count(p)) {
      wanted.insert(p);
    }
  }
  fs::path db = m_root / "var/lib/dpkg";
  if (!wanted.empty()) {
    // One pass over every package's file list ("/var/lib/dpkg/info/libc6-dev:amd64.list").
    std::error_code ec;
    std::vector<fs::path> lists;
    for (const auto& e : fs::directory_iterator(db / "info", ec)) {
      if (e.path().extension() == ".list") {
        lists.push_back(e.path());
      }
    }
    std::sort(lists.begin(), lists.end());
    size_t left = wanted.size();
    for (const fs::path& list : lists) {
      auto text = read_file(list);
      if (!text) {
        continue;
      }
      for (const std::string& want : wanted) {
        if (m_known.count(want)) {
          continue;
        }
        // A whole line: "\n/usr/lib/x86_64-linux-gnu/libc.a\n".
        size_t at = text->find(want);
        while (at != std::string::npos &&
               !((at == 0 || (*text)[at - 1] == '\n') &&
                 (at + want.size() == text->size() || (*text)[at + want.size()] == '\n'))) {
          at = text->find(want, at + 1);
        }
        if (at != std::string::npos) {
          std::string stem = list.stem().string(); // "libc6-dev:amd64"
          m_known[want] = {stem.substr(0, stem.find(':')), "", ""};
          --left;
        }
      }
      if (left == 0) {
        break;
      }
    }
    for (const std::string& want : wanted) {
      m_known.try_emplace(want, Package{});
    }
  }
  std::vector<Package> out;
  for (const std::string& p : paths) {
    Package pkg = m_known[p];
    if (!pkg.name.empty()) {
      if (!m_status_read) {
        m_status_read = true;
        // Stanzas of "Package:", "Architecture:", "Version:" for installed packages.
        auto status = read_file(db / "status");
        std::string name, arch, version;
        bool installed = false;
        auto flush = [&] {
          if (!name.empty() && installed) {
            m_status[name] = {version, arch};
          }
          name.clear(), arch.clear(), version.clear();
          installed = false;
        };
        for (const std::string& line : split(status.value_or(""), '\n')) {
          if (line.empty()) {
            flush();
          } else if (line.starts_with("Package: ")) {
            name = line.substr(9);
          } else if (line.starts_with("Architecture: ")) {
            arch = line.substr(14);
          } else if (line.starts_with("Version: ")) {
            version = line.substr(9);
          } else if (line.starts_with("Status: ")) {
            installed = line.ends_with(" installed");
          }
        }
        flush();
      }
      if (auto it = m_status.find(pkg.name); it != m_status.end()) {
        pkg.version = it->second.first;
        pkg.arch = it->second.second;
      }
    }
    out.push_back(pkg);
  }
  return out;
}

Result<std::string> materials_key(const std::string& link_key, const MaterialsInput& in) {
  Sha256 h;
  std::error_code ec;
  h.update("materials 1\n" + link_key + "\n" + fs::current_path(ec).string() + "\n");
  for (const auto& [object, source] : in.objects) {
    // The compile keys hashed each source already; the cache remembers it for this process.
    std::string hash =
        in.cache ? SP_TRY(in.cache->file_hash(source)) : sha256_hex(SP_TRY(read_file(source)));
    // The object by its name in the build's object directory: the directory is a new
    // temporary every run, and naming it made every run miss (and ask a remote cache).
    h.update(object.filename().string() + "\t" + source.string() + "\t" + hash + "\n");
  }
  return h.hex_digest();
}

Result<bom::FileDigest> file_digest(const fs::path& path) {
  return digest_of(user_path(path), SP_TRY(read_file(path)));
}

DpkgOwners& host_dpkg(const fs::path& host_root) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<DpkgOwners>> owners;
  std::lock_guard lock(mutex);
  auto& o = owners[host_root.string()];
  if (!o) {
    o = std::make_unique<DpkgOwners>(host_root);
  }
  return *o;
}

Result<bom::Binary> link_materials(const MaterialsInput& in, DpkgOwners& dpkg) {
  bom::Binary b;
  b.name = in.name;
  b.target = in.target.name();
  b.platform = in.target.platform().to_string();
  b.arch = in.target.debian_arch();

  std::set<std::string> user_objects;
  for (const auto& [object, source] : in.objects) {
    user_objects.insert(lexical(object));
    b.sources.push_back(SP_TRY(file_digest(source)));
  }
  std::sort(b.sources.begin(), b.sources.end(),
            [](const auto& x, const auto& y) { return x.path < y.path; });

  // Whole files on the link line (start files, and objects the user named), then members.
  std::vector<fs::path> inputs;
  std::vector<std::string> whole;
  for (size_t i = 1; i < in.link_argv.size(); ++i) {
    const std::string& arg = in.link_argv[i];
    if (object_file(arg) && !user_objects.count(lexical(arg)) && in.link_argv[i - 1] != "-o") {
      inputs.push_back(arg);
      whole.push_back(arg);
    }
  }
  std::vector<ExtractedMember> members = extracted_members(in.why_extract);
  std::map<std::string, std::set<std::string>> by_archive;
  for (const ExtractedMember& m : members) {
    if (by_archive[lexical(m.archive)].insert(m.member).second &&
        by_archive[lexical(m.archive)].size() == 1) {
      inputs.push_back(m.archive);
    }
  }
  // What is known of each input — its owner, the digests of the file or of each member — from
  // the build cache when this file was met before, else found out and kept there.
  std::vector<Facts> facts(inputs.size());
  std::vector<std::string> keys(inputs.size());
  std::vector<fs::path> unknown;
  std::vector<size_t> unknown_at;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (in.cache) {
      keys[i] = BuildCache::input_key(inputs[i]);
      auto text = in.cache->fetch_input_facts(keys[i]);
      if (text && parse_facts(*text, facts[i])) {
        continue;
      }
    }
    unknown.push_back(inputs[i]);
    unknown_at.push_back(i);
  }
  Owners owners(in, dpkg);
  std::vector<Owner> resolved = owners.resolve(unknown);
  for (size_t j = 0; j < unknown.size(); ++j) {
    size_t i = unknown_at[j];
    facts[i].owner = resolved[j];
    if (i < whole.size()) {
      facts[i].whole = digest_of("", SP_TRY(read_file(inputs[i])));
    } else {
      facts[i].members = SP_TRY(all_members(inputs[i]));
    }
    if (in.cache) {
      (void)in.cache->store_input_facts(keys[i], format_facts(facts[i]));
    }
  }
  std::vector<Owner> owner;
  for (size_t i = 0; i < inputs.size(); ++i) {
    owner.push_back(facts[i].owner);
    if (owner.back().user_file) {
      owner.back().shown = user_path(lexical(inputs[i])); // this build's working directory
    }
  }

  std::map<std::tuple<std::string, std::string, std::string>, bom::Component> components;
  auto component = [&](const Owner& o) -> bom::Component& {
    bom::Component& c = components[{o.name, o.version, o.arch}];
    if (c.name.empty()) {
      c.origin = o.origin;
      c.name = o.name;
      c.version = o.version;
      c.arch = o.arch;
      c.properties = o.properties;
      if (o.origin == bom::Origin::debian) {
        c.purl = bom::deb_purl(o.name, o.version, o.arch);
      } else if (o.origin == bom::Origin::llvm) {
        c.purl = "pkg:generic/" + bom::purl_encode(o.name) + "@" + bom::purl_encode(o.version);
      }
    }
    return c;
  };
  size_t k = 0;
  for (; k < whole.size(); ++k) {
    bom::FileDigest d = facts[k].whole;
    d.path = owner[k].shown;
    component(owner[k]).files.push_back(std::move(d));
  }
  for (; k < inputs.size(); ++k) {
    const std::set<std::string>& names = by_archive[lexical(inputs[k])];
    bom::Component& c = component(owner[k]);
    for (const std::string& name : names) {
      auto it = facts[k].members.find(name);
      bom::FileDigest d = it != facts[k].members.end() ? it->second : bom::FileDigest{};
      d.path = owner[k].shown + "(" + name + ")";
      c.files.push_back(std::move(d));
    }
  }
  for (auto& [key, c] : components) {
    std::sort(c.files.begin(), c.files.end(),
              [](const auto& x, const auto& y) { return x.path < y.path; });
    b.components.push_back(std::move(c));
  }
  return b;
}

std::string package_metadata(const std::string& name, const std::string& version,
                             const Target& target) {
  // Hand-made to keep the placeholder's bytes exact (stamp_package_note finds them).
  auto quoted = [](std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      if (static_cast<unsigned char>(c) >= 0x20) {
        out += c;
      }
    }
    return out + "\"";
  };
  return "{\"type\":\"scratchpack\",\"name\":" + quoted(name) +
         ",\"version\":" + quoted(version.empty() ? "0" : version) +
         ",\"architecture\":" + quoted(target.debian_arch()) + ",\"os\":\"linux\"," +
         std::string(k_placeholder) + "}";
}

Result<std::string> stamp_package_note(const fs::path& binary, const std::string& sbom_sha256) {
  if (sbom_sha256.size() != 64) {
    return failure("cannot stamp " + binary.string(), "not a sha256: " + sbom_sha256);
  }
  std::string data = SP_TRY(read_file(binary));
  // Boyer-Moore-Horspool: '"' is common in a binary, so a memchr-led find compares often.
  std::boyer_moore_horspool_searcher search(k_placeholder.begin(), k_placeholder.end());
  auto find_from = [&](size_t from) {
    auto it = std::search(data.begin() + static_cast<std::ptrdiff_t>(from), data.end(), search);
    return it == data.end() ? std::string::npos : static_cast<size_t>(it - data.begin());
  };
  size_t at = find_from(0);
  if (at == std::string::npos) {
    return sha256_hex(data); // linked without a note (a test's fake linker): nothing to fill in
  }
  if (find_from(at + 1) != std::string::npos) {
    return failure("cannot stamp " + binary.string(), "it has two package note placeholders");
  }
  size_t digest_at = at + k_placeholder.size() - 1 - 64;
  data.replace(digest_at, 64, sbom_sha256);
  // In place: 64 bytes of a file this build just wrote (a copy, never the cache's own file).
  int fd = ::open(binary.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return io_error(binary.string(), std::strerror(errno));
  }
  struct stat st{};
  Status s;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    s = io_error(binary.string(), "is not a regular file of its own (hard links: " +
                                      std::to_string(st.st_nlink) + ")");
  } else if (::pwrite(fd, sbom_sha256.data(), 64, static_cast<off_t>(digest_at)) != 64) {
    s = io_error(binary.string(), std::strerror(errno));
  }
  ::close(fd);
  SP_TRY(s);
  return sha256_hex(data);
}

} // namespace sp::toolchain
