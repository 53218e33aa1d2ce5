#include "toolchain/llvm_source.h"

#include "toolchain/provision.h"
#include "util/strings.h"

#include <algorithm>
#include <map>

namespace sp::toolchain {

namespace {

constexpr const char* k_default_mirror = "http://deb.debian.org/debian";
constexpr const char* k_default_keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

/// One `deb` source that can serve the deb-src of the release.
struct DebEntry {
  std::string uri;
  std::string signed_by;
};

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& w : split(text, ' ')) {
    std::string_view t = trim(w);
    if (!t.empty()) {
      out.emplace_back(t);
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// deb822 stanzas ("Key: value" lines, blank-line separated); keys lower-cased, comments and
/// continuation lines dropped.
std::vector<std::map<std::string, std::string>> deb822_stanzas(std::string_view text) {
  std::vector<std::map<std::string, std::string>> stanzas(1);
  for (const std::string& raw : split(text, '\n')) {
    std::string_view line = trim(raw);
    if (line.empty()) {
      if (!stanzas.back().empty()) {
        stanzas.emplace_back();
      }
      continue;
    }
    if (line[0] == '#' || raw[0] == ' ' || raw[0] == '\t') {
      continue;
    }
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      stanzas.back()[lower(trim(line.substr(0, colon)))] =
          std::string(trim(line.substr(colon + 1)));
    }
  }
  return stanzas;
}

void collect_deb822(std::string_view text, std::string_view codename, std::vector<DebEntry>& out) {
  for (auto& st : deb822_stanzas(text)) {
    bool enabled = lower(st["enabled"]) != "no";
    if (!enabled || !contains(words(st["types"]), "deb") ||
        !contains(words(st["suites"]), codename) || !contains(words(st["components"]), "main")) {
      continue;
    }
    for (const std::string& uri : words(st["uris"])) {
      out.push_back({uri, st["signed-by"]});
    }
  }
}

/// One-line format: `deb [opt=val ...] URI SUITE COMPONENT...`.
void collect_one_line(std::string_view text, std::string_view codename,
                      std::vector<DebEntry>& out) {
  for (const std::string& raw : split(text, '\n')) {
    std::string line(trim(raw));
    if (line.rfind("deb ", 0) != 0) {
      continue;
    }
    std::string signed_by;
    size_t open = line.find('[');
    size_t close = line.find(']');
    if (open != std::string::npos && close != std::string::npos && open < close) {
      for (const std::string& opt : words(line.substr(open + 1, close - open - 1))) {
        if (opt.rfind("signed-by=", 0) == 0) {
          signed_by = opt.substr(10);
        }
      }
      line = "deb " + line.substr(close + 1);
    }
    std::vector<std::string> w = words(line);
    if (w.size() >= 4 && w[2] == codename &&
        contains(std::vector<std::string>(w.begin() + 3, w.end()), "main")) {
      out.push_back({w[1], signed_by});
    }
  }
}

} // namespace

std::string debian_source_list(const std::vector<AptSourceFile>& files, std::string_view codename) {
  std::vector<DebEntry> entries;
  for (const AptSourceFile& f : files) {
    if (f.name.ends_with(".sources")) {
      collect_deb822(f.text, codename, entries);
    } else if (f.name.ends_with(".list")) {
      collect_one_line(f.text, codename, entries);
    }
  }
  if (entries.empty()) {
    entries.push_back({k_default_mirror, k_default_keyring});
  }
  std::string out;
  std::vector<std::string> seen;
  for (const DebEntry& e : entries) {
    if (contains(seen, e.uri)) {
      continue;
    }
    seen.push_back(e.uri);
    out += out.empty() ? "" : "\n";
    out += "Types: deb-src\nURIs: " + e.uri + "\nSuites: " + std::string(codename) +
           "\nComponents: main\nSigned-By: " +
           (e.signed_by.empty() ? std::string(k_default_keyring) : e.signed_by) + "\n";
  }
  return out;
}

std::string llvm_source_package(std::string_view major) {
  return "llvm-toolchain-" + std::string(major);
}

std::vector<std::string> llvm_source_dirs() {
  return {"runtimes", "cmake", "llvm/cmake", "libcxx", "libcxxabi", "libunwind"};
}

namespace {

/// The codename of the running Debian release (VERSION_CODENAME in os-release), "bookworm" when
/// it cannot be read.
std::string debian_codename() {
  auto text = read_file("/etc/os-release");
  if (text) {
    for (const std::string& line : split(*text, '\n')) {
      if (line.rfind("VERSION_CODENAME=", 0) == 0) {
        std::string value(trim(line.substr(17)));
        std::erase(value, '"');
        if (!value.empty()) {
          return value;
        }
      }
    }
  }
  return "bookworm";
}

std::vector<AptSourceFile> system_apt_sources() {
  std::vector<AptSourceFile> files;
  auto add = [&](const fs::path& p) {
    if (auto text = read_file(p)) {
      files.push_back({p.filename().string(), std::move(*text)});
    }
  };
  add("/etc/apt/sources.list");
  std::vector<fs::path> parts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/etc/apt/sources.list.d", ec)) {
    parts.push_back(entry.path());
  }
  std::sort(parts.begin(), parts.end());
  for (const fs::path& p : parts) {
    add(p);
  }
  return files;
}

/// Upstream version of an unpacked tree named "llvm-toolchain-19_19.1.7".
std::string version_of(const fs::path& dir) {
  std::string name = dir.filename().string();
  size_t underscore = name.find('_');
  return underscore == std::string::npos ? std::string() : name.substr(underscore + 1);
}

/// Dotted versions compared part by part as numbers (19.1.10 after 19.1.7).
bool version_less(const std::string& a, const std::string& b) {
  std::vector<std::string> pa = split(a, '.'), pb = split(b, '.');
  for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
    unsigned long long x = 0, y = 0;
    if (parse_uint(pa[i], x) && parse_uint(pb[i], y) && x != y) {
      return x < y;
    }
    if (pa[i] != pb[i]) {
      return pa[i] < pb[i];
    }
  }
  return pa.size() < pb.size();
}

