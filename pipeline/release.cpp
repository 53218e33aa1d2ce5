#include "pipeline/release.h"

#include "packager/blob_store.h"
#include "packager/contents.h"
#include "pipeline/build.h"
#include "pipeline/caches.h"
#include "pipeline/gate.h"
#include "toolchain/materials.h"
#include "toolchain/overlay.h"
#include "toolchain/scan/report_json.h"
#include "util/diagnostics.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

namespace sp::pipeline {

namespace mf = manifests;
namespace pk = packager;
namespace tc = toolchain;

mf::ParseHooks target_hooks() {
  mf::ParseHooks hooks;
  hooks.check_target = [](std::string_view t) -> std::optional<std::string> {
    auto parsed = parse_target(t);
    if (parsed) {
      return std::nullopt;
    }
    return parsed.error().why; // the manifest says "invalid target 'X': " before it
  };
  hooks.target_key = [](std::string_view t) { return parse_target(t)->name(); };
  hooks.check_distcc_hosts = [](std::string_view hosts) -> std::optional<std::string> {
    auto parsed = tc::parse_distcc_hosts(hosts);
    if (parsed) {
      return std::nullopt;
    }
    const Error& e =
        parsed.error().problems.empty() ? parsed.error() : parsed.error().problems.front();
    return e.what + ": " + e.why;
  };
  return hooks;
}

ImagePlan manifest_image_plan(const mf::Image& img, bool size_profile) {
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
  plan.annotations.insert(img.annotations.begin(), img.annotations.end());
  for (const mf::ImageFile& f : img.files) {
    plan.adds.push_back({f.src, f.dest, f.mode, f.owner});
  }
  plan.nonroot = img.nonroot;
  plan.ca_certs = img.ca_certificates;
  plan.tzdata = img.tzdata;
  plan.init = img.init;
  plan.compression = img.compression;
  plan.level =
      compression_level_for(size_profile ? Profile::size : Profile::release, plan.compression);
  return plan;
}

namespace {

/// `dir` absolute and normal, without a trailing '/' ("." is the working directory itself).
fs::path absolute_dir(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  return p.has_filename() || p == p.root_path() ? p : p.parent_path();
}

using BinaryKey = std::pair<std::string, std::string>; // (binary name, target name)

/// Every binary × target of the manifest; a libc the target contradicts is a problem.
void plan_binaries(const mf::Manifest& m, ReleasePlan& plan, std::map<BinaryKey, size_t>& by_key,
                   Diagnostics& diag) {
  for (const mf::Binary& b : m.binaries) {
    for (const mf::TargetName& t : b.targets) {
      Target as_written = *parse_target(t.name); // the parser checked it
      auto target = parse_target(t.name, b.libc);
      if (!target) {
        diag.add(m.problem(t.mark, b.key_path + ".targets",
                           "target '" + t.name + "' is " + std::string(to_string(as_written.libc)) +
                               " but binary " + b.name +
                               " has libc: " + std::string(to_string(*b.libc))));
        continue;
      }
      ReleaseBinary rb;
      rb.name = b.name;
      rb.key = as_written.name();
      rb.target = *target;
      rb.sources = b.sources;
      if (b.cmake) {
        rb.cmake = CMakeSource{b.cmake->dir, {b.cmake->target}, b.cmake->options};
      }
      rb.compile.profile = b.profile;
      rb.compile.c_std = b.c_std;
      rb.compile.cxx_std = b.cxx_std;
      for (const fs::path& d : b.include_dirs) {
        rb.compile.include_dirs.push_back(d.string());
      }
      rb.compile.defines = b.defines;
      rb.compile.prefix_map_from = m.base_dir;
      for (const fs::path& d : b.lib_dirs) {
        rb.lib_dirs.push_back(d.string());
      }
      rb.libs = b.libs;
      rb.pkg_config = b.pkg_config;
      rb.packages = b.packages;
      if (auto it = b.target_packages.find(t.name); it != b.target_packages.end()) {
        rb.packages.insert(rb.packages.end(), it->second.begin(), it->second.end());
      }
      rb.rel_path = target->name() + "/" + b.name;
      by_key[{b.name, rb.key}] = plan.binaries.size();
      plan.binaries.push_back(std::move(rb));
    }
  }
}

/// One image's platforms and the binaries each holds.
ReleaseImage plan_image(const mf::Manifest& m, const mf::Image& img, const ReleasePlan& plan,
                        const std::map<BinaryKey, size_t>& by_key, Diagnostics& diag) {
  ReleaseImage ri;
  ri.name = img.name;
  ri.tags = img.tags;
  ri.stem = fs::path(img.name).filename().string();
  bool all_size = true;
  std::set<std::string> platforms;
  for (const mf::TargetName& t : img.targets) {
    ReleaseImage::Part part;
    Target as_written = *parse_target(t.name); // the key binaries are planned under
    part.target = as_written;
    std::string platform = part.target.platform().to_string();
    if (!platforms.insert(platform).second) {
      diag.add(m.problem(t.mark, img.key_path + ".targets",
                         "two targets give the platform " + platform +
                             "; an image index holds one image per platform"));
    }
    for (const mf::ImageBinary& ref : img.binaries) {
      auto it = by_key.find({ref.name, as_written.name()});
      if (it == by_key.end()) {
        continue; // reported by the manifest parser, or by the binary's own problems
      }
      part.binaries.push_back({it->second, ref.path});
      all_size = all_size && plan.binaries[it->second].compile.profile == Profile::size;
    }
    // What the binaries were built for: "x86_64" with `libc: musl` binaries is x86_64-musl.
    if (!part.binaries.empty()) {
      part.target = plan.binaries[part.binaries.front().first].target;
    }
    ri.parts.push_back(std::move(part));
  }
  ri.plan = manifest_image_plan(img, all_size);
  return ri;
}

} // namespace

Result<ReleasePlan> plan_release(const mf::Manifest& m, const fs::path& out_override) {
  ReleasePlan plan;
  plan.project = m.project;
  plan.base_dir = m.base_dir;
  plan.out_dir = out_override.empty() ? m.output.dir : absolute_dir(out_override);
  plan.push = m.output.push;
  plan.distribute_hosts = m.build.distribute_hosts;
  if (!plan.distribute_hosts.empty()) {
    plan.distribute_where = m.file.string() + ":" + std::to_string(m.build.distribute_mark.line) +
                            ":" + std::to_string(m.build.distribute_mark.column);
  }
  for (mf::OutputFormat f : m.output.formats) {
    plan.formats.push_back(f == mf::OutputFormat::oci_dir ? ImageFormat::oci_dir
                                                          : ImageFormat::archive);
  }
  Diagnostics diag;
  std::map<BinaryKey, size_t> by_key;
  plan_binaries(m, plan, by_key, diag);
  std::set<std::string> stems;
  for (const mf::Image& img : m.images) {
    plan.images.push_back(plan_image(m, img, plan, by_key, diag));
    if (!stems.insert(plan.images.back().stem).second) {
      diag.add(m.problem(img.name_mark, img.key_path + ".name",
                         "another image is also written as " + plan.images.back().stem +
                             ".tar; give the images different last names"));
    }
  }
  if (!diag.empty()) {
    diag.sort_by_position();
    return diag.to_error(m.file.string(), count_problems(diag.count()), ErrorKind::failure);
  }
  return plan;
}

std::optional<std::string> unrecordable(const ReleasePlan& plan) {
  for (const ReleaseBinary& b : plan.binaries) {
    if (b.cmake) {
      return "binary " + b.name + " is a CMake project";
    }
    if (!b.pkg_config.empty() || !b.packages.empty()) {
      return "binary " + b.name + " uses pkg-config or packages";
    }
  }
  return std::nullopt;
}

namespace {

/// What the release reads besides what the engine logs: each binary's -I and -L directories (a
/// header or archive added to one could be found first next time), and what the images take:
/// added files (every file and directory below an added directory), the CA bundle, the time zone
/// database.
void log_plan_inputs(const ReleasePlan& plan, tc::InputLog& log) {
  for (const ReleaseBinary& b : plan.binaries) {
    for (const std::string& d : b.compile.include_dirs) {
      log.add(d);
    }
    for (const std::string& d : b.lib_dirs) {
      log.add(d);
    }
  }
  auto add_tree = [&log](const fs::path& root) {
    log.add(root);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      return;
    }
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      log.add(it->path());
    }
  };
  for (const ReleaseImage& ri : plan.images) {
    for (const pk::AddSpec& add : ri.plan.adds) {
      add_tree(add.source);
    }
    if (ri.plan.ca_certs) {
      log.add(pk::k_host_ca_bundle);
    }
    if (ri.plan.tzdata) {
      add_tree(pk::k_host_zoneinfo);
    }
  }
}

} // namespace

