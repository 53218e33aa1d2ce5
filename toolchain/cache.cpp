#include "toolchain/cache.h"

#include "toolchain/scan/findings.h"
#include "toolchain/scan/report_json.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <ctime>
#include <sys/stat.h>

namespace sp::toolchain {

namespace {

constexpr std::string_view k_format = "scratchpack-build-cache-v2";
constexpr std::string_view k_manifest_header = "scratchpack-object-manifest-v2";

bool is_regular(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

/// "path size mtime ctime": how a sysroot file is identified (hashing libc.a and libstdc++.a on
/// every link would cost more than the link itself; the sysroot is trusted, and any rewrite of
/// the file, a package reinstall included, moves its ctime).
std::string stat_identity(const fs::path& p) {
  struct stat st{};
  if (::stat(p.c_str(), &st) != 0) {
    return p.string() + " missing";
  }
  return p.string() + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ctim.tv_sec) + "." +
         std::to_string(st.st_ctim.tv_nsec);
}

int64_t to_ns(const timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

/// "size mtime ctime" (nanoseconds) of a file, or "- - -" when it cannot be read; `newest` gets
/// the later of its mtime and ctime.
std::string file_stamp(const fs::path& p, int64_t* newest = nullptr) {
  struct stat st{};
  if (::stat(p.c_str(), &st) != 0) {
    return "- - -";
  }
  if (newest) {
    *newest = std::max(to_ns(st.st_mtim), to_ns(st.st_ctim));
  }
  return std::to_string(st.st_size) + " " + std::to_string(to_ns(st.st_mtim)) + " " +
         std::to_string(to_ns(st.st_ctim));
}

std::string replace_all(std::string s, const std::string& from, std::string_view to) {
  if (from.empty()) {
    return s;
  }
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

} // namespace

std::vector<std::string> parse_depfile(std::string_view text) {
  std::vector<std::string> files;
  std::string word;
  bool after_colon = false;
  auto flush = [&] {
    if (!word.empty() && after_colon) {
      files.push_back(word);
    }
    word.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      if (next == '\n' || next == '\r') {
        flush();
        ++i;
        continue;
      }
      if (next == ' ' || next == '#' || next == '\\') {
        word += next;
        ++i;
        continue;
      }
    }
    if (c == ':' && !after_colon &&
        (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      word.clear();
      after_colon = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      flush();
      continue;
    }
    word += c;
  }
  flush();
  return files;
}

fs::path BuildCache::default_dir() {
  return cache_dir() / "build";
}

Result<std::unique_ptr<BuildCache>> BuildCache::open(const fs::path& dir,
                                                     std::optional<std::string> key) {
  if (!key) {
    key = SP_TRY(cache_key());
  }
  auto store = SP_TRY(CacheStore::open(dir, std::move(*key)));
  return std::unique_ptr<BuildCache>(new BuildCache(dir, std::move(store)));
}

BuildCache::BuildCache(fs::path dir, CacheStore store)
    : m_dir(std::move(dir)), m_store(std::move(store)),
      m_sysroots(normal_absolute(sysroots_dir()).string()),
      m_cache_root(normal_absolute(cache_dir()).string()) {}

std::string BuildCache::portable(std::string text) const {
  return replace_all(replace_all(std::move(text), m_sysroots, "$SYSROOTS"), m_cache_root, "$CACHE");
}

fs::path BuildCache::local_path(const std::string& text) const {
  if (text.starts_with("$SYSROOTS/")) {
    return fs::path(m_sysroots) / text.substr(10);
  }
  if (text.starts_with("$CACHE/")) {
    return fs::path(m_cache_root) / text.substr(7);
  }
  return text;
}

std::string BuildCache::identity_hash(const fs::path& path) {
  std::string id = stat_identity(path);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (auto it = m_identity_hashes.find(id); it != m_identity_hashes.end()) {
      return it->second;
    }
  }
  std::string name = entry_name("idhash", sha256_hex(std::string(k_format) + "\n" + id), ".sha256");
  std::string hash;
  if (auto stored = m_store.get_bytes(name, 64); stored && stored->size() == 64) {
    hash = *stored;
  } else if (auto h = file_hash(path)) {
    hash = *h;
    (void)m_store.put_bytes(name, hash);
  } else {
    return id; // unreadable: named by identity, as before (a miss on other machines)
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  m_identity_hashes[id] = hash;
  return hash;
}

std::string BuildCache::entry_name(std::string_view kind, const std::string& key,
                                   std::string_view ext) {
  return std::string(kind) + "/" + key.substr(0, 2) + "/" + key + std::string(ext);
}

Result<std::string> BuildCache::file_hash(const fs::path& path) {
  std::string name = path.string();
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (auto it = m_hashes.find(name); it != m_hashes.end()) {
      return it->second;
    }
  }
  auto data = SP_TRY(read_file(path));
  std::string hash = sha256_hex(data);
  std::lock_guard<std::mutex> lock(m_mutex);
  m_hashes[name] = hash;
  return hash;
}

std::optional<fs::path> BuildCache::private_copy(const std::string& name) {
  fs::path dir;
  try {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_private) {
      m_private = std::make_unique<TempDir>("private", m_dir / "tmp");
    }
    dir = m_private->path();
  } catch (const std::exception&) {
    return std::nullopt; // no temporary directory: compile without the preamble
  }
  fs::path copy = dir / fs::path(name).filename();
  if (is_regular(copy)) {
    return copy;
  }
  if (!m_store.get(name, copy)) {
    return std::nullopt;
  }
  return copy;
}

Result<std::string> BuildCache::compile_key(const std::vector<std::string>& argv,
                                            const fs::path& source, const fs::path& build_dir,
                                            const std::string& compiler_id) {
  Sha256 h;
  h.update(k_format);
  h.update("\ncompile\n" + compiler_id + "\n");
  for (size_t i = 0; i < argv.size(); ++i) {
    if ((argv[i] == "-o" || argv[i] == "-MF" || argv[i] == "-include-pch") && i + 1 < argv.size()) {
      ++i;
      continue;
    }
    h.update(portable(replace_all(argv[i], build_dir.string(), ".")));
    h.update("\0", 1);
  }
  auto source_hash = file_hash(source);
  if (!source_hash) {
    return source_hash.take_error();
  }
  h.update("\nsource " + *source_hash);
  return h.hex_digest();
}

std::optional<std::string> BuildCache::lookup(std::string_view kind, std::string_view ext,
                                              const std::string& key, const fs::path& build_dir,
                                              std::vector<fs::path>* deps) {
  auto manifest = m_store.get_bytes(entry_name(kind, key, ".manifest"));
  if (!manifest) {
    return std::nullopt;
  }
  std::vector<std::string> lines = split(*manifest, '\n');
  if (lines.empty() || lines.front() != k_manifest_header) {
    return std::nullopt;
  }
  Sha256 h;
  h.update(key);
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      continue;
    }
    // "<hash> <size> <mtime> <ctime> <path>": the header must still hash to what it did. When
    // its size, mtime and ctime are those recorded, its contents are taken as unchanged without
    // reading it (ccache does the same); ctime cannot be set back by hand.
    std::vector<std::string> f = split(lines[i], ' ');
    if (f.size() < 5 || f[0].size() != 64) {
      return std::nullopt;
    }
    // A path under the build directory is stored relative to it: the same project in another
    // directory shares the entry only when its own files have the same contents.
    std::string path = lines[i].substr(f[0].size() + f[1].size() + f[2].size() + f[3].size() + 4);
    fs::path file = path.rfind("./", 0) == 0 ? build_dir / path.substr(2) : local_path(path);
    bool same_stat = file_stamp(file) == f[1] + " " + f[2] + " " + f[3];
    if (!same_stat) {
      auto now = file_hash(file);
      if (!now || *now != f[0]) {
        return std::nullopt;
      }
    }
    h.update(f[0] + " " + path + "\n");
    if (deps) {
      deps->push_back(file);
    }
  }
  return entry_name(kind, h.hex_digest(), ext);
}

