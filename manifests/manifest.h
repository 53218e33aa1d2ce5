// scratchpack.yaml as typed structs, and the parser that fills them. docs/manifest.md documents
// every key; this header is the truth it follows.
//
// Parsing reports every problem at once: unknown keys, wrong types, bad names, tags and ports,
// missing files, references to unknown binaries… each as `FILE:LINE:COL: error: KEY.PATH: msg`.
// A Manifest that comes back is resolved: defaults filled in, targets inherited, globs expanded
// to sorted absolute file lists, so consumers need no further logic.
#pragma once

#include "manifests/key_path.h"
#include "util/fs.h"
#include "util/image_values.h"
#include "util/result.h"
#include "util/vocabulary.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sp::manifests {

/// The only manifest version this parser reads.
inline constexpr int k_manifest_version = 1;

/// How an image is written under output.dir. (Profile, Libc and Compression are util's.)
enum class OutputFormat { archive, oci_dir };

/// "archive", "oci-dir".
std::string_view to_string(OutputFormat format);

/// One entry of a `targets` list, as written ("x86_64", "aarch64-musl", "arm-linux-gnueabihf").
/// manifests/ does not know targets; the release command parses `name` with the toolchain.
struct TargetName {
  std::string name; ///< the text as written
  Mark mark;        ///< where it was written (the top-level entry when inherited)

  bool operator==(const TargetName& other) const { return name == other.name; }
};

/// `binaries[i].cmake`: the binary is an executable target of a CMake project.
struct CMakeProject {
  fs::path dir;       ///< absolute, inside the manifest's directory, has CMakeLists.txt
  std::string target; ///< the executable target; default: the binary's name
  std::vector<std::string> options; ///< cache variables "VAR=VALUE" (-D), in the order written
  Mark mark;                        ///< where `cmake` was written
};

/// `binaries[i]`: one static executable built from C/C++ sources, or from a CMake project.
struct Binary {
  /// Output file name; unique among binaries; [A-Za-z0-9][A-Za-z0-9._+-]*.
  std::string name;
  /// `sources` as written: paths and globs relative to the manifest's directory.
  std::vector<std::string> source_patterns;
  /// Resolved: every C/C++ file the patterns name, absolute and lexically normal, sorted by path,
  /// without duplicates. Never empty, unless `cmake` is set (then always empty).
  std::vector<fs::path> sources;
  /// Set instead of `sources`: the project builds the binary (its compile flags are its own:
  /// std, include_dirs, defines, libs and lib_dirs are then refused).
  std::optional<CMakeProject> cmake;
  /// Language standards for -std= of the C sources ("c17", "gnu11") and of the C++ sources
  /// ("c++20", "gnu++17"), from `c_std`, `cxx_std`, or `std` (which sets the one of the
  /// language it names); empty means the compiler default.
  std::string c_std;
  std::string cxx_std;
  /// -I directories, absolute, in the order written; each exists.
  std::vector<fs::path> include_dirs;
  /// -D values, "NAME" or "NAME=VALUE", in the order written.
  std::vector<std::string> defines;
  /// -l names ("z", "pthread"), in the order written.
  std::vector<std::string> libs;
  /// -L directories, absolute, in the order written; each exists.
  std::vector<fs::path> lib_dirs;
  /// `pkg-config`: modules of the target's libraries ("zlib", "libcrypto"), in the order written.
  std::vector<std::string> pkg_config;
  /// `packages`: Debian -dev packages the release adds to each glibc target's libraries first
  /// (`sysroot add`): a list for every target, or a map from a target as written in `targets`
  /// (or "all") to a list.
  std::vector<std::string> packages;
  /// Keyed by the binary's target as written in its `targets` (cross-checked: a key that names
  /// none of them is a problem).
  std::map<std::string, std::vector<std::string>> target_packages;
  std::map<std::string, Mark> target_packages_marks; ///< where each key was written
  /// Optimisation profile; default release.
  Profile profile = Profile::release;
  /// C library; unset means the target's own (glibc unless the target says "-musl").
  std::optional<Libc> libc;
  /// Resolved: the binary's own `targets`, else the top-level list. Never empty.
  std::vector<TargetName> targets;

