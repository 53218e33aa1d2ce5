#include "cli/release.h"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/image_options.h"
#include "manifests/manifest.h"
#include "toolchain/build.h"
#include "toolchain/libcxx.h"
#include "util/parallel.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace sp::cli {

namespace {

namespace tc = toolchain;
namespace pk = packager;
namespace mf = manifests;

/// One binary for one target.
struct BinaryBuild {
  const mf::Binary* binary = nullptr;
  std::string key;         ///< the manifest's name for the target ("aarch64-glibc"), for images
  tc::Target target;       ///< with the binary's libc applied
  tc::CompileOptions compile;
  bool cxx = false;
  std::string rel_path;    ///< "<target>/<name>" under dist/
  std::vector<size_t> units;
  // Filled as the release goes.
  scan::FileReport scan;
  std::string sha256;
  uint64_t size = 0;
};

/// One image: a plan and, per platform, the binaries it holds.
struct ImageBuild {
  const mf::Image* image = nullptr;
  ImagePlan plan;
  std::string stem; ///< file name under dist/ without extension
  struct PlatformPart {
    tc::Target target;
    std::vector<std::pair<size_t, std::string>> binaries; ///< BinaryBuild index, path in image
  };
  std::vector<PlatformPart> platforms;
  // Filled as the release goes.
  std::vector<pk::Image> images;
  std::vector<ImageOutputs> outputs; ///< one per format
  std::optional<publish::PushResult> pushed;
};

struct ReleasePlan {
  mf::Manifest manifest;
  fs::path out_dir;
  std::vector<BinaryBuild> binaries;
  std::vector<ImageBuild> images;
  std::vector<tc::Target> targets; ///< distinct, in first-use order
};

tc::Profile to_profile(mf::Profile p) {
  return p == mf::Profile::debug ? tc::Profile::debug
         : p == mf::Profile::size ? tc::Profile::size
                                  : tc::Profile::release;
}

pk::Compression to_compression(mf::Compression c) {
  return c == mf::Compression::zstd ? pk::Compression::zstd
         : c == mf::Compression::none ? pk::Compression::none
                                      : pk::Compression::gzip;
}

mf::ParseHooks target_hooks() {
  mf::ParseHooks hooks;
  hooks.check_target = [](std::string_view t) -> std::optional<std::string> {
    auto parsed = tc::parse_target(t);
    if (parsed) {
      return std::nullopt;
    }
    return parsed.error().why; // the manifest says "invalid target 'X': " before it
  };
  hooks.target_key = [](std::string_view t) { return tc::parse_target(t)->name(); };
  return hooks;
}

/// The image's plan, from the manifest's (already validated) fields.
ImagePlan plan_manifest_image(const mf::Image& img, bool size_profile) {
  ImagePlan plan;
  plan.ref = {img.name, img.tags.front()};
  plan.extra_tags.assign(img.tags.begin() + 1, img.tags.end());
  plan.always_index = true;
  plan.config = pk::default_config({}, source_date_epoch());
  if (!img.entrypoint.empty()) {
    plan.config.entrypoint = img.entrypoint;
  }
  if (!img.cmd.empty()) {
    plan.config.cmd = img.cmd;
  }
  for (const auto& [k, v] : img.env) {
    plan.config.env.push_back(k + "=" + v);
  }
  // Numeric in the config, as --nonroot does: Kubernetes' runAsNonRoot cannot check a name.
  plan.config.user = img.user == "nonroot" ? std::string(pk::k_nonroot_user) : img.user;
  plan.config.working_dir = img.workdir;
  for (const mf::Port& p : img.expose) {
    plan.config.exposed_ports.insert(p.to_string());
  }
  plan.config.labels = img.labels;
  plan.config.stop_signal = img.stop_signal;
  for (const auto& [k, v] : img.annotations) {
    plan.annotations[k] = v;
  }
  for (const mf::ImageFile& f : img.files) {
    plan.adds.push_back({f.src, f.dest, f.mode});
  }
  plan.nonroot = img.nonroot;
  plan.ca_certs = img.ca_certificates;
  plan.tzdata = img.tzdata;
  plan.init = img.init;
  plan.compression = to_compression(img.compression);
  // Like `build --profile size`: an image of only size-profile binaries gets the strongest level.
  plan.level = size_profile ? (plan.compression == pk::Compression::zstd ? 19 : 9) : 0;
  return plan;
}

Result<ReleasePlan> plan_release(mf::Manifest manifest, const fs::path& out_override) {
  ReleasePlan plan;
  plan.out_dir = out_override.empty() ? manifest.output.dir : fs::absolute(out_override);
  std::vector<std::string> problems;
  std::map<std::pair<std::string, std::string>, size_t> by_key; // (binary, target key) → index
  std::set<std::string> seen_targets;
  for (const mf::Binary& b : manifest.binaries) {
    auto cxx = tc::check_sources(b.sources);
    if (!cxx) {
      problems.push_back(manifest.diagnostic(b.sources_mark, b.key_path + ".sources",
                                             cxx.error().what + ": " + cxx.error().why));
      continue;
    }
    for (const mf::TargetName& t : b.targets) {
      std::optional<tc::Libc> libc;
      if (b.libc) {
        libc = *b.libc == mf::Libc::musl ? tc::Libc::musl : tc::Libc::glibc;
      }
      auto target = tc::parse_target(t.name, libc);
      if (!target) {
        // The manifest checked the target alone; what fails here is the binary's libc with it.
        problems.push_back(manifest.diagnostic(
            t.mark, b.key_path + ".targets",
            "target '" + t.name + "' is " + std::string(tc::to_string(tc::parse_target(t.name)->libc)) +
                " but binary " + b.name + " has libc: " +
                std::string(mf::to_string(*b.libc))));
        continue;
      }
      BinaryBuild bb;
      bb.binary = &b;
      bb.key = tc::parse_target(t.name)->name();
      bb.target = *target;
      bb.cxx = *cxx;
      bb.compile.profile = to_profile(b.profile);
      bb.compile.std = b.std;
      for (const fs::path& d : b.include_dirs) {
        bb.compile.include_dirs.push_back(d.string());
      }
      bb.compile.defines = b.defines;
      bb.compile.prefix_map_from = manifest.base_dir;
      bb.rel_path = target->name() + "/" + b.name;
      by_key[{b.name, bb.key}] = plan.binaries.size();
      plan.binaries.push_back(std::move(bb));
      if (seen_targets.insert(target->name()).second) {
        plan.targets.push_back(*target);
      }
    }
  }
  std::set<std::string> stems;
  for (const mf::Image& img : manifest.images) {
    ImageBuild ib;
    ib.image = &img;
    ib.stem = fs::path(img.name).filename().string();
    if (!stems.insert(ib.stem).second) {
      problems.push_back(manifest.diagnostic(img.name_mark, img.key_path + ".name",
                                             "another image is also written as " + ib.stem +
                                                 ".tar; give the images different last names"));
    }
    bool all_size = true;
    std::set<std::string> platforms;
    for (const mf::TargetName& t : img.targets) {
      ImageBuild::PlatformPart part;
      part.target = *tc::parse_target(t.name);
      if (!platforms.insert(part.target.platform().to_string()).second) {
        problems.push_back(manifest.diagnostic(
            t.mark, img.key_path + ".targets",
            "two targets give the platform " + part.target.platform().to_string() +
                "; an image index holds one image per platform"));
      }
      for (const mf::ImageBinary& ref : img.binaries) {
        auto it = by_key.find({ref.name, part.target.name()});
        if (it == by_key.end()) {
          continue; // reported by the manifest parser, or by the binary's own problems above
        }
        part.binaries.push_back({it->second, ref.path});
        all_size = all_size && plan.binaries[it->second].binary->profile == mf::Profile::size;
      }
      ib.platforms.push_back(std::move(part));
    }
    ib.plan = plan_manifest_image(img, all_size);
    plan.images.push_back(std::move(ib));
  }
  if (!problems.empty()) {
    Error e = failure(manifest.file.string(), std::to_string(problems.size()) +
                                                  (problems.size() == 1 ? " problem" : " problems") +
                                                  " found");
    e.details = join(problems, "\n");
    return e;
  }
  plan.manifest = std::move(manifest);
  return plan;
}

/// Reports progress under a lock: compile steps finish on worker threads.
class Progress {
public:
  explicit Progress(const std::function<void(const ReleaseProgress&)>& fn) : m_fn(fn) {}
  void operator()(std::string phase, size_t done, size_t total, std::string what) {
    if (!m_fn) {
      return;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_fn({std::move(phase), done, total, std::move(what)});
  }

private:
  const std::function<void(const ReleaseProgress&)>& m_fn;
  std::mutex m_mutex;
};

std::string unit_label(const tc::CompileUnit& u, const BinaryBuild& b) {
  return u.job.source.filename().string() + " (" + b.binary->name + ", " + b.target.name() + ")";
}

} // namespace

namespace {

/// Everything the run produces besides the plan.
struct ReleaseState {
  TempDir objdir{"scratchpack-objs"};
  std::vector<tc::CompileUnit> units;
  std::vector<size_t> unit_owner; ///< unit → BinaryBuild
  std::map<std::string, tc::Sysroot> sysroots;
  size_t compiled = 0, compile_hits = 0, linked = 0, link_hits = 0;
};

/// Each target's sysroot; for a target with C++ binaries, the one ready for C++ (on musl,
/// libc++ is built on first use and cached — progress lines go to `progress`).
Status find_sysroots(const ReleasePlan& plan, ReleaseState& st, Progress& progress) {
  for (const tc::Target& t : plan.targets) {
    auto s = tc::find_sysroot(t);
    if (!s) {
      return s.take_error();
    }
    st.sysroots.emplace(t.name(), std::move(*s));
  }
  std::set<std::string> ready;
  for (const BinaryBuild& b : plan.binaries) {
    if (!b.cxx || !ready.insert(b.target.name()).second) {
      continue;
    }
    tc::Sysroot& sysroot = st.sysroots.at(b.target.name());
    std::string phase = "C++ runtime for " + b.target.name();
    auto cxx = tc::ensure_cxx_runtime(
        sysroot, [&](const std::string& line) { progress(phase, 0, 1, line); });
    if (!cxx) {
      Error e = cxx.take_error();
      e.what += " (binary " + b.binary->name + ")";
      return e;
    }
    if (!sysroot.has_cxx()) {
      progress(phase, 1, 1, "ready");
    }
    sysroot = std::move(*cxx);
  }
  return {};
}

Status compile_all(ReleasePlan& plan, ReleaseState& st, const tc::Compiler& compiler,
                   tc::BuildCache* cache, unsigned jobs, Progress& progress) {
  for (size_t bi = 0; bi < plan.binaries.size(); ++bi) {
    BinaryBuild& b = plan.binaries[bi];
    for (const fs::path& src : b.binary->sources) {
      tc::CompileUnit u;
      u.sysroot = &st.sysroots.at(b.target.name());
      u.options = &b.compile;
      u.job.source = src;
      std::string stem = std::to_string(st.units.size()) + "-" + src.stem().string();
      u.job.object = st.objdir.path() / (stem + ".o");
      u.job.depfile = st.objdir.path() / (stem + ".d");
      u.job.language = *tc::language_of(src);
      b.units.push_back(st.units.size());
      st.units.push_back(std::move(u));
      st.unit_owner.push_back(bi);
    }
  }
  std::atomic<size_t> done{0};
  auto results = tc::compile_units(compiler, st.units, jobs, cache, [&](size_t i) {
    progress("compile", ++done, st.units.size(),
             unit_label(st.units[i], plan.binaries[st.unit_owner[i]]));
  });
  if (!results) {
    return results.take_error();
  }
  if (auto e = tc::compile_error(st.units, *results)) {
    return *e;
  }
  for (const tc::UnitResult& r : *results) {
    (r.cached ? st.compile_hits : st.compiled) += 1;
  }
  return {};
}

Status link_all(ReleasePlan& plan, ReleaseState& st, const fs::path& dist, tc::BuildCache* cache,
                Io& io, Progress& progress) {
  for (size_t i = 0; i < plan.binaries.size(); ++i) {
    BinaryBuild& b = plan.binaries[i];
    tc::LinkOptions link;
    for (size_t u : b.units) {
      link.objects.push_back(st.units[u].job.object);
    }
    for (const fs::path& d : b.binary->lib_dirs) {
      link.lib_dirs.push_back(d.string());
    }
    link.libs = b.binary->libs;
    link.cxx = b.cxx;
    link.profile = b.compile.profile;
    auto linked = tc::link_binary(b.target, st.sysroots.at(b.target.name()), link,
                                  dist / b.rel_path, cache);
    if (!linked) {
      Error e = linked.take_error();
      e.what += " (binary " + b.binary->name + ", " + b.target.name() + ")";
      return e;
    }
    io.err << linked->diagnostics;
    (linked->cached ? st.link_hits : st.linked) += 1;
    b.sha256 = linked->sha256;
    progress("link", i + 1, plan.binaries.size(), b.rel_path);
  }
  return {};
}

/// The scan gate over every binary; all findings are printed, errors stop the release.
Status scan_all(ReleasePlan& plan, const fs::path& dist, tc::BuildCache* cache, Io& io,
                Progress& progress) {
  scan::ScanReport report;
  for (size_t i = 0; i < plan.binaries.size(); ++i) {
    BinaryBuild& b = plan.binaries[i];
    scan::ScanOptions opts;
    opts.platform = b.target.platform();
    b.scan = tc::scan_file_cached(dist / b.rel_path, b.sha256, opts, cache);
    b.scan.path = b.rel_path;
    report.files.push_back(b.scan);
    progress("scan", i + 1, plan.binaries.size(), b.rel_path);
  }
  print_gate_findings(io, report);
  if (size_t errors = report.errors()) {
    return failure("scan gate", std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                                    " in the binaries; nothing was released");
  }
  return {};
}

Status package_all(ReleasePlan& plan, const fs::path& dist, const pk::BlobStore& store, Io& io,
                   Progress& progress) {
  size_t total = plan.images.size(), n = 0;
  for (ImageBuild& ib : plan.images) {
    for (const ImageBuild::PlatformPart& part : ib.platforms) {
      PlatformInput input;
      input.platform = part.target.platform();
      for (const auto& [index, path] : part.binaries) {
        const BinaryBuild& b = plan.binaries[index];
        input.files.push_back({dist / b.rel_path, path, 0755, true, b.sha256});
      }
      GateResult gate;
      auto image = build_platform_image(ib.plan, input, store, gate);
      print_gate_findings(io, gate.report);
      if (!image) {
        Error e = image.take_error();
        e.what += " (image " + ib.image->name + ", " + input.platform.to_string() + ")";
        return e;
      }
      ib.images.push_back(std::move(*image));
    }
    for (mf::OutputFormat f : plan.manifest.output.formats) {
      ImagePlan p = ib.plan;
      p.format = f == mf::OutputFormat::oci_dir ? ImageFormat::oci_dir : ImageFormat::archive;
      auto out = finish_images(p, ib.images, store, dist, ib.stem);
      if (!out) {
        return out.take_error();
      }
      ib.outputs.push_back(std::move(*out));
    }
    progress("package", ++n, total, ib.image->name);
  }
  return {};
}

Status push_all(ReleasePlan& plan, const ReleaseOptions& options, const pk::BlobStore& store,
                Io& io, Progress& progress) {
  size_t n = 0;
  for (ImageBuild& ib : plan.images) {
    PushFlags flags = options.push_flags;
    flags.ref = ib.plan.ref.to_string();
    flags.tags = ib.plan.extra_tags;
    flags.quiet = flags.quiet || options.json;
    auto pushed = push_with_flags(io, flags, ib.outputs.front().root, store);
    if (!pushed) {
      return pushed.take_error();
    }
    ib.pushed = std::move(*pushed);
    progress("push", ++n, plan.images.size(), ib.pushed->pushed());
  }
  return {};
}

/// Every regular file under `dir`, relative, sorted (what SHA256SUMS lists).
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_regular_file()) {
      files.push_back(fs::relative(it->path(), dir).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::string> hash_file(const fs::path& path) {
  Sha256 h;
  Status s = pk::for_each_block(path, [&](const char* data, size_t size) {
    h.update(data, size);
    return Status{};
  });
  if (!s) {
    return s.take_error();
  }
  return h.hex_digest();
}

nlohmann::ordered_json scan_json(const scan::FileReport& f) {
  nlohmann::ordered_json j;
  j["errors"] = f.count(scan::Severity::error);
  j["warnings"] = f.count(scan::Severity::warning);
  j["findings"] = nlohmann::ordered_json::array();
  for (const scan::Finding& x : f.findings) {
    if (x.severity != scan::Severity::info) {
      j["findings"].push_back({{"code", x.code},
                               {"severity", std::string(scan::severity_name(x.severity))},
                               {"message", x.message}});
    }
  }
  return j;
}

/// SHA256SUMS and report.json; the report's artifact list is SHA256SUMS's.
Result<std::string> write_sums_and_report(ReleasePlan& plan, const ReleaseState& st,
                                          const fs::path& dist) {
  std::map<std::string, std::pair<std::string, uint64_t>> artifacts;
  std::string sums;
  std::map<std::string, std::string> known; // the binaries' hashes came with the link
  for (const BinaryBuild& b : plan.binaries) {
    known[b.rel_path] = b.sha256;
  }
  for (const std::string& rel : files_under(dist)) {
    auto it = known.find(rel);
    auto hash = it != known.end() && !it->second.empty() ? Result<std::string>(it->second)
                                                         : hash_file(dist / rel);
    if (!hash) {
      return hash.take_error();
    }
    artifacts[rel] = {*hash, fs::file_size(dist / rel)};
    sums += *hash + "  " + rel + "\n";
  }
  if (Status s = write_file_atomic(dist / "SHA256SUMS", sums); !s) {
    return s.take_error();
  }
  nlohmann::ordered_json r;
  r["schema"] = "scratchpack.release/v1";
  r["project"] = plan.manifest.project;
  r["source_date_epoch"] = source_date_epoch();
  r["binaries"] = nlohmann::ordered_json::array();
  for (BinaryBuild& b : plan.binaries) {
    auto [sha, size] = artifacts.at(b.rel_path);
    r["binaries"].push_back({{"name", b.binary->name},
                             {"target", b.target.name()},
                             {"platform", b.target.platform().to_string()},
                             {"profile", std::string(tc::to_string(b.compile.profile))},
                             {"path", b.rel_path},
                             {"size", size},
                             {"sha256", sha},
                             {"scan", scan_json(b.scan)}});
  }
  r["images"] = nlohmann::ordered_json::array();
  for (ImageBuild& ib : plan.images) {
    nlohmann::ordered_json img;
    img["name"] = ib.image->name;
    img["tags"] = ib.image->tags;
    img["digest"] = ib.outputs.front().digest;
    img["media_type"] = ib.outputs.front().root.media_type;
    img["platforms"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < ib.images.size(); ++i) {
      img["platforms"].push_back({{"platform", ib.images[i].platform.to_string()},
                                  {"target", ib.platforms[i].target.name()},
                                  {"digest", ib.images[i].manifest.digest.to_string()}});
    }
    img["outputs"] = nlohmann::ordered_json::array();
    for (const ImageOutputs& o : ib.outputs) {
      std::string rel = fs::relative(o.path, dist).string();
      nlohmann::ordered_json out = {{"path", rel},
                                    {"format", o.path.extension() == ".tar" ? "archive" : "oci-dir"}};
      if (auto it = artifacts.find(rel); it != artifacts.end()) {
        out["size"] = it->second.second;
        out["sha256"] = it->second.first;
      }
      img["outputs"].push_back(out);
    }
    img["pushed"] = ib.pushed ? nlohmann::ordered_json(ib.pushed->pushed()) : nullptr;
    r["images"].push_back(img);
  }
  r["artifacts"] = nlohmann::ordered_json::array();
  for (const auto& [rel, info] : artifacts) {
    r["artifacts"].push_back({{"path", rel}, {"size", info.second}, {"sha256", info.first}});
  }
  r["cache"] = {{"compiled", st.compiled},
                {"compile_hits", st.compile_hits},
                {"linked", st.linked},
                {"link_hits", st.link_hits}};
  std::string text = r.dump(2) + "\n";
  if (Status s = write_file_atomic(dist / "report.json", text); !s) {
    return s.take_error();
  }
  return text;
}

void print_summary(const ReleasePlan& plan, Io& io) {
  fs::path d = plan.out_dir;
  for (const BinaryBuild& b : plan.binaries) {
    io.out << (d / b.rel_path).string() << '\n';
  }
  for (const ImageBuild& ib : plan.images) {
    for (const ImageOutputs& o : ib.outputs) {
      io.out << (d / o.path.filename()).string() << ' ' << ib.plan.ref.to_string()
             << '@' << o.digest << " (" << ib.images.size()
             << (ib.images.size() == 1 ? " platform)" : " platforms)") << '\n';
    }
    if (ib.pushed) {
      io.out << ib.pushed->pushed() << '\n';
    }
  }
  io.out << (d / "SHA256SUMS").string() << '\n' << (d / "report.json").string() << '\n';
}

} // namespace

int run_release(const ReleaseOptions& options, Io& io,
                const std::function<void(const ReleaseProgress&)>& progress_fn) {
  auto manifest = mf::load_manifest(options.manifest, target_hooks());
  if (!manifest) {
    return print_error(io, manifest.error());
  }
  auto plan = plan_release(std::move(*manifest), options.out_dir);
  if (!plan) {
    return print_error(io, plan.error());
  }
  auto compiler = tc::find_compiler();
  if (!compiler) {
    return print_error(io, compiler.error());
  }
  std::unique_ptr<tc::BuildCache> cache = options.no_cache ? nullptr : open_build_cache(io);
  std::unique_ptr<pk::LayerCache> layer_cache = options.no_cache ? nullptr : open_layer_cache(io);
  for (ImageBuild& ib : plan->images) {
    ib.plan.layer_cache = layer_cache.get();
  }
  Progress progress(progress_fn);
  ReleaseState st;
  if (Status s = find_sysroots(*plan, st, progress); !s) {
    return print_error(io, s.error());
  }
  // Everything is written under a temporary sibling of dist/ and renamed at the end: a failed
  // release leaves the previous dist/ (or none) as it was.
  if (Status s = make_dirs(plan->out_dir.parent_path()); !s) {
    return print_error(io, s.error());
  }
  AtomicPath dist(plan->out_dir);
  TempDir blobs(".scratchpack-blobs", plan->out_dir.parent_path());
  auto store = pk::BlobStore::open(blobs.path());
  if (!store) {
    return print_error(io, store.error());
  }
  unsigned jobs = options.jobs ? options.jobs : default_jobs();
  Status s = compile_all(*plan, st, *compiler, cache.get(), jobs, progress);
  if (s) {
    s = link_all(*plan, st, dist.temp(), cache.get(), io, progress);
  }
  if (s) {
    s = scan_all(*plan, dist.temp(), cache.get(), io, progress);
  }
  if (s) {
    s = package_all(*plan, dist.temp(), *store, io, progress);
  }
  if (s && (options.push || plan->manifest.output.push)) {
    s = push_all(*plan, options, *store, io, progress);
  }
  if (!s) {
    return print_error(io, s.error());
  }
  auto report = write_sums_and_report(*plan, st, dist.temp());
  if (!report) {
    return print_error(io, report.error());
  }
  if (Status c = dist.commit(); !c) {
    return print_error(io, c.error());
  }
  progress("write", 1, 1, plan->out_dir.string());
  if (options.json) {
    io.out << *report;
  } else {
    print_summary(*plan, io);
  }
  return 0;
}

} // namespace sp::cli
