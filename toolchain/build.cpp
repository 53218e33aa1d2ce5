#include "toolchain/build.h"

#include "util/parallel.h"
#include "util/strings.h"

namespace sp::toolchain {

namespace {

Status check_sources(const BuildRequest& request, bool& any_cxx) {
  if (request.sources.empty()) {
    return usage_error("build", "no source files given");
  }
  for (const fs::path& src : request.sources) {
    auto lang = language_of(src);
    if (!lang) {
      return lang.take_error();
    }
    std::error_code ec;
    if (!fs::is_regular_file(src, ec)) {
      return io_error(src.string(), fs::exists(src, ec) ? "not a regular file"
                                                          : "no such file");
    }
    any_cxx = any_cxx || *lang == Language::cxx;
  }
  return {};
}

/// Compiles every source into `objdir`; returns the objects in source order.
Result<std::vector<fs::path>> compile_all(const Compiler& compiler, const Sysroot& sysroot,
                                          const BuildRequest& request, const fs::path& objdir,
                                          std::string& diagnostics) {
  size_t n = request.sources.size();
  std::vector<CompileJob> jobs(n);
  std::vector<Result<CompileOutput>> results(n, CompileOutput{});
  for (size_t i = 0; i < n; ++i) {
    jobs[i].source = request.sources[i];
    jobs[i].object = objdir / (std::to_string(i) + "-" + request.sources[i].stem().string() + ".o");
    jobs[i].language = *language_of(request.sources[i]);
  }
  parallel_for(n, request.jobs, [&](size_t i) {
    results[i] = run_compile(
        compile_command(compiler, request.target, sysroot, request.compile, jobs[i]));
  });
  std::vector<std::string> failed;
  std::vector<fs::path> objects;
  for (size_t i = 0; i < n; ++i) {
    if (!results[i]) {
      return results[i].take_error();
    }
    diagnostics += results[i]->diagnostics;
    if (!results[i]->ok) {
      failed.push_back(request.sources[i].string());
    }
    objects.push_back(jobs[i].object);
  }
  if (!failed.empty()) {
    Error e = failure("compilation failed", join(failed, ", "));
    e.details = diagnostics;
    return e;
  }
  return objects;
}

} // namespace

Result<BuildOutput> build_binary(const Compiler& compiler, const Sysroot& sysroot,
                                 const BuildRequest& request) {
  bool cxx = false;
  if (Status s = check_sources(request, cxx); !s) {
    return s.take_error();
  }
  if (cxx && !sysroot.has_cxx()) {
    std::string why = request.target.libc == Libc::musl
                          ? "C++ on musl needs libc++, which scratchpack does not build yet"
                          : "the sysroot has no libstdc++.a";
    return failure("cannot build C++ for " + request.target.name(), why,
                   request.target.libc == Libc::musl
                       ? "use --libc glibc for C++ programs, or write the program in C"
                       : "run '" + install_command(request.target) + "'");
  }
  BuildOutput out;
  TempDir objdir("scratchpack-objs");
  auto objects = compile_all(compiler, sysroot, request, objdir.path(), out.diagnostics);
  if (!objects) {
    return objects.take_error();
  }
  out.compiled = objects->size();

  if (Status s = make_dirs(request.output.parent_path().empty() ? "." : request.output.parent_path());
      !s) {
    return s.take_error();
  }
  AtomicPath binary(request.output);
  LinkOptions link;
  link.output = binary.temp();
  link.objects = *objects;
  link.lib_dirs = request.lib_dirs;
  link.libs = request.libs;
  link.cxx = cxx;
  link.profile = request.compile.profile;
  out.link_argv = link_line(request.target, sysroot, link);
  auto linked = run_link(out.link_argv);
  if (!linked) {
    return linked.take_error();
  }
  if (!linked->ok) {
    Error e = failure("link failed", request.output.filename().string());
    e.details = linked->diagnostics;
    return e;
  }
  out.diagnostics += linked->diagnostics;
  if (Status s = binary.commit(); !s) {
    return s.take_error();
  }
  // The link line names the temporary; show the final name to whoever prints it.
  for (std::string& arg : out.link_argv) {
    if (arg == binary.temp().string()) {
      arg = request.output.string();
    }
  }
  out.binary = request.output;
  return out;
}

} // namespace sp::toolchain
