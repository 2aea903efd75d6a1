/* bench_ring.c - throughput of our SPSC ring against Concurrency Kit's
 * ck_ring, across two threads (issue [5], item 2).
 *
 * One producer and one consumer thread (pinned to two different CPUs when
 * the process may use two or more) move a fixed number of items through one
 * ring created for the run. Cases:
 *   "8B single"    8-byte (pointer-sized) items, one push/pop per item:
 *                  ours (aatgs_ring_push/pop) against ck_ring_enqueue_spsc /
 *                  ck_ring_dequeue_spsc (ck's pointer ring);
 *   "256B single"  256-byte items copied by value: ours against ck's typed
 *                  ring (CK_RING_PROTOTYPE, which memcpy's the struct);
 *   "8B bulk32", "256B bulk32"  ours only, batches of 32 through
 *                  push_bulk/pop_bulk (ck_ring has no SPSC bulk call).
 * Both rings get the same number of slots (4096 for 8 B, 1024 for 256 B; ck
 * uses one slot fewer, as its full test sacrifices one), the same threads,
 * pinning and waiting policy, and the same correctness check. ck_ring is
 * header-only and inlines into this file, while our ring is called through
 * engine/ring.c in a static library: ck keeps that advantage.
 *
 * Correctness, the idea of the stress test in tests/test_ring.c applied to
 * both rings: every item carries its sequence number, the consumer compares
 * each item with the one it must be (8 B: the value is the sequence number;
 * 256 B: words 0, 15 and 31 hold the sequence number xor a per-word
 * constant, word 7 a constant filler, so loss, duplication, reordering and
 * torn copies all show). After both threads are done the main thread pops
 * once more: nothing may be left. If the producer has finished and the ring
 * stays empty before the consumer has all its items, the missing ones are
 * counted instead of waiting for ever. Any bad, missing or extra item makes
 * the run fail (exit status 1).
 *
 * Waiting: when a push finds the ring full or a pop finds it empty, the
 * thread spins `pauses` cpu-relax instructions before it retries (x86
 * `pause`, Arm `yield`). Without it the idle side re-reads the other side's
 * index line continuously and, on a machine where a cache-line transfer
 * between cores costs ~230 ns (a 2-vCPU VM), the single-item rates drop
 * 2-3x and become very noisy. Both rings wait the same way.
 *
 * Method: the two rings of a case are interleaved A B B A ... (abh_abab,
 * one warm-up each, REPS pairs); the figure of a run is items / seconds from
 * the start signal to the consumer's last item. Per case and ring the median
 * items/s and MAD go out through abh_emit, and per case the per-pair ratio
 * aatgs/ck_ring as its own record. "preempted" counts the involuntary
 * context switches of the process during a ring's timed runs: with two CPUs,
 * anything else running steals a core from one of the spinning threads.
 *
 * Usage: bench_ring [scale [pauses]]  (scale multiplies the item counts,
 * default 1, e.g. 0.1 for a quick check; pauses per failed attempt, default
 * 256). Without Concurrency Kit at configure time (cmake/bench_ck.cmake)
 * only our ring is measured, and the output says the peer was not built.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "error.h"
#include "harness.h"
#include "ring.h"

#ifdef AATGS_HAVE_CK
#include <ck_ring.h>
#endif

#define REPS 7
#define WARMUP 1
#define DEFAULT_PAUSES 256
#define BATCH 32
#define WORDS 32 /* 256-byte items */
#define LINE 128 /* keeps fields written by different threads apart */
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static const uint64_t K15 = 0x9e3779b97f4a7c15ULL, K31 = 0xc2b2ae3d27d4eb4fULL;
static const uint64_t FILLER = 0xabababababababab;

struct item256 {
  uint64_t w[WORDS];
};

#ifdef AATGS_HAVE_CK
CK_RING_PROTOTYPE(item256, item256)
#define HAVE_CK 1
#else
#define HAVE_CK 0
#endif

