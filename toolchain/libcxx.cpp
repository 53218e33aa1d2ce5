#include "toolchain/libcxx.h"

#include "toolchain/llvm_source.h"
#include "toolchain/provision.h"
#include "toolchain/version.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <chrono>
#include <fstream>

namespace sp::toolchain {

namespace {

/// Bumped when the build changes in a way the options and flags do not show, so that caches
/// built by an older scratchpack are not reused.
constexpr int k_recipe = 1;
constexpr const char* k_marker = "scratchpack-libcxx.txt";
constexpr const char* k_sysroot_marker = "scratchpack-sysroot.txt";

std::string llvm_major() {
  std::string v = llvm_version();
  return v.substr(0, v.find('.'));
}

} // namespace

std::vector<std::string> libcxx_cmake_options() {
  return {
      // -Os: measured smaller than LTO of libc++ for iostream programs and as fast to link.
      "-DCMAKE_BUILD_TYPE=MinSizeRel",
      // Nothing can be linked for the target before libc++ exists: checks compile only.
      "-DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY",
      "-DLLVM_ENABLE_RUNTIMES=libcxx;libcxxabi;libunwind",
      "-DLLVM_INCLUDE_TESTS=OFF",
      "-DLLVM_INCLUDE_DOCS=OFF",
      "-DLIBCXX_HAS_MUSL_LIBC=ON",
      "-DLIBCXX_ENABLE_SHARED=OFF",
      "-DLIBCXXABI_ENABLE_SHARED=OFF",
      "-DLIBUNWIND_ENABLE_SHARED=OFF",
      "-DLIBCXX_INCLUDE_TESTS=OFF",
      "-DLIBCXXABI_INCLUDE_TESTS=OFF",
      "-DLIBUNWIND_INCLUDE_TESTS=OFF",
      "-DLIBCXX_INCLUDE_BENCHMARKS=OFF",
      "-DLIBCXX_INCLUDE_DOCS=OFF",
      "-DLIBUNWIND_INCLUDE_DOCS=OFF",
      "-DLIBCXX_INSTALL_MODULES=OFF",
      // Three separate archives (libc++.a libc++abi.a libunwind.a), each linked by path.
      "-DLIBCXXABI_USE_LLVM_UNWINDER=ON",
      "-DLIBCXXABI_ENABLE_STATIC_UNWINDER=OFF",
      "-DLIBCXX_ENABLE_STATIC_ABI_LIBRARY=OFF",
      // Builtins and crtbegin/crtend come from the target's libgcc in the musl sysroot.
      "-DLIBCXX_USE_COMPILER_RT=OFF",
      "-DLIBCXXABI_USE_COMPILER_RT=OFF",
      "-DLIBUNWIND_USE_COMPILER_RT=OFF",
      "-DLIBCXXABI_ENABLE_ASSERTIONS=OFF",
      "-DLIBUNWIND_ENABLE_ASSERTIONS=OFF",
      // The default terminate handler prints the mangled type of an uncaught exception instead
      // of linking the demangler into every program: 93 kB less for an iostream hello.
      "-DLIBCXXABI_NON_DEMANGLING_TERMINATE=ON",
  };
}

std::vector<std::string> libcxx_compile_flags(const Target& target) {
  std::vector<std::string> flags = target_flags(target);
  // Programs are linked static and non-PIE: position-dependent code is smaller.
  flags.insert(flags.end(), {"-fno-pic", "-fno-pie"});
  return flags;
}

std::string libcxx_dir_name(const Target& target, std::string_view sysroot_identity) {
  std::string recipe = "scratchpack libc++ recipe " + std::to_string(k_recipe) + "\nllvm " +
                       llvm_version() + "\ntriple " + target.clang_triple() + "\noptions " +
                       join(libcxx_cmake_options(), " ") + "\nflags " +
                       join(libcxx_compile_flags(target), " ") + "\nsysroot\n" +
                       std::string(sysroot_identity);
  return target.musl_triple() + "-" + sha256_hex(recipe).substr(0, 16);
}

fs::path libcxx_dir(const Sysroot& sysroot, const SysrootSearch& search) {
  if (sysroot.target.libc != Libc::musl) {
    return {};
  }
  auto identity = read_file(sysroot.root / k_sysroot_marker);
  if (!identity) {
    return {};
  }
  return search.cache / "libcxx" / libcxx_dir_name(sysroot.target, *identity);
}

bool attach_libcxx(Sysroot& sysroot, const SysrootSearch& search) {
  fs::path dir = libcxx_dir(sysroot, search);
  if (dir.empty()) {
    return false;
  }
  auto marker = read_file(dir / k_marker);
  std::vector<fs::path> libs = {dir / "lib" / "libc++.a", dir / "lib" / "libc++abi.a",
                                dir / "lib" / "libunwind.a"};
  fs::path include = dir / "include" / "c++" / "v1";
  std::error_code ec;
  if (!marker || !fs::exists(include / "__config_site", ec)) {
    return false;
  }
  for (const fs::path& lib : libs) {
    if (!fs::exists(lib, ec)) {
      return false;
    }
  }
  sysroot.cxx_lib_dir = dir / "lib";
  sysroot.cxx_libs = libs;
  sysroot.cxx_includes = {include};
  sysroot.cxx_has_unwinder = true;
  // libc++'s headers pull in dozens of others only for old code that forgot an include (C++23
  // mode already drops them): without them an iostream program compiles 2x faster (1.5 s -> 0.7 s).
  sysroot.cxx_defines = {"_LIBCPP_REMOVE_TRANSITIVE_INCLUDES"};
  sysroot.cxx_library = std::string(trim(marker->substr(0, marker->find('\n'))));
  return true;
}

std::vector<std::string> libcxx_configure_command(const Compiler& compiler, const Sysroot& sysroot,
                                                  const LibcxxTools& tools,
                                                  const LibcxxBuildDirs& dirs) {
  std::vector<std::string> flags = libcxx_compile_flags(sysroot.target);
  // The include path is scratchpack's, as for programs: clang's headers, then musl's and the
  // kernel's (libc++'s own come first through the build's -I).
  flags.insert(flags.end(),
               {"-nostdinc", "-isystem", (compiler.resource_dir / "include").string()});
  for (const fs::path& dir : sysroot.c_includes) {
    flags.insert(flags.end(), {"-isystem", dir.string()});
  }
  // Reproducible archives: no cache, build or sysroot path inside them.
  for (const auto& [from, to] :
       {std::pair{dirs.source, "/llvm"}, std::pair{dirs.build, "/build"},
        std::pair{sysroot.root, "/sysroot"}, std::pair{compiler.resource_dir, "/clang"}}) {
    flags.push_back("-ffile-prefix-map=" + from.string() + "=" + to);
  }
  std::vector<std::string> quoted;
  for (const std::string& f : flags) {
    quoted.push_back(shell_quote(f));
  }
  std::string flag_line = join(quoted, " ");
  std::string triple = sysroot.target.clang_triple();
  fs::path clangxx = compiler.clang.parent_path() / "clang++";
  std::vector<std::string> argv = {tools.cmake.string(),
                                   "-G",
                                   "Ninja",
                                   "-S",
                                   (dirs.source / "runtimes").string(),
                                   "-B",
                                   dirs.build.string(),
                                   "-DCMAKE_MAKE_PROGRAM=" + tools.ninja.string(),
                                   "-DCMAKE_INSTALL_PREFIX=" + dirs.install.string(),
                                   "-DCMAKE_C_COMPILER=" + compiler.clang.string(),
                                   "-DCMAKE_CXX_COMPILER=" + clangxx.string(),
                                   "-DCMAKE_ASM_COMPILER=" + compiler.clang.string(),
                                   "-DCMAKE_AR=" + (tools.llvm_bindir / "llvm-ar").string(),
                                   "-DCMAKE_RANLIB=" + (tools.llvm_bindir / "llvm-ranlib").string(),
                                   "-DCMAKE_C_COMPILER_TARGET=" + triple,
                                   "-DCMAKE_CXX_COMPILER_TARGET=" + triple,
                                   "-DCMAKE_ASM_COMPILER_TARGET=" + triple,
                                   "-DCMAKE_C_FLAGS=" + flag_line,
                                   "-DCMAKE_CXX_FLAGS=" + flag_line,
                                   "-DCMAKE_ASM_FLAGS=" + flag_line};
  std::vector<std::string> options = libcxx_cmake_options();
  argv.insert(argv.end(), options.begin(), options.end());
  return argv;
}

namespace {

/// Turns ninja's "[n/N] …" status lines into a progress line at every tenth of the way.
class NinjaProgress {
public:
  NinjaProgress(const ProgressFn& progress, std::string label)
      : m_progress(progress), m_label(std::move(label)) {}

