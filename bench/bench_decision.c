/* bench_decision.c - cost of one scheduling decision (pick + one on_ready)
 * at a steady ready-set size N, for every registered policy and for a
 * literal baseline of the design report's method.
 *
 * Steady state: the ready set is filled to N, then each decision picks one
 * task for a kernel stream (round robin over 4) and makes one new task ready,
 * so the set stays at N. The graph holds N + M independent kernel tasks of 8
 * types (the 6 built-in kernel types and 2 custom ones) with estimates spread
 * over 0.5x..1.5x of their type's default. The adaptive view keeps the GPU
 * saturated (gpu_util 0.9), so its long-task penalty is active.
 *
 * The baseline ("report_sort") is the report's schedule_next done literally:
 * keep the ready tasks in an array; on every pick compute every ready task's
 * priority (base 1.0, the config and telemetry boosts, the long-task penalty
 * on the estimate), qsort the whole list by priority (ties in ready order)
 * and take the head. It is in this file only, for comparison.
 *
 * Method: one untimed warm-up batch per candidate, then REPS timed batches;
 * candidates are interleaved within every repetition (A B C ... A B C ...)
 * so drifts of the machine hit them alike. Each batch times `picks`
 * decisions with CLOCK_MONOTONIC; ns per decision = batch time / picks. We
 * print the median and the median absolute deviation over the repetitions,
 * and one JSON line per case. The baseline gets fewer picks at large N.
 *
 * Usage: bench_decision [--quick] [NAME ...]
 *   --quick  10x fewer picks (a smoke test, not a measurement)
 *   NAME     only these candidates (policy names or report_sort); all by default
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graph.h"
#include "policy.h"
#include "rng.h"

#define REPS 7
#define N_KSTREAMS 4
#define MAX_CANDS 8

/* ---------------- the report's method, literally ---------------- */

typedef struct sort_item {
  double prio;
  uint32_t seq;
  uint32_t idx; /* position in the ready array */
} sort_item;

typedef struct report_sort {
  const aatgs_graph *g;
  const aatgs_pipeline_view *view;
  uint32_t *ready_task, *ready_seq;
  uint32_t n, cap, next_seq;
  sort_item *tmp;
} report_sort;

static int report_sort_init(report_sort *b, const aatgs_graph *g, const aatgs_pipeline_view *v,
                            uint32_t cap) {
  memset(b, 0, sizeof *b);
  b->g = g;
  b->view = v;
  b->cap = cap;
  b->ready_task = malloc((size_t)cap * sizeof *b->ready_task);
  b->ready_seq = malloc((size_t)cap * sizeof *b->ready_seq);
  b->tmp = malloc((size_t)cap * sizeof *b->tmp);
  return b->ready_task && b->ready_seq && b->tmp ? 0 : -1;
}

static void report_sort_free(report_sort *b) {
  free(b->ready_task);
  free(b->ready_seq);
  free(b->tmp);
}

static void report_sort_ready(report_sort *b, uint32_t task) {
  if (b->n == b->cap) return;
  b->ready_task[b->n] = task;
  b->ready_seq[b->n] = b->next_seq++;
  b->n++;
}

static double report_priority(const report_sort *b, uint32_t task) {
  double p = 1.0;
  uint32_t type = aatgs_graph_task_type(b->g, task);
  if (type == AATGS_TT_CONFIG_UPLOAD && b->view->config_util < 0.3) p *= 2.0;
  if (type == AATGS_TT_TELEMETRY_DOWNLOAD && b->view->telemetry_pending > 50) p *= 1.5;
  if (b->view->gpu_util > 0.8 && aatgs_graph_task_estimate(b->g, task) > 10 * AATGS_NS_PER_MS)
    p *= 0.7;
  return p;
}

