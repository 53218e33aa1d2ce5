// The entry points: text to YAML document to Manifest, every problem gathered into one Error.
#include "manifests/manifest.h"

#include "manifests/parse.h"
#include "manifests/yaml_guard.h"

namespace sp::manifests {

std::string_view to_string(OutputFormat format) {
  return format == OutputFormat::oci_dir ? "oci-dir" : "archive";
}

Error Manifest::problem(Mark mark, std::string key_path, std::string message) const {
  Diagnostics diag(file.string());
  diag.error_at(mark, std::move(key_path), std::move(message));
  return diag.errors().front();
}

std::string Manifest::diagnostic(Mark mark, std::string_view key_path,
                                 std::string_view message) const {
  std::string line = render(problem(mark, std::string(key_path), std::string(message)));
  line.pop_back();
  return line;
}

const Binary* Manifest::find_binary(std::string_view name) const {
  for (const Binary& binary : binaries) {
    if (binary.name == name) {
      return &binary;
    }
  }
  return nullptr;
}

namespace {

Mark mark_of(const YAML::Mark& mark) {
  return mark.is_null() ? Mark{} : Mark{mark.line + 1, mark.column + 1};
}

// The one document of the manifest, or nullopt after reporting why there is none.
std::optional<YAML::Node> load_document(std::string_view text, Diagnostics& diag) {
  // yaml-cpp is only given text it is known to finish with, in bounded time and memory.
  if (std::optional<detail::YamlRefusal> refusal = detail::screen_yaml(text)) {
    diag.error_at(refusal->mark, "", refusal->why);
    return std::nullopt;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    diag.error_at(mark_of(e.mark), "", "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
  if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
    diag.error_at(Mark{1, 1}, "",
                  "the manifest is empty; it needs at least version, project and "
                  "binaries");
    return std::nullopt;
  }
  if (documents.size() > 1) {
    diag.error_at(detail::mark_of(documents[1]), "",
                  "a manifest is one YAML document, but this file has " +
                      std::to_string(documents.size()));
    return std::nullopt;
  }
  return documents[0];
}

fs::path absolute_dir(const fs::path& dir) {
  std::error_code ec;
  fs::path abs = fs::absolute(dir.empty() ? fs::path(".") : dir, ec);
  return (ec ? dir : abs).lexically_normal();
}

} // namespace

Result<Manifest> parse_manifest(std::string_view text, const fs::path& file_for_messages,
                                const fs::path& base_dir, const ParseHooks& hooks) {
  Diagnostics diag(file_for_messages.string());
  Manifest manifest;
  manifest.file = file_for_messages;
  manifest.base_dir = absolute_dir(base_dir);
  detail::Context ctx{diag, hooks, manifest.base_dir};
  if (std::optional<YAML::Node> document = load_document(text, diag)) {
    detail::parse_document(*document, manifest, ctx);
    detail::cross_check(manifest, ctx);
  }
  if (diag.empty()) {
    return manifest;
  }
  diag.sort_by_position();
  // Exit 2 when every problem is a file that does not exist (a missing input, as on the command
  // line); any other problem makes it a manifest with mistakes, exit 1.
  return diag.to_error(file_for_messages.string(), count_problems(diag.count()));
}

Result<Manifest> load_manifest(const fs::path& file, const ParseHooks& hooks) {
  Result<std::string> text = read_file(file);
  if (!text) {
    Error error = text.take_error();
    error.kind = ErrorKind::usage_or_io;
    return error;
  }
  return parse_manifest(*text, file, file.parent_path(), hooks);
}

} // namespace sp::manifests
