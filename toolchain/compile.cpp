#include "toolchain/compile.h"

#include "toolchain/version.h"
#include "util/fs.h"
#include "util/process.h"

#include <cstdlib>

namespace sp::toolchain {

Result<Language> language_of(const fs::path& source) {
  std::string ext = source.extension().string();
  if (ext == ".c") {
    return Language::c;
  }
  if (ext == ".cc" || ext == ".cpp" || ext == ".cxx" || ext == ".c++" || ext == ".C") {
    return Language::cxx;
  }
  return usage_error(source.string(), "not a C or C++ source (expected .c, .cc, .cpp or .cxx)");
}

Result<Compiler> find_compiler() {
  Compiler c;
  const char* env = std::getenv("SCRATCHPACK_CLANG");
  c.clang = env && *env ? fs::path(env) : fs::path(llvm_bindir()) / "clang";
  if (!is_executable_file(c.clang)) {
    return failure("clang not found", c.clang.string() + " is not an executable",
                   "install clang-19 (scripts/setup.sh does), or set SCRATCHPACK_CLANG");
  }
  c.version = llvm_version();
  std::string major = c.version.substr(0, c.version.find('.'));
  c.resource_dir = c.clang.parent_path().parent_path() / "lib" / "clang" / major;
  std::error_code ec;
  auto size = fs::file_size(c.clang, ec);
  auto mtime = fs::last_write_time(c.clang, ec).time_since_epoch().count();
  c.identity =
      c.clang.string() + " " + c.version + " " + std::to_string(size) + " " + std::to_string(mtime);
  c.objcopy = fs::path(llvm_bindir()) / "llvm-objcopy";
  if (!fs::exists(c.resource_dir / "include" / "stddef.h")) {
    return failure("clang's resource directory not found",
                   (c.resource_dir / "include" / "stddef.h").string() + " is missing",
                   "reinstall clang-19 and libclang-common-19-dev");
  }
  return c;
}

namespace {

void add_profile_flags(std::vector<std::string>& argv, Profile profile) {
  switch (profile) {
  case Profile::debug:
    // A debug object must be the same wherever it was compiled, and distcc preprocesses on the
    // client (measured, clang-19): that moves the line table's column numbers (so none are
    // kept), and a preprocessed C source has no MD5 file checksums in a DWARF 5 line table while
    // a local compile has them (so DWARF 4, which has none; then every target is identical).
    argv.insert(argv.end(), {"-O0", "-g", "-gdwarf-4", "-gno-column-info"});
    break;
  case Profile::release:
    argv.insert(argv.end(), {"-O2"});
    break;
  case Profile::size:
    argv.insert(argv.end(), {"-Os", "-ffunction-sections", "-fdata-sections"});
    break;
  }
}

} // namespace

std::vector<std::string> target_flags(const Target& target) {
  std::vector<std::string> flags = {"--target=" + target.clang_triple()};
  if (target.arch == Arch::armv7) {
    // Debian armhf's baseline: ARMv7-A, Thumb-2, VFPv3-D16, hard-float calling convention.
    flags.insert(flags.end(), {"-march=armv7-a", "-mthumb", "-mfpu=vfpv3-d16", "-mfloat-abi=hard"});
  }
  return flags;
}

std::vector<fs::path> system_include_dirs(const Compiler& compiler, const Sysroot& sysroot) {
  std::vector<fs::path> dirs = sysroot.c_includes;
  dirs.insert(dirs.end(), sysroot.cxx_includes.begin(), sysroot.cxx_includes.end());
  dirs.push_back(compiler.resource_dir);
  dirs.insert(dirs.end(), sysroot.overlay_includes.begin(), sysroot.overlay_includes.end());
  return dirs;
}

std::vector<std::string> compile_command(const Compiler& compiler, const Target& target,
                                         const Sysroot& sysroot, const CompileOptions& options,
                                         const CompileJob& job) {
  std::vector<std::string> argv = {compiler.clang.string(),
                                   job.action == CompileAction::assembly     ? "-S"
                                   : job.action == CompileAction::preprocess ? "-E"
                                                                             : "-c"};
  // `-target X`, two words: distcc's cross rewrite does not see `--target=X` and appends the
  // host's `-target x86_64-…`, so a server would silently compile for x86-64.
  std::vector<std::string> target_args = target_flags(target);
  argv.insert(argv.end(), {"-target", target.clang_triple()});
  argv.insert(argv.end(), target_args.begin() + 1, target_args.end());
  // No -x when the suffix says the language already: distcc compiles anything with -x locally.
  auto implied = language_of(job.source);
  if (job.precompile) {
    argv.push_back("-xc++-header");
  } else if (!job.x_language.empty()) {
    argv.push_back("-x" + job.x_language);
  } else if (!implied || *implied != job.language) {
    argv.push_back(job.language == Language::cxx ? "-xc++" : "-xc");
  }
  if (job.precompile) {
    argv.insert(argv.end(), {"-Xclang", "-fno-pch-timestamp"});
  }
  const std::string& standard =
      job.precompile || job.language == Language::cxx ? options.cxx_std : options.c_std;
  if (!standard.empty()) {
    argv.push_back("-std=" + standard);
  }
  add_profile_flags(argv, options.profile);
  // Static executables at a fixed address: no PIC/PIE code generation needed.
  argv.insert(argv.end(), {"-fno-pic", "-fno-pie"});
  // Reproducibility: no build directory in debug info, __FILE__ or assertions.
  if (!options.prefix_map_from.empty()) {
    argv.push_back("-ffile-prefix-map=" + options.prefix_map_from.string() + "=.");
  }
  argv.push_back("-fdebug-compilation-dir=.");
  argv.push_back(options.color_diagnostics ? "-fcolor-diagnostics" : "-fno-color-diagnostics");
  // Headers: the C++ library's, clang's own, then the libc's — the order clang uses natively,
  // but every directory named by scratchpack.
  argv.push_back("-nostdinc");
  for (const std::string& dir : options.include_dirs) {
    argv.push_back("-I" + dir);
  }
  if (job.language == Language::cxx) {
    for (const fs::path& dir : sysroot.cxx_includes) {
      argv.insert(argv.end(), {"-isystem", dir.string()});
    }
  }
  argv.insert(argv.end(), {"-isystem", (compiler.resource_dir / "include").string()});
  for (const fs::path& dir : sysroot.overlay_includes) {
    argv.insert(argv.end(), {"-isystem", dir.string()});
  }
  for (const fs::path& dir : sysroot.c_includes) {
    argv.insert(argv.end(), {"-isystem", dir.string()});
  }
  if (job.language == Language::cxx) {
    for (const std::string& d : sysroot.cxx_defines) {
      argv.push_back("-D" + d);
    }
  }
  for (const std::string& d : options.defines) {
    argv.push_back("-D" + d);
  }
  if (!job.depfile.empty()) {
    argv.insert(argv.end(), {"-MD", "-MF", job.depfile.string()});
  }
  argv.insert(argv.end(), options.extra_flags.begin(), options.extra_flags.end());
  if (!job.pch.empty()) {
    argv.insert(argv.end(), {"-include-pch", job.pch.string()});
  }
  if (!job.object.empty()) {
    argv.insert(argv.end(), {"-o", job.object.string()});
  }
  argv.push_back(job.source.string());
  return argv;
}

Result<CompileOutput> run_compile(const std::vector<std::string>& argv,
                                  const std::vector<std::string>& env) {
  ProcessOptions options;
  options.env = env;
  auto r = run_process(argv, options);
  if (!r) {
    return r.take_error();
  }
  CompileOutput out;
  out.ok = r->exit_code == 0;
  out.exit_code = r->exit_code;
  out.diagnostics = r->out + r->err;
  return out;
}

} // namespace sp::toolchain
