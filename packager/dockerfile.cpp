#include "packager/dockerfile.h"

#include "util/diagnostics.h"
#include "util/image_values.h"
#include "util/strings.h"

#include <algorithm>
#include <cctype>
#include <fnmatch.h>
#include <glob.h>

namespace sp::packager {

namespace {

using Vars = std::map<std::string, std::string>;

struct Line {
  int number = 0;
  std::string text;
};

struct Problem {
  int line = 0;
  std::string message;
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// Reads parser directives ("# escape=`", "# syntax=…") from the top; returns the escape char
// and the index of the first line after them.
size_t read_directives(const std::vector<std::string>& raw, char& escape) {
  size_t i = 0;
  for (; i < raw.size(); ++i) {
    std::string_view t = trim(raw[i]);
    size_t eq = t.find('=');
    if (t.empty() || t[0] != '#' || eq == std::string_view::npos) {
      break;
    }
    std::string key = upper(trim(t.substr(1, eq - 1)));
    std::string_view value = trim(t.substr(eq + 1));
    if (key == "ESCAPE" && (value == "`" || value == "\\")) {
      escape = value[0];
    } else if (key != "SYNTAX" && key != "CHECK") {
      break;
    }
  }
  return i;
}

// Joins continuation lines and drops comments; each logical line keeps its first line number.
std::vector<Line> logical_lines(std::string_view text, char& escape) {
  std::vector<std::string> raw = split(text, '\n');
  for (std::string& l : raw) {
    if (!l.empty() && l.back() == '\r') {
      l.pop_back();
    }
  }
  std::vector<Line> out;
  std::string current;
  bool continued = false;
  int start = 0;
  for (size_t i = read_directives(raw, escape); i < raw.size(); ++i) {
    std::string_view t = trim(raw[i]);
    if (t.empty() || t[0] == '#') {
      continue; // blank and comment lines, also inside a continuation
    }
    if (!continued) {
      start = static_cast<int>(i) + 1;
    }
    std::string_view r = rtrim(raw[i]);
    if (!r.empty() && r.back() == escape) {
      current += r.substr(0, r.size() - 1);
      continued = true;
      continue;
    }
    current += raw[i];
    out.push_back(Line{start, current});
    current.clear();
    continued = false;
  }
  if (continued && !trim(current).empty()) {
    out.push_back(Line{start, current});
  }
  return out;
}

// A small shell-word lexer: quotes removed, escapes honoured, $VAR / ${VAR} / ${VAR:-x} /
// ${VAR:+x} expanded from `vars` (when given). With split = false the whole text is one word.
class WordLexer {
public:
  WordLexer(std::string_view text, char escape, const Vars* vars, bool split)
      : m_s(text), m_escape(escape), m_vars(vars), m_split(split) {}

  Result<std::vector<std::string>> run() {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    while (m_i < m_s.size()) {
      char c = m_s[m_i];
      if (m_split && std::isspace(static_cast<unsigned char>(c))) {
        if (in_word) {
          words.push_back(word);
          word.clear();
          in_word = false;
        }
        ++m_i;
        continue;
      }
      in_word = true;
      SP_TRY(step(word));
    }
    if (in_word) {
      words.push_back(word);
    }
    return words;
  }

private:
  Status step(std::string& word) {
    char c = m_s[m_i];
    if (c == '\'') {
      size_t end = m_s.find('\'', m_i + 1);
      if (end == std::string_view::npos) {
        return failure("", "unterminated single quote");
      }
      word += m_s.substr(m_i + 1, end - m_i - 1);
      m_i = end + 1;
    } else if (c == '"') {
      return double_quoted(word);
    } else if (c == m_escape && m_i + 1 < m_s.size()) {
      word += m_s[m_i + 1];
      m_i += 2;
    } else if (c == '$' && m_vars) {
      word += expand();
    } else {
      word += c;
      ++m_i;
    }
    return {};
  }

