/* test_graph.c - task graph: construction, errors, cycles, analysis, state. */
#include <criterion/criterion.h>
#include <string.h>

#include "graph.h"

static aatgs_graph *mk(void) {
  aatgs_graph *g = NULL;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  return g;
}

static uint32_t add(aatgs_graph *g, uint32_t type, aatgs_ns est, const uint32_t *deps, size_t nd) {
  uint32_t id;
  aatgs_err e;
  cr_assert_eq(aatgs_graph_add_task(g, type, est, deps, nd, &id, &e), AATGS_OK, "%s", e.msg);
  return id;
}

Test(graph, builtin_types_and_estimates) {
  aatgs_graph *g = mk();
  uint32_t t;
  const char *names[] = {"config_upload",    "whcr",  "thermodynamic",
                         "quantum",          "lbs",   "telemetry_download",
                         "phase_transition", "custom"};
  const aatgs_ns est[] = {100000, 5000000, 10000000, 15000000, 8000000, 200000, 1000000, 5000000};
  for (uint32_t i = 0; i < 8; i++) {
    cr_assert_eq(aatgs_graph_find_type(g, names[i], &t), AATGS_OK);
    cr_assert_eq(t, i);
    cr_assert_eq(aatgs_graph_type(g, t)->default_est_ns, est[i], "%s", names[i]);
  }
  cr_assert_eq(aatgs_graph_type(g, AATGS_TT_CONFIG_UPLOAD)->cls, AATGS_CLASS_UPLOAD);
  cr_assert_eq(aatgs_graph_type(g, AATGS_TT_TELEMETRY_DOWNLOAD)->cls, AATGS_CLASS_DOWNLOAD);
  cr_assert_eq(aatgs_graph_find_type(g, "choleski", &t), AATGS_ENOENT);
  uint32_t id = add(g, AATGS_TT_QUANTUM, 0, NULL, 0);
  cr_assert_eq(aatgs_graph_task_estimate(g, id), 15000000);
  aatgs_graph_destroy(g);
}

Test(graph, custom_types) {
  aatgs_graph *g = mk();
  uint32_t t, t2;
  cr_assert_eq(aatgs_graph_add_type(g, "gemm", 2000, AATGS_CLASS_KERNEL, &t), AATGS_OK);
  cr_assert_eq(t, AATGS_TT_FIRST_USER);
  cr_assert_eq(aatgs_graph_add_type(g, "gemm", 9999, AATGS_CLASS_KERNEL, &t2), AATGS_OK);
  cr_assert_eq(t2, t);
  cr_assert_eq(aatgs_graph_add_type(g, "", 10, AATGS_CLASS_KERNEL, &t2), AATGS_EINVAL);
  cr_assert_eq(aatgs_graph_add_type(g, "x", 0, AATGS_CLASS_KERNEL, &t2), AATGS_EINVAL);
  uint32_t id = add(g, t, 0, NULL, 0);
  cr_assert_eq(aatgs_graph_task_estimate(g, id), 2000);
  cr_assert_eq(aatgs_graph_set_type_estimate(g, t, 3000), AATGS_OK);
  id = add(g, t, 0, NULL, 0);
  cr_assert_eq(aatgs_graph_task_estimate(g, id), 3000);
  aatgs_graph_destroy(g);
}

Test(graph, unknown_dependency_is_an_error) {
  aatgs_graph *g = mk();
  aatgs_err e;
  uint32_t id, deps[] = {0, 5};
  add(g, AATGS_TT_CUSTOM, 10, NULL, 0);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 10, deps, 2, &id, &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, "unknown dependency 5"), "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), 1);
  cr_assert_eq(aatgs_graph_add_edge(g, 0, 7, &e), AATGS_ENOENT);
  aatgs_graph_destroy(g);
}

