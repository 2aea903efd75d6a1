/* test_policy_units.c - each built-in policy driven by hand on small graphs:
 * exact pick orders, the heft plan, random's determinism, every threshold of
 * adaptive on both sides, the registry, and a run over every registered
 * policy checking that each task is picked exactly once, on a stream of its
 * class, whenever one is ready (work conservation). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "policies/common.h"
#include "policy.h"
#include "rng.h"

#define MS AATGS_NS_PER_MS
#define US AATGS_NS_PER_US
#define NONE AATGS_TASK_NONE

static const aatgs_stream_info K0 = {0, AATGS_CLASS_KERNEL, "kernel-0"};
static const aatgs_stream_info K1 = {1, AATGS_CLASS_KERNEL, "kernel-1"};
static const aatgs_stream_info K2 = {2, AATGS_CLASS_KERNEL, "kernel-2"};
static const aatgs_stream_info UP = {3, AATGS_CLASS_UPLOAD, "config-upload"};
static const aatgs_stream_info DN = {4, AATGS_CLASS_DOWNLOAD, "telemetry-download"};

/* kernel-0, kernel-1, upload, download: ids 0, 1, 3, 4. */
static aatgs_stream_info streams2[4];
/* kernel-0..2, upload, download. */
static aatgs_stream_info streams3[5];

static aatgs_graph *g;
static aatgs_pipeline_view view;
static aatgs_policy pol;
static aatgs_err err;

static void setup(void) {
  streams2[0] = K0;
  streams2[1] = K1;
  streams2[2] = UP;
  streams2[3] = DN;
  streams3[0] = K0;
  streams3[1] = K1;
  streams3[2] = K2;
  streams3[3] = UP;
  streams3[4] = DN;
  memset(&view, 0, sizeof view);
  view.config_util = 0.5; /* no boost, no penalty unless a test asks */
  memset(&pol, 0, sizeof pol);
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
}

static void teardown(void) {
  aatgs_policy_fini(&pol);
  aatgs_graph_destroy(g);
  g = NULL;
}

TestSuite(policy, .init = setup, .fini = teardown);

static uint32_t task(uint32_t type, aatgs_ns est, const uint32_t *deps, size_t ndeps) {
  uint32_t id = NONE;
  cr_assert_eq(aatgs_graph_add_task(g, type, est, deps, ndeps, &id, &err), AATGS_OK, "%s", err.msg);
  return id;
}

static uint32_t add_type(const char *name, aatgs_ns est, aatgs_task_class cls) {
  uint32_t t = NONE;
  cr_assert_eq(aatgs_graph_add_type(g, name, est, cls, &t), AATGS_OK);
  return t;
}

static void finalize(void) { cr_assert_eq(aatgs_graph_finalize(g, &err), AATGS_OK, "%s", err.msg); }

static void start_policy(const char *name, const aatgs_stream_info *s, uint32_t ns, uint64_t seed) {
  const aatgs_policy_ops *ops = aatgs_policy_find(name);
  cr_assert_not_null(ops, "policy %s not registered", name);
  aatgs_policy_ctx ctx = {g, s, ns, &view, seed};
  cr_assert_eq(aatgs_policy_init(&pol, ops, &ctx, &err), AATGS_OK, "%s: %s", name, err.msg);
}

static void ready(uint32_t t) { pol.ops->on_ready(&pol, t, 0); }

/* Picks for stream s; NONE when the policy has nothing. Checks the class. */
/* Decision provenance, checked on every pick the tests make: the candidates
 * the policy lists just before a pick start with the task it then picks, at
 * the same score, best first, all distinct and of the stream's class. */
static uint32_t candidates_before_pick(const aatgs_stream_info *s, aatgs_candidate *c) {
  cr_assert_geq(pol.ops->version, 2);
  cr_assert_not_null(pol.ops->candidates, "%s lists no candidates", pol.ops->name);
  cr_assert_not_null(pol.ops->score_doc);
  uint32_t n = pol.ops->candidates(&pol, s, c, AATGS_MAX_CANDIDATES);
  cr_assert_leq(n, AATGS_MAX_CANDIDATES);
  for (uint32_t i = 0; i < n; i++) {
    cr_assert_eq(aatgs_graph_task_class(g, c[i].task), s->cls);
    if (i) cr_assert_leq(c[i].score, c[i - 1].score, "%s: candidates out of order", pol.ops->name);
    for (uint32_t j = 0; j < i; j++)
      cr_assert_neq(c[i].task, c[j].task);
  }
  return n;
}

static void check_candidates(const aatgs_candidate *c, uint32_t n, int picked,
                             const aatgs_choice *ch) {
  if (!picked) {
    cr_assert_eq(n, 0, "%s lists candidates but picks nothing", pol.ops->name);
    return;
  }
  cr_assert_geq(n, 1, "%s picked task %u but listed no candidate", pol.ops->name, ch->task);
  cr_assert_eq(c[0].task, ch->task, "%s: first candidate %u, picked %u", pol.ops->name, c[0].task,
               ch->task);
  cr_assert_eq(c[0].score, ch->priority);
}

static uint32_t pick_p(const aatgs_stream_info *s, double *prio) {
  aatgs_choice ch = {NONE, 0.0, 0};
  aatgs_candidate c[AATGS_MAX_CANDIDATES];
  uint32_t nc = candidates_before_pick(s, c);
  int picked = pol.ops->pick(&pol, s, 0, &ch);
  check_candidates(c, nc, picked, &ch);
  if (!picked) return NONE;
  cr_assert_lt(ch.task, aatgs_graph_num_tasks(g));
  cr_assert_eq(aatgs_graph_task_class(g, ch.task), s->cls, "task %u picked for stream %s", ch.task,
               s->name);
  if (prio) *prio = ch.priority;
  return ch.task;
}

