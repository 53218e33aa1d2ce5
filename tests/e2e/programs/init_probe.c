#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
/* Test program for the init: "wait" sleeps until a signal, "orphans" leaves an orphan that
   exits and then counts zombies, otherwise exits with the number given or dies of SIGTERM. */
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
int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "0";
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
