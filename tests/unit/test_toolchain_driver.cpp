#include "toolchain/driver.h"
#include "util/fs.h"

#include <doctest/doctest.h>

using namespace sp;
using namespace sp::toolchain;

namespace {

DriverCommand parse(const std::vector<std::string>& args, bool cxx = false) {
  auto cmd = parse_driver(args, cxx);
  REQUIRE_MESSAGE(cmd, (cmd ? "" : cmd.error().what + ": " + cmd.error().why));
  return *cmd;
}

std::string refusal(const std::vector<std::string>& args) {
  auto cmd = parse_driver(args, false);
  REQUIRE_FALSE(cmd);
  CHECK(cmd.error().exit_code() == 1); // a compiler fails with 1, never a usage code
  return cmd.error().what + ": " + cmd.error().why;
}

} // namespace

TEST_CASE("toolchain.driver: a CMake compile line: action, output, flags in order, depfile") {
  DriverCommand c =
      parse({"-DNDEBUG", "-I/src/lib", "-isystem", "/opt/inc", "-O2", "-g", "-std=gnu++17", "-fPIC",
             "-MD", "-MT", "obj/a.o", "-MF", "obj/a.o.d", "-o", "obj/a.o", "-c", "/src/a.cpp"},
            true);
  CHECK(c.action == DriverAction::compile);
  CHECK(c.output == "obj/a.o");
  REQUIRE(c.inputs.size() == 1);
  CHECK(c.inputs[0].kind == DriverInput::Kind::source);
  CHECK(c.inputs[0].language == "c++");
  CHECK(c.compile_flags == std::vector<std::string>{"-DNDEBUG", "-I/src/lib", "-isystem",
                                                    "/opt/inc", "-O2", "-g", "-std=gnu++17",
                                                    "-fPIC"});
  CHECK(c.depfile.wanted);
  CHECK_FALSE(c.depfile.user_headers_only);
  CHECK(c.depfile.file == "obj/a.o.d");
  CHECK(c.depfile.targets == std::vector<std::string>{"obj/a.o"});
}

TEST_CASE("toolchain.driver: a link line keeps inputs, -l and positional -Wl options in order") {
  DriverCommand c = parse({"main.o", "-o", "app", "-Wl,--whole-archive", "libplug.a",
                           "-Wl,--no-whole-archive,--gc-sections", "-L/opt/lib", "-lz", "-lm",
                           "-pthread", "-Xlinker", "-Map=app.map", "-static", "-rdynamic"});
  CHECK(c.action == DriverAction::link);
  CHECK(c.output == "app");
  std::vector<std::string> order;
  for (const DriverInput& in : c.inputs) {
    order.push_back(in.value);
  }
  CHECK(order == std::vector<std::string>{"main.o", "--whole-archive", "libplug.a",
                                          "--no-whole-archive", "z", "m"});
  CHECK(c.inputs[4].kind == DriverInput::Kind::library);
  CHECK(c.link_flags == std::vector<std::string>{"--gc-sections", "-Map=app.map"});
  CHECK(c.lib_dirs == std::vector<std::string>{"/opt/lib"});
}

TEST_CASE("toolchain.driver: languages from suffixes and -x") {
  DriverCommand c = parse({"-c", "a.c", "b.cc", "-x", "c++", "c.inc", "-x", "none", "d.S"});
  REQUIRE(c.inputs.size() == 4);
  CHECK(c.inputs[0].language == "c");
  CHECK(c.inputs[1].language == "c++");
  CHECK(c.inputs[2].language == "c++");
  CHECK(c.inputs[3].language == "assembler-with-cpp");
  CHECK(parse({"-c", "a.c"}, true).inputs[0].language == "c++"); // c++ a.c compiles C++
  // Standard input: C (or C++ for c++) when preprocessing, as gcc; otherwise -x is needed.
  CHECK(parse({"-E", "-dM", "-"}).inputs[0].language == "c");
  CHECK(parse({"-E", "-"}, true).inputs[0].language == "c++");
  CHECK(parse({"-x", "c", "-c", "-", "-o", "a.o"}).inputs[0].language == "c");
  CHECK(refusal({"-c", "-"}) == "-: reading a source from standard input needs -x LANGUAGE");
}

TEST_CASE("toolchain.driver: queries are answered without inputs") {
  for (std::string q : {"--version", "-dumpmachine", "-dumpversion", "-print-search-dirs",
                        "-print-file-name=libc.a", "-print-prog-name=ld"}) {
    DriverCommand c = parse({q});
    CHECK(c.action == DriverAction::query);
    CHECK(c.query == q);
  }
  CHECK(parse({"-v"}).query == "-v");
  CHECK(parse({"-Wl,--version"}).query == "-Wl,--version"); // Meson's linker detection
  DriverCommand verbose = parse({"-v", "-c", "a.c"});
  CHECK(verbose.action == DriverAction::compile);
  CHECK(verbose.verbose);
}

