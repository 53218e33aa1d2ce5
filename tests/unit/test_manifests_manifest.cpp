#include "manifests/manifest.h"

#include <chrono>
#include <doctest/doctest.h>
#include <fstream>

using namespace sp;
using namespace sp::manifests;

namespace {

const fs::path k_examples = fs::path(SP_SOURCE_DIR) / "manifests" / "examples";

// The problems of a failed parse, for REQUIRE_MESSAGE.
std::string details_of(const Result<Manifest>& r) {
  return r.ok() ? "" : render_problems(r.error());
}

// A project directory with sources, headers and a config file for manifests to point at.
struct Project {
  TempDir tmp{"sp-manifest-test"};

  Project() {
    for (const char* rel : {"src/main.cpp", "src/util.cpp", "src/net/http.cpp", "src/util.h",
                            "src/notes.txt", "tool/tool.c", "conf/app.yaml"}) {
      write(rel, "int x;\n");
    }
    fs::create_directories(tmp.path() / "include");
  }
  void write(const fs::path& rel, std::string_view text) const {
    fs::path path = tmp.path() / rel;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  fs::path at(std::string_view rel) const { return tmp.path() / rel; }
  Result<Manifest> parse(std::string_view yaml, const ParseHooks& hooks = {}) const {
    return parse_manifest(yaml, "scratchpack.yaml", tmp.path(), hooks);
  }
  // The error's details: every problem, one per line.
  std::string problems(std::string_view yaml, const ParseHooks& hooks = {}) const {
    Result<Manifest> r = parse(yaml, hooks);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().exit_code() == 1);
    CHECK(r.error().what == "scratchpack.yaml");
    return render_problems(r.error());
  }
};

// The head every bad-manifest case shares: lines 1-5.
const std::string k_head = "version: 1\n"
                           "project: demo\n"
                           "binaries:\n"
                           "  - name: app\n"
                           "    sources: [src/main.cpp]\n";

// k_head plus an image whose extra keys start on line 9.
std::string with_image(std::string_view extra) {
  return k_head +
         "images:\n"
         "  - name: demo\n"
         "    binaries: [app]\n" +
         std::string(extra);
}

} // namespace

TEST_CASE("hello.yaml parses to the expected manifest") {
  Result<Manifest> r = load_manifest(k_examples / "hello.yaml");
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  const Manifest& m = *r;
  CHECK(m.version == 1);
  CHECK(m.project == "hello");
  CHECK(m.file == k_examples / "hello.yaml");
  CHECK(m.base_dir == k_examples);
  CHECK(m.targets == std::vector<TargetName>{{"x86_64", {}}, {"aarch64", {}}, {"armv7", {}}});
  CHECK(m.targets[1].mark == Mark{5, 19});
  REQUIRE(m.binaries.size() == 1);
  const Binary& hello = m.binaries[0];
  CHECK(hello.name == "hello");
  CHECK(hello.key_path == "binaries[0]");
  CHECK(hello.name_mark == Mark{8, 11});
  CHECK(hello.source_patterns == std::vector<std::string>{"src/hello.cpp"});
  CHECK(hello.sources == std::vector<fs::path>{k_examples / "src/hello.cpp"});
  CHECK(hello.cxx_std == "c++20");
  CHECK(hello.c_std.empty());
  CHECK(hello.profile == Profile::release);
  CHECK_FALSE(hello.libc.has_value());
  CHECK(hello.targets == m.targets);
  CHECK(hello.targets_inherited);
  REQUIRE(m.images.size() == 1);
  const Image& image = m.images[0];
  CHECK(image.name == "hello");
  CHECK(image.tags == std::vector<std::string>{"1.0.0", "latest"});
  REQUIRE(image.binaries.size() == 1);
  CHECK(image.binaries[0].name == "hello");
  CHECK(image.binaries[0].path == "/hello");
  CHECK(image.entrypoint == std::vector<std::string>{"/hello"});
  CHECK(image.cmd.empty());
  CHECK(image.user.empty());
  CHECK_FALSE(image.nonroot);
  CHECK_FALSE(image.ca_certificates);
  CHECK(image.compression == Compression::gzip);
  CHECK(image.targets == m.targets);
  CHECK(m.output.dir == k_examples / "dist");
  CHECK(m.output.formats == std::vector<OutputFormat>{OutputFormat::archive});
  CHECK_FALSE(m.output.push);
}

