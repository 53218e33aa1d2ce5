// The dependency scanner: proves that nothing dynamic remains in the files of a FROM-scratch image
// (no loader, no shared libraries, no glibc run-time traps, the right architecture, a runnable
// entrypoint). Core code: it returns reports, the CLI renders them. Finding codes and the JSON
// schema are a stable interface, documented in docs/scan.md.
#pragma once

#include "util/platform.h"
#include "util/result.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::scan {

/// `note` is never the scanner's own: the build gate demotes a glibc trap to it when only the
/// toolchain's C++ runtime reaches the function (pipeline/gate.h), so it neither warns nor fails.
enum class Severity { info, note, warning, error };

/// "info", "note", "warning" or "error".
std::string_view severity_name(Severity severity);

/// One thing the scanner found in a file. `code` is stable (docs/scan.md lists every code).
struct Finding {
  std::string code;
  Severity severity = Severity::info;
  std::string message; ///< what is wrong and what will happen in a scratch image
  std::string hint;    ///< how to fix it; may be empty
  bool operator==(const Finding&) const = default;
};

struct ScanOptions {
  /// Check every ELF against this platform (architecture, class, endianness, float ABI).
  std::optional<sp::Platform> platform;
  /// Every warning becomes an error (glibc static traps, executable stack…).
  bool strict = false;
  /// Threads for scan_paths; 0 = one per hardware thread. One by default: the scan is bound by
  /// open/pread/close in the kernel, and on the 2-core machines measured a second thread made
  /// /usr/bin + /usr/lib slower, not faster (docs/scan.md).
  unsigned jobs = 1;
};

/// Facts about an ELF file, whether or not they are problems.
struct ElfFacts {
  unsigned elf_class = 0;  ///< 32 or 64
  std::string endian;      ///< "little" or "big"
  std::string machine;     ///< "x86-64", "aarch64", "arm", …
  uint16_t e_machine = 0;  ///< the header's number (util/target.h maps it to an architecture)
  std::string type;        ///< "exec", "pie", "shared", "relocatable", "core", "unknown"
  std::string osabi;       ///< "sysv", "gnu", or "osabi-N"
  std::string float_abi;   ///< arm only: "hard", "soft", or empty when unknown/not arm
  bool is_static = false;  ///< no PT_INTERP, no DT_NEEDED
  bool static_pie = false; ///< static and position-independent
  bool stripped = false;   ///< no .symtab
  bool tls = false;        ///< has PT_TLS
  bool exec_stack = false; ///< PT_GNU_STACK asks for an executable stack (or is missing)
  std::string interp;      ///< PT_INTERP, empty when none
  std::vector<std::string> needed;
  std::vector<std::string> rpath;
  std::vector<std::string> runpath;
  std::vector<std::string> glibc_traps; ///< functions behind .gnu.warning.* findings
};

/// The scan of one file.
struct FileReport {
  std::string path;              ///< display path (as given, or "image:/path" for image trees)
  std::string kind;              ///< "elf", "script", "other", "missing", "malformed", "unreadable"
  std::optional<ElfFacts> elf;   ///< for kind "elf"
  std::string interpreter;       ///< for kind "script": the #! program, e.g. "/bin/sh"
  bool entrypoint = false;       ///< the image's entrypoint (argv[0] after symlinks)
  std::vector<Finding> findings; ///< in a fixed order: reader problems, dynamic, platform, glibc…

  size_t count(Severity severity) const;
  /// The finding codes in order, for tests and terse output.
  std::vector<std::string> codes() const;
};

struct ScanReport {
  std::vector<FileReport> files; ///< sorted by path
  size_t skipped = 0;            ///< files looked at and skipped quietly (non-ELF inside a dir)
  std::optional<sp::Platform> platform;
  bool strict = false;

  size_t errors() const;
  size_t warnings() const;
  size_t infos() const;
  /// 0 when there are no errors, else 1 (README.md: a failed scan exits 1).
  int exit_code() const { return errors() == 0 ? 0 : 1; }
};

/// The #! line of a script: the program and its single optional argument (Linux passes the rest
/// of the line as one argument).
struct Shebang {
  std::string program;
  std::string argument;
};

/// Parses a "#!" line at the start of `bytes` as the kernel does (first 256 bytes, spaces and tabs
/// around the program); nullopt when there is none or it names no program.
std::optional<Shebang> parse_shebang(std::string_view bytes);

class ByteSource;
class ElfReader;

/// The FDO packaging-metadata note (systemd.io/ELF_PACKAGE_METADATA: section .note.package,
/// owner "FDO", type 0xcafe1a7e) of an ELF file: its JSON text, or empty when it has none. A
/// note that is not well-formed (sizes, owner, type, control characters) counts as none.
std::string package_note(const ElfReader& reader);

/// Scans bytes from a source that reads on demand (scan_file's file reader, or memory).
FileReport scan_source(std::string path, const ByteSource& source, const ScanOptions& options);

/// Scans bytes already in memory (pure). An ELF is checked fully; a "#!" script records its
/// interpreter; anything else is kind "other".
FileReport scan_bytes(std::string path, std::string_view bytes, const ScanOptions& options);

/// Scans one file on disk (maps it, reads only the parts the checks need); the build gate.
/// A missing or unreadable file gives kind "missing"/"unreadable" with an error finding.
FileReport scan_file(const std::string& path, const ScanOptions& options);

/// Scans files and directories (recursively, without following symlinks inside them; non-ELF
/// files inside directories are skipped quietly and counted). Files named explicitly are always
/// reported. Output is sorted by path. A missing top-level path is an io Error.
Result<ScanReport> scan_paths(const std::vector<std::string>& paths, const ScanOptions& options);

/// One entry of an image's filesystem (the packager builds these from layers).
struct TreeFile {
  enum class Type { file, dir, symlink };
  std::string path; ///< absolute inside the image, e.g. "/hello"
  unsigned mode = 0644;
  Type type = Type::file;
  /// The file's contents, or, when `contents` is set, its first bytes (at least the first 256
  /// when it has that many: enough to tell an ELF file or a #! script).
  std::string data;
  std::string link_target; ///< symlink target, absolute or relative to the link's directory
  /// Opens the whole contents for reading on demand (a file kept on disk); the source lives only
  /// while the file is scanned, so its cache never outlives the scan of one file.
  std::function<std::unique_ptr<ByteSource>()> contents;
};

/// Scans an image's filesystem: every ELF file, then the entrypoint rules for
/// `entrypoint_argv[0]` (must exist after following symlinks inside the tree, be a regular file
/// with an executable bit, and be an ELF or a script whose #! interpreter exists in the tree).
/// A relative argv[0] without '/' is looked up in the standard PATH directories. Paths are shown
/// as display_prefix + path. An empty argv skips the entrypoint rules.
ScanReport scan_tree(const std::vector<TreeFile>& files,
                     const std::vector<std::string>& entrypoint_argv, const ScanOptions& options,
                     const std::string& display_prefix);

} // namespace sp::scan
