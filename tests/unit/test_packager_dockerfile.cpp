#include "packager/dockerfile.h"
#include "test_packager_helpers.h"
#include "util/strings.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::packager;
using namespace sp::packager::testing;

namespace {

// The message as the CLI prints it: "<what>: <why>".
std::string message(const Error& e) {
  return e.what + ": " + e.why;
}

// Each problem of a multi-problem error as "what: why", one per line; a single error alone.
std::string messages(const Error& e) {
  if (e.problems.empty()) {
    return message(e);
  }
  std::vector<std::string> lines;
  for (const Error& p : e.problems) {
    lines.push_back(message(p));
  }
  return join(lines, "\n");
}

std::string parse_error(std::string_view text) {
  Result<DockerfilePlan> plan = parse_dockerfile(text);
  REQUIRE_FALSE(plan.ok());
  return messages(plan.error());
}

} // namespace

TEST_CASE("packager.dockerfile: the seed Dockerfile builds unchanged") {
  std::string text = read_file(fs::path(SP_SOURCE_DIR) / "examples" / "Dockerfile").value();
  DockerfilePlan plan = parse_dockerfile(text).value();
  REQUIRE(plan.copies.size() == 1);
  CHECK(plan.copies[0].instruction == "ADD");
  CHECK(plan.copies[0].sources == std::vector<std::string>{"hello"});
  CHECK(plan.copies[0].dest == "/");
  CHECK(plan.cmd == std::vector<std::string>{"/hello"});
  CHECK_FALSE(plan.entrypoint);

  TempDir ctx("sp-dockerfile");
  REQUIRE(write_file_atomic(ctx.path() / "hello",
                            "\x7f"
                            "ELF",
                            0755));
  DockerfileFiles files = resolve_dockerfile_files(plan, ctx.path()).value();
  REQUIRE(files.added.size() == 1);
  CHECK(files.added[0].dest == "/hello");
  CHECK(files.added[0].source == ctx.path() / "hello");
  ImageConfig config = default_config(parse_platform("amd64").value(), 0);
  apply_dockerfile_config(plan, config);
  CHECK(config.cmd == std::vector<std::string>{"/hello"});
}

TEST_CASE("packager.dockerfile: every supported instruction") {
  std::string text = R"(# syntax=docker/dockerfile:1
ARG VERSION=1.0
FROM scratch AS final
ARG VERSION
ARG PORT=8080
# a comment
COPY --chmod=0755 --chown=65532:65532 bin/app bin/helper /usr/local/bin/
ADD ["conf/app.yaml", "/etc/app.yaml"]
ENV TZ=UTC APP_HOME="/srv/my app" \
    GREETING='hi $TZ'
ENV LEGACY value with spaces
ENV PATH=/usr/local/bin
LABEL org.opencontainers.image.version=$VERSION "quoted key"=v
EXPOSE ${PORT} 53/udp 9000-9001
USER 65532:65532
WORKDIR /srv
WORKDIR data
STOPSIGNAL SIGINT
VOLUME ["/cache"]
MAINTAINER Jane <jane@example.com>
ENTRYPOINT ["/usr/local/bin/app"]
CMD ["--port", "8080"]
)";
  DockerfilePlan plan = parse_dockerfile(text, "Dockerfile", {{"PORT", "9090"}}).value();
  REQUIRE(plan.copies.size() == 2);
  CHECK(plan.copies[0].instruction == "COPY");
  CHECK(plan.copies[0].sources == std::vector<std::string>{"bin/app", "bin/helper"});
  CHECK(plan.copies[0].dest == "/usr/local/bin/");
  CHECK(plan.copies[0].chmod == 0755u);
  CHECK(plan.copies[0].uid == 65532);
  CHECK(plan.copies[0].gid == 65532);
  CHECK(plan.copies[0].line == 7);
  CHECK(plan.copies[1].sources == std::vector<std::string>{"conf/app.yaml"});
  CHECK(plan.copies[1].dest == "/etc/app.yaml");
  CHECK(plan.env == std::vector<std::string>{"TZ=UTC", "APP_HOME=/srv/my app", "GREETING=hi $TZ",
                                             "LEGACY=value with spaces", "PATH=/usr/local/bin"});
  CHECK(plan.labels == std::map<std::string, std::string>{
                           {"org.opencontainers.image.version", "1.0"}, {"quoted key", "v"}});
  CHECK(plan.exposed_ports == std::set<std::string>{"9090/tcp", "53/udp", "9000/tcp", "9001/tcp"});
  CHECK(plan.user == "65532:65532");
  CHECK(plan.working_dir == "/srv/data");
  CHECK(plan.workdirs == std::vector<std::string>{"/srv", "/srv/data"});
  CHECK(plan.stop_signal == "SIGINT");
  CHECK(plan.volumes == std::set<std::string>{"/cache"});
  CHECK(plan.author == "Jane <jane@example.com>");
  CHECK(plan.entrypoint == std::vector<std::string>{"/usr/local/bin/app"});
  CHECK(plan.cmd == std::vector<std::string>{"--port", "8080"});

  ImageConfig config = default_config(parse_platform("amd64").value(), 0);
  apply_dockerfile_config(plan, config);
  CHECK(config.env[0] == "PATH=/usr/local/bin"); // replaced in place, not duplicated
  CHECK(config.env.size() == 5);
  CHECK(config.working_dir == "/srv/data");
  CHECK(config.author == "Jane <jane@example.com>");
}