static int sort_cmp(const void *x, const void *y) {
  const sort_item *a = x, *b = y;
  if (a->prio != b->prio) return a->prio > b->prio ? -1 : 1;
  return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

static int report_sort_pick(report_sort *b, const aatgs_stream_info *s, aatgs_choice *out) {
  uint32_t m = 0;
  for (uint32_t i = 0; i < b->n; i++) {
    uint32_t t = b->ready_task[i];
    if (aatgs_graph_task_class(b->g, t) != s->cls) continue;
    b->tmp[m].prio = report_priority(b, t);
    b->tmp[m].seq = b->ready_seq[i];
    b->tmp[m].idx = i;
    m++;
  }
  if (m == 0) return 0;
  qsort(b->tmp, m, sizeof *b->tmp, sort_cmp);
  uint32_t i = b->tmp[0].idx;
  out->task = b->ready_task[i];
  out->priority = b->tmp[0].prio;
  b->n--;
  b->ready_task[i] = b->ready_task[b->n];
  b->ready_seq[i] = b->ready_seq[b->n];
  return 1;
}

/* ---------------- candidates ---------------- */

typedef struct cand {
  const char *name;
  const aatgs_policy_ops *ops; /* NULL: the report_sort baseline */
  aatgs_policy pol;
  report_sort base;
  uint32_t picks; /* per batch */
  uint32_t next;  /* next task to make ready */
  uint32_t rr;
  uint64_t checksum;
  double ns[REPS];
} cand;

static aatgs_stream_info kstreams[N_KSTREAMS + 2];

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void ready(cand *c, uint32_t task) {
  if (c->ops)
    c->ops->on_ready(&c->pol, task, 0);
  else
    report_sort_ready(&c->base, task);
}

/* One batch of decisions; returns ns per decision. */
static double batch(cand *c, uint32_t n_tasks) {
  aatgs_choice ch;
  uint64_t sum = 0;
  double t0 = now_s();
  for (uint32_t i = 0; i < c->picks; i++) {
    const aatgs_stream_info *s = &kstreams[c->rr++ & (N_KSTREAMS - 1)];
    int got = c->ops ? c->ops->pick(&c->pol, s, 0, &ch) : report_sort_pick(&c->base, s, &ch);
    if (!got || c->next >= n_tasks) {
      fprintf(stderr, "bench_decision: %s ran dry\n", c->name);
      exit(1);
    }
    sum += ch.task;
    ready(c, c->next++);
  }
  double t1 = now_s();
  c->checksum += sum;
  return (t1 - t0) * 1e9 / (double)c->picks;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void stats(const double *x, int n, double *med, double *mad) {
  double v[REPS], d[REPS];
  memcpy(v, x, (size_t)n * sizeof *v);
  *med = median(v, n);
  for (int i = 0; i < n; i++)
    d[i] = x[i] > *med ? x[i] - *med : *med - x[i];
  *mad = median(d, n);
}

static aatgs_graph *make_graph(uint32_t n_tasks) {
  aatgs_graph *g = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  if (aatgs_graph_create(&g, n_tasks, 0) != AATGS_OK) return NULL;
  uint32_t types[8] = {AATGS_TT_WHCR, AATGS_TT_THERMODYNAMIC,    AATGS_TT_QUANTUM,
                       AATGS_TT_LBS,  AATGS_TT_PHASE_TRANSITION, AATGS_TT_CUSTOM};
  if (aatgs_graph_add_type(g, "gemm", 7 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, &types[6]) ||
      aatgs_graph_add_type(g, "fft", 12 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, &types[7]))
    goto fail;
  aatgs_rng rng;
  aatgs_rng_seed(&rng, 0xdec1510);
  for (uint32_t i = 0; i < n_tasks; i++) {
    uint32_t ty = types[aatgs_rng_below(&rng, 8)];
    aatgs_ns def = aatgs_graph_type(g, ty)->default_est_ns;
    aatgs_ns est = (aatgs_ns)((double)def * (0.5 + aatgs_rng_uniform(&rng)));
    uint32_t id;
    if (aatgs_graph_add_task(g, ty, est > 0 ? est : 1, NULL, 0, &id, &err) != AATGS_OK) goto fail;
  }
  if (aatgs_graph_finalize(g, &err) != AATGS_OK) goto fail;
  return g;
fail:
  fprintf(stderr, "bench_decision: graph: %s\n", err.msg);
  aatgs_graph_destroy(g);
  return NULL;
}

static uint32_t sort_picks(uint32_t n, int quick) {
  uint32_t k = n <= 10 ? 20000 : n <= 1000 ? 300 : n <= 10000 ? 30 : 3;
  return quick && k > 10 ? k / 10 : k;
}

static int wanted(int argc, char **argv, const char *name) {
  int any = 0;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') continue;
    any = 1;
    if (strcmp(argv[i], name) == 0) return 1;
  }
  return !any;
}

int main(int argc, char **argv) {
  int quick = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      quick = 1;
    } else if (argv[i][0] == '-' ||
               (!aatgs_policy_find(argv[i]) && strcmp(argv[i], "report_sort"))) {
      char names[256];
      aatgs_policy_names(names, sizeof names);
      fprintf(stderr, "usage: bench_decision [--quick] [NAME ...]   (NAME: %s, report_sort)\n",
              names);
      return 2;
    }
  }
  const uint32_t sizes[] = {10, 1000, 10000, 100000};
  const uint32_t policy_picks = quick ? 20000 : 200000;
  for (uint32_t s = 0; s < N_KSTREAMS; s++) {
    kstreams[s].id = s;
    kstreams[s].cls = AATGS_CLASS_KERNEL;
    snprintf(kstreams[s].name, sizeof kstreams[s].name, "kernel-%u", s);
  }
  kstreams[N_KSTREAMS] = (aatgs_stream_info){N_KSTREAMS, AATGS_CLASS_UPLOAD, "config-upload"};
  kstreams[N_KSTREAMS + 1] =
      (aatgs_stream_info){N_KSTREAMS + 1, AATGS_CLASS_DOWNLOAD, "telemetry-download"};
  aatgs_pipeline_view view;
  memset(&view, 0, sizeof view);
  view.config_util = 0.5;
  view.telemetry_pending = 10;
  view.gpu_util = 0.9;

  double t_start = now_s();
  printf("decision cost: pick + on_ready at a steady ready set of N kernel tasks, %d reps\n", REPS);
  printf("%8s  %-14s %10s %10s %10s\n", "N", "policy", "median_ns", "mad_ns", "picks/rep");
  for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
    uint32_t N = sizes[si];
    uint32_t n_tasks = N + (REPS + 1) * policy_picks;
    aatgs_graph *g = make_graph(n_tasks);
    if (!g) return 1;
    view.ready[AATGS_CLASS_KERNEL] = N;
    view.total = n_tasks;
    cand cands[MAX_CANDS];
    int nc = 0;
    memset(cands, 0, sizeof cands);
    for (uint32_t i = 0; i < aatgs_policy_count() && nc < MAX_CANDS - 1; i++) {
      if (!wanted(argc, argv, aatgs_policy_at(i)->name)) continue;
      cand *c = &cands[nc++];
      c->ops = aatgs_policy_at(i);
      c->name = c->ops->name;
      c->picks = policy_picks;
      aatgs_policy_ctx ctx = {g, kstreams, N_KSTREAMS + 2, &view, 1};
      aatgs_err err;
      aatgs_err_clear(&err);
      if (aatgs_policy_init(&c->pol, c->ops, &ctx, &err) != AATGS_OK) {
        fprintf(stderr, "bench_decision: %s: %s\n", c->name, err.msg);
        return 1;
      }
    }
    if (wanted(argc, argv, "report_sort")) {
      cand *b = &cands[nc++];
      b->name = "report_sort";
      b->picks = sort_picks(N, quick);
      if (report_sort_init(&b->base, g, &view, n_tasks) != 0) return 1;
    }
    for (int i = 0; i < nc; i++) {
      for (uint32_t t = 0; t < N; t++)
        ready(&cands[i], cands[i].next++);
      (void)batch(&cands[i], n_tasks); /* warm-up */
    }
    for (int r = 0; r < REPS; r++) {
      for (int i = 0; i < nc; i++)
        cands[i].ns[r] = batch(&cands[i], n_tasks);
    }
    for (int i = 0; i < nc; i++) {
      cand *c = &cands[i];
      double med, mad;
      stats(c->ns, REPS, &med, &mad);
      printf("%8u  %-14s %10.1f %10.1f %10u\n", N, c->name, med, mad, c->picks);
      printf("{\"bench\":\"decision\",\"n\":%u,\"policy\":\"%s\",\"median_ns\":%.1f,"
             "\"mad_ns\":%.1f,\"picks_per_rep\":%u,\"reps\":%d,\"checksum\":%llu}\n",
             N, c->name, med, mad, c->picks, REPS, (unsigned long long)c->checksum);
      if (c->ops)
        aatgs_policy_fini(&c->pol);
      else
        report_sort_free(&c->base);
    }
    aatgs_graph_destroy(g);
    fflush(stdout);
  }
  printf("total %.1f s\n", now_s() - t_start);
  return 0;
}
