// Helpers shared by the packager tests: reading tars and compressed streams independently of
// the code under test (libarchive's reader, zlib's inflate, libzstd's decoder).
#pragma once

#include "packager/blob_store.h"
#include "packager/digest.h"
#include "packager/utf8_locale.h"
#include "util/fs.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>
#include <zlib.h>
#include <zstd.h>

namespace sp::packager::testing {

struct TarItem {
  std::string name;
  unsigned type = 0; // AE_IFREG, AE_IFDIR, AE_IFLNK
  unsigned mode = 0;
  int64_t uid = -1;
  int64_t gid = -1;
  int64_t mtime = -1;
  bool has_uname = false;
  std::string data;
  std::string link;
};

/// Every entry of a (possibly compressed) tar held in memory.
inline std::vector<TarItem> list_tar(const std::string& bytes) {
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    throw std::runtime_error("not a tar");
  }
  std::vector<TarItem> out;
  archive_entry* e = nullptr;
  packager::Utf8Locale utf8;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    TarItem t;
    const char* name = archive_entry_pathname_utf8(e);
    t.name = name ? name : "";
    t.type = archive_entry_filetype(e);
    t.mode = archive_entry_perm(e);
    t.uid = archive_entry_uid(e);
    t.gid = archive_entry_gid(e);
    t.mtime = archive_entry_mtime(e);
    const char* uname = archive_entry_uname(e);
    const char* gname = archive_entry_gname(e);
    t.has_uname = (uname && *uname) || (gname && *gname);
    if (archive_entry_symlink(e)) {
      t.link = archive_entry_symlink(e);
    }
    t.data.resize(static_cast<size_t>(archive_entry_size(e)));
    if (!t.data.empty()) {
      archive_read_data(a, t.data.data(), t.data.size());
    }
    out.push_back(t);
  }
  archive_read_free(a);
  return out;
}

/// Inflates a gzip stream with zlib (one member, as a strict reader would).
inline std::string gunzip(const std::string& in) {
  z_stream z{};
  if (inflateInit2(&z, 31) != Z_OK) {
    throw std::runtime_error("inflateInit2");
  }
  std::string out;
  std::vector<char> buf(1 << 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - z.avail_out);
  }
  bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || trailing) {
    throw std::runtime_error("bad gzip stream");
  }
  return out;
}

/// Decodes a zstd stream with libzstd.
inline std::string unzstd(const std::string& in) {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  std::string out;
  std::vector<char> buf(ZSTD_DStreamOutSize());
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t rc = 1;
  while (input.pos < input.size) {
    ZSTD_outBuffer output{buf.data(), buf.size(), 0};
    rc = ZSTD_decompressStream(d, &output, &input);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDCtx(d);
      throw std::runtime_error(ZSTD_getErrorName(rc));
    }
    out.append(buf.data(), output.pos);
  }
  ZSTD_freeDCtx(d);
  return out;
}

/// One member of a tar made by make_tar(): a file (its data, padded with zeros up to `size` when
/// that is larger), a symlink or a hard link.
struct TarSpec {
  std::string name;
  std::string data;
  std::string symlink;  ///< a symlink to this when set
  std::string hardlink; ///< a hard link to this member when set
  int64_t size = -1;    ///< the size the header claims; -1: data.size()
  unsigned mode = 0644;
};

/// A pax tar of `items`, in order, written by libarchive (independently of the layer writer).
inline std::string make_tar(const std::vector<TarSpec>& items) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(
      a, &out, nullptr,
      [](struct archive*, void* o, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(o)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const TarSpec& t : items) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.name.c_str());
    archive_entry_set_perm(e, t.mode);
    if (!t.symlink.empty()) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, t.symlink.c_str());
    } else if (!t.hardlink.empty()) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, t.hardlink.c_str());
      archive_entry_set_size(e, 0);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, t.size >= 0 ? t.size : static_cast<int64_t>(t.data.size()));
    }
    archive_write_header(a, e);
    if (!t.data.empty()) {
      archive_write_data(a, t.data.data(), t.data.size());
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

/// A blob's bytes (tests only: small layers).
inline std::string blob_bytes(const BlobStore& store, const Digest& d) {
  return read_file(store.path_of(d)).value();
}

/// Deterministic text that compresses a little (like code and data mixed).
inline std::string pseudo_text(size_t size, uint32_t seed) {
  std::string out;
  out.reserve(size);
  uint32_t x = seed;
  static const char* k_words[] = {"alpha ", "beta ", "gamma\n", "delta ", "epsilon ", "zeta\t"};
  while (out.size() < size) {
    x = x * 1664525u + 1013904223u;
    if ((x >> 28) < 6) {
      out += k_words[(x >> 28) % 6];
    } else {
      out += static_cast<char>(x >> 8);
    }
  }
  out.resize(size);
  return out;
}

} // namespace sp::packager::testing
