// `scratchpack sbom SOURCE [--format spdx|cyclonedx|provenance]`: prints a document attached to a
// binary (the SBOM beside it that its package note names), an image archive or layout (its
// referrers), a release's dist/ (provenance.json) or an image in a registry (its referrers, through
// the referrers API or the sha256-<hex> tag). Exit 0 printed, 1 none attached, 2 usage or I/O.
#include "cli/attached.h"
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/push_flags.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

struct SbomFlags {
  std::string source;
  std::string format = "spdx";
  PushFlags registry;
};

int run_sbom(const SbomFlags& f, Io& io) {
  auto docs = attached_documents(f.source, f.registry, io.in);
  if (!docs) {
    return print_error(io, docs.error());
  }
  auto doc = pick_document(*docs, f.format, f.source);
  if (!doc) {
    return print_error(io, doc.error());
  }
  io.out << *doc;
  io.out.flush();
  return 0;
}

} // namespace

void register_sbom(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<SbomFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sbom", "Print the SBOM (or provenance) of a binary, an image archive, a release's dist/ or "
              "an image in a registry");
  cmd->add_option("source", f->source,
                  "A binary built by scratchpack, an image archive (.tar) or OCI layout, a "
                  "release's dist/, or HOST[:PORT]/NAME[:TAG|@sha256:…]")
      ->required();
  cmd->add_option("--format", f->format,
                  "spdx (SPDX 2.3), cyclonedx (CycloneDX 1.5) or provenance "
                  "(in-toto, SLSA provenance v1)")
      ->check(CLI::IsMember({"spdx", "cyclonedx", "provenance"}))
      ->capture_default_str();
  add_push_flags(cmd, f->registry, PushFlagsFor::sign);
  cmd->footer("See docs/supply-chain.md.");
  cmd->callback([f, &io, &rc] { rc = run_sbom(*f, io); });
}

} // namespace sp::cli
