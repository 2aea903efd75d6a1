/* test_generators.c - the synthetic generators: counts against closed forms,
 * structure, determinism, duration models, parameter handling. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generators.h"
#include "graph.h"
#include "rng.h"

static aatgs_gen_args args_for(const char *gen) {
  aatgs_gen_args a;
  const aatgs_generator *g = aatgs_generator_find(gen);
  cr_assert_not_null(g, "generator %s", gen);
  aatgs_gen_args_init(&a, g);
  return a;
}

static void set(aatgs_gen_args *a, const char *name, const char *text) {
  aatgs_err err = {0};
  int rc = aatgs_gen_args_set(a, name, text, &err);
  cr_assert_eq(rc, AATGS_OK, "%s=%s: %s", name, text, err.msg);
}

static aatgs_graph *generate(const aatgs_gen_args *a, uint64_t seed) {
  aatgs_err err = {0};
  aatgs_graph *g = NULL;
  int rc = aatgs_gen_generate(a, seed, &g, &err);
  cr_assert_eq(rc, AATGS_OK, "%s", err.msg);
  return g;
}

/* Graph counts match the generator's size() and the given closed form. */
static void check_counts(const aatgs_gen_args *a, aatgs_graph *g, uint64_t tasks, uint64_t edges) {
  uint64_t st, se;
  a->gen->size(a, &st, &se);
  cr_assert_eq(aatgs_graph_num_tasks(g), tasks, "%s tasks %u, closed form %llu", a->gen->name,
               aatgs_graph_num_tasks(g), (unsigned long long)tasks);
  cr_assert_eq(aatgs_graph_num_edges(g), edges, "%s edges %llu, closed form %llu", a->gen->name,
               (unsigned long long)aatgs_graph_num_edges(g), (unsigned long long)edges);
  cr_assert_eq(st, tasks);
  cr_assert_eq(se, edges);
}

Test(generators, registry_and_defaults) {
  const char *names[] = {
      "chain",   "fork_join", "layered", "phase_pipeline",       "cholesky",     "erdos_renyi",
      "stencil", "fft",       "lu",      "gaussian_elimination", "heft_layered", "daggen",
      "workflow"};
  char list[256];
  cr_assert_eq(aatgs_generator_count(), 13);
  for (size_t i = 0; i < 13; i++) {
    const aatgs_generator *g = aatgs_generator_at(i);
    cr_assert_str_eq(g->name, names[i]);
    cr_assert_eq(aatgs_generator_find(names[i]), g);
    cr_assert(g->doc && g->summary && g->nparams <= AATGS_GEN_MAX_PARAMS);
    /* Every default is valid text for its parameter and documented. */
    for (size_t j = 0; j < g->nparams; j++) {
      aatgs_gen_args a = args_for(g->name);
      aatgs_err err = {0};
      cr_assert_eq(aatgs_gen_args_set(&a, g->params[j].name, g->params[j].def, &err), AATGS_OK,
                   "%s.%s default \"%s\": %s", g->name, g->params[j].name, g->params[j].def,
                   err.msg);
      cr_assert(g->params[j].doc && *g->params[j].doc);
    }
  }
  cr_assert_null(aatgs_generator_find("choleski"));
  cr_assert_null(aatgs_generator_at(13));
  aatgs_generator_names(list, sizeof list);
  cr_assert_str_eq(list, "chain, fork_join, layered, phase_pipeline, cholesky, erdos_renyi, "
                         "stencil, fft, lu, gaussian_elimination, heft_layered, daggen, workflow");
}

Test(generators, chain_counts_and_order) {
  const char *ns[] = {"1", "2", "57", "1000"};
  for (size_t i = 0; i < 4; i++) {
    aatgs_gen_args a = args_for("chain");
    set(&a, "n", ns[i]);
    aatgs_graph *g = generate(&a, 1);
    uint64_t n = strtoull(ns[i], NULL, 10);
    check_counts(&a, g, n, n - 1);
    for (uint32_t t = 1; t < n; t++) {
      uint32_t np;
      const uint32_t *p = aatgs_graph_predecessors(g, t, &np);
      cr_assert_eq(np, 1);
      cr_assert_eq(p[0], t - 1);
    }
    cr_assert_eq(aatgs_graph_depth(g), n);
    aatgs_graph_destroy(g);
  }
}

