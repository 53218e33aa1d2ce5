// `images[i]`: fields and grammar, files on disk, paths in the image, user and entrypoint.
#include "manifests/grammar.h"
#include "manifests/parse.h"
#include "util/image_values.h"

#include <algorithm>
#include <map>

namespace sp::manifests::detail {

namespace {

// What the image checks need beyond the Image itself: where things were written.
struct ImageDraft {
  Image image;
  std::vector<Item> entrypoint;
  std::vector<Item> cmd;
  Field user;
  Field nonroot;
  bool command_written = false; ///< entrypoint or cmd was written (even if it was wrong)
  std::vector<Mark> path_marks; ///< one per image.binaries entry (its path or the entry)
  std::vector<Mark> dest_marks; ///< one per image.files entry
};

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

void parse_name(const Field& field, Image& image, Context& ctx) {
  image.name_mark = field.mark;
  if (std::optional<std::string> name = read_string(field, ctx.diag)) {
    if (Status s = check_image_name(*name); !s) {
      ctx.diag.error_at(field.mark, field.path, s.error().why);
    }
    image.name = *name;
  }
}

void parse_tags(const Field& field, Image& image, Context& ctx) {
  std::optional<std::vector<Item>> items = read_string_list(field, ctx.diag);
  if (!items) {
    return;
  }
  if (is_empty_list(field)) {
    ctx.diag.error_at(field.mark, field.path, "must list at least one tag");
    return;
  }
  image.tags.clear();
  std::map<std::string, Mark> seen;
  for (const Item& item : *items) {
    if (Status s = check_tag(item.value); !s) {
      ctx.diag.error_at(item.mark, item.path, s.error().why);
    } else if (auto [pos, inserted] = seen.emplace(item.value, item.mark); !inserted) {
      ctx.diag.error_at(item.mark, item.path,
                        "duplicate tag " + in_quotes(item.value) + " (first at " +
                            to_string(pos->second) + ")");
    } else {
      image.tags.push_back(item.value);
    }
  }
}

// The {name, path} form of an image's binary; false when the entry is unusable.
bool read_binary_map(const Field& field, ImageBinary& binary, Mark& path_mark, Context& ctx) {
  MapReader map(field, {"name", "path"}, ctx.diag);
  Field name = map.require("name");
  std::optional<std::string> text = name.present ? read_string(name, ctx.diag) : std::nullopt;
  if (!text) {
    return false;
  }
  binary.name = *text;
  if (Field path = map.get("path"); path.present) {
    std::optional<std::string> where = read_string(path, ctx.diag);
    if (!where) {
      return true;
    }
    if (Status s = check_image_file_path(*where); !s) {
      ctx.diag.error_at(path.mark, path.path, s.error().why);
      return true;
    }
    binary.path = *where;
    path_mark = path.mark;
  }
  return true;
}

// One entry of `binaries`: a name (placed at /<name>), or {name, path}.
void parse_image_binary(const Field& field, ImageDraft& draft, Context& ctx) {
  ImageBinary binary{{}, {}, field.path, field.mark};
  Mark path_mark = field.mark;
  if (field.node.IsScalar()) {
    binary.name = field.node.Scalar();
  } else if (!field.node.IsMap()) {
    wrong_type(field, "a binary name or a map with name and path", ctx.diag);
    return;
  } else if (!read_binary_map(field, binary, path_mark, ctx)) {
    return;
  }
  if (binary.path.empty()) {
    binary.path = "/" + binary.name;
  }
  draft.image.binaries.push_back(std::move(binary));
  draft.path_marks.push_back(path_mark);
}

void parse_binaries(const Field& field, ImageDraft& draft, Context& ctx) {
  std::optional<std::vector<Field>> entries = read_list(field, "a list of binary names", ctx.diag);
  if (!entries) {
    return;
  }
  if (is_empty_list(field)) {
    ctx.diag.error_at(field.mark, field.path, "must list at least one binary");
  }
  for (const Field& entry : *entries) {
    parse_image_binary(entry, draft, ctx);
  }
}

// entrypoint and cmd: exec form only, because nothing in a scratch image can run the shell form.
void parse_command(const Field& field, std::vector<Item>& items, std::vector<std::string>& out,
                   Context& ctx) {
  if (field.node.IsScalar()) {
    ctx.diag.error_at(field.mark, field.path,
                      "shell form is not supported: a scratch image has no /bin/sh to run it; use "
                      "the exec form: " +
                          exec_form_hint(field.node.Scalar()));
    return;
  }
  std::optional<std::vector<Item>> list = read_string_list(field, ctx.diag);
  if (!list) {
    return;
  }
  if (is_empty_list(field)) {
    ctx.diag.error_at(field.mark, field.path,
                      "is empty; remove the key or name the program, e.g. [\"/hello\"]");
    return;
  }
  items = *list;
  for (const Item& item : items) {
    out.push_back(item.value);
  }
}

void parse_env(const Field& field, Image& image, Context& ctx) {
  std::optional<std::vector<std::pair<Item, Item>>> entries = read_string_map(field, ctx.diag);
  for (const auto& [key, value] : entries.value_or(std::vector<std::pair<Item, Item>>{})) {
    if (Status s = check_env_key(key.value); !s) {
      ctx.diag.error_at(key.mark, field.path, s.error().why);
    } else {
      image.env.emplace_back(key.value, value.value);
    }
  }
}

void parse_string_map(const Field& field, std::map<std::string, std::string>& out, Context& ctx) {
  std::optional<std::vector<std::pair<Item, Item>>> entries = read_string_map(field, ctx.diag);
  for (const auto& [key, value] : entries.value_or(std::vector<std::pair<Item, Item>>{})) {
    if (key.value.empty()) {
      ctx.diag.error_at(key.mark, field.path, "key is empty");
    } else {
      out.emplace(key.value, value.value);
    }
  }
}

void parse_expose(const Field& field, Image& image, Context& ctx) {
  std::optional<std::vector<Field>> entries = read_list(field, "a list of ports", ctx.diag);
  std::map<std::string, Mark> seen;
  for (const Field& entry : entries.value_or(std::vector<Field>{})) {
    std::optional<std::string> text = read_string(entry, ctx.diag);
    if (!text) {
      continue;
    }
    Result<Port> port = parse_port(*text);
    if (!port) {
      ctx.diag.error_at(entry.mark, entry.path, port.error().why);
    } else if (auto [pos, inserted] = seen.emplace(port->to_string(), entry.mark); !inserted) {
      ctx.diag.error_at(entry.mark, entry.path,
                        "duplicate port " + port->to_string() + " (first at " +
                            to_string(pos->second) + ")");
    } else {
      image.expose.push_back(*port);
    }
  }
}

void parse_mode_field(const Field& field, ImageFile& file, Context& ctx) {
  // The text as written decides, quoted or not: yaml-cpp hands over the source characters, so
  // 0644 and "0644" read the same (see parse_file_mode for what is refused).
  if (std::optional<std::string> text = read_string(field, ctx.diag)) {
    Result<unsigned> mode = sp::parse_file_mode(*text);
    if (!mode) {
      ctx.diag.error_at(field.mark, field.path, mode.error().why);
    } else {
      file.mode = *mode;
    }
  }
}

void parse_owner_field(const Field& field, ImageFile& file, Context& ctx) {
  if (std::optional<std::string> text = read_string(field, ctx.diag)) {
    Result<FileOwner> owner = sp::parse_file_owner(*text);
    if (!owner) {
      ctx.diag.error_at(field.mark, field.path, owner.error().why);
    } else {
      file.owner = *owner;
    }
  }
}

void parse_src(const Field& field, ImageFile& file, Context& ctx) {
  std::optional<std::string> src = read_string(field, ctx.diag);
  if (!src) {
    return;
  }
  file.src = ctx.resolve(*src);
  std::error_code ec;
  if (src->empty()) {
    ctx.diag.error_at(field.mark, field.path, "file source is empty");
  } else if (!fs::exists(file.src, ec)) {
    ctx.diag.error_at(field.mark, field.path, "file " + in_quotes(*src) + " does not exist",
                      ErrorKind::usage_or_io);
  } else if (!fs::is_regular_file(file.src, ec)) {
    ctx.diag.error_at(field.mark, field.path, "file " + in_quotes(*src) + " is not a regular file");
  } else {
    ctx.inside(file.src, *src, field.mark, field.path);
  }
}

void parse_file(const Field& field, ImageDraft& draft, Context& ctx) {
  MapReader map(field, {"src", "dest", "mode", "owner"}, ctx.diag);
  if (!map.ok()) {
    return;
  }
  ImageFile file;
  file.key_path = field.path;
  file.mark = field.mark;
  if (Field src = map.require("src"); src.present) {
    parse_src(src, file, ctx);
  }
  Field dest = map.require("dest");
  std::optional<std::string> where = dest.present ? read_string(dest, ctx.diag) : std::nullopt;
  if (where) {
    if (Status s = check_image_file_path(*where); !s) {
      ctx.diag.error_at(dest.mark, dest.path, s.error().why);
    } else {
      file.dest = *where;
    }
  }
  if (Field mode = map.get("mode"); mode.present) {
    parse_mode_field(mode, file, ctx);
  }
  if (Field owner = map.get("owner"); owner.present) {
    parse_owner_field(owner, file, ctx);
  }
  draft.image.files.push_back(std::move(file));
  draft.dest_marks.push_back(dest.present ? dest.mark : field.mark);
}

void parse_files(const Field& field, ImageDraft& draft, Context& ctx) {
  std::optional<std::vector<Field>> entries = read_list(field, "a list of files", ctx.diag);
  for (const Field& entry : entries.value_or(std::vector<Field>{})) {
    parse_file(entry, draft, ctx);
  }
}

// A string that `check` accepts; nullopt after a report.
std::optional<std::string> parse_checked(const Field& field, Status (*check)(std::string_view),
                                         Context& ctx) {
  std::optional<std::string> text = read_string(field, ctx.diag);
  if (!text) {
    return std::nullopt;
  }
  if (Status s = check(*text); !s) {
    ctx.diag.error_at(field.mark, field.path, s.error().why);
    return std::nullopt;
  }
  return text;
}

void parse_bool(const MapReader& map, std::string_view key, bool& out, Context& ctx) {
  if (Field field = map.get(key); field.present) {
    out = read_bool(field, ctx.diag).value_or(out);
  }
}

void parse_fields(const MapReader& map, ImageDraft& draft, Context& ctx) {
  Image& image = draft.image;
  if (Field tags = map.get("tags"); tags.present) {
    parse_tags(tags, image, ctx);
  }
  if (Field binaries = map.require("binaries"); binaries.present) {
    parse_binaries(binaries, draft, ctx);
  }
  draft.command_written = map.get("entrypoint").present || map.get("cmd").present;
  if (Field f = map.get("entrypoint"); f.present) {
    parse_command(f, draft.entrypoint, image.entrypoint, ctx);
  }
  if (Field f = map.get("cmd"); f.present) {
    parse_command(f, draft.cmd, image.cmd, ctx);
  }
  if (Field env = map.get("env"); env.present) {
    parse_env(env, image, ctx);
  }
  draft.user = map.get("user");
  if (draft.user.present) {
    image.user = parse_checked(draft.user, check_user, ctx).value_or("");
  }
  if (Field workdir = map.get("workdir"); workdir.present) {
    image.workdir = parse_checked(workdir, check_image_dir, ctx).value_or("");
  }
  if (Field expose = map.get("expose"); expose.present) {
    parse_expose(expose, image, ctx);
  }
  if (Field labels = map.get("labels"); labels.present) {
    parse_string_map(labels, image.labels, ctx);
  }
  if (Field annotations = map.get("annotations"); annotations.present) {
    parse_string_map(annotations, image.annotations, ctx);
  }
  if (Field signal = map.get("stop_signal"); signal.present) {
    image.stop_signal = parse_choice(signal, sp::parse_stop_signal, ctx).value_or("");
  }
  parse_bool(map, "ca_certificates", image.ca_certificates, ctx);
  parse_bool(map, "tzdata", image.tzdata, ctx);
  draft.nonroot = map.get("nonroot");
  parse_bool(map, "nonroot", image.nonroot, ctx);
  parse_bool(map, "init", image.init, ctx);
  if (Field files = map.get("files"); files.present) {
    parse_files(files, draft, ctx);
  }
  if (Field compression = map.get("compression"); compression.present) {
    image.compression =
        parse_choice(compression, parse_compression, ctx).value_or(Compression::gzip);
  }
  if (std::optional<std::vector<TargetName>> targets = parse_targets(map.get("targets"), ctx)) {
    image.targets = std::move(*targets);
  }
}

// Named users need /etc/passwd, which only `nonroot: true` puts in a scratch image.
void resolve_user(ImageDraft& draft, Context& ctx) {
  Image& image = draft.image;
  bool nonroot_written = draft.nonroot.present;
  if (image.user == "nonroot") {
    if (nonroot_written && !image.nonroot) {
      ctx.diag.error_at(
          draft.user.mark, draft.user.path,
          "user 'nonroot' needs the /etc/passwd that nonroot: true adds; set nonroot: "
          "true or use user: \"65532:65532\"");
    }
    image.nonroot = true;
  } else if (image.user == "root" && !image.nonroot) {
    ctx.diag.error_at(draft.user.mark, draft.user.path,
                      "user 'root' needs /etc/passwd, which a scratch image lacks; leave user out "
                      "(root is the default), write \"0\", or set nonroot: true");
  } else if (image.user.empty() && image.nonroot) {
    image.user = "65532:65532";
  }
}

struct PathOwner {
  std::string key_path;
  Mark mark;
};

// Files scratchpack itself writes when a switch is on; a binary or file there would clash.
std::vector<std::pair<std::string, std::string>> reserved_paths(const Image& image) {
  std::vector<std::pair<std::string, std::string>> out;
  if (image.nonroot) {
    out.emplace_back("/etc/passwd", "nonroot: true");
    out.emplace_back("/etc/group", "nonroot: true");
  }
  if (image.ca_certificates) {
    out.emplace_back("/etc/ssl/certs/ca-certificates.crt", "ca_certificates: true");
  }
  if (image.tzdata) {
    out.emplace_back("/usr/share/zoneinfo", "tzdata: true");
  }
  return out;
}

void claim(std::map<std::string, PathOwner>& owners, const std::string& path, PathOwner owner,
           const Image& image, Context& ctx) {
  for (const auto& [reserved, by] : reserved_paths(image)) {
    if (path == reserved || path.starts_with(reserved + "/")) {
      ctx.diag.error_at(owner.mark, owner.key_path,
                        "path " + in_quotes(path) + " is written by " + by);
      return;
    }
  }
  auto [pos, inserted] = owners.emplace(path, owner);
  if (!inserted) {
    ctx.diag.error_at(owner.mark, owner.key_path,
                      "path " + in_quotes(path) + " is already used by " + pos->second.key_path +
                          " (" + to_string(pos->second.mark) + ")");
  }
}

// Every binary and file needs its own path, and none may sit where another needs a directory.
void check_image_paths(ImageDraft& draft, Context& ctx) {
  const Image& image = draft.image;
  std::map<std::string, PathOwner> owners;
  for (size_t i = 0; i < image.binaries.size(); ++i) {
    claim(owners, image.binaries[i].path, {image.binaries[i].key_path, draft.path_marks[i]}, image,
          ctx);
  }
  for (size_t i = 0; i < image.files.size(); ++i) {
    if (!image.files[i].dest.empty()) {
      claim(owners, image.files[i].dest, {image.files[i].key_path + ".dest", draft.dest_marks[i]},
            image, ctx);
    }
  }
  for (const auto& [path, owner] : owners) {
    for (size_t slash = path.rfind('/'); slash != 0 && slash != std::string::npos;
         slash = path.rfind('/', slash - 1)) {
      auto parent = owners.find(path.substr(0, slash));
      if (parent != owners.end()) {
        ctx.diag.error_at(owner.mark, owner.key_path,
                          "path " + in_quotes(path) + " needs " + in_quotes(parent->first) +
                              " to be a directory, but " + parent->second.key_path +
                              " puts a file there");
        break;
      }
    }
  }
}

// The program the image starts must be an absolute path to a binary or file the image holds:
// nothing else exists in a scratch image.
void check_program(const ImageDraft& draft, const Item& program, Context& ctx) {
  const Image& image = draft.image;
  std::vector<std::string> paths;
  for (const ImageBinary& binary : image.binaries) {
    paths.push_back(binary.path);
  }
  for (const ImageFile& file : image.files) {
    if (file.dest == program.value) {
      return;
    }
  }
  if (std::find(paths.begin(), paths.end(), program.value) != paths.end() || paths.empty()) {
    return;
  }
  std::string message = "program " + in_quotes(program.value);
  if (!program.value.starts_with("/")) {
    std::string example = paths.front();
    for (const ImageBinary& binary : image.binaries) {
      if (binary.name == program.value) {
        example = binary.path;
      }
    }
    message += " is not an absolute path; write its path in the image, e.g. \"" + example + "\"";
  } else if (std::string near = closest_match(program.value, paths); !near.empty()) {
    message += " is not in the image; did you mean " + in_quotes(near) + "?";
  } else {
    message += " is not in the image; its binaries are at " + join_words(paths);
  }
  ctx.diag.error_at(program.mark, program.path, message);
}

void resolve_entrypoint(ImageDraft& draft, Context& ctx) {
  Image& image = draft.image;
  if (!draft.command_written) {
    if (image.binaries.size() == 1) {
      image.entrypoint = {image.binaries.front().path};
    } else if (image.binaries.size() > 1) {
      ctx.diag.error_at(image.mark, image.key_path,
                        "no entrypoint or cmd: the image holds " +
                            std::to_string(image.binaries.size()) +
                            " binaries, so name the program, e.g. entrypoint: [\"" +
                            image.binaries.front().path + "\"]");
    }
    return;
  }
  if (!draft.entrypoint.empty()) {
    check_program(draft, draft.entrypoint.front(), ctx);
  } else if (!draft.cmd.empty()) {
    check_program(draft, draft.cmd.front(), ctx);
  }
}

} // namespace

std::optional<Image> parse_image(const Field& field, Context& ctx) {
  MapReader map(field,
                {"name", "tags", "binaries", "entrypoint", "cmd", "env", "user", "workdir",
                 "expose", "labels", "annotations", "stop_signal", "ca_certificates", "tzdata",
                 "nonroot", "init", "files", "compression", "targets"},
                ctx.diag);
  if (!map.ok()) {
    return std::nullopt;
  }
  ImageDraft draft;
  draft.image.key_path = field.path;
  draft.image.mark = field.mark;
  draft.image.tags = {"latest"};
  if (Field name = map.require("name"); name.present) {
    parse_name(name, draft.image, ctx);
  }
  parse_fields(map, draft, ctx);
  resolve_user(draft, ctx);
  check_image_paths(draft, ctx);
  resolve_entrypoint(draft, ctx);
  return std::move(draft.image);
}

} // namespace sp::manifests::detail