enum { OURS, CK };

typedef struct bench_case {
  const char *name;
  size_t item_size; /* 8 or 256 */
  size_t batch;     /* 0: single push/pop calls */
  size_t slots;     /* a power of two */
  uint64_t items;
} bench_case;

typedef struct run_ctx {
  const bench_case *c;
  aatgs_ring *ours;
#ifdef AATGS_HAVE_CK
  ck_ring_t *ck;
  void *ck_buf;
#endif
  int cpu[2]; /* -1: not pinned */
  int yield_on_wait;
  int pauses;
  atomic_int ready;
  atomic_int go; /* 1: start, -1: give up (the other thread could not start) */
  /* Each set once at the end of its side; read only on a failed push/pop. */
  alignas(LINE) atomic_int producer_done;
  alignas(LINE) atomic_int consumer_done;
  /* Consumer results. */
  alignas(LINE) uint64_t bad, missing, first_bad;
  double t_end;
} run_ctx;

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

/* ---- the items and their check ----------------------------------------- */

static ALWAYS_INLINE void mark256(struct item256 *it, uint64_t seq) {
  it->w[0] = seq;
  it->w[15] = seq ^ K15;
  it->w[31] = seq ^ K31;
}

static ALWAYS_INLINE int bad256(const struct item256 *it, uint64_t seq) {
  return (it->w[0] != seq) | (it->w[15] != (seq ^ K15)) | (it->w[31] != (seq ^ K31)) |
         (it->w[7] != FILLER);
}

/* ---- the two rings behind one set of calls ------------------------------
 * `kind` is a constant at every call site, so each producer/consumer below
 * compiles to straight calls of one ring. */

static ALWAYS_INLINE bool push8(run_ctx *x, const int kind, uint64_t v) {
#ifdef AATGS_HAVE_CK
  if (kind == CK) return ck_ring_enqueue_spsc(x->ck, x->ck_buf, (void *)(uintptr_t)v);
#endif
  (void)kind;
  return aatgs_ring_push(x->ours, &v);
}

static ALWAYS_INLINE bool pop8(run_ctx *x, const int kind, uint64_t *v) {
#ifdef AATGS_HAVE_CK
  if (kind == CK) {
    void *p;
    if (!ck_ring_dequeue_spsc(x->ck, x->ck_buf, &p)) return false;
    *v = (uint64_t)(uintptr_t)p;
    return true;
  }
#endif
  (void)kind;
  return aatgs_ring_pop(x->ours, v);
}

static ALWAYS_INLINE bool push256(run_ctx *x, const int kind, struct item256 *it) {
#ifdef AATGS_HAVE_CK
  if (kind == CK) return ck_ring_enqueue_spsc_item256(x->ck, x->ck_buf, it);
#endif
  (void)kind;
  return aatgs_ring_push(x->ours, it);
}

static ALWAYS_INLINE bool pop256(run_ctx *x, const int kind, struct item256 *it) {
#ifdef AATGS_HAVE_CK
  if (kind == CK) return ck_ring_dequeue_spsc_item256(x->ck, x->ck_buf, it);
#endif
  (void)kind;
  return aatgs_ring_pop(x->ours, it);
}

/* A failed push waits; false when the consumer has given up. */
static ALWAYS_INLINE bool push_failed(run_ctx *x) {
  if (UNLIKELY(atomic_load_explicit(&x->consumer_done, memory_order_acquire))) return false;
  backoff(x);
  return true;
}

/* ---- single-item producer and consumer ---------------------------------- */

static ALWAYS_INLINE void produce_single(run_ctx *x, const int kind, const int big) {
  const uint64_t n = x->c->items;
  struct item256 it;
  memset(&it, 0xab, sizeof it);
  for (uint64_t s = 0; s < n; s++) {
    if (big) {
      mark256(&it, s);
      while (!push256(x, kind, &it))
        if (!push_failed(x)) return;
    } else {
      while (!push8(x, kind, s))
        if (!push_failed(x)) return;
    }
  }
}

