#include "cli/key_flags.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <istream>

namespace sp::cli {

namespace {

constexpr size_t k_max_passphrase = 64u << 10;

Result<std::string> passphrase_from_stdin(std::istream* in) {
  if (!in) {
    return usage_error("--passphrase-stdin", "no stdin to read the passphrase from");
  }
  std::string text;
  char buffer[4096];
  while (in->read(buffer, sizeof buffer) || in->gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in->gcount()));
    if (text.size() > k_max_passphrase) {
      return usage_error("--passphrase-stdin",
                         "stdin holds more than 64 KiB; expected a passphrase");
    }
  }
  if (text.ends_with('\n')) {
    text.pop_back();
  }
  if (text.ends_with('\r')) {
    text.pop_back();
  }
  return text;
}

} // namespace

void add_passphrase_flags(CLI::App* cmd, KeyFlags& flags, const std::string& purpose) {
  cmd->add_flag("--passphrase-stdin", flags.passphrase_stdin,
                "Read the key's passphrase from stdin (one trailing newline is dropped) " +
                    purpose);
  cmd->add_option("--passphrase-env", flags.passphrase_env,
                  "Read the key's passphrase from the environment variable VAR " + purpose);
}

Result<publish::Passphrase> read_passphrase(const KeyFlags& flags, std::istream* in) {
  if (flags.passphrase_stdin && !flags.passphrase_env.empty()) {
    return usage_error("--passphrase-stdin", "cannot be combined with --passphrase-env",
                       "give the passphrase one way");
  }
  std::string passphrase;
  std::string what;
  if (flags.passphrase_stdin) {
    what = "--passphrase-stdin";
    passphrase = SP_TRY(passphrase_from_stdin(in));
  } else if (!flags.passphrase_env.empty()) {
    what = "--passphrase-env " + flags.passphrase_env;
    const char* value = std::getenv(flags.passphrase_env.c_str());
    if (!value) {
      return usage_error(what, "$" + flags.passphrase_env + " is not set");
    }
    passphrase = value;
    // Out of the environment, so that no child process inherits it.
    ::unsetenv(flags.passphrase_env.c_str());
  } else {
    return publish::Passphrase();
  }
  if (passphrase.empty()) {
    return usage_error(what, "the passphrase is empty");
  }
  return publish::Passphrase(std::move(passphrase));
}

Result<std::shared_ptr<const publish::SigningKey>>
load_key_flags(const KeyFlags& flags, std::istream* in, const std::string& flag) {
  if (flags.key.empty()) {
    if (flags.passphrase_stdin || !flags.passphrase_env.empty()) {
      return usage_error(flags.passphrase_stdin ? "--passphrase-stdin" : "--passphrase-env",
                         "decrypts a signing key, but no " + flag + " is given");
    }
    return std::shared_ptr<const publish::SigningKey>();
  }
  publish::Passphrase passphrase = SP_TRY(read_passphrase(flags, in));
  publish::SigningKey key = SP_TRY(publish::SigningKey::load(flags.key, passphrase));
  return std::shared_ptr<const publish::SigningKey>(
      std::make_shared<publish::SigningKey>(std::move(key)));
}

} // namespace sp::cli
