#include "cli/image_options.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <ostream>
#include <set>

#include "cli/diagnostics.h"
#include "cli/scan_render.h"
#include "packager/layer.h"
#include "packager/writers.h"
#include "publish/load.h"
#include "runtime-stub/runtime_stub.h"
#include "util/fs.h"
#include "util/strings.h"

namespace sp::cli {

namespace pk = packager;

void add_image_flags(CLI::App* cmd, ImageFlags& f) {
  const char* g = "Image";
  cmd->add_option("--image", f.image, "Image name NAME[:TAG] (default: the binary's name, :latest)")
      ->group(g);
  cmd->add_option("--format", f.format, "archive (OCI + docker .tar), oci-dir, or none")
      ->capture_default_str()
      ->group(g);
  cmd->add_option("--cmd", f.cmd, "Cmd in exec form, e.g. '[\"/hello\",\"--flag\"]'")->group(g);
  cmd->add_option("--entrypoint", f.entrypoint, "Entrypoint in exec form")->group(g);
  cmd->add_option("--env", f.env, "Environment variable K=V (repeatable)")->group(g);
  cmd->add_option("--user", f.user, "User to run as: uid, uid:gid or name")->group(g);
  cmd->add_option("--workdir", f.workdir, "Working directory (absolute)")->group(g);
  cmd->add_option("--expose", f.expose, "Port to expose: 8080, 8080/tcp, 53/udp")->group(g);
  cmd->add_option("--label", f.labels, "Config label K=V (repeatable)")->group(g);
  cmd->add_option("--annotation", f.annotations, "Manifest annotation K=V (repeatable)")->group(g);
  cmd->add_option("--stop-signal", f.stop_signal, "Signal that stops the container")->group(g);
  cmd->add_option("--add", f.adds, "Add a host file or tree: SRC:DEST[:MODE]")->group(g);
  cmd->add_flag("--nonroot", f.nonroot, "Run as nonroot (65532:65532), with /etc/passwd and /etc/group")
      ->group(g);
  cmd->add_flag("--ca-certs", f.ca_certs, "Add the host's CA bundle at /etc/ssl/certs/ca-certificates.crt")
      ->group(g);
  cmd->add_flag("--tzdata", f.tzdata, "Add the host's /usr/share/zoneinfo")->group(g);
  cmd->add_flag("--tmp", f.tmp, "Add /tmp with mode 1777")->group(g);
  cmd->add_flag("--init", f.init, "Run the program under scratchpack's tiny PID-1 init")->group(g);
  cmd->add_flag("--load", f.load, "Load the image into podman (or docker) afterwards")->group(g);
  cmd->add_option("--compression", f.compression, "Layer compression: gzip, zstd or none")
      ->capture_default_str()
      ->group(g);
  cmd->add_option("--compression-level", f.level, "Compression level (0: the default)")->group(g);
  cmd->add_flag("--strict", f.strict, "Scan gate: treat warnings (glibc traps…) as errors")->group(g);
  cmd->add_flag("--no-scan", f.no_scan,
                "Skip the scan gate (for payloads that deliberately carry dynamic objects)")
      ->group(g);
}

namespace {

Result<ImageFormat> parse_format(std::string_view text) {
  if (text == "archive") {
    return ImageFormat::archive;
  }
  if (text == "oci-dir") {
    return ImageFormat::oci_dir;
  }
  if (text == "none") {
    return ImageFormat::none;
  }
  return usage_error("--format " + std::string(text), "unknown format",
                     "use archive, oci-dir or none");
}

/// Splits K=V; the key must be non-empty.
Result<std::pair<std::string, std::string>> key_value(std::string_view flag, std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return usage_error(std::string(flag) + " " + std::string(text), "expected KEY=VALUE");
  }
  return std::pair{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

/// Fills the config fields from the flags; every flag is checked before the first error returns.
Status plan_config(const ImageFlags& f, const std::vector<std::string>& default_cmd,
                   pk::ImageConfig& c) {
  // A bad flag value is a usage error (exit 2), whatever the parser calls it.
  auto as_usage = [](Error e) {
    e.kind = ErrorKind::usage;
    return e;
  };
  if (!f.entrypoint.empty()) {
    auto e = pk::parse_exec_form(f.entrypoint, "ENTRYPOINT");
    if (!e) {
      return as_usage(e.take_error());
    }
    c.entrypoint = *e;
  }
  if (!f.cmd.empty()) {
    auto e = pk::parse_exec_form(f.cmd, "CMD");
    if (!e) {
      return as_usage(e.take_error());
    }
    c.cmd = *e;
  }
  if (f.cmd.empty() && f.entrypoint.empty()) {
    c.cmd = default_cmd;
  }
  for (const std::string& kv : f.env) {
    if (Status s = pk::check_env(kv); !s) {
      return s;
    }
    c.env.push_back(kv);
  }
  for (const std::string& kv : f.labels) {
    auto l = key_value("--label", kv);
    if (!l) {
      return l.take_error();
    }
    c.labels[l->first] = l->second;
  }
  for (const std::string& p : f.expose) {
    auto ports = pk::parse_ports(p);
    if (!ports) {
      return ports.take_error();
    }
    c.exposed_ports.insert(ports->begin(), ports->end());
  }
  c.user = f.user.empty() && f.nonroot ? std::string(pk::k_nonroot_user) : f.user;
  if (!c.user.empty()) {
    if (Status s = pk::check_user(c.user); !s) {
      return s;
    }
    if (!f.nonroot && !pk::is_numeric_user(c.user)) {
      return usage_error("--user " + c.user, "a scratch image has no /etc/passwd to look the name up in",
                         "use a numeric uid[:gid], or --nonroot for 65532 with passwd and group files");
    }
  }
  if (!f.workdir.empty()) {
    if (Status s = pk::check_working_dir(f.workdir); !s) {
      return s;
    }
    c.working_dir = f.workdir;
  }
  if (!f.stop_signal.empty()) {
    if (Status s = pk::check_stop_signal(f.stop_signal); !s) {
      return s;
    }
    c.stop_signal = f.stop_signal;
  }
  return {};
}

} // namespace

Result<ImagePlan> plan_image(const ImageFlags& f, const std::string& default_name,
                             const std::vector<std::string>& default_cmd) {
  ImagePlan plan;
  auto format = parse_format(f.format);
  if (!format) {
    return format.take_error();
  }
  plan.format = *format;
  std::string name = f.image;
  if (name.empty()) {
    for (char ch : default_name) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  auto ref = pk::parse_image_ref(name);
  if (!ref) {
    Error e = ref.take_error();
    if (f.image.empty()) {
      e.hint = "name the image with --image NAME[:TAG]";
    }
    return e;
  }
  plan.ref = *ref;
  plan.config = pk::default_config({}, source_date_epoch());
  if (Status s = plan_config(f, default_cmd, plan.config); !s) {
    return s.take_error();
  }
  for (const std::string& text : f.adds) {
    auto add = pk::parse_add_spec(text);
    if (!add) {
      return add.take_error();
    }
    plan.adds.push_back(*add);
  }
  for (const std::string& kv : f.annotations) {
    auto a = key_value("--annotation", kv);
    if (!a) {
      return a.take_error();
    }
    plan.annotations[a->first] = a->second;
  }
  auto compression = pk::parse_compression(f.compression);
  if (!compression) {
    return compression.take_error();
  }
  plan.compression = *compression;
  // 0 stays 0: the packager picks the default by the layer's size.
  if (f.level != 0) {
    auto level = pk::resolve_level(plan.compression, f.level);
    if (!level) {
      return level.take_error();
    }
  }
  plan.level = f.level;
  if (f.load && plan.format != ImageFormat::archive) {
    return usage_error("--load", "needs --format archive (the file that is loaded)");
  }
  plan.nonroot = f.nonroot;
  plan.ca_certs = f.ca_certs;
  plan.tzdata = f.tzdata;
  plan.tmp = f.tmp;
  plan.init = f.init;
  plan.load = f.load;
  plan.strict = f.strict;
  plan.no_scan = f.no_scan;
  return plan;
}

namespace {

/// The base layer: files a scratch image lacks (passwd, CA bundle, zoneinfo, /tmp).
Result<pk::LayerSpec> base_layer(const ImagePlan& plan, std::vector<std::string>& what) {
  pk::LayerSpec spec;
  if (plan.nonroot) {
    pk::add_nonroot(spec);
    what.push_back("passwd");
  }
  if (plan.ca_certs) {
    if (Status s = pk::add_ca_certs(spec); !s) {
      return s.take_error();
    }
    what.push_back("ca-certificates");
  }
  if (plan.tzdata) {
    if (Status s = pk::add_tzdata(spec); !s) {
      return s.take_error();
    }
    what.push_back("tzdata");
  }
  if (plan.tmp) {
    pk::add_tmp(spec);
    what.push_back("/tmp");
  }
  return spec;
}

/// The application layer: the binaries, --add files, a Dockerfile's files, the init.
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
    auto files = pk::add_spec(spec, add);
    if (!files) {
      return files.take_error();
    }
    added.insert(added.end(), files->begin(), files->end());
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

/// The image's file tree as the scanner sees it: every entry with its mode, and the start of the
/// file the container runs — the entrypoint rules need only its ELF magic or #! line. Files from
/// the host are scanned in full from disk by scan_file, which reads only what it needs; bytes
/// made in memory (the init) are small and kept whole.
Result<std::vector<scan::TreeFile>> scan_tree_of(const std::vector<const pk::LayerSpec*>& specs,
                                                 const std::string& start) {
  std::vector<scan::TreeFile> tree;
  for (const pk::LayerSpec* spec : specs) {
    for (const pk::LayerEntry& e : spec->entries) {
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
      tree.push_back(std::move(t));
    }
  }
  // Follow symlinks to the file that runs, then load its bytes.
  std::string target = start;
  for (int hops = 0; hops < 40; ++hops) {
    auto it = std::find_if(tree.begin(), tree.end(), [&](const auto& t) { return t.path == target; });
    if (it == tree.end() || it->type != scan::TreeFile::Type::symlink) {
      break;
    }
    target = it->link_target.starts_with("/")
                 ? it->link_target
                 : (fs::path(target).parent_path() / it->link_target).lexically_normal().string();
  }
  for (const pk::LayerSpec* spec : specs) {
    for (const pk::LayerEntry& e : spec->entries) {
      if (e.path != target || e.type != pk::EntryType::file) {
        continue;
      }
      auto it = std::find_if(tree.begin(), tree.end(), [&](const auto& t) { return t.path == target; });
      if (e.data) {
        it->data = *e.data;
      } else {
        auto head = read_head(e.source, k_entrypoint_head);
        if (!head) {
          return head.take_error();
        }
        it->data = std::move(*head);
      }
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
      std::erase_if(f.findings, [](const scan::Finding& x) {
        return !x.code.starts_with("entrypoint.");
      });
    }
    if (f.entrypoint || !f.findings.empty()) {
      report.files.push_back(std::move(f));
    }
  }
  return report;
}

} // namespace

Result<pk::Image> build_platform_image(const ImagePlan& plan, const PlatformInput& input,
                                       const pk::BlobStore& store, GateResult& gate) {
  std::vector<std::string> base_what;
  auto base = base_layer(plan, base_what);
  if (!base) {
    return base.take_error();
  }
  std::vector<pk::AddedFile> added;
  auto app = app_layer(plan, input, added);
  if (!app) {
    return app.take_error();
  }
  pk::ImageConfig config = plan.config;
  config.platform = input.platform;
  if (plan.init) {
    std::vector<std::string> entry = {std::string(runtime_stub::k_path), "--"};
    const auto& user_entry = config.entrypoint.value_or(std::vector<std::string>{});
    entry.insert(entry.end(), user_entry.begin(), user_entry.end());
    config.entrypoint = entry;
  }

  std::vector<std::string> argv = pk::start_argv(config);
  if (!plan.no_scan) {
    auto tree = scan_tree_of({&*base, &*app}, argv.empty() ? std::string() : argv.front());
    if (!tree) {
      return tree.take_error();
    }
    gate.report = run_gate(plan, input, added, *tree, config);
  }
  if (size_t errors = gate.report.errors()) {
    return failure("scan gate", std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                                    " in the image's files; nothing was packaged",
                   "'scratchpack scan' shows every finding; docs/scan.md explains each code");
  }

  pk::LayerOptions lo;
  lo.compression = plan.compression;
  lo.level = plan.level;
  lo.mtime = plan.config.created;
  std::vector<pk::Layer> layers;
  if (!base->entries.empty()) {
    auto layer = pk::build_layer_cached(*base, lo, store, plan.layer_cache);
    if (!layer) {
      return layer.take_error();
    }
    layers.push_back(*layer);
    config.history.push_back({config.created, "scratchpack: " + join(base_what, ", "), "", false});
  }
  auto layer = pk::build_layer_cached(*app, lo, store, plan.layer_cache);
  if (!layer) {
    return layer.take_error();
  }
  layers.push_back(*layer);
  std::vector<std::string> dests;
  for (const pk::LayerEntry& e : app->entries) {
    dests.push_back(e.path);
  }
  config.history.push_back({config.created, "scratchpack: " + join(dests, " "), "", false});

  pk::Annotations annotations = pk::standard_annotations(
      config.created, plan.ref.repository, plan.ref.tag == "latest" ? "" : plan.ref.tag);
  for (const auto& [k, v] : plan.annotations) {
    annotations[k] = v;
  }
  return pk::make_image(std::move(config), layers, annotations, store);
}

Result<Staging> open_staging(const fs::path& out_dir) {
  if (Status s = make_dirs(out_dir); !s) {
    return s.take_error();
  }
  auto dir = std::make_unique<TempDir>(".scratchpack-blobs", out_dir);
  auto store = pk::BlobStore::open(dir->path());
  if (!store) {
    return store.take_error();
  }
  return Staging{std::move(dir), std::move(*store)};
}

Result<ImageOutputs> finish_images(const ImagePlan& plan, const std::vector<pk::Image>& images,
                                   const pk::BlobStore& store, const fs::path& out_dir,
                                   const std::string& file_stem) {
  ImageOutputs out;
  pk::WriteOptions wo;
  wo.refs = {plan.ref.to_string()};
  for (const std::string& tag : plan.extra_tags) {
    wo.refs.push_back(plan.ref.repository + ":" + tag);
  }
  wo.mtime = plan.config.created;
  std::optional<pk::Index> index;
  if (images.size() == 1 && !plan.always_index) {
    out.root = images.front().manifest;
  } else {
    auto made = pk::make_index(images, pk::standard_annotations(plan.config.created), store);
    if (!made) {
      return made.take_error();
    }
    index = std::move(*made);
    out.root = index->descriptor;
    // docker's manifest.json holds one platform: the build machine's when it was built.
    wo.docker_platform = images.front().platform;
    for (const pk::Image& img : images) {
      if (img.platform.architecture == "amd64") {
        wo.docker_platform = img.platform;
      }
    }
  }
  out.digest = out.root.digest.to_string();
  if (plan.format == ImageFormat::none) {
    return out;
  }
  if (Status s = make_dirs(out_dir); !s) {
    return s.take_error();
  }
  Status written;
  if (plan.format == ImageFormat::archive) {
    out.path = out_dir / (file_stem + ".tar");
    written = index ? pk::write_archive(*index, store, out.path, wo)
                    : pk::write_archive(images.front(), store, out.path, wo);
  } else {
    out.path = out_dir / (file_stem + ".oci");
    written = index ? pk::write_oci_dir(*index, store, out.path, wo)
                    : pk::write_oci_dir(images.front(), store, out.path, wo);
  }
  if (!written) {
    return written.take_error();
  }
  if (plan.load) {
    auto engine = publish::load_archive(out.path);
    if (!engine) {
      return engine.take_error();
    }
    out.loaded_into = *engine;
  }
  return out;
}

int publish_images(Io& io, const ImagePlan& plan, const std::vector<pk::Image>& images,
                   const pk::BlobStore* store, const fs::path& out_dir,
                   const std::string& file_stem, const PushFlags& push, bool json,
                   const std::vector<fs::path>& binaries) {
  std::optional<ImageOutputs> outputs;
  std::optional<publish::PushResult> pushed;
  if (!images.empty()) {
    auto written = finish_images(plan, images, *store, out_dir, file_stem);
    if (!written) {
      return print_error(io, written.error());
    }
    outputs = std::move(*written);
    if (!outputs->loaded_into.empty()) {
      print_note(io, "loaded into " + outputs->loaded_into + " as " + plan.ref.to_string());
    }
    if (!push.ref.empty()) {
      auto r = push_with_flags(io, push, outputs->root, *store);
      if (!r) {
        return print_error(io, r.error());
      }
      pushed = std::move(*r);
    }
  }
  if (json) {
    nlohmann::ordered_json j;
    j["binaries"] = nlohmann::ordered_json::array();
    for (const fs::path& b : binaries) {
      j["binaries"].push_back(b.string());
    }
    j["image"] = nullptr;
    if (outputs) {
      j["image"] = {{"path", outputs->path.empty() ? nlohmann::ordered_json(nullptr)
                                                   : nlohmann::ordered_json(outputs->path.string())},
                    {"reference", plan.ref.to_string()},
                    {"digest", outputs->digest},
                    {"media_type", outputs->root.media_type},
                    {"platforms", images.size()}};
    }
    j["push"] = pushed ? push_result_object(*pushed) : nlohmann::ordered_json(nullptr);
    io.out << j.dump(2) << '\n';
    return 0;
  }
  for (const fs::path& b : binaries) {
    io.out << b.string() << '\n';
  }
  if (outputs && !outputs->path.empty()) {
    io.out << outputs->path.string() << ' ' << plan.ref.to_string() << '@' << outputs->digest
           << '\n';
  }
  if (pushed) {
    io.out << pushed->pushed() << '\n';
  }
  return 0;
}

void print_gate_findings(Io& io, const scan::ScanReport& report) {
  ScanView view;
  view.summary = false;
  render_scan_report(io.err, io.color_err, report, view);
}

} // namespace sp::cli