/* Pops one item, waiting while the ring is empty; false when the producer
 * has finished and the ring stayed empty (items were lost). */
static ALWAYS_INLINE bool wait_pop(run_ctx *x, const int kind, const int big, uint64_t *v,
                                   struct item256 *it) {
  for (;;) {
    if (big ? pop256(x, kind, it) : pop8(x, kind, v)) return true;
    if (UNLIKELY(atomic_load_explicit(&x->producer_done, memory_order_acquire)))
      return big ? pop256(x, kind, it) : pop8(x, kind, v);
    backoff(x);
  }
}

static ALWAYS_INLINE void consume_single(run_ctx *x, const int kind, const int big) {
  const uint64_t n = x->c->items;
  uint64_t s, bad = 0, first_bad = UINT64_MAX, v = 0;
  struct item256 it;
  for (s = 0; s < n; s++) {
    if (!wait_pop(x, kind, big, &v, &it)) break;
    if (UNLIKELY(big ? bad256(&it, s) : v != s)) {
      if (!bad) first_bad = s;
      bad++;
    }
  }
  x->t_end = abh_now();
  x->bad = bad;
  x->first_bad = first_bad;
  x->missing = n - s;
}

/* ---- bulk producer and consumer (our ring only) -------------------------- */

static void produce_bulk(run_ctx *x) {
  const bench_case *c = x->c;
  alignas(64) unsigned char buf[256 * BATCH];
  uint64_t seq = 0;
  memset(buf, 0xab, sizeof buf);
  while (seq < c->items) {
    uint64_t left = c->items - seq;
    size_t n = left < c->batch ? (size_t)left : c->batch, done = 0;
    for (size_t i = 0; i < n; i++) {
      if (c->item_size == 8)
        memcpy(buf + 8 * i, &(uint64_t){seq + i}, 8);
      else
        mark256((struct item256 *)(void *)(buf + 256 * i), seq + i);
    }
    while (done < n) {
      size_t k = aatgs_ring_push_bulk(x->ours, buf + done * c->item_size, n - done);
      if (k == 0 && !push_failed(x)) return;
      done += k;
    }
    seq += n;
  }
}

static void consume_bulk(run_ctx *x) {
  const bench_case *c = x->c;
  alignas(64) unsigned char buf[256 * BATCH];
  uint64_t seq = 0, bad = 0, first_bad = UINT64_MAX;
  while (seq < c->items) {
    uint64_t left = c->items - seq;
    size_t want = left < c->batch ? (size_t)left : c->batch;
    size_t k = aatgs_ring_pop_bulk(x->ours, buf, want);
    if (k == 0) {
      if (atomic_load_explicit(&x->producer_done, memory_order_acquire)) {
        k = aatgs_ring_pop_bulk(x->ours, buf, want);
        if (k == 0) break;
      } else {
        backoff(x);
        continue;
      }
    }
    for (size_t i = 0; i < k; i++) {
      int b;
      if (c->item_size == 8) {
        uint64_t v;
        memcpy(&v, buf + 8 * i, 8);
        b = v != seq + i;
      } else {
        b = bad256((const struct item256 *)(const void *)(buf + 256 * i), seq + i);
      }
      if (UNLIKELY(b)) {
        if (!bad) first_bad = seq + i;
        bad++;
      }
    }
    seq += k;
  }
  x->t_end = abh_now();
  x->bad = bad;
  x->first_bad = first_bad;
  x->missing = c->items - seq;
}

/* ---- thread entry points ------------------------------------------------- */

typedef void *(*thread_fn)(void *);

