// Provenance: an in-toto Statement v1 with an SLSA Provenance v1 predicate — which command made
// which artifacts from which inputs, with what. Deterministic bytes (sorted keys and lists, no
// time but the one given), so a rebuild that makes the same artifacts makes the same statement;
// `scratchpack verify` reads it back (ProvenanceRecord) to rebuild and compare.
#pragma once

#include "util/bom.h"
#include "util/result.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sp::packager {

/// One artifact the statement is about.
struct ProvenanceSubject {
  std::string name;   ///< "registry.example.com/acme/hello", "x86_64-glibc/hello"
  std::string sha256; ///< hex
};

/// What was run, on what, with what: everything verify needs to run it again.
struct ProvenanceRecord {
  std::string build_type; ///< k_build_type_build or k_build_type_release
  /// The command's arguments after "scratchpack", without those that do not change what is made
  /// (--out, --push, -j…); paths as given, relative to `working_directory`'s meaning: the
  /// directory the command ran in, which is not recorded (no absolute build paths).
  std::vector<std::string> arguments;
  /// Files the command read and their digests: the manifest, the sources, files added.
  std::vector<bom::FileDigest> inputs;
  /// Target packages that went into the binaries (purl, name, version).
  std::vector<bom::Component> packages;
  int64_t source_date_epoch = 0;
  std::string scratchpack_version;
  std::string llvm_version;
  std::vector<ProvenanceSubject> subjects;
};

inline constexpr const char* k_build_type_build = "https://scratchpack.dev/buildtypes/build/v1";
inline constexpr const char* k_build_type_release = "https://scratchpack.dev/buildtypes/release/v1";

/// The statement's JSON.
std::string provenance_statement(const ProvenanceRecord& record);

/// Reads a statement provenance_statement wrote (the fields verify needs: build type, arguments,
/// inputs, SOURCE_DATE_EPOCH, subjects). Anything else is an error naming what is wrong.
Result<ProvenanceRecord> parse_provenance(std::string_view text);

} // namespace sp::packager
