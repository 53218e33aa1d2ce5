#include "toolchain/driver.h"

#include "util/fs.h"
#include "util/strings.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace sp::toolchain {

namespace {

constexpr size_t k_max_response_bytes = 1 << 20;
constexpr int k_max_response_depth = 8;

Status expand_responses(const std::vector<std::string>& args, int depth,
                        std::vector<std::string>& out) {
  for (const std::string& a : args) {
    if (!a.starts_with("@") || a.size() == 1) {
      out.push_back(a);
      continue;
    }
    if (depth >= k_max_response_depth) {
      return failure(a, "response files nest deeper than " + std::to_string(k_max_response_depth));
    }
    auto text = read_file(a.substr(1));
    if (!text) {
      // gcc passes an unreadable @name through as a file name; so does this.
      out.push_back(a);
      continue;
    }
    if (text->size() > k_max_response_bytes) {
      return failure(a, "a response file larger than 1 MiB");
    }
    // Whitespace separates, quotes and backslashes escape, as gcc reads them.
    SP_TRY(expand_responses(split_words(*text, true), depth + 1, out));
  }
  return {};
}

/// Options whose value is the next argument (or attached: -Ifoo, -o foo).
constexpr std::array k_with_value = {"-o",        "-x",         "-I",          "-isystem",
                                     "-iquote",   "-idirafter", "-include",    "-imacros",
                                     "-D",        "-U",         "-MF",         "-MT",
                                     "-MQ",       "-L",         "-l",          "-target",
                                     "-Xlinker",  "-Xclang",    "-Xassembler", "-Xpreprocessor",
                                     "-u",        "-T",         "-z",          "--sysroot",
                                     "-isysroot", "--param",    "-iprefix",    "-iwithprefix"};

bool takes_value(std::string_view flag) {
  return std::find(k_with_value.begin(), k_with_value.end(), flag) != k_with_value.end();
}

/// lld options whose place among the inputs matters.
bool positional_linker_flag(std::string_view f) {
  static constexpr std::array k = {"--whole-archive",
                                   "--no-whole-archive",
                                   "--start-group",
                                   "--end-group",
                                   "-(",
                                   "-)",
                                   "--as-needed",
                                   "--no-as-needed",
                                   "-Bstatic",
                                   "-static",
                                   "-dn",
                                   "-non_shared"};
  return std::find(k.begin(), k.end(), f) != k.end();
}

Error refuse(const std::string& flag, const std::string& why, const std::string& hint = {}) {
  return failure(flag, why, hint);
}

/// A linker option from -Wl or -Xlinker: refused when it makes the output dynamic.
Status take_linker_flag(const std::string& f, DriverCommand& cmd) {
  static constexpr std::array k_dynamic = {
      "-shared",          "-Bshareable", "-Bdynamic",          "-dy",
      "-call_shared",     "-pie",        "--pic-executable",   "-dynamic-linker",
      "--dynamic-linker", "-I",          "--no-dynamic-linker"};
  std::string name = f.substr(0, f.find('='));
  if (std::find(k_dynamic.begin(), k_dynamic.end(), name) != k_dynamic.end()) {
    return refuse("-Wl," + f,
                  "scratchpack links static executables only; this linker option makes the "
                  "output dynamic or needs a dynamic loader");
  }
  if (positional_linker_flag(f)) {
    cmd.inputs.push_back({DriverInput::Kind::linker_flag, f, {}});
  } else {
    cmd.link_flags.push_back(f);
  }
  return {};
}

bool is_query(std::string_view a) {
  return a == "--version" || a == "-dumpversion" || a == "-dumpfullversion" ||
         a == "-dumpmachine" || a.starts_with("-print-") || a.starts_with("--print-");
}

} // namespace

std::string source_language(const fs::path& file, bool cxx) {
  std::string ext = file.extension().string();
  if (ext == ".c") {
    return cxx ? "c++" : "c";
  }
  if (ext == ".cc" || ext == ".cpp" || ext == ".cxx" || ext == ".c++" || ext == ".C" ||
      ext == ".cp" || ext == ".CPP") {
    return "c++";
  }
  if (ext == ".S" || ext == ".sx") {
    return "assembler-with-cpp";
  }
  if (ext == ".s") {
    return "assembler";
  }
  if (ext == ".i") {
    return "cpp-output";
  }
  if (ext == ".ii") {
    return "c++-cpp-output";
  }
  return {};
}