/// The newest complete tree for `package` under `base` (complete trees carry their final name).
std::optional<LlvmSource> find_unpacked(const fs::path& base, const std::string& package) {
  std::optional<LlvmSource> best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(package + "_", 0) != 0 ||
        !fs::exists(entry.path() / "runtimes" / "CMakeLists.txt", ec)) {
      continue;
    }
    LlvmSource s{entry.path(), version_of(entry.path())};
    if (!best || version_less(best->version, s.version)) {
      best = s;
    }
  }
  return best;
}

/// Downloads the source package's orig tarball into `dir`; returns its path.
Result<fs::path> download_orig(const fs::path& base, const std::string& package,
                               const fs::path& dir, const ProgressFn& progress) {
  fs::path parts = base / "apt" / "sources.list.d";
  fs::path lists = base / "apt" / "lists";
  SP_TRY(make_dirs(parts));
  std::string codename = debian_codename();
  if (Status s = write_file_atomic(parts / "debian-src.sources",
                                   debian_source_list(system_apt_sources(), codename));
      !s) {
    return s.take_error();
  }
  // A private deb-src list and private apt state: nothing of the system's apt changes.
  std::vector<std::string> apt = {"apt-get",
                                  "-qq",
                                  "-oDir::Etc::SourceList=/dev/null",
                                  "-oDir::Etc::SourceParts=" + parts.string(),
                                  "-oDir::State::Lists=" + lists.string(),
                                  "-oDir::Cache::pkgcache=",
                                  "-oDir::Cache::srcpkgcache=",
                                  "-oAPT::Sandbox::User=root"};
  progress("updating the Debian source package lists (" + codename + ")");
  SP_TRY(apt_update(apt, lists));
  progress("downloading the " + package + " source package (~165 MB)");
  std::vector<std::string> source = apt;
  source.insert(source.end(), {"source", "--download-only", package});
  ProcessOptions in_dir;
  in_dir.cwd = dir.string();
  SP_TRY(run_checked(source, in_dir));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(package + "_", 0) == 0 && name.find(".orig.tar.") != std::string::npos) {
      return entry.path();
    }
  }
  return failure("apt-get source " + package, "no .orig.tar.* tarball was downloaded");
}

/// Unpacks the runtimes' directories of `tarball` (top directory stripped) into `dest`.
Status unpack_runtimes(const fs::path& tarball, const fs::path& dest) {
  SP_TRY(make_dirs(dest));
  // Tests and docs are most of libcxx's size and the build reads none of them.
  std::vector<std::string> tar = {"tar",
                                  "-xf",
                                  tarball.string(),
                                  "-C",
                                  dest.string(),
                                  "--strip-components=1",
                                  "--wildcards",
                                  "--no-wildcards-match-slash"};
  for (const char* skip : {"*/libcxx/test", "*/libcxxabi/test", "*/libunwind/test", "*/libcxx/docs",
                           "*/libcxx/benchmarks"}) {
    tar.push_back(std::string("--exclude=") + skip);
  }
  for (const std::string& dir : llvm_source_dirs()) {
    tar.push_back("*/" + dir);
  }
  return run_checked(tar);
}

} // namespace

Result<LlvmSource> ensure_llvm_source(const fs::path& cache, std::string_view major,
                                      const ProgressFn& progress) {
  fs::path base = cache / "llvm-source";
  std::string package = llvm_source_package(major);
  if (auto found = find_unpacked(base, package)) {
    return *found;
  }
  SP_TRY(make_dirs(base));
  auto lock = FileLock::acquire(base / ".lock", [&] {
    progress("waiting for another scratchpack that is fetching the LLVM source");
  });
  if (!lock) {
    return lock.take_error();
  }
  // Another process may have finished while this one waited.
  if (auto found = find_unpacked(base, package)) {
    return *found;
  }
  remove_leftovers(base, {"." + package + "_", "download."});
  TempDir download("download", base);
  auto tarball = download_orig(base, package, download.path(), progress);
  if (!tarball) {
    return tarball.take_error();
  }
  std::string top = tarball->filename().string();
  top = top.substr(0, top.find(".orig.tar."));
  AtomicPath tree(base / top);
  progress("unpacking " + join(llvm_source_dirs(), ", ") + " from " + tarball->filename().string());
  SP_TRY(unpack_runtimes(*tarball, tree.temp()));
  SP_TRY(tree.commit());
  LlvmSource src{base / top, version_of(base / top)};
  if (src.version.substr(0, src.version.find('.')) != major) {
    return failure("LLVM source " + top, "is not LLVM " + std::string(major),
                   "the Debian archive's " + package + " has another upstream version");
  }
  return src;
}

} // namespace sp::toolchain
