/* bench_decision.c - cost of one scheduling decision (pick + one on_ready)
 * at a steady ready-set size N, for every registered policy and for a
 * literal baseline of the design report's method (issue [5], item 3).
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
 * Timed mode (default). For each N: one untimed warm-up batch per candidate,
 * then REPS timed batches; the candidates are interleaved within every
 * repetition (A B C ... A B C ...) so drifts of the machine hit them alike.
 * Each batch is one abh_run repetition that times `picks` decisions; its
 * figure is ns per decision = batch time / picks. Per N and candidate the
 * median and MAD go out through abh_emit (bench "decision", case "N=...",
 * metric "ns_per_decision", the candidates' checksum of picked task ids as
 * an extra member), and per N the per-repetition ratio report_sort / adaptive
 * (same repetition, so a pair) as candidate "report_sort/adaptive". The
 * baseline gets fewer picks at large N. A readable table goes to stdout.
 *
 * Count mode (--count N NAME [PICKS]): builds the same steady state once and
 * makes PICKS decisions in count_picks(), nothing else: no warm-up, no
 * repetitions, no clock. bench/callgrind.sh runs it under
 * `valgrind --tool=callgrind --toggle-collect=count_picks`, so only the
 * decisions are counted, and gets a deterministic instructions-per-decision
 * figure; --emit-count hands that figure back to abh_emit so it is written in
 * the same format (and with the same machine line) as the timed figures.
 *
 * Usage: bench_decision [--quick] [NAME ...]
 *          --quick  10x fewer picks (a smoke test, not a measurement)
 *          NAME     only these candidates (policy names or report_sort); all by default
 *        bench_decision --count N NAME [PICKS]
 *          PICKS defaults to 10000 for a policy, fewer for report_sort at large N
 *        bench_decision --emit-count N NAME PICKS INSTRUCTIONS
 *          writes {"metric":"instructions_per_decision",...} through abh_emit
 *        bench_decision --list
 *          the candidates' names, one a line
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "harness.h"
#include "policy.h"
#include "rng.h"

#define REPS 7
#define N_KSTREAMS 4
#define MAX_CANDS 16
#define COUNT_PICKS 10000

/* count_picks must stay one function of that name for callgrind. */
#if defined(__clang__)
#define NOT_INLINED __attribute__((noinline))
#else
#define NOT_INLINED __attribute__((noinline, noclone))
#endif

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
  uint32_t picks;   /* per batch */
  uint32_t next;    /* next task to make ready */
  uint32_t n_tasks; /* tasks in the graph: `next` must stay below */
  uint32_t rr;
  uint64_t checksum;
  double ns[REPS];
} cand;

static aatgs_stream_info kstreams[N_KSTREAMS + 2];
static aatgs_pipeline_view view;

static void ready(cand *c, uint32_t task) {
  if (c->ops)
    c->ops->on_ready(&c->pol, task, 0);
  else
    report_sort_ready(&c->base, task);
}

/* `picks` decisions, each one pick for the next kernel stream and one task
 * made ready; returns 0, or -1 (after saying why) when the candidate returned
 * nothing or the graph ran out of tasks. Not inlined: callgrind.sh counts the
 * instructions of this function and its callees only. */
NOT_INLINED int count_picks(cand *c, uint32_t picks);
NOT_INLINED int count_picks(cand *c, uint32_t picks) {
  aatgs_choice ch;
  uint64_t sum = 0;
  for (uint32_t i = 0; i < picks; i++) {
    const aatgs_stream_info *s = &kstreams[c->rr++ & (N_KSTREAMS - 1)];
    int got = c->ops ? c->ops->pick(&c->pol, s, 0, &ch) : report_sort_pick(&c->base, s, &ch);
    if (!got || c->next >= c->n_tasks) {
      fprintf(stderr, "bench_decision: %s ran dry\n", c->name);
      return -1;
    }
    sum += ch.task;
    ready(c, c->next++);
  }
  c->checksum += sum;
  return 0;
}