#define SIDES(name, produce, consume)                                                              \
  static void *name##_producer(void *arg) {                                                        \
    run_ctx *x = arg;                                                                              \
    pin(x->cpu[0]);                                                                                \
    if (wait_start(x)) produce;                                                                    \
    atomic_store_explicit(&x->producer_done, 1, memory_order_release);                             \
    return NULL;                                                                                   \
  }                                                                                                \
  static void *name##_consumer(void *arg) {                                                        \
    run_ctx *x = arg;                                                                              \
    pin(x->cpu[1]);                                                                                \
    if (wait_start(x)) consume;                                                                    \
    atomic_store_explicit(&x->consumer_done, 1, memory_order_release);                             \
    return NULL;                                                                                   \
  }

SIDES(ours8, produce_single(x, OURS, 0), consume_single(x, OURS, 0))
SIDES(ours256, produce_single(x, OURS, 1), consume_single(x, OURS, 1))
SIDES(ours_bulk, produce_bulk(x), consume_bulk(x))
#ifdef AATGS_HAVE_CK
SIDES(ck8, produce_single(x, CK, 0), consume_single(x, CK, 0))
SIDES(ck256, produce_single(x, CK, 1), consume_single(x, CK, 1))
#endif

/* ---- one timed run ------------------------------------------------------- */

typedef struct candidate {
  const char *name; /* "aatgs" or "ck_ring" */
  int kind;
  const bench_case *c;
  const int *cpu;
  int yield_on_wait, pauses;
  long preempted; /* over all its runs, the warm-up included */
  uint64_t runs, items_checked;
} candidate;

static long involuntary_switches(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return ru.ru_nivcsw;
}

static int make_ring(run_ctx *x, int kind) {
  const bench_case *c = x->c;
#ifdef AATGS_HAVE_CK
  if (kind == CK) {
    /* ck_ring's fields are laid out on separate cache lines: align it. */
    x->ck = aligned_alloc(LINE, (sizeof *x->ck + LINE - 1) / LINE * LINE);
    x->ck_buf = aligned_alloc(LINE, c->slots * c->item_size);
    if (!x->ck || !x->ck_buf) return -1;
    /* Left untouched, as aatgs_ring_create leaves ours: first-touch page
     * faults then fall alike in both rings' timed runs. */
    ck_ring_init(x->ck, (unsigned)c->slots);
    return 0;
  }
#endif
  (void)kind;
  return aatgs_ring_create(&x->ours, c->slots, c->item_size) == AATGS_OK ? 0 : -1;
}

static void free_ring(run_ctx *x) {
  aatgs_ring_destroy(x->ours);
#ifdef AATGS_HAVE_CK
  free(x->ck);
  free(x->ck_buf);
#endif
}

/* Nothing may be left once every item has been consumed; called after both
 * threads have been joined, so this thread may act as the consumer. */
static bool leftover(run_ctx *x, int kind) {
  uint64_t v;
  struct item256 it;
  if (x->c->batch) return aatgs_ring_pop(x->ours, x->c->item_size == 8 ? (void *)&v : &it);
  return x->c->item_size == 8 ? pop8(x, kind, &v) : pop256(x, kind, &it);
}