  std::string key_path;           ///< "binaries[0]", for messages about this binary
  Mark mark;                      ///< start of the list entry
  Mark name_mark;                 ///< where `name` was written
  Mark sources_mark;              ///< where the `sources` list starts
  bool targets_inherited = false; ///< true when `targets` came from the top level
};

/// `images[i].binaries[j]`: a binary placed in an image.
struct ImageBinary {
  std::string name;     ///< a Binary::name of this manifest (checked)
  std::string path;     ///< absolute path in the image; default "/<name>"
  std::string key_path; ///< "images[0].binaries[1]"
  Mark mark;            ///< start of the entry
};

/// `images[i].files[j]`: a file copied from the build machine into the image.
struct ImageFile {
  fs::path src;         ///< absolute, lexically normal; an existing regular file
  std::string dest;     ///< absolute path in the image, normalised, no ".."
  unsigned mode = 0644; ///< permission bits (≤ 07777); default 0644 whatever the source's mode
  FileOwner owner;      ///< numeric uid and gid; default 0:0 (root), also with nonroot: true
  std::string key_path; ///< "images[0].files[0]"
  Mark mark;            ///< start of the entry
};

/// `images[i].expose[j]`: a port the image declares.
struct Port {
  unsigned number = 0;          ///< 1..65535
  std::string protocol = "tcp"; ///< "tcp", "udp" or "sctp"

  /// "8080/tcp", the form OCI configs use.
  std::string to_string() const { return std::to_string(number) + "/" + protocol; }
  bool operator==(const Port&) const = default;
};

/// `images[i]`: one FROM-scratch image; one multi-arch index over its targets.
struct Image {
  /// Repository without tag: "hello", "registry.example.com:5000/acme/hello"; unique.
  std::string name;
  /// Tags, in the order written, unique; default ["latest"].
  std::vector<std::string> tags;
  /// The binaries the image holds; at least one; in-image paths unique.
  std::vector<ImageBinary> binaries;
  /// Exec-form entrypoint. Resolved: when neither entrypoint nor cmd is written and the image
  /// holds one binary, [that binary's path].
  std::vector<std::string> entrypoint;
  /// Exec-form cmd (arguments to the entrypoint, or the program when there is no entrypoint).
  std::vector<std::string> cmd;
  /// Environment, in the order written; keys [A-Za-z_][A-Za-z0-9_]*, unique.
  std::vector<std::pair<std::string, std::string>> env;
  /// "uid", "uid:gid", "nonroot" or "root" (the names need nonroot's /etc/passwd). Resolved:
  /// "65532:65532" when nonroot is on and no user is written; empty means the runtime's (root).
  std::string user;
  /// Absolute working directory; empty means unset ("/").
  std::string workdir;
  /// Exposed ports, in the order written, unique.
  std::vector<Port> expose;
  /// Config labels.
  std::map<std::string, std::string> labels;
  /// Annotations for the image manifest and index.
  std::map<std::string, std::string> annotations;
  /// Stop signal normalised to "SIGTERM" form, or a number "1".."64"; empty means unset.
  std::string stop_signal;
  /// Add the CA bundle at /etc/ssl/certs/ca-certificates.crt; default false.
  bool ca_certificates = false;
  /// Add /usr/share/zoneinfo; default false.
  bool tzdata = false;
  /// Add /etc/passwd and /etc/group with root (0) and nonroot (65532). Resolved: also true when
  /// user is "nonroot". Default false.
  bool nonroot = false;
  /// Run a tiny PID-1 init that forwards signals and reaps zombies; default false.
  bool init = false;
  /// Files copied into the image; dests unique and distinct from binary paths.
  std::vector<ImageFile> files;
  /// Layer compression; default gzip.
  Compression compression = Compression::gzip;
  /// Resolved: the image's own `targets`, else the top-level list; each one is built for every
  /// binary of the image. Never empty.
  std::vector<TargetName> targets;

  std::string key_path;           ///< "images[0]"
  Mark mark;                      ///< start of the list entry
  Mark name_mark;                 ///< where `name` was written
  bool targets_inherited = false; ///< true when `targets` came from the top level
};