Test(generators, fork_join_counts_and_shape) {
  const unsigned cases[][2] = {{1, 1}, {1, 5}, {3, 1}, {7, 13}, {60, 48}};
  for (size_t i = 0; i < 5; i++) {
    unsigned s = cases[i][0], w = cases[i][1];
    char bs[16], bw[16];
    snprintf(bs, sizeof bs, "%u", s);
    snprintf(bw, sizeof bw, "%u", w);
    aatgs_gen_args a = args_for("fork_join");
    set(&a, "stages", bs);
    set(&a, "width", bw);
    aatgs_graph *g = generate(&a, 1);
    /* Tasks: stages x (width + 2). Edges: 2 x stages x width + stages - 1. */
    check_counts(&a, g, (uint64_t)s * (w + 2), 2ull * s * w + s - 1);
    cr_assert_eq(aatgs_graph_depth(g), 3 * s);
    cr_assert_eq(aatgs_graph_max_width(g), w);
    /* The join of each stage has width predecessors. */
    for (unsigned k = 0; k < s; k++) {
      uint32_t np;
      aatgs_graph_predecessors(g, k * (w + 2) + w + 1, &np);
      cr_assert_eq(np, w);
    }
    aatgs_graph_destroy(g);
  }
}

static uint64_t pipeline_tasks(uint64_t I, uint64_t R, uint64_t k) {
  return 6 * I * R + (k ? I / k : 0);
}

static uint64_t pipeline_edges(uint64_t I, uint64_t R, uint64_t k) {
  uint64_t T = k ? I / k : 0, T2 = k ? (I - 1) / k : 0;
  return 5 * I * R + R * (I - 1) + R * T + R * T2;
}

Test(generators, phase_pipeline_counts) {
  /* iterations, replicas, transition_every: none, dividing, not dividing, larger than I. */
  const unsigned cases[][3] = {{1, 1, 0},  {5, 1, 0},   {10, 3, 0}, {10, 3, 5},
                               {10, 3, 3}, {10, 3, 20}, {1, 4, 1},  {200, 4, 10}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char b[3][16];
    aatgs_gen_args a = args_for("phase_pipeline");
    for (int j = 0; j < 3; j++)
      snprintf(b[j], sizeof b[j], "%u", cases[i][j]);
    set(&a, "iterations", b[0]);
    set(&a, "replicas", b[1]);
    set(&a, "transition_every", b[2]);
    aatgs_graph *g = generate(&a, 1);
    check_counts(&a, g, pipeline_tasks(cases[i][0], cases[i][1], cases[i][2]),
                 pipeline_edges(cases[i][0], cases[i][1], cases[i][2]));
    aatgs_graph_destroy(g);
  }
}

static int has_pred(aatgs_graph *g, uint32_t t, uint32_t p) {
  uint32_t n;
  const uint32_t *ps = aatgs_graph_predecessors(g, t, &n);
  for (uint32_t i = 0; i < n; i++)
    if (ps[i] == p) return 1;
  return 0;
}

Test(generators, phase_pipeline_structure) {
  /* 4 iterations x 2 replicas, a transition after iterations 1 and 3. */
  aatgs_gen_args a = args_for("phase_pipeline");
  set(&a, "iterations", "4");
  set(&a, "replicas", "2");
  set(&a, "transition_every", "2");
  aatgs_graph *g = generate(&a, 1);
  const uint32_t seq[6] = {AATGS_TT_CONFIG_UPLOAD, AATGS_TT_WHCR, AATGS_TT_THERMODYNAMIC,
                           AATGS_TT_QUANTUM,       AATGS_TT_LBS,  AATGS_TT_TELEMETRY_DOWNLOAD};
  /* Ids: per iteration, replica 0's six tasks, replica 1's, then the transition if any. */
  uint32_t base[4][2], trans[4] = {0, 0, 0, 0}, id = 0;
  for (int i = 0; i < 4; i++) {
    for (int r = 0; r < 2; r++) {
      base[i][r] = id;
      for (int p = 0; p < 6; p++)
        cr_assert_eq(aatgs_graph_task_type(g, id + p), seq[p]);
      cr_assert_eq(aatgs_graph_task_bytes(g, id), 256);     /* config_upload */
      cr_assert_eq(aatgs_graph_task_bytes(g, id + 5), 256); /* 4 kernels x 64 B */
      cr_assert_eq(aatgs_graph_task_estimate(g, id + 3), 15 * AATGS_NS_PER_MS);
      for (int p = 1; p < 6; p++)
        cr_assert(has_pred(g, id + p, id + p - 1));
      id += 6;
    }
    if ((i + 1) % 2 == 0) {
      trans[i] = id;
      cr_assert_eq(aatgs_graph_task_type(g, id), AATGS_TT_PHASE_TRANSITION);
      id++;
    }
  }
  cr_assert_eq(id, aatgs_graph_num_tasks(g));
  for (int i = 0; i < 4; i++)
    for (int r = 0; r < 2; r++) {
      uint32_t np;
      if (i > 0) cr_assert(has_pred(g, base[i][r] + 1, base[i - 1][r] + 4)); /* whcr <- lbs */
      if (i > 0) cr_assert(!has_pred(g, base[i][r] + 1, base[i - 1][1 - r] + 4));
      aatgs_graph_predecessors(g, base[i][r], &np);
      if (i == 2) {
        cr_assert_eq(np, 1);
        cr_assert(has_pred(g, base[i][r], trans[1])); /* config_upload <- transition */
      } else {
        cr_assert_eq(np, 0);
      }
    }
  for (int i = 1; i < 4; i += 2)
    for (int r = 0; r < 2; r++)
      cr_assert(has_pred(g, trans[i], base[i][r] + 5));
  aatgs_graph_destroy(g);
}

