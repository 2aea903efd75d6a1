/* test_dispatch.c - the dispatch loop over every registered policy (StarPU's
 * habit): every task runs exactly once, no dependency is violated, no stream
 * is idle while a task it could run is ready; plus determinism and Ctrl-C. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "rng.h"

/* An in-memory sink that keeps every event. */
typedef struct capture {
  aatgs_event *ev;
  size_t n, cap;
  int begun, ended;
  aatgs_run_result res;
  volatile sig_atomic_t *stop_flag;
  size_t stop_after;
} capture;

static int cap_begin(void *ctx, const aatgs_run_info *info, aatgs_err *err) {
  (void)info;
  (void)err;
  ((capture *)ctx)->begun++;
  return AATGS_OK;
}
static int cap_emit(void *ctx, const aatgs_event *ev) {
  capture *c = ctx;
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 1024;
    c->ev = realloc(c->ev, c->cap * sizeof *c->ev);
    cr_assert_not_null(c->ev);
  }
  c->ev[c->n++] = *ev;
  if (c->stop_flag && c->n >= c->stop_after) *c->stop_flag = 1;
  return AATGS_OK;
}
static int cap_end(void *ctx, const aatgs_run_result *res, aatgs_err *err) {
  (void)err;
  capture *c = ctx;
  c->ended++;
  c->res = *res;
  return AATGS_OK;
}

/* A random DAG with kernels of varied length, config uploads feeding some
 * kernels and telemetry downloads after some. */
static aatgs_graph *random_dag(uint64_t seed, uint32_t n) {
  aatgs_graph *g;
  aatgs_rng r;
  aatgs_err e;
  aatgs_rng_seed(&r, seed);
  cr_assert_eq(aatgs_graph_create(&g, n, 0), AATGS_OK);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t deps[4], nd = 0, id, type;
    uint32_t k = i ? (uint32_t)aatgs_rng_below(&r, 4) : 0;
    for (uint32_t j = 0; j < k; j++)
      deps[nd++] = (uint32_t)aatgs_rng_below(&r, i);
    double u = aatgs_rng_uniform(&r);
    type = u < 0.15   ? AATGS_TT_CONFIG_UPLOAD
           : u < 0.25 ? AATGS_TT_TELEMETRY_DOWNLOAD
           : u < 0.5  ? AATGS_TT_QUANTUM
                      : AATGS_TT_WHCR;
    aatgs_ns est = (aatgs_ns)(1 + aatgs_rng_below(&r, 20)) * 100000;
    cr_assert_eq(aatgs_graph_add_task(g, type, est, deps, nd, &id, &e), AATGS_OK);
    if (type == AATGS_TT_CONFIG_UPLOAD && (i % 2)) aatgs_graph_set_bytes(g, id, 256);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  return g;
}

static int run(aatgs_graph *g, const aatgs_policy_ops *pol, aatgs_profile *pf, uint64_t seed,
               uint32_t streams, capture *c, volatile sig_atomic_t *intr) {
  aatgs_sink sink = {c, cap_begin, cap_emit, cap_end};
  aatgs_run_params p;
  aatgs_run_result res;
  aatgs_err e;
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = pol;
  p.backend = &aatgs_backend_sim;
  p.profile = pf;
  p.kernel_streams = streams;
  p.seed = seed;
  p.noise_cv = 0.2;
  p.sink = &sink;
  p.interrupt = intr;
  int rc = aatgs_run_graph(&p, &res, &e);
  cr_assert_eq(c->begun, 1);
  cr_assert_eq(c->ended, 1);
  cr_assert_eq(res.event_hash, c->res.event_hash);
  if (rc != AATGS_OK && rc != AATGS_EINTR) cr_log_error("run failed: %s", e.msg);
  return rc;
}

