#include "cli/image_flags.h"

#include "cli/diagnostics.h"
#include "cli/push_flags.h"
#include "util/diagnostics.h"
#include "util/image_values.h"
#include "util/strings.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <ostream>
#include <tuple>

namespace sp::cli {

void add_image_flags(CLI::App* cmd, ImageFlags& f) {
  const char* g = "Image";
  cmd->add_option("--image", f.image,
                  "Image name NAME[:TAG] (default: --push's REF, else the binary's name, :latest)")
      ->group(g);
  cmd->add_option("--tag", f.tags,
                  "Another tag of the image (repeatable): in the archive, for --load and --push")
      ->allow_extra_args(false)
      ->group(g);
  cmd->add_option("--format", f.format, "archive (OCI + docker .tar), oci-dir, or none")
      ->capture_default_str()
      ->group(g);
  cmd->add_option("--cmd", f.cmd, "Cmd in exec form, e.g. '[\"/hello\",\"--flag\"]'")->group(g);
  cmd->add_option("--entrypoint", f.entrypoint,
                  "Entrypoint in exec form, its program an absolute path: '[\"/hello\"]'")
      ->group(g);
  cmd->add_option("--env", f.env, "Environment variable K=V (repeatable)")->group(g);
  cmd->add_option("--user", f.user, "User to run as: uid, uid:gid or name")->group(g);
  cmd->add_option("--workdir", f.workdir, "Working directory (absolute)")->group(g);
  cmd->add_option("--expose", f.expose, "Port to expose: 8080, 8080/tcp, 53/udp")->group(g);
  cmd->add_option("--label", f.labels, "Config label K=V (repeatable)")->group(g);
  cmd->add_option("--annotation", f.annotations, "Manifest annotation K=V (repeatable)")->group(g);
  cmd->add_option("--stop-signal", f.stop_signal, "Signal that stops the container")->group(g);
  cmd->add_option("--add", f.adds,
                  "Add a host file or tree: SRC:DEST[:MODE[:UID:GID]], MODE octal with a leading "
                  "0 (0644), owner numeric (root unless given, also with --nonroot)")
      ->group(g);
  cmd->add_flag("--nonroot", f.nonroot,
                "Run as nonroot (65532:65532), with /etc/passwd and /etc/group; files added "
                "with --add stay root's unless it gives an owner (SRC:DEST:0600:65532:65532)")
      ->group(g);
  cmd->add_flag("--ca-certs", f.ca_certs,
                "Add the host's CA bundle at /etc/ssl/certs/ca-certificates.crt")
      ->group(g);
  cmd->add_flag("--tzdata", f.tzdata, "Add the host's /usr/share/zoneinfo")->group(g);
  cmd->add_flag("--tmp", f.tmp, "Add /tmp with mode 1777")->group(g);
  cmd->add_flag("--init", f.init, "Run the program under scratchpack's tiny PID-1 init")->group(g);
  cmd->add_flag("--load", f.load, "Load the image into podman (or docker) afterwards")->group(g);
  cmd->add_option("--compression", f.compression, "Layer compression: gzip, zstd or none")
      ->capture_default_str()
      ->group(g);
  cmd->add_option("--compression-level", f.level,
                  "Compression level (0: the default; not with --compression none)")
      ->group(g);
  cmd->add_flag("--strict", f.strict, "Scan gate: treat warnings (glibc traps…) as errors")
      ->group(g);
  cmd->add_flag("--no-scan", f.no_scan,
                "Skip the scan gate (for payloads that deliberately carry dynamic objects)")
      ->group(g);
}

namespace {

using pipeline::ImageFormat;
using pipeline::ImagePlan;

Result<ImageFormat> parse_format(std::string_view text) {
  if (text == "archive") {
    return ImageFormat::archive;
  }
  if (text == "oci-dir") {
    return ImageFormat::oci_dir;
  }
  if (text == "none") {
    return ImageFormat::none;
  }
  return usage_error("--format " + std::string(text), "unknown format",
                     "use archive, oci-dir or none");
}

/// Splits K=V; the key must be non-empty.
Result<std::pair<std::string, std::string>> key_value(std::string_view flag,
                                                      std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return usage_error(std::string(flag) + " " + std::string(text), "expected KEY=VALUE");
  }
  return std::pair{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

/// A bad flag value is a usage error (exit 2), whatever the parser calls it.
Error as_usage(Error e) {
  e.kind = ErrorKind::usage_or_io;
  return e;
}

/// --entrypoint and --cmd, or the default Cmd when neither is given.
void plan_command(const ImageFlags& f, const std::vector<std::string>& default_cmd,
                  packager::ImageConfig& c, Diagnostics& diag) {
  for (auto [text, instruction, field] : {std::tuple{&f.entrypoint, "ENTRYPOINT", &c.entrypoint},
                                          std::tuple{&f.cmd, "CMD", &c.cmd}}) {
    if (text->empty()) {
      continue;
    }
    auto argv = packager::parse_exec_form(*text, instruction);
    if (argv) {
      *field = *argv;
    } else {
      diag.add(as_usage(argv.take_error()));
    }
  }
  if (f.cmd.empty() && f.entrypoint.empty()) {
    c.cmd = default_cmd;
  }
}

/// --user (or --nonroot's 65532), --workdir and --stop-signal.
void plan_identity(const ImageFlags& f, packager::ImageConfig& c, Diagnostics& diag) {
  c.user = f.user.empty() && f.nonroot ? std::string(packager::k_nonroot_user) : f.user;
  if (!c.user.empty() && diag.check(packager::check_user(c.user)) && !f.nonroot &&
      !packager::is_numeric_user(c.user)) {
    diag.add(usage_error("--user " + c.user,
                         "a scratch image has no /etc/passwd to look the name up in",
                         "use a numeric uid[:gid], or --nonroot for 65532 with passwd and group "
                         "files"));
  }
  if (!f.workdir.empty() && diag.check(packager::check_working_dir(f.workdir))) {
    c.working_dir = f.workdir;
  }
  if (!f.stop_signal.empty()) {
    // The manifest's grammar (util/image_values.h): TERM, sigterm and 15 work; SIGFOO does not.
    Result<std::string> signal = parse_stop_signal(f.stop_signal);
    if (signal) {
      c.stop_signal = *signal;
    } else {
      diag.add(usage_error("--stop-signal " + f.stop_signal, signal.error().why));
    }
  }
}

/// Fills the config fields from the flags; every flag is checked.
void plan_config(const ImageFlags& f, const std::vector<std::string>& default_cmd,
                 packager::ImageConfig& c, Diagnostics& diag) {
  plan_command(f, default_cmd, c, diag);
  for (const std::string& kv : f.env) {
    if (diag.check(packager::check_env(kv))) {
      c.env.push_back(kv);
    }
  }
  for (const std::string& kv : f.labels) {
    if (auto l = key_value("--label", kv); diag.check(l)) {
      c.labels[l->first] = l->second;
    }
  }
  for (const std::string& p : f.expose) {
    if (auto ports = packager::parse_ports(p); diag.check(ports)) {
      c.exposed_ports.insert(ports->begin(), ports->end());
    }
  }
  plan_identity(f, c, diag);
}

/// The image's name: --image, else --push's REF, else the default name lower-cased; and the
/// --tag tags of its repository. One name for every output: an --image that says otherwise
/// than --push is refused rather than one of them silently ignored.
void plan_ref(const ImageFlags& f, const std::string& push_ref, const std::string& default_name,
              ImagePlan& plan, Diagnostics& diag) {
  std::string name = !f.image.empty() ? f.image : push_ref;
  if (name.empty()) {
    for (char ch : default_name) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  auto ref = packager::parse_image_ref(name);
  if (!ref) {
    Error e = ref.take_error();
    e.what = (!f.image.empty() ? "--image " : !push_ref.empty() ? "--push " : "") + e.what;
    if (f.image.empty() && push_ref.empty()) {
      e.hint = "name the image with --image NAME[:TAG]";
    }
    diag.add(std::move(e));
    return;
  }
  plan.ref = *ref;
  if (!f.image.empty() && !push_ref.empty()) {
    auto pushed = packager::parse_image_ref(push_ref);
    if (pushed && !(*pushed == plan.ref)) {
      diag.add(usage_error("--image " + f.image + " --push " + push_ref,
                           "name two different images; the archive, --load and the push all "
                           "use one name",
                           "give the name once: --push " + push_ref +
                               " alone names the image, and --tag adds tags"));
    }
  }
  for (const std::string& tag : f.tags) {
    auto tagged = packager::parse_image_ref(plan.ref.repository + ":" + tag);
    if (!tagged || tag.find(':') != std::string::npos || tag.find('/') != std::string::npos) {
      diag.add(usage_error("--tag " + tag, "expected a tag: 1-128 of A-Z a-z 0-9 _ . - not "
                                           "starting with . or -"));
    } else if (tag != plan.ref.tag && std::find(plan.extra_tags.begin(), plan.extra_tags.end(),
                                                tag) == plan.extra_tags.end()) {
      plan.extra_tags.push_back(tag);
    }
  }
}

/// --compression and --compression-level (0 stays 0: the packager picks by the layer's size).
void plan_compression(const ImageFlags& f, ImagePlan& plan, Diagnostics& diag) {
  auto compression = parse_named<Compression>(f.compression);
  if (!diag.check(compression)) {
    return;
  }
  plan.compression = *compression;
  if (f.level != 0) {
    if (auto level = packager::resolve_level(plan.compression, f.level); !level) {
      Error e = level.take_error();
      e.what = "--compression-level " + std::to_string(f.level) + " with --compression " +
               std::string(to_string(plan.compression));
      diag.add(std::move(e));
    }
  }
  plan.level = f.level;
}

} // namespace

Result<ImagePlan> plan_image(const ImageFlags& f, const std::string& push_ref,
                             const std::string& default_name,
                             const std::vector<std::string>& default_cmd) {
  ImagePlan plan;
  Diagnostics diag;
  if (auto format = parse_format(f.format); diag.check(format)) {
    plan.format = *format;
  }
  plan_ref(f, push_ref, default_name, plan, diag);
  plan.config = packager::default_config({}, source_date_epoch());
  plan_config(f, default_cmd, plan.config, diag);
  for (const std::string& text : f.adds) {
    if (auto add = packager::parse_add_spec(text); diag.check(add)) {
      plan.adds.push_back(*add);
    }
  }
  for (const std::string& kv : f.annotations) {
    if (auto a = key_value("--annotation", kv); diag.check(a)) {
      plan.annotations[a->first] = a->second;
    }
  }
  plan_compression(f, plan, diag);
  if (f.load && plan.format != ImageFormat::archive) {
    diag.add(usage_error("--load", "needs --format archive (the file that is loaded)"));
  }
  if (!f.tags.empty() && plan.format == ImageFormat::none && push_ref.empty()) {
    diag.add(usage_error("--tag " + f.tags.front(),
                         "--format none writes no image, so there is nothing to tag",
                         "drop --format none, or give --push REF"));
  }
  SP_TRY(diag.status());
  plan.nonroot = f.nonroot;
  plan.ca_certs = f.ca_certs;
  plan.tzdata = f.tzdata;
  plan.tmp = f.tmp;
  plan.init = f.init;
  plan.load = f.load;
  plan.strict = f.strict;
  plan.no_scan = f.no_scan;
  return plan;
}

Status check_flag_program(const ImageFlags& f, const packager::ImageConfig& config) {
  const char* flag = !f.entrypoint.empty()                  ? "--entrypoint"
                     : !f.cmd.empty() && !config.entrypoint ? "--cmd"
                                                            : nullptr;
  const auto& argv = !f.entrypoint.empty() ? config.entrypoint : config.cmd;
  if (!flag || !argv || argv->empty() || argv->front().starts_with("/")) {
    return {};
  }
  std::string program = argv->front();
  return usage_error(
      std::string(flag) + " " + (flag == std::string_view("--cmd") ? f.cmd : f.entrypoint),
      "program '" + program + "' is not an absolute path; write its path in the image, e.g. \"/" +
          program + "\"",
      "a scratch image has no shell and nothing on PATH but what you add, so a "
      "manifest's entrypoint must be absolute too");
}

} // namespace sp::cli
