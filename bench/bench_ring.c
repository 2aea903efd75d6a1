/* bench_ring.c - throughput of the SPSC ring across two threads.
 *
 * One producer and one consumer thread (pinned to two different CPUs when
 * the process may use two or more) move a fixed number of items through one
 * ring. Cases: 8-byte and 256-byte items, one item per push/pop call or
 * batches through push_bulk/pop_bulk. Each case runs once to warm up, then
 * REPS times; the figure is millions of items per second (items / wall time
 * from the start signal until both threads are done), reported as median and
 * median absolute deviation. The consumer checks the sequence number in each
 * item, so a broken ring cannot report a good figure.
 *
 * Waiting: when a push finds the ring full or a pop finds it empty, the
 * thread spins PAUSES cpu-relax instructions before it retries (x86 `pause`,
 * Arm `yield`). Without it the idle side re-reads the other side's index line
 * continuously and, on a machine where a cache-line transfer between cores
 * costs ~230 ns (this 2-vCPU VM), the single-item rates drop 2-3x and become
 * very noisy. Compare rings only under the same waiting policy.
 *
 * Usage: bench_ring [scale [pauses]]  (scale multiplies the item counts,
 * default 1; pauses per failed attempt, default 256)
 * Output: one plain line per case, then one JSON line per case. "preempted"
 * counts the involuntary context switches of the process during the case's
 * timed runs: with only two CPUs, anything else running steals a core from
 * one of the two spinning threads, and figures with a high count are not
 * the ring's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "error.h"
#include "ring.h"

#define REPS 7
#define DEFAULT_PAUSES 256
#define MAX_ITEM 256
#define MAX_BATCH 64

typedef struct bench_case {
  const char *name;
  size_t item_size;
  size_t batch; /* 0: single push/pop calls */
  size_t capacity;
  uint64_t items;
} bench_case;