static void check_conformance(const aatgs_graph *g, const capture *c, const aatgs_policy_ops *pol,
                              uint32_t nk) {
  uint32_t n = aatgs_graph_num_tasks(g), ns = nk + 2;
  aatgs_task_rec *t = calloc(n, sizeof *t);
  uint32_t *seen = calloc(n, sizeof *seen), *decided = calloc(n, sizeof *decided);
  for (size_t i = 0; i < c->n; i++) {
    if (c->ev[i].kind == AATGS_EV_TASK) {
      uint32_t id = c->ev[i].u.task.task;
      cr_assert_lt(id, n);
      seen[id]++;
      t[id] = c->ev[i].u.task;
    } else if (c->ev[i].kind == AATGS_EV_DECISION) {
      decided[c->ev[i].u.decision.task]++;
    }
  }
  for (uint32_t v = 0; v < n; v++) {
    cr_assert_eq(seen[v], 1, "%s: task %u ran %u times", pol->name, v, seen[v]);
    cr_assert_eq(decided[v], 1, "%s: task %u decided %u times", pol->name, v, decided[v]);
    cr_assert_leq(t[v].ready_ns, t[v].submit_ns);
    cr_assert_leq(t[v].submit_ns, t[v].start_ns);
    cr_assert_leq(t[v].start_ns, t[v].end_ns);
    uint32_t np;
    const uint32_t *pred = aatgs_graph_predecessors(g, v, &np);
    for (uint32_t k = 0; k < np; k++)
      cr_assert_geq(t[v].submit_ns, t[pred[k]].end_ns,
                    "%s: %u started before its dependency %u ended", pol->name, v, pred[k]);
  }
  /* Work conservation: while v waits (ready .. submit), every stream of its
   * class is busy (some task occupies it from submit to end). */
  for (uint32_t v = 0; v < n; v++) {
    if (t[v].submit_ns == t[v].ready_ns) continue;
    aatgs_task_class cls = aatgs_graph_task_class(g, v);
    for (uint32_t s = 0; s < ns; s++) {
      aatgs_task_class scls = s < nk    ? AATGS_CLASS_KERNEL
                              : s == nk ? AATGS_CLASS_UPLOAD
                                        : AATGS_CLASS_DOWNLOAD;
      if (scls != cls) continue;
      /* Is [ready, submit) covered by the union of busy intervals of s? */
      aatgs_ns covered = t[v].ready_ns;
      int progress = 1;
      while (covered < t[v].submit_ns && progress) {
        progress = 0;
        for (uint32_t u = 0; u < n; u++)
          if (t[u].stream == s && t[u].submit_ns <= covered && t[u].end_ns > covered) {
            covered = t[u].end_ns;
            progress = 1;
          }
      }
      cr_assert_geq(covered, t[v].submit_ns,
                    "%s: stream %u idle at %lld while task %u was ready (ready %lld, submit %lld)",
                    pol->name, s, (long long)covered, v, (long long)t[v].ready_ns,
                    (long long)t[v].submit_ns);
    }
  }
  free(t);
  free(seen);
  free(decided);
}

Test(dispatch, conformance_every_policy, .timeout = 120) {
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  for (uint64_t seed = 1; seed <= 3; seed++) {
    aatgs_graph *g = random_dag(seed, 300);
    for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
      const aatgs_policy_ops *pol = aatgs_policy_at(i);
      for (uint32_t nk = 1; nk <= 4; nk += 3) {
        capture c = {0};
        cr_assert_eq(run(g, pol, &pf, seed, nk, &c, NULL), AATGS_OK, "%s", pol->name);
        cr_assert_eq(c.res.status, AATGS_RUN_COMPLETED);
        cr_assert_eq(c.res.tasks_completed, aatgs_graph_num_tasks(g));
        cr_assert_eq(c.res.decisions, aatgs_graph_num_tasks(g));
        cr_assert_geq(c.res.makespan_ns, aatgs_graph_critical_path(g) / 2); /* noise can shorten */
        check_conformance(g, &c, pol, nk);
        free(c.ev);
      }
    }
    aatgs_graph_destroy(g);
  }
  aatgs_profile_free(&pf);
}

/* Kernels only, no noise, no launch cost, footprints that fit the SMs: no
 * policy can beat max(critical path, work / streams), and a chain takes
 * exactly its critical path. */