static uint32_t pick(const aatgs_stream_info *s) { return pick_p(s, NULL); }

static void snapshot_util(double gpu_util) {
  aatgs_snapshot snap;
  memset(&snap, 0, sizeof snap);
  snap.gpu_util = gpu_util;
  pol.ops->on_snapshot(&pol, &snap);
}

/* ---------------- registry ---------------- */

Test(policy, registry_finds_all_six) {
  const char *names[] = {"adaptive", "fifo", "sjf", "critical_path", "heft", "random"};
  cr_assert_eq(aatgs_policy_count(), 6);
  for (uint32_t i = 0; i < 6; i++) {
    const aatgs_policy_ops *ops = aatgs_policy_find(names[i]);
    cr_assert_not_null(ops, "%s", names[i]);
    cr_assert_str_eq(ops->name, names[i]);
    cr_assert_eq(aatgs_policy_at(i), ops, "registry order at %u", i);
    cr_assert_eq(ops->version, AATGS_POLICY_OPS_VERSION);
    cr_assert_not_null(ops->summary);
    cr_assert_not_null(ops->init);
    cr_assert_not_null(ops->on_ready);
    cr_assert_not_null(ops->pick);
    cr_assert_not_null(ops->destroy);
  }
  cr_assert_eq(aatgs_policy_find("adaptive")->flags, AATGS_POLICY_ADAPTIVE);
  cr_assert_eq(aatgs_policy_find("heft")->flags, AATGS_POLICY_STATIC);
  cr_assert_null(aatgs_policy_find("choleski"));
  cr_assert_null(aatgs_policy_find(""));
  cr_assert_null(aatgs_policy_find("FIFO"));
  cr_assert_null(aatgs_policy_find(NULL));
  cr_assert_null(aatgs_policy_at(6));
}

Test(policy, registry_names) {
  char buf[256];
  aatgs_policy_names(buf, sizeof buf);
  cr_assert_str_eq(buf, "adaptive, fifo, sjf, critical_path, heft, random");
  char small[12];
  memset(small, 'x', sizeof small);
  aatgs_policy_names(small, sizeof small);
  cr_assert_eq(strlen(small), sizeof small - 1); /* truncated, still terminated */
  cr_assert_eq(strncmp(small, "adaptive, f", 11), 0);
  aatgs_policy_names(NULL, 0); /* no-op */
}

Test(policy, init_rejects_bad_context) {
  task(AATGS_TT_WHCR, 0, NULL, 0);
  aatgs_policy_ctx ctx = {g, streams2, 4, &view, 1};
  /* Not finalized yet. */
  for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
    aatgs_err_clear(&err);
    cr_assert_eq(aatgs_policy_init(&pol, aatgs_policy_at(i), &ctx, &err), AATGS_EINVAL);
    cr_assert_null(pol.impl);
    cr_assert_neq(err.msg[0], '\0');
  }
  finalize();
  aatgs_policy_ctx noview = {g, streams2, 4, NULL, 1};
  cr_assert_eq(aatgs_policy_init(&pol, &aatgs_policy_adaptive, &noview, &err), AATGS_EINVAL);
  cr_assert_eq(aatgs_policy_init(&pol, NULL, &ctx, &err), AATGS_EINVAL);
  cr_assert_eq(aatgs_policy_init(&pol, &aatgs_policy_fifo, NULL, &err), AATGS_EINVAL);
  aatgs_policy_fini(NULL);
  aatgs_policy_fini(&pol); /* after a failed init: a no-op */
}

/* ---------------- fifo ---------------- */

Test(policy, fifo_ready_order_per_class) {
  for (int i = 0; i < 4; i++)
    task(AATGS_TT_WHCR, 0, NULL, 0);                           /* 0..3 */
  uint32_t up = task(AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0);      /* 4 */
  uint32_t dn = task(AATGS_TT_TELEMETRY_DOWNLOAD, 0, NULL, 0); /* 5 */
  finalize();
  start_policy("fifo", streams2, 4, 1);
  cr_assert_eq(pick(&K0), NONE);
  cr_assert_eq(pick(&UP), NONE);
  ready(2);
  ready(up);
  ready(0);
  ready(3);
  ready(dn);
  ready(1);
  cr_assert_eq(pick(&DN), dn);
  cr_assert_eq(pick(&DN), NONE);
  cr_assert_eq(pick(&K0), 2);
  cr_assert_eq(pick(&K1), 0);
  cr_assert_eq(pick(&K0), 3);
  cr_assert_eq(pick(&UP), up);
  cr_assert_eq(pick(&K0), 1);
  cr_assert_eq(pick(&K0), NONE);
  cr_assert_eq(pick(&UP), NONE);
}

/* ---------------- sjf ---------------- */