  Status double_quoted(std::string& word) {
    ++m_i;
    while (m_i < m_s.size() && m_s[m_i] != '"') {
      char c = m_s[m_i];
      if (c == m_escape && m_i + 1 < m_s.size() &&
          (m_s[m_i + 1] == '"' || m_s[m_i + 1] == m_escape || m_s[m_i + 1] == '$')) {
        word += m_s[m_i + 1];
        m_i += 2;
      } else if (c == '$' && m_vars) {
        word += expand();
      } else {
        word += c;
        ++m_i;
      }
    }
    if (m_i >= m_s.size()) {
      return failure("", "unterminated double quote");
    }
    ++m_i;
    return {};
  }

  static bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  }

  std::string lookup(const std::string& name) const {
    auto it = m_vars->find(name);
    return it == m_vars->end() ? std::string() : it->second;
  }

  // At '$': returns the expansion and moves past it.
  std::string expand() {
    ++m_i;
    if (m_i < m_s.size() && m_s[m_i] == '{') {
      size_t end = m_s.find('}', m_i);
      if (end == std::string_view::npos) {
        return "$";
      }
      std::string body(m_s.substr(m_i + 1, end - m_i - 1));
      m_i = end + 1;
      return expand_braced(body);
    }
    size_t start = m_i;
    while (m_i < m_s.size() && is_name_char(m_s[m_i])) {
      ++m_i;
    }
    return start == m_i ? std::string("$") : lookup(std::string(m_s.substr(start, m_i - start)));
  }

  std::string expand_braced(const std::string& body) const {
    size_t op = body.find_first_of(":-+");
    std::string name = body.substr(0, op);
    if (op == std::string::npos) {
      return lookup(name);
    }
    bool colon = body[op] == ':';
    size_t sign = colon ? op + 1 : op;
    if (sign >= body.size()) {
      return lookup(name);
    }
    std::string word = body.substr(sign + 1);
    bool set = m_vars->count(name) && (!colon || !lookup(name).empty());
    if (body[sign] == '-') {
      return set ? lookup(name) : word;
    }
    return set ? word : std::string();
  }

  std::string_view m_s;
  size_t m_i = 0;
  char m_escape;
  const Vars* m_vars;
  bool m_split;
};

class Parser {
public:
  Parser(std::string_view name, const Vars& build_args) : m_name(name), m_build_args(build_args) {}

  Result<DockerfilePlan> parse(std::string_view text) {
    for (const Line& line : logical_lines(text, m_escape)) {
      instruction(line);
    }
    if (!m_seen_from && m_problems.empty()) {
      m_problems.push_back(Problem{0, "no FROM scratch: a Dockerfile starts with FROM scratch"});
    }
    if (!m_problems.empty()) {
      return report();
    }
    return m_plan;
  }

private:
  void instruction(const Line& line) {
    std::string_view t = trim(line.text);
    size_t space = t.find_first_of(" \t");
    std::string keyword = upper(t.substr(0, space));
    std::string_view args = space == std::string_view::npos ? "" : trim(t.substr(space));
    m_line = line.number;
    if (keyword == "FROM") {
      from(args);
      return;
    }
    if (keyword == "ARG") {
      arg(args);
      return;
    }
    if (!m_seen_from) {
      problem(keyword + " before FROM: a Dockerfile starts with FROM scratch (only ARG may "
                        "come before it)");
      return;
    }
    m_plan.instructions.push_back(std::string(t));
    dispatch(keyword, args);
  }

  void dispatch(const std::string& keyword, std::string_view args) {
    if (keyword == "RUN") {
      problem("RUN is not supported: a scratch image has no shell to run it; build the files with "
              "scratchpack build and ADD them");
    } else if (keyword == "CMD" || keyword == "ENTRYPOINT") {
      command(keyword, args);
    } else if (keyword == "ADD" || keyword == "COPY") {
      copy(keyword, args);
    } else if (keyword == "ENV") {
      env(args);
    } else if (keyword == "LABEL") {
      label(args);
    } else if (keyword == "EXPOSE") {
      expose(args);
    } else if (keyword == "USER" || keyword == "WORKDIR" || keyword == "STOPSIGNAL" ||
               keyword == "MAINTAINER") {
      single_value(keyword, args);
    } else if (keyword == "VOLUME") {
      volume(args);
    } else if (keyword == "SHELL") {
      problem("SHELL is not supported: a scratch image has no shell");
    } else if (keyword == "HEALTHCHECK") {
      problem("HEALTHCHECK is not supported: OCI image configs have no health check (it is a "
              "Docker-only field); let the orchestrator probe the program");
    } else if (keyword == "ONBUILD") {
      problem("ONBUILD is not supported: there is no later build to trigger");
    } else {
      problem("unknown instruction " + keyword);
    }
  }