bool BuildCache::fetch_object(const std::string& key, const fs::path& object,
                              const fs::path& build_dir, std::vector<fs::path>* deps) {
  auto name = lookup("objects", ".o", key, build_dir, deps);
  if (!name || !m_store.get(*name, object)) {
    if (deps) {
      deps->clear();
    }
    ++m_counters.compile_misses;
    return false;
  }
  ++m_counters.compile_hits;
  return true;
}

int64_t BuildCache::coarse_now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &t);
  return to_ns(t);
}

Status BuildCache::store_object(const std::string& key, const fs::path& object,
                                const fs::path& depfile, const fs::path& source,
                                const fs::path& build_dir, int64_t compile_started_ns,
                                const std::vector<fs::path>& system_dirs) {
  SP_TRY(store("objects", ".o", key, object, depfile, source, build_dir, compile_started_ns,
               system_dirs));
  return {};
}

Result<std::optional<std::string>>
BuildCache::store(std::string_view kind, std::string_view ext, const std::string& key,
                  const fs::path& file, const fs::path& depfile, const fs::path& source,
                  const fs::path& build_dir, int64_t compile_started_ns,
                  const std::vector<fs::path>& /*system_dirs*/) {
  auto dep = read_file(depfile);
  if (!dep) {
    return dep.take_error();
  }
  std::string manifest = std::string(k_manifest_header) + "\n";
  Sha256 h;
  h.update(key);
  fs::path source_abs = normal_absolute(source);
  fs::path base = build_dir.empty() ? fs::path() : normal_absolute(build_dir);
  for (const std::string& dep_file : parse_depfile(*dep)) {
    fs::path abs = normal_absolute(dep_file);
    int64_t changed = 0;
    std::string stamp = file_stamp(abs, &changed);
    if (changed >= compile_started_ns) {
      // Edited while it compiled: which version the output saw is unknown.
      return std::optional<std::string>();
    }
    if (abs == source_abs) {
      continue; // its contents are in the key already
    }
    // Every header is recorded with its contents' hash, a system header too: lookup() accepts
    // it while its identity is the one recorded (no read) and otherwise rehashes it, so another
    // machine with the same packages, whose files have other ctimes, hits as well. The hash is
    // memoised per path for this process (a release stores many objects reading the same libc).
    Result<std::string> hash = file_hash(abs);
    if (!hash) {
      return hash.take_error();
    }
    std::string recorded = portable(abs.string());
    if (!base.empty() && abs != base && lexically_within(abs, base)) {
      recorded = "./" + abs.lexically_relative(base).string();
    }
    manifest += *hash + " " + stamp + " " + recorded + "\n";
    h.update(*hash + " " + recorded + "\n");
  }
  std::string stored = entry_name(kind, h.hex_digest(), ext);
  SP_TRY(m_store.put(stored, file));
  // The manifest last: whoever sees it finds the output in place.
  SP_TRY(m_store.put_bytes(entry_name(kind, key, ".manifest"), manifest));
  return std::optional<std::string>(stored);
}

