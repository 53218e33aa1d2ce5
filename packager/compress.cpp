#include "packager/compress.h"

#include "util/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <libdeflate.h>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace sp::packager {

namespace {

// One chunk of the gzip stream. Chunks are independent: libdeflate takes no dictionary, so no
// chunk refers back into the previous one.
struct Chunk {
  std::string input;
  bool last = false;
  std::string output;
  uint32_t crc = 0;
  std::string error;
  bool done = false;
};

// The empty stored block a sync flush writes after its bit-aligned end: BFINAL 0, BTYPE 00,
// padding to the byte, LEN 0, NLEN 0xffff. It leaves the stream open and byte-aligned.
constexpr unsigned char k_stored_len[4] = {0, 0, 0xff, 0xff};

// A worker's deflate: libdeflate's whole-buffer compressor at one level, and a zlib inflater
// that walks the result's blocks to find where the last one starts and where it ends.
class DeflateEngine {
public:
  explicit DeflateEngine(int level)
      : m_compressor(libdeflate_alloc_compressor(level)), m_scratch(k_gzip_chunk_size) {
    m_inflate_ok = inflateInit2(&m_z, -15) == Z_OK;
  }
  ~DeflateEngine() {
    libdeflate_free_compressor(m_compressor);
    if (m_inflate_ok) {
      inflateEnd(&m_z);
    }
  }
  DeflateEngine(const DeflateEngine&) = delete;
  DeflateEngine& operator=(const DeflateEngine&) = delete;

  void compress(Chunk& c) {
    if (!m_compressor || !m_inflate_ok) {
      c.error = "cannot allocate libdeflate's compressor or zlib's inflater";
      return;
    }
    c.output.resize(libdeflate_deflate_compress_bound(m_compressor, c.input.size()) + 1 +
                    sizeof k_stored_len);
    size_t n = libdeflate_deflate_compress(m_compressor, c.input.data(), c.input.size(),
                                           c.output.data(), c.output.size());
    if (n == 0) {
      c.error = "libdeflate's output did not fit its own bound";
      return;
    }
    c.output.resize(n);
    if (!c.last) {
      leave_open(c);
    }
  }

private:
  // Turns a complete raw-deflate stream into the middle of one: the last block's BFINAL bit is
  // cleared and an empty stored block follows it (what zlib's Z_SYNC_FLUSH ends a chunk with),
  // so the next chunk's stream continues it byte-aligned. Where the last block starts and ends
  // is known only by decoding the blocks; zlib's inflate with Z_BLOCK stops at each boundary.
  void leave_open(Chunk& c) {
    auto* data = reinterpret_cast<unsigned char*>(c.output.data());
    if (inflateReset(&m_z) != Z_OK) {
      c.error = "zlib's inflater could not restart";
      return;
    }
    m_z.next_in = data;
    m_z.avail_in = static_cast<uInt>(c.output.size());
    uint64_t last_header = 0; // bit offsets from the start of the chunk's stream
    uint64_t end = 0;
    while (true) {
      m_z.next_out = m_scratch.data();
      m_z.avail_out = static_cast<uInt>(m_scratch.size());
      if (int rc = inflate(&m_z, Z_BLOCK); rc != Z_OK) {
        c.error = "zlib could not decode libdeflate's block (" + std::to_string(rc) + ")";
        return;
      }
      // data_type: bits not used of the last byte read, +64 inside the last block, +128 at a
      // block boundary.
      if ((m_z.data_type & 128) == 0) {
        continue;
      }
      uint64_t at = uint64_t{m_z.total_in} * 8 - static_cast<unsigned>(m_z.data_type & 7);
      if ((m_z.data_type & 64) != 0) {
        end = at;
        break;
      }
      last_header = at;
    }
    if ((end + 7) / 8 != c.output.size()) {
      c.error = "libdeflate's stream does not end where its last block does";
      return;
    }
    data[last_header / 8] &= static_cast<unsigned char>(~(1u << (last_header % 8)));
    unsigned used = end % 8; // bits of the last byte that belong to the stream
    if (used != 0) {
      data[c.output.size() - 1] &= static_cast<unsigned char>((1u << used) - 1);
    }
    if (used == 0 || used > 5) { // the stored block's 3 header bits do not fit in that byte
      c.output.push_back('\0');
    }
    c.output.append(reinterpret_cast<const char*>(k_stored_len), sizeof k_stored_len);
  }

