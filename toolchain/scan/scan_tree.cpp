// Scanning an image's filesystem (its files in memory, or read on demand from a source): every
// ELF in it, then the entrypoint rules a container runtime will apply at `docker run` time, with
// symlinks resolved inside the tree the way the kernel resolves them inside the container's root.
#include "toolchain/scan/elf_reader.h"
#include "toolchain/scan/findings.h"
#include "toolchain/scan/scanner.h"
#include "util/strings.h"

#include <algorithm>
#include <deque>
#include <map>

namespace sp::scan {

namespace {

/// Docker's and runc's PATH when the image sets none.
constexpr std::string_view k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr int k_max_symlinks = 40; // Linux's MAXSYMLINKS

std::string join_path(const std::vector<std::string>& parts) {
  return parts.empty() ? "/" : "/" + join(parts, "/");
}

/// The image's files by normalised absolute path.
class Tree {
public:
  explicit Tree(const std::vector<TreeFile>& files) {
    for (const TreeFile& f : files) {
      m_files[join_path(path_components(f.path))] = &f;
    }
  }

  /// Follows symlinks in every component, like path resolution inside the container's root
  /// ("/.." stays "/"). Sets `resolved` to the final path; nullptr when nothing is there.
  const TreeFile* resolve(std::string_view path, std::string& resolved) const {
    std::deque<std::string> todo;
    for (std::string& c : path_components(path)) {
      todo.push_back(std::move(c));
    }
    std::vector<std::string> done;
    const TreeFile* node = nullptr;
    int links = 0;
    while (!todo.empty()) {
      std::string c = std::move(todo.front());
      todo.pop_front();
      if (c == "..") {
        if (!done.empty()) {
          done.pop_back();
        }
        node = nullptr;
        continue;
      }
      done.push_back(c);
      node = find(join_path(done));
      if (node == nullptr) {
        // Directories need not be listed; a missing last component is what fails.
        continue;
      }
      if (node->type == TreeFile::Type::symlink) {
        if (++links > k_max_symlinks) {
          return nullptr;
        }
        done.pop_back();
        if (node->link_target.starts_with('/')) {
          done.clear();
        }
        std::vector<std::string> target = path_components(node->link_target);
        todo.insert(todo.begin(), target.begin(), target.end());
        node = nullptr;
      } else if (node->type == TreeFile::Type::file && !todo.empty()) {
        return nullptr; // ENOTDIR
      }
    }
    resolved = join_path(done);
    return node;
  }

private:
  const TreeFile* find(const std::string& path) const {
    auto it = m_files.find(path);
    return it == m_files.end() ? nullptr : it->second;
  }