static int layer_of(uint32_t t, uint32_t w) { return (int)(t / w); }

Test(generators, layered_structure) {
  const uint32_t L = 40, W = 50;
  aatgs_gen_args a = args_for("layered");
  set(&a, "layers", "40");
  set(&a, "width", "50");
  set(&a, "degree", "3");
  aatgs_graph *g = generate(&a, 7);
  uint64_t edges = 0;
  cr_assert_eq(aatgs_graph_num_tasks(g), L * W);
  for (uint32_t t = 0; t < L * W; t++) {
    uint32_t np;
    const uint32_t *p = aatgs_graph_predecessors(g, t, &np);
    if (layer_of(t, W) == 0) {
      cr_assert_eq(np, 0, "layer-0 task %u has parents", t);
      continue;
    }
    cr_assert(np >= 1 && np <= W);
    for (uint32_t i = 0; i < np; i++)
      cr_assert_eq(layer_of(p[i], W), layer_of(t, W) - 1, "edge %u -> %u skips a layer", p[i], t);
    edges += np;
  }
  cr_assert_eq(edges, aatgs_graph_num_edges(g)); /* parents are distinct: nothing merged */
  cr_assert_eq(aatgs_graph_depth(g), L);
  double mean = (double)edges / ((L - 1) * W);
  cr_assert(fabs(mean - 3.0) < 0.15, "mean parents %f", mean);
  aatgs_graph_destroy(g);
}

Test(generators, layered_degree_capped_by_width) {
  aatgs_gen_args a = args_for("layered");
  set(&a, "layers", "5");
  set(&a, "width", "3");
  set(&a, "degree", "50");
  aatgs_graph *g = generate(&a, 1);
  cr_assert_eq(aatgs_graph_num_edges(g), 4 * 3 * 3); /* every parent taken */
  aatgs_graph_destroy(g);
}

/* True when the two graphs have the same edges and estimates. */
static int same_graph(aatgs_graph *x, aatgs_graph *y) {
  if (aatgs_graph_num_tasks(x) != aatgs_graph_num_tasks(y)) return 0;
  if (aatgs_graph_num_edges(x) != aatgs_graph_num_edges(y)) return 0;
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(x); t++) {
    uint32_t nx, ny;
    const uint32_t *px = aatgs_graph_predecessors(x, t, &nx);
    const uint32_t *py = aatgs_graph_predecessors(y, t, &ny);
    if (nx != ny || memcmp(px, py, nx * sizeof *px) != 0) return 0;
    if (aatgs_graph_task_estimate(x, t) != aatgs_graph_task_estimate(y, t)) return 0;
  }
  return 1;
}

Test(generators, layered_deterministic_per_seed) {
  aatgs_gen_args a = args_for("layered");
  set(&a, "layers", "20");
  set(&a, "width", "30");
  set(&a, "est", "lognormal(5ms, 0.5)");
  aatgs_graph *g1 = generate(&a, 42), *g2 = generate(&a, 42), *g3 = generate(&a, 43);
  cr_assert(same_graph(g1, g2), "same seed, different graphs");
  cr_assert(!same_graph(g1, g3), "different seeds, same graph");
  aatgs_graph_destroy(g1);
  aatgs_graph_destroy(g2);
  aatgs_graph_destroy(g3);
}

