#include "pipeline/up_to_date.h"

#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <sys/stat.h>

extern char** environ;

namespace sp::pipeline {

namespace {

constexpr std::string_view k_header = "scratchpack release record v1\n";
/// A record is re-hashed on every read (CacheStore::get_bytes' limit); a release that reads
/// more than this many paths always runs.
constexpr uint64_t k_max_record = CacheStore::k_rehash_limit;

std::string stamp_text(const FileStamp& s) {
  if (!s.exists) {
    return "-";
  }
  return std::to_string(s.dev) + ' ' + std::to_string(s.ino) + ' ' + std::to_string(s.mode) + ' ' +
         std::to_string(s.size) + ' ' + std::to_string(s.mtime_ns) + ' ' +
         std::to_string(s.ctime_ns);
}

bool parse_u64(std::string_view text, uint64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

bool parse_i64(std::string_view text, int64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

/// "-" or the six numbers of stamp_text.
std::optional<FileStamp> parse_stamp(std::string_view text) {
  FileStamp s;
  if (text == "-") {
    return s;
  }
  std::vector<std::string> f = split(text, ' ');
  uint64_t mode = 0;
  if (f.size() != 6 || !parse_u64(f[0], s.dev) || !parse_u64(f[1], s.ino) ||
      !parse_u64(f[2], mode) || !parse_u64(f[3], s.size) || !parse_i64(f[4], s.mtime_ns) ||
      !parse_i64(f[5], s.ctime_ns)) {
    return std::nullopt;
  }
  s.exists = true;
  s.mode = static_cast<uint32_t>(mode);
  return s;
}

int64_t ns_of(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

/// Every file and directory below `dir` (not following symlinks into directories), sorted.
bool list_tree(const fs::path& dir, std::vector<std::string>& out, size_t limit) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    out.push_back(it->path().string());
    if (out.size() > limit) {
      return false;
    }
  }
  return !ec;
}

} // namespace

FileStamp stamp_file(const fs::path& path) {
  struct stat st{};
  FileStamp s;
  if (::stat(path.c_str(), &st) != 0) {
    return s;
  }
  s.exists = true;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.mode = st.st_mode;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = ns_of(st.st_mtim);
  s.ctime_ns = ns_of(st.st_ctim);
  return s;
}

std::vector<std::pair<std::string, std::string>> release_environment() {
  std::vector<std::pair<std::string, std::string>> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    std::string name(kv.substr(0, eq));
    if (name == "SOURCE_DATE_EPOCH" || name.starts_with("SCRATCHPACK_") || name == "HOME" ||
        name == "PATH" || name == "TMPDIR" || name.starts_with("XDG_")) {
      env.emplace_back(name, std::string(kv.substr(eq + 1)));
    }
  }
  std::sort(env.begin(), env.end());
  return env;
}

std::string tool_identity(const fs::path& clang) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::string id;
  for (const fs::path& p : {exe, exe.parent_path() / "scratchpack-lld.so", clang}) {
    id += p.string() + ' ' + stamp_text(stamp_file(p)) + '\n';
  }
  return id;
}

std::string record_name(const ReleaseInvocation& inv) {
  Sha256 h;
  auto field = [&h](std::string_view s) {
    h.update(std::to_string(s.size()) + ":");
    h.update(s);
  };
  field("release-record-v1");
  field(inv.manifest.string());
  field(inv.cwd.string());
  field(std::to_string(inv.arguments.size()));
  for (const std::string& a : inv.arguments) {
    field(a);
  }
  field(std::to_string(inv.environment.size()));
  for (const auto& [k, v] : inv.environment) {
    field(k);
    field(v);
  }
  field(inv.tools);
  std::string key = h.hex_digest();
  return "releases/" + key.substr(0, 2) + "/" + key;
}

std::optional<std::string> record_release(const CacheStore& store, const std::string& name,
                                          const RecordInputs& in, const std::string& payload) {
  std::string text(k_header);
  text += std::to_string(payload.size()) + '\n';
  text += payload;
  text += '\n';
  auto add = [&text](const std::string& path, const FileStamp& s) -> bool {
    if (path.empty() || path.find('\n') != std::string::npos) {
      return false;
    }
    text += stamp_text(s);
    text += '\t';
    text += path;
    text += '\n';
    return text.size() <= k_max_record;
  };
  auto own = [&in](const std::string& path) {
    return std::any_of(in.own_dirs.begin(), in.own_dirs.end(),
                       [&path](const fs::path& d) { return d.string() == path; });
  };
  for (const std::string& f : in.files) {
    FileStamp s = stamp_file(f);
    if (!s.exists) {
      return "an input is gone: " + f;
    }
    if (s.ctime_ns >= in.started_ns && !own(f)) {
      return "an input changed during the release: " + f;
    }
    if (!add(f, s)) {
      return "too many inputs, or an input's name has a newline";
    }
  }
  for (const std::string& p : in.probes) {
    FileStamp s = stamp_file(p);
    if (s.exists && s.ctime_ns >= in.started_ns) {
      return "an input changed during the release: " + p;
    }
    if (!add(p, s)) {
      return "too many inputs, or an input's name has a newline";
    }
  }
  std::vector<std::string> outputs = {in.dist.string()};
  if (!list_tree(in.dist, outputs, 1'000'000)) {
    return "dist/ could not be listed";
  }
  for (const std::string& o : outputs) {
    FileStamp s = stamp_file(o);
    if (!s.exists || s.ctime_ns > in.committed_ns) {
      return "dist/ changed after the release wrote it: " + o;
    }
    if (!add(o, s)) {
      return "too many outputs, or an output's name has a newline";
    }
  }
  (void)store.put_bytes(name, text);
  return std::nullopt;
}

std::optional<std::string> check_release(const CacheStore& store, const std::string& name) {
  auto text = store.get_bytes(name, k_max_record);
  if (!text || !std::string_view(*text).starts_with(k_header)) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(*text).substr(k_header.size());
  size_t nl = rest.find('\n');
  uint64_t size = 0;
  if (nl == std::string_view::npos || !parse_u64(rest.substr(0, nl), size) ||
      size > rest.size() - nl - 1) {
    return std::nullopt;
  }
  std::string payload(rest.substr(nl + 1, size));
  rest = rest.substr(nl + 1 + size);
  if (!rest.starts_with('\n')) {
    return std::nullopt;
  }
  rest.remove_prefix(1);
  size_t lines = 0;
  while (!rest.empty()) {
    nl = rest.find('\n');
    if (nl == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return std::nullopt;
    }
    auto recorded = parse_stamp(line.substr(0, tab));
    if (!recorded || !(stamp_file(std::string(line.substr(tab + 1))) == *recorded)) {
      return std::nullopt;
    }
    ++lines;
  }
  if (lines == 0) {
    return std::nullopt;
  }
  return payload;
}

} // namespace sp::pipeline