  libdeflate_compressor* m_compressor;
  z_stream m_z{};
  bool m_inflate_ok = false;
  std::vector<unsigned char> m_scratch;
};

void run_chunk(DeflateEngine& engine, Chunk& c) {
  c.crc = libdeflate_crc32(0, c.input.data(), c.input.size());
  engine.compress(c);
}

// One gzip member made of chunks deflated in parallel: each chunk is a raw-deflate stream of
// its own, left open (see leave_open) unless it is the last; the CRCs are combined in order.
class GzipCompressor final : public StreamCompressor {
public:
  GzipCompressor(int level, unsigned threads, ByteSink sink)
      : m_level(level), m_threads(threads), m_sink(std::move(sink)) {
    m_current.reserve(k_gzip_chunk_size);
    if (m_threads <= 1) {
      m_inline_engine = std::make_unique<DeflateEngine>(level);
      return;
    }
    for (unsigned i = 0; i < m_threads; ++i) {
      m_workers.emplace_back([this] { worker(); });
    }
  }

  ~GzipCompressor() override {
    {
      std::lock_guard lock(m_mu);
      m_stop = true;
    }
    m_work_cv.notify_all();
    for (std::thread& t : m_workers) {
      t.join();
    }
  }

  Status write(const char* data, size_t size) override {
    while (size > 0) {
      size_t n = std::min(size, k_gzip_chunk_size - m_current.size());
      m_current.append(data, n);
      data += n;
      size -= n;
      if (m_current.size() == k_gzip_chunk_size) {
        SP_TRY(submit(false));
      }
    }
    return {};
  }

  Status finish() override {
    SP_TRY(submit(true));
    while (!m_inflight.empty()) {
      SP_TRY(emit_front());
    }
    unsigned char trailer[8];
    store_le32(trailer, m_crc);
    store_le32(trailer + 4, static_cast<uint32_t>(m_total)); // ISIZE is the size mod 2^32
    return m_sink(reinterpret_cast<const char*>(trailer), sizeof trailer);
  }

private:
  static void store_le32(unsigned char* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      p[i] = static_cast<unsigned char>(v >> (8 * i));
    }
  }

  Status submit(bool last) {
    auto chunk = std::make_shared<Chunk>();
    chunk->last = last;
    chunk->input.swap(m_current);
    m_current.clear();
    m_current.reserve(k_gzip_chunk_size);
    if (m_inline_engine) {
      run_chunk(*m_inline_engine, *chunk);
      chunk->done = true;
      m_inflight.push_back(chunk);
      return emit_front();
    }
    {
      std::lock_guard lock(m_mu);
      m_queue.push_back(chunk);
    }
    m_work_cv.notify_one();
    m_inflight.push_back(chunk);
    // Bounded memory: at most two chunks per worker are in flight.
    while (m_inflight.size() > 2 * m_threads) {
      SP_TRY(emit_front());
    }
    return {};
  }

  Status emit_front() {
    std::shared_ptr<Chunk> c = m_inflight.front();
    {
      std::unique_lock lock(m_mu);
      m_done_cv.wait(lock, [&] { return c->done; });
    }
    m_inflight.pop_front();
    if (!c->error.empty()) {
      return failure("gzip compression", c->error);
    }
    if (!m_header_written) {
      // Fixed header: no name, mtime 0, no extra flags, OS 255 ("unknown") as Go's gzip does.
      static const unsigned char k_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
      SP_TRY(m_sink(reinterpret_cast<const char*>(k_header), sizeof k_header));
      m_header_written = true;
    }
    m_crc =
        static_cast<uint32_t>(crc32_combine(m_crc, c->crc, static_cast<z_off_t>(c->input.size())));
    m_total += c->input.size();
    return m_sink(c->output.data(), c->output.size());
  }

  void worker() {
    std::unique_ptr<DeflateEngine> engine = std::make_unique<DeflateEngine>(m_level);
    while (true) {
      std::shared_ptr<Chunk> c;
      {
        std::unique_lock lock(m_mu);
        m_work_cv.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_stop) {
          return;
        }
        c = m_queue.front();
        m_queue.pop_front();
      }
      run_chunk(*engine, *c);
      {
        std::lock_guard lock(m_mu);
        c->done = true;
      }
      m_done_cv.notify_all();
    }
  }

  int m_level;
  unsigned m_threads;
  ByteSink m_sink;
  std::string m_current;
  std::deque<std::shared_ptr<Chunk>> m_inflight;
  std::unique_ptr<DeflateEngine> m_inline_engine;
  uint32_t m_crc = 0;
  uint64_t m_total = 0;
  bool m_header_written = false;

  std::mutex m_mu;
  std::condition_variable m_work_cv;
  std::condition_variable m_done_cv;
  std::deque<std::shared_ptr<Chunk>> m_queue;
  bool m_stop = false;
  std::vector<std::thread> m_workers;
};