Status check_output_dir(const fs::path& out, const fs::path& manifest_dir) {
  std::error_code ec;
  fs::path o = fs::weakly_canonical(fs::absolute(out), ec);
  const char* home = std::getenv("HOME");
  std::vector<std::pair<std::string, fs::path>> precious = {
      {"the manifest's directory", manifest_dir},
      {"the working directory", fs::current_path(ec)},
      {"the root directory", "/"}};
  if (home && *home) {
    precious.push_back({"your home directory", home});
  }
  std::string what = "output directory " + out.string();
  std::string hint =
      "give the release a directory of its own, e.g. --out " + (manifest_dir / "dist").string();
  for (const auto& [name, dir] : precious) {
    if (lexically_within(fs::weakly_canonical(dir, ec), o)) {
      return usage_error(
          what, "is or contains " + name + "; a release replaces its whole output directory", hint);
    }
  }
  if (fs::exists(fs::symlink_status(o, ec)) && !fs::is_directory(fs::status(o, ec))) {
    return usage_error(what, "exists and is not a directory", hint);
  }
  if (fs::is_directory(fs::status(o, ec)) && !fs::is_empty(o, ec) &&
      !fs::exists(o / k_dist_marker, ec)) {
    return usage_error(what,
                       "is not empty and was not written by scratchpack release, which "
                       "replaces its whole output directory",
                       "empty it or choose another one (--out, or output.dir)");
  }
  fs::path parent = o.parent_path();
  if (fs::exists(parent, ec) && ::access(parent.c_str(), W_OK) != 0) {
    return io_error(what, "its parent directory " + parent.string() + " cannot be written",
                    "choose another output directory with --out");
  }
  return {};
}

