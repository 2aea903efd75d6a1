/* test_simgrid_peer.c - the AATGS simulator and SimGrid agree on the same
 * DAG and schedule (bench/peers/, issue [5] item 5).
 *
 * Without SimGrid the peer tests skip; the checks of the ideal model itself
 * (the profile file matches the one in code, and an ideal run is exactly the
 * list schedule: a task starts when its stream is free and its parents have
 * ended, and takes its duration) always run.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bench/peers/simgrid_peer.h"
#include "generators.h"

#ifndef AATGS_SOURCE_DIR
#define AATGS_SOURCE_DIR "."
#endif

static aatgs_graph *gen(const char *name, const char *k1, const char *v1, const char *k2,
                        const char *v2, uint64_t seed) {
  const aatgs_generator *gg = aatgs_generator_find(name);
  aatgs_gen_args a;
  aatgs_graph *g = NULL;
  aatgs_err e;
  cr_assert_not_null(gg);
  aatgs_gen_args_init(&a, gg);
  cr_assert_eq(aatgs_gen_args_set(&a, k1, v1, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_args_set(&a, k2, v2, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_args_set(&a, "est", "uniform(20us, 200us)", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_generate(&a, seed, &g, &e), AATGS_OK, "%s", e.msg);
  aatgs_gen_args_free(&a);
  return g;
}

/* Runs g on the ideal machine with `workers` streams, checks the schedule is
 * the list schedule of the model, and returns it with the makespan. */
static aatgs_ns run_ideal(aatgs_graph *g, const char *policy, uint32_t workers, sgp_sched *sc) {
  aatgs_profile pf;
  aatgs_run_result res;
  aatgs_err e;
  uint32_t n = aatgs_graph_num_tasks(g);
  aatgs_ns *free_at = calloc(workers, sizeof *free_at), last = 0;
  sgp_ideal_profile(&pf);
  cr_assert_eq(sgp_sched_init(sc, n, &e), AATGS_OK);
  cr_assert_eq(sgp_run(g, aatgs_policy_find(policy), &pf, workers, sc, &res, &e), AATGS_OK, "%s",
               e.msg);
  cr_assert_eq(res.status, AATGS_RUN_COMPLETED);
  cr_assert_eq(sc->seen, n);
  /* Per stream, in the order the tasks ran: start = max(stream free, parents' ends). */
  for (uint32_t i = 0; i < n; i++) {
    uint32_t t = sc->order[i], np, s = sc->stream[t];
    const uint32_t *pred = aatgs_graph_predecessors(g, t, &np);
    aatgs_ns ready = free_at[s];
    cr_assert_lt(s, workers);
    for (uint32_t k = 0; k < np; k++)
      if (sc->end[pred[k]] > ready) ready = sc->end[pred[k]];
    cr_assert_eq(sc->start[t], ready, "task %u starts at %lld, free and ready at %lld", t,
                 (long long)sc->start[t], (long long)ready);
    cr_assert_eq(sc->end[t] - sc->start[t], aatgs_graph_task_estimate(g, t));
    free_at[s] = sc->end[t];
    if (sc->end[t] > last) last = sc->end[t];
  }
  cr_assert_eq(res.makespan_ns, last);
  free(free_at);
  aatgs_profile_free(&pf);
  return res.makespan_ns;
}