Result<DriverCommand> parse_driver(const std::vector<std::string>& given, bool cxx) {
  std::vector<std::string> args;
  SP_TRY(expand_responses(given, 0, args));
  DriverCommand cmd;
  cmd.cxx = cxx;
  std::string language; // -x, "" = by suffix
  bool dependency_listing = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    // An option and its value, attached or separate.
    auto value_of = [&](std::string_view flag) -> std::optional<std::string> {
      if (a == flag) {
        if (i + 1 >= args.size()) {
          return std::nullopt;
        }
        return args[++i];
      }
      return a.substr(flag.size());
    };
    if (a.empty()) {
      continue;
    }
    if (a[0] != '-' || a == "-") {
      std::string lang = !language.empty() ? language : source_language(a, cxx);
      if (a == "-" && lang.empty()) {
        lang = "stdin"; // C or C++ with -E (as gcc), else an error: decided below
      }
      std::string ext = fs::path(a).extension().string();
      if (lang.empty() && ext == ".so") {
        // CMake's find modules and pkg_check_modules name a library by the path they found,
        // often the .so (libm.so, a linker script, beside libm.a): its archive is the same
        // library for a static link, as -lm would have found it.
        std::error_code ec;
        if (fs::path archive = fs::path(a).replace_extension(".a");
            fs::is_regular_file(archive, ec)) {
          cmd.inputs.push_back({DriverInput::Kind::object, archive.string(), ""});
          continue;
        }
      }
      if (lang.empty() && (ext == ".so" || a.find(".so.") != std::string::npos)) {
        return refuse(a, "a shared library cannot go into a static executable",
                      "link its static archive (.a) instead");
      }
      cmd.inputs.push_back(
          {lang.empty() ? DriverInput::Kind::object : DriverInput::Kind::source, a, lang});
      continue;
    }
    if (a == "-shared" || a == "-static-pie" || a == "-pie" || a == "-dynamic" ||
        a == "-Bdynamic" || a == "-mdll" || a == "-dynamiclib" || a == "-bundle") {
      return refuse(a, "scratchpack makes static executables only; " +
                           std::string(a == "-shared" ? "a shared library cannot be built"
                                                      : "this needs a dynamic loader"));
    }
    if (a.starts_with("-fuse-ld=")) {
      std::string ld = a.substr(9);
      if (ld != "lld" && ld != "ld.lld") {
        return refuse(a,
                      "scratchpack links with its own lld, in process; another linker cannot "
                      "be used",
                      "drop -fuse-ld, or use -fuse-ld=lld");
      }
      continue;
    }
    if (a == "-V" || a == "-qversion") {
      // gcc and clang reject these; configure scripts probe them to tell compilers apart.
      return refuse(a, "unrecognized command-line option");
    }
    if (is_query(a)) {
      if (cmd.query.empty()) {
        cmd.query = a;
      }
      continue;
    }
    if (a == "-c") {
      cmd.action = DriverAction::compile;
    } else if (a == "-S") {
      if (cmd.action != DriverAction::preprocess) {
        cmd.action = DriverAction::assemble;
      }
    } else if (a == "-E") {
      cmd.action = DriverAction::preprocess;
    } else if (a == "-o" || (a.starts_with("-o") && a.size() > 2)) {
      auto v = value_of("-o");
      if (!v) {
        return refuse(a, "needs a file name");
      }
      cmd.output = *v;
    } else if (a == "-x" || (a.starts_with("-x") && a.size() > 2)) {
      auto v = value_of("-x");
      if (!v) {
        return refuse(a, "needs a language");
      }
      language = *v == "none" ? std::string() : *v;
      if (!language.empty() && language != "c" && language != "c++" && language != "assembler" &&
          language != "assembler-with-cpp" && language != "c-header" && language != "c++-header" &&
          language != "cpp-output" && language != "c++-cpp-output") {
        return refuse("-x " + language, "not a language scratchpack compiles",
                      "use c, c++, assembler or assembler-with-cpp");
      }
    } else if (a == "-l" || (a.starts_with("-l") && a.size() > 2)) {
      auto v = value_of("-l");
      if (!v || v->empty()) {
        return refuse(a, "needs a library name");
      }
      cmd.inputs.push_back({DriverInput::Kind::library, *v, {}});
    } else if (a == "-L" || (a.starts_with("-L") && a.size() > 2)) {
      auto v = value_of("-L");
      if (!v) {
        return refuse(a, "needs a directory");
      }
      cmd.lib_dirs.push_back(*v);
    } else if (a.starts_with("-Wl,")) {
      for (const std::string& f : split(a.substr(4), ',')) {
        if (!f.empty()) {
          SP_TRY(take_linker_flag(f, cmd));
        }
      }
    } else if (a == "-Xlinker") {
      if (i + 1 >= args.size()) {
        return refuse(a, "needs an argument");
      }
      SP_TRY(take_linker_flag(args[++i], cmd));
    } else if (a == "-u" || a == "-T" || a == "-z") {
      if (i + 1 >= args.size()) {
        return refuse(a, "needs an argument");
      }
      SP_TRY(take_linker_flag(a, cmd));
      cmd.link_flags.push_back(args[++i]);
    } else if (a == "-target" || a.starts_with("--target=")) {
      // scratchpack's own --target is taken before the driver's arguments; clang's spelling of
      // it here is honoured by the caller (cli), which reads it from the raw arguments.
      if (a == "-target") {
        ++i;
      }
    } else if (a == "--sysroot" || a == "-isysroot") {
      ++i; // scratchpack names every directory itself; a build system's sysroot is not needed
    } else if (a.starts_with("--sysroot=") || a.starts_with("-isysroot")) {
    } else if (a == "-MD" || a == "-MMD") {
      cmd.depfile.wanted = true;
      cmd.depfile.user_headers_only = a == "-MMD";
    } else if (a == "-MF" || a == "-MT" || a == "-MQ" || a.starts_with("-MF") ||
               a.starts_with("-MT") || a.starts_with("-MQ")) {
      std::string flag = a.substr(0, 3);
      auto v = value_of(flag);
      if (!v) {
        return refuse(a, "needs an argument");
      }
      if (flag == "-MF") {
        cmd.depfile.file = *v;
      } else {
        cmd.depfile.targets.push_back(flag == "-MQ" ? make_quote(*v) : *v);
      }
    } else if (a == "-MP") {
      cmd.depfile.phony = true;
    } else if (a == "-M" || a == "-MM" || a == "-MG") {
      dependency_listing = dependency_listing || a != "-MG";
      cmd.compile_flags.push_back(a);
    } else if (a == "-s") {
      cmd.strip = true;
    } else if (a == "-v") {
      cmd.verbose = true;
    } else if (a == "-static" || a == "-static-libgcc" || a == "-static-libstdc++" ||
               a == "-rdynamic" || a == "-no-pie" || a == "-nopie" || a == "-pipe" ||
               a == "--no-undefined") {
      // Static already; -rdynamic exports nothing a static executable could use.
    } else if (a == "-pthread" || a == "-pthreads") {
      cmd.compile_flags.push_back("-pthread"); // the libc has the threads; defines _REENTRANT
    } else if (takes_value(a)) {
      if (i + 1 >= args.size()) {
        return refuse(a, "needs an argument");
      }
      cmd.compile_flags.push_back(a);
      cmd.compile_flags.push_back(args[++i]);
    } else if (a == "-nostdlib" || a == "-nodefaultlibs" || a == "-nostartfiles") {
      return refuse(a, "scratchpack's link line names the C library and start files itself",
                    "drop " + a);
    } else {
      // -O*, -g*, -W*, -f*, -m*, -std=, -D…, -I…, -include…, -w, -pedantic… go to clang, which
      // rejects what it does not know.
      cmd.compile_flags.push_back(a);
    }
  }
  bool linker_version =
      std::any_of(cmd.link_flags.begin(), cmd.link_flags.end(),
                  [](const std::string& f) { return f == "--version" || f == "-v"; });
  if (linker_version && cmd.inputs.empty() && cmd.query.empty()) {
    cmd.query = "-Wl,--version"; // Meson and libtool ask which linker this is
  }
  if (!cmd.query.empty() ||
      (cmd.verbose && cmd.inputs.empty())) { // "cc -v" alone prints the version
    if (cmd.query.empty()) {
      cmd.query = "-v";
    }
    cmd.action = DriverAction::query;
    return cmd;
  }
  for (DriverInput& in : cmd.inputs) {
    if (in.language == "stdin") {
      if (cmd.action != DriverAction::preprocess && !dependency_listing) {
        return refuse("-", "reading a source from standard input needs -x LANGUAGE");
      }
      in.language = cxx ? "c++" : "c";
    }
  }
  if (dependency_listing) {
    cmd.action = DriverAction::preprocess; // -M and -MM imply -E, as with gcc
  }
  size_t sources = std::count_if(cmd.inputs.begin(), cmd.inputs.end(), [](const DriverInput& in) {
    return in.kind == DriverInput::Kind::source;
  });
  if (cmd.inputs.empty()) {
    return failure("no input files", "nothing to compile or link");
  }
  if (cmd.action != DriverAction::link && sources == 0) {
    return failure("no source files", "-c, -S and -E need a C or C++ source");
  }
  if (cmd.action != DriverAction::link && sources > 1 && !cmd.output.empty()) {
    return failure("-o " + cmd.output, "cannot specify -o with -c, -S or -E with multiple files");
  }
  return cmd;
}

std::string make_quote(const std::string& target) {
  std::string out;
  for (char c : target) {
    if (c == '$') {
      out += "$$";
    } else if (c == ' ' || c == '#') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string make_depfile(const std::vector<std::string>& targets,
                         const std::vector<std::string>& deps, bool phony) {
  auto escape = [](const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == ' ' || c == '#') {
        out += '\\';
      }
      out += c;
    }
    return out;
  };
  std::string text = join(targets, " ") + ":";
  for (const std::string& d : deps) {
    text += " \\\n  " + escape(d);
  }
  text += "\n";
  if (phony) {
    for (size_t i = 1; i < deps.size(); ++i) {
      text += escape(deps[i]) + ":\n";
    }
  }
  return text;
}

} // namespace sp::toolchain
