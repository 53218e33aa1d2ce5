#include "publish/registry.h"

#include "packager/reference.h"
#include "publish/registry_client.h"
#include "util/strings.h"

#include <algorithm>
#include <set>

namespace sp::publish {

using packager::BlobStore;
using packager::Descriptor;
using packager::descriptor_from_json;
using packager::Digest;
using packager::Image;
using packager::ImageRef;
using packager::Index;
using packager::parse_image_ref;
using packager::parse_json;
namespace media_type = packager::media_type;

namespace {

using nlohmann::json;

// A first path component names a registry when it has a '.', a ':' or is localhost (the
// distribution reference rule), and something follows it.
bool names_registry(std::string_view first, bool more) {
  return more && (first.find('.') != std::string_view::npos ||
                  first.find(':') != std::string_view::npos || first == "localhost");
}

bool is_index(std::string_view type) {
  return type == media_type::k_index || type == media_type::k_docker_manifest_list;
}

class Planner {
public:
  Planner(const BlobStore& store, const packager::ReadLimits& limits)
      : m_store(store), m_limits(limits) {}

  Status visit(Descriptor d, unsigned depth) {
    if (depth > m_limits.max_index_depth) {
      return packager::limit_error("image index " + d.digest.to_string(), "nested too deeply",
                                   "--max-index-depth");
    }
    if (m_documents.count(d.digest)) {
      return {};
    }
    Result<std::string> bytes = m_store.read(d.digest, m_limits.max_document);
    if (!bytes) {
      return missing(d, "document");
    }
    if (Digest::of(*bytes) != d.digest) {
      return failure("blob " + d.digest.to_string(), "its bytes do not hash to its name");
    }
    std::string where = "document " + d.digest.to_string();
    Result<json> j = parse_json(*bytes, where);
    if (!j) {
      return j.take_error();
    }
    if (d.media_type.empty() && j->contains("mediaType") && (*j)["mediaType"].is_string()) {
      d.media_type = (*j)["mediaType"].get<std::string>();
    }
    Status s = is_index(d.media_type) ? visit_index(*j, where, depth) : visit_manifest(*j, where);
    if (!s) {
      return s;
    }
    m_documents.insert(d.digest);
    plan.manifests.push_back({d, std::move(*bytes)});
    return {};
  }

  PushPlan plan;

private:
  Status visit_index(const json& j, const std::string& where, unsigned depth) {
    for (const json& m : j.value("manifests", json::array())) {
      Result<Descriptor> child = descriptor_from_json(m, where);
      if (!child) {
        return child.take_error();
      }
      SP_TRY(visit(*child, depth + 1));
    }
    return {};
  }

  Status visit_manifest(const json& j, const std::string& where) {
    if (!j.contains("config")) {
      return failure(where, "is neither an image manifest nor an index");
    }
    std::vector<json> blobs = {j["config"]};
    for (const json& l : j.value("layers", json::array())) {
      blobs.push_back(l);
    }
    for (const json& b : blobs) {
      Result<Descriptor> d = descriptor_from_json(b, where);
      if (!d) {
        return d.take_error();
      }
      if (!m_store.has(d->digest)) {
        return missing(*d, "blob");
      }
      if (m_blobs.insert(d->digest).second) {
        plan.blobs.push_back(*d);
      }
    }
    return {};
  }

  Error missing(const Descriptor& d, std::string_view what) const {
    return io_error(std::string(what) + " " + d.digest.to_string(),
                    "not found in " + m_store.dir().string());
  }

  const BlobStore& m_store;
  const packager::ReadLimits& m_limits;
  std::set<Digest> m_blobs;
  std::set<Digest> m_documents;
};

// "acme/base" or "HOST/acme/base" → "acme/base" when HOST is this registry.
Result<std::vector<std::string>> mount_repositories(const RegistryRef& ref,
                                                    const std::vector<std::string>& from) {
  std::vector<std::string> out;
  for (const std::string& text : from) {
    std::vector<std::string> parts = split(text, '/');
    std::string repo = text;
    if (names_registry(parts[0], parts.size() > 1)) {
      if (parts[0] != ref.registry) {
        return usage_error("--mount-from " + text,
                           "blobs can only be mounted from the registry pushed to (" +
                               ref.registry + ")");
      }
      repo = text.substr(parts[0].size() + 1);
    }
    Result<ImageRef> check = parse_image_ref(repo);
    if (!check || check->repository != repo) {
      return usage_error("--mount-from " + text, "expects a repository name, e.g. acme/base");
    }
    if (repo != ref.repository) {
      out.push_back(repo);
    }
  }
  return out;
}

Status check_tags(const RegistryRef& ref, const std::vector<std::string>& tags) {
  for (const std::string& tag : tags) {
    Result<ImageRef> r = parse_image_ref(ref.repository + ":" + tag);
    if (!r) {
      return r.take_error();
    }
  }
  return {};
}

// The session proper: blobs, then manifests by digest, then tags.
class Pusher {
public:
  Pusher(RegistryClient& client, const BlobStore& store, const PushOptions& options,
         std::vector<std::string> mounts)
      : m_client(client), m_store(store), m_options(options), m_mounts(std::move(mounts)) {}