namespace {

/// Everything a run produces, filled phase by phase.
struct Run {
  const ReleasePlan& plan;
  const ReleaseRun& options;
  Events& events;
  fs::path dist; ///< the temporary dist/
  ReleaseOutcome outcome;
};

/// Strips the binaries of the size profile, now that the gate has judged their symbol tables.
Status strip_all(Run& r, const std::vector<tc::BinaryRequest>& requests) {
  std::vector<tc::StripRequest> strips;
  std::vector<size_t> which;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (tc::strips(requests[i].compile.profile)) {
      strips.push_back(
          {requests[i].output, r.outcome.binaries[i].sha256, r.plan.binaries[i].rel_path});
      which.push_back(i);
    }
  }
  auto stripped = SP_TRY(tc::strip_binaries(strips, r.options.tools));
  for (size_t k = 0; k < which.size(); ++k) {
    r.outcome.binaries[which[k]].sha256 = stripped[k].sha256;
  }
  return {};
}

/// The manifest's `packages`, added to each target's libraries (sysroot add) before anything
/// compiles: one add per target, of every binary's packages for it; a no-op when all are there.
Status provision_packages(Run& r) {
  std::map<std::string, std::pair<Target, std::vector<std::string>>> by_target;
  for (const ReleaseBinary& b : r.plan.binaries) {
    if (b.packages.empty()) {
      continue;
    }
    auto it = by_target.try_emplace(b.target.name(), b.target, std::vector<std::string>()).first;
    it->second.second.insert(it->second.second.end(), b.packages.begin(), b.packages.end());
  }
  for (auto& [name, entry] : by_target) {
    auto& [target, packages] = entry;
    std::sort(packages.begin(), packages.end());
    packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
    SP_TRY(tc::add_overlay_packages(
        target, packages, r.options.tools.search,
        [&r](const std::string& line) { r.events.progress({"packages", 0, 1, line}); }));
  }
  return {};
}