Test(policy, sjf_shortest_first_ties_in_ready_order) {
  task(AATGS_TT_CUSTOM, 5 * MS, NULL, 0); /* 0 */
  task(AATGS_TT_CUSTOM, 1 * MS, NULL, 0); /* 1 */
  task(AATGS_TT_CUSTOM, 3 * MS, NULL, 0); /* 2 */
  task(AATGS_TT_CUSTOM, 1 * MS, NULL, 0); /* 3 */
  task(AATGS_TT_CUSTOM, 2 * MS, NULL, 0); /* 4 */
  uint32_t up = task(AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0);
  finalize();
  start_policy("sjf", streams2, 4, 1);
  ready(0);
  ready(3); /* ready before 1: wins the 1 ms tie */
  ready(up);
  ready(1);
  ready(2);
  double prio = 0;
  cr_assert_eq(pick_p(&K0, &prio), 3);
  cr_assert_float_eq(prio, -1.0 * MS, 1e-9);
  cr_assert_eq(pick(&K1), 1);
  ready(4); /* arrives late, still beats 3 ms and 5 ms */
  cr_assert_eq(pick(&K0), 4);
  cr_assert_eq(pick(&K0), 2);
  cr_assert_eq(pick(&K0), 0);
  cr_assert_eq(pick(&K0), NONE);
  cr_assert_eq(pick(&UP), up);
}

/* ---------------- critical_path ---------------- */

Test(policy, critical_path_highest_rank_first) {
  uint32_t a = task(AATGS_TT_CUSTOM, 1 * MS, NULL, 0); /* 0: rank 1 ms */
  uint32_t b = task(AATGS_TT_CUSTOM, 1 * MS, NULL, 0); /* 1: rank 6 ms */
  uint32_t c = task(AATGS_TT_CUSTOM, 5 * MS, &b, 1);   /* 2: rank 5 ms */
  uint32_t d = task(AATGS_TT_CUSTOM, 2 * MS, NULL, 0); /* 3: rank 2 ms */
  uint32_t e = task(AATGS_TT_CUSTOM, 1 * MS, NULL, 0); /* 4: rank 1 ms, ties with a */
  finalize();
  cr_assert_eq(aatgs_graph_upward_rank(g, b), 6 * MS);
  start_policy("critical_path", streams2, 4, 1);
  ready(a); /* roots in id order, as the loop does */
  ready(b);
  ready(d);
  ready(e);
  double prio = 0;
  cr_assert_eq(pick_p(&K0, &prio), b);
  cr_assert_float_eq(prio, 6.0 * MS, 1e-9);
  cr_assert_eq(pick(&K1), d);
  ready(c); /* rank 5 ms, beats the remaining 1 ms ones */
  cr_assert_eq(pick(&K0), c);
  cr_assert_eq(pick(&K0), a);
  cr_assert_eq(pick(&K0), e);
  cr_assert_eq(pick(&K0), NONE);
}

/* ---------------- heft ---------------- */

/* A HEFT-like DAG (ms):          ranks
 *   T0(2) -> T1(3), T2(4), T3(2)  T0 13
 *   T1, T2 -> T4(5)               T1 10, T2 11, T3 5
 *   T3 -> T5(1)                   T4 7, T5 3
 *   T4, T5 -> T6(2)               T6 2
 * plus an independent copy chain T7 (config upload) -> T8 (telemetry download). */
static void heft_graph(void) {
  uint32_t t0 = task(AATGS_TT_CUSTOM, 2 * MS, NULL, 0);
  uint32_t t1 = task(AATGS_TT_CUSTOM, 3 * MS, &t0, 1);
  uint32_t t2 = task(AATGS_TT_CUSTOM, 4 * MS, &t0, 1);
  uint32_t t3 = task(AATGS_TT_CUSTOM, 2 * MS, &t0, 1);
  uint32_t d4[] = {t1, t2};
  uint32_t t4 = task(AATGS_TT_CUSTOM, 5 * MS, d4, 2);
  uint32_t t5 = task(AATGS_TT_CUSTOM, 1 * MS, &t3, 1);
  uint32_t d6[] = {t4, t5};
  task(AATGS_TT_CUSTOM, 2 * MS, d6, 2);
  uint32_t t7 = task(AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0);
  task(AATGS_TT_TELEMETRY_DOWNLOAD, 0, &t7, 1);
  finalize();
  cr_assert_eq(aatgs_graph_upward_rank(g, 0), 13 * MS);
}

static void expect_plan(uint32_t t, uint32_t stream, aatgs_ns start_ms) {
  uint32_t s = NONE;
  aatgs_ns st = -1, fin = -1;
  cr_assert_eq(aatgs__heft_plan(&pol, t, &s, &st, &fin), AATGS_OK);
  cr_assert_eq(s, stream, "T%u planned on stream %u, expected %u", t, s, stream);
  cr_assert_eq(st, start_ms * MS, "T%u planned start %lld", t, (long long)st);
  cr_assert_eq(fin, st + aatgs_graph_task_estimate(g, t));
}

Test(policy, heft_plan_two_streams) {
  heft_graph();
  start_policy("heft", streams2, 4, 1);
  /* kernel-0: T0[0,2] T2[2,6] T4[6,11] T6[11,13]; kernel-1: T1[2,5] T3[5,7] T5[7,8]. */
  expect_plan(0, 0, 0);
  expect_plan(2, 0, 2);
  expect_plan(4, 0, 6);
  expect_plan(6, 0, 11);
  expect_plan(1, 1, 2);
  expect_plan(3, 1, 5);
  expect_plan(5, 1, 7);
  uint32_t s = NONE;
  aatgs_ns st = -1;
  cr_assert_eq(aatgs__heft_plan(&pol, 7, &s, &st, NULL), AATGS_OK);
  cr_assert_eq(s, UP.id);
  cr_assert_eq(st, 0);
  cr_assert_eq(aatgs__heft_plan(&pol, 8, &s, &st, NULL), AATGS_OK);
  cr_assert_eq(s, DN.id);
  cr_assert_eq(st, 100 * US);
  cr_assert_eq(aatgs__heft_plan(&pol, 9, &s, &st, NULL), AATGS_EINVAL);
}

