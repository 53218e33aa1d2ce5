#include "manifests/glob.h"

#include "util/strings.h"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

namespace sp::manifests {

namespace {

// Where a bracket expression that starts at `open` ends (the index of its ']'), or npos.
size_t bracket_end(std::string_view pattern, size_t open) {
  size_t i = open + 1;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    ++i;
  }
  // A ']' right after the opening (or its negation) is a literal member.
  if (i < pattern.size() && pattern[i] == ']') {
    ++i;
  }
  size_t close = pattern.find(']', i);
  return close;
}

bool match_bracket(std::string_view set, char c) {
  bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
  if (negate) {
    set.remove_prefix(1);
  }
  bool found = false;
  for (size_t i = 0; i < set.size(); ++i) {
    if (i + 2 < set.size() && set[i + 1] == '-') {
      found = found || (set[i] <= c && c <= set[i + 2]);
      i += 2;
    } else {
      found = found || set[i] == c;
    }
  }
  return found != negate;
}

// Whether the pattern token at the start of `p` (a character, '?', a bracket expression, an
// escaped character) matches `c`; `length` is how many pattern characters the token takes.
bool token_matches(std::string_view p, char c, size_t& length) {
  length = 1;
  if (p[0] == '?') {
    return true;
  }
  if (p[0] == '[') {
    if (size_t close = bracket_end(p, 0); close != std::string_view::npos) {
      length = close + 1;
      return match_bracket(p.substr(1, close - 1), c);
    }
  }
  if (p[0] == '\\' && p.size() > 1) {
    length = 2;
    return p[1] == c;
  }
  return p[0] == c;
}

// Every token but '*' matches exactly one character, so on a mismatch only the last '*' needs
// to take one more character: time |pattern|·|name| at worst, where trying every way to split
// the name among the stars would be exponential ("*a*a*a*a*b" against a long run of 'a').
bool match_from(std::string_view p, std::string_view n) {
  size_t pi = 0;
  size_t ni = 0;
  size_t star = std::string_view::npos; // the pattern just after the last '*'
  size_t star_n = 0;                    // where in the name that star's run ends
  while (ni < n.size()) {
    size_t length = 0;
    if (pi < p.size() && p[pi] == '*') {
      star = ++pi;
      star_n = ni;
    } else if (pi < p.size() && token_matches(p.substr(pi), n[ni], length)) {
      pi += length;
      ++ni;
    } else if (star != std::string_view::npos) {
      pi = star;
      ni = ++star_n;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') {
    ++pi;
  }
  return pi == p.size();
}

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ++i;
    }
    out += text[i];
  }
  return out;
}

std::string join_path(const std::string& dir, std::string_view name) {
  if (dir.empty()) {
    return std::string(name);
  }
  if (dir == "/") {
    return "/" + std::string(name);
  }
  return dir + "/" + std::string(name);
}

// Hidden names stay hidden from wildcards, as in the shell: `*.c` does not pick up `.ycm.c`.
bool visible_to(std::string_view pattern_component, std::string_view name) {
  return !name.starts_with(".") || pattern_component.starts_with(".");
}

class Walker {
public:
  Walker(const fs::path& base, std::vector<std::string> components,
         const std::function<bool(const fs::path&)>& may_enter,
         const std::function<void(const fs::path&)>& observe)
      : m_base(base), m_components(std::move(components)), m_may_enter(may_enter),
        m_observe(observe) {}

  void walk(size_t index, const std::string& rel) {
    // Several `**` can reach one directory at one pattern component in many ways ("**/a/**/b"
    // over a/a/a/…); each (component, directory) is walked once, so the walk is polynomial in
    // the tree, not exponential in the pattern.
    if (!m_visited.emplace(index, rel).second) {
      return;
    }
    if (index == m_components.size()) {
      if (m_observe) {
        m_observe(on_disk(rel).parent_path());
      }
      std::error_code ec;
      if (!rel.empty() && fs::is_regular_file(on_disk(rel), ec)) {
        m_found.insert(rel);
      }
      return;
    }
    const std::string& component = m_components[index];
    if (component == "**") {
      walk(index + 1, rel);
      for_each_entry(rel, [&](const fs::directory_entry& entry, const std::string& name) {
        std::error_code ec;
        if (!name.starts_with(".") && !entry.is_symlink(ec) && entry.is_directory(ec)) {
          walk(index, join_path(rel, name));
        }
      });
    } else if (has_glob_chars(component)) {
      for_each_entry(rel, [&](const fs::directory_entry&, const std::string& name) {
        if (visible_to(component, name) && match_name(component, name)) {
          walk(index + 1, join_path(rel, name));
        }
      });
    } else {
      walk(index + 1, join_path(rel, unescape(component)));
    }
  }

  std::vector<std::string> found() const { return {m_found.begin(), m_found.end()}; }

private:
  fs::path on_disk(const std::string& rel) const { return rel.empty() ? m_base : m_base / rel; }

  template <class F> void for_each_entry(const std::string& rel, F&& visit) {
    if (m_may_enter && !m_may_enter(on_disk(rel))) {
      return;
    }
    if (m_observe) {
      m_observe(on_disk(rel));
    }
    std::error_code ec;
    fs::directory_iterator it(on_disk(rel), ec);
    // A directory that is missing or unreadable simply contributes no match.
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      visit(*it, it->path().filename().string());
    }
  }

  fs::path m_base;
  std::vector<std::string> m_components;
  const std::function<bool(const fs::path&)>& m_may_enter;
  const std::function<void(const fs::path&)>& m_observe;
  std::set<std::string> m_found;
  std::set<std::pair<size_t, std::string>> m_visited;
};

} // namespace

bool has_glob_chars(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

bool match_name(std::string_view pattern, std::string_view name) {
  return match_from(pattern, name);
}

Status check_glob(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == '[') {
      size_t close = bracket_end(pattern, i);
      if (close == std::string_view::npos ||
          pattern.substr(i, close - i).find('/') != std::string_view::npos) {
        return failure(std::string(pattern), "unterminated '[' at offset " + std::to_string(i));
      }
      i = close;
    }
  }
  return {};
}

Result<std::vector<std::string>> expand_glob(std::string_view pattern, const fs::path& base_dir,
                                             const std::function<bool(const fs::path&)>& may_enter,
                                             const std::function<void(const fs::path&)>& observe) {
  SP_TRY(check_glob(pattern));
  std::vector<std::string> components;
  for (const std::string& part : split(pattern, '/')) {
    // "**/**" means what "**" does.
    bool repeated_any = part == "**" && !components.empty() && components.back() == "**";
    if (!part.empty() && part != "." && !repeated_any) {
      components.push_back(part);
    }
  }
  // A trailing `**` means every file below, which is `**/*` with hidden files left out.
  if (!components.empty() && components.back() == "**") {
    components.push_back("*");
  }
  Walker walker(base_dir, std::move(components), may_enter, observe);
  walker.walk(0, pattern.starts_with("/") ? "/" : "");
  return walker.found();
}

} // namespace sp::manifests
