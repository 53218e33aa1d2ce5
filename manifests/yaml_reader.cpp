#include "manifests/yaml_reader.h"

#include <algorithm>
#include <map>

namespace sp::manifests::detail {

namespace {

// Plain scalars carry the non-specific tag "?"; quoted ones "!". Only plain ones may be numbers
// or booleans, as in YAML's core schema.
bool is_plain(const YAML::Node& node) {
  return node.Tag() == "?";
}

bool looks_like_int(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    text.remove_prefix(1);
  }
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool looks_like_number(std::string_view text) {
  if (looks_like_int(text)) {
    return true;
  }
  size_t dot = text.find('.');
  return dot != std::string_view::npos && dot + 1 < text.size() &&
         looks_like_int(std::string(text.substr(0, dot)) + std::string(text.substr(dot + 1)));
}

std::optional<bool> core_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") {
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return false;
  }
  return std::nullopt;
}

Field entry(const YAML::Node& key, const YAML::Node& value, std::string path) {
  Mark mark = value.IsNull() ? mark_of(key) : mark_of(value);
  return Field{value, std::move(path), mark, true};
}

} // namespace

Mark mark_of(const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.is_null()) {
    return {};
  }
  return Mark{m.line + 1, m.column + 1};
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Map:
    return "a map";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Scalar:
    if (is_plain(node) && core_bool(node.Scalar())) {
      return "a boolean";
    }
    if (is_plain(node) && looks_like_number(node.Scalar())) {
      return "a number";
    }
    return "a string";
  default:
    return "an empty value";
  }
}

void wrong_type(const Field& field, std::string_view what, Diagnostics& diag) {
  diag.error_at(field.mark, field.path,
                "expected " + std::string(what) + ", got " + describe(field.node));
}

MapReader::MapReader(const Field& field, std::vector<std::string> known, Diagnostics& diag)
    : m_path(field.path), m_mark(field.mark), m_diag(&diag) {
  if (!field.node.IsMap()) {
    wrong_type(field, "a map", diag);
    return;
  }
  m_ok = true;
  std::map<std::string, Mark> seen;
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    // Copies, not references: the iterator hands out a temporary pair.
    YAML::Node key = it->first;
    YAML::Node value = it->second;
    if (!key.IsScalar()) {
      diag.error_at(mark_of(key), m_path, "expected a key, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (auto [pos, inserted] = seen.emplace(name, mark_of(key)); !inserted) {
      diag.error_at(mark_of(key), m_path,
                    "duplicate key '" + name + "' (first at " + to_string(pos->second) + ")");
      continue;
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      diag.error_at(mark_of(key), m_path, "unknown key '" + name + "'" + did_you_mean(name, known));
      continue;
    }
    m_fields.emplace_back(name, entry(key, value, child_path(m_path, name)));
  }
}

Field MapReader::get(std::string_view key) const {
  for (const auto& [name, field] : m_fields) {
    if (name == key) {
      return field;
    }
  }
  return Field{YAML::Node(), child_path(m_path, key), m_mark, false};
}

Field MapReader::require(std::string_view key) const {
  Field field = get(key);
  if (!field.present && m_ok) {
    m_diag->error_at(m_mark, m_path, "missing required key '" + std::string(key) + "'");
  }
  return field;
}

std::optional<std::string> read_string(const Field& field, Diagnostics& diag) {
  if (!field.node.IsScalar()) {
    wrong_type(field, "a string", diag);
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<bool> read_bool(const Field& field, Diagnostics& diag) {
  if (field.node.IsScalar() && is_plain(field.node)) {
    if (std::optional<bool> value = core_bool(field.node.Scalar())) {
      return value;
    }
  }
  if (field.node.IsScalar() && !is_plain(field.node)) {
    diag.error_at(field.mark, field.path,
                  "expected true or false, got the string \"" + field.node.Scalar() +
                      "\"; remove the quotes");
  } else if (field.node.IsScalar()) {
    diag.error_at(field.mark, field.path,
                  "expected true or false, got '" + field.node.Scalar() + "'");
  } else {
    wrong_type(field, "true or false", diag);
  }
  return std::nullopt;
}

std::optional<long long> read_int(const Field& field, Diagnostics& diag) {
  if (field.node.IsScalar() && is_plain(field.node) && looks_like_int(field.node.Scalar())) {
    if (field.node.Scalar().size() < 18) {
      return std::stoll(field.node.Scalar());
    }
    diag.error_at(field.mark, field.path, "number " + field.node.Scalar() + " is too large");
    return std::nullopt;
  }
  wrong_type(field, "a whole number", diag);
  return std::nullopt;
}

bool is_empty_list(const Field& field) {
  return field.node.IsSequence() && field.node.size() == 0;
}

std::optional<std::vector<Field>> read_list(const Field& field, std::string_view what,
                                            Diagnostics& diag) {
  if (!field.node.IsSequence()) {
    wrong_type(field, what, diag);
    return std::nullopt;
  }
  std::vector<Field> items;
  size_t index = 0;
  for (const YAML::Node& node : field.node) {
    Mark mark = node.IsNull() ? field.mark : mark_of(node);
    items.push_back(Field{node, index_path(field.path, index++), mark, true});
  }
  return items;
}

std::optional<std::vector<Item>> read_string_list(const Field& field, Diagnostics& diag) {
  std::optional<std::vector<Field>> fields = read_list(field, "a list of strings", diag);
  if (!fields) {
    return std::nullopt;
  }
  std::vector<Item> items;
  for (const Field& f : *fields) {
    if (std::optional<std::string> text = read_string(f, diag)) {
      items.push_back(Item{*text, f.path, f.mark});
    }
  }
  return items;
}

std::optional<std::vector<std::pair<Item, Item>>> read_string_map(const Field& field,
                                                                  Diagnostics& diag) {
  if (!field.node.IsMap()) {
    wrong_type(field, "a map of strings", diag);
    return std::nullopt;
  }
  std::vector<std::pair<Item, Item>> out;
  std::map<std::string, Mark> seen;
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    YAML::Node key_node = it->first;
    YAML::Node value_node = it->second;
    Field key{key_node, field.path, mark_of(key_node), true};
    std::optional<std::string> name = read_string(key, diag);
    if (!name) {
      continue;
    }
    if (auto [pos, inserted] = seen.emplace(*name, key.mark); !inserted) {
      diag.error_at(key.mark, field.path,
                    "duplicate key '" + *name + "' (first at " + to_string(pos->second) + ")");
      continue;
    }
    Field value = entry(key_node, value_node, child_path(field.path, *name));
    if (std::optional<std::string> text = read_string(value, diag)) {
      out.emplace_back(Item{*name, value.path, key.mark}, Item{*text, value.path, value.mark});
    }
  }
  return out;
}

} // namespace sp::manifests::detail
