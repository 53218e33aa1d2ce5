#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
/* Test program for the init: "wait" sleeps until a signal, "orphans" leaves an orphan that
   exits and then counts zombies, "catch" reports signals (below), otherwise exits with the
   number given or dies of SIGTERM. */
static int count_zombies(void) {
  int n = 0;
  DIR* d = opendir("/proc");
  struct dirent* e;
  while (d && (e = readdir(d))) {
    char path[64], buf[512];
    if (e->d_name[0] < '0' || e->d_name[0] > '9') {
      continue;
    }
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE* f = fopen(path, "r");
    if (!f) {
      continue;
    }
    if (fgets(buf, sizeof buf, f)) {
      char* p = strrchr(buf, ')');
      if (p && p[1] == ' ' && p[2] == 'Z') {
        n++;
      }
    }
    fclose(f);
  }
  if (d) {
    closedir(d);
  }
  return n;
}
static char survives[65];

/* Writes "got N" for each signal (write(2): safe in a handler), then exits with 128 + N as a
   shell reports a death by signal, unless N was listed to survive. */
static void on_signal(int sig) {
  char line[8] = "got ";
  int n = 4;
  if (sig >= 10) {
    line[n++] = (char)('0' + sig / 10);
  }
  line[n++] = (char)('0' + sig % 10);
  line[n++] = '\n';
  if (write(1, line, (size_t)n) < 0 || !survives[sig]) {
    _exit(128 + sig);
  }
}

/* Prints the blocked and ignored signal masks of a /proc/PID/status file after PREFIX. */
static void show_signal_masks(const char* path, const char* prefix) {
  FILE* f = fopen(path, "r");
  char buf[256];
  while (f && fgets(buf, sizeof buf, f)) {
    if (!strncmp(buf, "SigBlk:", 7) || !strncmp(buf, "SigIgn:", 7)) {
      printf("%s%s", prefix, buf);
    }
  }
  if (f) {
    fclose(f);
  }
}

/* "catch [N...]": shows the masks it inherited (the init must hand back its own) and those of
   PID 1 (the init, in a container), handles every signal libc lets it, prints "ready", waits. */
static _Noreturn void catch_signals(int argc, char** argv) {
  for (int i = 2; i < argc; i++) {
    int sig = atoi(argv[i]);
    if (sig > 0 && sig <= 64) {
      survives[sig] = 1;
    }
  }
  show_signal_masks("/proc/self/status", "");
  show_signal_masks("/proc/1/status", "init ");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  for (int sig = 1; sig <= 64; sig++) {
    sigaction(sig, &sa, NULL); /* fails for SIGKILL, SIGSTOP and libc's own: those stay default */
  }
  puts("ready");
  fflush(stdout);
  for (;;) {
    pause();
  }
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "0";
  if (!strcmp(mode, "catch")) {
    catch_signals(argc, argv);
  }
  if (!strcmp(mode, "wait")) {
    puts("waiting");
    fflush(stdout);
    for (;;) {
      pause();
    }
  }
  if (!strcmp(mode, "orphans")) {
    for (int i = 0; i < 3; i++) {
      pid_t a = fork();
      if (a == 0) {
        if (fork() == 0) {
          usleep(100000);
          _exit(0);
        } /* grandchild: orphaned, exits later */
        _exit(0);
      }
      waitpid(a, NULL, 0);
    }
    usleep(800000);
    printf("zombies=%d\n", count_zombies());
    return 0;
  }
  if (!strcmp(mode, "term")) {
    kill(getpid(), SIGTERM);
    pause();
  }
  return atoi(mode);
}