TEST_CASE("multi.yaml parses to the expected manifest") {
  Result<Manifest> r = load_manifest(k_examples / "multi.yaml");
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  const Manifest& m = *r;
  CHECK(m.project == "multi");
  CHECK(m.targets == std::vector<TargetName>{{"x86_64", {}}, {"aarch64", {}}});
  REQUIRE(m.binaries.size() == 2);
  const Binary& server = m.binaries[0];
  CHECK(server.sources == std::vector<fs::path>{k_examples / "src/server/greeting.cpp",
                                                k_examples / "src/server/main.cpp"});
  CHECK(server.include_dirs == std::vector<fs::path>{k_examples / "include"});
  CHECK(server.defines == std::vector<std::string>{"GREETING=\"hello from scratch\"", "NDEBUG"});
  CHECK(server.libc == Libc::musl);
  const Binary& check = m.binaries[1];
  CHECK(check.name == "healthcheck");
  CHECK(check.sources == std::vector<fs::path>{k_examples / "src/healthcheck.c"});
  CHECK(check.c_std == "c17");
  CHECK(check.cxx_std.empty());
  CHECK(check.profile == Profile::size);
  CHECK(check.libc == Libc::musl);
  REQUIRE(m.images.size() == 1);
  const Image& image = m.images[0];
  CHECK(image.name == "registry.example.com/acme/multi");
  CHECK(image.tags == std::vector<std::string>{"1.0.0", "1.0", "latest"});
  REQUIRE(image.binaries.size() == 2);
  CHECK(image.binaries[0].path == "/server");
  CHECK(image.binaries[1].path == "/usr/local/bin/healthcheck");
  CHECK(image.entrypoint == std::vector<std::string>{"/server"});
  CHECK(image.cmd == std::vector<std::string>{"--port", "8080"});
  CHECK(image.env == std::vector<std::pair<std::string, std::string>>{
                         {"TZ", "UTC"}, {"APP_CONFIG", "/etc/multi/app.conf"}});
  CHECK(image.user == "nonroot");
  CHECK(image.nonroot);
  CHECK(image.workdir == "/");
  CHECK(image.expose == std::vector<Port>{{8080, "tcp"}});
  CHECK(image.labels.at("org.opencontainers.image.licenses") == "Apache-2.0");
  REQUIRE(image.files.size() == 1);
  CHECK(image.files[0].src == k_examples / "conf/app.conf");
  CHECK(image.files[0].dest == "/etc/multi/app.conf");
  CHECK(image.files[0].mode == 0644u);
  CHECK(image.ca_certificates);
  CHECK(image.tzdata);
  CHECK(image.init);
  CHECK(image.stop_signal == "SIGTERM");
  CHECK(image.compression == Compression::zstd);
  CHECK(m.output.formats ==
        std::vector<OutputFormat>{OutputFormat::archive, OutputFormat::oci_dir});
}

TEST_CASE("defaults are filled in and globs expanded against the base directory") {
  Project p;
  Result<Manifest> r = p.parse("version: 1\n"
                               "project: demo\n"
                               "binaries:\n"
                               "  - name: app\n"
                               "    sources: [src/**/*.cpp, src/main.cpp, ./src/util.cpp]\n"
                               "  - name: tool\n"
                               "    sources: ['tool/*.[ch]']\n"
                               "images:\n"
                               "  - name: demo\n"
                               "    binaries: [app, {name: tool, path: /bin/tool}]\n"
                               "    cmd: [/app]\n"
                               "    nonroot: true\n");
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  const Manifest& m = *r;
  CHECK(m.targets == std::vector<TargetName>{{"x86_64", {}}});
  CHECK_FALSE(m.targets[0].mark.known());
  CHECK(m.binaries[0].sources == std::vector<fs::path>{p.at("src/main.cpp"),
                                                       p.at("src/net/http.cpp"),
                                                       p.at("src/util.cpp")});
  CHECK(m.binaries[1].sources == std::vector<fs::path>{p.at("tool/tool.c")});
  CHECK(m.binaries[0].profile == Profile::release);
  const Image& image = m.images[0];
  CHECK(image.tags == std::vector<std::string>{"latest"});
  CHECK(image.entrypoint.empty());
  CHECK(image.cmd == std::vector<std::string>{"/app"});
  CHECK(image.user == "65532:65532");
  CHECK(image.targets_inherited);
  CHECK(m.output.dir == p.at("dist"));
  CHECK(m.output.formats == std::vector<OutputFormat>{OutputFormat::archive});
  CHECK_FALSE(m.output.mark.known());
}

TEST_CASE("std sets the standard of its language; c_std and cxx_std one each") {
  Project p;
  auto binary = [&](std::string_view keys) {
    Result<Manifest> r = p.parse("version: 1\nproject: demo\nbinaries:\n  - name: app\n"
                                 "    sources: [src/main.cpp, tool/tool.c]\n" +
                                 std::string(keys));
    REQUIRE_MESSAGE(r.ok(), details_of(r));
    return r->binaries[0];
  };
  Binary cxx = binary("    std: c++20\n");
  CHECK(cxx.cxx_std == "c++20");
  CHECK(cxx.c_std.empty());
  Binary c = binary("    std: gnu11\n");
  CHECK(c.c_std == "gnu11");
  CHECK(c.cxx_std.empty());
  Binary both = binary("    std: c++20\n    c_std: iso9899:2011\n");
  CHECK(both.cxx_std == "c++20");
  CHECK(both.c_std == "iso9899:2011");
  Binary keys = binary("    c_std: c17\n    cxx_std: gnu++17\n");
  CHECK(keys.c_std == "c17");
  CHECK(keys.cxx_std == "gnu++17");
}

TEST_CASE("bad: standards of the wrong language, set twice, or unknown") {
  Project p;
  CHECK(p.problems(k_head + "    c_std: c++20\n"
                            "    cxx_std: c11\n") ==
        "scratchpack.yaml:6:12: error: binaries[0].c_std: 'c++20' is a C++ standard; c_std is "
        "for C sources (e.g. c17)\n"
        "scratchpack.yaml:7:14: error: binaries[0].cxx_std: 'c11' is a C standard; cxx_std is "
        "for C++ sources (e.g. c++20)\n");
  CHECK(p.problems(k_head + "    std: c++20\n"
                            "    cxx_std: c++17\n") ==
        "scratchpack.yaml:7:14: error: binaries[0].cxx_std: the C++ standard is already set by "
        "std (at 6:10); keep one\n");
  CHECK(p.problems(k_head + "    cxx_std: c++21\n") ==
        "scratchpack.yaml:6:14: error: binaries[0].cxx_std: unknown language standard 'c++21'; "
        "use e.g. c99, c11, c17, c23 or gnu17 for C; c++14, c++17, c++20, c++23 or gnu++20 for "
        "C++\n");
}

