#include "packager/compress.h"

#include "util/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <isa-l/igzip_lib.h>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace sp::packager {

namespace {

constexpr size_t k_window = 32u << 10; // deflate's dictionary: the previous chunk's last 32 KiB

// One chunk of the gzip stream: input plus the dictionary it may refer back to.
struct Chunk {
  std::string input;
  std::string dict;
  bool last = false;
  std::string output;
  uint32_t crc = 0;
  std::string error;
  bool done = false;
};

// Output space that never runs out for deflate of `n` bytes (stored blocks cost 5 bytes per
// 64 KiB); depending only on `n`, it keeps the output independent of anything but the input.
size_t output_bound(size_t n) {
  return n + n / 8 + (64u << 10);
}

// A raw-deflate engine a worker owns and reuses for its chunks.
class DeflateEngine {
public:
  virtual ~DeflateEngine() = default;
  virtual void compress(Chunk& c) = 0;
};

class IsalEngine final : public DeflateEngine {
public:
  explicit IsalEngine(int level) : m_level(level), m_level_buf(level_buf_size(level)) {
    m_stream = std::make_unique<isal_zstream>();
  }

  void compress(Chunk& c) override {
    isal_zstream& s = *m_stream;
    isal_deflate_init(&s);
    s.level = static_cast<uint32_t>(m_level);
    s.level_buf = m_level_buf.data();
    s.level_buf_size = static_cast<uint32_t>(m_level_buf.size());
    s.flush = SYNC_FLUSH; // byte-aligned, non-final end: the next chunk can follow directly
    s.end_of_stream = c.last ? 1 : 0;
    if (!c.dict.empty() && isal_deflate_set_dict(&s, reinterpret_cast<uint8_t*>(c.dict.data()),
                                                 static_cast<uint32_t>(c.dict.size())) != COMP_OK) {
      c.error = "igzip rejected the dictionary";
      return;
    }
    c.output.resize(output_bound(c.input.size()));
    s.next_in = reinterpret_cast<uint8_t*>(c.input.data());
    s.avail_in = static_cast<uint32_t>(c.input.size());
    s.next_out = reinterpret_cast<uint8_t*>(c.output.data());
    s.avail_out = static_cast<uint32_t>(c.output.size());
    int rc = isal_deflate(&s);
    bool complete =
        s.avail_in == 0 && s.avail_out > 0 && (!c.last || s.internal_state.state == ZSTATE_END);
    if (rc != COMP_OK || !complete) {
      c.error = "igzip failed (" + std::to_string(rc) + ")";
      return;
    }
    c.output.resize(c.output.size() - s.avail_out);
  }

private:
  static size_t level_buf_size(int level) {
    // The header's defaults, fixed per ISA-L version: the buffer size shapes the block split.
    switch (level) {
    case 1:
      return ISAL_DEF_LVL1_DEFAULT;
    case 2:
      return ISAL_DEF_LVL2_DEFAULT;
    default:
      return ISAL_DEF_LVL3_DEFAULT;
    }
  }
  int m_level;
  std::vector<uint8_t> m_level_buf;
  std::unique_ptr<isal_zstream> m_stream;
};

class ZlibEngine final : public DeflateEngine {
public:
  explicit ZlibEngine(int level) {
    m_ok = deflateInit2(&m_z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~ZlibEngine() override {
    if (m_ok) {
      deflateEnd(&m_z);
    }
  }

  void compress(Chunk& c) override {
    if (!m_ok || deflateReset(&m_z) != Z_OK) {
      c.error = "zlib could not start";
      return;
    }
    if (!c.dict.empty() && deflateSetDictionary(&m_z, reinterpret_cast<const Bytef*>(c.dict.data()),
                                                static_cast<uInt>(c.dict.size())) != Z_OK) {
      c.error = "zlib rejected the dictionary";
      return;
    }
    c.output.resize(output_bound(c.input.size()));
    m_z.next_in = reinterpret_cast<Bytef*>(c.input.data());
    m_z.avail_in = static_cast<uInt>(c.input.size());
    m_z.next_out = reinterpret_cast<Bytef*>(c.output.data());
    m_z.avail_out = static_cast<uInt>(c.output.size());
    int rc = deflate(&m_z, c.last ? Z_FINISH : Z_SYNC_FLUSH);
    bool complete = m_z.avail_in == 0 && m_z.avail_out > 0 && (!c.last || rc == Z_STREAM_END);
    if ((rc != Z_OK && rc != Z_STREAM_END) || !complete) {
      c.error = "zlib deflate failed (" + std::to_string(rc) + ")";
      return;
    }
    c.output.resize(c.output.size() - m_z.avail_out);
  }

private:
  z_stream m_z{};
  bool m_ok = false;
};

std::unique_ptr<DeflateEngine> make_engine(int level) {
  if (level <= 3) {
    return std::make_unique<IsalEngine>(level);
  }
  return std::make_unique<ZlibEngine>(level);
}

void run_chunk(DeflateEngine& engine, Chunk& c) {
  c.crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(c.input.data()), static_cast<uInt>(c.input.size())));
  engine.compress(c);
}

// One gzip member made of chunks deflated in parallel (pigz's method): each chunk is primed
// with the previous chunk's last 32 KiB and ends on a sync flush, the last one on Z_FINISH;
// the CRCs are combined in order.
class GzipCompressor final : public StreamCompressor {
public:
  GzipCompressor(int level, unsigned threads, ByteSink sink)
      : m_level(level), m_threads(threads), m_sink(std::move(sink)) {
    m_current.reserve(k_gzip_chunk_size);
    if (m_threads <= 1) {
      m_inline_engine = make_engine(level);
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
    chunk->dict = m_tail;
    chunk->last = last;
    size_t keep = std::min(m_current.size(), k_window);
    m_tail.assign(m_current, m_current.size() - keep, keep);
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
    std::unique_ptr<DeflateEngine> engine = make_engine(m_level);
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
  std::string m_tail;
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
