// What `sbom` and `verify` read: the documents attached to a binary (its SBOM files beside it,
// named by its package note), an image archive or layout (its referrers), a release's dist/ (its
// provenance.json) or an image in a registry (its referrers there).
#pragma once

#include "cli/push_flags.h"
#include "util/result.h"

#include <istream>
#include <string>
#include <vector>

namespace sp::cli {

/// What a SOURCE argument names.
enum class SourceKind { binary, layout, dist, registry };

/// One document.
struct Attached {
  std::string kind; ///< "spdx", "cyclonedx" or "provenance"
  std::string document;
};

struct AttachedDocuments {
  SourceKind kind = SourceKind::layout;
  std::vector<Attached> documents;
  std::string digest; ///< an image's root digest (layout, registry), "sha256:…"
};

/// The command line as provenance records it: `args` without the options that never change what
/// is made — output places, verbosity, parallelism, the cache, the registry connection, signing —
/// nor `also_unrecorded`. `takes_value` names the command's own options that take a value (the
/// shared ones are known).
std::vector<std::string> recorded_command(const std::vector<std::string>& args,
                                          const std::vector<std::string>& also_unrecorded,
                                          std::vector<std::string> takes_value);

/// Reads the documents attached to `source`. A binary's SPDX document must be the one its
/// package note names (by sha256). `registry` and `in` serve a registry reference.
Result<AttachedDocuments> attached_documents(const std::string& source, const PushFlags& registry,
                                             std::istream* in);

/// The document of `kind` among `docs`, or an error naming `source` and what it has.
Result<std::string> pick_document(const AttachedDocuments& docs, const std::string& kind,
                                  const std::string& source);

} // namespace sp::cli
