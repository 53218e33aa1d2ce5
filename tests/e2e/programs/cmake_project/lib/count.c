#include "count.h"

#include <pthread.h>
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int total;
void count_add(int n) {
  pthread_mutex_lock(&lock);
  total += n;
  pthread_mutex_unlock(&lock);
}
int count_value(void) {
  pthread_mutex_lock(&lock);
  int v = total;
  pthread_mutex_unlock(&lock);
  return v;
}
