// `scratchpack sign IMAGE_REF --key FILE`: a cosign signature of an image already in a registry:
// parse the reference → load the key → resolve the tag to its digest (unless REF@sha256:… names
// it) → sign_image (merge into sha256-<hex>.sig, push) → print the signature's tag.
// Exit 0 signed (or already signed with this key), 1 the registry refused or could not be
// reached, 2 usage or I/O (a wrong passphrase among them).
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/events.h"
#include "cli/json_output.h"
#include "cli/key_flags.h"
#include "cli/push_flags.h"
#include "publish/signature.h"
#include "util/diagnostics.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

constexpr const char* k_schema = "scratchpack.sign/v1";

struct SignFlags {
  std::string ref;
  KeyFlags key;
  PushFlags registry;
  bool json = false;
};

/// The signature's tag, or the --json document (docs/sign.schema.json); and the error.
int print_outcome(Io& io, bool json, const std::optional<publish::PushedSignature>& signed_,
                  const Error* error) {
  if (json) {
    Json doc = {{"schema", k_schema}, {"signature", signed_ ? signature_object(*signed_) : Json()}};
    return print_json(io, std::move(doc), error);
  }
  if (error) {
    return print_error(io, *error);
  }
  io.out << signed_->reference << '\n';
  io.out.flush();
  return 0;
}

/// Everything from the flags, every problem reported, before the registry is asked anything.
struct SignPlan {
  publish::SignTarget target;
  publish::PushOptions options;
  std::shared_ptr<const publish::SigningKey> key;
};

Result<SignPlan> plan_sign(const SignFlags& f, std::istream* in) {
  Diagnostics diag;
  auto target = publish::parse_sign_target(f.ref);
  diag.check(target);
  auto options = to_push_options(f.registry, in);
  diag.check(options);
  std::shared_ptr<const publish::SigningKey> key;
  if (f.registry.password_stdin && f.key.passphrase_stdin) {
    diag.add(usage_error("--passphrase-stdin",
                         "cannot be combined with --password-stdin: both read stdin",
                         "give the passphrase with --passphrase-env VAR"));
  } else if (auto k = load_key_flags(f.key, in, "--key"); diag.check(k)) {
    key = std::move(*k);
  }
  SP_TRY(diag.status());
  return SignPlan{std::move(*target), std::move(*options), std::move(key)};
}

Result<publish::PushedSignature> sign(const SignFlags& f, Io& io) {
  SignPlan plan = SP_TRY(plan_sign(f, io.in));
  TerminalEvents events(io, event_view(f.registry.quiet, stderr_is_tty()));
  plan.options.progress = [&events](const publish::PushEvent& e) { events.push(e); };
  const publish::RegistryRef& ref = plan.target.ref;
  packager::Digest digest =
      plan.target.digest ? *plan.target.digest : SP_TRY(publish::resolve_digest(ref, plan.options));
  auto signature = SP_TRY(publish::sign_image(ref, digest, *plan.key, plan.options));
  if (signature.unchanged) {
    events.note("this key had signed " + ref.with_digest(digest) + " already; nothing pushed");
  }
  return signature;
}

int run_sign(const SignFlags& f, Io& io) {
  auto signature = sign(f, io);
  if (!signature) {
    return print_outcome(io, f.json, std::nullopt, &signature.error());
  }
  return print_outcome(io, f.json, *signature, nullptr);
}

} // namespace

void register_sign(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<SignFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sign", "Sign an image in a registry (a cosign signature, verifiable with 'cosign verify')");
  cmd->add_option("reference", f->ref,
                  "The image: HOST[:PORT]/NAME[:TAG] (the tag is resolved to its digest on the "
                  "registry) or HOST[:PORT]/NAME@sha256:<hex>")
      ->required();
  cmd->add_option("--key", f->key.key,
                  "The ECDSA P-256 private key (PEM, from 'scratchpack keygen')")
      ->required();
  add_passphrase_flags(cmd, f->key, "to decrypt --key");
  add_push_flags(cmd, f->registry, PushFlagsFor::sign);
  cmd->add_flag("--json", f->json,
                "Print one JSON document (docs/sign.schema.json): the signature's tag and "
                "digest, or the error");
  cmd->footer("The signature goes to the tag sha256-<hex>.sig of the image's repository, next to "
              "the signatures already there (one per key; signing again with the same key "
              "changes nothing). Credentials as for 'push'. See docs/signing.md.");
  cmd->callback([f, &io, &rc] { rc = run_sign(*f, io); });
}

} // namespace sp::cli