  void feed(std::string_view chunk) {
    m_partial.append(chunk);
    size_t nl;
    while ((nl = m_partial.find('\n')) != std::string::npos) {
      line(std::string_view(m_partial).substr(0, nl));
      m_partial.erase(0, nl + 1);
    }
  }

private:
  void line(std::string_view text) {
    size_t slash = text.find('/');
    size_t close = text.find(']');
    unsigned long long done = 0, total = 0;
    if (text.empty() || text[0] != '[' || slash == std::string_view::npos ||
        close == std::string_view::npos || slash > close ||
        !parse_uint(text.substr(1, slash - 1), done) ||
        !parse_uint(text.substr(slash + 1, close - slash - 1), total) || total == 0) {
      return;
    }
    unsigned long long percent = done * 100 / total;
    if (percent >= m_next) {
      m_progress(m_label + ": " + std::to_string(percent) + "% (" + std::to_string(done) + "/" +
                 std::to_string(total) + ")");
      m_next = percent / 10 * 10 + 10;
    }
  }

  const ProgressFn& m_progress;
  std::string m_label;
  std::string m_partial;
  unsigned long long m_next = 10;
};

/// Runs one build step; on failure keeps its whole output in `log` and shows the end of it.
Status run_step(const std::vector<std::string>& argv, const ProcessOptions& options,
                const std::string& what, const fs::path& log) {
  auto r = run_process(argv, options);
  if (!r) {
    return r.take_error();
  }
  if (r->exit_code == 0) {
    return {};
  }
  std::string output = r->out + r->err;
  std::ofstream(log) << shell_join(argv) << "\n" << output;
  return failure(what,
                 fs::path(argv[0]).filename().string() + " exited with status " +
                     std::to_string(r->exit_code),
                 "the whole output is in " + log.string())
      .with_details(tail_lines(output, 40));
}

Result<LibcxxTools> find_tools(const Target& target) {
  LibcxxTools tools;
  tools.cmake = find_program("cmake");
  tools.ninja = find_program("ninja");
  tools.llvm_bindir = llvm_bindir();
  for (const fs::path* p : {&tools.cmake, &tools.ninja}) {
    if (p->empty()) {
      return failure("cannot build libc++ for " + target.name(),
                     std::string(p == &tools.cmake ? "cmake" : "ninja") + " is not on PATH",
                     "install cmake and ninja-build (scripts/setup.sh does)");
    }
  }
  return tools;
}

/// The install holds headers and archives only: CMake's extras name build paths.
void prune_install(const fs::path& install) {
  std::error_code ec;
  fs::remove_all(install / "share", ec);
  fs::remove(install / "lib" / "libc++.modules.json", ec);
}

std::string marker_text(const Sysroot& sysroot, const LlvmSource& src) {
  auto identity = read_file(sysroot.root / k_sysroot_marker);
  return "libc++ " + src.version + "\ntarget: " + sysroot.target.name() + " (" +
         sysroot.target.clang_triple() + ")\nclang: " + llvm_version() +
         "\noptions: " + join(libcxx_cmake_options(), " ") +
         "\nflags: " + join(libcxx_compile_flags(sysroot.target), " ") + "\nsysroot " +
         (identity ? *identity : std::string("?\n"));
}

/// Configures, builds and installs the runtimes into `install` (the entry's temporary name).
Status build_runtimes(const Compiler& compiler, const LibcxxTools& tools, const Sysroot& sysroot,
                      const LlvmSource& src, const fs::path& build, const fs::path& install,
                      const fs::path& log, const ProgressFn& progress) {
  std::string name = sysroot.target.name();
  progress("configuring libc++ " + src.version + " for " + name);
  std::vector<std::string> configure =
      libcxx_configure_command(compiler, sysroot, tools, {src.dir, build, install});
  SP_TRY(run_step(configure, {}, "configuring libc++ for " + name, log));
  NinjaProgress status(progress, "compiling libc++ for " + name);
  ProcessOptions opts;
  opts.env = {"NINJA_STATUS=[%f/%t] "};
  opts.on_out = [&](std::string_view chunk) { status.feed(chunk); };
  std::vector<std::string> ninja = {tools.ninja.string(), "-C",
                                    build.string(),       "install-cxx",
                                    "install-cxxabi",     "install-unwind"};
  SP_TRY(run_step(ninja, opts, "building libc++ for " + name, log));
  prune_install(install);
  return write_file_atomic(install / k_marker, marker_text(sysroot, src));
}

Result<Sysroot> build_libcxx(const Sysroot& sysroot, const fs::path& dir,
                             const SysrootSearch& search, bool rebuild,
                             const ProgressFn& progress) {
  std::string name = sysroot.target.name();
  fs::path root = dir.parent_path();
  std::string entry = dir.filename().string();
  SP_TRY(make_dirs(root));
  bool waited = false;
  auto lock = FileLock::acquire(root / (entry + ".lock"), [&] {
    waited = true;
    progress("waiting for another scratchpack that is building libc++ for " + name);
  });
  if (!lock) {
    return lock.take_error();
  }
  Sysroot result = sysroot;
  if ((!rebuild || waited) && attach_libcxx(result, search)) {
    return result;
  }
  auto started = std::chrono::steady_clock::now();
  progress("building libc++, libc++abi and libunwind for " + name +
           " (once per target; cached afterwards)");
  // The tools first: a missing one should not cost a 165 MB download.
  auto compiler = find_compiler();
  if (!compiler) {
    return compiler.take_error();
  }
  auto tools = find_tools(sysroot.target);
  if (!tools) {
    return tools.take_error();
  }
  remove_leftovers(root, {"." + entry + ".", "build-" + entry + "."});
  auto src = ensure_llvm_source(search.cache, llvm_major(), progress);
  if (!src) {
    return src.take_error();
  }
  TempDir build("build-" + entry, root);
  AtomicPath install(dir);
  fs::path log = root / (entry + ".log");
  if (Status s = build_runtimes(*compiler, *tools, sysroot, *src, build.path(), install.temp(), log,
                                progress);
      !s) {
    return s.take_error();
  }
  SP_TRY(install.commit());
  std::error_code ec;
  fs::remove(log, ec);
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  progress("libc++ " + src->version + " for " + name + " is ready (" +
           std::to_string(seconds.count()) + " s): " + dir.string());
  if (!attach_libcxx(result, search)) {
    return failure("libc++ for " + name,
                   "the build finished but " + dir.string() + " is incomplete");
  }
  return result;
}

ProgressFn or_silent(const ProgressFn& progress) {
  return progress ? progress : [](const std::string&) {};
}

} // namespace

Result<Sysroot> ensure_libcxx(const Sysroot& sysroot, const ProgressFn& progress,
                              const SysrootSearch& search, bool rebuild) {
  Sysroot result = sysroot;
  if (!rebuild && attach_libcxx(result, search)) {
    return result;
  }
  fs::path dir = libcxx_dir(sysroot, search);
  if (dir.empty()) {
    return failure("cannot build libc++ for " + sysroot.target.name(),
                   "the sysroot at " + sysroot.root.string() +
                       " is not scratchpack's musl sysroot (libc++ needs its kernel headers)",
                   "run '" + install_command(sysroot.target) + "'");
  }
  return build_libcxx(sysroot, dir, search, rebuild, or_silent(progress));
}

Result<Sysroot> ensure_cxx_runtime(const Sysroot& sysroot, const ProgressFn& progress,
                                   const SysrootSearch& search) {
  if (sysroot.has_cxx()) {
    return sysroot;
  }
  const Target& t = sysroot.target;
  if (t.libc == Libc::glibc) {
    return failure("cannot build C++ for " + t.name(), "the sysroot has no libstdc++.a",
                   "run '" + install_command(t) + "'");
  }
  ProgressFn report = or_silent(progress);
  if (libcxx_dir(sysroot, search).empty()) {
    // Debian's musl-dev lacks the kernel headers libc++ needs: provision scratchpack's sysroot.
    report("installing the " + t.name() + " sysroot into scratchpack's cache for libc++");
    auto installed = install_sysroot(t, search, report);
    if (!installed) {
      return installed.take_error();
    }
    return installed->has_cxx() ? *installed : ensure_libcxx(*installed, report, search);
  }
  return ensure_libcxx(sysroot, report, search);
}

} // namespace sp::toolchain