TEST_CASE("bad: YAML syntax error") {
  Project p;
  CHECK(p.problems("version: 1\nproject: demo\nbinaries: [{name: app}\nimages: []\n") ==
        "scratchpack.yaml:4:1: error: YAML syntax error: end of sequence flow not found\n");
}

TEST_CASE("bad: empty file and a file of comments") {
  Project p;
  std::string expected = "scratchpack.yaml:1:1: error: the manifest is empty; it needs at least "
                         "version, project and binaries\n";
  CHECK(p.problems("") == expected);
  CHECK(p.problems("# nothing yet\n") == expected);
}

TEST_CASE("bad: unknown key with a suggestion") {
  Project p;
  CHECK(p.problems(with_image("    entrypiont: [/app]\n")) ==
        "scratchpack.yaml:9:5: error: images[0]: unknown key 'entrypiont'; did you mean "
        "'entrypoint'?\n");
  CHECK(p.problems(k_head + "colour: red\n") ==
        "scratchpack.yaml:6:1: error: unknown key 'colour'\n");
}

TEST_CASE("bad: wrong types") {
  Project p;
  CHECK(p.problems(with_image("    tags: {stable: yes}\n")) ==
        "scratchpack.yaml:9:11: error: images[0].tags: expected a list of strings, got a map\n");
  CHECK(p.problems(with_image("    init: yes\n")) ==
        "scratchpack.yaml:9:11: error: images[0].init: expected true or false, got 'yes'\n");
  CHECK(p.problems("version: \"1\"\nproject: demo\nbinaries: app\n") ==
        "scratchpack.yaml:1:10: error: version: expected a whole number, got a string\n"
        "scratchpack.yaml:3:11: error: binaries: expected a list of binaries, got a string\n");
}

TEST_CASE("bad: quoted booleans, empty lists, entries of the wrong type") {
  Project p;
  CHECK(p.problems(k_head + "output: {push: \"true\", formats: []}\n") ==
        "scratchpack.yaml:6:16: error: output.push: expected true or false, got the string "
        "\"true\"; remove the quotes\n"
        "scratchpack.yaml:6:33: error: output.formats: must list at least one format\n");
  // A list whose only entry is wrong is reported once, not also as empty.
  CHECK(p.problems(with_image("    tags: [[v1]]\n")) ==
        "scratchpack.yaml:9:12: error: images[0].tags[0]: expected a string, got a list\n");
  CHECK(p.problems(k_head + "images:\n  - name: demo\n    binaries: []\n") ==
        "scratchpack.yaml:8:15: error: images[0].binaries: must list at least one binary\n");
}

TEST_CASE("bad: missing required keys and a wrong version") {
  Project p;
  CHECK(p.problems("version: 2\nbinaries:\n  - sources: [src/main.cpp]\n") ==
        "scratchpack.yaml:1:1: error: missing required key 'project'\n"
        "scratchpack.yaml:1:10: error: version: unsupported version 2; this scratchpack reads "
        "version 1\n"
        "scratchpack.yaml:3:5: error: binaries[0]: missing required key 'name'\n");
}

TEST_CASE("bad: unknown binary in an image") {
  Project p;
  CHECK(p.problems(k_head + "images:\n  - name: demo\n    binaries: [ap]\n") ==
        "scratchpack.yaml:8:16: error: images[0].binaries[0]: unknown binary 'ap'; did you mean "
        "'app'?\n");
}

TEST_CASE("bad: duplicate names, tags and keys") {
  Project p;
  CHECK(p.problems(k_head + "  - name: app\n    sources: [src/util.cpp]\n") ==
        "scratchpack.yaml:6:11: error: binaries[1].name: duplicate binary name 'app' (first at "
        "4:11)\n");
  CHECK(p.problems(with_image("    tags: [v1, latest, v1]\n")) ==
        "scratchpack.yaml:9:24: error: images[0].tags[2]: duplicate tag 'v1' (first at 9:12)\n");
  CHECK(p.problems(k_head + "project: again\n") ==
        "scratchpack.yaml:6:1: error: duplicate key 'project' (first at 2:1)\n");
}

TEST_CASE("bad: duplicate image names; odd keys are quoted in key paths") {
  Project p;
  std::string yaml = with_image("    labels: {org.opencontainers.image.source: [x]}\n") +
                     "  - name: demo\n    binaries: [app]\n";
  CHECK(p.problems(yaml) ==
        "scratchpack.yaml:9:47: error: images[0].labels[\"org.opencontainers.image.source\"]: "
        "expected a string, got a list\n"
        "scratchpack.yaml:10:11: error: images[1].name: duplicate image name 'demo' (first at "
        "7:11)\n");
}

TEST_CASE("bad: tag and image name") {
  Project p;
  CHECK(p.problems(with_image("    tags: [\"1.0+build\"]\n")) ==
        "scratchpack.yaml:9:12: error: images[0].tags[0]: invalid tag '1.0+build': a tag is 1 "
        "to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'\n");
  CHECK(p.problems(k_head + "images:\n  - name: acme/demo:1.0\n    binaries: [app]\n") ==
        "scratchpack.yaml:7:11: error: images[0].name: image name 'acme/demo:1.0' includes a tag; "
        "write the name without it and put '1.0' in tags\n");
}

