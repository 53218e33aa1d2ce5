#include "publish/push_source.h"

#include "packager/layout.h"

namespace sp::publish {

using packager::BlobStore;
using packager::Descriptor;
using packager::Layout;
using packager::layout_root;
using packager::LayoutOptions;

namespace {

// Anything wrong with the source is an input problem (exit 2): exit 1 is kept for a registry
// that refuses the push.
Error as_io(Error e) {
  e.kind = ErrorKind::usage_or_io;
  return e;
}

Error docker_only(const fs::path& path) {
  return io_error(path.string(), "is a docker-archive without an OCI index.json",
                  "convert it first: skopeo copy docker-archive:" + path.string() +
                      " oci-archive:image.tar");
}

// A push needs index.json; a docker-archive (manifest.json only) gets a hint to convert it.
Status check_index(const Layout& layout) {
  if (layout.has("index.json")) {
    return {};
  }
  if (layout.has("manifest.json")) {
    return docker_only(layout.path());
  }
  return io_error(layout.path().string(), layout.is_archive()
                                              ? "has no index.json: not an OCI image archive"
                                              : "has no index.json: not an OCI image layout");
}

Result<Descriptor> read_root(const Layout& layout) {
  Result<std::string> index = layout.read_document("index.json");
  if (!index) {
    return as_io(index.take_error());
  }
  return layout_root(*index, layout.where("index.json"));
}

// The blobs are unpacked into a private store in the one pass over the archive, checked against
// their names on the way.
Result<PushSource> open_archive(const fs::path& path) {
  auto scratch = std::make_shared<TempDir>("scratchpack-push");
  Result<BlobStore> store = BlobStore::open(scratch->path() / "blobs");
  if (!store) {
    return store.take_error();
  }
  Result<Layout> layout = Layout::open(path, LayoutOptions{*store});
  if (!layout) {
    return as_io(layout.take_error());
  }
  SP_TRY(check_index(*layout));
  Result<Descriptor> root = read_root(*layout);
  if (!root) {
    return root.take_error();
  }
  return PushSource{scratch, *store, *root};
}

// A directory's blobs/ is a store as it is: nothing is copied (nor checked; the registry
// checks every digest it receives).
Result<PushSource> open_directory(const fs::path& dir) {
  Result<Layout> layout = Layout::open(dir);
  if (!layout) {
    return as_io(layout.take_error());
  }
  SP_TRY(check_index(*layout));
  std::error_code ec;
  if (!fs::is_directory(dir / "blobs" / "sha256", ec)) {
    return io_error(dir.string(), "has no blobs/sha256 directory: not an OCI image layout");
  }
  Result<Descriptor> root = read_root(*layout);
  if (!root) {
    return root.take_error();
  }
  Result<BlobStore> store = BlobStore::open(dir / "blobs");
  if (!store) {
    return store.take_error();
  }
  return PushSource{nullptr, *store, *root};
}

} // namespace

Result<PushSource> open_push_source(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return open_directory(path);
  }
  if (!fs::is_regular_file(path, ec)) {
    return io_error(path.string(), "no such image archive or OCI layout directory");
  }
  return open_archive(path);
}

} // namespace sp::publish