// zstd's own multithreaded encoder. Its jobs are cut by size, so with nbWorkers >= 1 the frame
// is the same for any worker count; nbWorkers is therefore never 0 (single-threaded mode would
// produce a different frame).
class ZstdCompressor final : public StreamCompressor {
public:
  ZstdCompressor(ZSTD_CCtx* cctx, ByteSink sink)
      : m_cctx(cctx), m_sink(std::move(sink)), m_out(ZSTD_CStreamOutSize()) {}
  ~ZstdCompressor() override { ZSTD_freeCCtx(m_cctx); }

  Status write(const char* data, size_t size) override {
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) {
      if (Result<size_t> r = step(in, ZSTD_e_continue); !r) {
        return r.take_error();
      }
    }
    return {};
  }

  Status finish() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (true) {
      Result<size_t> remaining = step(in, ZSTD_e_end);
      if (!remaining) {
        return remaining.take_error();
      }
      if (*remaining == 0) {
        return {};
      }
    }
  }

private:
  Result<size_t> step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
    size_t rc = ZSTD_compressStream2(m_cctx, &out, &in, mode);
    if (ZSTD_isError(rc)) {
      return failure("zstd compression", ZSTD_getErrorName(rc));
    }
    if (out.pos > 0) {
      SP_TRY(m_sink(m_out.data(), out.pos));
    }
    return rc;
  }

  ZSTD_CCtx* m_cctx;
  ByteSink m_sink;
  std::vector<char> m_out;
};

class PlainCompressor final : public StreamCompressor {
public:
  explicit PlainCompressor(ByteSink sink) : m_sink(std::move(sink)) {}
  Status write(const char* data, size_t size) override { return m_sink(data, size); }
  Status finish() override { return {}; }

private:
  ByteSink m_sink;
};

Result<std::unique_ptr<StreamCompressor>> make_zstd(int level, unsigned threads, ByteSink sink) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (!cctx) {
    return failure("zstd compression", "cannot allocate a context");
  }
  int workers = static_cast<int>(std::max(1u, threads));
  size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (!ZSTD_isError(rc)) {
    rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  }
  if (!ZSTD_isError(rc)) {
    rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, workers);
  }
  if (ZSTD_isError(rc)) {
    ZSTD_freeCCtx(cctx);
    return failure("zstd compression", std::string("libzstd: ") + ZSTD_getErrorName(rc),
                   "libzstd must be built with multithreading support");
  }
  return std::unique_ptr<StreamCompressor>(new ZstdCompressor(cctx, std::move(sink)));
}

} // namespace

std::string_view gzip_encoder() {
  return "libdeflate " LIBDEFLATE_VERSION_STRING;
}

Result<int> resolve_level(Compression c, int level) {
  if (c == Compression::none) {
    if (level != 0) {
      return usage_error("none level " + std::to_string(level),
                         "uncompressed layers have no compression level",
                         "drop the level, or choose gzip or zstd");
    }
    return 0;
  }
  if (level == 0) {
    return c == Compression::gzip ? k_default_gzip_level : k_default_zstd_level;
  }
  int max = c == Compression::gzip ? 9 : ZSTD_maxCLevel();
  if (level < 1 || level > max) {
    return usage_error(std::string(to_string(c)) + " level " + std::to_string(level),
                       "out of range", "use 1.." + std::to_string(max));
  }
  return level;
}

Result<std::unique_ptr<StreamCompressor>>
StreamCompressor::create(Compression c, int level, unsigned threads, ByteSink sink) {
  Result<int> lvl = resolve_level(c, level);
  if (!lvl) {
    return lvl.take_error();
  }
  unsigned n = threads == 0 ? default_jobs() : threads;
  switch (c) {
  case Compression::none:
    return std::unique_ptr<StreamCompressor>(new PlainCompressor(std::move(sink)));
  case Compression::gzip:
    return std::unique_ptr<StreamCompressor>(new GzipCompressor(*lvl, n, std::move(sink)));
  case Compression::zstd:
    return make_zstd(*lvl, n, std::move(sink));
  }
  return failure("compression", "unknown kind");
}

} // namespace sp::packager