TEST_CASE("bad: missing source, empty glob, directory source, non-C source") {
  Project p;
  std::string yaml = "version: 1\n"
                     "project: demo\n"
                     "binaries:\n"
                     "  - name: app\n"
                     "    sources: [src/mian.cpp, src/*.cc, src, src/notes.txt, 'nope/*.c']\n";
  CHECK(p.problems(yaml) ==
        "scratchpack.yaml:5:15: error: binaries[0].sources[0]: source 'src/mian.cpp' does not "
        "exist\n"
        "scratchpack.yaml:5:29: error: binaries[0].sources[1]: sources glob 'src/*.cc' matches "
        "no file\n"
        "scratchpack.yaml:5:39: error: binaries[0].sources[2]: source 'src' is a directory; list "
        "its files or use a glob such as 'src/*.cpp'\n"
        "scratchpack.yaml:5:44: error: binaries[0].sources[3]: source 'src/notes.txt' is not a C "
        "or C++ file (.c, .cc, .cpp, .cxx, .c++, .C)\n"
        "scratchpack.yaml:5:59: error: binaries[0].sources[4]: sources glob 'nope/*.c' matches "
        "no file\n");
  CHECK(p.problems(k_head + "  - name: notes\n    sources: ['src/*.txt']\n") ==
        "scratchpack.yaml:7:15: error: binaries[1].sources[0]: sources glob 'src/*.txt' matches "
        "no C or C++ file\n");
}

TEST_CASE("bad: shell-form entrypoint and cmd") {
  Project p;
  CHECK(p.problems(with_image("    entrypoint: /app --port 8080\n    cmd: \"serve\"\n")) ==
        "scratchpack.yaml:9:17: error: images[0].entrypoint: shell form is not supported: a "
        "scratch image has no /bin/sh to run it; use the exec form: [\"/app\", \"--port\", "
        "\"8080\"]\n"
        "scratchpack.yaml:10:10: error: images[0].cmd: shell form is not supported: a scratch "
        "image has no /bin/sh to run it; use the exec form: [\"serve\"]\n");
}

TEST_CASE("bad: modes, ports, env keys, workdir, dest") {
  Project p;
  std::string files = "    files:\n"
                      "      - {src: conf/app.yaml, dest: /etc/a.yaml, mode: \"0855\"}\n"
                      "      - {src: conf/app.yaml, dest: /etc/b.yaml, mode: 644}\n"
                      "      - {src: conf/app.yaml, dest: etc/c.yaml}\n"
                      "      - {src: conf/app.yaml, dest: /etc/../d.yaml, mode: 0o644}\n"
                      "      - {src: conf/missing.yaml, dest: /etc/e.yaml, mode: 0600}\n"
                      "    expose: [8080, 0, \"53/http\"]\n"
                      "    env: {GOOD: 1, 2BAD: x}\n"
                      "    workdir: srv\n";
  CHECK(p.problems(with_image(files)) ==
        "scratchpack.yaml:10:55: error: images[0].files[0].mode: invalid mode '0855': expected an "
        "octal mode such as \"0644\"\n"
        "scratchpack.yaml:11:55: error: images[0].files[1].mode: mode '644' is ambiguous; write "
        "the octal mode with a leading 0, e.g. \"0644\"\n"
        "scratchpack.yaml:12:36: error: images[0].files[2].dest: 'etc/c.yaml' is not absolute; "
        "paths in the image start with '/'\n"
        "scratchpack.yaml:13:36: error: images[0].files[3].dest: '/etc/../d.yaml' must not "
        "contain '..'\n"
        "scratchpack.yaml:14:15: error: images[0].files[4].src: file 'conf/missing.yaml' does not "
        "exist\n"
        "scratchpack.yaml:15:20: error: images[0].expose[1]: port 0 is out of range 1-65535\n"
        "scratchpack.yaml:15:23: error: images[0].expose[2]: invalid port '53/http': expected "
        "PORT or PORT/PROTOCOL with tcp, udp or sctp, e.g. 8080 or \"53/udp\"\n"
        "scratchpack.yaml:16:20: error: images[0].env: invalid environment variable name '2BAD': "
        "use letters, digits and '_', not starting with a digit\n"
        "scratchpack.yaml:17:14: error: images[0].workdir: 'srv' is not absolute; paths in the "
        "image start with '/'\n");
}

TEST_CASE("modes: quoted and unquoted octal text read the same") {
  Project p;
  Result<Manifest> r = p.parse(with_image("    files:\n"
                                          "      - {src: conf/app.yaml, dest: /a, mode: 0755}\n"
                                          "      - {src: conf/app.yaml, dest: /b, mode: \"0755\"}\n"
                                          "      - {src: conf/app.yaml, dest: /c, mode: 0o755}\n"
                                          "      - {src: conf/app.yaml, dest: /d}\n"));
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  const std::vector<ImageFile>& files = r->images[0].files;
  REQUIRE(files.size() == 4);
  CHECK(files[0].mode == 0755u);
  CHECK(files[1].mode == 0755u);
  CHECK(files[2].mode == 0755u);
  CHECK(files[3].mode == 0644u);
  CHECK(files[0].src == p.at("conf/app.yaml"));
}