Test(graph, cycle_is_named) {
  aatgs_graph *g = mk();
  aatgs_err e;
  for (int i = 0; i < 5; i++)
    add(g, AATGS_TT_CUSTOM, 10, NULL, 0);
  aatgs_graph_set_label(g, 1, "b");
  aatgs_graph_set_label(g, 2, "c");
  aatgs_graph_set_label(g, 3, "d");
  /* 0 -> 1 -> 2 -> 3 -> 1, 3 -> 4 */
  cr_assert_eq(aatgs_graph_add_edge(g, 0, 1, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_edge(g, 1, 2, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_edge(g, 2, 3, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_edge(g, 3, 1, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_edge(g, 3, 4, &e), AATGS_OK);
  uint32_t order[5];
  cr_assert_eq(aatgs_graph_topological_sort(g, order, &e), AATGS_ECYCLE);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_ECYCLE);
  cr_assert(strstr(e.msg, "cycle: "), "%s", e.msg);
  /* the three tasks of the cycle, in edge order, starting anywhere */
  cr_assert(strstr(e.msg, "b -> c -> d -> b") || strstr(e.msg, "c -> d -> b -> c") ||
                strstr(e.msg, "d -> b -> c -> d"),
            "%s", e.msg);
  cr_assert_not(aatgs_graph_is_finalized(g));
  aatgs_graph_destroy(g);
}

Test(graph, self_loop_is_a_cycle) {
  aatgs_graph *g = mk();
  aatgs_err e;
  add(g, AATGS_TT_CUSTOM, 10, NULL, 0);
  cr_assert_eq(aatgs_graph_add_edge(g, 0, 0, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_ECYCLE);
  cr_assert(strstr(e.msg, "0 -> 0"), "%s", e.msg);
  aatgs_graph_destroy(g);
}

/* diamond: a(10) -> b(20), a -> c(5), b -> d(1), c -> d, plus a duplicate edge */
static aatgs_graph *diamond(void) {
  aatgs_graph *g = mk();
  aatgs_err e;
  uint32_t a = add(g, AATGS_TT_CUSTOM, 10, NULL, 0);
  uint32_t b = add(g, AATGS_TT_CUSTOM, 20, &a, 1);
  uint32_t c = add(g, AATGS_TT_CUSTOM, 5, &a, 1);
  uint32_t bc[] = {b, c, b};
  add(g, AATGS_TT_CUSTOM, 1, bc, 3);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  return g;
}

Test(graph, csr_analysis_and_bounds) {
  aatgs_graph *g = diamond();
  uint32_t n;
  cr_assert_eq(aatgs_graph_num_edges(g), 4); /* duplicate b -> d merged */
  const uint32_t *s = aatgs_graph_successors(g, 0, &n);
  cr_assert_eq(n, 2);
  cr_assert_eq(s[0], 1);
  cr_assert_eq(s[1], 2);
  const uint32_t *p = aatgs_graph_predecessors(g, 3, &n);
  cr_assert_eq(n, 2);
  cr_assert_eq(p[0], 1);
  cr_assert_eq(p[1], 2);
  cr_assert_eq(aatgs_graph_total_work(g), 36);
  cr_assert_eq(aatgs_graph_critical_path(g), 31);
  cr_assert_eq(aatgs_graph_upward_rank(g, 0), 31);
  cr_assert_eq(aatgs_graph_upward_rank(g, 2), 6);
  cr_assert_eq(aatgs_graph_lower_bound(g, 1), 36);
  cr_assert_eq(aatgs_graph_lower_bound(g, 4), 31);
  cr_assert_eq(aatgs_graph_depth(g), 3);
  cr_assert_eq(aatgs_graph_max_width(g), 2);
  const uint32_t *topo = aatgs_graph_topo_order(g);
  uint32_t pos[4];
  for (uint32_t i = 0; i < 4; i++)
    pos[topo[i]] = i;
  cr_assert(pos[0] < pos[1] && pos[0] < pos[2] && pos[1] < pos[3] && pos[2] < pos[3]);
  aatgs_graph_destroy(g);
}

Test(graph, ready_tracking_and_state) {
  aatgs_graph *g = diamond();
  uint32_t t;
  aatgs_ns d;
  cr_assert_eq(aatgs_graph_ready_count(g), 1);
  cr_assert_eq(aatgs_graph_status(g, 0), AATGS_TASK_READY);
  cr_assert_eq(aatgs_graph_status(g, 3), AATGS_TASK_PENDING);
  cr_assert_eq(aatgs_graph_mark_complete(g, 0, 5), AATGS_ESTATE); /* not running */
  cr_assert_eq(aatgs_graph_pop_ready(g, &t), AATGS_OK);
  cr_assert_eq(t, 0);
  cr_assert_eq(aatgs_graph_estimate_completion(g, 1), 36);
  cr_assert_eq(aatgs_graph_mark_started(g, 0, 100), AATGS_OK);
  cr_assert_eq(aatgs_graph_mark_started(g, 0, 100), AATGS_ESTATE);
  cr_assert_eq(aatgs_graph_duration(g, 0, &d), AATGS_ESTATE);
  cr_assert_eq(aatgs_graph_mark_complete(g, 0, 112), AATGS_OK);
  cr_assert_eq(aatgs_graph_duration(g, 0, &d), AATGS_OK);
  cr_assert_eq(d, 12);
  cr_assert_eq(aatgs_graph_estimate_completion(g, 1), 26);
  cr_assert_eq(aatgs_graph_ready_count(g), 2);
  uint32_t r[4];
  cr_assert_eq(aatgs_graph_get_ready(g, r, 4), 2);
  cr_assert_eq(r[0], 1);
  cr_assert_eq(r[1], 2);
  aatgs_graph_pop_ready(g, &t);
  aatgs_graph_mark_started(g, t, 120);
  aatgs_graph_mark_complete(g, t, 140);
  cr_assert_eq(aatgs_graph_status(g, 3), AATGS_TASK_PENDING); /* still waits for c */
  aatgs_graph_pop_ready(g, &t);
  cr_assert_eq(t, 2);
  aatgs_graph_mark_started(g, t, 120);
  cr_assert_eq(aatgs_graph_mark_failed(g, t, 130), AATGS_OK);
  cr_assert_eq(aatgs_graph_status(g, 2), AATGS_TASK_FAILED);
  cr_assert_eq(aatgs_graph_status(g, 3), AATGS_TASK_PENDING);
  cr_assert_eq(aatgs_graph_num_completed(g), 2);
  aatgs_graph_reset(g);
  cr_assert_eq(aatgs_graph_num_completed(g), 0);
  cr_assert_eq(aatgs_graph_ready_count(g), 1);
  cr_assert_eq(aatgs_graph_status(g, 2), AATGS_TASK_PENDING);
  aatgs_graph_destroy(g);
}

Test(graph, cannot_add_after_finalize) {
  aatgs_graph *g = diamond();
  aatgs_err e;
  uint32_t id;
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 1, NULL, 0, &id, &e), AATGS_ESTATE);
  cr_assert_eq(aatgs_graph_add_edge(g, 0, 1, &e), AATGS_ESTATE);
  aatgs_graph_destroy(g);
}

Test(graph, optional_attributes) {
  aatgs_graph *g = mk();
  uint32_t a = add(g, AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0);
  uint32_t b = add(g, AATGS_TT_WHCR, 0, &a, 1);
  cr_assert_eq(aatgs_graph_task_bytes(g, a), 0);
  cr_assert_eq(aatgs_graph_set_bytes(g, a, 256), AATGS_OK);
  cr_assert_eq(aatgs_graph_task_bytes(g, a), 256);
  cr_assert_eq(aatgs_graph_task_blocks(g, b), 32);
  cr_assert_eq(aatgs_graph_set_blocks(g, b, 132), AATGS_OK);
  cr_assert_eq(aatgs_graph_task_blocks(g, b), 132);
  cr_assert_eq(aatgs_graph_set_actual(g, b, 77), AATGS_OK);
  cr_assert_eq(aatgs_graph_task_actual(g, b), 77);
  cr_assert_eq(aatgs_graph_set_label(g, b, "whcr#0"), AATGS_OK);
  cr_assert_str_eq(aatgs_graph_task_label(g, b), "whcr#0");
  cr_assert_eq(aatgs_graph_set_bytes(g, 9, 1), AATGS_ENOENT);
  aatgs_graph_destroy(g);
}

/* 10^6 tasks in 1000 layers of 1000, each with 3 parents in the previous layer. */
Test(graph, one_million_tasks, .timeout = 60) {
  aatgs_graph *g = NULL;
  aatgs_err e;
  const uint32_t L = 1000, W = 1000;
  cr_assert_eq(aatgs_graph_create(&g, L * W, (uint64_t)3 * L * W), AATGS_OK);
  for (uint32_t l = 0; l < L; l++)
    for (uint32_t w = 0; w < W; w++) {
      uint32_t deps[3], id;
      size_t nd = 0;
      if (l > 0) {
        uint32_t base = (l - 1) * W;
        deps[nd++] = base + w;
        deps[nd++] = base + (w * 7 + 1) % W;
        deps[nd++] = base + (w * 13 + 5) % W;
      }
      cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 1000 + w, deps, nd, &id, &e), AATGS_OK);
    }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), L * W);
  cr_assert_eq(aatgs_graph_depth(g), L);
  cr_assert_eq(aatgs_graph_max_width(g), W);
  cr_assert_eq(aatgs_graph_critical_path(g), (aatgs_ns)L * (1000 + W - 1));
  double per_task = (double)aatgs_graph_memory_bytes(g) / (L * W);
  cr_assert_leq(per_task, 128.0, "graph uses %.1f B/task", per_task);
  /* run the whole graph through the state API */
  uint32_t t, done = 0;
  while (aatgs_graph_pop_ready(g, &t) == AATGS_OK) {
    aatgs_graph_mark_started(g, t, done);
    aatgs_graph_mark_complete(g, t, done + 1);
    done++;
  }
  cr_assert_eq(done, L * W);
  cr_assert_eq(aatgs_graph_num_completed(g), L * W);
  aatgs_graph_destroy(g);
}