/* The same DAG and schedule through simgrid_dag: makespans within 1e-6. */
static void against_simgrid(aatgs_graph *g, const char *policy, uint32_t workers) {
#ifndef AATGS_SIMGRID_PEER
  (void)g;
  (void)policy;
  (void)workers;
  cr_skip_test("simgrid_dag was not built (no SimGrid >= 3.32 at configure time: "
               "cmake/bench_simgrid.cmake)");
#else
  sgp_sched sc;
  sgp_peer_out out;
  aatgs_err e;
  char dir[] = "/tmp/aatgs-test-simgrid-XXXXXX", dax[64], sched[64];
  if (access(AATGS_SIMGRID_PEER, X_OK) != 0)
    cr_skip_test("simgrid_dag is not at %s (build the simgrid_dag target)", AATGS_SIMGRID_PEER);
  aatgs_ns makespan = run_ideal(g, policy, workers, &sc);
  cr_assert_not_null(mkdtemp(dir));
  snprintf(dax, sizeof dax, "%s/g.dax", dir);
  snprintf(sched, sizeof sched, "%s/g.sched", dir);
  cr_assert_eq(sgp_write_dax(g, dax, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(sgp_write_schedule(&sc, workers, sched, &e), AATGS_OK, "%s", e.msg);
  int rc = sgp_run_peer(AATGS_SIMGRID_PEER, dax, sched, 60.0, &out, &e);
  unlink(dax);
  unlink(sched);
  rmdir(dir);
  cr_assert_eq(rc, AATGS_OK, "%s", e.msg);
  cr_assert_eq((uint32_t)out.tasks, aatgs_graph_num_tasks(g));
  cr_assert_eq((uint32_t)out.hosts, workers);
  double rel = sgp_rel_err(out.makespan_s, makespan);
  cr_assert_leq(rel, 1e-6, "makespan: aatgs %lld ns, simgrid %.12f s (rel. error %.3e)",
                (long long)makespan, out.makespan_s, rel);
  cr_assert_leq(out.max_start_err_s, 1e-6 * (double)makespan * 1e-9,
                "a task's start differs by %.3e s", out.max_start_err_s);
  sgp_sched_free(&sc);
#endif
}

Test(simgrid_peer, ideal_yaml_is_the_code_profile) {
  aatgs_profile a, b;
  aatgs_err e;
  sgp_ideal_profile(&a);
  aatgs_profile_default(&b);
  cr_assert_eq(aatgs_profile_load(&b, AATGS_SOURCE_DIR "/scenarios/profiles/ideal.yaml", &e),
               AATGS_OK, "%s", e.msg);
  cr_assert_str_eq(a.name, b.name);
  cr_assert_eq(a.launch_ns + a.host_submit_ns + a.host_complete_ns, 0);
  cr_assert_eq(b.launch_ns, a.launch_ns);
  cr_assert_eq(b.graph_node_ns, a.graph_node_ns);
  cr_assert_eq(b.event_ns, a.event_ns);
  cr_assert_eq(b.host_submit_ns, a.host_submit_ns);
  cr_assert_eq(b.host_complete_ns, a.host_complete_ns);
  cr_assert_eq(b.h2d_latency_ns, a.h2d_latency_ns);
  cr_assert_eq(b.d2h_latency_ns, a.d2h_latency_ns);
  cr_assert_eq(b.h2d_gbps, a.h2d_gbps);
  cr_assert_eq(b.d2h_gbps, a.d2h_gbps);
  cr_assert_eq(b.block_slots, a.block_slots);
  cr_assert_eq(b.noise_cv, a.noise_cv);
  cr_assert_eq(b.edge_latency_ns, a.edge_latency_ns);
  cr_assert_eq(b.edge_gbps, a.edge_gbps);
  aatgs_profile_free(&a);
  aatgs_profile_free(&b);
}

Test(simgrid_peer, ideal_run_is_the_list_schedule) {
  aatgs_graph *g = gen("layered", "layers", "20", "width", "50", 7);
  sgp_sched sc;
  aatgs_ns m = run_ideal(g, "critical_path", 4, &sc);
  /* no schedule beats the lower bound; a work-conserving one is within 2x */
  cr_assert_geq(m, aatgs_graph_lower_bound(g, 4));
  cr_assert_leq(m, 2 * aatgs_graph_lower_bound(g, 4));
  sgp_sched_free(&sc);
  aatgs_graph_destroy(g);
}

Test(simgrid_peer, layered_200_tasks_3_workers) {
  aatgs_graph *g = gen("layered", "layers", "10", "width", "20", 1);
  cr_assert_eq(aatgs_graph_num_tasks(g), 200);
  against_simgrid(g, "fifo", 3);
  aatgs_graph_destroy(g);
}

Test(simgrid_peer, fork_join_3_workers) {
  aatgs_graph *g = gen("fork_join", "stages", "6", "width", "9", 3);
  against_simgrid(g, "critical_path", 3);
  aatgs_graph_destroy(g);
}

Test(simgrid_peer, peer_failure_is_reported) {
#ifndef AATGS_SIMGRID_PEER
  cr_skip_test("simgrid_dag was not built (no SimGrid >= 3.32 at configure time)");
#else
  sgp_peer_out out;
  aatgs_err e;
  /* a schedule file that does not exist: the peer exits 1, we get an error, not a hang */
  int rc = sgp_run_peer(AATGS_SIMGRID_PEER, "/nonexistent/g.dax", "/nonexistent/g.sched", 30.0,
                        &out, &e);
  cr_assert_eq(rc, AATGS_EBACKEND, "%s", e.msg);
  cr_assert(strstr(e.msg, "failed") != NULL, "%s", e.msg);
#endif
}