Test(policy, heft_plan_three_streams) {
  heft_graph();
  start_policy("heft", streams3, 5, 1);
  /* kernel-0: T0 T2 T4 T6; kernel-1: T1; kernel-2: T3[2,4] T5[4,5]. */
  expect_plan(0, 0, 0);
  expect_plan(2, 0, 2);
  expect_plan(4, 0, 6);
  expect_plan(6, 0, 11);
  expect_plan(1, 1, 2);
  expect_plan(3, 2, 2);
  expect_plan(5, 2, 4);
}

Test(policy, heft_follows_plan_and_steals_only_when_idle) {
  heft_graph();
  start_policy("heft", streams2, 4, 1);
  ready(0);
  ready(7);
  double prio = 0;
  cr_assert_eq(pick_p(&K0, &prio), 0);
  cr_assert_float_eq(prio, 0.0, 1e-9);
  cr_assert_eq(pick(&K1), NONE);
  cr_assert_eq(pick(&UP), 7);
  ready(1); /* T0 done */
  ready(2);
  ready(3);
  ready(8);
  cr_assert_eq(pick_p(&K1, &prio), 1); /* its own, earliest planned start (2 ms) */
  cr_assert_float_eq(prio, -2.0 * MS, 1e-9);
  cr_assert_eq(pick(&K0), 2);
  cr_assert_eq(pick(&K1), 3);
  cr_assert_eq(pick(&K1), NONE);
  cr_assert_eq(pick(&K0), NONE);
  cr_assert_eq(pick(&DN), 8);
  ready(4); /* kernel-0's, planned at 6 ms */
  ready(5); /* kernel-1's, planned at 7 ms */
  /* kernel-1 has its own ready task: it takes it, though T4 starts earlier. */
  cr_assert_eq(pick(&K1), 5);
  /* Now nothing of its own: it steals kernel-0's T4 (work conservation). */
  cr_assert_eq(pick_p(&K1, &prio), 4);
  cr_assert_float_eq(prio, -6.0 * MS, 1e-9);
  cr_assert_eq(pick(&K0), NONE);
  ready(6);
  cr_assert_eq(pick(&K0), 6);
  cr_assert_eq(pick(&K0), NONE);
  cr_assert_eq(pick(&K1), NONE);
}

Test(policy, heft_steals_earliest_planned_start_then_ready_order) {
  heft_graph();
  start_policy("heft", streams3, 5, 1);
  cr_assert_eq(pick(&K1), NONE);
  ready(0);
  cr_assert_eq(pick(&K1), 0); /* steal: nothing of kernel-1's is ready */
  ready(1);
  ready(2);
  ready(3);
  cr_assert_eq(pick(&K1), 1); /* own */
  /* T2 (kernel-0, 2 ms) and T3 (kernel-2, 2 ms) tie: ready order. */
  cr_assert_eq(pick(&K1), 2);
  cr_assert_eq(pick(&K1), 3);
  ready(4); /* kernel-0's, 6 ms */
  ready(5); /* kernel-2's, 4 ms: earlier, though ready later */
  cr_assert_eq(pick(&K1), 5);
  cr_assert_eq(pick(&K1), 4);
  cr_assert_eq(pick(&K1), NONE);
}

/* Streams not seen at init: heft still serves them from the class's queues. */
Test(policy, heft_unknown_stream_and_missing_class) {
  heft_graph();
  aatgs_stream_info kernels_only[2] = {K0, K1};
  start_policy("heft", kernels_only, 2, 1);
  uint32_t s = 0;
  cr_assert_eq(aatgs__heft_plan(&pol, 7, &s, NULL, NULL), AATGS_OK);
  cr_assert_eq(s, AATGS_TASK_NONE); /* no upload stream at init */
  ready(0);
  ready(7);
  cr_assert_eq(pick(&UP), 7);
  cr_assert_eq(pick(&K2), 0);
}

/* ---------------- random ---------------- */

static void random_graph(void) {
  for (int i = 0; i < 20; i++)
    task(AATGS_TT_CUSTOM, (1 + i % 4) * MS, NULL, 0);
  for (int i = 0; i < 3; i++)
    task(AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0); /* 20..22 */
  finalize();
}

/* Readies every task, picks everything (uploads too), returns the kernel order. */
static void random_order(uint64_t seed, uint32_t out[20]) {
  start_policy("random", streams2, 4, seed);
  for (uint32_t t = 0; t < 23; t++)
    ready(t);
  int seen[23] = {0};
  for (uint32_t i = 0; i < 20; i++) {
    double prio = 0;
    out[i] = pick_p(i % 2 ? &K1 : &K0, &prio);
    cr_assert_neq(out[i], NONE);
    cr_assert_float_eq(prio, 1.0 / (20 - i), 1e-12);
    cr_assert_eq(seen[out[i]]++, 0, "task %u picked twice", out[i]);
  }
  cr_assert_eq(pick(&K0), NONE);
  for (int i = 0; i < 3; i++) {
    uint32_t t = pick(&UP);
    cr_assert(t >= 20 && t < 23);
    cr_assert_eq(seen[t]++, 0);
  }
  cr_assert_eq(pick(&UP), NONE);
  aatgs_policy_fini(&pol);
}