TEST_CASE("owners: numeric UID:GID, root by default, names refused") {
  Project p;
  Result<Manifest> r = p.parse(
      with_image("    nonroot: true\n"
                 "    stop_signal: term\n"
                 "    files:\n"
                 "      - {src: conf/app.yaml, dest: /a, mode: \"0600\", owner: \"65532:65532\"}\n"
                 "      - {src: conf/app.yaml, dest: /b, owner: \"1000\"}\n"
                 "      - {src: conf/app.yaml, dest: /c}\n"));
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  const std::vector<ImageFile>& files = r->images[0].files;
  REQUIRE(files.size() == 3);
  CHECK(files[0].owner == FileOwner{65532, 65532});
  CHECK(files[1].owner == FileOwner{1000, 1000});
  CHECK(files[2].owner == FileOwner{0, 0}); // also with nonroot: true
  CHECK(r->images[0].stop_signal == "SIGTERM");
  CHECK(p.problems(with_image("    files:\n"
                              "      - {src: conf/app.yaml, dest: /a, owner: nonroot}\n")) ==
        "scratchpack.yaml:10:47: error: images[0].files[0].owner: invalid owner 'nonroot': "
        "expected numeric UID:GID such as \"65532:65532\" (a scratch image has no /etc/passwd to "
        "look names up in)\n");
}

TEST_CASE("missing files alone are a missing input (exit 2); with other problems, exit 1") {
  Project p;
  Result<Manifest> missing = p.parse(k_head + "    include_dirs: [nope]\n" +
                                     "images:\n  - name: demo\n    binaries: [app]\n"
                                     "    files:\n      - {src: conf/gone.yaml, dest: /g}\n");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().exit_code() == 2);
  CHECK(render_problems(missing.error()) ==
        "scratchpack.yaml:6:20: error: binaries[0].include_dirs[0]: include directory 'nope' "
        "does not exist\n"
        "scratchpack.yaml:11:15: error: images[0].files[0].src: file 'conf/gone.yaml' does not "
        "exist\n");
  Result<Manifest> both = p.parse(k_head + "    include_dirs: [nope]\n    profile: fast\n");
  REQUIRE_FALSE(both.ok());
  CHECK(both.error().exit_code() == 1);
}

TEST_CASE("bad: profile, libc, compression, format and signal values") {
  Project p;
  std::string yaml = "version: 1\n"
                     "project: demo\n"
                     "binaries:\n"
                     "  - name: app\n"
                     "    sources: [src/main.cpp]\n"
                     "    profile: fast\n"
                     "    libc: uclibc\n"
                     "images:\n"
                     "  - name: demo\n"
                     "    binaries: [app]\n"
                     "    compression: gz\n"
                     "    stop_signal: SIGSTOPP\n"
                     "output:\n"
                     "  formats: [tar]\n";
  CHECK(p.problems(yaml) ==
        "scratchpack.yaml:6:14: error: binaries[0].profile: unknown profile 'fast'; expected "
        "debug, release or size\n"
        "scratchpack.yaml:7:11: error: binaries[0].libc: unknown libc 'uclibc'; expected glibc or "
        "musl\n"
        "scratchpack.yaml:11:18: error: images[0].compression: unknown compression 'gz'; expected "
        "gzip, zstd or none\n"
        "scratchpack.yaml:12:18: error: images[0].stop_signal: unknown signal 'SIGSTOPP'; use a "
        "name such as SIGTERM or a number from 1 to 64\n"
        "scratchpack.yaml:14:13: error: output.formats[0]: unknown format 'tar'; expected archive "
        "or oci-dir\n");
}

TEST_CASE("bad: users that a scratch image cannot resolve") {
  Project p;
  CHECK(p.problems(with_image("    user: root\n")) ==
        "scratchpack.yaml:9:11: error: images[0].user: user 'root' needs /etc/passwd, which a "
        "scratch image lacks; leave user out (root is the default), write \"0\", or set nonroot: "
        "true\n");
  CHECK(p.problems(with_image("    user: nonroot\n    nonroot: false\n")) ==
        "scratchpack.yaml:9:11: error: images[0].user: user 'nonroot' needs the /etc/passwd that "
        "nonroot: true adds; set nonroot: true or use user: \"65532:65532\"\n");
  CHECK(p.problems(with_image("    user: www-data\n")) ==
        "scratchpack.yaml:9:11: error: images[0].user: user 'www-data' has no entry in a scratch "
        "image; use a numeric uid[:gid], 'root' or 'nonroot'\n");
}

TEST_CASE("bad: paths in one image collide") {
  Project p;
  std::string yaml = k_head + "  - name: tool\n    sources: [tool/tool.c]\n" +
                     "images:\n"
                     "  - name: demo\n"
                     "    binaries: [app, {name: tool, path: /app}]\n"
                     "    nonroot: true\n"
                     "    files:\n"
                     "      - {src: conf/app.yaml, dest: /etc/passwd}\n"
                     "      - {src: conf/app.yaml, dest: /app/conf.yaml}\n";
  CHECK(p.problems(yaml) ==
        "scratchpack.yaml:9:5: error: images[0]: no entrypoint or cmd: the image holds 2 "
        "binaries, so name the program, e.g. entrypoint: [\"/app\"]\n"
        "scratchpack.yaml:10:40: error: images[0].binaries[1]: path '/app' is already used by "
        "images[0].binaries[0] (10:16)\n"
        "scratchpack.yaml:13:36: error: images[0].files[0].dest: path '/etc/passwd' is written by "
        "nonroot: true\n"
        "scratchpack.yaml:14:36: error: images[0].files[1].dest: path '/app/conf.yaml' needs "
        "'/app' to be a directory, but images[0].binaries[0] puts a file there\n");
}

