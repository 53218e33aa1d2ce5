#include "pipeline/drop_in.h"

#include "pipeline/caches.h"
#include "pipeline/gate.h"
#include "toolchain/link.h"
#include "toolchain/overlay.h"
#include "toolchain/sysroot.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace sp::pipeline {

namespace tc = toolchain;
using tc::DriverAction;
using tc::DriverInput;

namespace {

bool any_cxx_source(const tc::DriverCommand& cmd) {
  return std::any_of(cmd.inputs.begin(), cmd.inputs.end(), [](const DriverInput& in) {
    return in.kind == DriverInput::Kind::source && in.language.starts_with("c++");
  });
}

/// The sysroot, readied for C++ when the command compiles or links C++.
Result<tc::Sysroot> sysroot_for(const DropInInput& input, const tc::BuildTools& tools,
                                Events& events) {
  tc::Sysroot sysroot = SP_TRY(tc::find_sysroot(input.target, tools.search));
  if (input.command.cxx || any_cxx_source(input.command)) {
    auto progress = [&](const std::string& line) {
      events.progress({"C++ runtime for " + input.target.name(), 0, 1, line});
    };
    sysroot = SP_TRY(tools.cxx_runtime(sysroot, progress, tools.search));
  }
  return sysroot;
}

/// A file's path with its extension replaced ("src/a.c" → "a.o" in the working directory, as
/// gcc names the output of -c).
std::string output_for(const std::string& source, std::string_view ext) {
  return fs::path(source).filename().replace_extension(ext).string();
}

/// Writes the dependency file the build system asked for, from what the compile read.
Status write_depfile(const tc::DriverCommand& cmd, const std::string& output,
                     const std::vector<fs::path>& deps, const tc::Sysroot& sysroot,
                     const tc::BuildTools& tools) {
  std::vector<fs::path> system = tc::system_include_dirs(tools.compiler, sysroot);
  for (fs::path& d : system) {
    d = d.lexically_normal();
  }
  std::vector<std::string> listed;
  for (size_t i = 0; i < deps.size(); ++i) {
    fs::path dep = deps[i].lexically_normal();
    if (i > 0 && cmd.depfile.user_headers_only &&
        std::any_of(system.begin(), system.end(),
                    [&](const fs::path& d) { return lexically_within(dep, d); })) {
      continue;
    }
    listed.push_back(deps[i].string());
  }
  std::vector<std::string> targets = cmd.depfile.targets;
  if (targets.empty()) {
    targets.push_back(output);
  }
  std::string file = cmd.depfile.file.empty() ? fs::path(output).replace_extension(".d").string()
                                              : cmd.depfile.file;
  // A build output like the object: the build system remakes it when it is lost.
  return write_file_atomic(file, tc::make_depfile(targets, listed, cmd.depfile.phony), 0644,
                           Durability::ordered);
}

/// The libraries a gcc or clang link names for itself, which scratchpack's link line already
/// holds (or, for the C++ runtime, adds when asked).
bool runtime_library(const std::string& name, bool& cxx) {
  if (name == "stdc++" || name == "c++" || name == "c++abi" || name == "supc++") {
    cxx = true;
    return true;
  }
  return name == "c" || name == "gcc" || name == "gcc_s" || name == "gcc_eh" || name == "unwind";
}

std::string find_in(const std::vector<fs::path>& dirs, const std::string& name) {
  for (const fs::path& d : dirs) {
    std::error_code ec;
    if (!d.empty() && fs::exists(d / name, ec)) {
      return (d / name).string();
    }
  }
  return name;
}

} // namespace

DropInCache::DropInCache(bool enabled, Events& events) {
  if (!enabled) {
    return;
  }
  if (auto cache = tc::BuildCache::open(tc::BuildCache::default_dir())) {
    m_build = std::move(*cache);
  } else {
    events.warning("build cache disabled: " + cache.error().what + ": " + cache.error().why);
  }
}

DropInCache::~DropInCache() {
  // One compiler in 32 that stored something measures the caches and trims them (to 90%, as
  // `build` does): enough for the limit to hold, without a walk of the cache per compile.
  if (!m_build || !m_build->store().stored_anything() || std::random_device{}() % 32 != 0) {
    return;
  }
  auto limit = cache_limit();
  if (!limit) {
    return;
  }
  std::vector<const CacheStore*> stores = {&m_build->store()};
  std::optional<CacheStore> layers;
  std::error_code ec;
  if (fs::is_directory(cache_dir() / "layers", ec)) {
    if (auto key = cache_key(); key) {
      if (auto store = CacheStore::open(cache_dir() / "layers", *key)) {
        layers.emplace(std::move(*store));
        stores.push_back(&*layers);
      }
    }
  }
  trim_to_limit(stores, limit->bytes);
}

