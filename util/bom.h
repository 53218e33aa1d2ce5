// The bill of materials of one statically linked binary, as a value: what the link put into it
// (the user's sources, and each package whose start files or archive members lld took, with the
// exact members), independent of any SBOM format. toolchain/materials.h makes it from the link's
// evidence; packager/sbom.h writes it as SPDX 2.3 and CycloneDX 1.5. It lives in util because both
// stages speak it and neither may include the other.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::bom {

/// A file, or an archive member, with its digests (SPDX wants SHA1 on every file).
struct FileDigest {
  std::string path; ///< "src/hello.cpp", "/usr/lib/x86_64-linux-gnu/libc.a(printf.o)"
  std::string sha256;
  std::string sha1;
};

/// Where a component comes from.
enum class Origin {
  debian,      ///< a Debian package (installed on the host, or unpacked by scratchpack)
  llvm,        ///< a runtime scratchpack built from the LLVM source package (libc++ for musl)
  scratchpack, ///< scratchpack's own code (the PID-1 init)
  file,        ///< an archive or object that no package owns (the user's -L)
};

/// One package (or loose file) that went into the link.
struct Component {
  Origin origin = Origin::file;
  std::string name;    ///< "libc6-dev", "libc++", "scratchpack-init", "libfoo.a"
  std::string version; ///< "2.36-9+deb12u7"; empty when unknown
  std::string arch;    ///< Debian architecture ("amd64", "arm64", "armhf"); empty for file
  std::string purl;    ///< "pkg:deb/debian/libc6-dev@2.36-9%2Bdeb12u7?arch=amd64"; may be empty
  /// key=value facts that fit no field ("source=llvm-toolchain-19 1:19.1.7-1", "build-key=…").
  std::vector<std::string> properties;
  /// Start files taken whole, then the archive members lld extracted, sorted by path.
  std::vector<FileDigest> files;
};

/// One binary.
struct Binary {
  std::string name;                  ///< "hello"
  std::string target;                ///< "x86_64-glibc"
  std::string platform;              ///< "linux/amd64"
  std::string arch;                  ///< its Debian architecture ("amd64")
  std::vector<FileDigest> sources;   ///< what the user's objects were compiled from
  std::vector<Component> components; ///< sorted by (name, version, arch)
};

/// An Origin as the texts below write it ("0"…"3"); nullopt for anything else.
std::optional<Origin> origin_from_text(std::string_view text);

/// `binary` as tab-separated lines, for a cache to keep; empty when a field holds a tab or a
/// newline (then it is not kept).
std::string to_text(const Binary& binary);
/// Reads to_text's lines; nullopt when they are not that.
std::optional<Binary> binary_from_text(std::string_view text);

/// The Package URL of a Debian package: pkg:deb/debian/NAME@VERSION?arch=ARCH, with the version
/// percent-encoded ('+' and ':' are not allowed as is).
std::string deb_purl(const std::string& name, const std::string& version, const std::string& arch);

/// Percent-encodes what a purl component may not hold as is (RFC 3986 unreserved stay).
std::string purl_encode(std::string_view text);

} // namespace sp::bom
