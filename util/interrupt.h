// Interrupted runs leave nothing behind. Temporaries (TempDir, TempFile, AtomicPath) register
// their paths while they exist; once install_interrupt_cleanup() ran, SIGINT, SIGTERM and SIGHUP
// are taken by one thread that removes every registered path and then ends the process by the
// same signal, so the exit status still says what happened. What a SIGKILL leaves is swept by
// the next run (util/fs.h sweep_stale).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <signal.h>

namespace sp {

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread (and every thread it starts afterwards) and
/// starts the thread that handles them. Call once, early in main, before other threads exist.
void install_interrupt_cleanup();

/// Records `path` for removal on an interrupt; returns the token that forgets it again. For a
/// path that exists already or is created later by its owner (AtomicPath).
uint64_t register_temporary(const std::filesystem::path& path);
/// Runs `create`, which makes a temporary and returns its path (empty when it made nothing), and
/// records that path, both while the handler cannot run: an interrupt never falls between a
/// file's creation and its record, so no temporary escapes the cleanup. Returns the token (0 when
/// nothing was made).
uint64_t create_temporary(const std::function<std::filesystem::path()>& create);
void unregister_temporary(uint64_t token);

/// What a child process must do first: unblock the signals install_interrupt_cleanup() blocked,
/// so Ctrl-C reaches it as it would without scratchpack in between. Async-signal-safe.
void reset_signals_in_child();

/// The signals the handler takes, for posix_spawn's attributes.
void interrupt_signals(sigset_t* set);

} // namespace sp
