#include "pipeline/scan_image.h"

#include "packager/image_reader.h"
#include "toolchain/scan/elf_reader.h"
#include "util/spool.h"
#include "util/strings.h"

#include <fstream>
#include <map>

namespace sp::pipeline {

namespace pk = packager;

bool looks_like_image(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return fs::exists(path / "oci-layout", ec) || fs::exists(path / "index.json", ec);
  }
  if (!fs::is_regular_file(path, ec)) {
    return false;
  }
  // A POSIX tar header carries "ustar" at offset 257.
  char header[263] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(header, sizeof header);
  return in.gcount() == sizeof header && std::string_view(header + 257, 5) == "ustar";
}

namespace {

scan::TreeFile to_tree_file(pk::FsEntry&& e) {
  scan::TreeFile t;
  t.path = std::move(e.path);
  t.mode = e.mode;
  t.data = std::move(e.data);
  t.link_target = std::move(e.link_target);
  t.type = e.type == pk::FsType::directory ? scan::TreeFile::Type::dir
           : e.type == pk::FsType::symlink ? scan::TreeFile::Type::symlink
                                           : scan::TreeFile::Type::file;
  if (e.spool) {
    // The spool stays open as long as the tree: each scan opens a window on it.
    t.contents = [spool = std::move(e.spool), offset = e.spool_offset, size = e.size] {
      return std::make_unique<scan::FileSource>(spool->fd(), size, offset);
    };
  }
  return t;
}

} // namespace

Result<scan::ScanReport> scan_image(const fs::path& path, const scan::ScanOptions& options,
                                    const pk::ReadLimits& limits) {
  auto images = pk::read_images(path, limits);
  if (!images) {
    return images.take_error();
  }
  scan::ScanReport report;
  report.platform = options.platform;
  report.strict = options.strict;
  std::map<std::string, size_t> per_platform; // two images of one platform need their digests
  for (const pk::ImageInfo& image : *images) {
    ++per_platform[image.config.platform.to_string()];
  }
  size_t scanned = 0;
  for (const pk::ImageInfo& image : *images) {
    const Platform& platform = image.config.platform;
    if (options.platform && !(*options.platform == platform)) {
      continue;
    }
    ++scanned;
    pk::ExtractOptions extract;
    extract.platform = platform;
    if (!image.manifest.digest.empty()) {
      extract.manifest = image.manifest.digest; // each image once, whatever its tags
    }
    extract.limits = limits;
    extract.all_heads = false; // the scanner needs the heads of scripts and ELF files only
    auto files = pk::extract_filesystem(path, extract);
    if (!files) {
      return files.take_error();
    }
    std::vector<scan::TreeFile> tree;
    tree.reserve(files->size());
    for (pk::FsEntry& e : *files) {
      tree.push_back(to_tree_file(std::move(e)));
    }
    files->clear();
    scan::ScanOptions per_image = options;
    per_image.platform = platform;
    std::string label = platform.to_string();
    if (per_platform[label] > 1 && !image.manifest.digest.empty()) {
      label +=
          " " + image.manifest.digest.algorithm() + ":" + image.manifest.digest.hex().substr(0, 12);
    }
    scan::ScanReport r = scan::scan_tree(tree, pk::start_argv(image.config), per_image,
                                         path.string() + "[" + label + "]:");
    for (scan::FileReport& f : r.files) {
      report.files.push_back(std::move(f));
    }
    report.skipped += r.skipped;
  }
  if (scanned == 0) {
    // Nothing to scan as asked: like a path that does not exist, a usage error (exit 2).
    std::vector<std::string> available;
    for (const pk::ImageInfo& image : *images) {
      available.push_back(image.config.platform.to_string());
    }
    return usage_error(path.string(),
                       options.platform ? "holds no image for " + options.platform->to_string()
                                        : "holds no image",
                       available.empty() ? "" : "it holds " + join(available, ", "));
  }
  return report;
}

Result<scan::ScanReport> scan_any(const std::vector<std::string>& paths,
                                  const scan::ScanOptions& options, const pk::ReadLimits& limits) {
  std::vector<std::string> plain;
  std::vector<std::string> images;
  for (const std::string& p : paths) {
    (looks_like_image(p) ? images : plain).push_back(p);
  }
  scan::ScanReport report;
  report.platform = options.platform;
  report.strict = options.strict;
  if (!plain.empty()) {
    auto r = scan::scan_paths(plain, options);
    if (!r) {
      return r.take_error();
    }
    report = std::move(*r);
  }
  for (const std::string& image : images) {
    auto r = scan_image(image, options, limits);
    if (!r) {
      return r.take_error();
    }
    for (scan::FileReport& f : r->files) {
      report.files.push_back(std::move(f));
    }
    report.skipped += r->skipped;
  }
  return report;
}

} // namespace sp::pipeline