typedef struct run_ctx {
  aatgs_ring *ring;
  const bench_case *c;
  atomic_int ready;
  atomic_int go; /* 1: start, -1: give up (the other thread could not start) */
  int cpu[2];    /* -1: not pinned */
  int yield_on_wait;
  int pauses;
  uint64_t bad; /* consumer: items whose sequence number was wrong */
} run_ctx;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void pin(int cpu) {
  cpu_set_t set;
  if (cpu < 0) return;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* Returns 1 once the start signal comes, 0 if the run is abandoned. */
static int wait_start(run_ctx *x) {
  int go;
  atomic_fetch_add(&x->ready, 1);
  while ((go = atomic_load_explicit(&x->go, memory_order_acquire)) == 0) {
  }
  return go > 0;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static inline void backoff(const run_ctx *x) {
  if (x->yield_on_wait) {
    sched_yield();
    return;
  }
  for (int i = 0; i < x->pauses; i++)
    cpu_relax();
}

static void *producer(void *arg) {
  run_ctx *x = arg;
  const bench_case *c = x->c;
  unsigned char item[MAX_ITEM * MAX_BATCH];
  uint64_t seq = 0;
  pin(x->cpu[0]);
  memset(item, 0xab, sizeof item);
  if (!wait_start(x)) return NULL;
  if (c->batch == 0) {
    while (seq < c->items) {
      memcpy(item, &seq, sizeof seq);
      while (!aatgs_ring_push(x->ring, item))
        backoff(x);
      seq++;
    }
  } else {
    while (seq < c->items) {
      uint64_t left = c->items - seq;
      size_t n = left < c->batch ? (size_t)left : c->batch, done = 0;
      for (size_t i = 0; i < n; i++) {
        uint64_t s = seq + i;
        memcpy(item + i * c->item_size, &s, sizeof s);
      }
      while (done < n) {
        size_t k = aatgs_ring_push_bulk(x->ring, item + done * c->item_size, n - done);
        if (k == 0) backoff(x);
        done += k;
      }
      seq += n;
    }
  }
  return NULL;
}

static void *consumer(void *arg) {
  run_ctx *x = arg;
  const bench_case *c = x->c;
  unsigned char item[MAX_ITEM * MAX_BATCH];
  uint64_t seq = 0, bad = 0, got;
  pin(x->cpu[1]);
  if (!wait_start(x)) return NULL;
  if (c->batch == 0) {
    while (seq < c->items) {
      while (!aatgs_ring_pop(x->ring, item))
        backoff(x);
      memcpy(&got, item, sizeof got);
      bad += got != seq;
      seq++;
    }
  } else {
    while (seq < c->items) {
      size_t k = aatgs_ring_pop_bulk(x->ring, item, c->batch);
      if (k == 0) backoff(x);
      for (size_t i = 0; i < k; i++) {
        memcpy(&got, item + i * c->item_size, sizeof got);
        bad += got != seq + i;
      }
      seq += k;
    }
  }
  x->bad = bad;
  return NULL;
}

/* One run of a case; returns M items/s, or a negative value on failure. */
static double run_once(const bench_case *c, const int cpu[2], int yield_on_wait, int pauses) {
  run_ctx x;
  pthread_t tp, tc;
  double t0, t1;
  memset(&x, 0, sizeof x);
  x.c = c;
  x.cpu[0] = cpu[0];
  x.cpu[1] = cpu[1];
  x.yield_on_wait = yield_on_wait;
  x.pauses = pauses;
  atomic_init(&x.ready, 0);
  atomic_init(&x.go, 0);
  if (aatgs_ring_create(&x.ring, c->capacity, c->item_size) != AATGS_OK) return -1.0;
  if (pthread_create(&tp, NULL, producer, &x) != 0) {
    aatgs_ring_destroy(x.ring);
    return -1.0;
  }
  if (pthread_create(&tc, NULL, consumer, &x) != 0) {
    atomic_store(&x.go, -1);
    pthread_join(tp, NULL);
    aatgs_ring_destroy(x.ring);
    return -1.0;
  }
  while (atomic_load(&x.ready) < 2)
    sched_yield();
  t0 = now_s();
  atomic_store_explicit(&x.go, 1, memory_order_release);
  pthread_join(tp, NULL);
  pthread_join(tc, NULL);
  t1 = now_s();
  aatgs_ring_destroy(x.ring);
  if (x.bad != 0) {
    fprintf(stderr, "bench_ring: %s: %llu items out of sequence\n", c->name,
            (unsigned long long)x.bad);
    return -1.0;
  }
  return (double)c->items / (t1 - t0) / 1e6;
}

static long involuntary_switches(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return ru.ru_nivcsw;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Chooses two distinct CPUs this process may run on; -1 where it cannot. */
static int pick_cpus(int cpu[2]) {
  cpu_set_t set;
  int found = 0;
  cpu[0] = cpu[1] = -1;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  for (int i = 0; i < CPU_SETSIZE && found < 2; i++)
    if (CPU_ISSET(i, &set)) cpu[found++] = i;
  if (found < 2) cpu[0] = cpu[1] = -1;
  return found;
}

int main(int argc, char **argv) {
  double scale = 1.0;
  int cpu[2], ncpu, yield_on_wait, pauses = DEFAULT_PAUSES;
  bench_case cases[] = {
      {"8B-single", 8, 0, 4096, 40000000},
      {"8B-bulk32", 8, 32, 4096, 80000000},
      {"256B-single", 256, 0, 1024, 8000000},
      {"256B-bulk32", 256, 32, 1024, 8000000},
  };
  const size_t ncases = sizeof cases / sizeof cases[0];
  double med[sizeof cases / sizeof cases[0]], mad[sizeof cases / sizeof cases[0]];
  long preempted[sizeof cases / sizeof cases[0]];

  if (argc > 1) {
    char *end;
    errno = 0;
    scale = strtod(argv[1], &end);
    if (errno || *end || !(scale > 0)) {
      fprintf(stderr, "usage: %s [scale > 0 [pauses >= 0]]\n", argv[0]);
      return 2;
    }
  }
  if (argc > 2) {
    char *end;
    long v;
    errno = 0;
    v = strtol(argv[2], &end, 10);
    if (errno || *end || v < 0 || v > 1000000) {
      fprintf(stderr, "usage: %s [scale > 0 [pauses >= 0]]\n", argv[0]);
      return 2;
    }
    pauses = (int)v;
  }
  ncpu = pick_cpus(cpu);
  yield_on_wait = ncpu < 2; /* one CPU: spinning would only burn the other's slice */
  if (cpu[0] >= 0)
    printf("ring bench: producer on CPU %d, consumer on CPU %d, %d reps after 1 warm-up, "
           "%d pauses per failed push/pop\n",
           cpu[0], cpu[1], REPS, pauses);
  else
    printf("ring bench: threads not pinned (fewer than 2 CPUs usable), %d reps\n", REPS);

  for (size_t i = 0; i < ncases; i++) {
    bench_case *c = &cases[i];
    double v[REPS], dev[REPS];
    c->items = (uint64_t)((double)c->items * scale);
    if (c->items < 1000) c->items = 1000;
    if (run_once(c, cpu, yield_on_wait, pauses) < 0) return 1; /* warm-up */
    preempted[i] = involuntary_switches();
    for (int r = 0; r < REPS; r++) {
      v[r] = run_once(c, cpu, yield_on_wait, pauses);
      if (v[r] < 0) return 1;
    }
    preempted[i] = involuntary_switches() - preempted[i];
    med[i] = median(v, REPS);
    for (int r = 0; r < REPS; r++)
      dev[r] = v[r] > med[i] ? v[r] - med[i] : med[i] - v[r];
    mad[i] = median(dev, REPS);
    printf("%-12s item=%3zuB batch=%2zu cap=%4zu items=%9llu  median %8.2f M items/s  MAD %6.2f"
           "  preempted %ld\n",
           c->name, c->item_size, c->batch, c->capacity, (unsigned long long)c->items, med[i],
           mad[i], preempted[i]);
    fflush(stdout);
  }
  for (size_t i = 0; i < ncases; i++)
    printf("{\"bench\":\"ring\",\"case\":\"%s\",\"item_size\":%zu,\"batch\":%zu,"
           "\"median_mitems_s\":%.3f,\"mad\":%.3f,\"reps\":%d,\"pauses\":%d,"
           "\"preempted\":%ld}\n",
           cases[i].name, cases[i].item_size, cases[i].batch, med[i], mad[i], REPS,
           yield_on_wait ? 0 : pauses, preempted[i]);
  return 0;
}
