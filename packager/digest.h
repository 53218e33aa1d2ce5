// Content addresses and descriptors: the vocabulary every OCI document is written in. Also the
// one place that turns JSON into bytes, so that every digest is taken over the same serialisation.
#pragma once

#include "util/platform.h"
#include "util/result.h"

#include <compare>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sp::packager {

/// OCI image spec 1.1 media types (and the one Docker name a reader may meet).
namespace media_type {
inline constexpr std::string_view k_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view k_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view k_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view k_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view k_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view k_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view k_layout_header = "application/vnd.oci.layout.header.v1+json";
inline constexpr std::string_view k_empty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view k_docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view k_docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view k_docker_config =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view k_docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
} // namespace media_type

/// Well-known annotation keys (OCI annotations.md).
namespace annotation {
inline constexpr std::string_view k_ref_name = "org.opencontainers.image.ref.name";
inline constexpr std::string_view k_created = "org.opencontainers.image.created";
inline constexpr std::string_view k_title = "org.opencontainers.image.title";
inline constexpr std::string_view k_version = "org.opencontainers.image.version";
inline constexpr std::string_view k_source = "org.opencontainers.image.source";
inline constexpr std::string_view k_revision = "org.opencontainers.image.revision";
/// What containerd and `docker save` (v25+) put beside ref.name: the full image name.
inline constexpr std::string_view k_containerd_name = "io.containerd.image.name";
} // namespace annotation

/// A content address, "sha256:<64 lower-case hex digits>" — the only algorithm images use in
/// practice, and the only one read or written here.
class Digest {
public:
  Digest() = default;
  /// Wraps a hex string produced by our own hashing (not checked).
  static Digest sha256_hex(std::string hex) { return Digest("sha256", std::move(hex)); }
  /// sha256 of `bytes`.
  static Digest of(std::string_view bytes);

  const std::string& algorithm() const { return m_algorithm; }
  const std::string& hex() const { return m_hex; }
  /// "sha256:<hex>", or "" for the empty digest.
  std::string to_string() const;
  bool empty() const { return m_hex.empty(); }

  auto operator<=>(const Digest&) const = default;

private:
  Digest(std::string algorithm, std::string hex)
      : m_algorithm(std::move(algorithm)), m_hex(std::move(hex)) {}
  std::string m_algorithm;
  std::string m_hex;
};

/// Parses "sha256:<64 hex>"; anything else is a failure naming the text.
Result<Digest> parse_digest(std::string_view text);

using Annotations = std::map<std::string, std::string>;

/// An OCI content descriptor: what a blob is, where to find it, how big it must be.
struct Descriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
  std::optional<Platform> platform; ///< set on index entries
  Annotations annotations;
  std::string artifact_type; ///< an artifact manifest's artifactType (OCI 1.1), on index entries

  bool operator==(const Descriptor&) const = default;
};

/// `d` as OCI JSON; platform and annotations appear only when set.
nlohmann::json to_json(const Descriptor& d);
/// `p` as OCI JSON ({"architecture","os"[,"variant"]}).
nlohmann::json to_json(const Platform& p);
/// Reads a descriptor; `where` names the document in errors ("index.json", "manifest sha256:…").
Result<Descriptor> descriptor_from_json(const nlohmann::json& j, std::string_view where);
/// Reads {"architecture","os","variant"?}.
Result<Platform> platform_from_json(const nlohmann::json& j, std::string_view where);

/// The bytes every document is written as: compact, keys sorted (nlohmann's std::map order),
/// UTF-8 as is. Stable across runs and machines, which is what digests need.
std::string canonical_json(const nlohmann::json& j);

/// Parses JSON text; a syntax error becomes a failure naming `where`.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view where);

} // namespace sp::packager
