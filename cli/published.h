// What build and package made — binaries, the image per platform, the file written, the push —
// filled in step by step, and its printing: a line per thing made, or the --json document
// (docs/build.schema.json, docs/package.schema.json), which also says what was made before a
// later step failed.
#pragma once

#include "cli/cli.h"
#include "cli/json_output.h"
#include "pipeline/build.h"
#include "pipeline/image.h"
#include "pipeline/push.h"

#include <optional>
#include <string>
#include <vector>

namespace sp::cli {

struct Published {
  Profile profile = Profile::release;          ///< the binaries' (build only)
  std::vector<pipeline::BuiltBinary> binaries; ///< build only
  std::vector<packager::Image> images;         ///< one per platform, once built
  pipeline::Delivered delivered;               ///< the file written, the push
};

/// {"schema", ["binaries",] "images", "push"}: `binaries` [{name, target, platform, profile,
/// path, size, sha256}] for build; `images` [{name, tags, reference, digest, media_type,
/// platforms: [{platform, [target,] digest}], outputs: [{path, format}], pushed}], empty until
/// the image is written; `push` the registry's answer or null. print_json adds `error`.
Json published_json(std::string_view schema, const pipeline::ImagePlan& plan,
                    const Published& published);

/// Prints what was made — a line per binary, the image (`PATH REF@DIGEST`) and the pushed
/// reference, or with `json` the document under `schema` — and the error that stopped the
/// command, if any. Returns the exit code.
int print_outcome(Io& io, bool json, std::string_view schema, const pipeline::ImagePlan& plan,
                  const Published& published, const Error* error);

} // namespace sp::cli
