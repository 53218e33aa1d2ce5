#include "packager/config.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::packager;

namespace {

const std::string k_diff = "sha256:" + std::string(64, 'a');

ImageConfig small_config() {
  ImageConfig c = default_config(parse_platform("linux/arm64").value(), 0);
  c.cmd = std::vector<std::string>{"/hello"};
  c.diff_ids.push_back(parse_digest(k_diff).value());
  c.history.push_back(HistoryEntry{0, "scratchpack", {}, false});
  return c;
}

} // namespace

TEST_CASE("packager.config: canonical JSON bytes of a small config") {
  CHECK(
      config_json(small_config()) ==
      R"({"architecture":"arm64","config":{"Cmd":["/hello"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z","created_by":"scratchpack"}],"os":"linux","rootfs":{"diff_ids":[")" +
          k_diff + R"("],"type":"layers"},"variant":"v8"})");
}

TEST_CASE("packager.config: every field, and the empty config") {
  ImageConfig c;
  c.platform = parse_platform("linux/amd64").value();
  CHECK(
      config_json(c) ==
      R"({"architecture":"amd64","config":{},"created":"1970-01-01T00:00:00Z","os":"linux","rootfs":{"diff_ids":[],"type":"layers"}})");
  c.entrypoint = std::vector<std::string>{"/app"};
  c.cmd = std::vector<std::string>{};
  c.env = {"B=2", "A=1"};
  c.user = "65532:65532";
  c.working_dir = "/srv";
  c.exposed_ports = {"8080/tcp", "53/udp"};
  c.volumes = {"/data"};
  c.labels = {{"org.opencontainers.image.title", "app"}};
  c.stop_signal = "SIGINT";
  c.created = 1700000000;
  CHECK(
      config_json(c) ==
      R"({"architecture":"amd64","config":{"Cmd":[],"Entrypoint":["/app"],"Env":["B=2","A=1"],"ExposedPorts":{"53/udp":{},"8080/tcp":{}},"Labels":{"org.opencontainers.image.title":"app"},"StopSignal":"SIGINT","User":"65532:65532","Volumes":{"/data":{}},"WorkingDir":"/srv"},"created":"2023-11-14T22:13:20Z","os":"linux","rootfs":{"diff_ids":[],"type":"layers"}})");
  // Round trip: what we write, we read back the same.
  CHECK(parse_config_json(config_json(c)).value() == c);
  CHECK(parse_config_json(config_json(small_config())).value() == small_config());
}

TEST_CASE("packager.config: exec form accepted, shell form rejected because scratch has no sh") {
  CHECK(parse_exec_form(R"(["/hello", "--port", "80"])").value() ==
        std::vector<std::string>{"/hello", "--port", "80"});
  CHECK(parse_exec_form("[]").value().empty());
  Result<std::vector<std::string>> shell = parse_exec_form("/hello --port 80");
  REQUIRE_FALSE(shell.ok());
  CHECK(shell.error().why == "shell form CMD needs /bin/sh, which a scratch image does not have; "
                             "use the exec form, e.g. [\"/hello\"]");
  Result<std::vector<std::string>> entry = parse_exec_form("/app", "ENTRYPOINT");
  CHECK(entry.error().why.rfind("shell form ENTRYPOINT needs /bin/sh", 0) == 0);
  Result<std::vector<std::string>> broken = parse_exec_form("['/hello']");
  CHECK(broken.error().why.rfind("not a JSON array of strings", 0) == 0);
  CHECK_FALSE(parse_exec_form(R"(["/hello", 1])").ok());
}

TEST_CASE("packager.config: env, ports, user and workdir checks") {
  CHECK(check_env("TZ=UTC").ok());
  CHECK(check_env("EMPTY=").ok());
  CHECK_FALSE(check_env("NOVALUE").ok());
  CHECK_FALSE(check_env("=x").ok());
  CHECK_FALSE(check_env("A B=x").ok());

  CHECK(parse_ports("8080").value() == std::vector<std::string>{"8080/tcp"});
  CHECK(parse_ports("8080/tcp").value() == std::vector<std::string>{"8080/tcp"});
  CHECK(parse_ports("53/udp").value() == std::vector<std::string>{"53/udp"});
  CHECK(parse_ports("8000-8002").value() ==
        std::vector<std::string>{"8000/tcp", "8001/tcp", "8002/tcp"});
  CHECK_FALSE(parse_ports("0").ok());
  CHECK_FALSE(parse_ports("70000").ok());
  CHECK_FALSE(parse_ports("80/icmp").ok());
  CHECK_FALSE(parse_ports("http").ok());
  CHECK_FALSE(parse_ports("9-8").ok());

  CHECK(check_user("nonroot").ok());
  CHECK(check_user("65532:65532").ok());
  CHECK_FALSE(check_user("").ok());
  CHECK_FALSE(check_user("a:b:c").ok());
  CHECK_FALSE(check_user("a b").ok());
  CHECK_FALSE(check_user(":1").ok());
  CHECK(is_numeric_user("65532:65532"));
  CHECK_FALSE(is_numeric_user("nonroot"));

  CHECK(check_working_dir("/srv").ok());
  CHECK_FALSE(check_working_dir("srv").ok());
  CHECK(rfc3339(1700000000) == "2023-11-14T22:13:20Z");
}
