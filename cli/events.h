// The terminal subscriber of the recipes' events: progress (a status line rewritten in place on
// a terminal, one line per step otherwise), compiler and linker warnings, scan-gate findings,
// notes, warnings and push steps, all on stderr. --json and -q choose what it shows.
#pragma once

#include "cli/cli.h"
#include "pipeline/events.h"

#include <string>
#include <string_view>

namespace sp::cli {

/// How much progress a command shows.
enum class ProgressStyle {
  none,     ///< nothing (-q, --json)
  long_ops, ///< only steps that take long (building libc++ on first use), as "==> …" lines
  steps,    ///< every step: "[compile 3/12] main.cpp (server, x86_64-glibc)"
};

class TerminalEvents final : public pipeline::Events {
public:
  /// `tty`: stderr is a terminal (the status line is rewritten in place). `push_steps`: show
  /// each push step.
  TerminalEvents(Io& io, ProgressStyle style, bool tty, bool push_steps);
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
  ProgressStyle m_style;
  bool m_tty;
  bool m_push_steps;
  bool m_shown = false;
};

/// One line for a push step: "sha256:0123456789ab uploading 1.2 MiB", "tagged 1.0".
std::string push_event_text(const publish::PushEvent& event);

} // namespace sp::cli
