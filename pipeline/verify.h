// `verify`'s comparisons: what was given (a release's dist/, an image archive or layout) against
// what a rebuild from its provenance made, item by item — each file, and inside an image each
// index, manifest, config and layer by its place ("layer 1 of linux/amd64"). The given side is
// read as hostile input: every blob is re-hashed, so one changed byte is found even where the
// names and sums around it were left alone.
#pragma once

#include "util/fs.h"
#include "util/result.h"

#include <string>
#include <vector>

namespace sp::pipeline {

/// One thing that is not the same.
struct Difference {
  std::string what; ///< "x86_64-glibc/hello", "hello.tar: layer 1 of linux/amd64"
  std::string why;  ///< "sha256:ab… here, sha256:cd… rebuilt"
};

/// Whether `arguments` (a provenance's, read from an archive or a registry: anyone's) may be run
/// again by verify: `build` or `release`, and nothing that sends, loads, signs or writes outside
/// the rebuild's own directory (--push, --load, --sign-key, credentials, --out…), which a forged
/// statement could use to make verify push this machine's files somewhere.
Status check_replayable(const std::vector<std::string>& arguments);

/// Compares two image layouts (archives or directories): their roots, then each item below.
/// Fails only when the rebuilt one cannot be read.
Result<std::vector<Difference>> compare_images(const fs::path& given, const fs::path& rebuilt);

/// Compares a release's dist/ with a rebuilt one: every file the rebuilt SHA256SUMS lists is
/// hashed again on the given side (and image archives that differ are compared item by item);
/// files only one side has are differences too.
Result<std::vector<Difference>> compare_dists(const fs::path& given, const fs::path& rebuilt);

} // namespace sp::pipeline