Test(generators, estimates_from_models_and_types) {
  aatgs_gen_args a = args_for("chain");
  set(&a, "n", "100");
  set(&a, "est", "7ms");
  aatgs_graph *g = generate(&a, 1);
  for (uint32_t t = 0; t < 100; t++)
    cr_assert_eq(aatgs_graph_task_estimate(g, t), 7 * AATGS_NS_PER_MS);
  aatgs_graph_destroy(g);

  a = args_for("chain");
  set(&a, "type", "quantum"); /* est: type -> the type's 15 ms */
  g = generate(&a, 1);
  cr_assert_eq(aatgs_graph_task_type(g, 0), AATGS_TT_QUANTUM);
  cr_assert_eq(aatgs_graph_task_estimate(g, 99), 15 * AATGS_NS_PER_MS);
  aatgs_graph_destroy(g);

  a = args_for("fork_join");
  set(&a, "est", "uniform(1ms, 2ms)");
  aatgs_graph *g1 = generate(&a, 5), *g2 = generate(&a, 6);
  int differ = 0;
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g1); t++) {
    aatgs_ns e = aatgs_graph_task_estimate(g1, t);
    cr_assert(e >= AATGS_NS_PER_MS && e <= 2 * AATGS_NS_PER_MS);
    differ |= e != aatgs_graph_task_estimate(g2, t);
  }
  cr_assert(differ, "estimates do not depend on the seed");
  aatgs_graph_destroy(g1);
  aatgs_graph_destroy(g2);

  a = args_for("chain");
  set(&a, "type", "no_such_type");
  aatgs_err err = {0};
  g = NULL;
  cr_assert_eq(aatgs_gen_generate(&a, 1, &g, &err), AATGS_ENOENT);
  cr_assert_null(g);
  cr_assert(strstr(err.msg, "no_such_type"), "%s", err.msg);
}

/* Sample mean and coefficient of variation of n draws. */
static void moments(const aatgs_dist *d, int n, double *mean, double *cv) {
  aatgs_rng r;
  double s = 0, s2 = 0;
  aatgs_rng_seed(&r, 12345);
  for (int i = 0; i < n; i++) {
    double x = (double)aatgs_dist_sample(d, &r);
    cr_assert(x >= 1.0);
    s += x;
    s2 += x * x;
  }
  *mean = s / n;
  *cv = sqrt(s2 / n - *mean * *mean) / *mean;
}

static aatgs_dist parse_dist(const char *text) {
  aatgs_dist d;
  aatgs_err err = {0};
  cr_assert_eq(aatgs_dist_parse(&d, text, &err), AATGS_OK, "%s: %s", text, err.msg);
  return d;
}

Test(generators, duration_model_means) {
  const int n = 200000;
  double mean, cv;
  aatgs_dist d = parse_dist("5ms");
  moments(&d, n, &mean, &cv);
  cr_assert_eq(mean, 5e6);

  d = parse_dist("uniform(1ms, 9ms)");
  moments(&d, n, &mean, &cv);
  cr_assert(fabs(mean / 5e6 - 1) < 0.01, "uniform mean %f", mean);
  cr_assert(fabs(cv - (8e6 / sqrt(12.0)) / 5e6) < 0.02, "uniform cv %f", cv);

  d = parse_dist("lognormal(5ms, 0.5)");
  moments(&d, n, &mean, &cv);
  cr_assert(fabs(mean / 5e6 - 1) < 0.01, "lognormal mean %f", mean);
  cr_assert(fabs(cv - 0.5) < 0.03, "lognormal cv %f", cv);

  d = parse_dist("normal(5ms, 1ms)");
  moments(&d, n, &mean, &cv);
  cr_assert(fabs(mean / 5e6 - 1) < 0.01, "normal mean %f", mean);
  cr_assert(fabs(cv - 0.2) < 0.01, "normal cv %f", cv);

  /* Truncated normal: nothing below min. */
  d = parse_dist("normal(1ms, 1ms, 500us)");
  aatgs_rng r;
  aatgs_rng_seed(&r, 1);
  for (int i = 0; i < 10000; i++)
    cr_assert(aatgs_dist_sample(&d, &r) >= 500000);

  d = parse_dist("bimodal(200us, 20ms, 0.3)");
  moments(&d, n, &mean, &cv);
  cr_assert(fabs(mean / aatgs_dist_mean(&d) - 1) < 0.02, "bimodal mean %f vs %f", mean,
            aatgs_dist_mean(&d));

  d = parse_dist("type");
  cr_assert_eq(d.kind, AATGS_DIST_TYPE);
  aatgs_rng_seed(&r, 1);
  cr_assert_eq(aatgs_dist_sample(&d, &r), 0);
}

Test(generators, duration_model_errors) {
  aatgs_dist d;
  aatgs_err err = {0};
  cr_assert_eq(aatgs_dist_parse(&d, "uniform(9ms, 1ms)", &err), AATGS_EINVAL);
  cr_assert(strstr(err.msg, "max must be >= min"), "%s", err.msg);
  cr_assert_eq(aatgs_dist_parse(&d, "gamma(1ms)", &err), AATGS_ENOENT);
  cr_assert(strstr(err.msg, "known: fixed, uniform"), "%s", err.msg);
  cr_assert_eq(aatgs_dist_parse(&d, "fast", &err), AATGS_EINVAL);
  cr_assert(strstr(err.msg, "expected a duration like 5ms"), "%s", err.msg);
  cr_assert_eq(aatgs_dist_parse(&d, "lognormal(5ms, x)", &err), AATGS_EINVAL);
  cr_assert_eq(aatgs_dist_parse(&d, "fixed(1ms, 2ms)", &err), AATGS_EINVAL);
  cr_assert(strstr(err.msg, "too many"), "%s", err.msg);
  cr_assert_eq(aatgs_dist_init(&d, "uniform", &err), AATGS_OK);
  cr_assert_eq(aatgs_dist_set_field(&d, "mean", "1ms", &err), AATGS_ENOENT);
  cr_assert_str_eq(err.msg, "unknown field \"mean\" for dist uniform (valid: min, max)");
}

