// The drop-in compiler's command line: what `scratchpack cc` / `c++` make of the arguments a build
// system passes to gcc or clang. A pure parse into a DriverCommand (what to do, with which inputs,
// which flags go to the compile and which to the link) and the make-style dependency file the
// driver writes itself. Running it is cli/cmd_cc.cpp's job; compiles and links use the same
// compile_command and link_line as `build`.
#pragma once

#include "util/result.h"
#include "util/vocabulary.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sp::toolchain {

namespace fs = std::filesystem;

/// What the command line asks for.
enum class DriverAction {
  link,       ///< compile the sources, link everything into an executable (the default)
  compile,    ///< -c: one object per source
  assemble,   ///< -S: one assembly file per source
  preprocess, ///< -E (also -M/-MM alone): to -o or stdout
  query,      ///< --version, -dumpmachine, -print-*: answered without compiling
};

/// One input, in command-line order.
struct DriverInput {
  enum class Kind {
    source,      ///< compiled first (C, C++, or assembly with a preprocessor)
    object,      ///< .o and anything else lld reads (given to the link as is)
    library,     ///< -lNAME (name without the prefix)
    linker_flag, ///< an lld option whose place among the inputs matters (--whole-archive…)
  };
  Kind kind = Kind::object;
  std::string value;
  /// For a source: the language from -x or its suffix; "c", "c++", "assembler-with-cpp",
  /// "assembler".
  std::string language;
};

/// The make-style dependency file a build system asked for (-MD/-MMD, -MF, -MT/-MQ, -MP).
struct DepfileRequest {
  bool wanted = false;
  bool user_headers_only = false;   ///< -MMD: system headers left out
  std::string file;                 ///< -MF; empty: the output with .d
  std::vector<std::string> targets; ///< -MT and -MQ (quoted already); empty: the output
  bool phony = false;               ///< -MP
};

struct DriverCommand {
  DriverAction action = DriverAction::link;
  bool cxx = false; ///< the c++ driver (C++ for ambiguous inputs, the C++ runtime at link)
  std::string output;
  std::vector<DriverInput> inputs;
  /// Flags for every compile, in order (-O, -g, -W, -f, -m, -std, -D/-U, -I/-isystem/-iquote/
  /// -include…, -pthread, -M/-MM for a dependency listing).
  std::vector<std::string> compile_flags;
  std::vector<std::string> lib_dirs;   ///< -L
  std::vector<std::string> link_flags; ///< -Wl,… / -Xlinker for lld, position-independent
  DepfileRequest depfile;
  bool strip = false;   ///< -s
  bool verbose = false; ///< -v with inputs
  std::string query;    ///< the query flag itself (DriverAction::query)
};

/// Parses `args` (without argv[0] and without scratchpack's own --target/--libc/--profile);
/// @response files are read and expanded. An error names the flag: flags that would make the
/// output dynamic (-shared, -fuse-ld= other than lld, -Wl,-Bdynamic…) and flags no compiler
/// takes.
Result<DriverCommand> parse_driver(const std::vector<std::string>& args, bool cxx);

/// The language a source gets from its suffix ("c", "c++", "assembler-with-cpp", "assembler"),
/// or empty when the file is not a source (an object, an archive, a linker script).
std::string source_language(const fs::path& file, bool cxx);

/// A make rule: `targets` depend on `deps` (the source first), with an empty rule for every
/// header when `phony` (-MP). Spaces and '#' are escaped as gcc does.
std::string make_depfile(const std::vector<std::string>& targets,
                         const std::vector<std::string>& deps, bool phony);

/// -MQ's quoting of a target for make ('$' doubled, spaces and '#' escaped).
std::string make_quote(const std::string& target);

} // namespace sp::toolchain
