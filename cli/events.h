// The terminal subscriber of the recipes' events: progress (a status line rewritten in place on
// a terminal), compiler and linker warnings, scan-gate findings, notes, warnings and push steps,
// all on stderr. Every command decides what it shows the same way: event_view(-q, tty).
#pragma once

#include "cli/cli.h"
#include "pipeline/events.h"

#include <mutex>
#include <string>
#include <string_view>

namespace sp::cli {

/// How much progress a command shows.
enum class ProgressStyle {
  none,     ///< nothing (-q, --json)
  long_ops, ///< only steps that take long (building libc++ on first use), as "==> …" lines
  steps,    ///< every step: "[compile 3/12] main.cpp (server, x86_64-glibc)"
};

/// What a command shows on stderr besides its errors.
struct EventView {
  ProgressStyle progress = ProgressStyle::none;
  bool tty = false;        ///< stderr is a terminal: the status line is rewritten in place
  bool push_steps = false; ///< a line per push step
  bool quiet = false;      ///< -q: no notes or warnings; only findings that fail the command
  bool verbose = false;    ///< -v: also the scan gate's notes (traps only the C++ runtime reaches)
};

/// The one rule every command follows. -q: nothing but what fails the command (errors, error
/// findings, the compiler's own diagnostics). Otherwise notes, warnings, findings and push steps,
/// and a status line of every step when stderr is a terminal (on a pipe only the steps that take
/// minutes). -v adds the scan gate's notes. --json changes stdout only.
EventView event_view(bool quiet, bool tty, bool verbose = false);

/// True when fd 2 is a terminal.
bool stderr_is_tty();

class TerminalEvents final : public pipeline::Events {
public:
  TerminalEvents(Io& io, EventView view);
  ~TerminalEvents() override;

  void progress(const pipeline::Progress& step) override;
  void tool_output(std::string_view text) override;
  void findings(const scan::ScanReport& report) override;
  void note(std::string_view text) override;
  void warning(std::string_view text) override;
  void push(const publish::PushEvent& event) override;

private:
  /// Clears a status line before anything else is printed.
  void clear();

  Io& m_io;
  EventView m_view;
  bool m_shown = false;
  /// Events come from worker threads too (a remote cache's or a compile launcher's warnings
  /// while the engine reports progress): one at a time, and a line is never cut by another.
  /// Recursive: push() renders a retry through warning().
  std::recursive_mutex m_mutex;
};

/// One line for a push step: "sha256:0123456789ab uploading 1.2 MiB", "tagged 1.0".
std::string push_event_text(const publish::PushEvent& event);

} // namespace sp::cli
