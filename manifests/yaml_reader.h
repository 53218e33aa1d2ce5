// Typed reads over yaml-cpp nodes that report rather than throw: each wrong type, unknown key,
// duplicate key or missing required key becomes a Problem with its position, and reading goes on.
// Internal to manifests/ (yaml-cpp stays out of the public headers).
#pragma once

#include "manifests/key_path.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace sp::manifests::detail {

/// The node's position, 1-based; unknown for nodes that are not in the text.
Mark mark_of(const YAML::Node& node);

/// "a map", "a list", "a string", "a number", "a boolean" or "an empty value", for messages.
std::string describe(const YAML::Node& node);

/// A value with its key path and position. `present` is false when the key was not written.
struct Field {
  YAML::Node node;
  std::string path;
  Mark mark; ///< the value's position; the key's when the value is empty
  bool present = false;
};

/// A scalar read as text, with where it was written.
struct Item {
  std::string value;
  std::string path;
  Mark mark;
};

/// A map whose keys are checked against a fixed set: unknown keys (with a suggestion), duplicate
/// keys and non-scalar keys are reported on construction.
class MapReader {
public:
  MapReader(const Field& field, std::vector<std::string> known, Diagnostics& diag);

  /// False when the field was not a map (already reported); every get() is then absent.
  bool ok() const { return m_ok; }
  /// The value of `key`, or an absent Field.
  Field get(std::string_view key) const;
  /// Like get(), but a missing key is reported.
  Field require(std::string_view key) const;
  const std::string& path() const { return m_path; }
  Mark mark() const { return m_mark; }

private:
  std::vector<std::pair<std::string, Field>> m_fields;
  std::string m_path;
  Mark m_mark;
  Diagnostics* m_diag;
  bool m_ok = false;
};

/// Reports "expected <what>, got <describe(node)>".
void wrong_type(const Field& field, std::string_view what, Diagnostics& diag);

/// A scalar as written (numbers and booleans too: "8080", "true"); nullopt after a report.
std::optional<std::string> read_string(const Field& field, Diagnostics& diag);
/// A plain true/false (also True/TRUE/False/FALSE); nullopt after a report.
std::optional<bool> read_bool(const Field& field, Diagnostics& diag);
/// A plain decimal integer; nullopt after a report.
std::optional<long long> read_int(const Field& field, Diagnostics& diag);
/// The entries of a list, each a Field ("tags[1]"); nullopt after a report. `what` names the
/// expected shape in the message ("a list of strings").
std::optional<std::vector<Field>> read_list(const Field& field, std::string_view what,
                                            Diagnostics& diag);
/// True for a list written with no entries ([] or an empty block): "must list at least one".
bool is_empty_list(const Field& field);
/// A list of scalars; entries of the wrong type are reported and left out.
std::optional<std::vector<Item>> read_string_list(const Field& field, Diagnostics& diag);
/// A map of scalar to scalar, in the order written; duplicate keys are reported and dropped.
std::optional<std::vector<std::pair<Item, Item>>> read_string_map(const Field& field,
                                                                  Diagnostics& diag);

} // namespace sp::manifests::detail
