// `binaries[i]`: fields, grammar, and the sources, include and library directories on disk.
#include "manifests/glob.h"
#include "manifests/grammar.h"
#include "manifests/parse.h"
#include "util/strings.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <utility>

namespace sp::manifests::detail {

namespace {

constexpr std::array<std::string_view, 6> k_source_extensions = {".c",   ".cc",  ".cpp",
                                                                 ".cxx", ".c++", ".C"};

// The extensions the toolchain compiles (toolchain::language_of); headers and the rest are not
// sources.
bool is_source_file(const fs::path& path) {
  std::string ext = path.extension().string();
  return std::find(k_source_extensions.begin(), k_source_extensions.end(), ext) !=
         k_source_extensions.end();
}

void add_literal_source(const Item& item, std::vector<fs::path>& out, Context& ctx) {
  fs::path path = ctx.resolve(item.value);
  if (!ctx.inside(path, item.value, item.mark, item.path)) {
    return;
  }
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  std::string quoted = "'" + item.value + "'";
  if (!fs::exists(status)) {
    ctx.diag.error_at(item.mark, item.path, "source " + quoted + " does not exist",
                      ErrorKind::usage_or_io);
  } else if (fs::is_directory(status)) {
    ctx.diag.error_at(item.mark, item.path,
                      "source " + quoted +
                          " is a directory; list its files or use a glob such as '" +
                          fs::path(item.value).generic_string() + "/*.cpp'");
  } else if (!fs::is_regular_file(status)) {
    ctx.diag.error_at(item.mark, item.path, "source " + quoted + " is not a regular file");
  } else if (!is_source_file(path)) {
    ctx.diag.error_at(item.mark, item.path,
                      "source " + quoted +
                          " is not a C or C++ file (.c, .cc, .cpp, .cxx, .c++, .C)");
  } else {
    out.push_back(path);
  }
}

// The directory a glob's walk starts from: its components before the first wildcard.
std::string walk_start(std::string_view pattern) {
  std::string start = pattern.starts_with('/') ? "/" : "";
  for (const std::string& part : split(pattern, '/')) {
    if (has_glob_chars(part)) {
      break;
    }
    if (!part.empty()) {
      start += (start.empty() || start.ends_with('/') ? "" : "/") + part;
    }
  }
  return start.empty() ? "." : start;
}

void add_glob_sources(const Item& item, std::vector<fs::path>& out, Context& ctx) {
  std::string quoted = "'" + item.value + "'";
  // A manifest may name only its own files, and a glob may read only its own directories: one
  // that starts outside is refused before it reads anything ('/**/*.c' would walk the whole
  // machine), and the walk does not enter a directory outside (a symlink, a '..' after a
  // wildcard).
  if (!ctx.inside(ctx.resolve(walk_start(item.value)), item.value, item.mark, item.path)) {
    return;
  }
  Result<std::vector<std::string>> matches = expand_glob(
      item.value, ctx.base_dir, [&ctx](const fs::path& dir) { return ctx.is_inside(dir); },
      ctx.hooks.on_glob_dir);
  if (!matches) {
    ctx.diag.error_at(item.mark, item.path,
                      "sources glob " + quoted + " is malformed: " + matches.error().why);
    return;
  }
  if (matches->empty()) {
    ctx.diag.error_at(item.mark, item.path, "sources glob " + quoted + " matches no file",
                      ErrorKind::usage_or_io);
    return;
  }
  size_t before = out.size();
  for (const std::string& match : *matches) {
    // A glob such as 'src/**' also sweeps up headers and notes; only sources are kept.
    if (is_source_file(match) && ctx.inside(ctx.resolve(match), match, item.mark, item.path)) {
      out.push_back(ctx.resolve(match));
    }
  }
  if (out.size() == before) {
    ctx.diag.error_at(item.mark, item.path, "sources glob " + quoted + " matches no C or C++ file");
  }
}

void parse_sources(const Field& field, Binary& binary, Context& ctx) {
  binary.sources_mark = field.mark;
  std::optional<std::vector<Item>> items = read_string_list(field, ctx.diag);
  if (!items) {
    return;
  }
  if (is_empty_list(field)) {
    ctx.diag.error_at(field.mark, field.path, "must list at least one source");
    return;
  }
  for (const Item& item : *items) {
    binary.source_patterns.push_back(item.value);
    if (item.value.empty()) {
      ctx.diag.error_at(item.mark, item.path, "source is empty");
    } else if (has_glob_chars(item.value)) {
      add_glob_sources(item, binary.sources, ctx);
    } else {
      add_literal_source(item, binary.sources, ctx);
    }
  }
  // Sorted by path and de-duplicated: the order of the manifest does not change the build.
  std::sort(binary.sources.begin(), binary.sources.end(),
            [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
  binary.sources.erase(std::unique(binary.sources.begin(), binary.sources.end()),
                       binary.sources.end());
}

void parse_dirs(const Field& field, std::string_view noun, std::vector<fs::path>& out,
                Context& ctx) {
  if (!field.present) {
    return;
  }
  std::optional<std::vector<Item>> items = read_string_list(field, ctx.diag);
  for (const Item& item : items.value_or(std::vector<Item>{})) {
    fs::path dir = ctx.resolve(item.value);
    std::error_code ec;
    std::string what = std::string(noun) + " '" + item.value + "'";
    if (item.value.empty()) {
      ctx.diag.error_at(item.mark, item.path, std::string(noun) + " is empty");
    } else if (!fs::exists(dir, ec)) {
      ctx.diag.error_at(item.mark, item.path, what + " does not exist", ErrorKind::usage_or_io);
    } else if (!fs::is_directory(dir, ec)) {
      ctx.diag.error_at(item.mark, item.path, what + " is not a directory");
    } else if (ctx.inside(dir, item.value, item.mark, item.path)) {
      out.push_back(dir);
    }
  }
}

void parse_name(const Field& field, Binary& binary, Context& ctx) {
  binary.name_mark = field.mark;
  if (std::optional<std::string> name = read_string(field, ctx.diag)) {
    if (Status s = check_binary_name(*name); !s) {
      ctx.diag.error_at(field.mark, field.path, s.error().why);
    }
    binary.name = *name;
  }
}

/// `std` (for the language the standard is of), `c_std` and `cxx_std`: each standard known, each
/// of the language of its key, and each language's standard set once.
void parse_standards(const MapReader& map, Binary& binary, Context& ctx) {
  struct Key {
    std::string_view name;
    std::optional<Language> only;
  };
  std::map<Language, std::pair<std::string_view, Mark>> set_by;
  for (const Key& key :
       {Key{"std", std::nullopt}, Key{"c_std", Language::c}, Key{"cxx_std", Language::cxx}}) {
    Field field = map.get(key.name);
    std::optional<std::string> text = field.present ? read_string(field, ctx.diag) : std::nullopt;
    if (!text) {
      continue;
    }
    Result<Language> language = parse_std(*text);
    if (!language) {
      ctx.diag.error_at(field.mark, field.path, language.error().why);
      continue;
    }
    std::string_view noun = *language == Language::c ? "C" : "C++";
    if (key.only && *key.only != *language) {
      ctx.diag.error_at(
          field.mark, field.path,
          "'" + *text + "' is a " + std::string(noun) + " standard; " + std::string(key.name) +
              " is for " +
              (*key.only == Language::c ? "C sources (e.g. c17)" : "C++ sources (e.g. c++20)"));
      continue;
    }
    auto [first, inserted] = set_by.emplace(*language, std::pair{key.name, field.mark});
    if (!inserted) {
      ctx.diag.error_at(field.mark, field.path,
                        "the " + std::string(noun) + " standard is already set by " +
                            std::string(first->second.first) + " (at " +
                            to_string(first->second.second) + "); keep one");
      continue;
    }
    (*language == Language::c ? binary.c_std : binary.cxx_std) = *text;
  }
}

/// `cmake: {dir, target, options}`.
void parse_cmake(const Field& field, Binary& binary, Context& ctx) {
  MapReader map(field, {"dir", "target", "options"}, ctx.diag);
  if (!map.ok()) {
    return;
  }
  CMakeProject project;
  project.mark = field.mark;
  if (Field dir = map.require("dir"); dir.present) {
    if (std::optional<std::string> text = read_string(dir, ctx.diag)) {
      fs::path path = ctx.resolve(*text);
      std::error_code ec;
      if (!ctx.inside(path, *text, dir.mark, dir.path)) {
        // reported: a manifest from a clone may only name its own files
      } else if (!fs::is_regular_file(path / "CMakeLists.txt", ec)) {
        ctx.diag.error_at(dir.mark, dir.path, "'" + *text + "' holds no CMakeLists.txt");
      } else {
        project.dir = path;
      }
    }
  }
  if (Field target = map.get("target"); target.present) {
    project.target = read_string(target, ctx.diag).value_or("");
  }
  if (Field options = map.get("options"); options.present) {
    for (const Item& item : read_string_list(options, ctx.diag).value_or(std::vector<Item>{})) {
      size_t eq = item.value.find('=');
      std::string var = item.value.substr(0, std::min(eq, item.value.find(':')));
      bool name_ok =
          !var.empty() && (std::isalpha(static_cast<unsigned char>(var[0])) || var[0] == '_') &&
          std::all_of(var.begin(), var.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
          });
      if (eq == std::string::npos || !name_ok) {
        ctx.diag.error_at(item.mark, item.path,
                          "option '" + item.value + "' is not VAR=VALUE (a CMake cache variable)");
      } else if (var == "CMAKE_TOOLCHAIN_FILE") {
        ctx.diag.error_at(item.mark, item.path,
                          "CMAKE_TOOLCHAIN_FILE is scratchpack's: the release sets it per target");
      } else {
        project.options.push_back(item.value);
      }
    }
  }
  binary.cmake = std::move(project);
}

/// `packages`: a list of Debian package names for every target, or a map from a target (as
/// written in `targets`) or "all" to such a list.
void parse_packages(const Field& field, Binary& binary, Context& ctx) {
  if (!field.present) {
    return;
  }
  if (!field.node.IsMap()) {
    parse_checked_list(field, check_debian_package, binary.packages, ctx);
    return;
  }
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    Field list{it->second, child_path(field.path, key),
               it->second.IsNull() ? mark_of(it->first) : mark_of(it->second), true};
    if (key.empty()) {
      ctx.diag.error_at(mark_of(it->first), field.path, "expected a target name as the key");
      continue;
    }
    parse_checked_list(list, check_debian_package,
                       key == "all" ? binary.packages : binary.target_packages[key], ctx);
    if (key != "all") {
      binary.target_packages_marks[key] = mark_of(it->first);
    }
  }
}

} // namespace

std::optional<Binary> parse_binary(const Field& field, Context& ctx) {
  MapReader map(field,
                {"name", "sources", "cmake", "std", "c_std", "cxx_std", "include_dirs", "defines",
                 "libs", "lib_dirs", "pkg-config", "packages", "profile", "libc", "targets"},
                ctx.diag);
  if (!map.ok()) {
    return std::nullopt;
  }
  Binary binary;
  binary.key_path = field.path;
  binary.mark = field.mark;
  if (Field name = map.require("name"); name.present) {
    parse_name(name, binary, ctx);
  }
  if (Field cmake = map.get("cmake"); cmake.present) {
    parse_cmake(cmake, binary, ctx);
    if (binary.cmake && binary.cmake->target.empty()) {
      binary.cmake->target = binary.name;
    }
    for (const char* key :
         {"sources", "std", "c_std", "cxx_std", "include_dirs", "defines", "libs", "lib_dirs"}) {
      if (Field other = map.get(key); other.present) {
        ctx.diag.error_at(other.mark, other.path,
                          std::string(key) + " and cmake exclude each other: the CMake project "
                                             "says how its executable is compiled");
      }
    }
  } else if (Field sources = map.require("sources"); sources.present) {
    parse_sources(sources, binary, ctx);
  }
  parse_standards(map, binary, ctx);
  parse_dirs(map.get("include_dirs"), "include directory", binary.include_dirs, ctx);
  parse_checked_list(map.get("defines"), check_define, binary.defines, ctx);
  parse_checked_list(map.get("libs"), check_lib, binary.libs, ctx);
  parse_dirs(map.get("lib_dirs"), "library directory", binary.lib_dirs, ctx);
  parse_checked_list(map.get("pkg-config"), check_pkg_config_module, binary.pkg_config, ctx);
  parse_packages(map.get("packages"), binary, ctx);
  if (Field profile = map.get("profile"); profile.present) {
    binary.profile = parse_choice(profile, parse_profile, ctx).value_or(Profile::release);
  }
  if (Field libc = map.get("libc"); libc.present) {
    binary.libc = parse_choice(libc, parse_libc, ctx);
  }
  if (std::optional<std::vector<TargetName>> targets = parse_targets(map.get("targets"), ctx)) {
    binary.targets = std::move(*targets);
  }
  return binary;
}

} // namespace sp::manifests::detail
