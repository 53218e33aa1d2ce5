/*
 * scratchpack-init: a tiny PID 1 for scratch images, modelled on tini.
 *
 * In a container the application is PID 1: the kernel installs no default signal actions for it
 * (so SIGTERM is ignored unless handled) and orphans are reparented to it (so zombies pile up
 * unless it reaps them). This init runs the real program as its child, forwards every signal it
 * can (see "Signals" below), reaps every zombie, and exits with the child's status.
 *
 * Freestanding: no libc, raw system calls for x86_64, aarch64, armv7 (EABI) and riscv64. Every
 * system call is checked. Usage: init [--] PROGRAM [ARGS...]
 */

typedef unsigned long size_t;
typedef long ssize_t;

/* The same numbers on all three architectures (asm-generic/signal.h; x86's and arm's own
   asm/signal.h repeat them); 32..64 are the real-time signals. */
#define SIGILL 4
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11
#define SIGCHLD 17
#define SIGTTIN 21
#define SIGTTOU 22

#define SIG_SETMASK 2
#define SIG_IGN 1
#define WNOHANG 1
#define ECHILD 10
#define EINTR 4
#define EAGAIN 11
#define ENOENT 2
#define EACCES 13
#define ENOEXEC 8
#define EINVAL 22
#define PR_SET_CHILD_SUBREAPER 36

#if defined(__x86_64__)
#define NR_write 1
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_getpid 39
#define NR_clone 56
#define NR_execve 59
#define NR_wait4 61
#define NR_kill 62
#define NR_rt_sigtimedwait 128
#define NR_prctl 157
#define NR_exit_group 231
#elif defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
/* The generic system call table, shared by arm64 and riscv64. */
#define NR_write 64
#define NR_exit_group 94
#define NR_kill 129
#define NR_rt_sigaction 134
#define NR_rt_sigprocmask 135
#define NR_rt_sigtimedwait 137
#define NR_prctl 167
#define NR_getpid 172
#define NR_clone 220
#define NR_execve 221
#define NR_wait4 260
#elif defined(__arm__)
#define NR_write 4
#define NR_execve 11
#define NR_getpid 20
#define NR_kill 37
#define NR_wait4 114
#define NR_clone 120
#define NR_prctl 172
#define NR_rt_sigaction 174
#define NR_rt_sigprocmask 175
#define NR_rt_sigtimedwait 177
#define NR_exit_group 248
#else
#error "unsupported architecture"
#endif

static long sys6(long n, long a, long b, long c, long d, long e) {
#if defined(__x86_64__)
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
#elif defined(__arm__)
  register long r7 __asm__("r7") = n;
  register long r0 __asm__("r0") = a;
  register long r1 __asm__("r1") = b;
  register long r2 __asm__("r2") = c;
  register long r3 __asm__("r3") = d;
  register long r4 __asm__("r4") = e;
  __asm__ volatile("svc 0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2), "r"(r3), "r"(r4) : "memory");
  return r0;
#elif defined(__riscv)
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a3 __asm__("a3") = d;
  register long a4 __asm__("a4") = e;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4) : "memory");
  return a0;
#endif
}

#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0)

/* The kernel's sigset_t is 64 bits on all three architectures. */
typedef unsigned long long ksigset;
#define SIGSET_SIZE 8
#define BIT(sig) (1ULL << ((sig) - 1))

/*
 * Signals. Every signal the init does not keep for itself is blocked, collected with
 * rt_sigtimedwait and sent on to the child: a container runtime stops a container with whatever
 * its stop signal says (SIGRTMIN+3 for systemd, SIGPWR, SIGALRM...), and a signal the init
 * swallowed would leave the container running until the runtime's kill timeout. The real-time
 * signals are forwarded too, all of 32..64: glibc and musl keep the first few for their threads,
 * but the init has no libc and the child's libc decides what they mean. As in tini:
 * - SIGCHLD is not forwarded: it tells the init to reap.
 * - SIGSEGV, SIGBUS, SIGFPE and SIGILL stay unblocked at their default action, so a fault in the
 *   init ends it like any program, without relying on the kernel to force a blocked fault
 *   through. Sent with kill they are not forwarded: the kernel drops every signal but SIGKILL
 *   and SIGSTOP that a namespace's PID 1 leaves at its default action.
 *   tini keeps SIGABRT, SIGTRAP and SIGSYS for itself as well (libc's abort, breakpoints,
 *   seccomp's traps); this init has no libc and no breakpoints, and the kernel forces a trap or
 *   a seccomp SIGSYS through a blocked mask like a fault, so those three are forwarded.
 * - SIGTTIN and SIGTTOU are ignored, not forwarded. The terminal sends them to the process group
 *   of a background reader or writer, so a child that caused one has it already; forwarding the
 *   init's would stop the program for what the init did. Ignoring them also means no write of
 *   the init ever stops it. Ignored stays ignored across execve: the child gets back the
 *   dispositions the init started with.
 * - SIGTSTP and SIGCONT are forwarded: job control is for the program; the init never stops.
 * SIGKILL and SIGSTOP cannot be caught; the kernel drops their bits from the masks.
 */