TEST_CASE("packager.dockerfile: RUN, other bases, shell forms and more are rejected clearly") {
  CHECK(parse_error("FROM scratch\nADD hello /\nRUN make\n") ==
        "Dockerfile:3: RUN is not supported: a scratch image has no shell to run it; build the "
        "files with scratchpack build and ADD them");
  CHECK(parse_error("FROM alpine\n") ==
        "Dockerfile:1: FROM alpine: only FROM scratch is supported");
  CHECK(parse_error("FROM scratch\nCMD /hello\n") ==
        "Dockerfile:2: shell form CMD needs /bin/sh, which a scratch image does not have; use the "
        "exec form, e.g. [\"/hello\"]");
  CHECK(parse_error("FROM scratch\nENTRYPOINT /hello --x\n") ==
        "Dockerfile:2: shell form ENTRYPOINT needs /bin/sh, which a scratch image does not have; "
        "use the exec form, e.g. [\"/hello\"]");
  CHECK(parse_error("CMD [\"/x\"]\nFROM scratch\n") ==
        "Dockerfile:1: CMD before FROM: a Dockerfile starts with FROM scratch (only ARG may come "
        "before it)");
  CHECK(parse_error("FROM scratch\nFROM scratch\n").find("multi-stage builds are not supported") !=
        std::string::npos);
  CHECK(parse_error("ADD x /\n").find("ADD before FROM") != std::string::npos);
  CHECK(parse_error("# only a comment\n") ==
        "Dockerfile: no FROM scratch: a Dockerfile starts with FROM scratch");
  CHECK(parse_error("FROM scratch\nSHELL [\"/bin/sh\"]\n") ==
        "Dockerfile:2: SHELL is not supported: a scratch image has no shell");
  CHECK(parse_error("FROM scratch\nHEALTHCHECK NONE\n").find("HEALTHCHECK is not supported") !=
        std::string::npos);
  CHECK(parse_error("FROM scratch\nFROBNICATE x\n") ==
        "Dockerfile:2: unknown instruction FROBNICATE");
  CHECK(parse_error("FROM scratch\nCOPY --from=build /app /app\n")
            .find("COPY --from is not supported") != std::string::npos);
  CHECK(parse_error("FROM scratch\nCOPY --chown=app:app a /a\n") ==
        "Dockerfile:2: COPY --chown=app:app: names need an /etc/passwd to look them up in; use "
        "numeric ids, e.g. --chown=65532:65532");
  CHECK(parse_error("FROM scratch\nADD https://example.com/x.tar.gz /\n") ==
        "Dockerfile:2: ADD https://example.com/x.tar.gz: remote sources are not supported; "
        "download the file into the build context and ADD it from there");
  CHECK(parse_error("FROM scratch\nCOPY a b /dest\n") ==
        "Dockerfile:2: COPY with several sources needs a destination ending in '/': /dest/");
  CHECK(parse_error("FROM scratch\nCOPY a\n") ==
        "Dockerfile:2: COPY needs at least one source and a destination");
  CHECK(parse_error("FROM scratch\nEXPOSE http\n").find("Dockerfile:2: port 'http'") == 0);
  CHECK(parse_error("FROM scratch\nUSER a b:c:d\n").find("Dockerfile:2: user") == 0);
  CHECK(parse_error("FROM scratch\nENV NOVALUE\n") ==
        "Dockerfile:2: ENV NOVALUE needs a value: ENV NOVALUE=VALUE");
  CHECK(parse_error("FROM scratch\nCOPY --chmod=9 a /a\n").find("--chmod=9") != std::string::npos);
  // An ARG from before FROM must be declared again to be seen after it (Docker's rule).
  CHECK(parse_dockerfile("ARG IMAGE=scratch\nARG V=1\nFROM ${IMAGE}\nLABEL v=x$V\n")
            .value()
            .labels.at("v") == "x");
}

TEST_CASE("packager.dockerfile: every problem is reported with its line number") {
  std::string text = "FROM scratch\n"
                     "ADD hello /\n"
                     "RUN apt-get install \\\n"
                     "    curl\n"
                     "\n"
                     "# comment\n"
                     "CMD /hello\n"
                     "EXPOSE 99999\n";
  Result<DockerfilePlan> plan = parse_dockerfile(text, "app/Dockerfile");
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.error().what == "app/Dockerfile");
  CHECK(plan.error().why == "3 problems found");
  std::vector<std::string> lines = split(messages(plan.error()), '\n');
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("app/Dockerfile:3: RUN is not supported", 0) == 0);
  CHECK(lines[1].rfind("app/Dockerfile:7: shell form CMD", 0) == 0);
  CHECK(lines[2].rfind("app/Dockerfile:8: port '99999'", 0) == 0);
}