Result<tc::BuildTools> drop_in_tools(const DropInCache& cache) {
  tc::BuildTools tools;
  tools.compiler = SP_TRY(tc::find_compiler());
  tools.cache = cache.build();
  tools.jobs = 1;
  return tools;
}

Result<std::string> answer_query(const DropInInput& input, const tc::BuildTools& tools) {
  const std::string& q = input.command.query;
  const Target& t = input.target;
  if (q == "-dumpmachine" || q == "--print-target-triple" || q == "-print-target-triple" ||
      q == "-print-effective-triple") {
    return t.clang_triple() + "\n";
  }
  if (q == "-dumpversion" || q == "-dumpfullversion") {
    return tools.compiler.version + "\n";
  }
  if (q == "--version" || q == "-v") {
    return "scratchpack " + std::string(input.command.cxx ? "c++" : "cc") + " (clang version " +
           tools.compiler.version + ", lld in-process, static only)\nTarget: " + t.clang_triple() +
           "\nThread model: posix\nInstalledDir: " + tools.compiler.clang.parent_path().string() +
           "\n";
  }
  if (q == "-Wl,--version") {
    return "LLD " + tools.compiler.version + " (compatible with GNU linkers)\n";
  }
  if (q == "-print-multiarch") {
    return (t.libc == Libc::musl ? t.musl_triple() : t.gnu_triple()) + "\n";
  }
  if (q == "-print-multi-os-directory") {
    return std::string("../lib\n");
  }
  if (q == "-print-multi-directory" || q == "-print-multi-lib") {
    return std::string(q == "-print-multi-lib" ? ".;\n" : ".\n");
  }
  if (q.starts_with("-print-prog-name=")) {
    return q.substr(17) + "\n";
  }
  tc::Sysroot sysroot = SP_TRY(tc::find_sysroot(t, tools.search));
  std::vector<fs::path> lib_dirs = {sysroot.crt_dir, sysroot.gcc_dir, sysroot.cxx_lib_dir};
  if (q == "-print-sysroot") {
    return sysroot.root.string() + "\n";
  }
  if (q == "-print-libgcc-file-name" || q == "--print-libgcc-file-name") {
    return (sysroot.gcc_dir / "libgcc.a").string() + "\n";
  }
  if (q.starts_with("-print-file-name=") || q.starts_with("--print-file-name=")) {
    return find_in(lib_dirs, q.substr(q.find('=') + 1)) + "\n";
  }
  if (q == "-print-search-dirs" || q == "--print-search-dirs") {
    std::vector<std::string> dirs;
    for (const fs::path& d : lib_dirs) {
      if (!d.empty()) {
        dirs.push_back(d.string());
      }
    }
    return "install: " + tools.compiler.resource_dir.string() +
           "\nprograms: =" + tools.compiler.clang.parent_path().string() +
           "\nlibraries: =" + join(dirs, ":") + "\n";
  }
  return failure(q, "not a query scratchpack answers",
                 "it answers -dumpmachine, -dumpversion, --version, -print-file-name=, "
                 "-print-search-dirs, -print-libgcc-file-name, -print-multiarch, "
                 "-print-sysroot and -print-prog-name=");
}