Test(generators, parameter_errors) {
  aatgs_gen_args a = args_for("layered");
  aatgs_err err = {0};
  cr_assert_eq(aatgs_gen_args_set(&a, "widht", "3", &err), AATGS_ENOENT);
  cr_assert_str_eq(err.msg, "unknown parameter \"widht\" for generator layered (valid: layers, "
                            "width, degree, type, est)");
  cr_assert_eq(aatgs_gen_args_set(&a, "layers", "ten", &err), AATGS_EINVAL);
  cr_assert_str_eq(err.msg, "layers: expected an unsigned integer, got \"ten\"");
  cr_assert_eq(aatgs_gen_args_set(&a, "layers", "0", &err), AATGS_EINVAL);
  cr_assert_str_eq(err.msg, "layers: 0 is out of range [1, 10000000]");
  cr_assert_eq(aatgs_gen_args_set(&a, "degree", "0.5", &err), AATGS_EINVAL);
  cr_assert_eq(aatgs_gen_args_set(&a, "est", "quick", &err), AATGS_EINVAL);
  cr_assert(strstr(err.msg, "est: expected a duration like 5ms"), "%s", err.msg);
  /* Failed sets leave the previous value. */
  cr_assert_eq(aatgs_gen_args_get(&a, "layers")->u, 10);
  cr_assert_null(aatgs_gen_args_get(&a, "stages"));
}

Test(generators, args_json) {
  aatgs_gen_args a = args_for("layered");
  char *j = aatgs_gen_args_json(&a);
  cr_assert_str_eq(j, "{\"generator\":\"layered\",\"layers\":10,\"width\":100,\"degree\":3,"
                      "\"type\":\"custom\",\"est\":{\"dist\":\"type\"}}");
  free(j);
  set(&a, "degree", "2.5");
  set(&a, "est", "uniform(1ms, 9ms)");
  j = aatgs_gen_args_json(&a);
  cr_assert_str_eq(j, "{\"generator\":\"layered\",\"layers\":10,\"width\":100,\"degree\":2.5,"
                      "\"type\":\"custom\",\"est\":{\"dist\":\"uniform\",\"min\":1000000,"
                      "\"max\":9000000}}");
  free(j);
  a = args_for("phase_pipeline");
  j = aatgs_gen_args_json(&a);
  cr_assert_str_eq(j, "{\"generator\":\"phase_pipeline\",\"iterations\":100,\"replicas\":1,"
                      "\"transition_every\":0,\"config_bytes\":256,\"record_bytes\":64}");
  free(j);
}

Test(generators, too_large_is_refused) {
  aatgs_gen_args a = args_for("layered");
  aatgs_err err = {0};
  aatgs_graph *g = NULL;
  set(&a, "layers", "10000000");
  set(&a, "width", "10000000");
  cr_assert_eq(aatgs_gen_generate(&a, 1, &g, &err), AATGS_EINVAL);
  cr_assert(strstr(err.msg, "limit"), "%s", err.msg);
  cr_assert_null(g);
}

