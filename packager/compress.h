// Layer compression that scales over cores and still gives the same bytes on any machine with
// any thread count: the stream is cut into fixed-size chunks (never by timing), each compressed
// on a worker, and the results are emitted in order.
#pragma once

#include "util/result.h"
#include "util/vocabulary.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace sp::packager {

/// gzip levels 1–9 are libdeflate's levels 1–9 (libdeflate is linked statically, so its
/// version is scratchpack's). Its output depends on the version, the level and the input only,
/// never on the CPU (docs/image-format.md). Default 1: the fastest, and still smaller than
/// ISA-L's level 2 that it replaced.
inline constexpr int k_default_gzip_level = 1;
/// zstd level 1: about twice as fast as level 3 and still smaller than gzip level 2 (85 vs
/// 90 MB on the 247 MB benchmark payload); level 3 cannot meet "zstd ≤ 0.5× umoci" on 2 cores.
inline constexpr int k_default_zstd_level = 1;
/// Size of the independent gzip chunks (and the unit of parallel work). Fixed: it decides bytes.
inline constexpr size_t k_gzip_chunk_size = 1u << 20;

/// The gzip encoder and its version ("libdeflate 1.14"). Another version may make other bytes,
/// so the layer cache keys on it.
std::string_view gzip_encoder();

/// The level used when the caller passes 0; checks the range otherwise (usage error). `none`
/// takes no level: any but 0 is a usage error.
Result<int> resolve_level(Compression c, int level);

/// Where compressed bytes go, in order.
using ByteSink = std::function<Status(const char* data, size_t size)>;

/// A streaming compressor. write() may hand bytes to `sink` (on the caller's thread only).
class StreamCompressor {
public:
  virtual ~StreamCompressor() = default;
  virtual Status write(const char* data, size_t size) = 0;
  /// Flushes everything and ends the stream; the object must not be written to afterwards.
  virtual Status finish() = 0;

  /// `threads` 0 means util's default_jobs(). The output never depends on `threads`.
  static Result<std::unique_ptr<StreamCompressor>> create(Compression c, int level,
                                                          unsigned threads, ByteSink sink);
};

} // namespace sp::packager
