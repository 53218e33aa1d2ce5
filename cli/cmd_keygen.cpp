// `scratchpack keygen [--out PREFIX]`: a new ECDSA P-256 key pair for `sign` and --sign-key, as
// cosign generate-key-pair names it: PREFIX.key (PKCS#8 PEM, mode 0600, encrypted when a
// passphrase is given) and PREFIX.pub (SubjectPublicKeyInfo PEM). Existing files are kept unless
// --force. Exit 0 written, 2 usage or I/O.
#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/key_flags.h"
#include "publish/signature.h"
#include "util/fs.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>

namespace sp::cli {

namespace {

struct KeygenFlags {
  std::string prefix = "cosign";
  bool force = false;
  KeyFlags passphrase;
};

Status refuse_existing(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(path, ec))) {
    return usage_error(path.string(), "exists already; keygen does not overwrite a key",
                       "choose another --out PREFIX, or pass --force to replace it");
  }
  return {};
}

/// Both files checked first, then written (each atomically): a refusal writes nothing.
Result<std::pair<fs::path, fs::path>> keygen(const KeygenFlags& f, std::istream* in) {
  fs::path private_path = f.prefix + ".key";
  fs::path public_path = f.prefix + ".pub";
  if (!f.force) {
    SP_TRY(refuse_existing(private_path));
    SP_TRY(refuse_existing(public_path));
  }
  publish::Passphrase passphrase = SP_TRY(read_passphrase(f.passphrase, in));
  publish::SigningKey key = SP_TRY(publish::SigningKey::generate());
  std::string private_pem = SP_TRY(key.private_pem(passphrase));
  std::string public_pem = SP_TRY(key.public_pem());
  SP_TRY(write_file_atomic(private_path, private_pem, 0600));
  SP_TRY(write_file_atomic(public_path, public_pem, 0644));
  return std::pair{private_path, public_path};
}

int run_keygen(const KeygenFlags& f, Io& io) {
  auto written = keygen(f, io.in);
  if (!written) {
    return print_error(io, written.error());
  }
  io.out << written->first.string() << '\n' << written->second.string() << '\n';
  io.out.flush();
  return 0;
}

} // namespace

void register_keygen(CLI::App& app, Io& io, int& rc) {
  auto f = std::make_shared<KeygenFlags>();
  CLI::App* cmd = app.add_subcommand(
      "keygen", "Create an ECDSA P-256 key pair for 'sign' and --sign-key (PREFIX.key, .pub)");
  cmd->add_option("--out", f->prefix,
                  "Write PREFIX.key (private, PKCS#8 PEM, mode 0600) and PREFIX.pub (public, "
                  "PEM) (default: cosign)");
  cmd->add_flag("--force", f->force, "Replace PREFIX.key and PREFIX.pub if they exist");
  add_passphrase_flags(cmd, f->passphrase, "to encrypt the private key (AES-256, PBKDF2)");
  cmd->footer("Without a passphrase the private key is written unencrypted: keep it like a "
              "password. PREFIX.pub verifies the signatures ('cosign verify --key PREFIX.pub'). "
              "See docs/signing.md.");
  cmd->callback([f, &io, &rc] { rc = run_keygen(*f, io); });
}

} // namespace sp::cli