/// Compiles and links every binary into dist/ (the engine reports every failure), gates them as
/// linked, then strips the size profile's.
Status build_all(Run& r) {
  std::vector<tc::BinaryRequest> requests; // one per binary, in plan order
  std::vector<tc::BinaryRequest> engine;   // those built from sources
  std::vector<size_t> engine_index;
  for (size_t i = 0; i < r.plan.binaries.size(); ++i) {
    const ReleaseBinary& b = r.plan.binaries[i];
    tc::BinaryRequest q;
    q.sources = b.sources;
    q.target = b.target;
    q.compile = b.compile;
    q.lib_dirs = b.lib_dirs;
    q.libs = b.libs;
    if (!b.cmake) {
      SP_TRY(tc::use_pkg_config(q, b.pkg_config, r.options.tools.search));
    }
    q.output = r.dist / b.rel_path;
    q.label = b.name + ", " + b.target.name();
    q.name = b.name;
    q.sbom = sbom_enabled();
    if (!b.cmake) {
      engine.push_back(q);
      engine_index.push_back(i);
    }
    requests.push_back(std::move(q));
  }
  auto results = SP_TRY(tc::build_binaries(engine, r.options.tools, progress_to(r.events)));
  report_launches(r.options.tools, r.events);
  std::vector<GateItem> gate;
  for (size_t k = 0; k < results.size(); ++k) {
    tc::BinaryResult& res = results[k];
    size_t i = engine_index[k];
    if (!res.diagnostics.empty()) {
      r.events.tool_output(res.diagnostics);
    }
    r.outcome.cache.compiled += res.compiled;
    r.outcome.cache.compile_hits += res.compile_hits;
    (res.link_cached ? r.outcome.cache.link_hits : r.outcome.cache.linked) += res.ok() ? 1 : 0;
    const ReleaseBinary& b = r.plan.binaries[i];
    if (res.ok() && res.materials) {
      BinarySbom& sbom = r.outcome.binaries[i].sbom.emplace();
      results[k].sha256 =
          SP_TRY(stamp_binary(requests[i].output, *res.materials, sbom, r.options.tools.cache));
      // Inside dist/'s temporary, renamed whole at the end.
      SP_TRY(
          write_file_atomic(spdx_path(requests[i].output), sbom.spdx, 0644, Durability::ordered));
      SP_TRY(write_file_atomic(cyclonedx_path(requests[i].output), sbom.cyclonedx, 0644,
                               Durability::ordered));
      // SHA256SUMS needs only their digests: memory stays bounded by one binary's documents.
      r.outcome.binaries[i].spdx_sha256 = sha256_hex(sbom.spdx);
      r.outcome.binaries[i].cyclonedx_sha256 = sha256_hex(sbom.cyclonedx);
      std::string().swap(sbom.spdx);
      std::string().swap(sbom.cyclonedx);
    }
    r.outcome.binaries[i].sha256 = res.sha256;
    // Moved, not copied, and the materials dropped (the SBOM holds its copy): what a release
    // holds per binary until the end stays small when it has hundreds.
    gate.push_back({requests[i].output, b.rel_path, res.sha256, b.target.platform(),
                    std::move(res.why_extract),
                    shown_sources(res.object_sources, r.plan.base_dir)});
    res.materials.reset();
    res.object_sources.clear();
    res.link_argv.clear();
  }
  Diagnostics diag;
  if (auto e = tc::build_error(results)) {
    diag.add(*e);
  }
  // CMake projects: configured and built beside dist/ (kept for the next release), their
  // executable copied in; every failure is reported with the engine's.
  for (size_t i = 0; i < r.plan.binaries.size(); ++i) {
    const ReleaseBinary& b = r.plan.binaries[i];
    if (!b.cmake) {
      continue;
    }
    fs::path build_dir = r.plan.out_dir.parent_path() / ".scratchpack-cmake-build" /
                         r.plan.out_dir.filename() / b.name / b.target.name();
    auto exes = cmake_build(*b.cmake, b.target, b.compile.profile, build_dir, r.options.tools.jobs,
                            r.events);
    if (!diag.check(exes)) {
      continue;
    }
    r.outcome.binaries[i].sha256 = SP_TRY(place_executable(exes->front().path, requests[i].output));
    gate.push_back({requests[i].output,
                    b.rel_path,
                    r.outcome.binaries[i].sha256,
                    b.target.platform(),
                    {},
                    {}});
  }
  SP_TRY(diag.status());
  // The gate's reports, in plan order.
  std::map<fs::path, size_t> index_of;
  for (size_t i = 0; i < requests.size(); ++i) {
    index_of[requests[i].output] = i;
  }
  std::sort(gate.begin(), gate.end(), [&](const GateItem& a, const GateItem& b) {
    return index_of.at(a.path) < index_of.at(b.path);
  });
  auto scans = SP_TRY(gate_binaries(gate, false, r.options.tools.cache, "released", r.events));
  for (size_t k = 0; k < scans.size(); ++k) {
    size_t i = index_of.at(gate[k].path);
    r.outcome.binaries[i].scan = std::move(scans[k]);
    r.events.progress({"scan", k + 1, scans.size(), r.plan.binaries[i].rel_path});
  }
  return strip_all(r, requests);
}