  Status push_blob(const Descriptor& blob) {
    Result<bool> exists = m_client.blob_exists(blob);
    if (!exists) {
      return exists.take_error();
    }
    if (*exists) {
      ++counters.blobs_skipped;
      emit(PushEvent::Kind::blob_exists, blob);
      return {};
    }
    for (const std::string& from : m_mounts) {
      Result<bool> mounted = m_client.mount_blob(blob, from);
      if (!mounted) {
        return mounted.take_error();
      }
      if (*mounted) {
        ++counters.blobs_mounted;
        emit(PushEvent::Kind::blob_mounted, blob, from);
        return {};
      }
    }
    emit(PushEvent::Kind::blob_upload, blob);
    SP_TRY(m_client.upload_blob(blob, m_store.path_of(blob.digest)));
    ++counters.blobs_uploaded;
    counters.bytes_uploaded += blob.size;
    emit(PushEvent::Kind::blob_uploaded, blob);
    return {};
  }

  Status put(const PushPlan::Document& doc, const std::string& reference, bool tag) {
    SP_TRY(m_client.put_manifest(doc.descriptor, doc.bytes, reference));
    ++counters.manifests_put;
    emit(tag ? PushEvent::Kind::tag_put : PushEvent::Kind::manifest_put, doc.descriptor,
         tag ? reference : std::string());
    return {};
  }

  PushCounters counters;

private:
  void emit(PushEvent::Kind kind, const Descriptor& d, std::string detail = {}) const {
    if (m_options.progress) {
      m_options.progress(PushEvent{kind, d.digest, d.size, std::move(detail), 0});
    }
  }

  RegistryClient& m_client;
  const BlobStore& m_store;
  const PushOptions& m_options;
  std::vector<std::string> m_mounts;
};

Result<PushResult> run_push(const PushPlan& plan, const BlobStore& store, const RegistryRef& ref,
                            const PushOptions& options, RegistryClient& client,
                            std::vector<std::string> mounts) {
  SP_TRY(client.ping());
  Pusher pusher(client, store, options, std::move(mounts));
  for (const Descriptor& blob : plan.blobs) {
    SP_TRY(pusher.push_blob(blob));
  }
  for (const PushPlan::Document& doc : plan.manifests) {
    SP_TRY(pusher.put(doc, doc.descriptor.digest.to_string(), false));
  }
  std::vector<std::string> tags = {ref.tag};
  for (const std::string& t : options.extra_tags) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) {
      tags.push_back(t);
    }
  }
  const PushPlan::Document& root = plan.manifests.back();
  for (const std::string& tag : tags) {
    SP_TRY(pusher.put(root, tag, true));
  }
  PushResult result{ref, root.descriptor.digest, root.descriptor.media_type, pusher.counters, {}};
  result.counters.retries = client.retries();
  return result;
}

} // namespace

Result<RegistryRef> parse_registry_ref(std::string_view text) {
  Result<ImageRef> image = parse_image_ref(text);
  if (!image) {
    return image.take_error();
  }
  RegistryRef ref;
  ref.tag = image->tag;
  std::vector<std::string> parts = split(image->repository, '/');
  if (names_registry(parts[0], parts.size() > 1)) {
    ref.registry = parts[0];
    ref.repository = image->repository.substr(parts[0].size() + 1);
  } else {
    ref.registry = "docker.io";
    ref.repository = parts.size() == 1 ? "library/" + image->repository : image->repository;
  }
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") {
    ref.registry = "docker.io";
  }
  return ref;
}

