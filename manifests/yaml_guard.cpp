#include "manifests/yaml_guard.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace sp::manifests::detail {

namespace {

Mark mark_of(const YAML::Mark& mark) {
  return mark.is_null() ? Mark{} : Mark{mark.line + 1, mark.column + 1};
}

// Thrown by the handler to stop the parser where the text is refused.
struct Stop {
  YamlRefusal refusal;
};

// Counts what loading would build, without building it. Every value counts one, an alias counts
// what its anchor names (so nested aliases are counted expanded), and collections are tracked
// to know the depth and which anchors are still open.
class Screen final : public YAML::EventHandler {
public:
  explicit Screen(std::string_view text) : m_text(text) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 starts the same empty document again and again on a token no value can
    // start with (a ',' outside a flow collection), never moving on.
    if (m_documents > 0 && mark.pos == m_last_start) {
      throw Stop{{mark_of(mark), "YAML syntax error: unexpected " + quoted_char(mark.pos)}};
    }
    ++m_documents;
    m_last_start = mark.pos;
    m_anchor_sizes.clear();
    m_nodes = 0;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    for (const Open& o : m_open) {
      if (o.anchor == anchor) {
        throw Stop{{mark_of(mark), "the alias " + alias_name(mark.pos) +
                                       " is inside the value its anchor names; a value cannot "
                                       "contain itself"}};
      }
    }
    auto it = m_anchor_sizes.find(anchor);
    count(mark, it == m_anchor_sizes.end() ? 1 : it->second);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

private:
  struct Open {
    YAML::anchor_t anchor;
    uint64_t nodes_before;
  };

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    count(mark, 1);
    if (anchor != YAML::NullAnchor) {
      m_anchor_sizes[anchor] = 1;
    }
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (m_open.size() >= k_max_yaml_depth) {
      throw Stop{{mark_of(mark), "YAML collections nested more than " +
                                     std::to_string(k_max_yaml_depth) +
                                     " deep; no manifest key is nested that deep"}};
    }
    count(mark, 1);
    m_open.push_back(Open{anchor, m_nodes - 1});
  }

  void close() {
    if (m_open.empty()) {
      return;
    }
    Open o = m_open.back();
    m_open.pop_back();
    if (o.anchor != YAML::NullAnchor) {
      m_anchor_sizes[o.anchor] = m_nodes - o.nodes_before;
    }
  }

  void count(const YAML::Mark& mark, uint64_t nodes) {
    m_nodes += nodes; // never wraps: each addition is at most k_max_yaml_nodes
    if (m_nodes > k_max_yaml_nodes) {
      throw Stop{{mark_of(mark), "the YAML aliases expand the manifest to more than " +
                                     std::to_string(k_max_yaml_nodes) +
                                     " values; write repeated values out, or nest fewer "
                                     "aliases"}};
    }
  }

  // "','" for a printable character, else its code.
  std::string quoted_char(int pos) const {
    if (pos < 0 || static_cast<size_t>(pos) >= m_text.size()) {
      return "end of text";
    }
    auto c = static_cast<unsigned char>(m_text[static_cast<size_t>(pos)]);
    if (c >= 0x20 && c < 0x7f) {
      return "'" + std::string(1, static_cast<char>(c)) + "'";
    }
    return "byte " + std::to_string(c);
  }

  // "*name" as written at `pos` (yaml-cpp reports aliases by number only).
  std::string alias_name(int pos) const {
    if (pos < 0 || static_cast<size_t>(pos) >= m_text.size()) {
      return "(an alias)";
    }
    std::string_view rest = m_text.substr(static_cast<size_t>(pos));
    size_t end = rest.find_first_of(" \t\r\n,[]{}");
    std::string_view name = rest.substr(0, std::min<size_t>(end, 64));
    return std::string(name);
  }

  std::string_view m_text;
  size_t m_documents = 0;
  int m_last_start = -1;
  uint64_t m_nodes = 0;
  std::vector<Open> m_open;
  std::map<YAML::anchor_t, uint64_t> m_anchor_sizes;
};

} // namespace

std::optional<YamlRefusal> screen_yaml(std::string_view text) {
  if (text.size() > k_max_manifest_size) {
    return YamlRefusal{Mark{1, 1}, "the manifest is " + std::to_string(text.size()) +
                                       " bytes; a manifest may be at most " +
                                       std::to_string(k_max_manifest_size >> 10) + " KiB"};
  }
  std::istringstream in{std::string(text)};
  Screen screen(text);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(screen)) {
    }
  } catch (const Stop& stop) {
    return stop.refusal;
  } catch (const YAML::Exception& e) {
    return YamlRefusal{mark_of(e.mark), "YAML syntax error: " + e.msg};
  }
  return std::nullopt;
}

} // namespace sp::manifests::detail