Test(policy, random_deterministic_per_seed_and_covers_all) {
  random_graph();
  uint32_t a[20], b[20], c[20];
  random_order(42, a);
  random_order(42, b);
  random_order(43, c);
  cr_assert_eq(memcmp(a, b, sizeof a), 0, "same seed, different picks");
  cr_assert_neq(memcmp(a, c, sizeof a), 0, "different seeds, same picks");
  int ready_order = 1;
  for (uint32_t i = 0; i < 20; i++)
    ready_order &= a[i] == i;
  cr_assert(!ready_order);
}

/* ---------------- adaptive ---------------- */

/* Two ready tasks x (ready first) and y of one class; returns the first pick
 * on stream s after the view is set by the caller, with its priority. */
static uint32_t adaptive_first(uint32_t x, uint32_t y, const aatgs_stream_info *s, double *prio) {
  aatgs_policy_fini(&pol);
  start_policy("adaptive", streams2, 4, 1);
  ready(x);
  ready(y);
  uint32_t first = pick_p(s, prio);
  uint32_t second = pick(s);
  cr_assert_eq(second, first == x ? y : x);
  cr_assert_eq(pick(s), NONE);
  return first;
}

Test(policy, adaptive_config_upload_boost_threshold) {
  uint32_t param = add_type("param_upload", 100 * US, AATGS_CLASS_UPLOAD);
  uint32_t other = task(param, 0, NULL, 0);
  uint32_t cfg = task(AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0);
  finalize();
  double prio = 0;
  const double no_boost[] = {0.3, 0.30001, 0.5, 1.0};
  for (size_t i = 0; i < sizeof no_boost / sizeof no_boost[0]; i++) {
    view.config_util = no_boost[i];
    cr_assert_eq(adaptive_first(other, cfg, &UP, &prio), other, "config_util %g", no_boost[i]);
    cr_assert_float_eq(prio, 1.0, 1e-12);
  }
  const double boost[] = {0.29999, 0.1, 0.0};
  for (size_t i = 0; i < sizeof boost / sizeof boost[0]; i++) {
    view.config_util = boost[i];
    cr_assert_eq(adaptive_first(other, cfg, &UP, &prio), cfg, "config_util %g", boost[i]);
    cr_assert_float_eq(prio, 2.0, 1e-12);
  }
}

Test(policy, adaptive_telemetry_boost_threshold) {
  uint32_t logs = add_type("log_download", 200 * US, AATGS_CLASS_DOWNLOAD);
  uint32_t other = task(logs, 0, NULL, 0);
  uint32_t tel = task(AATGS_TT_TELEMETRY_DOWNLOAD, 0, NULL, 0);
  finalize();
  double prio = 0;
  const uint32_t no_boost[] = {0, 49, 50};
  for (size_t i = 0; i < 3; i++) {
    view.telemetry_pending = no_boost[i];
    cr_assert_eq(adaptive_first(other, tel, &DN, &prio), other, "pending %u", no_boost[i]);
    cr_assert_float_eq(prio, 1.0, 1e-12);
  }
  const uint32_t boost[] = {51, 1000};
  for (size_t i = 0; i < 2; i++) {
    view.telemetry_pending = boost[i];
    cr_assert_eq(adaptive_first(other, tel, &DN, &prio), tel, "pending %u", boost[i]);
    cr_assert_float_eq(prio, 1.5, 1e-12);
  }
}

Test(policy, adaptive_long_task_penalty_gpu_threshold) {
  uint32_t lng = task(AATGS_TT_QUANTUM, 0, NULL, 0); /* 15 ms */
  uint32_t shrt = task(AATGS_TT_WHCR, 0, NULL, 0);   /* 5 ms */
  finalize();
  double prio = 0;
  const double calm[] = {0.0, 0.5, 0.8};
  for (size_t i = 0; i < 3; i++) {
    view.gpu_util = calm[i];
    cr_assert_eq(adaptive_first(lng, shrt, &K0, &prio), lng, "gpu %g", calm[i]);
    cr_assert_float_eq(prio, 1.0, 1e-12);
  }
  const double busy[] = {0.80001, 0.81, 1.0};
  for (size_t i = 0; i < 3; i++) {
    view.gpu_util = busy[i];
    cr_assert_eq(adaptive_first(lng, shrt, &K0, &prio), shrt, "gpu %g", busy[i]);
    cr_assert_float_eq(prio, 1.0, 1e-12);
  }
  /* The loser's score is the penalized one. */
  view.gpu_util = 0.9;
  aatgs_policy_fini(&pol);
  start_policy("adaptive", streams2, 4, 1);
  ready(lng);
  cr_assert_eq(pick_p(&K0, &prio), lng);
  cr_assert_float_eq(prio, 0.7, 1e-12);
}

Test(policy, adaptive_long_task_threshold_is_10ms_estimate) {
  uint32_t ten = add_type("ten_ms", 10 * MS, AATGS_CLASS_KERNEL);
  uint32_t over = add_type("ten_ms_and_1ns", 10 * MS + 1, AATGS_CLASS_KERNEL);
  uint32_t a = task(ten, 0, NULL, 0);
  uint32_t b = task(over, 0, NULL, 0);
  uint32_t s = task(AATGS_TT_PHASE_TRANSITION, 0, NULL, 0); /* 1 ms */
  finalize();
  view.gpu_util = 0.9;
  double prio = 0;
  cr_assert_eq(adaptive_first(a, s, &K0, &prio), a); /* exactly 10 ms: not long */
  cr_assert_eq(aatgs__adaptive_type_duration(&pol, ten), 10 * MS);
  cr_assert_eq(adaptive_first(b, s, &K0, &prio), s); /* 10 ms + 1 ns: long */
  view.gpu_util = 0.8;
  cr_assert_eq(adaptive_first(b, s, &K0, &prio), b);
}

