// Compiles run elsewhere: a launcher prefix (CMake's <LANG>_COMPILER_LAUNCHER idea) that wraps the
// compile command compile_command() built, and distcc, the launcher scratchpack configures itself
// (`--distribute`). The launcher is never part of a cache key: a remote object is byte-identical
// to a local one (compile_command spells the target `-target X`, which distcc's cross rewrite
// honours, and the debug profile has no column info), so where a compile ran changes nothing.
//
// Faults: distcc runs with DISTCC_FALLBACK=0 (it never compiles locally by itself, so that
// scratchpack decides where a failed compile goes) and DISTCC_SKIP_LOCAL_RETRY=1 (a real compile
// error is not compiled a second time locally, and so reported once). Its own failures (exit codes
// 100 to 127: no host reachable, connect failed, protocol error, remote compiler missing…) are
// compiled again locally by the engine; a down host is skipped by distcc's backoff.
#pragma once

#include "util/result.h"

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sp::toolchain {

/// One entry of a DISTCC_HOSTS list.
struct DistccHost {
  std::string spec;  ///< as written
  std::string host;  ///< name or address (IPv6 without brackets); empty for --localslots
  unsigned port = 0; ///< TCP port (0: distcc's default, 3632, or SSH)
  unsigned slots = 0;
  bool local = false; ///< `localhost`: compiles run here, not sent anywhere
  bool ssh = false;   ///< [USER]@HOST
};

/// A parsed DISTCC_HOSTS list (distcc(1), "HOST SPECIFICATIONS").
struct DistccHosts {
  std::vector<DistccHost> hosts;
  unsigned remote_slots = 0; ///< the jobs the remote hosts take at once (a host's /LIMIT, else 4)
  unsigned local_slots = 0;  ///< `localhost/N` or `--localslots=N`; 0 when not written
};

/// Parses a DISTCC_HOSTS value: HOST[:PORT][/LIMIT][,OPTIONS], [USER]@HOST[/LIMIT][:COMMAND],
/// HOST[/LIMIT][:PORT] (the old order), [IPv6], `localhost[/LIMIT]`, `--localslots=N`,
/// `--localslots_cpp=N` and `--randomize`. `+zeroconf` is refused: the slots could not be
/// counted. Every bad entry is reported. Pure.
Result<DistccHosts> parse_distcc_hosts(std::string_view text);

/// How compiles that miss the cache run: `prefix` + the compile command. Empty prefix: directly.
struct Launcher {
  std::vector<std::string> prefix;
  /// "K=V" entries added to the launcher's environment (DISTCC_HOSTS and distcc's fault settings).
  std::vector<std::string> env;
  /// The launcher is distcc: exit codes 100 to 127 are its own failures, which the engine
  /// compiles again locally, and lines starting with "distcc[" are its chatter, not clang's.
  bool distcc = false;
  /// Compiles the launcher runs at once elsewhere (the hosts' slots); 0: unknown or none.
  unsigned remote_slots = 0;
  /// What argv[0] becomes: the compiler's name on the servers ("clang-19", which Debian's
  /// distccd allows through /usr/lib/distcc); empty: the path the command names.
  std::string remote_compiler;
  std::string description; ///< "distcc (3 hosts, 8 slots)", for messages

  bool active() const { return !prefix.empty(); }
};

/// distcc with `hosts` (DISTCC_HOSTS syntax, already parsed as `parsed`): the hosts and the fault
/// settings go into its environment.
Launcher distcc_launcher(const std::string& hosts, const DistccHosts& parsed,
                         const std::string& remote_compiler);

/// `--compiler-launcher CMD`: CMD split on blanks. When CMD is distcc, it runs with distcc's fault
/// settings and its slots are counted from `distcc_hosts` (the environment's DISTCC_HOSTS; empty:
/// unknown). Usage error when CMD is empty.
Result<Launcher> command_launcher(std::string_view command, std::string_view distcc_hosts,
                                  const std::string& remote_compiler);

/// The command that runs `argv` (a compile_command) through `launcher`. Pure.
std::vector<std::string> launch_command(const Launcher& launcher,
                                        const std::vector<std::string>& argv);

/// Whether a launched compile that exited with `exit_code` failed for the launcher's own reasons
/// (distcc's 100..127) rather than the compiler's, and should be compiled again locally.
bool launcher_failed(const Launcher& launcher, int exit_code);

/// The diagnostics of a launched compile without the launcher's own lines ("distcc[123] ERROR:
/// compile a.c on host failed"), which would repeat what clang said.
std::string without_launcher_lines(const Launcher& launcher, std::string_view text);

/// What happened to launched compiles in one build (thread-safe).
class LaunchStats {
public:
  void launched_ok() { ++m_remote; }
  /// A launched compile failed for the launcher's reasons and was compiled locally; `why` is
  /// what the launcher said (its last line is kept, once).
  void fell_back(std::string_view why);
  size_t remote() const { return m_remote; }
  size_t fallbacks() const { return m_fallbacks; }
  std::string first_reason() const;

private:
  std::atomic<size_t> m_remote{0};
  std::atomic<size_t> m_fallbacks{0};
  mutable std::mutex m_mutex;
  std::string m_reason;
};

/// The compiler's name on distcc servers: "clang-MAJOR" when that name on PATH is `clang` (the
/// servers then find their own clang-MAJOR, as /usr/lib/distcc allows), else `clang`'s path
/// (which a server runs only with DISTCC_CMDLIST or --enable-tcp-insecure).
std::string remote_compiler_name(const std::string& clang, const std::string& version);

} // namespace sp::toolchain