static int run_once(void *arg, double *value) {
  candidate *cd = arg;
  const bench_case *c = cd->c;
  thread_fn prod, cons;
  run_ctx *x;
  pthread_t tp, tc;
  double t0;
  long sw0;
  int rc = -1;
  if (c->batch) {
    prod = ours_bulk_producer, cons = ours_bulk_consumer;
  } else if (cd->kind == OURS) {
    prod = c->item_size == 8 ? ours8_producer : ours256_producer;
    cons = c->item_size == 8 ? ours8_consumer : ours256_consumer;
  } else {
#ifdef AATGS_HAVE_CK
    prod = c->item_size == 8 ? ck8_producer : ck256_producer;
    cons = c->item_size == 8 ? ck8_consumer : ck256_consumer;
#else
    return -1;
#endif
  }
  x = aligned_alloc(LINE, (sizeof *x + LINE - 1) / LINE * LINE);
  if (!x) return -1;
  memset(x, 0, sizeof *x);
  x->c = c;
  x->cpu[0] = cd->cpu[0];
  x->cpu[1] = cd->cpu[1];
  x->yield_on_wait = cd->yield_on_wait;
  x->pauses = cd->pauses;
  atomic_init(&x->ready, 0);
  atomic_init(&x->go, 0);
  atomic_init(&x->producer_done, 0);
  atomic_init(&x->consumer_done, 0);
  if (make_ring(x, cd->kind) != 0) {
    fprintf(stderr, "bench_ring: %s %s: out of memory\n", c->name, cd->name);
    goto out;
  }
  if (pthread_create(&tp, NULL, prod, x) != 0) {
    fprintf(stderr, "bench_ring: cannot start the producer thread\n");
    goto out;
  }
  if (pthread_create(&tc, NULL, cons, x) != 0) {
    fprintf(stderr, "bench_ring: cannot start the consumer thread\n");
    atomic_store(&x->go, -1);
    pthread_join(tp, NULL);
    goto out;
  }
  while (atomic_load(&x->ready) < 2)
    sched_yield();
  sw0 = involuntary_switches();
  t0 = abh_now();
  atomic_store_explicit(&x->go, 1, memory_order_release);
  pthread_join(tp, NULL);
  pthread_join(tc, NULL);
  cd->preempted += involuntary_switches() - sw0;
  cd->runs++;
  cd->items_checked += c->items - x->missing;
  {
    bool extra = leftover(x, cd->kind);
    if (x->bad || x->missing || extra) {
      fprintf(stderr,
              "bench_ring: %s %s: FAILED the sequence check: %llu of %llu items wrong (first "
              "#%llu), %llu missing, %s\n",
              c->name, cd->name, (unsigned long long)x->bad, (unsigned long long)c->items,
              (unsigned long long)x->first_bad, (unsigned long long)x->missing,
              extra ? "items left over" : "nothing left over");
      goto out;
    }
  }
  *value = (double)c->items / (x->t_end - t0);
  rc = 0;
out:
  free_ring(x);
  free(x);
  return rc;
}

/* ---- reporting ------------------------------------------------------------ */

static int emit(const candidate *cd, const double *v, int n) {
  const bench_case *c = cd->c;
  char extra[320];
  snprintf(extra, sizeof extra,
           "\"item_bytes\":%zu,\"batch\":%zu,\"slots\":%zu,\"items\":%llu,\"bad\":0,"
           "\"checked\":%llu,\"pauses\":%d,\"pinned\":%s,\"preempted\":%ld",
           c->item_size, c->batch, c->slots, (unsigned long long)c->items,
           (unsigned long long)cd->items_checked, cd->yield_on_wait ? 0 : cd->pauses,
           cd->cpu[0] >= 0 ? "true" : "false", cd->preempted);
  abh_result r = {"ring", c->name, cd->name, "items_per_s", "items/s", 1, v, n, extra};
  return abh_emit(&r);
}

