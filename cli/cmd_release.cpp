// `scratchpack release [-f FILE] [--out DIR] [-j N] [--push] [--json]`: flags, and the progress
// display (a status line rewritten in place on a terminal, one line per step otherwise, nothing
// with --json).
#include <CLI/CLI.hpp>
#include <memory>
#include <ostream>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/diagnostics.h"
#include "cli/release.h"

namespace sp::cli {

namespace {

/// Progress on stderr: on a terminal one status line rewritten in place ("[compile 3/12] …"),
/// otherwise one plain line per finished step.
class ProgressView {
public:
  ProgressView(Io& io, bool tty) : m_io(io), m_tty(tty) {}
  ~ProgressView() { clear(); }

  void show(const ReleaseProgress& p) {
    std::string line = "[" + p.phase + " " + std::to_string(p.done) + "/" + std::to_string(p.total) +
                       "] " + p.what;
    if (m_tty) {
      m_io.err << "\r\x1b[K" << paint(line, Color::dim, m_io.color_err);
      m_shown = true;
      if (p.done == p.total) {
        // The phase is over: keep its last line, start a fresh one for the next phase.
        m_io.err << '\n';
        m_shown = false;
      }
    } else {
      m_io.err << line << '\n';
    }
    m_io.err.flush();
  }

private:
  void clear() {
    if (m_tty && m_shown) {
      m_io.err << "\r\x1b[K";
      m_io.err.flush();
    }
  }
  Io& m_io;
  bool m_tty;
  bool m_shown = false;
};

} // namespace

void register_release(CLI::App& app, Io& io, int& rc) {
  auto o = std::make_shared<ReleaseOptions>();
  auto manifest = std::make_shared<std::string>("scratchpack.yaml");
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "release", "Build every binary x target x image of a scratchpack.yaml into dist/");
  cmd->add_option("-f,--file", *manifest, "The manifest")->capture_default_str();
  cmd->add_option("--out", *out, "Output directory (default: the manifest's output.dir)");
  cmd->add_option("-j,--jobs", o->jobs, "Parallel compiles (default: number of cores)");
  cmd->add_flag("--push", o->push, "Push every image after building it");
  cmd->add_flag("--json", o->json, "Print only report.json's contents on stdout");
  cmd->add_flag("--no-cache", o->no_cache, "Neither read nor write the build cache");
  add_push_flags(cmd, o->push_flags, /*with_push_ref=*/false);
  cmd->callback([o, manifest, out, &io, &rc] {
    o->manifest = *manifest;
    o->out_dir = *out;
    ProgressView view(io, ::isatty(2) == 1);
    std::function<void(const ReleaseProgress&)> progress;
    if (!o->json) {
      progress = [&view](const ReleaseProgress& p) { view.show(p); };
    }
    rc = run_release(*o, io, progress);
  });
}

} // namespace sp::cli