std::optional<fs::path> BuildCache::find_pch(const std::string& key, const fs::path& build_dir) {
  auto name = lookup("pch", ".pch", key, build_dir);
  return name ? private_copy(*name) : std::nullopt;
}

Result<std::optional<fs::path>> BuildCache::store_pch(const std::string& key, const fs::path& pch,
                                                      const fs::path& depfile,
                                                      const fs::path& header,
                                                      const fs::path& build_dir,
                                                      int64_t compile_started_ns) {
  auto name =
      SP_TRY(store("pch", ".pch", key, pch, depfile, header, build_dir, compile_started_ns));
  return name ? private_copy(*name) : std::optional<fs::path>();
}

Result<fs::path> BuildCache::pch_source(const std::string& text) {
  // clang reads the header by this path (it is part of the preamble's key), so its contents are
  // checked on every use and rewritten when they are not the text.
  std::string name = entry_name("pch", sha256_hex(text), ".h");
  if (m_store.get_bytes(name) != text) {
    SP_TRY(m_store.put_bytes(name, text));
  }
  return m_dir / name;
}

bool BuildCache::pch_seen(const std::string& key) {
  std::string name = entry_name("pch", key, ".seen");
  if (m_store.contains(name)) {
    return true;
  }
  (void)m_store.put_bytes(name, "");
  return false;
}

