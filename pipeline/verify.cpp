#include "pipeline/verify.h"

#include "packager/layout.h"
#include "pipeline/supply.h"
#include "util/sha256.h"
#include "util/strings.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace sp::pipeline {

namespace pk = packager;

namespace {

using nlohmann::json;

/// Every item of an image by its place: "root", "index", "manifest of P", "config of P",
/// "layer N of P", with its descriptor.
using Items = std::map<std::string, pk::Descriptor>;

bool is_index(const std::string& type) {
  return type == pk::media_type::k_index || type == pk::media_type::k_docker_manifest_list;
}

/// Walks the image in `layout` from its root, recording each item; reading a document checks
/// its bytes against its digest, and a failure becomes a difference of that item.
Status walk(const pk::Layout& layout, Items& items, std::vector<Difference>* damage) {
  std::string index_json = SP_TRY(layout.read_document("index.json"));
  pk::Descriptor root = SP_TRY(pk::layout_root(index_json, layout.where("index.json")));
  items["root"] = root;
  auto read = [&](const pk::Descriptor& d, const std::string& what) -> std::optional<json> {
    auto bytes = layout.read_document(d);
    if (!bytes) {
      if (damage) {
        damage->push_back({what, bytes.error().why});
      }
      return std::nullopt;
    }
    json j = json::parse(*bytes, nullptr, false);
    return j.is_object() ? std::optional<json>(j) : std::nullopt;
  };
  auto manifest = [&](const pk::Descriptor& d, const std::string& platform) {
    items["manifest of " + platform] = d;
    auto m = read(d, "manifest of " + platform);
    if (!m) {
      return;
    }
    if (m->contains("config")) {
      if (auto c = pk::descriptor_from_json((*m)["config"], "config")) {
        items["config of " + platform] = *c;
        (void)read(*c, "config of " + platform);
      }
    }
    if (m->contains("layers") && (*m)["layers"].is_array()) {
      size_t n = 0;
      for (const json& l : (*m)["layers"]) {
        auto d = pk::descriptor_from_json(l, "layer");
        if (!d) {
          continue;
        }
        std::string what = "layer " + std::to_string(++n) + " of " + platform;
        items[what] = *d;
        Status s = layout.stream(*d, [](pk::ByteReader& reader) -> Status {
          for (;;) {
            auto block = SP_TRY(reader());
            if (block.empty()) {
              return {};
            }
          }
        });
        if (!s && damage) {
          damage->push_back({what + " (" + d->digest.to_string() + ")", s.error().why});
        }
      }
    }
  };
  if (is_index(root.media_type)) {
    items["index"] = root;
    auto index = read(root, "index");
    if (index && index->contains("manifests") && (*index)["manifests"].is_array()) {
      for (const json& e : (*index)["manifests"]) {
        auto d = pk::descriptor_from_json(e, "index entry");
        if (d) {
          manifest(*d, d->platform ? d->platform->to_string() : d->digest.to_string());
        }
      }
    }
  } else {
    // One platform: named by its config's os/architecture[/variant].
    std::string platform = "the image";
    if (auto m = layout.read_document(root)) {
      json j = json::parse(*m, nullptr, false);
      if (j.is_object() && j.contains("config")) {
        if (auto c = pk::descriptor_from_json(j["config"], "config")) {
          if (auto config = layout.read_document(*c)) {
            json cj = json::parse(*config, nullptr, false);
            if (auto p = pk::platform_from_json(cj, "config")) {
              platform = p->to_string();
            }
          }
        }
      }
    }
    manifest(root, platform);
  }
  return {};
}

std::string both(const pk::Descriptor& here, const pk::Descriptor& rebuilt) {
  return here.digest.to_string() + " here, " + rebuilt.digest.to_string() + " rebuilt";
}

/// SHA256SUMS as a map: path -> sha256.
Result<std::map<std::string, std::string>> read_sums(const fs::path& file) {
  std::string text = SP_TRY(read_file(file));
  std::map<std::string, std::string> sums;
  for (const std::string& line : split(text, '\n')) {
    if (line.size() > 66 && line[64] == ' ' && line[65] == ' ') {
      sums[line.substr(66)] = line.substr(0, 64);
    }
  }
  return sums;
}

} // namespace

