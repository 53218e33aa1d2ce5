#include "packager/config.h"

#include "util/strings.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace sp::packager {

namespace {

using nlohmann::json;

json string_set(const std::set<std::string>& keys) {
  json j = json::object();
  for (const std::string& k : keys) {
    j[k] = json::object();
  }
  return j;
}

json runtime_config(const ImageConfig& c) {
  json j = json::object();
  if (c.entrypoint) {
    j["Entrypoint"] = *c.entrypoint;
  }
  if (c.cmd) {
    j["Cmd"] = *c.cmd;
  }
  if (!c.env.empty()) {
    j["Env"] = c.env;
  }
  if (!c.user.empty()) {
    j["User"] = c.user;
  }
  if (!c.working_dir.empty()) {
    j["WorkingDir"] = c.working_dir;
  }
  if (!c.exposed_ports.empty()) {
    j["ExposedPorts"] = string_set(c.exposed_ports);
  }
  if (!c.volumes.empty()) {
    j["Volumes"] = string_set(c.volumes);
  }
  if (!c.labels.empty()) {
    j["Labels"] = c.labels;
  }
  if (!c.stop_signal.empty()) {
    j["StopSignal"] = c.stop_signal;
  }
  return j;
}

json history_json(const HistoryEntry& h) {
  json j = {{"created", rfc3339(h.created)}};
  if (!h.created_by.empty()) {
    j["created_by"] = h.created_by;
  }
  if (!h.comment.empty()) {
    j["comment"] = h.comment;
  }
  if (h.empty_layer) {
    j["empty_layer"] = true;
  }
  return j;
}

// "1970-01-01T00:00:00Z", "2024-05-01T10:00:00.123+02:00" → epoch seconds.
std::optional<int64_t> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t t = static_cast<int64_t>(timegm(&tm));
  std::string_view rest = std::string_view(text).substr(static_cast<size_t>(consumed));
  while (!rest.empty() && (rest[0] == '.' || std::isdigit(static_cast<unsigned char>(rest[0])))) {
    rest.remove_prefix(1);
  }
  int hh = 0;
  int mm = 0;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') &&
      std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hh, &mm) == 2) {
    t -= (rest[0] == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
  }
  return t;
}

std::vector<std::string> string_array(const json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const json& v : j) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

std::string string_field(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::set<std::string> key_set(const json& j) {
  std::set<std::string> out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      out.insert(k);
    }
  }
  return out;
}

void read_runtime_config(const json& j, ImageConfig& c) {
  if (!j.is_object()) {
    return;
  }
  if (j.contains("Entrypoint") && j["Entrypoint"].is_array()) {
    c.entrypoint = string_array(j["Entrypoint"]);
  }
  if (j.contains("Cmd") && j["Cmd"].is_array()) {
    c.cmd = string_array(j["Cmd"]);
  }
  c.env = string_array(j.value("Env", json::array()));
  c.user = string_field(j, "User");
  c.working_dir = string_field(j, "WorkingDir");
  c.exposed_ports = key_set(j.value("ExposedPorts", json::object()));
  c.volumes = key_set(j.value("Volumes", json::object()));
  c.stop_signal = string_field(j, "StopSignal");
  if (j.contains("Labels") && j["Labels"].is_object()) {
    for (const auto& [k, v] : j["Labels"].items()) {
      if (v.is_string()) {
        c.labels[k] = v.get<std::string>();
      }
    }
  }
}

bool is_all_digits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char ch : s) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) {
      return false;
    }
  }
  return true;
}

Result<unsigned> parse_port_number(std::string_view text, std::string_view whole) {
  unsigned long long n = 0;
  if (!parse_uint(text, n) || n < 1 || n > 65535) {
    return usage_error("port '" + std::string(whole) + "'", "a port is a number from 1 to 65535",
                       "write it as 8080, 8080/tcp or 53/udp");
  }
  return static_cast<unsigned>(n);
}

} // namespace

std::vector<std::string> start_argv(const ImageConfig& config) {
  std::vector<std::string> argv = config.entrypoint.value_or(std::vector<std::string>{});
  if (config.cmd) {
    argv.insert(argv.end(), config.cmd->begin(), config.cmd->end());
  }
  return argv;
}

ImageConfig default_config(const Platform& platform, int64_t created) {
  ImageConfig c;
  c.platform = platform;
  c.created = created;
  c.env.emplace_back(k_default_path_env);
  return c;
}