Test(graph, edge_bytes_follow_the_predecessor_lists) {
  aatgs_graph *g = mk();
  aatgs_err e;
  uint32_t a = add(g, AATGS_TT_CUSTOM, 0, NULL, 0);
  uint32_t b = add(g, AATGS_TT_CUSTOM, 0, NULL, 0);
  uint32_t c = add(g, AATGS_TT_CUSTOM, 0, NULL, 0);
  uint32_t deps[] = {a, b};
  uint32_t d = add(g, AATGS_TT_CUSTOM, 0, deps, 2);
  cr_assert_eq(aatgs_graph_set_dep_bytes(g, d, 100, &e), AATGS_OK);
  /* Added out of order, with a duplicate that keeps the larger size. */
  cr_assert_eq(aatgs_graph_add_edge_bytes(g, c, d, 7, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_edge_bytes(g, a, d, 300, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_edge(g, a, b, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_edges(g), 4);
  uint32_t n;
  const uint32_t *p = aatgs_graph_predecessors(g, d, &n);
  const uint64_t *pb = aatgs_graph_predecessor_bytes(g, d);
  cr_assert_not_null(pb);
  cr_assert_eq(n, 3);
  cr_assert_eq(p[0], a);
  cr_assert_eq(pb[0], 300);
  cr_assert_eq(p[1], b);
  cr_assert_eq(pb[1], 100);
  cr_assert_eq(p[2], c);
  cr_assert_eq(pb[2], 7);
  cr_assert_eq(aatgs_graph_predecessor_bytes(g, b)[0], 0);
  aatgs_graph_destroy(g);
}

Test(graph, no_edge_bytes_means_no_array) {
  aatgs_graph *g = mk();
  aatgs_err e;
  uint32_t a = add(g, AATGS_TT_CUSTOM, 0, NULL, 0);
  add(g, AATGS_TT_CUSTOM, 0, &a, 1);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  cr_assert_null(aatgs_graph_predecessor_bytes(g, 1));
  aatgs_graph_destroy(g);
}