  void problem(std::string message) { m_problems.push_back(Problem{m_line, std::move(message)}); }

  std::optional<std::vector<std::string>> words(std::string_view args, bool split = true) {
    Result<std::vector<std::string>> w = WordLexer(args, m_escape, &m_vars, split).run();
    if (!w) {
      problem(w.error().why);
      return std::nullopt;
    }
    return *w;
  }

  void from(std::string_view args) {
    std::swap(m_vars, m_global_args); // FROM sees the ARGs declared before it
    std::optional<std::vector<std::string>> w = words(args);
    std::swap(m_vars, m_global_args);
    if (!w) {
      return;
    }
    std::vector<std::string> rest;
    for (const std::string& word : *w) {
      if (word.rfind("--platform=", 0) != 0) { // the target decides the platform
        rest.push_back(word);
      }
    }
    bool alias = rest.size() == 3 && upper(rest[1]) == "AS";
    if (m_seen_from) {
      problem("a second FROM: multi-stage builds are not supported; build the binaries with "
              "scratchpack build and use one FROM scratch");
    } else if (rest.empty() || (rest.size() != 1 && !alias)) {
      problem("FROM needs an image: FROM scratch");
    } else if (rest[0] != "scratch") {
      problem("FROM " + rest[0] + ": only FROM scratch is supported");
    }
    m_seen_from = true;
  }

  void arg(std::string_view args) {
    std::optional<std::vector<std::string>> w = words(args);
    if (!w || w->empty()) {
      problem("ARG needs a NAME or NAME=DEFAULT");
      return;
    }
    // As in Docker, an ARG before FROM is only visible after it when declared again there;
    // the second declaration takes the first one's default.
    Vars& scope = m_seen_from ? m_vars : m_global_args;
    for (const std::string& word : *w) {
      size_t eq = word.find('=');
      std::string name = word.substr(0, eq);
      if (auto given = m_build_args.find(name); given != m_build_args.end()) {
        scope[name] = given->second;
      } else if (eq != std::string::npos) {
        scope[name] = word.substr(eq + 1);
      } else if (auto global = m_global_args.find(name); global != m_global_args.end()) {
        scope[name] = global->second;
      }
    }
  }

  void command(const std::string& keyword, std::string_view args) {
    Result<std::vector<std::string>> argv = parse_exec_form(args, keyword);
    if (!argv) {
      problem(argv.error().why);
      return;
    }
    (keyword == "CMD" ? m_plan.cmd : m_plan.entrypoint) = *argv;
  }

