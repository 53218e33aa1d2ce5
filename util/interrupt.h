// Interrupted runs leave nothing behind. Temporaries (TempDir, TempFile, AtomicPath) register
// their paths while they exist; once install_interrupt_cleanup() ran, SIGINT, SIGTERM and SIGHUP
// are taken by one thread that removes every registered path and then ends the process by the
// same signal, so the exit status still says what happened. What a SIGKILL leaves is swept by
// the next run (util/fs.h sweep_stale).
#pragma once

#include <cstdint>
#include <filesystem>
#include <signal.h>

namespace sp {

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread (and every thread it starts afterwards) and
/// starts the thread that handles them. Call once, early in main, before other threads exist.
void install_interrupt_cleanup();

/// Records `path` for removal on an interrupt; returns the token that forgets it again.
uint64_t register_temporary(const std::filesystem::path& path);
void unregister_temporary(uint64_t token);

/// What a child process must do first: unblock the signals install_interrupt_cleanup() blocked,
/// so Ctrl-C reaches it as it would without scratchpack in between. Async-signal-safe.
void reset_signals_in_child();

/// The signals the handler takes, for posix_spawn's attributes.
void interrupt_signals(sigset_t* set);

} // namespace sp