std::mutex& BuildCache::pch_mutex(const std::string& key) {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::unique_ptr<std::mutex>& m = m_pch_mutexes[key];
  if (!m) {
    m = std::make_unique<std::mutex>();
  }
  return *m;
}

std::string BuildCache::link_key(const std::vector<std::string>& argv, const std::string& output,
                                 const std::vector<std::string>& lib_dirs) {
  Sha256 h;
  h.update(k_format);
  h.update("\nlink\n");
  std::vector<std::string> search = lib_dirs;
  for (const std::string& a : argv) {
    if (a.rfind("-L", 0) == 0) {
      search.push_back(a.substr(2));
    }
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-o" && i + 1 < argv.size() && argv[i + 1] == output) {
      ++i;
      continue;
    }
    if (a.rfind("-l", 0) == 0 && a.size() > 2) {
      // The library lld will find: the first lib<name>.a on the search path. The user's own
      // (found in `lib_dirs`) are hashed: a rebuilt archive may keep its size and mtime.
      std::string identity = a;
      for (size_t d = 0; d < search.size(); ++d) {
        fs::path lib = fs::path(search[d]) / ("lib" + a.substr(2) + ".a");
        if (is_regular(lib)) {
          // The sysroot's by contents too (memoised by identity): another machine hits.
          auto hash =
              d < lib_dirs.size() ? file_hash(lib) : Result<std::string>(identity_hash(lib));
          identity += hash ? " file " + *hash : " " + stat_identity(lib);
          break;
        }
      }
      h.update(identity);
    } else if (a[0] != '-' && is_regular(a)) {
      auto hash =
          fs::path(a).extension() == ".o" ? file_hash(a) : Result<std::string>(identity_hash(a));
      h.update(hash ? "file " + *hash : stat_identity(a));
    } else {
      h.update(portable(a));
    }
    h.update("\0", 1);
  }
  return h.hex_digest();
}

std::optional<std::string> BuildCache::fetch_binary(const std::string& key,
                                                    const fs::path& output) {
  auto hit = m_store.get(entry_name("links", key), output, 0755);
  if (!hit) {
    ++m_counters.link_misses;
    return std::nullopt;
  }
  ++m_counters.link_hits;
  return hit->sha256;
}

// ".placed.why": the table names the link's objects by their place (portable_why_extract). An
// entry of the older ".why" form, which named them by the temporary path of the build that made
// it, is not found, so that link runs again.
Status BuildCache::store_link_evidence(const std::string& key, const std::string& why_extract) {
  // The sysroot's archives by a path another machine can map to its own (portable()).
  SP_TRY(m_store.put_bytes(entry_name("links", key, ".placed.why"), portable(why_extract)));
  return {};
}

std::optional<std::string> BuildCache::fetch_link_evidence(const std::string& key) {
  auto text = m_store.get_bytes(entry_name("links", key, ".placed.why"));
  if (!text) {
    return text;
  }
  return replace_all(replace_all(std::move(*text), "$SYSROOTS", m_sysroots), "$CACHE",
                     m_cache_root);
}

std::string BuildCache::input_key(const fs::path& file) {
  return sha256_hex(std::string(k_format) + "\ninput facts 1 " + stat_identity(file));
}

Status BuildCache::store_input_facts(const std::string& key, const std::string& text) {
  SP_TRY(m_store.put_bytes(entry_name("inputs", key, ".facts"), text));
  return {};
}

std::optional<std::string> BuildCache::fetch_input_facts(const std::string& key) {
  return m_store.get_bytes(entry_name("inputs", key, ".facts"));
}

Status BuildCache::store_text(std::string_view kind, const std::string& key,
                              const std::string& text) {
  SP_TRY(m_store.put_bytes(entry_name(kind, key, ".txt"), text));
  return {};
}

