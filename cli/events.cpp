#include "cli/events.h"

#include "cli/diagnostics.h"
#include "cli/scan_render.h"
#include "publish/registry.h"
#include "util/strings.h"

#include <ostream>
#include <unistd.h>

namespace sp::cli {

EventView event_view(bool quiet, bool tty, bool verbose) {
  EventView v;
  v.quiet = quiet;
  v.verbose = verbose && !quiet;
  v.tty = tty;
  v.push_steps = !quiet;
  if (!quiet) {
    v.progress = tty ? ProgressStyle::steps : ProgressStyle::long_ops;
  }
  return v;
}

bool stderr_is_tty() {
  return ::isatty(2) == 1;
}

TerminalEvents::TerminalEvents(Io& io, EventView view) : m_io(io), m_view(view) {}

TerminalEvents::~TerminalEvents() {
  std::lock_guard lock(m_mutex);
  clear();
}

void TerminalEvents::clear() {
  if (m_view.tty && m_shown) {
    m_io.err << "\r\x1b[K";
    m_io.err.flush();
    m_shown = false;
  }
}

void TerminalEvents::progress(const pipeline::Progress& p) {
  std::lock_guard lock(m_mutex);
  if (m_view.progress == ProgressStyle::long_ops) {
    // Only the first-use libc++ build takes minutes; its lines arrive with done == 0.
    if (p.phase.starts_with("C++ runtime") && p.done == 0) {
      m_io.err << paint("==>", Color::cyan, m_io.color_err) << ' ' << p.what << '\n';
      m_io.err.flush();
    }
    return;
  }
  if (m_view.progress != ProgressStyle::steps) {
    return;
  }
  std::string line =
      "[" + p.phase + " " + std::to_string(p.done) + "/" + std::to_string(p.total) + "] " + p.what;
  if (!m_view.tty) {
    m_io.err << line << '\n';
  } else {
    m_io.err << "\r\x1b[K" << paint(line, Color::dim, m_io.color_err);
    m_shown = true;
    if (p.done == p.total) {
      // The phase is over: keep its last line, start a fresh one for the next phase.
      m_io.err << '\n';
      m_shown = false;
    }
  }
  m_io.err.flush();
}

void TerminalEvents::tool_output(std::string_view text) {
  std::lock_guard lock(m_mutex);
  clear();
  m_io.err << text;
  m_io.err.flush();
}

void TerminalEvents::findings(const scan::ScanReport& report) {
  std::lock_guard lock(m_mutex);
  if (m_view.quiet && report.errors() == 0) {
    return;
  }
  clear();
  ScanView view;
  view.summary = false;
  view.errors_only = m_view.quiet;
  view.show_notes = m_view.verbose;
  render_scan_report(m_io.err, m_io.color_err, report, view);
}

void TerminalEvents::note(std::string_view text) {
  std::lock_guard lock(m_mutex);
  if (m_view.quiet) {
    return;
  }
  clear();
  print_note(m_io, text);
}

void TerminalEvents::warning(std::string_view text) {
  std::lock_guard lock(m_mutex);
  if (m_view.quiet) {
    return;
  }
  clear();
  print_warning(m_io, text);
}

void TerminalEvents::push(const publish::PushEvent& e) {
  std::lock_guard lock(m_mutex);
  if (!m_view.push_steps) {
    return;
  }
  if (e.kind == publish::PushEvent::Kind::retry) {
    warning("push: " + push_event_text(e));
    return;
  }
  clear();
  m_io.err << paint("push:", Color::dim, m_io.color_err) << ' ' << push_event_text(e) << '\n';
  m_io.err.flush();
}

std::string push_event_text(const publish::PushEvent& e) {
  std::string d = e.digest.to_string().substr(0, 7 + 12);
  switch (e.kind) {
  case publish::PushEvent::Kind::blob_exists:
    return d + " already there";
  case publish::PushEvent::Kind::blob_mounted:
    return d + " mounted from " + e.detail;
  case publish::PushEvent::Kind::blob_upload:
    return d + " uploading " + format_bytes(e.size);
  case publish::PushEvent::Kind::blob_uploaded:
    return d + " uploaded";
  case publish::PushEvent::Kind::manifest_put:
    return d + " manifest stored";
  case publish::PushEvent::Kind::tag_put:
    return "tagged " + e.detail;
  case publish::PushEvent::Kind::retry:
    return e.detail + "; trying again (attempt " + std::to_string(e.attempt) + ")";
  }
  return d;
}

} // namespace sp::cli
