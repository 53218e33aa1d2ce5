// `scratchpack verify SOURCE [--source-dir DIR]`: rebuilds what SOURCE's provenance recorded — a
// release's dist/, an image archive or layout, or an image in a registry — on this machine, in a
// temporary directory, from the inputs in DIR (their digests checked first), and compares every
// digest: each file of dist/, and inside an image each index, manifest, config and layer. Exit 0
// identical, 1 something differs (each difference named) or the rebuild failed, 2 usage or I/O.
#include "cli/attached.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/push_flags.h"
#include "packager/layout.h"
#include "packager/provenance.h"
#include "pipeline/verify.h"
#include "util/process.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

struct VerifyFlags {
  std::string source;
  std::string source_dir = ".";
  PushFlags registry;
};

/// The inputs the provenance names that are not the same in `dir` any more.
std::vector<pipeline::Difference> changed_inputs(const packager::ProvenanceRecord& record,
                                                 const fs::path& dir) {
  std::vector<pipeline::Difference> out;
  for (const bom::FileDigest& input : record.inputs) {
    fs::path path = dir / input.path;
    if (!lexically_within(normal_absolute(path), normal_absolute(dir))) {
      out.push_back({"input " + input.path, "names a file outside " + dir.string()});
      continue;
    }
    auto data = read_file(path);
    if (!data) {
      out.push_back({"input " + input.path, "cannot be read here: " + data.error().why});
    } else if (sha256_hex(*data) != input.sha256) {
      out.push_back({"input " + input.path, "sha256:" + sha256_hex(*data) +
                                                " here, sha256:" + input.sha256 + " recorded"});
    }
  }
  return out;
}

/// The one image archive a rebuilt `build` wrote into `out`.
Result<fs::path> rebuilt_archive(const fs::path& out) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out, ec)) {
    if (e.path().extension() == ".tar") {
      return e.path();
    }
  }
  return failure("the rebuild", "wrote no image archive");
}

Result<int> verify(const VerifyFlags& f, Io& io) {
  auto docs = SP_TRY(attached_documents(f.source, f.registry, io.in));
  if (docs.kind == SourceKind::binary) {
    return usage_error("verify " + f.source, "is a binary; its provenance is its image's",
                       "verify the image archive or the release's dist/ it came with");
  }
  std::string text = SP_TRY(pick_document(docs, "provenance", f.source));
  packager::ProvenanceRecord record = SP_TRY(packager::parse_provenance(text));
  SP_TRY(pipeline::check_replayable(record.arguments));
  fs::path dir = normal_absolute(f.source_dir);
  if (auto changed = changed_inputs(record, dir); !changed.empty()) {
    for (const pipeline::Difference& d : changed) {
      io.err << "differs: " << d.what << ": " << d.why << '\n';
    }
    return failure("cannot verify " + f.source,
                   std::to_string(changed.size()) +
                       (changed.size() == 1 ? " input differs" : " inputs differ") +
                       " from what the provenance records, so a rebuild here would not be the "
                       "same build",
                   "run verify in the directory the build ran in (--source-dir DIR), with the "
                   "same sources");
  }
  TempDir scratch("scratchpack-verify");
  fs::path out = scratch.path() / "out";
  std::vector<std::string> argv = {"/proc/self/exe"};
  argv.insert(argv.end(), record.arguments.begin(), record.arguments.end());
  // Without the build cache: the rebuild vouches for nothing it did not make itself.
  argv.insert(argv.end(), {"--out", out.string(), "-q", "--no-cache"});
  ProcessOptions options;
  options.cwd = dir.string();
  options.env = {"SOURCE_DATE_EPOCH=" + std::to_string(record.source_date_epoch)};
  if (!f.registry.quiet) {
    io.err << "rebuilding: scratchpack " << shell_join(record.arguments) << '\n';
    io.err.flush();
  }
  auto ran = SP_TRY(run_process(argv, options));
  if (ran.exit_code != 0) {
    return failure("the rebuild of " + f.source + " failed",
                   "scratchpack " + shell_join(record.arguments) + " exited with " +
                       std::to_string(ran.exit_code))
        .with_details(tail_lines(ran.err, 20));
  }
  std::vector<pipeline::Difference> differences;
  size_t compared = 0;
  if (docs.kind == SourceKind::dist) {
    differences = SP_TRY(pipeline::compare_dists(f.source, out));
    compared = record.subjects.size();
  } else {
    fs::path rebuilt = SP_TRY(rebuilt_archive(out));
    if (docs.kind == SourceKind::layout) {
      differences = SP_TRY(pipeline::compare_images(f.source, rebuilt));
    } else {
      packager::Layout layout = SP_TRY(packager::Layout::open(rebuilt));
      std::string index = SP_TRY(layout.read_document("index.json"));
      auto root = SP_TRY(packager::layout_root(index, layout.where("index.json")));
      if (root.digest.to_string() != docs.digest) {
        differences.push_back(
            {"image", docs.digest + " in the registry, " + root.digest.to_string() + " rebuilt"});
      }
    }
    compared = 1;
  }
  if (!differences.empty()) {
    for (const pipeline::Difference& d : differences) {
      io.out << "differs: " << d.what << ": " << d.why << '\n';
    }
    io.out.flush();
    return print_error(io,
                       failure("verify " + f.source,
                               std::to_string(differences.size()) +
                                   (differences.size() == 1 ? " item differs" : " items differ") +
                                   " from the rebuild"));
  }
  io.out << "identical: " << f.source << " ("
         << (docs.kind == SourceKind::dist
                 ? std::to_string(compared) + " artifacts"
                 : std::string(docs.digest.empty() ? "image" : docs.digest))
         << ") rebuilt from its provenance\n";
  io.out.flush();
  return 0;
}

} // namespace

void register_verify(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Rebuild an image archive, a release's dist/ or a pushed image from its "
                "provenance and compare every digest");
  cmd->add_option("source", f->source,
                  "An image archive (.tar) or OCI layout, a release's dist/, or "
                  "HOST[:PORT]/NAME[:TAG|@sha256:…]")
      ->required();
  cmd->add_option("--source-dir", f->source_dir,
                  "Where the build ran: the provenance's inputs are read, and the rebuild runs, "
                  "here")
      ->capture_default_str();
  add_push_flags(cmd, f->registry, PushFlagsFor::sign);
  cmd->footer("Exit 0: identical; 1: something differs (each item named) or the rebuild failed. "
              "See docs/supply-chain.md.");
  cmd->callback([f, &io, &rc] {
    auto r = verify(*f, io);
    rc = r ? *r : print_error(io, r.error());
  });
}

} // namespace sp::cli