Test(dispatch, makespan_respects_the_lower_bound_without_noise_or_overhead) {
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  pf.launch_ns = 0;
  pf.host_submit_ns = 0;
  pf.host_complete_ns = 0;
  aatgs_graph *g, *chain;
  aatgs_rng r;
  aatgs_err e;
  aatgs_rng_seed(&r, 3);
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_graph_create(&chain, 0, 0), AATGS_OK);
  for (uint32_t i = 0; i < 200; i++) {
    uint32_t deps[3], nd = 0, id;
    for (uint32_t k = 0; i && k < 1 + aatgs_rng_below(&r, 3); k++)
      deps[nd++] = (uint32_t)aatgs_rng_below(&r, i);
    aatgs_ns est = (aatgs_ns)(1 + aatgs_rng_below(&r, 50)) * 10000;
    cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, est, deps, nd, &id, &e), AATGS_OK);
    uint32_t prev = i - 1;
    cr_assert_eq(aatgs_graph_add_task(chain, AATGS_TT_CUSTOM, est, &prev, i ? 1 : 0, &id, &e),
                 AATGS_OK);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_finalize(chain, &e), AATGS_OK);
  for (uint32_t i = 0; i < aatgs_policy_count(); i++)
    for (uint32_t nk = 1; nk <= 4; nk++) {
      aatgs_run_params p;
      aatgs_run_result res;
      memset(&p, 0, sizeof p);
      p.policy = aatgs_policy_at(i);
      p.backend = &aatgs_backend_sim;
      p.profile = &pf;
      p.kernel_streams = nk;
      p.noise_cv = 0;
      p.graph = g;
      cr_assert_eq(aatgs_run_graph(&p, &res, &e), AATGS_OK, "%s", e.msg);
      cr_assert_eq(res.lower_bound_ns, aatgs_graph_lower_bound(g, nk));
      cr_assert_geq(res.makespan_ns, res.lower_bound_ns, "%s on %u streams beat the bound",
                    p.policy->name, nk);
      p.graph = chain;
      cr_assert_eq(aatgs_run_graph(&p, &res, &e), AATGS_OK, "%s", e.msg);
      cr_assert_eq(res.makespan_ns, aatgs_graph_critical_path(chain), "%s", p.policy->name);
    }
  aatgs_graph_destroy(g);
  aatgs_graph_destroy(chain);
  aatgs_profile_free(&pf);
}

Test(dispatch, same_seed_same_event_log) {
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_graph *g = random_dag(4, 400);
  for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
    const aatgs_policy_ops *pol = aatgs_policy_at(i);
    capture a = {0}, b = {0}, d = {0};
    run(g, pol, &pf, 11, 3, &a, NULL);
    run(g, pol, &pf, 11, 3, &b, NULL);
    run(g, pol, &pf, 12, 3, &d, NULL);
    cr_assert_eq(a.res.event_hash, b.res.event_hash, "%s: same seed, different logs", pol->name);
    cr_assert_eq(a.res.makespan_ns, b.res.makespan_ns);
    cr_assert_eq(a.n, b.n);
    cr_assert_neq(a.res.event_hash, d.res.event_hash, "%s: seeds 11 and 12 gave one log",
                  pol->name);
    free(a.ev);
    free(b.ev);
    free(d.ev);
  }
  aatgs_graph_destroy(g);
  aatgs_profile_free(&pf);
}

Test(dispatch, interrupt_stops_cleanly) {
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_graph *g = random_dag(5, 400);
  volatile sig_atomic_t flag = 0;
  capture c = {0};
  c.stop_flag = &flag;
  c.stop_after = 100;
  cr_assert_eq(run(g, &aatgs_policy_fifo, &pf, 1, 2, &c, &flag), AATGS_EINTR);
  cr_assert_eq(c.res.status, AATGS_RUN_INTERRUPTED);
  cr_assert_lt(c.res.tasks_completed, aatgs_graph_num_tasks(g));
  cr_assert_geq(c.n, 100);
  cr_assert(strstr(c.res.error, "interrupted"), "%s", c.res.error);
  free(c.ev);
  aatgs_graph_destroy(g);
  aatgs_profile_free(&pf);
}

Test(dispatch, telemetry_reaches_the_sink) {
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_graph *g = random_dag(6, 300);
  capture c = {0};
  cr_assert_eq(run(g, &aatgs_policy_adaptive, &pf, 1, 4, &c, NULL), AATGS_OK);
  uint32_t kernels = 0, done = 0, snaps = 0, rings = 0;
  for (uint32_t v = 0; v < aatgs_graph_num_tasks(g); v++)
    kernels += aatgs_graph_task_class(g, v) == AATGS_CLASS_KERNEL;
  for (size_t i = 0; i < c.n; i++) {
    if (c.ev[i].kind == AATGS_EV_TELEMETRY && c.ev[i].u.tel.kind == AATGS_TEL_TASK_COMPLETED)
      done++;
    snaps += c.ev[i].kind == AATGS_EV_SNAPSHOT;
    rings += c.ev[i].kind == AATGS_EV_RING;
  }
  /* Every kernel's telemetry record reaches the host unless counted as lost. */
  cr_assert_eq(done + c.res.telemetry_overflows + c.res.telemetry_evictions, kernels,
               "done %u overflow %llu evicted %llu kernels %u", done,
               (unsigned long long)c.res.telemetry_overflows,
               (unsigned long long)c.res.telemetry_evictions, kernels);
  cr_assert_geq(snaps, 1);
  cr_assert_eq(rings, 3 * snaps);
  free(c.ev);
  aatgs_graph_destroy(g);
  aatgs_profile_free(&pf);
}