/* One abh_run repetition: a timed batch; the figure is ns per decision. */
static int batch(void *arg, double *ns) {
  cand *c = arg;
  double t0 = abh_now();
  if (count_picks(c, c->picks) != 0) return -1;
  *ns = (abh_now() - t0) * 1e9 / (double)c->picks;
  return 0;
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

/* Picks of one count-mode run: enough to average over, few enough that a
 * run under callgrind takes seconds. */
static uint32_t count_default_picks(const char *name, uint32_t n) {
  if (strcmp(name, "report_sort") != 0) return COUNT_PICKS;
  return n <= 10 ? COUNT_PICKS : n <= 100 ? 2000 : n <= 1000 ? 200 : n <= 10000 ? 20 : 3;
}

static int is_candidate(const char *name) {
  return aatgs_policy_find(name) != NULL || strcmp(name, "report_sort") == 0;
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

static void setup_streams(void) {
  for (uint32_t s = 0; s < N_KSTREAMS; s++) {
    kstreams[s].id = s;
    kstreams[s].cls = AATGS_CLASS_KERNEL;
    snprintf(kstreams[s].name, sizeof kstreams[s].name, "kernel-%u", s);
  }
  kstreams[N_KSTREAMS] = (aatgs_stream_info){N_KSTREAMS, AATGS_CLASS_UPLOAD, "config-upload"};
  kstreams[N_KSTREAMS + 1] =
      (aatgs_stream_info){N_KSTREAMS + 1, AATGS_CLASS_DOWNLOAD, "telemetry-download"};
  memset(&view, 0, sizeof view);
  view.config_util = 0.5;
  view.telemetry_pending = 10;
  view.gpu_util = 0.9;
}

/* Initializes candidate `name` (a policy or report_sort) on g, with `n` tasks
 * ready; returns 0 or -1. */
static int cand_init(cand *c, const char *name, aatgs_graph *g, uint32_t n_tasks, uint32_t n,
                     uint32_t picks) {
  memset(c, 0, sizeof *c);
  c->picks = picks;
  c->n_tasks = n_tasks;
  c->ops = aatgs_policy_find(name);
  if (c->ops) {
    c->name = c->ops->name;
    aatgs_policy_ctx ctx = {g, kstreams, N_KSTREAMS + 2, &view, 1};
    aatgs_err err;
    aatgs_err_clear(&err);
    if (aatgs_policy_init(&c->pol, c->ops, &ctx, &err) != AATGS_OK) {
      fprintf(stderr, "bench_decision: %s: %s\n", c->name, err.msg);
      return -1;
    }
  } else {
    c->name = "report_sort";
    if (report_sort_init(&c->base, g, &view, n_tasks) != 0) {
      report_sort_free(&c->base);
      fprintf(stderr, "bench_decision: report_sort: out of memory\n");
      return -1;
    }
  }
  for (uint32_t t = 0; t < n; t++)
    ready(c, c->next++);
  return 0;
}

static void cand_fini(cand *c) {
  if (c->ops)
    aatgs_policy_fini(&c->pol);
  else
    report_sort_free(&c->base);
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out) {
  char *end;
  unsigned long long v;
  if (!s || !*s || *s == '-') return -1;
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return -1;
  *out = (uint32_t)v;
  return 0;
}

/* --count N NAME [PICKS] */
static int count_mode(int argc, char **argv) {
  uint32_t n, picks;
  if ((argc != 4 && argc != 5) || parse_u32(argv[2], 1, 10000000, &n) != 0 ||
      !is_candidate(argv[3])) {
    fprintf(stderr, "usage: bench_decision --count N NAME [PICKS]   (N: 1..10^7 ready tasks)\n");
    return 2;
  }
  picks = count_default_picks(argv[3], n);
  if (argc == 5 && parse_u32(argv[4], 1, 100000000, &picks) != 0) {
    fprintf(stderr, "bench_decision: --count: PICKS must be 1..10^8, not \"%s\"\n", argv[4]);
    return 2;
  }
  uint32_t n_tasks = n + picks;
  aatgs_graph *g = make_graph(n_tasks);
  if (!g) return 1;
  view.ready[AATGS_CLASS_KERNEL] = n;
  view.total = n_tasks;
  cand c;
  int rc = 1;
  if (cand_init(&c, argv[3], g, n_tasks, n, picks) == 0) {
    if (count_picks(&c, picks) == 0) {
      printf("count: candidate %s ready %u picks %u checksum %llu\n", c.name, n, picks,
             (unsigned long long)c.checksum);
      rc = 0;
    }
    cand_fini(&c);
  }
  aatgs_graph_destroy(g);
  return rc;
}

/* --emit-count N NAME PICKS INSTRUCTIONS */
static int emit_count_mode(int argc, char **argv) {
  uint32_t n, picks;
  char *end;
  double instr;
  char case_name[32], extra[160];
  if (argc != 6 || parse_u32(argv[2], 1, 10000000, &n) != 0 || !is_candidate(argv[3]) ||
      parse_u32(argv[4], 1, 100000000, &picks) != 0) {
    fprintf(stderr, "usage: bench_decision --emit-count N NAME PICKS INSTRUCTIONS\n");
    return 2;
  }
  errno = 0;
  instr = strtod(argv[5], &end);
  if (errno || end == argv[5] || *end || !(instr >= 0)) {
    fprintf(stderr, "bench_decision: --emit-count: INSTRUCTIONS must be a count, not \"%s\"\n",
            argv[5]);
    return 2;
  }
  double per = instr / picks;
  snprintf(case_name, sizeof case_name, "N=%u", n);
  snprintf(extra, sizeof extra,
           "\"ready\":%u,\"picks\":%u,\"instructions\":%.0f,\"tool\":\"valgrind callgrind\"", n,
           picks, instr);
  abh_result r = {"decision", case_name,     argv[3], "instructions_per_decision",
                  "instr",    0 /* lower */, &per,    1,
                  extra};
  return abh_emit(&r) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  int quick = 0;
  setup_streams();
  if (argc > 1 && strcmp(argv[1], "--count") == 0) return count_mode(argc, argv);
  if (argc > 1 && strcmp(argv[1], "--emit-count") == 0) return emit_count_mode(argc, argv);
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (uint32_t i = 0; i < aatgs_policy_count(); i++)
      printf("%s\n", aatgs_policy_at(i)->name);
    printf("report_sort\n");
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      quick = 1;
    } else if (argv[i][0] == '-' || !is_candidate(argv[i])) {
      char names[256];
      aatgs_policy_names(names, sizeof names);
      fprintf(stderr,
              "usage: bench_decision [--quick] [NAME ...]   (NAME: %s, report_sort)\n"
              "       bench_decision --count N NAME [PICKS]\n"
              "       bench_decision --emit-count N NAME PICKS INSTRUCTIONS\n"
              "       bench_decision --list\n",
              names);
      return 2;
    }
  }
  const uint32_t sizes[] = {10, 1000, 10000, 100000};
  const uint32_t policy_picks = quick ? 20000 : 200000;
  double adaptive_1e4 = -1;

  double t_start = abh_now();
  printf("decision cost: pick + on_ready at a steady ready set of N kernel tasks, %d reps\n", REPS);
  printf("%8s  %-22s %10s %10s %10s\n", "N", "candidate", "median_ns", "mad_ns", "picks/rep");
  for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
    uint32_t N = sizes[si];
    uint32_t n_tasks = N + (REPS + 1) * policy_picks;
    aatgs_graph *g = make_graph(n_tasks);
    if (!g) return 1;
    view.ready[AATGS_CLASS_KERNEL] = N;
    view.total = n_tasks;
    cand cands[MAX_CANDS];
    int nc = 0, ia = -1, ib = -1, rc = 0;
    for (uint32_t i = 0; i <= aatgs_policy_count() && nc < MAX_CANDS; i++) {
      const char *name = i < aatgs_policy_count() ? aatgs_policy_at(i)->name : "report_sort";
      if (!wanted(argc, argv, name)) continue;
      uint32_t picks = i < aatgs_policy_count() ? policy_picks : sort_picks(N, quick);
      if (cand_init(&cands[nc], name, g, n_tasks, N, picks) != 0) return 1;
      if (strcmp(name, "adaptive") == 0) ia = nc;
      if (!cands[nc].ops) ib = nc;
      nc++;
    }
    /* Repetition r of every candidate before repetition r + 1 of any; the
     * warm-up batch rides on repetition 0. */
    for (int r = 0; r < REPS && rc == 0; r++)
      for (int i = 0; i < nc && rc == 0; i++)
        rc = abh_run(batch, &cands[i], r == 0 ? 1 : 0, 1, &cands[i].ns[r]);
    char case_name[32];
    snprintf(case_name, sizeof case_name, "N=%u", N);
    for (int i = 0; i < nc && rc == 0; i++) {
      cand *c = &cands[i];
      abh_stats s;
      char extra[160];
      abh_stats_of(c->ns, REPS, &s);
      printf("%8u  %-22s %10.1f %10.1f %10u\n", N, c->name, s.median, s.mad, c->picks);
      if (i == ia && N == 10000) adaptive_1e4 = s.median;
      snprintf(extra, sizeof extra, "\"ready\":%u,\"picks_per_rep\":%u,\"checksum\":%llu", N,
               c->picks, (unsigned long long)c->checksum);
      abh_result res = {"decision", case_name, c->name, "ns_per_decision", "ns", 0,
                        c->ns,      REPS,      extra};
      if (abh_emit(&res) != 0) rc = -1;
    }
    if (rc == 0 && ia >= 0 && ib >= 0) {
      double ratio[REPS];
      abh_stats s;
      char extra[64];
      abh_ratios(cands[ib].ns, cands[ia].ns, REPS, ratio);
      abh_stats_of(ratio, REPS, &s);
      printf("%8u  %-22s %9.1fx %9.1fx\n", N, "report_sort/adaptive", s.median, s.mad);
      snprintf(extra, sizeof extra, "\"ready\":%u", N);
      abh_result res = {"decision", case_name, "report_sort/adaptive", "ratio", "x", 1, ratio,
                        REPS,       extra};
      if (abh_emit(&res) != 0) rc = -1;
    }
    for (int i = 0; i < nc; i++)
      cand_fini(&cands[i]);
    aatgs_graph_destroy(g);
    if (rc != 0) return 1;
    fflush(stdout);
  }
  if (adaptive_1e4 >= 0)
    printf("adaptive at N=10^4: %.1f ns per decision, aim <= 100 ns: %s\n", adaptive_1e4,
           adaptive_1e4 <= 100 ? "met" : "NOT met");
  printf("total %.1f s\n", abh_now() - t_start);
  return 0;
}