static aatgs_graph *gen_cholesky(unsigned tiles) {
  aatgs_gen_args a;
  aatgs_err e;
  char buf[16];
  aatgs_graph *g = NULL;
  aatgs_gen_args_init(&a, aatgs_generator_find("cholesky"));
  snprintf(buf, sizeof buf, "%u", tiles);
  cr_assert_eq(aatgs_gen_args_set(&a, "tiles", buf, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_args_set(&a, "unit", "1us", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_generate(&a, 1, &g, &e), AATGS_OK, "%s", e.msg);
  return g;
}

/* Counts and critical path against the closed forms: N(N+1)(N+2)/6 tasks,
 * (N-1)N(N+1)/2 edges, total work N^3 units, critical path 9N - 10 units. */
Test(generators, cholesky_counts_and_critical_path) {
  for (unsigned n = 2; n <= 12; n++) {
    aatgs_graph *g = gen_cholesky(n);
    cr_assert_eq(aatgs_graph_num_tasks(g), n * (n + 1) * (n + 2) / 6, "N=%u", n);
    cr_assert_eq(aatgs_graph_num_edges(g), (n - 1) * n * (n + 1) / 2, "N=%u", n);
    cr_assert_eq(aatgs_graph_total_work(g), (aatgs_ns)n * n * n * 1000, "N=%u", n);
    cr_assert_eq(aatgs_graph_critical_path(g), (aatgs_ns)(9 * n - 10) * 1000, "N=%u", n);
    cr_assert_eq(aatgs_graph_task_bytes(g, 0), 256 * 256 * 8);
    aatgs_graph_destroy(g);
  }
}

/* The N = 4 graph has exactly the edges of the reference DAG in
 * $AATGS_DATA_DIR/cholesky/cholesky_N4_dag.txt. */
Test(generators, cholesky_matches_the_reference_dag) {
  const char *dir = getenv("AATGS_DATA_DIR");
  if (!dir || !*dir) cr_skip_test("AATGS_DATA_DIR is not set (CI sets it to ../shared/data)");
  char path[1024], line[256], kind[16];
  snprintf(path, sizeof path, "%s/cholesky/cholesky_N4_dag.txt", dir);
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "cannot read %s", path);
  aatgs_graph *g = gen_cholesky(4);
  uint32_t n = aatgs_graph_num_tasks(g), map[64], edges = 0;
  for (uint32_t i = 0; i < 64; i++)
    map[i] = AATGS_TASK_NONE;
  while (fgets(line, sizeof line, f)) {
    unsigned id, k, i, j, w, src, dst;
    if (sscanf(line, "TASK %u %15s %u %u %u %u", &id, kind, &k, &i, &j, &w) == 6) {
      char want[64];
      if (!strcmp(kind, "POTRF"))
        snprintf(want, sizeof want, "potrf(%u)", k);
      else if (!strcmp(kind, "TRSM"))
        snprintf(want, sizeof want, "trsm(%u,%u)", k, i);
      else if (!strcmp(kind, "SYRK"))
        snprintf(want, sizeof want, "syrk(%u,%u)", k, i);
      else
        snprintf(want, sizeof want, "gemm(%u,%u,%u)", k, i, j);
      for (uint32_t t = 0; t < n; t++)
        if (!strcmp(aatgs_graph_task_label(g, t), want)) map[id] = t;
      cr_assert_neq(map[id], AATGS_TASK_NONE, "no task %s", want);
    } else if (sscanf(line, "EDGE %u %u", &src, &dst) == 2) {
      uint32_t ns, found = 0;
      const uint32_t *s = aatgs_graph_successors(g, map[src], &ns);
      for (uint32_t q = 0; q < ns; q++)
        found |= s[q] == map[dst];
      cr_assert(found, "missing edge %s -> %s", aatgs_graph_task_label(g, map[src]),
                aatgs_graph_task_label(g, map[dst]));
      edges++;
    }
  }
  fclose(f);
  cr_assert_eq(edges, 30);
  cr_assert_eq(aatgs_graph_num_edges(g), 30);
  aatgs_graph_destroy(g);
}

static void set_u(aatgs_gen_args *a, const char *name, uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
  set(a, name, buf);
}

/* erdos_renyi: n = 200, p = 0.1 over 20 seeds. Each count is Binomial(19900,
 * 0.1): sd about 42.3; each seed within 5 sd, the mean over seeds within 5
 * sd / sqrt(20). Every edge goes from a lower to a higher id. */
Test(generators, erdos_renyi_counts_and_order) {
  const uint32_t n = 200;
  const double pairs = n * (n - 1) / 2.0, p = 0.1, mean = p * pairs, sd = sqrt(pairs * p * (1 - p));
  double sum = 0;
  aatgs_gen_args a = args_for("erdos_renyi");
  set_u(&a, "n", n);
  set(&a, "p", "0.1");
  uint64_t st, se;
  a.gen->size(&a, &st, &se);
  cr_assert_eq(st, n);
  cr_assert_eq(se, 1990);
  for (uint64_t seed = 1; seed <= 20; seed++) {
    aatgs_graph *g = generate(&a, seed);
    uint64_t edges = 0;
    cr_assert_eq(aatgs_graph_num_tasks(g), n);
    for (uint32_t t = 0; t < n; t++) {
      uint32_t np;
      const uint32_t *ps = aatgs_graph_predecessors(g, t, &np);
      for (uint32_t i = 0; i < np; i++)
        cr_assert(ps[i] < t, "edge %u -> %u goes backwards", ps[i], t);
      edges += np;
    }
    cr_assert_eq(edges, aatgs_graph_num_edges(g)); /* no duplicates merged */
    cr_assert(fabs((double)edges - mean) < 5 * sd, "seed %llu: %llu edges, expected %.0f",
              (unsigned long long)seed, (unsigned long long)edges, mean);
    sum += (double)edges;
    aatgs_graph_destroy(g);
  }
  cr_assert(fabs(sum / 20 - mean) < 5 * sd / sqrt(20.0), "mean edges %f", sum / 20);
}

Test(generators, erdos_renyi_extremes_and_determinism) {
  aatgs_gen_args a = args_for("erdos_renyi");
  set(&a, "n", "50");
  set(&a, "p", "0");
  aatgs_graph *g = generate(&a, 3);
  check_counts(&a, g, 50, 0);
  aatgs_graph_destroy(g);
  set(&a, "p", "1");
  g = generate(&a, 3);
  check_counts(&a, g, 50, 50 * 49 / 2);
  aatgs_graph_destroy(g);

  a = args_for("erdos_renyi");
  set(&a, "n", "300");
  set(&a, "p", "0.05");
  set(&a, "est", "uniform(1ms, 9ms)");
  aatgs_graph *g1 = generate(&a, 42), *g2 = generate(&a, 42), *g3 = generate(&a, 43);
  cr_assert(same_graph(g1, g2), "same seed, different graphs");
  cr_assert(!same_graph(g1, g3), "different seeds, same graph");
  aatgs_graph_destroy(g1);
  aatgs_graph_destroy(g2);
  aatgs_graph_destroy(g3);
}

/* stencil: width x steps tasks, (steps-1)(3 width - 2) edges, critical path
 * steps x est with a fixed estimate, depth steps. */
Test(generators, stencil_counts_and_critical_path) {
  const unsigned cases[][2] = {{1, 1}, {1, 5}, {2, 1}, {2, 3}, {7, 4}, {16, 16}, {100, 3}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    uint64_t w = cases[c][0], s = cases[c][1];
    aatgs_gen_args a = args_for("stencil");
    set_u(&a, "width", w);
    set_u(&a, "steps", s);
    set(&a, "est", "3ms");
    aatgs_graph *g = generate(&a, 1);
    check_counts(&a, g, w * s, w == 1 ? s - 1 : (s - 1) * (3 * w - 2));
    cr_assert_eq(aatgs_graph_critical_path(g), (aatgs_ns)s * 3 * AATGS_NS_PER_MS, "%llux%llu",
                 (unsigned long long)w, (unsigned long long)s);
    cr_assert_eq(aatgs_graph_depth(g), s);
    if (s > 1 && w > 2) { /* (1, 1) depends on (0, 0), (0, 1), (0, 2) */
      uint32_t np;
      aatgs_graph_predecessors(g, (uint32_t)w + 1, &np);
      cr_assert_eq(np, 3);
      for (uint32_t i = 0; i < 3; i++)
        cr_assert(has_pred(g, (uint32_t)w + 1, i));
    }
    aatgs_graph_destroy(g);
  }
}

/* fft: (k+1) 2^k tasks, 2k 2^k edges, depth k+1, butterfly partners. */
Test(generators, fft_counts_and_butterfly) {
  for (uint64_t k = 1; k <= 8; k++) {
    uint64_t pts = UINT64_C(1) << k;
    aatgs_gen_args a = args_for("fft");
    set_u(&a, "log2_points", k);
    aatgs_graph *g = generate(&a, 1);
    check_counts(&a, g, (k + 1) * pts, 2 * k * pts);
    cr_assert_eq(aatgs_graph_depth(g), k + 1);
    for (uint32_t l = 1; l <= k; l++)
      for (uint32_t i = 0; i < pts; i++) {
        uint32_t t = l * (uint32_t)pts + i, up = (l - 1) * (uint32_t)pts, np;
        aatgs_graph_predecessors(g, t, &np);
        cr_assert_eq(np, 2);
        cr_assert(has_pred(g, t, up + i));
        cr_assert(has_pred(g, t, up + (i ^ (1u << (l - 1)))));
      }
    aatgs_graph_destroy(g);
  }
}

/* Edges of tiled LU by a direct last-writer simulation: the tasks in program
 * order, each with the tiles it touches; an edge from the last writer of
 * each, duplicates counted once. */
static uint64_t lu_edges_brute(uint32_t n) {
  int64_t lw[16][16];
  int64_t next = 0;
  uint64_t edges = 0;
  for (uint32_t r = 0; r < n; r++)
    for (uint32_t c = 0; c < n; c++)
      lw[r][c] = -1;
  for (uint32_t k = 0; k < n; k++) {
    /* tasks: (kind, i, j) -> tiles touched, tile written */
    uint32_t cnt = 1 + 2 * (n - 1 - k) + (n - 1 - k) * (n - 1 - k);
    for (uint32_t q = 0; q < cnt; q++) {
      uint32_t tr[3][2], nt = 0, wr, wc;
      if (q == 0) { /* getrf */
        wr = k, wc = k;
      } else if (q <= n - 1 - k) { /* trsm_u(k, j) */
        uint32_t j = k + q;
        tr[nt][0] = k, tr[nt][1] = k, nt++;
        wr = k, wc = j;
      } else if (q <= 2 * (n - 1 - k)) { /* trsm_l(k, i) */
        uint32_t i = k + q - (n - 1 - k);
        tr[nt][0] = k, tr[nt][1] = k, nt++;
        wr = i, wc = k;
      } else { /* gemm(k, i, j) */
        uint32_t x = q - 1 - 2 * (n - 1 - k), i = k + 1 + x / (n - 1 - k),
                 j = k + 1 + x % (n - 1 - k);
        tr[nt][0] = i, tr[nt][1] = k, nt++;
        tr[nt][0] = k, tr[nt][1] = j, nt++;
        wr = i, wc = j;
      }
      tr[nt][0] = wr, tr[nt][1] = wc, nt++;
      int64_t seen[3];
      uint32_t ns = 0;
      for (uint32_t x = 0; x < nt; x++) {
        int64_t w = lw[tr[x][0]][tr[x][1]], dup = 0;
        if (w < 0) continue;
        for (uint32_t y = 0; y < ns; y++)
          dup |= seen[y] == w;
        if (!dup) seen[ns++] = w;
      }
      edges += ns;
      lw[wr][wc] = next++;
    }
  }
  return edges;
}

Test(generators, lu_counts_and_brute_force_edges) {
  for (uint64_t n = 1; n <= 10; n++) {
    aatgs_gen_args a = args_for("lu");
    set_u(&a, "tiles", n);
    set(&a, "unit", "1us");
    aatgs_graph *g = generate(&a, 1); /* finalize succeeds: acyclic */
    uint64_t tasks = n + n * (n - 1) + (n - 1) * n * (2 * n - 1) / 6;
    uint64_t brute = lu_edges_brute((uint32_t)n);
    check_counts(&a, g, tasks, brute);
    cr_assert_eq(brute, n * (n - 1) * (2 * n + 1) / 2, "N=%llu", (unsigned long long)n);
    /* Work: getrf 2, trsm 3, gemm 6 units each. */
    uint64_t sq = (n - 1) * n * (2 * n - 1) / 6;
    cr_assert_eq(aatgs_graph_total_work(g), (aatgs_ns)(2 * n + 3 * n * (n - 1) + 6 * sq) * 1000,
                 "N=%llu", (unsigned long long)n);
    cr_assert_str_eq(aatgs_graph_task_label(g, 0), "getrf(0)");
    cr_assert_eq(aatgs_graph_task_bytes(g, 0), 256 * 256 * 8);
    aatgs_graph_destroy(g);
  }
}

/* Gaussian elimination against the definition: ids P_k, U_{k,k+1..n-1} step
 * by step; the expected predecessors are built from the definition, edges
 * counted and compared with (n-2) + (n-1)^2. */
Test(generators, gaussian_elimination_brute_force) {
  for (uint32_t n = 2; n <= 12; n++) {
    aatgs_gen_args a = args_for("gaussian_elimination");
    set_u(&a, "n", n);
    aatgs_graph *g = generate(&a, 1);
    uint32_t pid[16], uid[16][16], id = 0;
    for (uint32_t k = 0; k + 1 < n; k++) {
      pid[k] = id++;
      for (uint32_t j = k + 1; j < n; j++)
        uid[k][j] = id++;
    }
    uint64_t edges = 0;
    for (uint32_t k = 0; k + 1 < n; k++) {
      uint32_t np;
      aatgs_graph_predecessors(g, pid[k], &np);
      cr_assert_eq(np, k ? 1u : 0u);
      if (k) cr_assert(has_pred(g, pid[k], uid[k - 1][k]));
      edges += k ? 1 : 0;
      for (uint32_t j = k + 1; j < n; j++) {
        aatgs_graph_predecessors(g, uid[k][j], &np);
        cr_assert_eq(np, k ? 2u : 1u);
        cr_assert(has_pred(g, uid[k][j], pid[k]));
        if (k) cr_assert(has_pred(g, uid[k][j], uid[k - 1][j]));
        edges += k ? 2 : 1;
      }
    }
    cr_assert_eq(edges, (uint64_t)(n - 2) + (uint64_t)(n - 1) * (n - 1), "n=%u", n);
    check_counts(&a, g, (n - 1) + n * (n - 1) / 2, edges);
    cr_assert_eq(aatgs_graph_depth(g), 2 * (n - 1));
    aatgs_graph_destroy(g);
  }
}
