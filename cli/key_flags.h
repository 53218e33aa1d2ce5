// The signing-key flags: --sign-key (push, build, package, release) or --key (sign) with
// --passphrase-stdin / --passphrase-env VAR, which keygen takes too. The passphrase is never
// printed and is removed from this process's environment once read.
#pragma once

#include "publish/signature.h"
#include "util/result.h"

#include <iosfwd>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace sp::cli {

struct KeyFlags {
  std::string key; ///< the PEM private key file; empty: no signing
  bool passphrase_stdin = false;
  std::string passphrase_env; ///< the name of a variable holding the passphrase
};

/// Adds --passphrase-stdin and --passphrase-env VAR; `purpose` ends their help ("to decrypt
/// --sign-key", "to encrypt the private key").
void add_passphrase_flags(CLI::App* cmd, KeyFlags& flags, const std::string& purpose);

/// The passphrase the flags give: nullopt without either flag; read from `in` (the whole of
/// stdin, one trailing newline dropped) or from the variable (then unset). Both flags, an empty
/// passphrase or an unset variable are usage errors.
Result<publish::Passphrase> read_passphrase(const KeyFlags& flags, std::istream* in);

/// The key `flags.key` names, decrypted with the flags' passphrase; `flag` names the key's flag
/// in errors ("--sign-key"). Passphrase flags without a key are a usage error.
Result<std::shared_ptr<const publish::SigningKey>>
load_key_flags(const KeyFlags& flags, std::istream* in, const std::string& flag);

} // namespace sp::cli