  // KEY=VALUE pairs, or the legacy "KEY VALUE…" form (one pair, the rest of the line).
  std::optional<std::vector<std::pair<std::string, std::string>>> pairs(const std::string& keyword,
                                                                        std::string_view args) {
    std::optional<std::vector<std::string>> w = words(args);
    if (!w) {
      return std::nullopt;
    }
    if (w->empty()) {
      problem(keyword + " needs KEY=VALUE");
      return std::nullopt;
    }
    std::vector<std::pair<std::string, std::string>> out;
    if ((*w)[0].find('=') == std::string::npos) {
      size_t space = args.find_first_of(" \t");
      std::optional<std::vector<std::string>> value =
          space == std::string_view::npos ? std::nullopt : words(trim(args.substr(space)), false);
      if (!value || value->empty()) {
        problem(keyword + " " + (*w)[0] + " needs a value: " + keyword + " " + (*w)[0] + "=VALUE");
        return std::nullopt;
      }
      out.emplace_back((*w)[0], (*value)[0]);
      return out;
    }
    for (const std::string& word : *w) {
      size_t eq = word.find('=');
      if (eq == std::string::npos || eq == 0) {
        problem(keyword + " " + word + ": expected KEY=VALUE");
        return std::nullopt;
      }
      out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
    return out;
  }

  void env(std::string_view args) {
    auto p = pairs("ENV", args);
    if (!p) {
      return;
    }
    for (const auto& [key, value] : *p) {
      std::string entry = key + "=" + value;
      if (Status s = check_env(entry); !s) {
        problem(s.error().what + ": " + s.error().why);
        continue;
      }
      auto it = std::find_if(m_plan.env.begin(), m_plan.env.end(),
                             [&](const std::string& e) { return e.rfind(key + "=", 0) == 0; });
      if (it != m_plan.env.end()) {
        *it = entry;
      } else {
        m_plan.env.push_back(entry);
      }
      m_vars[key] = value;
    }
  }

  void label(std::string_view args) {
    if (auto p = pairs("LABEL", args)) {
      for (const auto& [key, value] : *p) {
        m_plan.labels[key] = value;
      }
    }
  }

  void expose(std::string_view args) {
    std::optional<std::vector<std::string>> w = words(args);
    if (w && w->empty()) {
      problem("EXPOSE needs a port, e.g. EXPOSE 8080/tcp");
    }
    for (const std::string& port : w.value_or(std::vector<std::string>{})) {
      Result<std::vector<std::string>> ports = parse_ports(port);
      if (!ports) {
        problem(ports.error().what + ": " + ports.error().why);
        continue;
      }
      m_plan.exposed_ports.insert(ports->begin(), ports->end());
    }
  }

  void volume(std::string_view args) {
    std::optional<std::vector<std::string>> list = json_or_words(args);
    for (const std::string& v : list.value_or(std::vector<std::string>{})) {
      if (v.empty() || v[0] != '/') {
        problem("VOLUME " + v + ": the path must be absolute");
        continue;
      }
      m_plan.volumes.insert(v);
    }
  }

  void single_value(const std::string& keyword, std::string_view args) {
    std::optional<std::vector<std::string>> w = words(args, false);
    std::string value = w && !w->empty() ? (*w)[0] : std::string();
    if (value.empty()) {
      if (w) {
        problem(keyword + " needs a value");
      }
      return;
    }
    Status s;
    if (keyword == "USER") {
      s = check_user(value);
      m_plan.user = value;
    } else if (keyword == "STOPSIGNAL") {
      // The one signal grammar of --stop-signal and a manifest's stop_signal.
      Result<std::string> signal = parse_stop_signal(value);
      if (!signal) {
        problem("STOPSIGNAL " + value + ": " + signal.error().why);
        return;
      }
      m_plan.stop_signal = *signal;
    } else if (keyword == "MAINTAINER") {
      m_plan.author = value;
    } else {
      workdir(value);
    }
    if (!s) {
      problem(s.error().what + ": " + s.error().why);
    }
  }

  void workdir(const std::string& value) {
    std::string base = m_plan.working_dir.value_or("/");
    std::string joined = value[0] == '/' ? value : base + "/" + value;
    Result<std::string> dir = normalize_image_path(joined);
    if (!dir) {
      problem("WORKDIR " + value + ": " + dir.error().why);
      return;
    }
    m_plan.working_dir = *dir;
    m_plan.workdirs.push_back(*dir);
  }

  // The JSON array form (["a", "b"]) when the text is one, else shell words.
  std::optional<std::vector<std::string>> json_or_words(std::string_view args) {
    if (!args.empty() && args[0] == '[') {
      nlohmann::json j = nlohmann::json::parse(args, nullptr, false);
      if (!j.is_discarded() && j.is_array() &&
          std::all_of(j.begin(), j.end(), [](const auto& v) { return v.is_string(); })) {
        std::vector<std::string> out;
        for (const auto& v : j) {
          std::optional<std::vector<std::string>> e = words(v.template get<std::string>(), false);
          out.push_back(e && !e->empty() ? (*e)[0] : std::string());
        }
        return out;
      }
    }
    return words(args);
  }

  void copy(const std::string& keyword, std::string_view args) {
    DockerfileCopy c;
    c.line = m_line;
    c.instruction = keyword;
    while (args.substr(0, 2) == "--") {
      size_t end = args.find_first_of(" \t");
      std::string flag(args.substr(0, end));
      args = end == std::string_view::npos ? "" : trim(args.substr(end));
      copy_flag(keyword, flag, c);
    }
    if (args.find("<<") != std::string_view::npos) {
      problem(keyword + " with a heredoc is not supported: put the file in the build context");
      return;
    }
    std::vector<std::string> list = json_or_words(args).value_or(std::vector<std::string>{});
    if (list.size() < 2) {
      problem(keyword + " needs at least one source and a destination");
      return;
    }
    std::string dest = list.back();
    list.pop_back();
    copy_sources(keyword, list, dest, c);
  }

  void copy_flag(const std::string& keyword, const std::string& flag, DockerfileCopy& c) {
    std::string name = flag.substr(0, flag.find('='));
    std::string value = flag.find('=') == std::string::npos ? "" : flag.substr(flag.find('=') + 1);
    if (name == "--chmod") {
      // Docker reads --chmod as octal whether or not it starts with 0 (755 is 0755).
      Result<unsigned> mode = parse_file_mode(value.starts_with("0") ? value : "0" + value);
      if (!mode) {
        problem(keyword + " --chmod=" + value + ": expected an octal mode such as 0755");
      } else {
        c.chmod = *mode;
      }
    } else if (name == "--chown") {
      chown(keyword, value, c);
    } else if (name == "--from") {
      problem(keyword + " --from is not supported: there are no other stages or images to copy "
                        "from; build the files with scratchpack build");
    } else if (name != "--link") { // --link changes layer reuse only, which we do not do
      problem(keyword + " " + name + " is not supported");
    }
  }

  void chown(const std::string& keyword, const std::string& value, DockerfileCopy& c) {
    // The owner rule of --add and a manifest's files[].owner (util/image_values.h).
    Result<FileOwner> owner = parse_file_owner(value);
    if (!owner) {
      problem(keyword + " --chown=" + value +
              ": names need an /etc/passwd to look them up in; "
              "use numeric ids, e.g. --chown=65532:65532");
      return;
    }
    c.uid = owner->uid;
    c.gid = owner->gid;
  }

  void copy_sources(const std::string& keyword, const std::vector<std::string>& sources,
                    const std::string& dest, DockerfileCopy& c) {
    bool wildcard = false;
    for (const std::string& s : sources) {
      if (s.find("://") != std::string::npos || s.rfind("git@", 0) == 0) {
        problem(keyword + " " + s +
                ": remote sources are not supported; download the file into "
                "the build context and ADD it from there");
        return;
      }
      wildcard = wildcard || s.find_first_of("*?[") != std::string::npos;
    }
    bool dir_dest = !dest.empty() && dest.back() == '/';
    if ((sources.size() > 1 || wildcard) && !dir_dest) {
      problem(keyword + " with several sources needs a destination ending in '/': " + dest + "/");
      return;
    }
    std::string base = m_plan.working_dir.value_or("/");
    Result<std::string> absolute = normalize_image_path(dest[0] == '/' ? dest : base + "/" + dest);
    if (!absolute) {
      problem(keyword + " " + dest + ": " + absolute.error().why);
      return;
    }
    c.sources = sources;
    c.dest = *absolute + (dir_dest && *absolute != "/" ? "/" : "");
    m_plan.copies.push_back(c);
  }

  Error report() const {
    Diagnostics diag;
    for (const Problem& p : m_problems) {
      diag.add(
          failure(m_name + (p.line > 0 ? ":" + std::to_string(p.line) : std::string()), p.message));
    }
    return diag.summarise(m_name);
  }

  std::string m_name;
  const Vars& m_build_args;
  Vars m_vars;        // ENV and ARG values visible in the stage
  Vars m_global_args; // ARGs declared before FROM
  char m_escape = '\\';
  int m_line = 0;
  bool m_seen_from = false;
  DockerfilePlan m_plan;
  std::vector<Problem> m_problems;
};

} // namespace

Result<DockerfilePlan> parse_dockerfile(std::string_view text, std::string_view name,
                                        const std::map<std::string, std::string>& build_args) {
  return Parser(name, build_args).parse(text);
}

} // namespace sp::packager