TEST_CASE("bad: the entrypoint names a program the image does not hold") {
  Project p;
  CHECK(p.problems(with_image("    entrypoint: [/ap]\n")) ==
        "scratchpack.yaml:9:18: error: images[0].entrypoint[0]: program '/ap' is not in the "
        "image; did you mean '/app'?\n");
  CHECK(p.problems(with_image("    cmd: [app, --help]\n")) ==
        "scratchpack.yaml:9:11: error: images[0].cmd[0]: program 'app' is not an absolute path; "
        "write its path in the image, e.g. \"/app\"\n");
}

TEST_CASE("targets: subsets of the top-level list, checked by the hook, covered by binaries") {
  Project p;
  ParseHooks hooks;
  hooks.check_target = [](std::string_view t) -> std::optional<std::string> {
    if (t == "sparc") {
      return "unknown architecture 'sparc'";
    }
    return std::nullopt;
  };
  hooks.target_key = [](std::string_view t) {
    return t == "amd64" ? std::string("x86_64") : std::string(t);
  };
  std::string yaml = "version: 1\n"
                     "project: demo\n"
                     "targets: [x86_64, aarch64, sparc, amd64]\n"
                     "binaries:\n"
                     "  - name: app\n"
                     "    sources: [src/main.cpp]\n"
                     "    targets: [aarch64, armv7]\n"
                     "images:\n"
                     "  - name: demo\n"
                     "    binaries: [app]\n";
  CHECK(p.problems(yaml, hooks) ==
        "scratchpack.yaml:3:28: error: targets[2]: invalid target 'sparc': unknown architecture "
        "'sparc'\n"
        "scratchpack.yaml:3:35: error: targets[3]: duplicate target 'amd64' (first at 3:11)\n"
        "scratchpack.yaml:7:24: error: binaries[0].targets: target 'armv7' is not in the "
        "top-level targets (x86_64 and aarch64)\n"
        "scratchpack.yaml:10:16: error: images[0].binaries[0]: binary 'app' is not built for "
        "x86_64 (its targets: aarch64 and armv7); list the image's own targets\n");
}

TEST_CASE("targets: an image may cover a subset its binaries are built for") {
  Project p;
  Result<Manifest> r = p.parse("version: 1\n"
                               "project: demo\n"
                               "targets: [x86_64, aarch64]\n"
                               "binaries:\n"
                               "  - name: app\n"
                               "    sources: [src/main.cpp]\n"
                               "    targets: [aarch64]\n"
                               "images:\n"
                               "  - name: demo\n"
                               "    binaries: [app]\n"
                               "    targets: [aarch64]\n");
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  CHECK(r->binaries[0].targets == std::vector<TargetName>{{"aarch64", {}}});
  CHECK_FALSE(r->binaries[0].targets_inherited);
  CHECK(r->images[0].targets == std::vector<TargetName>{{"aarch64", {}}});
  CHECK(r->images[0].targets[0].mark == Mark{11, 15});
}

TEST_CASE("every problem of one file is reported, in position order") {
  Project p;
  std::string yaml = "version: 1\n"
                     "project: Demo\n"
                     "binaries:\n"
                     "  - name: app\n"
                     "    sources: [src/*.cc]\n"
                     "    std: c++21\n"
                     "images:\n"
                     "  - name: demo\n"
                     "    binaries: [app, ghost]\n"
                     "    tags: [\"-bad\"]\n"
                     "    entrypiont: [/app]\n";
  Result<Manifest> r = p.parse(yaml);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why == "7 problems found");
  CHECK(render_problems(r.error()) ==
        "scratchpack.yaml:2:10: error: project: invalid project name 'Demo': use lower-case "
        "letters, digits, '.', '_' and '-', starting with a letter or digit\n"
        "scratchpack.yaml:5:15: error: binaries[0].sources[0]: sources glob 'src/*.cc' matches no "
        "file\n"
        "scratchpack.yaml:6:10: error: binaries[0].std: unknown language standard 'c++21'; use "
        "e.g. c99, c11, c17, c23 or gnu17 for C; c++14, c++17, c++20, c++23 or gnu++20 for C++\n"
        "scratchpack.yaml:8:5: error: images[0]: no entrypoint or cmd: the image holds 2 "
        "binaries, so name the program, e.g. entrypoint: [\"/app\"]\n"
        "scratchpack.yaml:9:21: error: images[0].binaries[1]: unknown binary 'ghost'; the "
        "binaries are app\n"
        "scratchpack.yaml:10:12: error: images[0].tags[0]: invalid tag '-bad': a tag is 1 to 128 "
        "letters, digits, '_', '.' and '-', not starting with '.' or '-'\n"
        "scratchpack.yaml:11:5: error: images[0]: unknown key 'entrypiont'; did you mean "
        "'entrypoint'?\n");
}