std::string rfc3339(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string config_json(const ImageConfig& c) {
  json diff_ids = json::array();
  for (const Digest& d : c.diff_ids) {
    diff_ids.push_back(d.to_string());
  }
  json j = {{"architecture", c.platform.architecture},
            {"os", c.platform.os},
            {"created", rfc3339(c.created)},
            {"config", runtime_config(c)},
            {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  if (!c.platform.variant.empty()) {
    j["variant"] = c.platform.variant;
  }
  if (!c.author.empty()) {
    j["author"] = c.author;
  }
  if (!c.history.empty()) {
    json h = json::array();
    for (const HistoryEntry& e : c.history) {
      h.push_back(history_json(e));
    }
    j["history"] = h;
  }
  return canonical_json(j);
}

Result<ImageConfig> parse_config_json(std::string_view text) {
  Result<json> parsed = parse_json(text, "image config");
  if (!parsed) {
    return parsed.take_error();
  }
  const json& j = *parsed;
  Result<Platform> platform = platform_from_json(j, "image config");
  if (!platform) {
    return platform.take_error();
  }
  if (!j.contains("rootfs") || !j["rootfs"].is_object() ||
      string_field(j["rootfs"], "type") != "layers") {
    return failure("image config", "rootfs.type must be \"layers\"");
  }
  ImageConfig c;
  c.platform = *platform;
  for (const std::string& d : string_array(j["rootfs"].value("diff_ids", json::array()))) {
    Result<Digest> digest = parse_digest(d);
    if (!digest) {
      return failure("image config",
                     "rootfs.diff_ids: " + digest.error().what + ": " + digest.error().why);
    }
    c.diff_ids.push_back(*digest);
  }
  c.created = parse_rfc3339(string_field(j, "created")).value_or(0);
  c.author = string_field(j, "author");
  if (j.contains("config")) {
    read_runtime_config(j["config"], c);
  }
  if (j.contains("history") && j["history"].is_array()) {
    for (const json& h : j["history"]) {
      c.history.push_back(HistoryEntry{parse_rfc3339(string_field(h, "created")).value_or(0),
                                       string_field(h, "created_by"), string_field(h, "comment"),
                                       h.value("empty_layer", false)});
    }
  }
  return c;
}

std::string shell_form_message(std::string_view instruction) {
  return "shell form " + std::string(instruction) +
         " needs /bin/sh, which a scratch image does not have; use the exec form, e.g. "
         "[\"/hello\"]";
}

Result<std::vector<std::string>> parse_exec_form(std::string_view text,
                                                 std::string_view instruction) {
  std::string_view t = trim(text);
  json j = json::parse(t, nullptr, false);
  bool is_array = !j.is_discarded() && j.is_array();
  if (is_array) {
    for (const json& v : j) {
      if (!v.is_string()) {
        is_array = false;
      }
    }
  }
  if (!is_array) {
    std::string why = shell_form_message(instruction);
    if (!t.empty() && t[0] == '[') {
      why = "not a JSON array of strings, so it would be the shell form: " + why;
    }
    return failure(std::string(instruction) + " " + std::string(t), why);
  }
  return j.get<std::vector<std::string>>();
}

Status check_env(std::string_view entry) {
  size_t eq = entry.find('=');
  std::string_view key = entry.substr(0, eq);
  if (eq == std::string_view::npos || key.empty()) {
    return usage_error("environment entry '" + std::string(entry) + "'", "expected KEY=VALUE");
  }
  for (char ch : key) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      return usage_error("environment entry '" + std::string(entry) + "'",
                         "the name must not contain whitespace");
    }
  }
  return {};
}

Result<std::vector<std::string>> parse_ports(std::string_view text) {
  size_t slash = text.find('/');
  std::string_view ports = text.substr(0, slash);
  std::string proto = slash == std::string_view::npos ? "tcp" : std::string(text.substr(slash + 1));
  if (proto != "tcp" && proto != "udp" && proto != "sctp") {
    return usage_error("port '" + std::string(text) + "'", "the protocol must be tcp, udp or sctp");
  }
  size_t dash = ports.find('-');
  Result<unsigned> first = parse_port_number(ports.substr(0, dash), text);
  if (!first) {
    return first.take_error();
  }
  unsigned last = *first;
  if (dash != std::string_view::npos) {
    Result<unsigned> end = parse_port_number(ports.substr(dash + 1), text);
    if (!end) {
      return end.take_error();
    }
    if (*end < *first) {
      return usage_error("port '" + std::string(text) + "'", "the range is reversed");
    }
    last = *end;
  }
  std::vector<std::string> out;
  for (unsigned p = *first; p <= last; ++p) {
    out.push_back(std::to_string(p) + "/" + proto);
  }
  return out;
}

Status check_user(std::string_view user) {
  std::vector<std::string> parts = split(user, ':');
  bool ok = !user.empty() && parts.size() <= 2;
  for (const std::string& p : parts) {
    ok = ok && !p.empty();
    for (char ch : p) {
      ok = ok && !std::isspace(static_cast<unsigned char>(ch));
    }
  }
  if (!ok) {
    return usage_error("user '" + std::string(user) + "'",
                       "expected NAME, UID, NAME:GROUP or UID:GID",
                       "a numeric user (e.g. 65532:65532) works without /etc/passwd");
  }
  return {};
}

bool is_numeric_user(std::string_view user) {
  std::vector<std::string> parts = split(user, ':');
  for (const std::string& p : parts) {
    if (!is_all_digits(p)) {
      return false;
    }
  }
  return !user.empty() && parts.size() <= 2;
}

Status check_working_dir(std::string_view dir) {
  if (dir.empty() || dir[0] != '/') {
    return usage_error("working directory '" + std::string(dir) + "'", "must be absolute");
  }
  return {};
}

} // namespace sp::packager