static const ksigset k_faults = BIT(SIGILL) | BIT(SIGBUS) | BIT(SIGFPE) | BIT(SIGSEGV);
static const ksigset k_terminal = BIT(SIGTTIN) | BIT(SIGTTOU);
static const ksigset k_waited = ~(k_faults | k_terminal); /* forwarded, and SIGCHLD */
static const int k_ignored[2] = {SIGTTIN, SIGTTOU};

/* The kernel's struct sigaction for rt_sigaction (all three have sa_restorer); the mask as two
   32-bit words keeps armv7's layout, where it follows the restorer without padding. */
struct ksigaction {
  long handler;
  unsigned long flags;
  long restorer;
  unsigned int mask[2];
};

/* What the child gets back before exec: the init's original mask and terminal dispositions. */
struct inherited {
  ksigset mask;
  struct ksigaction ignored[2];
};

/* Compilers may emit calls to these even with -ffreestanding. */
void* memset(void* dst, int c, size_t n) {
  unsigned char* d = dst;
  while (n--) {
    *d++ = (unsigned char)c;
  }
  return dst;
}

void* memcpy(void* dst, const void* src, size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  while (n--) {
    *d++ = *s++;
  }
  return dst;
}

static size_t str_len(const char* s) {
  size_t n = 0;
  while (s[n]) {
    n++;
  }
  return n;
}

static void put(const char* s) {
  size_t len = str_len(s);
  while (len > 0) {
    long n = sys3(NR_write, 2, s, len);
    if (n == -EINTR) {
      continue;
    }
    if (n <= 0) {
      return; /* stderr is gone: nothing better to do */
    }
    s += n;
    len -= (size_t)n;
  }
}

/* Decimal without division (32-bit ARM has no divide instruction in the baseline). */
static void put_number(long v) {
  static const long k_powers[] = {1000000000, 100000000, 10000000, 1000000, 100000,
                                  10000,      1000,      100,      10,      1};
  char buf[16];
  int i = 0;
  int started = 0;
  if (v < 0) {
    buf[i++] = '-';
    v = -v;
  }
  for (int p = 0; p < 10; p++) {
    char digit = '0';
    while (v >= k_powers[p]) {
      v -= k_powers[p];
      digit++;
    }
    if (digit != '0' || started || p == 9) {
      buf[i++] = digit;
      started = 1;
    }
  }
  buf[i] = 0;
  put(buf);
}

static const char* error_text(long err) {
  switch (err) {
  case ENOENT:
    return "no such file or directory";
  case EACCES:
    return "permission denied";
  case ENOEXEC:
    return "exec format error";
  case EAGAIN:
    return "resource temporarily unavailable";
  default:
    return 0;
  }
}

static void complain(const char* what, const char* subject, long err) {
  put("scratchpack-init: ");
  put(what);
  if (subject) {
    put(" ");
    put(subject);
  }
  put(": ");
  const char* text = error_text(err);
  if (text) {
    put(text);
  } else {
    put("error ");
    put_number(err);
  }
  put("\n");
}

static __attribute__((noreturn)) void exit_now(int code) {
  for (;;) {
    sys3(NR_exit_group, code, 0, 0);
  }
}

static int starts_with(const char* s, const char* prefix) {
  while (*prefix) {
    if (*s++ != *prefix++) {
      return 0;
    }
  }
  return 1;
}

/* execve, or for a name without '/', each directory of PATH in turn (as execvp does). */
static long exec_program(char** argv, char** envp) {
  const char* name = argv[0];
  for (const char* c = name; *c; c++) {
    if (*c == '/') {
      return sys3(NR_execve, name, argv, envp);
    }
  }
  const char* path = "/usr/local/bin:/usr/bin:/bin";
  for (char** e = envp; *e; e++) {
    if (starts_with(*e, "PATH=")) {
      path = *e + 5;
    }
  }
  long result = -ENOENT;
  char full[4096];
  size_t name_len = str_len(name);
  while (*path) {
    size_t dir_len = 0;
    while (path[dir_len] && path[dir_len] != ':') {
      dir_len++;
    }
    if (dir_len + 1 + name_len + 1 <= sizeof full) {
      memcpy(full, path, dir_len);
      full[dir_len] = '/';
      memcpy(full + dir_len + 1, name, name_len + 1);
      long r = sys3(NR_execve, full, argv, envp);
      if (r != -ENOENT) {
        result = r; /* remember a more telling error, as execvp does */
      }
    }
    path += dir_len;
    if (*path == ':') {
      path++;
    }
  }
  return result;
}

