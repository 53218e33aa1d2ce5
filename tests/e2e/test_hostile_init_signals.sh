# --init forwards every signal it may catch, not just the usual seven: podman stop with a stop
# signal of SIGRTMIN+3, SIGPWR or SIGALRM returns at once and the program saw that signal; every
# other catchable signal reaches a program that handles it and lives on, one for one; 32, which
# libcs keep for themselves, is forwarded too. As in tini, SIGTSTP and SIGCONT are forwarded,
# SIGTTIN and SIGTTOU are ignored by the init (and not by the program), and a fault signal sent
# with kill is not forwarded and does not end the init. Real-time signals also reach the arm64
# image under qemu.
source "$(dirname "$0")/lib.sh"
podman_setup

cp "$SP_SOURCE_DIR/tests/e2e/programs/init_probe.c" probe.c
build_probe() { # name stop-signal [build flags]
  local name=$1 signal=$2
  shift 2
  "$SCRATCHPACK" build probe.c --init --stop-signal "$signal" -o "$name" \
    --entrypoint "[\"/$name\"]" "$@" >/dev/null
  podman load -q -i "out/$name.tar" >/dev/null
}
build_probe rtmin3 SIGRTMIN+3 --libc musl
build_probe pwr SIGPWR --libc musl
build_probe alrm SIGALRM --libc musl

# Signal numbers as podman reads names (bash's `kill -l` agrees): SIGRTMIN is glibc's 34, so
# SIGRTMIN+3 is 37; 1..31 are the kernel's, the same on x86_64, aarch64 and armv7.
num() { kill -l "$1"; }

# Waits up to 5 s until the container's log holds COUNT lines that match LINE (a whole-line
# regular expression).
wait_for_line() { # container line [count]
  local n
  for _ in $(seq 1 50); do
    n=$(podman logs "$1" 2>/dev/null | grep -cx "$2" || true)
    [ "$n" -ge "${3:-1}" ] && return 0
    sleep 0.1
  done
  fail "$1: wanted ${3:-1} line(s) [$2], log: $(podman logs "$1" 2>&1 | tr '\n' '|')"
}
count_lines() { podman logs "$1" 2>/dev/null | grep -cx "$2" || true; }

# Starts the probe in "catch" mode (survivors given as numbers) as container NAME, once ready.
start_probe() { # name [podman run flags] image [survivors]
  local name=$1
  shift
  podman run -d --name "$name" --network=none "$@" >/dev/null
  wait_for_line "$name" ready
}

# podman stop -t 10 must return within 3 s (it waits the whole 10 s and then sends SIGKILL if
# the stop signal is swallowed), and the program must have died of the signal it printed.
stop_fast() { # name signal-number what
  local start ms
  start=$(date +%s%N)
  podman stop -t 10 "$1" >/dev/null 2>&1
  ms=$((($(date +%s%N) - start) / 1000000))
  [ "$ms" -lt 3000 ] || fail "$3: podman stop took $ms ms: the stop signal did not reach the program"
  assert_eq "got $2" "$(podman logs "$1" | tail -1)" "$3: the signal the program saw"
  assert_eq $((128 + $2)) "$(podman inspect "$1" --format '{{.State.ExitCode}}')" "$3: exit status"
  podman rm "$1" >/dev/null
}