/// `output`: where `scratchpack release` writes.
struct Output {
  /// Absolute, lexically normal; default "<manifest dir>/dist".
  fs::path dir;
  /// Image formats, unique, in the order written; default [archive].
  std::vector<OutputFormat> formats;
  /// Push every image to its registry after writing; default false.
  bool push = false;
  Mark mark; ///< start of the `output` map; unknown when absent
};

/// `build`: how a release compiles.
struct BuildSettings {
  /// `build.distribute.hosts`: distcc hosts, DISTCC_HOSTS syntax (a string, or a list of host
  /// entries joined with spaces); checked with ParseHooks::check_distcc_hosts. A manifest may come
  /// from a clone: these hosts receive preprocessed sources only when the command line says
  /// `--distribute` (release notes them otherwise). Empty: none.
  std::string distribute_hosts;
  Mark distribute_mark; ///< where `hosts` was written
};

/// A parsed, validated and resolved scratchpack.yaml.
struct Manifest {
  int version = k_manifest_version; ///< always 1
  /// Project name: [a-z0-9][a-z0-9._-]*, at most 128 characters.
  std::string project;
  /// Default targets of binaries and images, in the order written; default ["x86_64"].
  std::vector<TargetName> targets;
  /// At least one; names unique.
  std::vector<Binary> binaries;
  /// Possibly none; names unique.
  std::vector<Image> images;
  /// Output settings, defaults filled in.
  Output output;
  /// Build settings (`build`); empty when absent.
  BuildSettings build;
  /// The manifest's path as given to the parser (for messages; relative stays relative).
  fs::path file;
  /// Absolute directory every relative path in the manifest is resolved against.
  fs::path base_dir;

  /// The binary named `name`, or nullptr.
  const Binary* find_binary(std::string_view name) const;
  /// A problem about a node of this manifest, located: `FILE:LINE:COL: error: KEY.PATH: msg`.
  Error problem(Mark mark, std::string key_path, std::string message) const;
  /// The problem's line as render() prints it (without the newline).
  std::string diagnostic(Mark mark, std::string_view key_path, std::string_view message) const;
};

/// What manifests/ cannot decide alone, supplied by the caller (the CLI passes the toolchain's).
struct ParseHooks {
  /// Checks one target string: returns why it is bad, or nullopt when it is fine. Unset: every
  /// non-empty string passes.
  std::function<std::optional<std::string>(std::string_view)> check_target;
  /// The key two target strings compare by for duplicates and subsets, so "amd64" and "x86_64"
  /// count as one; only called for targets check_target accepted. Unset: the text itself.
  std::function<std::string(std::string_view)> target_key;
  /// Paths outside the manifest's directory it may name anyway (release --allow-outside): files
  /// and directories at or below them. Everything else a manifest names must be inside its own
  /// directory, symlinks followed, so a manifest from a clone cannot read or write host files.
  std::vector<fs::path> allow_outside;
  /// Told every directory a sources glob read (expand_glob's `observe`): what decides its
  /// matches besides the pattern. Unset: nobody asks.
  std::function<void(const fs::path&)> on_glob_dir;
  /// Checks build.distribute.hosts: returns why it is bad, or nullopt. Unset: any text passes.
  std::function<std::optional<std::string>(std::string_view)> check_distcc_hosts;
};

/// Reads and parses `file`; relative paths in it are resolved against the file's directory.
/// Unreadable file: an io_error (exit 2). Problems in the manifest: one Error whose `what` is
/// the file, `why` "N problems found" and `problems` every problem; exit 2 when each is a file or
/// directory it names that does not exist (a missing input), else 1.
Result<Manifest> load_manifest(const fs::path& file, const ParseHooks& hooks = {});

/// Parses manifest text. `file_for_messages` only names the text in messages and in
/// Manifest::file; `base_dir` is what relative paths are resolved against (made absolute).
/// The filesystem is read (globs, source and file existence) but never written.
Result<Manifest> parse_manifest(std::string_view text, const fs::path& file_for_messages,
                                const fs::path& base_dir, const ParseHooks& hooks = {});

} // namespace sp::manifests