std::optional<std::string> BuildCache::fetch_text(std::string_view kind, const std::string& key) {
  return m_store.get_bytes(entry_name(kind, key, ".txt"));
}

Status BuildCache::store_binary(const std::string& key, const fs::path& binary,
                                const std::string& sha256) {
  SP_TRY(m_store.put(entry_name("links", key), binary, sha256));
  return {};
}

std::string BuildCache::strip_key(const std::string& sha256, const std::string& recipe) const {
  return sha256_hex(std::string(k_format) + "\nstrip " + sha256 + "\n" + recipe);
}

std::optional<std::string> BuildCache::fetch_stripped(const std::string& key,
                                                      const fs::path& output) {
  auto hit = m_store.get(entry_name("strips", key), output, 0755);
  return hit ? std::optional<std::string>(hit->sha256) : std::nullopt;
}

Status BuildCache::store_stripped(const std::string& key, const fs::path& binary,
                                  const std::string& sha256) {
  SP_TRY(m_store.put(entry_name("strips", key), binary, sha256));
  return {};
}

namespace {

/// A scan key: the contents, the options, and the scanner's own revision (its finding catalogue
/// with the hints, and the revision of its messages), so a scratchpack that checks more or words
/// it differently does not reuse an older verdict.
std::string scan_key(const std::string& sha256, const scan::ScanOptions& options) {
  static const std::string catalogue = [] {
    std::string all;
    for (const scan::CodeInfo& c : scan::finding_catalog()) {
      all += std::string(c.code) + " " + std::to_string(static_cast<int>(c.severity)) + " " +
             std::string(c.hint) + "\n";
    }
    all += "messages " + std::to_string(scan::k_message_revision) + "\n";
    return sha256_hex(all);
  }();
  return sha256_hex(std::string(k_format) + "\nscan " + sha256 + " " +
                    (options.platform ? options.platform->to_string() : "-") + " " +
                    (options.strict ? "strict" : "normal") + " " + catalogue + " " +
                    scan::k_json_schema);
}

} // namespace

std::optional<scan::FileReport> BuildCache::fetch_scan(const std::string& sha256,
                                                       const scan::ScanOptions& options) {
  auto text = m_store.get_bytes(entry_name("scans", scan_key(sha256, options)));
  if (!text) {
    return std::nullopt;
  }
  return scan::file_report_from_json(*text);
}

void BuildCache::store_scan(const std::string& sha256, const scan::ScanOptions& options,
                            const scan::FileReport& report) {
  (void)m_store.put_bytes(entry_name("scans", scan_key(sha256, options)),
                          scan::file_report_to_json(report));
}

scan::FileReport scan_file_cached(const fs::path& path, const std::string& sha256,
                                  const scan::ScanOptions& options, BuildCache* cache) {
  bool cacheable = cache && !sha256.empty();
  if (cacheable) {
    if (auto hit = cache->fetch_scan(sha256, options)) {
      hit->path = path.string();
      return *hit;
    }
  }
  scan::FileReport report = scan::scan_file(path.string(), options);
  if (cacheable) {
    cache->store_scan(sha256, options, report);
  }
  return report;
}

CacheUsage BuildCache::usage() const {
  CacheUsage u;
  u.dir = m_dir;
  u.bytes = m_store.usage().bytes;
  std::error_code ec;
  for (const char* kind : {"objects", "links", "strips", "pch"}) {
    for (auto it = fs::recursive_directory_iterator(m_dir / kind, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (!name.ends_with(".meta")) {
        continue;
      }
      name.resize(name.size() - 5);
      if (std::string_view(kind) == "links") {
        u.links += name.ends_with(".why") ? 0 : 1; // a link's --why-extract table is not a link
      } else if (std::string_view(kind) == "strips") {
        ++u.strips;
      } else if (name.ends_with(".o")) {
        ++u.objects;
      } else if (name.ends_with(".pch")) {
        ++u.pch;
      }
    }
  }
  return u;
}

Status BuildCache::clean() {
  return m_store.clean();
}

} // namespace sp::toolchain
