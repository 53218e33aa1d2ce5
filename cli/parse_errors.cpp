#include "cli/parse_errors.h"

#include "util/diagnostics.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>

namespace sp::cli {

namespace {

/// The deepest command the arguments selected ("install" under "sysroot"), or the app.
const CLI::App& selected_command(const CLI::App& app) {
  const CLI::App* cur = &app;
  while (!cur->get_subcommands().empty()) {
    cur = cur->get_subcommands().back();
  }
  return *cur;
}

/// "scratchpack sysroot install".
std::string command_path(const CLI::App& cmd) {
  std::string path = cmd.get_name();
  for (const CLI::App* p = cmd.get_parent(); p; p = p->get_parent()) {
    path = p->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

/// Every spelling of every flag of `cmd`: "--target", "--platform", "-o", …
std::vector<std::string> flag_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : cmd.get_options()) {
    for (const std::string& l : opt->get_lnames()) {
      names.push_back("--" + l);
    }
    for (const std::string& s : opt->get_snames()) {
      names.push_back("-" + s);
    }
  }
  return names;
}

/// One error per argument CLI11 could not place: unknown flags with the closest known one.
Error extras_error(const CLI::App& app, const std::string& help) {
  Diagnostics diag;
  for (const CLI::App* cmd = &app; cmd;) {
    for (const std::string& arg : cmd->remaining(false)) {
      if (!arg.starts_with("-") || arg == "-") {
        diag.add(usage_error("'" + arg + "'", "unexpected argument", help));
        continue;
      }
      std::string flag = arg.substr(0, arg.find('='));
      std::string near = closest_match(flag, flag_names(*cmd));
      diag.add(
          usage_error(flag, "unknown flag", near.empty() ? help : "did you mean " + near + "?"));
    }
    auto subs = cmd->get_subcommands();
    cmd = subs.empty() ? nullptr : subs.back();
  }
  if (diag.empty()) {
    return usage_error("usage", "unexpected arguments", help);
  }
  return diag.to_error();
}

/// A flag that takes one value, given several times: CLI11 says "At Most 1 required but
/// received 2". Refused rather than the last taken silently: a dropped --target or --image
/// would build something else than what was asked.
std::optional<Error> repeated_flag_error(const CLI::App& cmd) {
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->get_items_expected_max() != 1 || opt->count() < 2 || opt->get_lnames().empty()) {
      continue;
    }
    std::string name = "--" + opt->get_lnames().front();
    std::string hint = name == "--target"
                           ? "give several targets as one comma-separated list: --target "
                             "x86_64,aarch64"
                           : "give it once";
    return usage_error(name, "given " + std::to_string(opt->count()) + " times; it takes one value",
                       hint);
  }
  return std::nullopt;
}

} // namespace

Error parse_error(const CLI::ParseError& e, const CLI::App& app) {
  const CLI::App& cmd = selected_command(app);
  std::string help = "run '" + command_path(cmd) + " --help'";
  std::string why = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    return extras_error(app, help);
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
    if (auto repeated = repeated_flag_error(cmd)) {
      return *repeated;
    }
    // "--out: 1 required TEXT missing": the flag came last, without its value.
    size_t colon = why.find(": ");
    if (colon != std::string::npos && why.ends_with(" missing")) {
      return usage_error(why.substr(0, colon), "needs a value", help);
    }
  }
  return usage_error("usage", why, help);
}

std::optional<std::string> json_schema_asked(const std::vector<std::string>& args) {
  static const std::vector<std::string> k_json_commands = {"build",   "package", "push",
                                                           "release", "scan",    "sign"};
  if (args.empty() || std::find(args.begin(), args.end(), "--json") == args.end() ||
      std::find(k_json_commands.begin(), k_json_commands.end(), args.front()) ==
          k_json_commands.end()) {
    return std::nullopt;
  }
  return "scratchpack." + args.front() + "/v1";
}

} // namespace sp::cli
