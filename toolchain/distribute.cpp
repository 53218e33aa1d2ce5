#include "toolchain/distribute.h"

#include "util/diagnostics.h"
#include "util/fs.h"
#include "util/strings.h"

#include <cstdlib>
#include <optional>

namespace sp::toolchain {

namespace {

/// distcc's defaults when a host has no /LIMIT (hosts.c: four for a remote host, two for
/// localhost).
constexpr unsigned k_default_remote_slots = 4;
constexpr unsigned k_default_local_slots = 2;

/// A decimal number in [min, max], or nullopt.
std::optional<unsigned> number(std::string_view text, unsigned min, unsigned max) {
  if (text.empty() || text.size() > 6) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

Error bad_host(std::string_view spec, std::string why) {
  return usage_error("distcc host '" + std::string(spec) + "'", std::move(why),
                     "the syntax is distcc's DISTCC_HOSTS: HOST[:PORT][/LIMIT][,lzo], "
                     "USER@HOST[/LIMIT], localhost[/LIMIT] or --localslots=N");
}

/// ",lzo", ",cpp", ",auth[=NAME]": distcc's options; anything else is a mistake.
Status check_options(std::string_view spec, std::string_view options) {
  for (const std::string& o : split(options, ',')) {
    if (o != "lzo" && o != "cpp" && o != "auth" && !o.starts_with("auth=")) {
      return bad_host(spec, "unknown option '" + o + "' (distcc knows lzo, cpp and auth)");
    }
  }
  return {};
}

/// The ":PORT" and "/LIMIT" parts after a host name, in either order, each at most once.
Status port_and_limit(std::string_view spec, std::string_view rest, DistccHost& h) {
  bool port_seen = false;
  bool limit_seen = false;
  while (!rest.empty()) {
    char kind = rest.front();
    size_t end = rest.find_first_of(":/", 1);
    std::string_view value = rest.substr(1, end == std::string_view::npos ? end : end - 1);
    if (kind == ':' && !port_seen) {
      auto port = number(value, 1, 65535);
      if (!port) {
        return bad_host(spec, "the port must be a number from 1 to 65535");
      }
      h.port = *port;
      port_seen = true;
    } else if (kind == '/' && !limit_seen) {
      auto limit = number(value, 1, 10000);
      if (!limit) {
        return bad_host(spec, "the limit after '/' must be a number of jobs, at least 1");
      }
      h.slots = *limit;
      limit_seen = true;
    } else {
      return bad_host(spec, std::string("'") + kind + "' given twice or out of place");
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return {};
}

Result<DistccHost> parse_host(std::string_view spec) {
  DistccHost h;
  h.spec = spec;
  std::string_view body = spec;
  if (size_t comma = body.find(','); comma != std::string_view::npos) {
    SP_TRY(check_options(spec, body.substr(comma + 1)));
    body = body.substr(0, comma);
  }
  if (size_t at = body.find('@'); at != std::string_view::npos) {
    // [USER]@HOST[/LIMIT][:COMMAND]: the command is the remote distccd's path, not a port.
    h.ssh = true;
    body = body.substr(at + 1);
    if (size_t colon = body.find(':'); colon != std::string_view::npos) {
      body = body.substr(0, colon);
    }
  }
  std::string_view rest;
  if (body.starts_with("[")) {
    size_t close = body.find(']');
    if (close == std::string_view::npos || close == 1) {
      return bad_host(spec, "an IPv6 address must be written [ADDRESS]");
    }
    h.host = body.substr(1, close - 1);
    rest = body.substr(close + 1);
  } else {
    size_t end = body.find_first_of(":/");
    h.host = body.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : body.substr(end);
  }
  if (h.host.empty()) {
    return bad_host(spec, "no host name");
  }
  if (h.ssh && rest.find(':') != std::string_view::npos) {
    return bad_host(spec, "an SSH host takes no port");
  }
  SP_TRY(port_and_limit(spec, rest, h));
  h.local = !h.ssh && h.host == "localhost";
  if (h.slots == 0) {
    h.slots = h.local ? k_default_local_slots : k_default_remote_slots;
  }
  return h;
}

} // namespace

Result<DistccHosts> parse_distcc_hosts(std::string_view text) {
  DistccHosts out;
  Diagnostics diag;
  std::string normal(text);
  for (char& c : normal) {
    c = (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  }
  for (const std::string& word : split(normal, ' ')) {
    if (word.empty() || word == "--randomize") {
      continue;
    }
    if (word == "+zeroconf") {
      diag.add(usage_error("distcc host '+zeroconf'",
                           "scratchpack counts the hosts' slots to size its jobs; zeroconf "
                           "discovery does not say them",
                           "list the hosts: HOST/LIMIT …"));
      continue;
    }
    if (word.starts_with("--localslots=") || word.starts_with("--localslots_cpp=")) {
      auto n = number(word.substr(word.find('=') + 1), 1, 10000);
      if (!n) {
        diag.add(bad_host(word, "needs a number of jobs, at least 1"));
      } else if (word.starts_with("--localslots=")) {
        out.local_slots = *n;
      }
      continue;
    }
    if (word.starts_with("-")) {
      diag.add(bad_host(word, "not an option distcc knows in a host list"));
      continue;
    }
    auto host = parse_host(word);
    if (!diag.check(host)) {
      continue;
    }
    (host->local ? out.local_slots : out.remote_slots) += host->slots;
    out.hosts.push_back(std::move(*host));
  }
  SP_TRY(diag.status());
  if (out.hosts.empty()) {
    return usage_error("distcc hosts", "the list names no host",
                       "give HOST[:PORT][/LIMIT] entries, e.g. 10.0.0.2/8 10.0.0.3:3633/4");
  }
  return out;
}

namespace {

/// distcc's settings scratchpack relies on for its fault handling (see the header).
void add_fault_settings(Launcher& l) {
  l.distcc = true;
  l.env.insert(l.env.end(), {"DISTCC_FALLBACK=0", "DISTCC_SKIP_LOCAL_RETRY=1"});
}

} // namespace

Launcher distcc_launcher(const std::string& hosts, const DistccHosts& parsed,
                         const std::string& remote_compiler) {
  Launcher l;
  l.prefix = {"distcc"};
  l.env.push_back("DISTCC_HOSTS=" + hosts);
  add_fault_settings(l);
  l.remote_slots = parsed.remote_slots;
  l.remote_compiler = remote_compiler;
  size_t remote_hosts = 0;
  for (const DistccHost& h : parsed.hosts) {
    remote_hosts += h.local ? 0 : 1;
  }
  l.description = "distcc (" + std::to_string(remote_hosts) +
                  (remote_hosts == 1 ? " host, " : " hosts, ") +
                  std::to_string(parsed.remote_slots) + " slots)";
  return l;
}

Result<Launcher> command_launcher(std::string_view command, std::string_view distcc_hosts,
                                  const std::string& remote_compiler) {
  Launcher l;
  std::string normal(command);
  for (char& c : normal) {
    c = c == '\t' ? ' ' : c;
  }
  for (const std::string& word : split(normal, ' ')) {
    if (!word.empty()) {
      l.prefix.push_back(word);
    }
  }
  if (l.prefix.empty()) {
    return usage_error("--compiler-launcher", "is empty", "name a program: distcc, icecc…");
  }
  l.description = join(l.prefix, " ");
  if (fs::path(l.prefix.front()).filename() == "distcc") {
    add_fault_settings(l);
    l.remote_compiler = remote_compiler;
    if (auto parsed = parse_distcc_hosts(distcc_hosts); parsed && !distcc_hosts.empty()) {
      l.remote_slots = parsed->remote_slots;
    }
  }
  return l;
}

std::vector<std::string> launch_command(const Launcher& launcher,
                                        const std::vector<std::string>& argv) {
  std::vector<std::string> out = launcher.prefix;
  out.insert(out.end(), argv.begin(), argv.end());
  if (!launcher.remote_compiler.empty() && !argv.empty()) {
    out[launcher.prefix.size()] = launcher.remote_compiler;
  }
  return out;
}

bool launcher_failed(const Launcher& launcher, int exit_code) {
  // distcc(1), EXIT CODES: "distcc internal errors cause an exit code between 100 and 127".
  return launcher.distcc && exit_code >= 100 && exit_code <= 127;
}

std::string without_launcher_lines(const Launcher& launcher, std::string_view text) {
  if (!launcher.distcc) {
    return std::string(text);
  }
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.starts_with("distcc[")) {
      out += line;
    }
    pos = end;
  }
  return out;
}

void LaunchStats::fell_back(std::string_view why) {
  ++m_fallbacks;
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_reason.empty()) {
    return;
  }
  // distcc's last line says what finally failed ("failed to distribute and fallbacks are
  // disabled" follows the reason, so prefer the last line that says something else).
  std::vector<std::string> lines;
  for (const std::string& l : split(std::string(why), '\n')) {
    std::string_view line = trim(l);
    // "distcc[123] (dcc_connect) ERROR: …": the pid and distcc's function name say nothing here.
    if (line.starts_with("distcc[") && line.find("] ") != std::string_view::npos) {
      line = line.substr(line.find("] ") + 2);
      if (line.starts_with("(") && line.find(") ") != std::string_view::npos) {
        line = line.substr(line.find(") ") + 2);
      }
    }
    if (!line.empty()) {
      lines.push_back(std::string(line));
    }
  }
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->find("fallbacks are disabled") == std::string::npos) {
      m_reason = *it;
      break;
    }
  }
  if (m_reason.empty()) {
    m_reason = lines.empty() ? std::string("the launcher failed") : lines.back();
  }
}

std::string LaunchStats::first_reason() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_reason;
}

std::string remote_compiler_name(const std::string& clang, const std::string& version) {
  std::string name = "clang-" + version.substr(0, version.find('.'));
  const char* path = std::getenv("PATH");
  std::error_code ec;
  fs::path real = fs::canonical(clang, ec);
  if (ec) {
    return clang;
  }
  for (const std::string& dir : split(path ? path : "", ':')) {
    if (dir.empty() || dir.find("distcc") != std::string::npos) {
      continue; // a masquerade directory would name distcc itself
    }
    fs::path candidate = fs::path(dir) / name;
    if (is_executable_file(candidate)) {
      return fs::canonical(candidate, ec) == real && !ec ? name : clang;
    }
  }
  return clang;
}

} // namespace sp::toolchain
