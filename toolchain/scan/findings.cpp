#include "toolchain/scan/findings.h"

#include <algorithm>
#include <stdexcept>

namespace sp::scan {

namespace {

constexpr std::string_view k_link_static =
    "link statically (scratchpack build does, with --libc glibc or musl), or ship the loader and "
    "every library it needs";
constexpr std::string_view k_rebuild = "rebuild the file, or copy it again from a good source";
constexpr std::string_view k_retarget =
    "build for the image's platform (scratchpack build --target x86_64|aarch64|armv7), or scan "
    "with the --platform the image is meant for";

} // namespace

const std::vector<CodeInfo>& finding_catalog() {
  static const std::vector<CodeInfo> k_catalog = {
      {"file.missing", Severity::error, "check the path"},
      {"file.unreadable", Severity::error, "scan a regular file that scratchpack can read"},
      {"elf.truncated", Severity::error, k_rebuild},
      {"elf.malformed", Severity::error, k_rebuild},
      {"dynamic.interp", Severity::error, k_link_static},
      {"dynamic.needed", Severity::error, k_link_static},
      {"dynamic.rpath", Severity::error, "link statically and drop -rpath from the link line"},
      {"dynamic.runpath", Severity::error, "link statically and drop -rpath from the link line"},
      {"dynamic.non-pie-dynamic", Severity::error,
       "link with -static (no dynamic section) or -static-pie"},
      {"platform.arch", Severity::error, k_retarget},
      {"platform.class", Severity::error, k_retarget},
      {"platform.endian", Severity::error, k_retarget},
      {"platform.osabi", Severity::error, "build for Linux (a *-linux-gnu or *-linux-musl target)"},
      {"platform.float-abi", Severity::error,
       "build for the hard-float ABI of linux/arm/v7 (scratchpack build --target armv7, i.e. "
       "arm-linux-gnueabihf)"},
      {"glibc.nss", Severity::warning,
       "add the files the lookups read (--nonroot adds /etc/passwd and /etc/group, --add "
       "SRC:DEST any other) and name only files and dns in an /etc/nsswitch.conf, or build with "
       "--libc musl, which reads the same files without NSS"},
      {"glibc.dlopen", Severity::warning,
       "build with --libc musl and link plugins statically, or ship the shared objects together "
       "with the glibc they were built against"},
      {"glibc.iconv", Severity::warning,
       "build with --libc musl (its converters are built in), or ship the gconv modules of the "
       "same glibc and set GCONV_PATH"},
      {"glibc.static-trap", Severity::warning,
       "build with --libc musl, or ship the shared libraries of the same glibc"},
      {"glibc.link-warning", Severity::warning, "replace the call: glibc deprecates it"},
      {"elf.exec-stack", Severity::warning,
       "link with -z noexecstack, or add .note.GNU-stack to the assembly file that lacks it"},
      {"entrypoint.missing", Severity::error, "add the file to the image, or fix the entrypoint"},
      {"entrypoint.not-executable", Severity::error,
       "give it an executable bit (chmod +x, or --add SRC:DEST:0755)"},
      {"entrypoint.script-interpreter-missing", Severity::error,
       "use a static binary as the entrypoint, or add the interpreter to the image"},
      {"entrypoint.not-elf", Severity::error,
       "use a static ELF executable, or a script with a #! line naming an interpreter in the "
       "image"},
      {"info.static", Severity::info, ""},
      {"info.static-pie", Severity::info, ""},
      {"info.shared-object", Severity::info, ""},
      {"info.object-file", Severity::info, ""},
      {"info.stripped", Severity::info, ""},
      {"info.not-stripped", Severity::info, ""},
      {"info.tls", Severity::info, ""},
      {"info.package-note", Severity::info, ""},
      {"info.script", Severity::info, ""},
      {"info.not-elf", Severity::info, ""},
      {"info.entrypoint", Severity::info, ""},
  };
  return k_catalog;
}

Finding make_finding(std::string_view code, std::string message, const ScanOptions& options,
                     std::string hint) {
  const std::vector<CodeInfo>& catalog = finding_catalog();
  auto it = std::find_if(catalog.begin(), catalog.end(),
                         [&](const CodeInfo& c) { return c.code == code; });
  if (it == catalog.end()) {
    // A programming error: every emitted code must be documented.
    throw std::logic_error("finding code not in the catalogue: " + std::string(code));
  }
  Finding f{std::string(code), it->severity, std::move(message),
            hint.empty() ? std::string(it->hint) : std::move(hint)};
  if (options.strict && f.severity == Severity::warning) {
    f.severity = Severity::error;
  }
  return f;
}

} // namespace sp::scan