step "podman stop with the image's stop signal: SIGRTMIN+3, SIGPWR, SIGALRM"
for pair in rtmin3:RTMIN+3 pwr:PWR alrm:ALRM; do
  image=${pair%%:*} signal=${pair#*:}
  assert_eq "SIG$signal" "$(podman image inspect "$image" --format '{{.Config.StopSignal}}')" \
    "$image: stop signal in the image"
  start_probe "stop-$image" "$image" catch
  stop_fast "stop-$image" "$(num "$signal")" "$image"
done

step "the init ignores SIGTTIN and SIGTTOU; the program inherits nothing blocked or ignored"
# Everything but SIGRTMIN+3 (37), the stop signal, is survived.
start_probe kills rtmin3 catch $(seq 1 36) $(seq 38 64)
# Bits 21 and 22. (The init's SigBlk reads 0: rt_sigtimedwait unblocks what it waits for.)
assert_eq 1 "$(count_lines kills $'init SigIgn:\t0000000000300000')" "signals the init ignores"
assert_eq 1 "$(count_lines kills $'SigBlk:\t0000000000000000')" "no signal blocked in the program"
assert_eq 1 "$(count_lines kills $'SigIgn:\t0000000000000000')" "no signal ignored in the program"

step "every catchable signal reaches a program that lives on, one for one"
# Not here: SIGCHLD (it drives the init's reaping), SIGTTIN/SIGTTOU and the faults (next step),
# and 32..34, which musl's sigaction refuses (the step after, with 32).
for signal in HUP INT QUIT TRAP ABRT USR1 USR2 PIPE ALRM TERM STKFLT CONT TSTP URG XCPU XFSZ \
  VTALRM PROF WINCH IO PWR SYS RTMIN+1 RTMAX; do
  podman kill -s "$signal" kills >/dev/null
  wait_for_line kills "got $(num "$signal")"
done
# Standard signals merge while pending, so the second SIGUSR1 waits for the first to arrive;
# real-time ones queue, so three sent at once arrive as three.
podman kill -s USR1 kills >/dev/null
wait_for_line kills "got $(num USR1)" 2
for _ in 1 2 3; do podman kill -s RTMIN+5 kills >/dev/null; done
wait_for_line kills "got $(num RTMIN+5)" 3

step "SIGTTIN, SIGTTOU and fault signals sent with kill are not forwarded, and the init lives on"
for signal in TTIN TTOU SEGV BUS FPE ILL; do
  podman kill -s "$signal" kills >/dev/null
done
# The init forwards in arrival order, so once this marker is through, anything before it is too.
podman kill -s RTMIN+6 kills >/dev/null
wait_for_line kills "got $(num RTMIN+6)"
for signal in TTIN TTOU SEGV BUS FPE ILL; do
  assert_eq 0 "$(count_lines kills "got $(num "$signal")")" "SIG$signal forwarded"
done
assert_eq true "$(podman inspect kills --format '{{.State.Running}}')" "container still running"
podman kill -s USR2 kills >/dev/null
wait_for_line kills "got $(num USR2)" 2
stop_fast kills "$(num RTMIN+3)" "stop after all that"

step "signal 32, which glibc and musl keep for themselves, reaches the program (musl's dies of it)"
start_probe rt32 rtmin3 catch
podman kill -s 32 rt32 >/dev/null
capture timeout 10 podman wait rt32
assert_eq 0 "$RC" "podman wait after signal 32 ($ERR)"
assert_eq 160 "$OUT" "exit status after signal 32"
podman rm rt32 >/dev/null

step "arm64 under qemu: real-time signals, by kill and by podman stop"
binfmt_setup
build_probe arm SIGRTMIN+3 --target aarch64-musl
# qemu-user hands the guest host real-time signal N as N - k (k = 2 in qemu 7.2: the guest's 32
# is the host's first free one, glibc's 34). Learn k from kills, then expect it on stop.
start_probe armkills --arch arm64 arm catch $(seq 35 64)
for _ in 1 2; do podman kill -s RTMIN+5 armkills >/dev/null; done
wait_for_line armkills 'got [0-9]*' 2
got=$(podman logs armkills | grep '^got ' | sort -u)
[[ "$got" =~ ^got\ ([0-9]+)$ ]] || fail "arm64: SIGRTMIN+5 twice arrived as [$got]"
shift_by=$(($(num RTMIN+5) - BASH_REMATCH[1]))
if [ "$shift_by" -lt 0 ] || [ "$shift_by" -gt 3 ]; then
  fail "arm64: SIGRTMIN+5 arrived as $got"
fi
podman rm -f armkills >/dev/null
start_probe armstop --arch arm64 arm catch
stop_fast armstop $(($(num RTMIN+3) - shift_by)) "arm64"
echo "ok"