static __attribute__((noreturn)) void run_child(char** argv, char** envp,
                                                const struct inherited* original) {
  long r = sys4(NR_rt_sigprocmask, SIG_SETMASK, &original->mask, 0, SIGSET_SIZE);
  for (int i = 0; i < 2 && r == 0; i++) {
    r = sys4(NR_rt_sigaction, k_ignored[i], &original->ignored[i], 0, SIGSET_SIZE);
  }
  if (r < 0) {
    complain("restoring signals in child", 0, -r);
    exit_now(126);
  }
  r = exec_program(argv, envp);
  complain("exec", argv[0], -r);
  exit_now(r == -ENOENT ? 127 : 126);
}

/* Exit status as a shell reports it: the code, or 128 + the signal that killed the child. */
static int status_code(int status) {
  int sig = status & 0x7f;
  return sig ? 128 + sig : (status >> 8) & 0xff;
}

/* Reaps every exited child; returns 1 once the main child has been reaped. */
static int reap(long child, int* code) {
  int done = 0;
  for (;;) {
    int status = 0;
    long pid = sys4(NR_wait4, -1, &status, WNOHANG, 0);
    if (pid == -EINTR) {
      continue;
    }
    if (pid == 0 || pid == -ECHILD) {
      return done;
    }
    if (pid < 0) {
      complain("wait4", 0, -pid);
      exit_now(1);
    }
    if (pid == child) {
      *code = status_code(status);
      done = 1;
    }
  }
}

static int supervise(long child) {
  unsigned char info[128]; /* siginfo_t; si_signo is its first int */
  int code = 0;
  for (;;) {
    long sig = sys4(NR_rt_sigtimedwait, &k_waited, info, 0, SIGSET_SIZE);
    if (sig == -EINTR || sig == -EAGAIN) {
      continue;
    }
    if (sig < 0) {
      complain("sigtimedwait", 0, -sig);
      return 1;
    }
    if (sig == SIGCHLD) {
      if (reap(child, &code)) {
        return code;
      }
    } else {
      long r = sys3(NR_kill, child, sig, 0);
      if (r < 0 && r != -3 /* ESRCH: already gone, SIGCHLD follows */) {
        complain("kill", 0, -r);
      }
    }
  }
}

/* Blocks what is forwarded (before the child exists, so none is lost) and ignores SIGTTIN and
   SIGTTOU; the mask is set, not added to, so that the fault signals are unblocked even if the
   init inherited them blocked. Returns 0 after saying what failed. */
static int take_signals(struct inherited* original) {
  long r = sys4(NR_rt_sigprocmask, SIG_SETMASK, &k_waited, &original->mask, SIGSET_SIZE);
  if (r < 0) {
    complain("sigprocmask", 0, -r);
    return 0;
  }
  static const struct ksigaction k_ignore = {SIG_IGN, 0, 0, {0, 0}};
  for (int i = 0; i < 2; i++) {
    r = sys4(NR_rt_sigaction, k_ignored[i], &k_ignore, &original->ignored[i], SIGSET_SIZE);
    if (r < 0) {
      complain("sigaction", 0, -r);
      return 0;
    }
  }
  return 1;
}

int start_c(long* sp) {
  int argc = (int)sp[0];
  char** argv = (char**)(sp + 1);
  char** envp = argv + argc + 1;
  int first = 1;
  if (first < argc && argv[first][0] == '-' && argv[first][1] == '-' && argv[first][2] == 0) {
    first++;
  }
  if (first >= argc) {
    put("usage: scratchpack-init [--] PROGRAM [ARGS...]\n");
    return 2;
  }
  /* Not PID 1 (e.g. under docker --init or a test): still become the orphans' reaper. */
  if (sys3(NR_getpid, 0, 0, 0) != 1) {
    long r = sys6(NR_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    /* EINVAL: qemu-user does not emulate it; the child still runs, only orphans escape. */
    if (r < 0 && r != -EINVAL) {
      complain("prctl(PR_SET_CHILD_SUBREAPER)", 0, -r);
    }
  }
  struct inherited original;
  if (!take_signals(&original)) {
    return 1;
  }
  long child = sys6(NR_clone, SIGCHLD, 0, 0, 0, 0);
  if (child < 0) {
    complain("clone", 0, -child);
    return 1;
  }
  if (child == 0) {
    run_child(argv + first, envp, &original);
  }
  return supervise(child);
}

/* The entry point: hand the initial stack (argc, argv, envp) to start_c, exit with its result. */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
        "  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call start_c\n"
        "  mov %eax, %edi\n  mov $231, %eax\n  syscall\n  hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n"
        "  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  bl start_c\n"
        "  mov x8, #94\n  svc 0\n");
#elif defined(__arm__)
__asm__(".text\n.global _start\n.type _start,%function\n.arm\n_start:\n"
        "  mov fp, #0\n  mov lr, #0\n  mov r0, sp\n  bic sp, sp, #7\n  bl start_c\n"
        "  mov r7, #248\n  svc 0\n");
#elif defined(__riscv)
__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"
        "  li ra, 0\n  li fp, 0\n  mv a0, sp\n  andi sp, sp, -16\n  call start_c\n"
        "  li a7, 94\n  ecall\n");
#endif