Test(policy, adaptive_learns_type_duration_from_completions) {
  uint32_t done1 = task(AATGS_TT_LBS, 0, NULL, 0); /* 8 ms estimate */
  uint32_t done2 = task(AATGS_TT_LBS, 0, NULL, 0);
  uint32_t lbs = task(AATGS_TT_LBS, 0, NULL, 0);
  uint32_t whcr = task(AATGS_TT_WHCR, 0, NULL, 0);
  finalize();
  view.gpu_util = 0.9;
  const struct {
    aatgs_ns m1, m2;
    int is_long;
  } cases[] = {
      {0, 0, 0},                /* no completion: 8 ms estimate, short */
      {12 * MS, 0, 1},          /* one sample of 12 ms: long */
      {10 * MS, 0, 0},          /* exactly 10 ms: short */
      {9 * MS, 11 * MS, 0},     /* mean exactly 10 ms: short */
      {9 * MS, 11 * MS + 2, 1}, /* mean 10 ms + 1 ns: long */
      {30 * MS, 1 * MS, 1},     /* mean 15.5 ms */
      {-5, 0, 0},               /* invalid durations are ignored */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    aatgs_policy_fini(&pol);
    start_policy("adaptive", streams2, 4, 1);
    cr_assert_eq(aatgs__adaptive_type_duration(&pol, AATGS_TT_LBS), 8 * MS);
    if (cases[i].m1) pol.ops->on_complete(&pol, done1, 0, cases[i].m1, 0);
    if (cases[i].m2) pol.ops->on_complete(&pol, done2, 1, cases[i].m2, 0);
    ready(lbs);
    ready(whcr);
    uint32_t first = pick(&K0);
    cr_assert_eq(first, cases[i].is_long ? whcr : lbs, "case %zu", i);
    cr_assert_eq(pick(&K0), cases[i].is_long ? lbs : whcr);
  }
}

Test(policy, adaptive_penalty_follows_the_5_snapshot_trend) {
  uint32_t lng = task(AATGS_TT_QUANTUM, 0, NULL, 0);
  uint32_t shrt = task(AATGS_TT_WHCR, 0, NULL, 0);
  uint32_t lng2 = task(AATGS_TT_QUANTUM, 0, NULL, 0);
  uint32_t shrt2 = task(AATGS_TT_WHCR, 0, NULL, 0);
  finalize();
  start_policy("adaptive", streams2, 4, 1);
  view.gpu_util = 0.3;
  cr_assert_float_eq(aatgs__adaptive_gpu_signal(&pol), 0.3, 1e-12); /* no snapshot yet: live view */
  for (int i = 0; i < 5; i++)
    snapshot_util(0.9);
  view.gpu_util = 0.0; /* the trend now rules */
  cr_assert_float_eq(aatgs__adaptive_gpu_signal(&pol), 0.9, 1e-12);
  ready(lng);
  ready(shrt);
  cr_assert_eq(pick(&K0), shrt); /* saturated on the trend */
  cr_assert_eq(pick(&K0), lng);
  snapshot_util(0.6); /* window 0.9 x4, 0.6: 0.84 */
  cr_assert_float_eq(aatgs__adaptive_gpu_signal(&pol), 0.84, 1e-9);
  snapshot_util(0.6); /* 0.9 x3, 0.6 x2: 0.78 */
  cr_assert_float_eq(aatgs__adaptive_gpu_signal(&pol), 0.78, 1e-9);
  ready(lng2);
  ready(shrt2);
  cr_assert_eq(pick(&K0), lng2); /* no longer saturated: ready order */
  cr_assert_eq(pick(&K0), shrt2);
  /* Only the last 5 count: 5 idle snapshots wipe out the old ones. */
  for (int i = 0; i < 5; i++)
    snapshot_util(0.0);
  cr_assert_float_eq(aatgs__adaptive_gpu_signal(&pol), 0.0, 1e-12);
  /* Fewer than 5 snapshots: the mean of those there are. */
  aatgs_policy_fini(&pol);
  start_policy("adaptive", streams2, 4, 1);
  snapshot_util(1.0);
  snapshot_util(0.5);
  cr_assert_float_eq(aatgs__adaptive_gpu_signal(&pol), 0.75, 1e-12);
}

Test(policy, adaptive_snapshot_interval_and_history_bound) {
  task(AATGS_TT_WHCR, 0, NULL, 0);
  finalize();
  start_policy("adaptive", streams2, 4, 1);
  aatgs_snapshot snap;
  memset(&snap, 0, sizeof snap);
  const struct {
    double util;
    aatgs_ns interval;
  } cases[] = {{0.0, 50 * MS},  {0.49, 50 * MS},  {0.49999, 50 * MS},
               {0.5, 100 * MS}, {0.51, 100 * MS}, {1.0, 100 * MS}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snap.gpu_util = cases[i].util;
    cr_assert_eq(pol.ops->on_snapshot(&pol, &snap), cases[i].interval, "gpu %g", cases[i].util);
  }
  aatgs_policy_fini(&pol);
  start_policy("adaptive", streams2, 4, 1);
  cr_assert_eq(aatgs__adaptive_history_len(&pol), 0);
  for (uint32_t i = 1; i <= 250; i++) {
    snap.t_ns = (aatgs_ns)i * 100 * MS;
    snap.gpu_util = (i % 10) / 10.0;
    pol.ops->on_snapshot(&pol, &snap);
    cr_assert_eq(aatgs__adaptive_history_len(&pol), i < 100 ? i : 100);
  }
  /* The trend window still reads the latest 5 after wrapping: 0.6..0.0 */
  cr_assert_float_eq(aatgs__adaptive_gpu_signal(&pol), (0.6 + 0.7 + 0.8 + 0.9 + 0.0) / 5, 1e-9);
}

