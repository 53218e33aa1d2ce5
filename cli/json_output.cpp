#include "cli/json_output.h"

#include "cli/diagnostics.h"
#include "util/diagnostics.h"

#include <ostream>

namespace sp::cli {

namespace {

Json nullable(const std::string& text) {
  return text.empty() ? Json(nullptr) : Json(text);
}

Json location_json(const Location& where) {
  if (!where.known()) {
    return nullptr;
  }
  return {{"file", where.file}, {"line", where.mark.line}, {"column", where.mark.column}};
}

Json problem_json(const Error& e) {
  return {{"what", e.what},
          {"why", e.why},
          {"hint", nullable(e.hint)},
          {"location", location_json(e.where)}};
}

} // namespace

Json error_json(const Error& e) {
  Json j;
  // An error that only bundles problems has no line of its own: it is summarised here.
  bool bundle = e.what.empty() && e.why.empty() && !e.problems.empty();
  j["what"] = bundle ? e.problems.front().what : e.what;
  j["why"] = bundle ? count_problems(e.problems.size()) : e.why;
  j["hint"] = nullable(e.hint);
  j["exit_code"] = e.exit_code();
  j["location"] = location_json(e.where);
  j["details"] = nullable(e.details);
  j["problems"] = Json::array();
  for (const Error& p : e.problems) {
    j["problems"].push_back(problem_json(p));
  }
  return j;
}

std::string dump_json(const Json& doc) {
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

int print_json(Io& io, Json doc, const Error* error) {
  int rc = 0;
  doc["error"] = nullptr;
  if (error) {
    rc = print_error(io, *error);
    doc["error"] = error_json(*error);
  }
  io.out << dump_json(doc);
  io.out.flush();
  return rc;
}

} // namespace sp::cli