/// The provenance of this release's invocation over `boms` (every binary's, or one image's).
pk::ProvenanceRecord release_record(const Run& r, const std::vector<const bom::Binary*>& boms) {
  std::vector<bom::FileDigest> inputs;
  if (!r.options.manifest.empty()) {
    if (auto manifest = tc::file_digest(r.options.manifest)) {
      inputs.push_back(*manifest);
    }
  }
  return provenance_record(pk::k_build_type_release, r.options.arguments, inputs, boms);
}

/// One index per image, written in every output format.
Status package_all(Run& r, const pk::BlobStore& store) {
  size_t n = 0;
  for (size_t i = 0; i < r.plan.images.size(); ++i) {
    const ReleaseImage& ri = r.plan.images[i];
    ImagePlan plan = ri.plan;
    plan.layer_cache = r.options.layer_cache;
    plan.build_cache = r.options.tools.cache;
    std::vector<PlatformInput> inputs;
    SupplyChain supply;
    std::vector<const bom::Binary*> boms;
    bool documented = true;
    for (const ReleaseImage::Part& part : ri.parts) {
      PlatformInput input;
      input.platform = part.target.platform();
      pk::ImagePlatform& sp = supply.platforms.emplace_back();
      sp.platform = input.platform.to_string();
      for (const auto& [index, path] : part.binaries) {
        const ReleaseBinary& b = r.plan.binaries[index];
        const BinaryOutcome& o = r.outcome.binaries[index];
        input.files.push_back({r.dist / b.rel_path, path, 0755, true, o.sha256});
        if (o.sbom) {
          sp.binaries.push_back({o.sbom->bom, path, o.sha256});
          boms.push_back(&o.sbom->bom);
        } else {
          documented = false;
        }
      }
      inputs.push_back(std::move(input));
    }
    if (documented) {
      supply.provenance = release_record(r, boms);
      plan.supply = std::move(supply);
    }
    ImageOutcome& out = r.outcome.images[i];
    auto images = build_images(plan, inputs, store, r.events);
    if (!images) {
      Error e = images.take_error();
      e.what += " (image " + ri.name + ")";
      return e;
    }
    out.images = std::move(*images);
    for (ImageFormat f : r.plan.formats) {
      plan.format = f;
      out.outputs.push_back(
          SP_TRY(write_images(plan, out.images, store, r.dist, ri.stem, r.events)));
    }
    r.events.progress({"package", ++n, r.plan.images.size(), ri.name});
  }
  return {};
}

