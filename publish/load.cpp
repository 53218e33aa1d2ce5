#include "publish/load.h"

#include "util/process.h"

namespace sp::publish {

Result<std::string> load_archive(const fs::path& archive) {
  for (const char* engine : {"podman", "docker"}) {
    if (find_program(engine).empty()) {
      continue;
    }
    auto r = run_process({engine, "load", "-i", archive.string()});
    if (!r) {
      return r.take_error();
    }
    if (r->exit_code != 0) {
      return failure("--load", std::string(engine) + " load exited with status " +
                                   std::to_string(r->exit_code))
          .with_details(r->err.empty() ? r->out : r->err);
    }
    return std::string(engine);
  }
  return failure("--load", "neither podman nor docker is installed",
                 "install podman, or load " + archive.string() + " yourself");
}

} // namespace sp::publish
