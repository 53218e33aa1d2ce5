// How a recipe says what is going on. Recipes never print: they call an Events object, and the
// terminal view, --json and the tests are three subscribers (cargo's Shell, buildkit's progress
// writer). Calls come one at a time, from whichever thread did the work.
#pragma once

#include "toolchain/scan/scanner.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace sp::publish {
struct PushEvent;
}

namespace sp::pipeline {

/// One finished step: `phase` is "compile", "link", "scan", "package", "push", "write" or
/// "C++ runtime for TARGET"; `done` of `total` steps of the phase are finished.
struct Progress {
  std::string phase;
  size_t done = 0;
  size_t total = 0;
  std::string what;
};

class Events {
public:
  virtual ~Events() = default;
  virtual void progress(const Progress& /*step*/) {}
  /// Warnings clang and lld printed for a build that went on (verbatim text).
  virtual void tool_output(std::string_view /*text*/) {}
  /// A scan gate's findings (errors among them stop the recipe; the Error says so).
  virtual void findings(const scan::ScanReport& /*report*/) {}
  /// Something the user should know that is not a problem ("loaded into podman as hello:1").
  virtual void note(std::string_view /*text*/) {}
  /// A problem that does not stop the recipe ("build cache disabled: …").
  virtual void warning(std::string_view /*text*/) {}
  /// A warning about this run's infrastructure, not its outputs: a remote cache or build farm
  /// that did not answer. A release found up to date later does not show it again.
  virtual void infrastructure_warning(std::string_view text) { warning(text); }
  /// One step of a registry push.
  virtual void push(const publish::PushEvent& /*event*/) {}
};

/// Events that go nowhere.
class NoEvents final : public Events {};

} // namespace sp::pipeline