Test(policy, adaptive_ties_keep_ready_order_across_types) {
  uint32_t a = task(AATGS_TT_LBS, 0, NULL, 0);
  uint32_t b = task(AATGS_TT_WHCR, 0, NULL, 0);
  uint32_t c = task(AATGS_TT_LBS, 0, NULL, 0);
  uint32_t d = task(AATGS_TT_QUANTUM, 0, NULL, 0);
  uint32_t e = task(AATGS_TT_WHCR, 0, NULL, 0);
  finalize();
  start_policy("adaptive", streams2, 4, 1);
  ready(d);
  ready(b);
  ready(a);
  ready(e);
  ready(c);
  const uint32_t want[] = {d, b, a, e, c};
  for (int i = 0; i < 5; i++)
    cr_assert_eq(pick(i % 2 ? &K1 : &K0), want[i]);
  cr_assert_eq(pick(&K0), NONE);
  /* Saturated: the long one (quantum) drops behind all short ones. */
  aatgs_policy_fini(&pol);
  view.gpu_util = 0.95;
  start_policy("adaptive", streams2, 4, 1);
  ready(d);
  ready(b);
  ready(a);
  ready(e);
  ready(c);
  const uint32_t want2[] = {b, a, e, c, d};
  for (int i = 0; i < 5; i++)
    cr_assert_eq(pick(&K0), want2[i]);
}

Test(policy, adaptive_factors_multiply) {
  uint32_t param = add_type("param_upload", 100 * US, AATGS_CLASS_UPLOAD);
  uint32_t other = task(param, 0, NULL, 0);
  uint32_t cfg = task(AATGS_TT_CONFIG_UPLOAD, 20 * MS, NULL, 0); /* a long config upload */
  finalize();
  view.gpu_util = 0.9;
  view.config_util = 0.1;
  double prio = 0;
  cr_assert_eq(adaptive_first(other, cfg, &UP, &prio), cfg); /* 2.0 x 0.7 = 1.4 > 1.0 */
  cr_assert_float_eq(prio, 1.4, 1e-12);
  view.config_util = 0.5;
  cr_assert_eq(adaptive_first(other, cfg, &UP, &prio), other); /* 0.7 < 1.0 */
  cr_assert_float_eq(prio, 1.0, 1e-12);
}

/* ---------------- every registered policy ---------------- */

Test(policy, every_policy_empty_pick_returns_zero) {
  task(AATGS_TT_WHCR, 0, NULL, 0);
  task(AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0);
  finalize();
  for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
    aatgs_policy_ctx ctx = {g, streams2, 4, &view, 7};
    cr_assert_eq(aatgs_policy_init(&pol, aatgs_policy_at(i), &ctx, &err), AATGS_OK, "%s", err.msg);
    const char *name = pol.ops->name;
    for (uint32_t s = 0; s < 4; s++)
      cr_assert_eq(pick(&streams2[s]), NONE, "%s", name);
    ready(1); /* an upload: kernel and download streams still get nothing */
    cr_assert_eq(pick(&K0), NONE, "%s", name);
    cr_assert_eq(pick(&DN), NONE, "%s", name);
    cr_assert_eq(pick(&UP), 1, "%s", name);
    cr_assert_eq(pick(&UP), NONE, "%s", name);
    aatgs_stream_info bad = {9, AATGS_CLASS_COUNT, "bad"};
    aatgs_choice ch;
    ready(0);
    cr_assert_eq(pol.ops->pick(&pol, &bad, 0, &ch), 0, "%s", name);
    aatgs_policy_fini(&pol);
  }
}

/* A small discrete-event run: 3 kernel streams, one upload, one download;
 * tasks last their estimate. Each policy must pick each task exactly once,
 * only when ready, on a stream of its class, and never leave a stream idle
 * while a task of its class is ready. */