TEST_CASE("packager.dockerfile: continuations, comments inside them, the escape directive") {
  DockerfilePlan plan = parse_dockerfile("FROM scratch\n"
                                         "LABEL a=1 \\\n"
                                         "# inside\n"
                                         "      b=2\n"
                                         "CMD [\"/a\", \\\n"
                                         "     \"b\"]\r\n")
                            .value();
  CHECK(plan.labels.size() == 2);
  CHECK(plan.cmd == std::vector<std::string>{"/a", "b"});
  DockerfilePlan backtick = parse_dockerfile("# escape=`\nFROM scratch\nENV A=x`\n  B=y\n").value();
  CHECK(backtick.env == std::vector<std::string>{"A=x", "B=y"});
}

TEST_CASE("packager.dockerfile: ADD/COPY sources resolve inside the context only") {
  TempDir ctx("sp-dockerfile");
  fs::create_directories(ctx.path() / "bin");
  fs::create_directories(ctx.path() / "site" / "css");
  REQUIRE(write_file_atomic(ctx.path() / "bin" / "a", "A", 0755));
  REQUIRE(write_file_atomic(ctx.path() / "bin" / "b", "B", 0755));
  REQUIRE(write_file_atomic(ctx.path() / "site" / "index.html", "<html>"));
  REQUIRE(write_file_atomic(ctx.path() / "site" / "css" / "x.css", "x"));

  DockerfilePlan plan = parse_dockerfile("FROM scratch\n"
                                         "WORKDIR /app\n"
                                         "COPY bin/* ./bin/\n"
                                         "COPY site /srv/www\n"
                                         "COPY bin/a renamed\n")
                            .value();
  DockerfileFiles files = resolve_dockerfile_files(plan, ctx.path()).value();
  std::vector<std::string> dests;
  for (const AddedFile& f : files.added) {
    dests.push_back(f.dest);
  }
  CHECK(dests == std::vector<std::string>{"/app/bin/a", "/app/bin/b", "/srv/www/css/x.css",
                                          "/srv/www/index.html", "/app/renamed"});

  // Outside the context, missing, unmatched: all reported.
  fs::create_symlink("/etc", ctx.path() / "etc-link");
  DockerfilePlan bad = parse_dockerfile("FROM scratch\n"
                                        "COPY ../secret /x\n"
                                        "COPY missing /y\n"
                                        "COPY *.nothing /z/\n"
                                        "COPY etc-link/passwd /p\n")
                           .value();
  Result<DockerfileFiles> r = resolve_dockerfile_files(bad, ctx.path());
  REQUIRE_FALSE(r.ok());
  std::vector<std::string> lines = split(messages(r.error()), '\n');
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "Dockerfile:2: COPY ../secret: the source is outside the build context");
  CHECK(lines[1].rfind("Dockerfile:3: COPY missing: no such file in the build context", 0) == 0);
  CHECK(lines[2] == "Dockerfile:4: COPY *.nothing: no file in the build context matches");
  CHECK(lines[3] == "Dockerfile:5: COPY etc-link/passwd: resolves outside the build context");
  CHECK(r.error().exit_code() == 1); // what the Dockerfile asks for cannot be done

  // Sources that are not there alone are missing inputs, as on the command line: exit 2.
  DockerfilePlan missing =
      parse_dockerfile("FROM scratch\nADD missing /y\nCOPY *.nothing /z/\n").value();
  CHECK(resolve_dockerfile_files(missing, ctx.path()).error().exit_code() == 2);
}

TEST_CASE("packager.dockerfile: ADD refuses archives it would unpack, COPY takes them as files") {
  TempDir ctx("sp-dockerfile");
  BlobStore store = BlobStore::open(ctx.path() / "store").value();
  LayerSpec spec;
  spec.add_bytes("/x", "x");
  Layer layer = build_layer(spec, {}, store).value(); // a .tar.gz by content
  fs::copy_file(store.path_of(layer.digest), ctx.path() / "files.tgz");

  Result<DockerfileFiles> add = resolve_dockerfile_files(
      parse_dockerfile("FROM scratch\nADD files.tgz /\n").value(), ctx.path());
  REQUIRE_FALSE(add.ok());
  CHECK(message(add.error()) ==
        "Dockerfile:2: ADD files.tgz: ADD would unpack this archive, which scratchpack does not "
        "do; unpack it into the build context and ADD the files, or COPY it to add the archive "
        "as it is");
  Result<DockerfileFiles> copy = resolve_dockerfile_files(
      parse_dockerfile("FROM scratch\nCOPY files.tgz /\n").value(), ctx.path());
  CHECK(copy.ok());
}
