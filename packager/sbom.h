// SBOMs: SPDX 2.3 JSON and CycloneDX 1.5 JSON, from bills of materials (util/bom.h) that the link
// itself produced. Two shapes: a binary's document (the binary, what it was compiled from, and
// each package it statically links, with the exact archive members), and an image's (a CONTAINER
// package holding its binaries, each linking its packages). Deterministic bytes: fixed key
// order, sorted lists, identifiers derived from the contents, and no time but the one given
// (SOURCE_DATE_EPOCH, or 0).
#pragma once

#include "util/bom.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sp::packager {

/// One binary as an image holds it.
struct ImageBinary {
  bom::Binary bom;
  std::string path;   ///< where the image has it ("/hello")
  std::string sha256; ///< of the file in the image (stripped or not)
};

/// A file of the image that is not a linked binary (the init, CA certificates…).
struct ImageExtra {
  std::string path;
  std::string sha256;
  std::string supplier; ///< "scratchpack 0.1.0" for the init; empty: none known
};

/// One platform's image.
struct ImagePlatform {
  std::string platform;        ///< "linux/amd64"
  std::string manifest_digest; ///< "sha256:…"
  std::vector<ImageBinary> binaries;
  std::vector<ImageExtra> extras;
};

/// What an image's SBOM describes.
struct ImageSubject {
  std::string repository;  ///< "registry.example.com/acme/hello"
  std::string tag;         ///< "1.0"
  std::string root_digest; ///< of the manifest or index the SBOM is attached to
  std::vector<ImagePlatform> platforms;
};

struct SbomOptions {
  std::string tool = "scratchpack"; ///< "scratchpack-0.1.0": SPDX's creator, CycloneDX's tool
  int64_t created = 0;              ///< seconds since the epoch (SOURCE_DATE_EPOCH)
};

/// The SPDX 2.3 document of one binary (it does not hold the binary's own digest: the binary
/// carries this document's in its package note).
std::string binary_spdx(const bom::Binary& binary, const SbomOptions& options);
/// The CycloneDX 1.5 document of one binary.
std::string binary_cyclonedx(const bom::Binary& binary, const SbomOptions& options);

/// The SPDX 2.3 document of an image.
std::string image_spdx(const ImageSubject& image, const SbomOptions& options);
/// The CycloneDX 1.5 document of an image.
std::string image_cyclonedx(const ImageSubject& image, const SbomOptions& options);

/// A digest of everything a binary's (or an image's) documents say, for keeping them: the same
/// fingerprint and options make the same documents.
std::string sbom_fingerprint(const bom::Binary& binary);
std::string sbom_fingerprint(const ImageSubject& image);

/// Media types of the documents, as artifact types of the manifests that attach them.
inline constexpr const char* k_spdx_media_type = "application/spdx+json";
inline constexpr const char* k_cyclonedx_media_type = "application/vnd.cyclonedx+json";
inline constexpr const char* k_in_toto_media_type = "application/vnd.in-toto+json";

/// pkg:oci/NAME@sha256:…?repository_url=…&tag=… for an image (purl's oci type: NAME is the
/// repository's last component).
std::string oci_purl(const std::string& repository, const std::string& digest,
                     const std::string& tag = {});

} // namespace sp::packager