static void run_all_tasks(const aatgs_policy_ops *ops, uint64_t seed) {
  uint32_t n = aatgs_graph_num_tasks(g);
  uint32_t *indeg = calloc(n, sizeof *indeg);
  int *state = calloc(n, sizeof *state); /* 0 pending, 1 ready, 2 running, 3 done */
  cr_assert(indeg && state);
  aatgs_policy_ctx ctx = {g, streams3, 5, &view, seed};
  memset(&view, 0, sizeof view);
  view.config_util = 0.1;
  view.telemetry_pending = 80;
  view.total = n;
  cr_assert_eq(aatgs_policy_init(&pol, ops, &ctx, &err), AATGS_OK, "%s", err.msg);
  for (uint32_t t = 0; t < n; t++) {
    aatgs_graph_predecessors(g, t, &indeg[t]);
    if (indeg[t] == 0) {
      state[t] = 1;
      view.ready[aatgs_graph_task_class(g, t)]++;
      pol.ops->on_ready(&pol, t, 0);
    }
  }
  uint32_t running[5];
  aatgs_ns finish[5];
  for (int s = 0; s < 5; s++)
    running[s] = NONE;
  aatgs_ns now = 0, next_snap = 100 * MS;
  uint32_t done = 0;
  while (done < n) {
    for (uint32_t s = 0; s < 5; s++) {
      if (running[s] != NONE) continue;
      aatgs_task_class c = streams3[s].cls;
      aatgs_choice ch = {NONE, 0, 0};
      aatgs_candidate cand[AATGS_MAX_CANDIDATES];
      uint32_t nc = candidates_before_pick(&streams3[s], cand);
      int got = pol.ops->pick(&pol, &streams3[s], now, &ch);
      check_candidates(cand, nc, got, &ch);
      if (view.ready[c] == 0) {
        cr_assert_eq(got, 0, "%s picked with nothing ready", ops->name);
        continue;
      }
      cr_assert_eq(got, 1, "%s: stream %s idle with %u ready", ops->name, streams3[s].name,
                   view.ready[c]);
      cr_assert_lt(ch.task, n);
      cr_assert_eq(state[ch.task], 1, "%s picked task %u in state %d", ops->name, ch.task,
                   state[ch.task]);
      cr_assert_eq(aatgs_graph_task_class(g, ch.task), c);
      state[ch.task] = 2;
      view.ready[c]--;
      view.running++;
      running[s] = ch.task;
      finish[s] = now + aatgs_graph_task_estimate(g, ch.task);
      if (pol.ops->on_start) pol.ops->on_start(&pol, ch.task, streams3[s].id, now);
    }
    /* Complete the earliest finishing task (lowest stream on ties). */
    int best = -1;
    for (int s = 0; s < 5; s++) {
      if (running[s] != NONE && (best < 0 || finish[s] < finish[best])) best = s;
    }
    cr_assert_geq(best, 0, "%s: deadlock with %u tasks left", ops->name, n - done);
    now = finish[best];
    while (pol.ops->on_snapshot && now >= next_snap) {
      aatgs_snapshot snap;
      memset(&snap, 0, sizeof snap);
      snap.t_ns = next_snap;
      snap.gpu_util = (double)(done % 7) / 6.0;
      aatgs_ns iv = pol.ops->on_snapshot(&pol, &snap);
      view.gpu_util = snap.gpu_util;
      next_snap += iv > 0 ? iv : 100 * MS;
    }
    uint32_t t = running[best];
    running[best] = NONE;
    state[t] = 3;
    done++;
    view.running--;
    view.completed++;
    view.now = now;
    aatgs_ns measured = aatgs_graph_task_estimate(g, t) * (1 + (int64_t)(t % 3)) / 2;
    if (pol.ops->on_complete) pol.ops->on_complete(&pol, t, streams3[best].id, measured, now);
    uint32_t ns = 0;
    const uint32_t *succ = aatgs_graph_successors(g, t, &ns);
    for (uint32_t i = 0; i < ns; i++) {
      if (--indeg[succ[i]] == 0) {
        state[succ[i]] = 1;
        view.ready[aatgs_graph_task_class(g, succ[i])]++;
        pol.ops->on_ready(&pol, succ[i], now);
      }
    }
  }
  for (uint32_t t = 0; t < n; t++)
    cr_assert_eq(state[t], 3, "%s: task %u never ran", ops->name, t);
  for (uint32_t s = 0; s < 5; s++)
    cr_assert_eq(pick(&streams3[s]), NONE);
  aatgs_policy_fini(&pol);
  free(indeg);
  free(state);
}

Test(policy, every_policy_runs_every_task_once_work_conserving) {
  /* A layered random DAG: 12 layers of 1..30 tasks, each with up to 3
   * dependencies on the layer above; a mix of kernel and copy types. */
  aatgs_rng rng;
  aatgs_rng_seed(&rng, 2024);
  uint32_t big = add_type("big_upload", 3 * MS, AATGS_CLASS_UPLOAD);
  const uint32_t types[] = {AATGS_TT_WHCR,          AATGS_TT_THERMODYNAMIC,      AATGS_TT_QUANTUM,
                            AATGS_TT_LBS,           AATGS_TT_PHASE_TRANSITION,   AATGS_TT_CUSTOM,
                            AATGS_TT_CONFIG_UPLOAD, AATGS_TT_TELEMETRY_DOWNLOAD, big};
  uint32_t prev_lo = 0, prev_n = 0;
  for (int layer = 0; layer < 12; layer++) {
    uint32_t width = 1 + (uint32_t)aatgs_rng_below(&rng, 30);
    uint32_t lo = aatgs_graph_num_tasks(g);
    for (uint32_t i = 0; i < width; i++) {
      uint32_t deps[3];
      size_t nd = prev_n ? (size_t)aatgs_rng_below(&rng, 4) : 0;
      for (size_t k = 0; k < nd; k++)
        deps[k] = prev_lo + (uint32_t)aatgs_rng_below(&rng, prev_n);
      uint32_t ty = types[aatgs_rng_below(&rng, sizeof types / sizeof types[0])];
      aatgs_ns est =
          (aatgs_ns)(aatgs_rng_below(&rng, 3) == 0 ? 0 : 1 + aatgs_rng_below(&rng, 20)) * MS;
      task(ty, est, deps, nd);
    }
    prev_lo = lo;
    prev_n = width;
  }
  finalize();
  cr_assert_gt(aatgs_graph_num_tasks(g), 30);
  for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
    run_all_tasks(aatgs_policy_at(i), 11);
    run_all_tasks(aatgs_policy_at(i), 12);
  }
}