  std::map<std::string, const TreeFile*> m_files;
};

struct Lookup {
  const TreeFile* file = nullptr;
  std::string resolved;
};

/// Finds a program as execve() in the container would: a name with '/' from the root (the
/// working directory is "/" unless the image sets one), a bare name on the default PATH.
Lookup find_program(const Tree& tree, const std::string& name) {
  Lookup l;
  if (name.find('/') != std::string::npos) {
    l.file = tree.resolve(name, l.resolved);
    return l;
  }
  for (const std::string& dir : split(k_default_path, ':')) {
    l.file = tree.resolve(dir + "/" + name, l.resolved);
    if (l.file != nullptr && l.file->type == TreeFile::Type::file) {
      return l;
    }
  }
  return Lookup{};
}

/// Scans one file of the tree: from its contents when it has a source, else from its data.
FileReport scan_tree_file(std::string path, const TreeFile& file, const ScanOptions& options) {
  if (file.contents) {
    if (std::unique_ptr<ByteSource> source = file.contents()) {
      return scan_source(std::move(path), *source, options);
    }
  }
  return scan_bytes(std::move(path), file.data, options);
}

/// The report of `path`, added when not there yet: a non-ELF entrypoint was skipped quietly and
/// now gets a report of its own.
FileReport& report_for(ScanReport& report, const std::string& path, const TreeFile& file,
                       const ScanOptions& options) {
  for (FileReport& r : report.files) {
    if (r.path == path) {
      return r;
    }
  }
  report.files.push_back(scan_tree_file(path, file, options));
  if (file.type == TreeFile::Type::file && report.skipped > 0) {
    --report.skipped;
  }
  return report.files.back();
}

/// The #! interpreter of a script entrypoint must exist; for "env NAME" so must NAME.
std::optional<std::string> missing_interpreter(const Tree& tree, const Shebang& s) {
  Lookup interp = find_program(tree, s.program);
  if (interp.file == nullptr || interp.file->type != TreeFile::Type::file) {
    return s.program;
  }
  std::string base = s.program.substr(s.program.rfind('/') + 1);
  if (base == "env" && !s.argument.empty() && !s.argument.starts_with('-')) {
    std::string name = s.argument.substr(0, s.argument.find(' '));
    Lookup target = find_program(tree, name);
    if (target.file == nullptr || target.file->type != TreeFile::Type::file) {
      return name + " (run through " + s.program + ")";
    }
  }
  return std::nullopt;
}

void check_entrypoint(const Tree& tree, const std::string& argv0, const ScanOptions& options,
                      const std::string& prefix, ScanReport& report) {
  Lookup l = find_program(tree, argv0);
  if (l.file == nullptr) {
    FileReport r;
    r.path = prefix + argv0;
    r.kind = "missing";
    r.entrypoint = true;
    r.findings.push_back(make_finding(
        "entrypoint.missing", "entrypoint " + argv0 + " does not exist in the image", options));
    report.files.push_back(std::move(r));
    return;
  }
  FileReport& r = report_for(report, prefix + l.resolved, *l.file, options);
  r.entrypoint = true;
  std::string shown = argv0 + (l.resolved != argv0 ? " -> " + l.resolved : "");
  r.findings.push_back(
      make_finding("info.entrypoint", "the image's entrypoint (" + shown + ")", options));
  if (l.file->type == TreeFile::Type::dir) {
    r.findings.push_back(make_finding("entrypoint.not-executable",
                                      "entrypoint " + shown + " is a directory", options));
    return;
  }
  if ((l.file->mode & 0111) == 0) {
    r.findings.push_back(make_finding("entrypoint.not-executable",
                                      "entrypoint " + shown + " has no executable bit", options));
  }
  if (is_elf_magic(l.file->data)) {
    return;
  }
  if (std::optional<Shebang> s = parse_shebang(l.file->data)) {
    if (std::optional<std::string> missing = missing_interpreter(tree, *s)) {
      r.findings.push_back(make_finding("entrypoint.script-interpreter-missing",
                                        "entrypoint " + shown + " is a script for " + *missing +
                                            ", which is not in the image",
                                        options));
    }
    return;
  }
  r.findings.push_back(make_finding("entrypoint.not-elf",
                                    "entrypoint " + shown +
                                        " is neither an ELF executable nor a #! script; exec "
                                        "fails with \"exec format error\"",
                                    options));
}

} // namespace

ScanReport scan_tree(const std::vector<TreeFile>& files,
                     const std::vector<std::string>& entrypoint_argv, const ScanOptions& options,
                     const std::string& display_prefix) {
  ScanReport report;
  report.platform = options.platform;
  report.strict = options.strict;
  for (const TreeFile& f : files) {
    if (f.type != TreeFile::Type::file) {
      continue;
    }
    if (is_elf_magic(f.data)) {
      report.files.push_back(
          scan_tree_file(display_prefix + join_path(path_components(f.path)), f, options));
    } else {
      ++report.skipped;
    }
  }
  if (!entrypoint_argv.empty()) {
    Tree tree(files);
    check_entrypoint(tree, entrypoint_argv.front(), options, display_prefix, report);
  }
  std::sort(report.files.begin(), report.files.end(),
            [](const FileReport& a, const FileReport& b) { return a.path < b.path; });
  return report;
}

} // namespace sp::scan
