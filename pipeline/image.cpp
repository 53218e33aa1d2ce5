#include "pipeline/image.h"

#include "packager/layer.h"
#include "packager/writers.h"
#include "publish/load.h"
#include "runtime-stub/runtime_stub.h"
#include "toolchain/version.h"
#include "util/diagnostics.h"
#include "util/sha256.h"
#include "util/strings.h"
#include "util/target.h"

#include <algorithm>
#include <fstream>
#include <set>

namespace sp::pipeline {

namespace pk = packager;

namespace {

/// The base layer: files a scratch image lacks (passwd, CA bundle, zoneinfo, /tmp).
Result<pk::LayerSpec> base_layer(const ImagePlan& plan, std::vector<std::string>& what) {
  pk::LayerSpec spec;
  if (plan.nonroot) {
    pk::add_nonroot(spec);
    what.push_back("passwd");
  }
  if (plan.ca_certs) {
    SP_TRY(pk::add_ca_certs(spec));
    what.push_back("ca-certificates");
  }
  if (plan.tzdata) {
    SP_TRY(pk::add_tzdata(spec));
    what.push_back("tzdata");
  }
  if (plan.tmp) {
    pk::add_tmp(spec);
    what.push_back("/tmp");
  }
  return spec;
}

/// The application layer: the binaries, the adds, a Dockerfile's files, the init. `added` gets
/// every host file the gate must scan.
Result<pk::LayerSpec> app_layer(const ImagePlan& plan, const PlatformInput& input,
                                std::vector<pk::AddedFile>& added) {
  pk::LayerSpec spec;
  for (const ImageFile& f : input.files) {
    spec.add_file(f.dest, f.source, f.mode, 0, 0, f.sha256);
    if (!f.scanned) {
      added.push_back({f.source, f.dest});
    }
  }
  if (input.extra) {
    spec.entries.insert(spec.entries.end(), input.extra->entries.begin(),
                        input.extra->entries.end());
    added.insert(added.end(), input.extra_added.begin(), input.extra_added.end());
  }
  for (const pk::AddSpec& add : plan.adds) {
    auto files = SP_TRY(pk::add_spec(spec, add));
    added.insert(added.end(), files.begin(), files.end());
  }
  if (plan.init) {
    std::string_view stub = runtime_stub::binary(input.platform.architecture);
    if (stub.empty()) {
      return failure("--init", "no init is built for " + input.platform.to_string());
    }
    spec.add_bytes(std::string(runtime_stub::k_path), std::string(stub), 0755);
  }
  return spec;
}

/// Enough of a file for the entrypoint rules (the kernel reads 256 bytes of a #! line).
constexpr size_t k_entrypoint_head = 4096;

Result<std::string> read_head(const fs::path& path, size_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return io_error(path.string(), "cannot read");
  }
  std::string head(size, '\0');
  in.read(head.data(), static_cast<std::streamsize>(size));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

scan::TreeFile tree_file(const pk::LayerEntry& e) {
  scan::TreeFile t;
  t.path = e.path;
  switch (e.type) {
  case pk::EntryType::file:
    t.type = scan::TreeFile::Type::file;
    t.mode = e.mode.value_or(e.data ? 0644 : (is_executable_file(e.source) ? 0755 : 0644));
    break;
  case pk::EntryType::directory:
    t.type = scan::TreeFile::Type::dir;
    t.mode = e.mode.value_or(0755);
    break;
  case pk::EntryType::symlink:
    t.type = scan::TreeFile::Type::symlink;
    t.mode = 0777;
    t.link_target = e.link_target;
    break;
  }
  return t;
}

/// The path `start` leads to after following symlinks inside the tree.
std::string follow_links(const std::vector<scan::TreeFile>& tree, std::string target) {
  for (int hops = 0; hops < 40; ++hops) {
    auto it =
        std::find_if(tree.begin(), tree.end(), [&](const auto& t) { return t.path == target; });
    if (it == tree.end() || it->type != scan::TreeFile::Type::symlink) {
      break;
    }
    target = it->link_target.starts_with("/")
                 ? it->link_target
                 : (fs::path(target).parent_path() / it->link_target).lexically_normal().string();
  }
  return target;
}

/// The image's file tree as the scanner sees it: every entry with its mode, and the start of the
/// file the container runs — the entrypoint rules need only its ELF magic or #! line. Files from
/// the host are scanned in full from disk by scan_file, which reads only what it needs; bytes
/// made in memory (the init) are small and kept whole.
Result<std::vector<scan::TreeFile>> scan_tree_of(const std::vector<const pk::LayerSpec*>& specs,
                                                 const std::string& start) {
  std::vector<scan::TreeFile> tree;
  for (const pk::LayerSpec* spec : specs) {
    for (const pk::LayerEntry& e : spec->entries) {
      tree.push_back(tree_file(e));
    }
  }
  std::string target = follow_links(tree, start);
  for (const pk::LayerSpec* spec : specs) {
    for (const pk::LayerEntry& e : spec->entries) {
      if (e.path != target || e.type != pk::EntryType::file) {
        continue;
      }
      auto it =
          std::find_if(tree.begin(), tree.end(), [&](const auto& t) { return t.path == target; });
      it->data = e.data ? *e.data : SP_TRY(read_head(e.source, k_entrypoint_head));
    }
  }
  return tree;
}

/// The scan gate: every regular file added is scanned against the platform (non-ELF files have
/// nothing to report), then the entrypoint rules over the whole tree.
scan::ScanReport run_gate(const ImagePlan& plan, const PlatformInput& input,
                          const std::vector<pk::AddedFile>& added,
                          const std::vector<scan::TreeFile>& tree, const pk::ImageConfig& config) {
  scan::ScanOptions opts;
  opts.platform = input.platform;
  opts.strict = plan.strict;
  scan::ScanReport report;
  report.platform = input.platform;
  report.strict = plan.strict;
  for (const pk::AddedFile& a : added) {
    scan::FileReport f = scan::scan_file(a.source.string(), opts);
    if (f.kind == "elf" || !f.findings.empty()) {
      f.path = "image:" + a.dest + " (from " + a.source.string() + ")";
      report.files.push_back(std::move(f));
    }
  }
  // Files from the host were scanned from disk (above, or by the build's own gate): from the
  // tree scan they contribute only the entrypoint rules. Files made in memory (the init) are
  // scanned here in full.
  std::set<std::string> from_disk;
  for (const ImageFile& f : input.files) {
    from_disk.insert("image:" + f.dest);
  }
  for (const pk::AddedFile& a : added) {
    from_disk.insert("image:" + a.dest);
  }
  scan::ScanReport entry = scan::scan_tree(tree, pk::start_argv(config), opts, "image:");
  for (scan::FileReport& f : entry.files) {
    if (from_disk.count(f.path)) {
      std::erase_if(f.findings,
                    [](const scan::Finding& x) { return !x.code.starts_with("entrypoint."); });
    }
    if (f.entrypoint || !f.findings.empty()) {
      report.files.push_back(std::move(f));
    }
  }
  return report;
}

/// Both layers built (through the cache), with their history lines in `config`.
Result<std::vector<pk::Layer>> build_layers(const ImagePlan& plan, const pk::LayerSpec& base,
                                            const std::vector<std::string>& base_what,
                                            const pk::LayerSpec& app, const pk::BlobStore& store,
                                            pk::ImageConfig& config) {
  pk::LayerOptions lo;
  lo.compression = plan.compression;
  lo.level = plan.level;
  lo.mtime = plan.config.created;
  std::vector<pk::Layer> layers;
  if (!base.entries.empty()) {
    layers.push_back(SP_TRY(pk::build_layer_cached(base, lo, store, plan.layer_cache)));
    config.history.push_back({config.created, "scratchpack: " + join(base_what, ", "), "", false});
  }
  layers.push_back(SP_TRY(pk::build_layer_cached(app, lo, store, plan.layer_cache)));
  std::vector<std::string> dests;
  for (const pk::LayerEntry& e : app.entries) {
    dests.push_back(e.path);
  }
  config.history.push_back({config.created, "scratchpack: " + join(dests, " "), "", false});
  return layers;
}

} // namespace

pk::ImageConfig platform_config(const ImagePlan& plan, const Platform& platform) {
  pk::ImageConfig config = plan.config;
  config.platform = platform;
  if (plan.init) {
    std::vector<std::string> entry = {std::string(runtime_stub::k_path), "--"};
    const auto& user_entry = config.entrypoint.value_or(std::vector<std::string>{});
    entry.insert(entry.end(), user_entry.begin(), user_entry.end());
    config.entrypoint = entry;
  }
  return config;
}

Result<pk::Image> build_platform_image(const ImagePlan& plan, const PlatformInput& input,
                                       const pk::BlobStore& store, Events& events) {
  std::vector<std::string> base_what;
  pk::LayerSpec base = SP_TRY(base_layer(plan, base_what));
  std::vector<pk::AddedFile> added;
  pk::LayerSpec app = SP_TRY(app_layer(plan, input, added));
  pk::ImageConfig config = platform_config(plan, input.platform);
  if (!plan.no_scan) {
    std::vector<std::string> argv = pk::start_argv(config);
    auto tree = SP_TRY(scan_tree_of({&base, &app}, argv.empty() ? std::string() : argv.front()));
    scan::ScanReport gate = run_gate(plan, input, added, tree, config);
    events.findings(gate);
    if (size_t errors = gate.errors()) {
      return failure("scan gate",
                     std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                         " in the image's files; nothing was packaged",
                     "'scratchpack scan' shows every finding; docs/scan.md explains each code");
    }
  }
  std::vector<pk::Layer> layers = SP_TRY(build_layers(plan, base, base_what, app, store, config));
  pk::Annotations annotations = pk::standard_annotations(
      config.created, plan.ref.repository, plan.ref.tag == "latest" ? "" : plan.ref.tag);
  for (const auto& [k, v] : plan.annotations) {
    annotations[k] = v;
  }
  return pk::make_image(std::move(config), layers, annotations, store);
}

Result<std::vector<pk::Image>> build_images(const ImagePlan& plan,
                                            const std::vector<PlatformInput>& inputs,
                                            const pk::BlobStore& store, Events& events) {
  std::vector<pk::Image> images;
  Diagnostics diag;
  for (const PlatformInput& input : inputs) {
    auto image = build_platform_image(plan, input, store, events);
    if (image) {
      images.push_back(std::move(*image));
      continue;
    }
    Error e = image.take_error();
    if (inputs.size() > 1) {
      // Name the platform: a problem may hold for one platform and not another.
      e.why += " (" + input.platform.to_string() + ")";
    }
    diag.add(std::move(e));
  }
  SP_TRY(diag.status());
  return images;
}

Result<Staging> open_staging(const fs::path& out_dir) {
  auto outputs = SP_TRY(OutputStage::open(out_dir));
  sweep_stale(out_dir, ".scratchpack-blobs"); // what killed runs of older versions left
  auto store = SP_TRY(pk::BlobStore::open(outputs->root() / ".blobs"));
  return Staging{std::move(outputs), std::move(store)};
}

Result<ImageRoot> image_root(const ImagePlan& plan, const std::vector<pk::Image>& images,
                             const pk::BlobStore& store) {
  if (images.size() == 1 && !plan.always_index) {
    return ImageRoot{images.front().manifest, std::nullopt};
  }
  auto index = SP_TRY(pk::make_index(images, pk::standard_annotations(plan.config.created), store));
  pk::Descriptor root = index.descriptor;
  return ImageRoot{root, std::move(index)};
}

namespace {

/// docker's manifest.json holds one platform: the build machine's when it was built, else the
/// first.
Platform docker_platform(const std::vector<pk::Image>& images) {
  Platform host = Target{host_arch(), Libc::glibc}.platform();
  for (const pk::Image& img : images) {
    if (img.platform.architecture == host.architecture) {
      return img.platform;
    }
  }
  return images.front().platform;
}

} // namespace

Result<ImageOutputs> write_images(const ImagePlan& plan, const std::vector<pk::Image>& images,
                                  const pk::BlobStore& store, const fs::path& out_dir,
                                  const std::string& stem, Events& events) {
  ImageRoot root = SP_TRY(image_root(plan, images, store));
  ImageOutputs out;
  out.root = root.descriptor;
  out.digest = out.root.digest.to_string();
  if (plan.supply) {
    SupplyChain supply = *plan.supply;
    if (plan.init) {
      // The init is scratchpack's own code: listed with its digest and scratchpack's version.
      for (pk::ImagePlatform& p : supply.platforms) {
        for (const pk::Image& image : images) {
          std::string_view init = runtime_stub::binary(image.platform.architecture);
          if (image.platform.to_string() == p.platform && !init.empty()) {
            p.extras.push_back({std::string(runtime_stub::k_path), sha256_hex(init),
                                "scratchpack " + toolchain::scratchpack_version()});
          }
        }
      }
    }
    out.documents = SP_TRY(image_documents(supply, root.descriptor, images, plan.ref.repository,
                                           plan.ref.tag, store, plan.build_cache));
  }
  if (plan.format == ImageFormat::none) {
    return out;
  }
  pk::WriteOptions wo;
  if (out.documents) {
    wo.referrers = &out.documents->referrers;
    SP_TRY(make_dirs(out_dir));
    for (const auto& [name, text] : image_document_files(stem, *out.documents)) {
      out.document_paths.push_back(out_dir / name);
      // Beside the archive, which the stage (build) or dist/'s rename (release) makes durable.
      SP_TRY(write_file_atomic(out.document_paths.back(), text, 0644, Durability::ordered));
    }
  }
  wo.refs = {plan.ref.to_string()};
  for (const std::string& tag : plan.extra_tags) {
    wo.refs.push_back(plan.ref.repository + ":" + tag);
  }
  wo.mtime = plan.config.created;
  if (root.index) {
    wo.docker_platform = docker_platform(images);
  }
  SP_TRY(make_dirs(out_dir));
  sweep_stale(out_dir, "." + stem + ".");
  bool archive = plan.format == ImageFormat::archive;
  out.path = out_dir / (stem + (archive ? ".tar" : ".oci"));
  if (archive) {
    SP_TRY(root.index ? pk::write_archive(*root.index, store, out.path, wo)
                      : pk::write_archive(images.front(), store, out.path, wo));
  } else {
    SP_TRY(root.index ? pk::write_oci_dir(*root.index, store, out.path, wo)
                      : pk::write_oci_dir(images.front(), store, out.path, wo));
  }
  if (plan.load) {
    out.loaded_into = SP_TRY(publish::load_archive(out.path));
    events.note("loaded into " + out.loaded_into + " as " + join(wo.refs, ", "));
  }
  return out;
}

std::string image_stem(const pk::ImageRef& ref) {
  return fs::path(ref.repository).filename().string();
}

} // namespace sp::pipeline