Result<DropInResult> run_drop_in(const DropInInput& input, const tc::BuildTools& tools,
                                 Events& events) {
  const tc::DriverCommand& cmd = input.command;
  DropInResult result;
  tc::Sysroot sysroot = SP_TRY(sysroot_for(input, tools, events));

  tc::CompileOptions options;
  options.profile = input.profile;
  options.prefix_map_from = input.cwd;
  options.extra_flags = cmd.compile_flags;
  if (cmd.verbose) {
    options.extra_flags.push_back("-v");
  }

  // Inputs that are not sources go to the link: each must exist (as gcc and clang say), and
  // without a link they are unused (as they warn).
  for (const DriverInput& in : cmd.inputs) {
    if (in.kind != DriverInput::Kind::object) {
      continue;
    }
    std::error_code ec;
    if (!fs::exists(in.value, ec)) {
      return failure(in.value, "no such file or directory");
    }
    if (cmd.action != DriverAction::link) {
      events.tool_output("warning: " + in.value +
                         ": linker input file unused because linking not done\n");
    }
  }
  // Objects of a compile-and-link live in a private directory; a plain compile (-c, one per
  // translation unit under a build system) needs none: its depfile is a temporary beside the
  // object, which spares the system's temporary directory a create and a remove per unit.
  std::unique_ptr<TempDir> work;
  auto work_dir = [&work]() -> const fs::path& {
    if (!work) {
      work = std::make_unique<TempDir>("scratchpack-cc");
    }
    return work->path();
  };
  std::vector<std::string> objects_of_sources; // per input index; empty for non-sources
  objects_of_sources.resize(cmd.inputs.size());
  for (size_t i = 0; i < cmd.inputs.size(); ++i) {
    const DriverInput& in = cmd.inputs[i];
    if (in.kind != DriverInput::Kind::source) {
      continue;
    }
    tc::CompileJob job;
    std::optional<TempFile> depfile_slot; // clang writes it; removed when this unit is done
    job.source = in.value;
    job.language = in.language.starts_with("c++") ? Language::cxx : Language::c;
    if (in.language != "c" && in.language != "c++") {
      job.x_language = in.language;
    }
    std::string output;
    switch (cmd.action) {
    case DriverAction::compile:
      job.action = tc::CompileAction::object;
      output = !cmd.output.empty() ? cmd.output : output_for(in.value, ".o");
      job.object = output;
      break;
    case DriverAction::assemble:
      job.action = tc::CompileAction::assembly;
      output = !cmd.output.empty() ? cmd.output : output_for(in.value, ".s");
      job.object = output;
      break;
    case DriverAction::preprocess:
      job.action = tc::CompileAction::preprocess;
      job.object = cmd.output; // empty: stdout
      break;
    default:
      job.action = tc::CompileAction::object;
      job.object = work_dir() / (std::to_string(i) + "-" + output_for(in.value, ".o"));
      output = job.object.string();
      break;
    }
    if (job.action == tc::CompileAction::object) {
      // scratchpack's own depfile: the cache lists the headers a hit must check.
      if (cmd.action == DriverAction::link) {
        job.depfile = work_dir() / (std::to_string(i) + ".d");
      } else {
        fs::path dir = job.object.parent_path().empty() ? fs::path(".") : job.object.parent_path();
        depfile_slot.emplace(
            SP_TRY(TempFile::create(dir, job.object.filename().string() + ".dep")));
        job.depfile = depfile_slot->path();
      }
    }
    result.commands.push_back(
        tc::compile_command(tools.compiler, input.target, sysroot, options, job));
    tc::UnitResult unit;
    if (job.action == tc::CompileAction::object && in.value != "-") {
      unit = SP_TRY(tc::compile_unit(tools, sysroot, options, job, cmd.depfile.wanted));
    } else {
      // Preprocessed text, assembly, or a source on stdin: clang talks to our stdin and stdout.
      ProcessOptions pass;
      pass.capture_out = false;
      pass.inherit_stdin = true;
      auto run = SP_TRY(run_process(result.commands.back(), pass));
      unit.ok = run.exit_code == 0;
      unit.diagnostics = std::move(run.err);
    }
    if (!unit.diagnostics.empty()) {
      events.tool_output(unit.diagnostics);
    }
    if (!unit.ok) {
      return failure("compilation failed", in.value);
    }
    if (cmd.depfile.wanted && job.action == tc::CompileAction::object &&
        cmd.action == DriverAction::compile) {
      SP_TRY(write_depfile(cmd, output, unit.deps, sysroot, tools));
    }
    objects_of_sources[i] = job.object.string();
  }
  if (cmd.action != DriverAction::link) {
    return result;
  }

  std::string output = cmd.output.empty() ? "a.out" : cmd.output;
  fs::path dir = fs::path(output).parent_path();
  SP_TRY(make_dirs(dir.empty() ? fs::path(".") : dir));
  AtomicPath binary(output);
  tc::LinkOptions link;
  link.output = binary.temp();
  link.profile = input.profile;
  link.cxx = cmd.cxx;
  link.lib_dirs = cmd.lib_dirs;
  link.extra_args = cmd.link_flags;
  for (size_t i = 0; i < cmd.inputs.size(); ++i) {
    const DriverInput& in = cmd.inputs[i];
    switch (in.kind) {
    case DriverInput::Kind::source:
      link.inputs.push_back(objects_of_sources[i]);
      break;
    case DriverInput::Kind::object:
      link.inputs.push_back(in.value);
      break;
    case DriverInput::Kind::library:
      if (!runtime_library(in.value, link.cxx)) {
        link.inputs.push_back("-l" + in.value);
      }
      break;
    case DriverInput::Kind::linker_flag:
      link.inputs.push_back(in.value);
      break;
    }
  }
  if (link.cxx && !sysroot.has_cxx()) {
    sysroot = SP_TRY(tools.cxx_runtime(sysroot, {}, tools.search));
  }
  std::vector<std::string> argv = tc::link_line(input.target, sysroot, link);
  result.commands.push_back(argv);
  // For the gate, lld says which input pulled each trap in (as build does); the command shown
  // leaves it out.
  std::optional<TempFile> why;
  if (input.scan) {
    why.emplace(SP_TRY(TempFile::create(dir.empty() ? fs::path(".") : dir, "why-extract")));
    argv.insert(argv.begin() + 1, "--why-extract=" + why->path().string());
  }
  auto linked = SP_TRY(tools.link(argv));
  if (!linked.ok) {
    return failure("link failed", output).with_details(linked.diagnostics);
  }
  if (!linked.diagnostics.empty()) {
    events.tool_output(linked.diagnostics);
  }
  if (input.scan) {
    auto data = SP_TRY(read_file(binary.temp()));
    std::map<std::string, std::string> sources;
    for (size_t i = 0; i < cmd.inputs.size(); ++i) {
      if (!objects_of_sources[i].empty()) {
        sources.emplace(objects_of_sources[i], cmd.inputs[i].value);
      }
    }
    GateItem item{binary.temp(),
                  output,
                  sha256_hex(data),
                  input.target.platform(),
                  read_file(why->path()).value_or(""),
                  std::move(sources)};
    SP_TRY(gate_binaries({item}, false, tools.cache, "written", events));
  }
  if (cmd.strip || (tc::strips(input.profile) && !input.keep_symbols)) {
    // In place: llvm-objcopy writes its output beside the input and renames it over.
    std::vector<std::string> strip =
        tc::strip_command(tools.compiler.objcopy, binary.temp(), binary.temp());
    result.commands.push_back(strip);
    auto out = SP_TRY(tools.strip(strip));
    if (!out.ok) {
      return failure("strip failed", output).with_details(out.diagnostics);
    }
  }
  ::chmod(binary.temp().c_str(), 0755);
  SP_TRY(binary.commit());
  return result;
}