Status push_all(Run& r, const pk::BlobStore& store) {
  for (size_t i = 0; i < r.plan.images.size(); ++i) {
    const ReleaseImage& ri = r.plan.images[i];
    PushTarget target{ri.plan.ref.to_string(), *r.options.push};
    target.options.extra_tags = ri.plan.extra_tags;
    ImageOutcome& out = r.outcome.images[i];
    out.pushed = SP_TRY(push_root(out.outputs.front().root, store, target, r.events));
    if (out.outputs.front().documents) {
      out.referrers =
          SP_TRY(push_documents(out.outputs.front().documents->referrers, store, target, r.events));
    }
    r.events.progress({"push", i + 1, r.plan.images.size(), out.pushed->pushed()});
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

/// Hashes what is in dist/ (binaries' hashes are known from the link) and writes SHA256SUMS
/// and report.json beside them.
Status write_sums_and_report(Run& r) {
  std::map<std::string, std::string> known;
  for (size_t i = 0; i < r.plan.binaries.size(); ++i) {
    known[r.plan.binaries[i].rel_path] = r.outcome.binaries[i].sha256;
    if (r.outcome.binaries[i].sbom) {
      known[spdx_path(r.plan.binaries[i].rel_path).string()] = r.outcome.binaries[i].spdx_sha256;
      known[cyclonedx_path(r.plan.binaries[i].rel_path).string()] =
          r.outcome.binaries[i].cyclonedx_sha256;
    }
  }
  for (const std::string& rel : files_under(r.dist)) {
    auto it = known.find(rel);
    std::string hash =
        it != known.end() && !it->second.empty() ? it->second : SP_TRY(file_sha256(r.dist / rel));
    r.outcome.artifacts[rel] = {hash, fs::file_size(r.dist / rel)};
  }
  SP_TRY(write_file_atomic(r.dist / "SHA256SUMS", sha256sums(r.outcome.artifacts)));
  // The whole release's provenance: every artifact SHA256SUMS lists, from this invocation.
  std::vector<const bom::Binary*> boms;
  for (const BinaryOutcome& b : r.outcome.binaries) {
    if (b.sbom) {
      boms.push_back(&b.sbom->bom);
    }
  }
  pk::ProvenanceRecord record = release_record(r, boms);
  for (const auto& [rel, a] : r.outcome.artifacts) {
    record.subjects.push_back({rel, a.sha256});
  }
  SP_TRY(write_file_atomic(r.dist / "provenance.json", pk::provenance_statement(record)));
  r.outcome.report = report_json(r.plan, r.outcome, source_date_epoch());
  SP_TRY(write_file_atomic(r.dist / "report.json", r.outcome.report));
  // Last, and listed nowhere: the mark that lets the next release replace this directory.
  return write_file_atomic(r.dist / k_dist_marker,
                           "written by scratchpack release; the next release replaces this "
                           "directory whole\n");
}

} // namespace

Result<ReleaseOutcome> run_release(const ReleasePlan& plan, const ReleaseRun& options,
                                   Events& events) {
  // Everything is written under a temporary sibling of dist/ and renamed at the end: a failed
  // release leaves the previous dist/ (or none) as it was.
  SP_TRY(check_output_dir(plan.out_dir, plan.base_dir));
  SP_TRY(make_dirs(plan.out_dir.parent_path()));
  // What killed releases left beside dist/.
  sweep_stale(plan.out_dir.parent_path(), "." + plan.out_dir.filename().string() + ".");
  sweep_stale(plan.out_dir.parent_path(), ".scratchpack-blobs");
  AtomicPath dist(plan.out_dir);
  TempDir blobs(".scratchpack-blobs", plan.out_dir.parent_path());
  pk::BlobStore store = SP_TRY(pk::BlobStore::open(blobs.path()));
  // The engine logs what it reads when the caller asked for the release's inputs.
  ReleaseRun with_log = options;
  with_log.tools.inputs = options.inputs;
  Run r{plan, with_log, events, dist.temp(), {}};
  r.outcome.binaries.resize(plan.binaries.size());
  r.outcome.images.resize(plan.images.size());
  SP_TRY(provision_packages(r));
  if (options.inputs) {
    log_plan_inputs(plan, *options.inputs);
  }
  SP_TRY(build_all(r));
  SP_TRY(package_all(r, store));
  if (options.push) {
    SP_TRY(push_all(r, store));
  }
  SP_TRY(write_sums_and_report(r));
  SP_TRY(dist.commit());
  // The fine clock, not the coarse one file times are usually taken from: a kernel with
  // fine-grained timestamps may stamp the rename's ctime up to a tick after the coarse "now",
  // which made every dist/ look changed after the release wrote it.
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  r.outcome.committed_ns = int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
  events.progress({"write", 1, 1, plan.out_dir.string()});
  return std::move(r.outcome);
}

std::string sha256sums(const std::map<std::string, Artifact>& artifacts) {
  std::string sums;
  for (const auto& [rel, a] : artifacts) {
    sums += a.sha256 + "  " + rel + "\n";
  }
  return sums;
}

namespace {

using Json = nlohmann::ordered_json;

/// The target a platform's binaries were built for; several when their C libraries differ
/// ("x86_64-glibc,x86_64-musl").
std::string part_target(const ReleasePlan& plan, const ReleaseImage::Part& part) {
  std::set<std::string> names;
  for (const auto& [index, path] : part.binaries) {
    names.insert(plan.binaries[index].target.name());
  }
  if (names.empty()) {
    return part.target.name();
  }
  return join(std::vector<std::string>(names.begin(), names.end()), ",");
}

Json image_json(const ReleasePlan& plan, const ReleaseImage& ri, const ImageOutcome& out,
                const fs::path& dist, const std::map<std::string, Artifact>& artifacts) {
  Json img;
  img["name"] = ri.name;
  img["tags"] = ri.tags;
  img["digest"] = out.outputs.empty() ? Json(nullptr) : Json(out.outputs.front().digest);
  img["media_type"] =
      out.outputs.empty() ? Json(nullptr) : Json(out.outputs.front().root.media_type);
  img["platforms"] = Json::array();
  for (size_t i = 0; i < out.images.size(); ++i) {
    img["platforms"].push_back({{"platform", out.images[i].platform.to_string()},
                                {"target", part_target(plan, ri.parts[i])},
                                {"digest", out.images[i].manifest.digest.to_string()}});
  }
  img["outputs"] = Json::array();
  for (const ImageOutputs& o : out.outputs) {
    std::string rel = o.path.lexically_relative(dist).string();
    Json entry = {{"path", rel}, {"format", o.path.extension() == ".tar" ? "archive" : "oci-dir"}};
    if (auto it = artifacts.find(rel); it != artifacts.end()) {
      entry["size"] = it->second.size;
      entry["sha256"] = it->second.sha256;
    }
    img["outputs"].push_back(entry);
  }
  img["pushed"] = out.pushed ? Json(out.pushed->pushed()) : Json(nullptr);
  return img;
}

} // namespace

std::string report_json(const ReleasePlan& plan, const ReleaseOutcome& outcome,
                        int64_t source_date_epoch) {
  Json r;
  r["schema"] = "scratchpack.release/v1";
  r["project"] = plan.project;
  r["source_date_epoch"] = source_date_epoch;
  r["binaries"] = Json::array();
  for (size_t i = 0; i < plan.binaries.size(); ++i) {
    const ReleaseBinary& b = plan.binaries[i];
    auto it = outcome.artifacts.find(b.rel_path);
    Artifact a = it != outcome.artifacts.end() ? it->second : Artifact{};
    r["binaries"].push_back({{"name", b.name},
                             {"target", b.target.name()},
                             {"platform", b.target.platform().to_string()},
                             {"profile", std::string(to_string(b.compile.profile))},
                             {"path", b.rel_path},
                             {"size", a.size},
                             {"sha256", a.sha256},
                             {"scan", scan::verdict_json(outcome.binaries[i].scan)}});
  }
  r["images"] = Json::array();
  for (size_t i = 0; i < plan.images.size(); ++i) {
    // Output paths are under dist/'s temporary name while the report is written.
    fs::path dist = outcome.images[i].outputs.empty()
                        ? plan.out_dir
                        : outcome.images[i].outputs.front().path.parent_path();
    r["images"].push_back(
        image_json(plan, plan.images[i], outcome.images[i], dist, outcome.artifacts));
  }
  r["artifacts"] = Json::array();
  for (const auto& [rel, a] : outcome.artifacts) {
    r["artifacts"].push_back({{"path", rel}, {"size", a.size}, {"sha256", a.sha256}});
  }
  r["cache"] = {{"compiled", outcome.cache.compiled},
                {"compile_hits", outcome.cache.compile_hits},
                {"linked", outcome.cache.linked},
                {"link_hits", outcome.cache.link_hits}};
  return r.dump(2) + "\n";
}

} // namespace sp::pipeline