std::string api_host(std::string_view registry) {
  return registry == "docker.io" ? std::string("registry-1.docker.io") : std::string(registry);
}

namespace {

// An --insecure-registry entry (HOST, HOST:PORT, or a URL) names `server`: the same host, and
// the same port when the entry gives one.
bool listed(const http::Url& server, const std::vector<std::string>& insecure) {
  for (const std::string& entry : insecure) {
    Result<http::Url> e = http::parse_host_port(entry);
    if (!e || e->host != server.host) {
      continue;
    }
    if (!e->explicit_port || (server.explicit_port && e->port == server.port)) {
      return true;
    }
  }
  return false;
}

} // namespace

bool allows_insecure(std::string_view registry, const std::vector<std::string>& insecure) {
  Result<http::Url> r = http::parse_host_port(registry);
  return r && (http::is_loopback_host(r->host) || listed(*r, insecure));
}

bool allows_insecure_url(std::string_view registry, const http::Url& url,
                         const std::vector<std::string>& insecure) {
  if (listed(url, insecure)) {
    return true;
  }
  Result<http::Url> r = http::parse_host_port(registry);
  return r && http::is_loopback_host(r->host) && http::is_loopback_host(url.host);
}

std::chrono::milliseconds request_deadline(std::chrono::milliseconds timeout, uint64_t body_bytes) {
  if (timeout.count() <= 0) {
    return std::chrono::milliseconds(0);
  }
  return timeout + std::chrono::milliseconds(body_bytes * 1000 / k_min_upload_rate);
}

bool is_retryable(const http::Response& response) {
  if (response.status == 0) {
    switch (response.net_error) {
    case http::NetError::connect:
    case http::NetError::send:
    case http::NetError::recv:
    case http::NetError::empty_reply:
    case http::NetError::partial:
    case http::NetError::timeout:
      return true;
    default:
      return false;
    }
  }
  return response.status == 429 || (response.status >= 500 && response.status != 501);
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed_attempts,
                                      const http::Response& response) {
  using std::chrono::milliseconds;
  milliseconds delay = policy.base_delay;
  for (int i = 1; i < failed_attempts && delay < policy.max_delay; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, policy.max_delay);
  unsigned long long seconds = 0;
  if (parse_uint(trim(response.header("Retry-After")), seconds)) {
    milliseconds asked = std::min(milliseconds(seconds * 1000), policy.max_retry_after);
    delay = std::max(delay, asked);
  }
  return delay;
}

Result<PushPlan> plan_push(const Descriptor& root, const BlobStore& store,
                           const packager::ReadLimits& limits) {
  Planner planner(store, limits);
  SP_TRY(planner.visit(root, 0));
  return std::move(planner.plan);
}

Result<PushResult> push_descriptor(const Descriptor& root, const BlobStore& store,
                                   const RegistryRef& ref, const PushOptions& options) {
  Result<PushPlan> plan = plan_push(root, store, options.limits);
  if (!plan) {
    return plan.take_error();
  }
  SP_TRY(check_tags(ref, options.extra_tags));
  Result<std::vector<std::string>> mounts = mount_repositories(ref, options.mount_from);
  if (!mounts) {
    return mounts.take_error();
  }
  Result<std::optional<FoundCredentials>> creds =
      find_credentials(ref.registry, options.credentials);
  if (!creds) {
    return creds.take_error();
  }
  std::unique_ptr<http::Transport> own;
  http::Transport* transport = options.transport;
  if (!transport) {
    own = http::make_curl_transport();
    transport = own.get();
  }
  RegistryClient client(*transport, ref, options, *creds, *mounts);
  Result<PushResult> result = run_push(*plan, store, ref, options, client, *mounts);
  if (!result) {
    return redact(result.take_error(), client.secrets());
  }
  return result;
}

Result<PushResult> push(const Image& image, const BlobStore& store, const RegistryRef& ref,
                        const PushOptions& options) {
  return push_descriptor(image.manifest, store, ref, options);
}

Result<PushResult> push(const Index& index, const BlobStore& store, const RegistryRef& ref,
                        const PushOptions& options) {
  return push_descriptor(index.descriptor, store, ref, options);
}