static void table_row(const candidate *cd, const double *v, int n) {
  abh_stats s;
  abh_stats_of(v, n, &s);
  printf("%-12s %-8s %5zuB %5zu %10.2f %8.2f %8.2f %8.2f %9ld\n", cd->c->name, cd->name,
         cd->c->item_size, cd->c->batch, s.median / 1e6, s.mad / 1e6, s.min / 1e6, s.max / 1e6,
         cd->preempted);
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

static int usage(const char *argv0) {
  fprintf(stderr, "usage: %s [scale > 0 [pauses 0..1000000]]\n", argv0);
  return 2;
}

int main(int argc, char **argv) {
  double scale = 1.0;
  int cpu[2], yield_on_wait, pauses = DEFAULT_PAUSES;
  bench_case cases[] = {
      {"8B single", 8, 0, 4096, 40000000},
      {"256B single", 256, 0, 1024, 8000000},
      {"8B bulk32", 8, BATCH, 4096, 80000000},
      {"256B bulk32", 256, BATCH, 1024, 8000000},
  };
  const size_t ncases = sizeof cases / sizeof cases[0];
  double ratio_med[2] = {0, 0}, ratio_mad[2] = {0, 0};

  if (argc > 3) return usage(argv[0]);
  if (argc > 1) {
    char *end;
    errno = 0;
    scale = strtod(argv[1], &end);
    if (errno || end == argv[1] || *end || !(scale > 0)) return usage(argv[0]);
  }
  if (argc > 2) {
    char *end;
    long v;
    errno = 0;
    v = strtol(argv[2], &end, 10);
    if (errno || end == argv[2] || *end || v < 0 || v > 1000000) return usage(argv[0]);
    pauses = (int)v;
  }
  yield_on_wait = pick_cpus(cpu) < 2; /* one CPU: spinning would only burn the other's slice */
  if (cpu[0] >= 0)
    printf("ring bench: producer on CPU %d, consumer on CPU %d, %d reps after %d warm-up, "
           "%d pauses per failed push/pop\n",
           cpu[0], cpu[1], REPS, WARMUP, pauses);
  else
    printf("ring bench: threads not pinned (fewer than 2 CPUs usable), yield on wait, %d reps\n",
           REPS);
  if (!HAVE_CK)
    printf("ring bench: the ck_ring peer was not built (Concurrency Kit not found at configure "
           "time, see cmake/bench_ck.cmake): our ring only\n");
  printf("%-12s %-8s %6s %5s %10s %8s %8s %8s %9s\n", "case", "ring", "item", "batch", "M items/s",
         "MAD", "min", "max", "preempted");

  for (size_t i = 0; i < ncases; i++) {
    bench_case *c = &cases[i];
    double va[REPS], vb[REPS], ratio[REPS];
    candidate a = {"aatgs", OURS, c, cpu, yield_on_wait, pauses, 0, 0, 0};
    candidate b = {"ck_ring", CK, c, cpu, yield_on_wait, pauses, 0, 0, 0};
    c->items = (uint64_t)((double)c->items * scale);
    if (c->items < 1000) c->items = 1000;
    if (c->batch == 0 && HAVE_CK) {
      if (abh_abab(run_once, &a, run_once, &b, WARMUP, REPS, va, vb) != 0) return 1;
      abh_ratios(va, vb, REPS, ratio);
      table_row(&a, va, REPS);
      table_row(&b, vb, REPS);
      if (emit(&a, va, REPS) || emit(&b, vb, REPS)) return 1;
      char extra[96];
      snprintf(extra, sizeof extra, "\"item_bytes\":%zu,\"aim\":1.5", c->item_size);
      abh_result r = {"ring", c->name, "aatgs/ck_ring", "ratio", "x", 1, ratio, REPS, extra};
      if (abh_emit(&r)) return 1;
      abh_stats s;
      abh_stats_of(ratio, REPS, &s);
      ratio_med[c->item_size == 8 ? 0 : 1] = s.median;
      ratio_mad[c->item_size == 8 ? 0 : 1] = s.mad;
    } else {
      if (abh_run(run_once, &a, WARMUP, REPS, va) != 0) return 1;
      table_row(&a, va, REPS);
      if (emit(&a, va, REPS)) return 1;
    }
    fflush(stdout);
  }
  if (HAVE_CK)
    for (int k = 0; k < 2; k++)
      printf("aatgs/ck_ring %s single: median per-pair ratio %.2fx (MAD %.2f), aim >= 1.5x: %s\n",
             k == 0 ? "8B" : "256B", ratio_med[k], ratio_mad[k],
             ratio_med[k] >= 1.5 ? "met" : "NOT met");
  printf("every item of every run passed the sequence check\n");
  return 0;
}