TEST_CASE("one problem: singular wording, exit 1") {
  Project p;
  Result<Manifest> r = p.parse(k_head + "colour: red\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().why == "1 problem found");
  CHECK(r.error().exit_code() == 1);
}

TEST_CASE("load_manifest: an unreadable file is an I/O error, exit 2") {
  Project p;
  Result<Manifest> r = load_manifest(p.at("missing.yaml"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().exit_code() == 2);
  CHECK(r.error().what == p.at("missing.yaml").string());
}

TEST_CASE("load_manifest: paths resolve against the manifest's directory") {
  Project p;
  p.write("sub/scratchpack.yaml", "version: 1\nproject: demo\nbinaries:\n"
                                  "  - {name: app, sources: [../src/main.cpp]}\n"
                                  "output: {dir: out}\n");
  // ../src is outside the manifest's directory: refused unless the caller allows it.
  Result<Manifest> refused = load_manifest(p.at("sub/scratchpack.yaml"));
  REQUIRE_FALSE(refused.ok());
  CHECK(details_of(refused).find("'../src/main.cpp' is outside the manifest's directory") !=
        std::string::npos);
  ParseHooks hooks;
  hooks.allow_outside = {p.at("src")};
  Result<Manifest> r = load_manifest(p.at("sub/scratchpack.yaml"), hooks);
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  CHECK(r->base_dir == p.at("sub"));
  CHECK(r->binaries[0].sources == std::vector<fs::path>{p.at("src/main.cpp")});
  CHECK(r->output.dir == p.at("sub/out"));
}

TEST_CASE("parse_manifest: a manifest names only its own files, symlinks followed") {
  Project p;
  fs::create_symlink("/etc/hostname", p.at("conf/link"));
  fs::create_symlink("/etc", p.at("include/etc"));
  Result<Manifest> r = p.parse("version: 1\nproject: demo\n"
                               "binaries:\n"
                               "  - name: app\n"
                               "    sources: [/etc/x.c, src/main.cpp]\n"
                               "    include_dirs: [/usr/include, include/etc]\n"
                               "images:\n"
                               "  - name: demo\n"
                               "    binaries: [app]\n"
                               "    files:\n"
                               "      - {src: ../../etc/passwd, dest: /p}\n"
                               "      - {src: conf/link, dest: /h}\n"
                               "output: {dir: /tmp/elsewhere}\n");
  REQUIRE_FALSE(r.ok());
  std::string text = details_of(r);
  CHECK(text.find("binaries[0].sources[0]: '/etc/x.c' is outside") != std::string::npos);
  CHECK(text.find("binaries[0].include_dirs[0]: '/usr/include' is outside") != std::string::npos);
  CHECK(text.find("binaries[0].include_dirs[1]: 'include/etc' (/etc) is outside") !=
        std::string::npos);
  CHECK(text.find("images[0].files[0].src: '../../etc/passwd' is outside") != std::string::npos);
  CHECK(text.find("images[0].files[1].src: 'conf/link' (/etc/hostname) is outside") !=
        std::string::npos);
  CHECK(text.find("output.dir: '/tmp/elsewhere' is outside") != std::string::npos);
}

TEST_CASE("Manifest::diagnostic formats a message about a node") {
  Project p;
  Result<Manifest> r = p.parse(with_image(""));
  REQUIRE(r.ok());
  const ImageBinary& ref = r->images[0].binaries[0];
  CHECK(r->diagnostic(ref.mark, ref.key_path, "link failed") ==
        "scratchpack.yaml:8:16: error: images[0].binaries[0]: link failed");
}

// Found while fuzzing the manifest parser: `sources: ['/**/*.c']` walked the whole machine
// (18 s under the fuzzer) before each match was refused as outside the manifest's directory.
TEST_CASE("parse_manifest: a glob never walks outside the manifest's directory") {
  Project p;
  fs::create_symlink("/", p.at("src/root"));
  auto started = std::chrono::steady_clock::now();
  std::string text = p.problems("version: 1\nproject: demo\n"
                                "binaries:\n"
                                "  - name: app\n"
                                "    sources: ['/**/*.c', '../*/**/*.c', src/*/**/*.c, "
                                "'src/../../**/*.c', src/main.cpp]\n");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(text.find("binaries[0].sources[0]: '/**/*.c' is outside the manifest's directory") !=
        std::string::npos);
  CHECK(text.find("binaries[0].sources[1]: '../*/**/*.c' (" +
                  fs::weakly_canonical(p.at("..")).string() +
                  ") is outside the manifest's directory") != std::string::npos);
  // Through a symlink or a '..' after a wildcard, the walk stops at the way out.
  CHECK(text.find("binaries[0].sources[2]: sources glob 'src/*/**/*.c' matches no file") !=
        std::string::npos);
  CHECK(text.find("binaries[0].sources[3]: 'src/../../**/*.c'") != std::string::npos);
  CHECK(text.find("sources[4]") == std::string::npos);
}

TEST_CASE("manifests: a binary from a CMake project") {
  Project p;
  p.write("cm/CMakeLists.txt", "project(x C)\nadd_executable(app main.c)\n");
  auto m = p.parse("version: 1\nproject: demo\ntargets: [x86_64]\nbinaries:\n"
                   "  - name: app\n"
                   "    cmake: {dir: cm, options: [\"WITH_X=ON\", \"LEVEL:STRING=3\"]}\n"
                   "  - name: other\n"
                   "    cmake: {dir: cm, target: app2}\n");
  REQUIRE_MESSAGE(m.ok(), details_of(m));
  REQUIRE(m->binaries[0].cmake);
  CHECK(m->binaries[0].cmake->dir == p.at("cm"));
  CHECK(m->binaries[0].cmake->target == "app"); // the binary's name by default
  CHECK(m->binaries[0].cmake->options == std::vector<std::string>{"WITH_X=ON", "LEVEL:STRING=3"});
  CHECK(m->binaries[0].sources.empty());
  CHECK(m->binaries[1].cmake->target == "app2");
}

TEST_CASE("manifests: a cmake: binary's mistakes, each with its place") {
  Project p;
  p.write("cm/CMakeLists.txt", "project(x C)\n");
  std::string head = "version: 1\nproject: demo\ntargets: [x86_64]\nbinaries:\n  - name: app\n";
  CHECK(p.problems(head + "    cmake: {dir: src}\n") ==
        "scratchpack.yaml:6:18: error: binaries[0].cmake.dir: 'src' holds no CMakeLists.txt\n");
  CHECK(p.problems(head + "    cmake: {dir: cm}\n    sources: [src/main.cpp]\n") ==
        "scratchpack.yaml:7:14: error: binaries[0].sources: sources and cmake exclude each other: "
        "the CMake project says how its executable is compiled\n");
  CHECK(p.problems(head +
                   "    cmake: {dir: cm, options: [\"NOVALUE\", \"CMAKE_TOOLCHAIN_FILE=x\"]}\n") ==
        "scratchpack.yaml:6:32: error: binaries[0].cmake.options[0]: option 'NOVALUE' is not "
        "VAR=VALUE (a CMake cache variable)\n"
        "scratchpack.yaml:6:43: error: binaries[0].cmake.options[1]: CMAKE_TOOLCHAIN_FILE is "
        "scratchpack's: the release sets it per target\n");
  CHECK(p.problems(head + "    cmake: {dir: ..}\n").find("outside") != std::string::npos);
}

TEST_CASE("packages: a list for every target or a map by target; pkg-config: module names") {
  Project p;
  Result<Manifest> r = p.parse("version: 1\nproject: demo\ntargets: [x86_64, aarch64]\n"
                               "binaries:\n  - name: app\n    sources: [src/main.cpp]\n"
                               "    packages:\n      all: [zlib1g-dev]\n"
                               "      aarch64-glibc: [libssl-dev]\n"
                               "    pkg-config: [zlib, libcrypto]\n");
  REQUIRE_MESSAGE(r.ok(), details_of(r));
  const Binary& b = r->binaries[0];
  CHECK(b.packages == std::vector<std::string>{"zlib1g-dev"});
  // The key is rewritten to the target as the binary's list writes it.
  REQUIRE(b.target_packages.count("aarch64"));
  CHECK(b.target_packages.at("aarch64") == std::vector<std::string>{"libssl-dev"});
  CHECK(b.pkg_config == std::vector<std::string>{"zlib", "libcrypto"});
  Result<Manifest> list = p.parse(k_head + "    packages: [libsqlite3-dev]\n");
  REQUIRE_MESSAGE(list.ok(), details_of(list));
  CHECK(list->binaries[0].packages == std::vector<std::string>{"libsqlite3-dev"});
}

TEST_CASE("bad: packages for a target the binary is not built for, or not a Debian name") {
  Project p;
  CHECK(p.problems("version: 1\nproject: demo\ntargets: [x86_64]\n"
                   "binaries:\n  - name: app\n    sources: [src/main.cpp]\n"
                   "    packages:\n      armv7: [zlib1g-dev]\n") ==
        "scratchpack.yaml:8:7: error: binaries[0].packages: 'armv7' is not one of this binary's "
        "targets (x86_64) nor 'all'\n");
  CHECK(p.problems(k_head + "    packages: [LibSSL-dev]\n    pkg-config: [-lz]\n") ==
        "scratchpack.yaml:6:16: error: binaries[0].packages[0]: invalid Debian package name "
        "'LibSSL-dev': lower-case letters, digits, '+', '-' and '.', such as 'libssl-dev'\n"
        "scratchpack.yaml:7:18: error: binaries[0].pkg-config[0]: invalid pkg-config module "
        "'-lz', such as 'zlib' or 'libcrypto'\n");
}

TEST_CASE("manifest: build.distribute.hosts, a string or a list, checked by the hook") {
  Project p;
  ParseHooks hooks;
  hooks.check_distcc_hosts = [](std::string_view h) -> std::optional<std::string> {
    if (h.find("bad") != std::string_view::npos) {
      return "distcc host 'bad': no";
    }
    return std::nullopt;
  };
  auto string = p.parse(k_head + "build:\n  distribute:\n    hosts: 10.0.0.2/8 10.0.0.3\n", hooks);
  REQUIRE_MESSAGE(string.ok(), details_of(string));
  CHECK(string->build.distribute_hosts == "10.0.0.2/8 10.0.0.3");
  CHECK(string->build.distribute_mark.line == 8);
  auto list = p.parse(k_head + "build: {distribute: {hosts: [10.0.0.2/8, '[::1]:3633']}}\n", hooks);
  REQUIRE_MESSAGE(list.ok(), details_of(list));
  CHECK(list->build.distribute_hosts == "10.0.0.2/8 [::1]:3633");
  auto none = p.parse(k_head, hooks);
  REQUIRE(none.ok());
  CHECK(none->build.distribute_hosts.empty());

  std::string problems = p.problems(k_head + "build:\n  distribute:\n    hosts: bad\n"
                                             "    host: x\n",
                                    hooks);
  CHECK(problems.find("scratchpack.yaml:8:12: error: build.distribute.hosts: distcc host 'bad': "
                      "no") != std::string::npos);
  CHECK(problems.find("build.distribute.host") != std::string::npos); // the unknown key
  CHECK(p.problems(k_head + "build: {distribute: {hosts: ''}}\n", hooks).find("names no host") !=
        std::string::npos);
}