namespace {

/// A client of ref's repository, over options.transport or a libcurl transport of its own.
struct Session {
  std::unique_ptr<http::Transport> own;
  std::unique_ptr<RegistryClient> client;
};

Result<Session> open_session(const RegistryRef& ref, const PushOptions& options,
                             std::vector<std::string> mounts) {
  auto creds = SP_TRY(find_credentials(ref.registry, options.credentials));
  Session s;
  http::Transport* transport = options.transport;
  if (!transport) {
    s.own = http::make_curl_transport();
    transport = s.own.get();
  }
  s.client = std::make_unique<RegistryClient>(*transport, ref, options, creds, std::move(mounts));
  return s;
}

} // namespace

Result<ReferrersPushResult> push_referrers(const packager::Referrers& referrers,
                                           const BlobStore& store, const RegistryRef& ref,
                                           const PushOptions& options) {
  Session session = SP_TRY(open_session(ref, options, {}));
  RegistryClient& client = *session.client;
  auto run = [&]() -> Result<ReferrersPushResult> {
    SP_TRY(client.ping());
    Pusher pusher(client, store, options, {});
    ReferrersPushResult result;
    for (const packager::Artifact& a : referrers.artifacts) {
      SP_TRY(pusher.push_blob(a.config));
      SP_TRY(pusher.push_blob(a.document));
      SP_TRY(pusher.put({a.manifest, a.manifest_bytes}, a.manifest.digest.to_string(), false));
      ++result.artifacts;
    }
    if (SP_TRY(client.get_referrers(referrers.subject.digest))) {
      result.api = true;
    } else {
      result.tag = packager::referrers_tag(referrers.subject.digest);
      std::vector<Descriptor> entries;
      if (auto held = SP_TRY(client.get_manifest(result.tag))) {
        if (held->descriptor.media_type != media_type::k_index) {
          return failure("cannot attach documents to " + ref.with_digest(referrers.subject.digest),
                         "the tag " + result.tag + " holds a " + held->descriptor.media_type +
                             ", not the image index of referrers that tag is for");
        }
        entries = packager::index_entries(held->bytes);
      }
      for (const packager::Artifact& a : referrers.artifacts) {
        entries.push_back(a.manifest);
      }
      std::string bytes = packager::referrers_index_json(entries);
      Descriptor index{std::string(media_type::k_index), {}, bytes.size(), {}, {}, {}};
      index.digest = Digest::of(bytes);
      SP_TRY(pusher.put({index, bytes}, result.tag, true));
    }
    result.counters = pusher.counters;
    result.counters.retries = client.retries();
    return result;
  };
  Result<ReferrersPushResult> result = run();
  if (!result) {
    return redact(result.take_error(), client.secrets());
  }
  return result;
}

Result<std::vector<FetchedDocument>> fetch_documents(const RegistryRef& ref,
                                                     const packager::Digest& subject,
                                                     const PushOptions& options) {
  Session session = SP_TRY(open_session(ref, options, {}));
  RegistryClient& client = *session.client;
  auto run = [&]() -> Result<std::vector<FetchedDocument>> {
    SP_TRY(client.ping());
    std::string index;
    if (auto api = SP_TRY(client.get_referrers(subject))) {
      index = *api;
    } else if (auto tag = SP_TRY(client.get_manifest(packager::referrers_tag(subject)))) {
      index = tag->bytes;
    }
    std::vector<FetchedDocument> out;
    uint64_t limit = options.limits.max_document;
    for (const Descriptor& m : packager::index_entries(index)) {
      if (out.size() >= 64) {
        break;
      }
      auto manifest = SP_TRY(client.get_manifest(m.digest.to_string()));
      if (!manifest) {
        continue;
      }
      json j = json::parse(manifest->bytes, nullptr, false);
      if (!j.is_object() || !j.contains("layers") || !j["layers"].is_array() ||
          j["layers"].size() != 1 || !j.contains("subject")) {
        continue; // not one of ours (a signature, another tool's artifact)
      }
      auto subject_of = packager::descriptor_from_json(j["subject"], "subject");
      auto layer = packager::descriptor_from_json(j["layers"][0], "artifact layer");
      if (!subject_of || !(subject_of->digest == subject) || !layer) {
        continue;
      }
      FetchedDocument doc;
      doc.artifact_type = j.value("artifactType", std::string());
      doc.document = SP_TRY(client.get_blob(*layer, limit * 4));
      out.push_back(std::move(doc));
    }
    return out;
  };
  Result<std::vector<FetchedDocument>> result = run();
  if (!result) {
    return redact(result.take_error(), client.secrets());
  }
  return result;
}

} // namespace sp::publish