Result<tc::ToolchainSetup> toolchain_setup(const Target& target, Profile profile,
                                           const tc::SysrootSearch& search) {
  tc::ToolchainSetup setup;
  setup.target = target;
  setup.profile = profile;
  std::error_code ec;
  setup.scratchpack = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return io_error("/proc/self/exe", "cannot tell where scratchpack is: " + ec.message());
  }
  fs::path lean = setup.scratchpack.parent_path() / "scratchpack-cc";
  setup.compiler = is_executable_file(lean) ? lean : setup.scratchpack;
  setup.tool_dir = xdg_path("SCRATCHPACK_TOOL_DIR", "XDG_DATA_HOME", ".local/share", "bin");
  SP_TRY(make_dirs(setup.tool_dir));
  for (const char* name : {"cc", "c++", "ar", "ranlib", "nm", "strip", "objcopy", "pkg-config"}) {
    fs::path link = setup.tool_dir / (std::string("scratchpack-") + name);
    bool compiler = std::string_view(name) == "cc" || std::string_view(name) == "c++";
    fs::path to = compiler ? setup.compiler : setup.scratchpack;
    if (fs::read_symlink(link, ec) == to) {
      continue;
    }
    // A new link under a temporary name, renamed over whatever was there: never half made.
    fs::path tmp = setup.tool_dir /
                   ("." + link.filename().string() + "." + std::to_string(::getpid()) + ".link00");
    fs::remove(tmp, ec);
    fs::create_symlink(to, tmp, ec);
    if (ec || ::rename(tmp.c_str(), link.c_str()) != 0) {
      fs::remove(tmp, ec);
      return io_error(link.string(), "cannot make the multi-call link");
    }
  }
  tc::Sysroot sysroot = SP_TRY(tc::find_sysroot(target, search));
  setup.sysroot = sysroot.root;
  if (auto overlay = tc::find_overlay(target, search)) {
    setup.overlay = overlay->root;
  }
  if (!target.is_host()) {
    setup.emulator = fs::path("/usr/bin") / target.qemu();
  }
  return setup;
}

Result<fs::path> installed_cmake_file(const tc::ToolchainSetup& setup) {
  fs::path file =
      xdg_path("SCRATCHPACK_TOOLCHAINS", "XDG_DATA_HOME", ".local/share", "toolchains") /
      (setup.target.name() + "-" + std::string(to_string(setup.profile)) + ".cmake");
  std::string text = tc::cmake_toolchain_file(setup);
  if (auto now = read_file(file); now && *now == text) {
    return file;
  }
  SP_TRY(make_dirs(file.parent_path()));
  SP_TRY(write_file_atomic(file, text));
  return file;
}

} // namespace sp::pipeline
