// `scratchpack push SOURCE REF`: sends an OCI archive or layout directory (written by
// scratchpack or anyone) to a registry: open_push_source → push_root → print the digest.
// Exit 0 pushed, 1 the registry refused or could not be reached, 2 usage or I/O.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/events.h"
#include "cli/json_output.h"
#include "cli/limit_flags.h"
#include "cli/push_flags.h"
#include "pipeline/push.h"
#include "publish/push_source.h"
#include "util/diagnostics.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

struct PushCommandFlags {
  std::string source;
  PushFlags push;
  LimitFlags limits;
  bool json = false;
};

constexpr const char* k_schema = "scratchpack.push/v1";

/// Prints the pushed reference, or the --json document (docs/push.schema.json); and the error.
int print_outcome(Io& io, bool json, const std::optional<publish::PushResult>& pushed,
                  const Error* error) {
  if (json) {
    Json doc = {{"schema", k_schema}, {"push", pushed ? push_result_object(*pushed) : Json()}};
    return print_json(io, std::move(doc), error);
  }
  if (error) {
    return print_error(io, *error);
  }
  print_pushed(io.out, *pushed);
  io.out.flush();
  return 0;
}

int run_push(const PushCommandFlags& f, Io& io) {
  // The flags and the reference are checked before the (possibly large) archive is unpacked.
  Diagnostics diag;
  diag.check(publish::parse_registry_ref(f.push.ref));
  auto options = to_push_options(f.push, io.in);
  diag.check(options);
  auto limits = to_read_limits(f.limits);
  diag.check(limits);
  if (!diag.empty()) {
    Error error = diag.to_error();
    return print_outcome(io, f.json, std::nullopt, &error);
  }
  options->limits = *limits;
  auto source = publish::open_push_source(f.source, *limits);
  if (!source) {
    return print_outcome(io, f.json, std::nullopt, &source.error());
  }
  TerminalEvents events(io, event_view(f.push.quiet, stderr_is_tty()));
  auto result = pipeline::push_root(source->root, source->store,
                                    pipeline::PushTarget{f.push.ref, std::move(*options)}, events);
  if (!result) {
    return print_outcome(io, f.json, std::nullopt, &result.error());
  }
  return print_outcome(io, f.json, *result, nullptr);
}

} // namespace

void register_push(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<PushCommandFlags>();
  CLI::App* cmd = app.add_subcommand(
      "push", "Push an image archive (.tar) or OCI layout directory to a registry");
  cmd->add_option("source", f->source,
                  "The image: an archive written by build/package, or an "
                  "OCI layout directory")
      ->required();
  cmd->add_option("reference", f->push.ref, "Where to: HOST[:PORT]/NAME[:TAG]")->required();
  add_push_flags(cmd, f->push, PushFlagsFor::push);
  add_limit_flags(cmd, f->limits, LimitScope::push);
  cmd->add_flag("--json", f->json,
                "Print one JSON document (docs/push.schema.json): the pushed reference, "
                "digest and blob counters, or the error");
  cmd->footer("Credentials: --username USER --password-stdin, or $SCRATCHPACK_REGISTRY_USER and "
              "$SCRATCHPACK_REGISTRY_PASSWORD, or --creds USER:PASS (which other users can read "
              "in ps), else $REGISTRY_AUTH_FILE, podman's auth.json, docker's config.json "
              "($DOCKER_CONFIG). Plain HTTP only for loopback registries and --insecure-registry "
              "hosts. Each request ends within --timeout (default 5m) plus 1s per 8 KiB it "
              "uploads. See docs/registry.md.");
  cmd->callback([f, &io, &rc] { rc = run_push(*f, io); });
}

} // namespace sp::cli
