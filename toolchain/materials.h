// What a link put into a binary, from the link's own evidence: the objects and start files on
// scratchpack's link line, and lld's --why-extract table, which names every archive member lld
// took. Each input is mapped to where it came from — the user's objects to their sources, files
// of the host's Debian packages to the package and its installed version (the dpkg database),
// files of a target-library overlay or a musl sysroot to the .deb scratchpack unpacked there,
// libc++ for musl to the LLVM source it was built from and its build key — with a digest of
// every file and member, for the SBOM (packager/sbom.h).
#pragma once

#include "toolchain/cache.h"
#include "toolchain/sysroot.h"
#include "util/bom.h"
#include "util/fs.h"
#include "util/result.h"
#include "util/target.h"

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sp::toolchain {

/// An archive member named in lld's --why-extract table.
struct ExtractedMember {
  fs::path archive;
  std::string member;
};

/// The archive members the --why-extract table `why_extract` names as extracted, each once, in
/// the table's order ("DIR/libc.a(printf.o)" -> {DIR/libc.a, printf.o}). Pure.
std::vector<ExtractedMember> extracted_members(std::string_view why_extract);

/// Which host package owns a file, by the dpkg database under `host_root` (var/lib/dpkg): its
/// info/*.list files and its status file. Each lookup is remembered; the database is read only
/// for paths not seen yet. Thread-safe.
class DpkgOwners {
public:
  explicit DpkgOwners(fs::path host_root = "/") : m_root(std::move(host_root)) {}

  struct Package {
    std::string name, version, arch; ///< empty name: no package owns the file
  };
  /// The owners of `paths` (absolute paths of the host, without host_root), in order.
  std::vector<Package> owners(const std::vector<std::string>& paths);

private:
  fs::path m_root;
  std::mutex m_mutex;
  std::map<std::string, Package> m_known;
  std::map<std::string, std::pair<std::string, std::string>> m_status; ///< name -> version, arch
  bool m_status_read = false;
};

/// A file of the user's as the documents name it — relative to the working directory when inside
/// it, else by its file name (no absolute build path leaves the machine) — with its sha256 and
/// sha1: a source, a manifest.
Result<bom::FileDigest> file_digest(const fs::path& path);

/// The process's DpkgOwners of `host_root` (one per root, made on first use).
DpkgOwners& host_dpkg(const fs::path& host_root);

/// Everything link_materials needs besides the evidence.
struct MaterialsInput {
  std::string name; ///< the binary's name
  Target target;
  const Sysroot* sysroot = nullptr;
  SysrootSearch search;
  /// The user's objects on the link line, each with the source it was compiled from.
  std::vector<std::pair<fs::path, fs::path>> objects;
  std::vector<std::string> link_argv; ///< the link line (its whole-file inputs: start files)
  std::string why_extract;            ///< lld's --why-extract table of the link
  /// Keeps what is learnt of each input file (its owner, its digests) under its identity, so
  /// the dpkg database and the archives are read once per machine; optional.
  BuildCache* cache = nullptr;
};

/// The key a link's bill of materials is kept under in the build cache: the link's key (its
/// inputs' identities) with this build's working directory and each source's path and sha256
/// (the sources are named in the SBOM; an object does not say which comment its source had).
Result<std::string> materials_key(const std::string& link_key, const MaterialsInput& input);

/// The bill of materials of one link. Fails when an input cannot be read.
Result<bom::Binary> link_materials(const MaterialsInput& input, DpkgOwners& dpkg);

/// The FDO packaging-metadata JSON (systemd.io/ELF_PACKAGE_METADATA) that lld's
/// --package-metadata puts into .note.package: type "scratchpack", name, version, architecture,
/// os, and "sbom": the sha256 of the binary's SPDX document — written as a placeholder of zeros
/// at the link and filled in by stamp_package_note once the document exists (it describes the
/// link's inputs, which are known only after it). Pure.
std::string package_metadata(const std::string& name, const std::string& version,
                             const Target& target);

/// Replaces the placeholder digest in `binary`'s .note.package by `sbom_sha256` (64 hex digits),
/// in place and atomically, and returns the binary's new sha256. A binary without the
/// placeholder (not linked with package_metadata: a test's fake linker) is left as it is.
Result<std::string> stamp_package_note(const fs::path& binary, const std::string& sbom_sha256);

} // namespace sp::toolchain
