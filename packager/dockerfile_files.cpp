// The file side of a Dockerfile plan: ADD/COPY sources resolved in the build context, and the
// config side applied to an ImageConfig.
#include "packager/dockerfile.h"
#include "util/diagnostics.h"
#include "util/strings.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <glob.h>
#include <set>

namespace sp::packager {

namespace {

// True when libarchive reads `path` as a tar (plain or compressed): what Docker's ADD unpacks.
bool is_tar_archive(const fs::path& path) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  archive_entry* entry = nullptr;
  bool tar = archive_read_open_filename(a, path.c_str(), 1 << 16) == ARCHIVE_OK &&
             archive_read_next_header(a, &entry) == ARCHIVE_OK;
  archive_read_free(a);
  return tar;
}

bool inside(const fs::path& path, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

class Resolver {
public:
  Resolver(const fs::path& context, std::string_view name) : m_name(name) {
    std::error_code ec;
    m_context = fs::weakly_canonical(context, ec);
    if (ec) {
      m_context = context;
    }
    m_dirs.insert("/");
  }

  Result<DockerfileFiles> run(const DockerfilePlan& plan) {
    std::error_code ec;
    if (!fs::is_directory(m_context, ec)) {
      return io_error(m_context.string(), "the build context is not a directory");
    }
    for (const std::string& dir : plan.workdirs) {
      m_files.layer.add_directory(dir);
      m_dirs.insert(dir);
    }
    for (const DockerfileCopy& c : plan.copies) {
      for (const std::string& source : c.sources) {
        copy_source(c, source);
      }
    }
    if (m_problems.empty()) {
      return std::move(m_files);
    }
    return m_problems.summarise(m_name);
  }

private:
  /// A missing source is a missing input (exit 2, as on the command line); what the Dockerfile
  /// asks for that cannot be done is a failure (exit 1).
  void problem(const DockerfileCopy& c, const std::string& message,
               ErrorKind kind = ErrorKind::failure) {
    Error e = failure(m_name + ":" + std::to_string(c.line), message);
    e.kind = kind;
    m_problems.add(std::move(e));
  }

  std::vector<fs::path> matches(const DockerfileCopy& c, const std::string& source) {
    fs::path rel = fs::path(source).relative_path().lexically_normal();
    if (!rel.empty() && *rel.begin() == "..") {
      problem(c, c.instruction + " " + source + ": the source is outside the build context");
      return {};
    }
    fs::path full = m_context / rel;
    if (source.find_first_of("*?[") == std::string::npos) {
      std::error_code ec;
      if (!fs::exists(fs::symlink_status(full, ec))) {
        problem(c,
                c.instruction + " " + source + ": no such file in the build context " +
                    m_context.string(),
                ErrorKind::usage_or_io);
        return {};
      }
      return {full};
    }
    glob_t g{};
    std::vector<fs::path> out;
    if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        out.emplace_back(g.gl_pathv[i]);
      }
    }
    ::globfree(&g);
    if (out.empty()) {
      problem(c, c.instruction + " " + source + ": no file in the build context matches",
              ErrorKind::usage_or_io);
    }
    return out;
  }

  void copy_source(const DockerfileCopy& c, const std::string& source) {
    for (const fs::path& match : matches(c, source)) {
      std::error_code ec;
      fs::path real = fs::weakly_canonical(match, ec);
      if (ec || !inside(real, m_context)) {
        problem(c, c.instruction + " " + source + ": resolves outside the build context");
        continue;
      }
      if (c.instruction == "ADD" && fs::is_regular_file(real, ec) && is_tar_archive(real)) {
        problem(c, "ADD " + source +
                       ": ADD would unpack this archive, which scratchpack does "
                       "not do; unpack it into the build context and ADD the "
                       "files, or COPY it to add the archive as it is");
        continue;
      }
      add_match(c, source, match);
    }
  }

  void add_match(const DockerfileCopy& c, const std::string& source, const fs::path& match) {
    std::string dest = c.dest;
    bool into_dir = dest.back() == '/' || m_dirs.count(dest) > 0;
    if (into_dir && dest.back() != '/') {
      dest += "/";
    }
    Result<std::vector<AddedFile>> added =
        add_host_path(m_files.layer, match, dest, c.chmod, c.uid, c.gid);
    if (!added) {
      problem(c,
              c.instruction + " " + source + ": " + added.error().what + ": " + added.error().why +
                  (added.error().details.empty() ? std::string() : "\n" + added.error().details),
              added.error().kind);
      return;
    }
    std::error_code ec;
    std::string dir =
        dest.size() > 1 && dest.back() == '/' ? dest.substr(0, dest.size() - 1) : dest;
    if (into_dir || fs::is_directory(match, ec)) {
      m_dirs.insert(dir);
    }
    m_files.added.insert(m_files.added.end(), added->begin(), added->end());
  }

  fs::path m_context;
  std::string m_name;
  std::set<std::string> m_dirs;
  DockerfileFiles m_files;
  Diagnostics m_problems;
};

} // namespace

Result<DockerfileFiles> resolve_dockerfile_files(const DockerfilePlan& plan,
                                                 const fs::path& context, std::string_view name) {
  return Resolver(context, name).run(plan);
}

void apply_dockerfile_config(const DockerfilePlan& plan, ImageConfig& config) {
  if (plan.entrypoint) {
    config.entrypoint = plan.entrypoint;
  }
  if (plan.cmd) {
    config.cmd = plan.cmd;
  }
  for (const std::string& entry : plan.env) {
    std::string key = entry.substr(0, entry.find('=') + 1);
    auto it = std::find_if(config.env.begin(), config.env.end(),
                           [&](const std::string& e) { return e.rfind(key, 0) == 0; });
    if (it != config.env.end()) {
      *it = entry;
    } else {
      config.env.push_back(entry);
    }
  }
  for (const auto& [k, v] : plan.labels) {
    config.labels[k] = v;
  }
  config.exposed_ports.insert(plan.exposed_ports.begin(), plan.exposed_ports.end());
  config.volumes.insert(plan.volumes.begin(), plan.volumes.end());
  if (plan.user) {
    config.user = *plan.user;
  }
  if (plan.working_dir) {
    config.working_dir = *plan.working_dir;
  }
  if (plan.stop_signal) {
    config.stop_signal = *plan.stop_signal;
  }
  if (plan.author) {
    config.author = *plan.author;
  }
}

} // namespace sp::packager