TEST_CASE("toolchain.driver: what would make the output dynamic is refused by name") {
  CHECK(refusal({"-shared", "a.c", "-o", "liba.so"}) ==
        "-shared: scratchpack makes static executables only; a shared library cannot be built");
  CHECK(refusal({"-fuse-ld=bfd", "a.c"}) ==
        "-fuse-ld=bfd: scratchpack links with its own lld, in process; another linker cannot be "
        "used");
  CHECK(refusal({"a.o", "-Wl,-Bdynamic", "-lz"})
            .starts_with("-Wl,-Bdynamic: scratchpack links "
                         "static executables only"));
  CHECK(refusal({"a.o", "-Wl,--dynamic-linker=/lib/ld.so"})
            .starts_with("-Wl,--dynamic-linker=/lib/ld.so:"));
  CHECK(refusal({"a.o", "/nonexistent/libz.so"}) ==
        "/nonexistent/libz.so: a shared library cannot go into a static executable");
  {
    // A .so with its archive beside it (as CMake names sysroot libraries): the archive.
    TempDir tmp;
    REQUIRE(write_file_atomic(tmp.path() / "libm.so", "INPUT(libm.so.6)\n"));
    REQUIRE(write_file_atomic(tmp.path() / "libm.a", "!<arch>\n"));
    DriverCommand c = parse({"a.o", (tmp.path() / "libm.so").string(), "-o", "x"});
    REQUIRE(c.inputs.size() == 2);
    CHECK(c.inputs[1].value == (tmp.path() / "libm.a").string());
    CHECK(refusal({"a.o", (tmp.path() / "libm.so.6").string()})
              .ends_with("libm.so.6: a shared library cannot go into a static executable"));
  }
  CHECK(refusal({"-pie", "a.c"}).starts_with("-pie: scratchpack makes static executables only"));
  // Compilers that are not gcc or clang are told apart by these; gcc and clang reject them.
  CHECK(refusal({"-V"}) == "-V: unrecognized command-line option");
  CHECK(refusal({"-qversion"}) == "-qversion: unrecognized command-line option");
  CHECK(parse({"-fuse-ld=lld", "a.c"}).action == DriverAction::link);
}

TEST_CASE("toolchain.driver: misuse is an error, not a guess") {
  CHECK(refusal({}) == "no input files: nothing to compile or link");
  CHECK(refusal({"-c", "a.o"}) == "no source files: -c, -S and -E need a C or C++ source");
  CHECK(refusal({"-c", "a.c", "b.c", "-o", "x.o"}) ==
        "-o x.o: cannot specify -o with -c, -S or -E with multiple files");
  CHECK(refusal({"-c", "a.c", "-o"}) == "-o: needs a file name");
  CHECK(refusal({"-x", "fortran", "a.f"}).starts_with("-x fortran: not a language"));
}

TEST_CASE("toolchain.driver: -M alone lists dependencies; -MMD -MP -MQ are kept for the depfile") {
  DriverCommand m = parse({"-MM", "a.c"});
  CHECK(m.action == DriverAction::preprocess);
  CHECK(m.compile_flags == std::vector<std::string>{"-MM"});
  DriverCommand d = parse({"-c", "a.c", "-MMD", "-MP", "-MQ", "$(OBJ) x.o", "-MF", "a.d"});
  CHECK(d.depfile.user_headers_only);
  CHECK(d.depfile.phony);
  CHECK(d.depfile.targets == std::vector<std::string>{"$$(OBJ)\\ x.o"});
  CHECK(d.compile_flags.empty());
}

TEST_CASE("toolchain.driver: response files are expanded, quotes honoured, nesting bounded") {
  TempDir tmp("sp-driver");
  fs::path rsp = tmp.path() / "args.rsp";
  REQUIRE(write_file_atomic(rsp, "-c \"my file.c\" -DNAME='a b' -o out.o\n"));
  DriverCommand c = parse({"@" + rsp.string()});
  CHECK(c.action == DriverAction::compile);
  REQUIRE(c.inputs.size() == 1);
  CHECK(c.inputs[0].value == "my file.c");
  CHECK(c.compile_flags == std::vector<std::string>{"-DNAME=a b"});
  fs::path loop = tmp.path() / "loop.rsp";
  REQUIRE(write_file_atomic(loop, "@" + loop.string() + "\n"));
  CHECK(refusal({"@" + loop.string()}).ends_with("response files nest deeper than 8"));
}

TEST_CASE("toolchain.driver: make_depfile escapes and adds phony rules") {
  CHECK(make_depfile({"a.o"}, {"a.c", "my dir/h.h"}, true) ==
        "a.o: \\\n  a.c \\\n  my\\ dir/h.h\nmy\\ dir/h.h:\n");
  CHECK(make_depfile({"a.o", "a.d"}, {"a.c"}, false) == "a.o a.d: \\\n  a.c\n");
}