Status check_replayable(const std::vector<std::string>& arguments) {
  if (arguments.empty() || (arguments[0] != "build" && arguments[0] != "release")) {
    return failure("the provenance", "records a command verify does not run: " +
                                         (arguments.empty() ? std::string("none") : arguments[0]));
  }
  static const std::vector<std::string> k_refused = {
      "--push",  "--load",     "--sign-key",       "--passphrase-env", "--passphrase-stdin",
      "--creds", "--username", "--password-stdin", "--mount-from",     "--insecure-registry",
      "--out",   "--json",     "--chunk-size",     "--timeout",        "--retries"};
  for (const std::string& a : arguments) {
    std::string name = a.substr(0, a.find('='));
    if (std::find(k_refused.begin(), k_refused.end(), name) != k_refused.end()) {
      return failure("the provenance",
                     "records " + name +
                         ", which verify will not run again: a rebuild sends, "
                         "loads and signs nothing",
                     "its statement was not written by scratchpack build or release");
    }
  }
  return {};
}

Result<std::vector<Difference>> compare_images(const fs::path& given, const fs::path& rebuilt) {
  pk::Layout mine = SP_TRY(pk::Layout::open(rebuilt));
  Items want;
  SP_TRY(walk(mine, want, nullptr));
  std::vector<Difference> out;
  auto theirs = pk::Layout::open(given);
  if (!theirs) {
    out.push_back({"image", theirs.error().what + ": " + theirs.error().why});
    return out;
  }
  Items have;
  std::vector<Difference> damage;
  if (Status s = walk(*theirs, have, &damage); !s) {
    out.push_back({"image", s.error().what + ": " + s.error().why});
    return out;
  }
  if (want["root"].digest == have["root"].digest && damage.empty()) {
    return out;
  }
  for (const auto& [what, d] : want) {
    auto it = have.find(what);
    if (it == have.end()) {
      out.push_back({what, "missing here; rebuilt: " + d.digest.to_string()});
    } else if (!(it->second.digest == d.digest)) {
      out.push_back({what, both(it->second, d)});
    }
  }
  for (const auto& [what, d] : have) {
    if (!want.count(what)) {
      out.push_back({what, "only here: " + d.digest.to_string()});
    }
  }
  for (Difference& d : damage) {
    out.push_back({d.what, "its bytes are damaged: " + d.why});
  }
  return out;
}

Result<std::vector<Difference>> compare_dists(const fs::path& given, const fs::path& rebuilt) {
  auto want = SP_TRY(read_sums(rebuilt / "SHA256SUMS"));
  std::vector<Difference> out;
  for (const auto& [rel, sha] : want) {
    fs::path here = given / rel;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(here, ec))) {
      out.push_back({rel, "missing here"});
      continue;
    }
    std::string have = SP_TRY(file_sha256(here));
    if (have == sha) {
      continue;
    }
    bool layout = rel.ends_with(".tar");
    std::vector<Difference> inside;
    if (layout) {
      inside = SP_TRY(compare_images(here, rebuilt / rel));
    }
    if (inside.empty()) {
      out.push_back({rel, "sha256:" + have + " here, sha256:" + sha + " rebuilt"});
    }
    for (Difference& d : inside) {
      out.push_back({rel + ": " + d.what, d.why});
    }
  }
  if (auto have = read_sums(given / "SHA256SUMS")) {
    for (const auto& [rel, sha] : *have) {
      if (!want.count(rel)) {
        out.push_back({rel, "only here"});
      }
    }
  }
  return out;
}

} // namespace sp::pipeline
