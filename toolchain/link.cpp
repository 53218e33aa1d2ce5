#include "toolchain/link.h"

#include "util/process.h"
#include "util/strings.h"

#include <map>

namespace sp::toolchain {

namespace {

/// `table` with each reference or extracted input that is a key of `names` renamed.
std::string rename_inputs(std::string_view table, const std::map<std::string, std::string>& names) {
  std::vector<std::string> lines = split(table, '\n');
  for (std::string& line : lines) {
    std::vector<std::string> fields = split(line, '\t');
    for (size_t i = 0; i < fields.size() && i < 2; ++i) {
      if (auto it = names.find(fields[i]); it != names.end()) {
        fields[i] = it->second;
      }
    }
    line = join(fields, "\t");
  }
  return join(lines, "\n");
}

std::string object_place(size_t i) {
  return "@object:" + std::to_string(i);
}

} // namespace

std::string portable_why_extract(std::string_view table, const std::vector<fs::path>& objects) {
  std::map<std::string, std::string> names;
  for (size_t i = 0; i < objects.size(); ++i) {
    names.emplace(objects[i].string(), object_place(i));
  }
  return rename_inputs(table, names);
}

std::string local_why_extract(std::string_view table, const std::vector<fs::path>& objects) {
  std::map<std::string, std::string> names;
  for (size_t i = 0; i < objects.size(); ++i) {
    names.emplace(object_place(i), objects[i].string());
  }
  return rename_inputs(table, names);
}

std::vector<std::string> link_line(const Target& target, const Sysroot& sysroot,
                                   const LinkOptions& options) {
  const fs::path& crt = sysroot.crt_dir;
  const fs::path& gcc = sysroot.gcc_dir;
  std::vector<std::string> argv = {"ld.lld",  "-m", target.lld_emulation(),
                                   "-static", "-o", options.output.string()};
  // A build id computed from the output's contents: stable across identical builds.
  argv.insert(argv.end(),
              {"--build-id=sha1", "--eh-frame-hdr", "-z", "noexecstack", "-z", "relro"});
  if (options.profile == Profile::size) {
    // Not --strip-all: the scan gate needs the symbol table (the dlopen and iconv checks read
    // it); the size profile strips after the gate (strip_command).
    argv.insert(argv.end(), {"--gc-sections", "--icf=all"});
  } else if (options.profile == Profile::release) {
    argv.push_back("-O1");
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  argv.insert(argv.end(), {(crt / "crt1.o").string(), (crt / "crti.o").string(),
                           (gcc / "crtbeginT.o").string()});
  for (const std::string& dir : options.lib_dirs) {
    argv.push_back("-L" + dir);
  }
  // The target libraries (sysroot add) next, the sysroot's directories last, so user -L
  // directories win for user -l libraries.
  if (!sysroot.overlay_lib_dir.empty()) {
    argv.push_back("-L" + sysroot.overlay_lib_dir.string());
  }
  argv.push_back("-L" + crt.string());
  argv.push_back("-L" + gcc.string());
  for (const fs::path& obj : options.objects) {
    argv.push_back(obj.string());
  }
  argv.insert(argv.end(), options.inputs.begin(), options.inputs.end());
  for (const std::string& lib : options.libs) {
    argv.push_back("-l" + lib);
  }
  if (options.cxx) {
    // libstdc++.a libm.a (glibc), or libc++.a libc++abi.a libunwind.a (musl).
    for (const fs::path& lib : sysroot.cxx_libs) {
      argv.push_back(lib.string());
    }
  }
  // libc and the compiler support libraries refer to each other: one group resolves both ways.
  // libunwind and libgcc_eh define the same _Unwind_* functions, so a C++ link takes one only.
  argv.insert(argv.end(), {"--start-group", (gcc / "libgcc.a").string()});
  if (!(options.cxx && sysroot.cxx_has_unwinder)) {
    argv.push_back((gcc / "libgcc_eh.a").string());
  }
  argv.insert(argv.end(), {(crt / "libc.a").string(), "--end-group"});
  argv.insert(argv.end(), {(gcc / "crtend.o").string(), (crt / "crtn.o").string()});
  return argv;
}

bool strips(Profile profile) {
  return profile == Profile::size;
}

std::vector<std::string> strip_command(const fs::path& objcopy, const fs::path& input,
                                       const fs::path& output) {
  // --strip-all drops the symbol table and every non-allocated section but glibc's
  // .gnu.warning.* (and ARM attributes); lld's own --strip-all would keep .comment too.
  return {objcopy.string(), "--strip-all", input.string(), output.string()};
}

Result<LinkOutput> run_strip(const std::vector<std::string>& argv) {
  if (!is_executable_file(argv.front())) {
    return failure("cannot strip", argv.front() + " is not an executable",
                   "install llvm-19 (scripts/setup.sh does)");
  }
  auto r = SP_TRY(run_process(argv));
  return LinkOutput{r.exit_code == 0, r.out + r.err};
}

} // namespace sp::toolchain
