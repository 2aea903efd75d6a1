/* test_perturb.c - perturbations (perturb.h), edge transfers and the
 * empirical duration model: parsing with positioned errors, determinism, the
 * exact or bounded effect of each perturbation in the simulator, and a
 * scenario where adaptive scheduling beats a static policy. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "generators.h"
#include "perturb.h"
#include "scenario.h"

/* ---- helpers ---- */

typedef struct capture {
  aatgs_task_rec *task; /* by task id */
  aatgs_ns *dec_est;    /* est_ns of each task's decision */
  uint32_t n;
  uint64_t decisions;
} capture;

static int cap_begin(void *ctx, const aatgs_run_info *info, aatgs_err *err) {
  (void)ctx;
  (void)info;
  (void)err;
  return AATGS_OK;
}
static int cap_emit(void *ctx, const aatgs_event *ev) {
  capture *c = ctx;
  if (ev->kind == AATGS_EV_TASK && ev->u.task.task < c->n) c->task[ev->u.task.task] = ev->u.task;
  if (ev->kind == AATGS_EV_DECISION && ev->u.decision.task < c->n) {
    c->dec_est[ev->u.decision.task] = ev->u.decision.est_ns;
    c->decisions++;
  }
  return AATGS_OK;
}
static int cap_end(void *ctx, const aatgs_run_result *res, aatgs_err *err) {
  (void)ctx;
  (void)res;
  (void)err;
  return AATGS_OK;
}

static void capture_init(capture *c, uint32_t n) {
  c->n = n;
  c->decisions = 0;
  c->task = calloc(n, sizeof *c->task);
  c->dec_est = calloc(n, sizeof *c->dec_est);
  cr_assert(c->task && c->dec_est);
}
static void capture_free(capture *c) {
  free(c->task);
  free(c->dec_est);
}

/* A profile without overheads, so that makespans are sums of work. */
static aatgs_profile quiet_profile(void) {
  aatgs_profile p;
  aatgs_profile_default(&p);
  p.launch_ns = 0;
  p.host_submit_ns = 0;
  p.host_complete_ns = 0;
  p.block_slots = 1000000; /* concurrent kernels never share the SMs here */
  p.noise_cv = 0;
  return p;
}

static aatgs_perturb perturb_of(const char *text) {
  aatgs_perturb p;
  aatgs_err e;
  cr_assert_eq(aatgs_perturb_parse(&p, "<t>", text, strlen(text), &e), AATGS_OK, "%s: %s", text,
               e.msg);
  return p;
}

static aatgs_graph *chain(uint32_t n, uint32_t type, aatgs_ns est) {
  aatgs_graph *g;
  aatgs_err e;
  uint32_t prev = 0, id;
  cr_assert_eq(aatgs_graph_create(&g, n, n), AATGS_OK);
  for (uint32_t i = 0; i < n; i++) {
    cr_assert_eq(aatgs_graph_add_task(g, type, est, &prev, i ? 1 : 0, &id, &e), AATGS_OK);
    prev = id;
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  return g;
}

/* Runs g under policy; fills res (and c when given). Returns the run's code. */
static int run_with(aatgs_graph *g, const char *policy, const aatgs_profile *pf, uint32_t streams,
                    uint64_t seed, const aatgs_perturb *pt, aatgs_run_result *res, capture *c,
                    aatgs_err *e) {
  aatgs_sink sink = {c, cap_begin, cap_emit, cap_end};
  aatgs_run_params p;
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = aatgs_policy_find(policy);
  cr_assert_not_null(p.policy, "%s", policy);
  p.backend = &aatgs_backend_sim;
  p.profile = pf;
  p.kernel_streams = streams;
  p.seed = seed;
  p.noise_cv = 0;
  p.perturb = pt;
  p.sink = c ? &sink : NULL;
  return aatgs_run_graph(&p, res, e);
}

static aatgs_ns makespan(aatgs_graph *g, const aatgs_profile *pf, uint32_t streams,
                         const aatgs_perturb *pt) {
  aatgs_run_result res;
  aatgs_err e;
  cr_assert_eq(run_with(g, "fifo", pf, streams, 1, pt, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  return res.makespan_ns;
}

/* ---- parsing ---- */

Test(perturb, parses_every_key) {
  aatgs_perturb p = perturb_of("misestimate: {factor: 2.5, dist: \"lognormal(1, 0.5)\", types: "
                               "{quantum: 3, whcr: 0.5}}\n"
                               "interference: {every: 50ms, duration: 10ms, slowdown: 3, at: 20ms, "
                               "gaps: fixed}\n"
                               "slow_stream: [{stream: 1, factor: 2}, {stream: 3, factor: 1.5}]\n"
                               "config_storm: {at: 100ms, count: 64, every: 1us}\n"
                               "telemetry_flood: {at: 0, duration: 200ms, per_kernel: 20}\n");
  cr_assert(aatgs_perturb_any(&p));
  cr_assert(p.misestimate.on);
  cr_assert_float_eq(p.misestimate.factor, 2.5, 1e-12);
  cr_assert(p.misestimate.has_dist);
  cr_assert_eq(p.misestimate.dist.kind, AATGS_FACTOR_LOGNORMAL);
  cr_assert_float_eq(p.misestimate.dist.b, 0.5, 1e-12);
  cr_assert_eq(p.misestimate.ntypes, 2);
  cr_assert_str_eq(p.misestimate.types[0].type, "quantum");
  cr_assert_float_eq(p.misestimate.types[1].factor, 0.5, 1e-12);
  cr_assert_eq(p.interference.every, 50 * AATGS_NS_PER_MS);
  cr_assert_eq(p.interference.duration, 10 * AATGS_NS_PER_MS);
  cr_assert_eq(p.interference.at, 20 * AATGS_NS_PER_MS);
  cr_assert(p.interference.fixed_gaps);
  cr_assert_eq(p.nslow, 2);
  cr_assert_eq(p.slow[1].stream, 3);
  cr_assert_float_eq(aatgs_perturb_stream_factor(&p, 1), 2.0, 1e-12);
  cr_assert_float_eq(aatgs_perturb_stream_factor(&p, 0), 1.0, 1e-12);
  cr_assert_eq(p.config_storm.count, 64);
  cr_assert_eq(aatgs_perturb_storm_time(&p, 2), 100 * AATGS_NS_PER_MS + 2000);
  cr_assert_eq(aatgs_perturb_flood(&p, 0), 20);
  cr_assert_eq(aatgs_perturb_flood(&p, 200 * AATGS_NS_PER_MS), 0);
  char *json = aatgs_perturb_json(&p);
  cr_assert_str_eq(json,
                   "{\"misestimate\":{\"factor\":2.5,\"dist\":\"lognormal(1, 0.5)\","
                   "\"types\":{\"quantum\":3,\"whcr\":0.5}},"
                   "\"interference\":{\"every\":50000000,\"duration\":10000000,"
                   "\"slowdown\":3,\"at\":20000000,\"gaps\":\"fixed\"},"
                   "\"slow_stream\":[{\"stream\":1,\"factor\":2},{\"stream\":3,"
                   "\"factor\":1.5}],"
                   "\"config_storm\":{\"at\":100000000,\"count\":64,\"every\":1000},"
                   "\"telemetry_flood\":{\"at\":0,\"duration\":200000000,\"per_kernel\":20}}");
  free(json);
  aatgs_perturb none;
  aatgs_perturb_init(&none);
  cr_assert_not(aatgs_perturb_any(&none));
  cr_assert_not(aatgs_perturb_any(NULL));
  json = aatgs_perturb_json(&none);
  cr_assert_str_eq(json, "{}");
  free(json);
}

Test(perturb, factor_models) {
  static const struct {
    const char *text;
    aatgs_factor_kind kind;
    double a, b, p;
  } ok[] = {
      {"2", AATGS_FACTOR_FIXED, 2, 0, 0},
      {"fixed(0.5)", AATGS_FACTOR_FIXED, 0.5, 0, 0},
      {"uniform(0.5, 1.5)", AATGS_FACTOR_UNIFORM, 0.5, 1.5, 0},
      {"normal( 1 , 0.2 )", AATGS_FACTOR_NORMAL, 1, 0.2, 0},
      {"lognormal(1, 0.5)", AATGS_FACTOR_LOGNORMAL, 1, 0.5, 0},
      {"bimodal(1, 4, 0.1)", AATGS_FACTOR_BIMODAL, 1, 4, 0.1},
  };
  aatgs_factor_dist d;
  aatgs_err e;
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    const char *t = ok[i].text;
    cr_assert_eq(aatgs_factor_parse(&d, t, &e), AATGS_OK, "%s: %s", t, e.msg);
    cr_assert_eq(d.kind, ok[i].kind, "%s", t);
    cr_assert_float_eq(d.a, ok[i].a, 1e-12);
    cr_assert_float_eq(d.b, ok[i].b, 1e-12);
    cr_assert_float_eq(d.p, ok[i].p, 1e-12);
  }
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"0", "fixed: the factor must be in (0, 1000]"},
      {"gamma(1, 2)", "unknown factor model \"gamma\""},
      {"lognormal(1)", "lognormal takes 2 arguments, got 1"},
      {"uniform(1, 2, 3)", "uniform takes 2 arguments, got more"},
      {"uniform(2, 1)", "uniform: need 0 < lo <= hi"},
      {"bimodal(1, 4, 2)", "bimodal: need factors in (0, 1000] and 0 <= p <= 1"},
      {"normal(1, x)", "normal: expected a number, got \"x\""},
      {"lots", "expected a factor like 2"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cr_assert_neq(aatgs_factor_parse(&d, bad[i].text, &e), AATGS_OK, "%s", bad[i].text);
    cr_assert(strstr(e.msg, bad[i].msg), "%s: got \"%s\"", bad[i].text, e.msg);
  }
}

Test(perturb, errors_name_line_and_column) {
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"bogus: 1", "<t>:1:1: unknown key \"bogus\" in perturb (valid: misestimate, interference, "
                   "slow_stream, config_storm, telemetry_flood)"},
      {"misestimate:\n  factor: -2\n",
       "<t>:2:11: misestimate.factor: -2 is out of range (0, 1000]"},
      {"misestimate: {dist: \"gamma(1, 2)\"}", "<t>:1:21: misestimate.dist: unknown factor model"},
      {"misestimate: {types: [quantum]}", "<t>:1:22: misestimate.types: expected a mapping"},
      {"misestimate: {scale: 2}", "<t>:1:15: unknown key \"scale\" in misestimate"},
      {"interference: {every: 10ms, duration: 5ms}", "<t>:1:15: interference: missing slowdown"},
      {"interference: {every: 1ms, duration: 10ms, slowdown: 2}",
       "<t>:1:15: interference: with exponential gaps, duration must be at most 8 x every"},
      {"interference: {every: 10ms, duration: 1ms, slowdown: 0.5}",
       "<t>:1:54: interference.slowdown: 0.5 is out of range [1, 1000]"},
      {"interference: {every: 10ms, duration: 1ms, slowdown: 2, gaps: poisson}",
       "<t>:1:63: interference.gaps: expected exponential or fixed, got \"poisson\""},
      {"interference: {every: soon, duration: 1ms, slowdown: 2}",
       "<t>:1:23: interference.every: expected a duration like 50ms, got \"soon\""},
      {"slow_stream:\n  - {stream: 1, factor: 2}\n  - {stream: 1, factor: 3}\n",
       "<t>:3:5: slow_stream: stream 1 given twice"},
      {"slow_stream: {stream: 1}", "<t>:1:14: slow_stream: missing factor"},
      {"slow_stream: []", "<t>:1:14: slow_stream: the list is empty"},
      {"config_storm: {at: 1ms}", "<t>:1:15: config_storm: missing count"},
      {"config_storm: {count: 0}", "<t>:1:23: config_storm.count: 0 is out of range [1, 1000000]"},
      {"telemetry_flood: {duration: 0, per_kernel: 2}",
       "<t>:1:29: telemetry_flood.duration: must be greater than 0"},
      {"telemetry_flood: {duration: 1ms}", "<t>:1:18: telemetry_flood: missing per_kernel"},
      {"- misestimate", "<t>:1:1: perturb: expected a mapping, got a sequence"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    aatgs_perturb p;
    aatgs_err e;
    cr_assert_neq(aatgs_perturb_parse(&p, "<t>", bad[i].text, strlen(bad[i].text), &e), AATGS_OK,
                  "%s", bad[i].text);
    cr_assert(strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "%s:\n  got  %s\n  want %s",
              bad[i].text, e.msg, bad[i].msg);
    cr_assert_not(aatgs_perturb_any(&p)); /* a failed parse leaves nothing on */
  }
}

static aatgs_scenario *scenario_of(const char *origin, const char *text) {
  aatgs_scenario *s = NULL;
  aatgs_err e;
  cr_assert_eq(aatgs_scenario_parse(&s, origin, text, strlen(text), &e), AATGS_OK, "%s", e.msg);
  return s;
}

Test(perturb, scenario_key_getter_and_params_json) {
  aatgs_scenario *s = scenario_of("x.yaml", "generator: chain\n"
                                            "params: {n: 4, type: gemm}\n"
                                            "types: {gemm: {est: 2ms}}\n"
                                            "perturb:\n"
                                            "  misestimate: {types: {gemm: 3}}\n"
                                            "  slow_stream: {stream: 0, factor: 2}\n"
                                            "edge_gbps: 25\n"
                                            "edge_latency: 5us\n");
  const aatgs_perturb *p = aatgs_scenario_perturb(s);
  cr_assert_not_null(p);
  cr_assert_eq(p->misestimate.ntypes, 1);
  cr_assert_str_eq(p->misestimate.types[0].type, "gemm");
  const char *pj = aatgs_scenario_params_json(s);
  cr_assert_str_eq(pj, "{\"generator\":\"chain\",\"n\":4,\"type\":\"gemm\",\"est\":{\"dist\":"
                       "\"type\"},\"perturb\":{\"misestimate\":{\"factor\":1,\"types\":{\"gemm\":"
                       "3}},\"slow_stream\":[{\"stream\":0,\"factor\":2}]},\"edge_gbps\":25,"
                       "\"edge_latency\":5000}");
  cr_assert_eq(aatgs_scenario_params_json(s), pj); /* built once */
  aatgs_profile prof;
  aatgs_profile_default(&prof);
  cr_assert_eq(prof.edge_latency_ns, 0);
  cr_assert_float_eq(prof.edge_gbps, 0.0, 0);
  aatgs_scenario_apply_profile(s, &prof);
  cr_assert_eq(prof.edge_latency_ns, 5000);
  cr_assert_float_eq(prof.edge_gbps, 25.0, 1e-12);
  aatgs_scenario_destroy(s);

  /* No perturb: no getter value, params_json as the generator writes it. */
  s = scenario_of("y.yaml", "generator: chain\nparams: {n: 4}\n");
  cr_assert_null(aatgs_scenario_perturb(s));
  cr_assert_null(strstr(aatgs_scenario_params_json(s), "perturb"));
  aatgs_profile_default(&prof);
  aatgs_scenario_apply_profile(s, &prof);
  cr_assert_eq(prof.edge_latency_ns, 0);
  aatgs_scenario_destroy(s);
}

Test(perturb, scenario_errors) {
  static const struct {
    const char *text, *msg;
  } bad[] = {
      {"generator: chain\nperturb:\n  misestimate: {types: {qunatum: 3}}\n",
       "s.yaml:3:25: misestimate.types: unknown task type \"qunatum\" (known: config_upload"},
      {"generator: chain\nperturb: {interference: {every: 1ms}}\n",
       "s.yaml:2:25: interference: missing duration"},
      {"generator: chain\nperturb: 3\n", "s.yaml:2:10: perturb: expected a mapping, got a scalar"},
      {"generator: chain\nedge_gbps: -1\n", "s.yaml:2:12: edge_gbps: -1 is out of range"},
      {"generator: chain\nedge_latency: fast\n",
       "s.yaml:2:15: edge_latency: expected a duration like 5us, got fast"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    aatgs_scenario *s = NULL;
    aatgs_err e;
    cr_assert_neq(aatgs_scenario_parse(&s, "s.yaml", bad[i].text, strlen(bad[i].text), &e),
                  AATGS_OK, "%s", bad[i].text);
    cr_assert_null(s);
    cr_assert(strncmp(e.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "%s:\n  got  %s\n  want %s",
              bad[i].text, e.msg, bad[i].msg);
  }
  /* A type the scenario declares resolves. */
  aatgs_scenario *s = scenario_of("s.yaml", "generator: chain\ntypes: {gemm: {est: 1ms}}\n"
                                            "perturb: {misestimate: {types: {gemm: 2}}}\n");
  aatgs_scenario_destroy(s);
}

/* ---- the empirical duration model ---- */

typedef struct tmpdir {
  char path[64];
} tmpdir;

static tmpdir make_tmpdir(void) {
  tmpdir d;
  snprintf(d.path, sizeof d.path, "/tmp/aatgs-perturb-XXXXXX");
  cr_assert_not_null(mkdtemp(d.path));
  return d;
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

static void remove_file(const char *dir, const char *name) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  unlink(path);
}

Test(empirical, reads_units_and_comments_and_draws_every_value) {
  tmpdir d = make_tmpdir();
  write_file(d.path, "k.txt", "# measured kernels\n\n  5ms\n250us # short one\n1500\n2.5ms\r\n");
  char text[300];
  snprintf(text, sizeof text, "empirical(%s/k.txt)", d.path);
  aatgs_dist m;
  aatgs_err e;
  cr_assert_eq(aatgs_dist_parse(&m, text, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(m.kind, AATGS_DIST_EMPIRICAL);
  cr_assert_str_eq(aatgs_dist_kind_name(m.kind), "empirical");
  cr_assert_eq(m.table->n, 4);
  const aatgs_ns want[4] = {5000000, 250000, 1500, 2500000};
  for (int i = 0; i < 4; i++)
    cr_assert_eq(m.table->v[i], want[i]);
  cr_assert_float_eq(aatgs_dist_mean(&m), (5000000 + 250000 + 1500 + 2500000) / 4.0, 1e-6);
  /* Uniform over the values: each of the 4 about a quarter of 8000 draws. */
  aatgs_rng r, r2;
  int count[4] = {0, 0, 0, 0};
  aatgs_rng_seed(&r, 7);
  aatgs_rng_seed(&r2, 7);
  for (int k = 0; k < 8000; k++) {
    aatgs_ns x = aatgs_dist_sample(&m, &r);
    cr_assert_eq(x, aatgs_dist_sample(&m, &r2)); /* seeded */
    int hit = -1;
    for (int i = 0; i < 4; i++)
      if (x == want[i]) hit = i;
    cr_assert_geq(hit, 0, "drew %lld, not in the file", (long long)x);
    count[hit]++;
  }
  for (int i = 0; i < 4; i++)
    cr_assert(count[i] > 1800 && count[i] < 2200, "value %d drawn %d times", i, count[i]);
  aatgs_dist_free(&m);
  cr_assert_null(m.table);
  aatgs_dist_free(&m); /* twice is harmless */

  /* Relative paths resolve against the origin's folder. */
  char origin[300];
  snprintf(origin, sizeof origin, "%s/scenario.yaml", d.path);
  cr_assert_eq(aatgs_dist_parse_at(&m, "empirical(k.txt)", origin, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(m.table->n, 4);
  cr_assert_str_eq(m.table->file, "k.txt");
  aatgs_dist_free(&m);
  /* ... and, when not found there, against $AATGS_DATA_DIR; or by prefix. */
  setenv("AATGS_DATA_DIR", d.path, 1);
  cr_assert_eq(aatgs_dist_parse_at(&m, "empirical(k.txt)", "/nonexistent/s.yaml", &e), AATGS_OK,
               "%s", e.msg);
  aatgs_dist_free(&m);
  cr_assert_eq(aatgs_dist_parse(&m, "empirical($AATGS_DATA_DIR/k.txt)", &e), AATGS_OK, "%s", e.msg);
  aatgs_dist_free(&m);
  unsetenv("AATGS_DATA_DIR");
  cr_assert_eq(aatgs_dist_parse(&m, "empirical($AATGS_DATA_DIR/k.txt)", &e), AATGS_ENODATA);
  cr_assert(strstr(e.msg, "$AATGS_DATA_DIR, which is not set"), "%s", e.msg);
  cr_assert_null(m.table);
  remove_file(d.path, "k.txt");
  rmdir(d.path);
}

Test(empirical, errors_name_file_and_line) {
  tmpdir d = make_tmpdir();
  write_file(d.path, "bad.txt", "1ms\n# fine\n2ms\nthree\n");
  write_file(d.path, "zero.txt", "1ms\n0\n");
  write_file(d.path, "empty.txt", "# nothing here\n\n");
  char origin[128], want[512];
  snprintf(origin, sizeof origin, "%s/s.yaml", d.path);
  aatgs_dist m;
  aatgs_err e;
  cr_assert_eq(aatgs_dist_parse_at(&m, "empirical(bad.txt)", origin, &e), AATGS_EINVAL);
  snprintf(want, sizeof want, "file: %s/bad.txt:4: expected a duration like 5ms, got \"three\"",
           d.path);
  cr_assert_str_eq(e.msg, want);
  cr_assert_null(m.table);
  cr_assert_eq(aatgs_dist_parse_at(&m, "empirical(zero.txt)", origin, &e), AATGS_EINVAL);
  snprintf(want, sizeof want, "file: %s/zero.txt:2: a duration must be greater than 0", d.path);
  cr_assert_str_eq(e.msg, want);
  cr_assert_eq(aatgs_dist_parse_at(&m, "empirical(empty.txt)", origin, &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "empty.txt: no durations"), "%s", e.msg);
  cr_assert_eq(aatgs_dist_parse_at(&m, "empirical(missing.txt)", origin, &e), AATGS_EIO);
  cr_assert(strstr(e.msg, "missing.txt"), "%s", e.msg);
  cr_assert_eq(aatgs_dist_parse(&m, "empirical()", &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "empirical: file is required"), "%s", e.msg);
  cr_assert_eq(aatgs_dist_init(&m, "empirical", &e), AATGS_OK);
  cr_assert_eq(aatgs_dist_check(&m, &e), AATGS_EINVAL);

  /* In a scenario, the error carries the scenario position and the file:line. */
  const char *text = "generator: chain\nparams: {n: 3, est: {dist: empirical, file: bad.txt}}\n";
  aatgs_scenario *s = NULL;
  cr_assert_neq(aatgs_scenario_parse(&s, origin, text, strlen(text), &e), AATGS_OK);
  snprintf(want, sizeof want, "%s:2:45: est: file: %s/bad.txt:4: expected a duration", origin,
           d.path);
  cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "got  %s\nwant %s", e.msg, want);
  remove_file(d.path, "bad.txt");
  remove_file(d.path, "zero.txt");
  remove_file(d.path, "empty.txt");
  rmdir(d.path);
}

/* The shipped example file, through a scenario next to it: every estimate is
 * one of the file's values, and the same seed gives the same graph. */
Test(empirical, shipped_example_in_a_scenario) {
  const char *origin = AATGS_SOURCE_DIR "/scenarios/empirical-test.yaml";
  aatgs_dist m;
  aatgs_err e;
  cr_assert_eq(aatgs_dist_parse_at(&m, "empirical(durations/kernels.txt)", origin, &e), AATGS_OK,
               "%s", e.msg);
  cr_assert_eq(m.table->n, 40);
  static const char *const forms[] = {
      "generator: layered\nparams: {layers: 10, width: 6, est: {dist: empirical, file: "
      "durations/kernels.txt}}\n",
      "generator: layered\nparams: {layers: 10, width: 6, est: \"empirical(durations/kernels.txt)"
      "\"}\n",
  };
  for (int f = 0; f < 2; f++) {
    aatgs_scenario *s = scenario_of(origin, forms[f]);
    cr_assert(strstr(aatgs_scenario_params_json(s),
                     "\"est\":{\"dist\":\"empirical\",\"file\":\"durations/kernels.txt\",\"n\":40,"
                     "\"values_fnv\":\""),
              "%s", aatgs_scenario_params_json(s));
    aatgs_graph *g1, *g2;
    cr_assert_eq(aatgs_scenario_build(s, 3, &g1, &e), AATGS_OK, "%s", e.msg);
    cr_assert_eq(aatgs_scenario_build(s, 3, &g2, &e), AATGS_OK, "%s", e.msg);
    uint32_t distinct = 0;
    aatgs_ns seen[40] = {0};
    for (uint32_t t = 0; t < aatgs_graph_num_tasks(g1); t++) {
      aatgs_ns est = aatgs_graph_task_estimate(g1, t);
      cr_assert_eq(est, aatgs_graph_task_estimate(g2, t));
      int in = 0;
      for (uint32_t i = 0; i < m.table->n; i++)
        if (m.table->v[i] == est) {
          in = 1;
          if (!seen[i]) distinct++;
          seen[i] = 1;
        }
      cr_assert(in, "estimate %lld is not in the file", (long long)est);
    }
    cr_assert_geq(distinct, 20); /* 60 draws reach most of the 40 values */
    aatgs_graph_destroy(g1);
    aatgs_graph_destroy(g2);
    aatgs_scenario_destroy(s);
  }
  /* Generator arguments own their tables: setting another model frees it. */
  aatgs_gen_args a;
  aatgs_gen_args_init(&a, aatgs_generator_find("chain"));
  a.origin = origin;
  cr_assert_eq(aatgs_gen_args_set(&a, "est", "empirical(durations/kernels.txt)", &e), AATGS_OK,
               "%s", e.msg);
  cr_assert_eq(aatgs_gen_args_get(&a, "est")->dist.table->n, 40);
  cr_assert_eq(aatgs_gen_args_set(&a, "est", "empirical(durations/kernels.txt)", &e), AATGS_OK);
  cr_assert_eq(aatgs_gen_args_set(&a, "est", "5ms", &e), AATGS_OK);
  cr_assert_null(aatgs_gen_args_get(&a, "est")->dist.table);
  cr_assert_eq(aatgs_gen_args_set(&a, "est", "empirical(durations/kernels.txt)", &e), AATGS_OK);
  aatgs_gen_args_free(&a);
  aatgs_dist_free(&m);
}

/* ---- determinism ---- */

static const char *const all_perturbations =
    "generator: layered\n"
    "params: {layers: 30, width: 8, est: {dist: uniform, min: 1ms, max: 9ms}}\n"
    "streams: 4\n"
    "noise_cv: 0.2\n"
    "perturb:\n"
    "  misestimate: {factor: 1.5, dist: \"lognormal(1, 0.4)\", types: {quantum: 2}}\n"
    "  interference: {every: 20ms, duration: 5ms, slowdown: 3}\n"
    "  slow_stream: {stream: 2, factor: 2}\n"
    "  config_storm: {at: 10ms, count: 40, every: 100us}\n"
    "  telemetry_flood: {at: 5ms, duration: 50ms, per_kernel: 80}\n";

static aatgs_run_result run_scenario(const char *text, uint64_t seed, const char *policy) {
  aatgs_scenario *s = scenario_of("d.yaml", text);
  aatgs_graph *g;
  aatgs_err e;
  aatgs_run_result res;
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_scenario_apply_profile(s, &pf);
  cr_assert_eq(aatgs_scenario_build(s, seed, &g, &e), AATGS_OK, "%s", e.msg);
  aatgs_run_params p;
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = aatgs_policy_find(policy);
  p.backend = &aatgs_backend_sim;
  p.profile = &pf;
  p.kernel_streams = aatgs_scenario_streams(s);
  p.seed = seed;
  p.noise_cv = aatgs_scenario_noise_cv(s);
  p.perturb = aatgs_scenario_perturb(s);
  cr_assert_eq(aatgs_run_graph(&p, &res, &e), AATGS_OK, "%s", e.msg);
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
  return res;
}

Test(perturb, same_seed_same_hash_other_perturbation_other_makespan) {
  aatgs_run_result a = run_scenario(all_perturbations, 5, "adaptive");
  aatgs_run_result b = run_scenario(all_perturbations, 5, "adaptive");
  cr_assert_eq(a.event_hash, b.event_hash);
  cr_assert_eq(a.makespan_ns, b.makespan_ns);
  cr_assert_gt(a.config_overflows, 0);
  cr_assert_gt(a.telemetry_overflows, 0);
  aatgs_run_result c = run_scenario(all_perturbations, 6, "adaptive");
  cr_assert_neq(a.event_hash, c.event_hash);
  /* Only the misestimate factor differs: 1.5 -> 2.5. */
  char other[2048];
  snprintf(other, sizeof other, "%s", all_perturbations);
  char *f = strstr(other, "factor: 1.5");
  cr_assert_not_null(f);
  f[8] = '2';
  aatgs_run_result d = run_scenario(other, 5, "adaptive");
  cr_assert_gt(d.makespan_ns, a.makespan_ns);
  cr_assert_neq(d.event_hash, a.event_hash);
  /* Every policy meets the same perturbed durations: the sum of kernel work
   * does not depend on the policy (the sim's busy time would, with sharing;
   * the graph's total estimated work is the same). */
  aatgs_run_result h = run_scenario(all_perturbations, 5, "heft");
  cr_assert_eq(h.total_work_ns, a.total_work_ns);
}

/* ---- each perturbation's effect ---- */

Test(perturb, slow_stream_doubles_a_one_stream_chain) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g = chain(10, AATGS_TT_CUSTOM, AATGS_NS_PER_MS);
  cr_assert_eq(makespan(g, &pf, 1, NULL), 10 * AATGS_NS_PER_MS);
  aatgs_perturb p = perturb_of("slow_stream: {stream: 0, factor: 2}");
  cr_assert_eq(makespan(g, &pf, 1, &p), 20 * AATGS_NS_PER_MS);
  /* fifo puts the chain on stream 0 of 2: slowing stream 1 changes nothing */
  p = perturb_of("slow_stream: {stream: 1, factor: 2}");
  cr_assert_eq(makespan(g, &pf, 2, &p), 10 * AATGS_NS_PER_MS);
  /* a stream the run does not have is an error at open */
  p = perturb_of("slow_stream: {stream: 4, factor: 2}");
  aatgs_run_result res;
  aatgs_err e;
  cr_assert_eq(run_with(g, "fifo", &pf, 2, 1, &p, &res, NULL, &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "slow_stream: stream 4, but the run has 2 kernel streams"), "%s", e.msg);
  aatgs_graph_destroy(g);
}

Test(perturb, interference_over_the_whole_run_multiplies_the_makespan) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g = chain(10, AATGS_TT_CUSTOM, AATGS_NS_PER_MS);
  aatgs_perturb p =
      perturb_of("interference: {at: 0, every: 1ms, duration: 1ms, slowdown: 3, gaps: fixed}");
  cr_assert_eq(makespan(g, &pf, 1, &p), 30 * AATGS_NS_PER_MS);
  /* A burst that starts after the run changes nothing. */
  p = perturb_of("interference: {at: 1s, every: 1s, duration: 1ms, slowdown: 3, gaps: fixed}");
  cr_assert_eq(makespan(g, &pf, 1, &p), 10 * AATGS_NS_PER_MS);
  aatgs_graph_destroy(g);
}

/* One 10 ms kernel, a 3x burst over [2 ms, 4 ms): 2 ms of work, then 2/3 ms
 * during the burst, then the remaining 22/3 ms: it ends at 11.3333 ms. */
Test(perturb, a_burst_mid_kernel_changes_its_rate) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g = chain(1, AATGS_TT_CUSTOM, 10 * AATGS_NS_PER_MS);
  aatgs_perturb p =
      perturb_of("interference: {at: 2ms, every: 1s, duration: 2ms, slowdown: 3, gaps: fixed}");
  aatgs_ns m = makespan(g, &pf, 1, &p);
  cr_assert(llabs(m - 11333333) <= 1, "makespan %lld", (long long)m);
  aatgs_graph_destroy(g);
}

/* Random bursts: the makespan of a one-stream chain is where the work done,
 * integrated over the burst schedule, reaches the total work. */
Test(perturb, random_bursts_follow_their_schedule) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g = chain(50, AATGS_TT_CUSTOM, AATGS_NS_PER_MS);
  aatgs_perturb p = perturb_of("interference: {every: 3ms, duration: 1ms, slowdown: 4}");
  aatgs_ns m = makespan(g, &pf, 1, &p);
  cr_assert_gt(m, 50 * AATGS_NS_PER_MS);
  cr_assert_lt(m, 200 * AATGS_NS_PER_MS);
  cr_assert_eq(makespan(g, &pf, 1, &p), m); /* the same seed, the same bursts */
  /* integrate the schedule the backend draws from (seed 1) */
  aatgs_bursts b;
  aatgs_bursts_init(&b, &p, 1);
  double work = 0, need = 50.0 * AATGS_NS_PER_MS;
  aatgs_ns t = 0, change, end = 0;
  int bursts = 0;
  while (work < need) {
    double k = aatgs_bursts_at(&b, t, &change);
    bursts += k > 1.0;
    double span = (double)(change - t);
    if (work + span / k >= need) {
      end = t + (aatgs_ns)llround((need - work) * k);
      break;
    }
    work += span / k;
    t = change;
  }
  cr_assert_gt(bursts, 5);
  /* each kernel end and each boundary rounds up by at most 1 ns */
  cr_assert(llabs(m - end) <= 50 + 2 * bursts, "sim %lld, schedule %lld", (long long)m,
            (long long)end);
  aatgs_graph_destroy(g);
}

Test(perturb, bursts_merge_and_permanent_bursts_never_end) {
  aatgs_perturb p = perturb_of("interference: {every: 1ms, duration: 8ms, slowdown: 2}");
  aatgs_bursts b;
  aatgs_ns change, prev_end = -1;
  aatgs_bursts_init(&b, &p, 9);
  for (aatgs_ns t = 0; t < 2 * AATGS_NS_PER_S; t = change) {
    double k = aatgs_bursts_at(&b, t, &change);
    cr_assert_gt(change, t);
    if (k > 1.0) {
      cr_assert_float_eq(k, 2.0, 0);
      cr_assert_gt(b.start, prev_end); /* merged bursts never touch */
      prev_end = b.end;
    }
  }
  p = perturb_of("interference: {at: 5ms, every: 1ms, duration: 1ms, slowdown: 2, gaps: fixed}");
  aatgs_bursts_init(&b, &p, 1);
  cr_assert_float_eq(aatgs_bursts_at(&b, 0, &change), 1.0, 0);
  cr_assert_eq(change, 5 * AATGS_NS_PER_MS);
  cr_assert_float_eq(aatgs_bursts_at(&b, 5 * AATGS_NS_PER_MS, &change), 2.0, 0);
  cr_assert_eq(change, INT64_MAX);
  aatgs_bursts_init(&b, NULL, 1);
  cr_assert_float_eq(aatgs_bursts_at(&b, 123, &change), 1.0, 0);
  cr_assert_eq(change, INT64_MAX);
}

Test(perturb, misestimate_changes_actual_not_the_estimate_policies_see) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g;
  aatgs_err e;
  uint32_t ids[6], prev = 0;
  cr_assert_eq(aatgs_graph_create(&g, 6, 6), AATGS_OK);
  for (uint32_t i = 0; i < 6; i++) { /* a chain alternating quantum and whcr */
    uint32_t type = i % 2 ? AATGS_TT_WHCR : AATGS_TT_QUANTUM;
    cr_assert_eq(aatgs_graph_add_task(g, type, AATGS_NS_PER_MS, &prev, i ? 1 : 0, &ids[i], &e),
                 AATGS_OK);
    prev = ids[i];
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  aatgs_perturb p = perturb_of("misestimate: {factor: 2, types: {quantum: 3}}");
  capture c;
  capture_init(&c, 6);
  aatgs_run_result res;
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, &c, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(c.decisions, 6);
  for (uint32_t i = 0; i < 6; i++) {
    cr_assert_eq(c.dec_est[i], AATGS_NS_PER_MS); /* what the policy saw */
    cr_assert_eq(c.task[i].end_ns - c.task[i].start_ns, (i % 2 ? 2 : 3) * AATGS_NS_PER_MS);
  }
  cr_assert_eq(res.makespan_ns, 15 * AATGS_NS_PER_MS);
  cr_assert_eq(res.total_work_ns, 6 * AATGS_NS_PER_MS); /* estimates */
  capture_free(&c);

  /* A type the graph lacks is an error at open. */
  p = perturb_of("misestimate: {types: {gemm: 3}}");
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, NULL, &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, "misestimate.types: the graph has no type gemm"), "%s", e.msg);
  aatgs_graph_destroy(g);
}

Test(perturb, misestimate_noise_is_per_task_and_seeded) {
  aatgs_graph *g = chain(4000, AATGS_TT_CUSTOM, AATGS_NS_PER_MS);
  aatgs_perturb p = perturb_of("misestimate: {dist: \"lognormal(1, 0.5)\"}");
  double sum = 0, sum2 = 0;
  for (uint32_t t = 0; t < 4000; t++) {
    double f = aatgs_perturb_task_factor(&p, g, t, 11);
    cr_assert_gt(f, 0);
    cr_assert_float_eq(f, aatgs_perturb_task_factor(&p, g, t, 11), 0);
    sum += f;
    sum2 += f * f;
  }
  double mean = sum / 4000, sd = sqrt(sum2 / 4000 - mean * mean);
  cr_assert(fabs(mean - 1.0) < 0.05, "mean %g", mean);
  cr_assert(fabs(sd / mean - 0.5) < 0.08, "cv %g", sd / mean);
  cr_assert_neq(aatgs_perturb_task_factor(&p, g, 0, 11), aatgs_perturb_task_factor(&p, g, 0, 12));
  cr_assert_float_eq(aatgs_perturb_task_factor(NULL, g, 0, 11), 1.0, 0);
  aatgs_graph_destroy(g);
}

/* One 10 ms kernel; 64 storm uploads at 1 ms into the 16-slot config ring,
 * which no kernel reads meanwhile: 48 overflow. */
Test(perturb, config_storm_overflows_the_config_ring) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g = chain(1, AATGS_TT_CUSTOM, 10 * AATGS_NS_PER_MS);
  aatgs_run_result res;
  aatgs_err e;
  aatgs_perturb p = perturb_of("config_storm: {at: 1ms, count: 64}");
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.config_overflows, 48);
  cr_assert_eq(res.makespan_ns, 10 * AATGS_NS_PER_MS);
  p = perturb_of("config_storm: {at: 1ms, count: 10, every: 100us}");
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.config_overflows, 0);
  /* a storm due after the last task ends never arrives */
  p = perturb_of("config_storm: {at: 20ms, count: 64}");
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.config_overflows, 0);
  aatgs_graph_destroy(g);
}

/* A 1 ms kernel, then a config upload of 256 B: 100 storm uploads from 0.9 ms
 * hold the upload engine, and the graph's upload queues behind them. */
Test(perturb, config_storm_delays_the_graphs_uploads) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g;
  aatgs_err e;
  uint32_t k, up;
  cr_assert_eq(aatgs_graph_create(&g, 2, 1), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, AATGS_NS_PER_MS, NULL, 0, &k, &e),
               AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CONFIG_UPLOAD, 0, &k, 1, &up, &e), AATGS_OK);
  aatgs_graph_set_bytes(g, up, 256);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  aatgs_ns copy = pf.h2d_latency_ns + (aatgs_ns)ceil(256.0 / pf.h2d_gbps);
  capture c;
  capture_init(&c, 2);
  aatgs_run_result res;
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, NULL, &res, &c, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(c.task[up].start_ns, AATGS_NS_PER_MS);
  cr_assert_eq(c.task[up].end_ns, AATGS_NS_PER_MS + copy);
  aatgs_perturb p = perturb_of("config_storm: {at: 900us, count: 100}");
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, &c, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(c.task[up].start_ns, 900 * AATGS_NS_PER_US + 100 * copy);
  cr_assert_eq(c.task[up].end_ns, 900 * AATGS_NS_PER_US + 101 * copy);
  cr_assert_eq(res.config_overflows, 100 - 16 + 1); /* the graph's own upload overflows too */
  capture_free(&c);
  aatgs_graph_destroy(g);
}

/* One kernel writes its record and 100 flood records into a 64-slot ring. */
Test(perturb, telemetry_flood_overflows_the_telemetry_ring) {
  aatgs_profile pf = quiet_profile();
  aatgs_graph *g = chain(1, AATGS_TT_CUSTOM, AATGS_NS_PER_MS);
  aatgs_run_result res;
  aatgs_err e;
  aatgs_perturb p = perturb_of("telemetry_flood: {at: 0, duration: 10ms, per_kernel: 100}");
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.telemetry_overflows, 101 - 64);
  /* outside the window: nothing extra */
  p = perturb_of("telemetry_flood: {at: 2ms, duration: 10ms, per_kernel: 100}");
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.telemetry_overflows, 0);
  aatgs_graph_destroy(g);
  /* A chain of 20 kernels each adding 30 records: telemetry load never
   * slows the kernels themselves. */
  g = chain(20, AATGS_TT_CUSTOM, AATGS_NS_PER_MS);
  p = perturb_of("telemetry_flood: {at: 0, duration: 1s, per_kernel: 30}");
  capture c;
  capture_init(&c, 20);
  cr_assert_eq(run_with(g, "fifo", &pf, 1, 1, &p, &res, &c, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.tasks_completed, 20);
  cr_assert_eq(res.makespan_ns, 20 * AATGS_NS_PER_MS); /* telemetry never slows kernels */
  capture_free(&c);
  aatgs_graph_destroy(g);
}

/* ---- edges between kernel streams ---- */

static aatgs_ns second_start(aatgs_profile *pf, uint32_t stream_b, aatgs_ns *first_end) {
  aatgs_graph *g;
  aatgs_err e;
  uint32_t a, b;
  cr_assert_eq(aatgs_graph_create(&g, 2, 1), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 50000, NULL, 0, &a, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 50000, NULL, 0, &b, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_edge_bytes(g, a, b, 1000000, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  aatgs_backend_config bc;
  aatgs_backend *be;
  memset(&bc, 0, sizeof bc);
  bc.graph = g;
  bc.profile = pf;
  bc.kernel_streams = 2;
  bc.seed = 1;
  cr_assert_eq(aatgs_backend_sim.open(&be, &bc, &e), AATGS_OK, "%s", e.msg);
  aatgs_completion c[4];
  uint32_t n;
  cr_assert_eq(aatgs_backend_sim.submit(be, a, 0, &e), AATGS_OK);
  cr_assert_eq(aatgs_backend_sim.wait(be, INT64_MAX, c, 4, &n, &e), AATGS_OK);
  cr_assert_eq(n, 1);
  *first_end = c[0].end_ns;
  cr_assert_eq(aatgs_backend_sim.submit(be, b, stream_b, &e), AATGS_OK);
  cr_assert_eq(aatgs_backend_sim.wait(be, INT64_MAX, c, 4, &n, &e), AATGS_OK);
  cr_assert_eq(n, 1);
  cr_assert_eq(c[0].end_ns - c[0].start_ns, 50000);
  aatgs_ns start = c[0].start_ns;
  aatgs_backend_sim.close(be);
  aatgs_graph_destroy(g);
  return start;
}

Test(edges, transfer_between_streams_costs_latency_plus_bytes_over_bandwidth) {
  aatgs_profile pf = quiet_profile();
  aatgs_ns end;
  /* free by default, on either stream */
  cr_assert_eq(second_start(&pf, 1, &end), end);
  cr_assert_eq(second_start(&pf, 0, &end), end);
  pf.edge_latency_ns = 5000;
  pf.edge_gbps = 10.0; /* 1e6 B / 10 B/ns = 100 us */
  cr_assert_eq(second_start(&pf, 1, &end), end + 5000 + 100000);
  cr_assert_eq(second_start(&pf, 0, &end), end); /* same stream: no transfer */
  pf.edge_gbps = 0;                              /* latency only */
  cr_assert_eq(second_start(&pf, 1, &end), end + 5000);
  /* the launch latency overlaps the transfer: the later of the two counts */
  pf.launch_ns = 200000;
  cr_assert_eq(second_start(&pf, 1, &end), end + 200000);
  cr_assert_eq(aatgs_backend_edge_time(&pf, 123), 5000);
}

Test(edges, profile_and_scenario_keys) {
  tmpdir d = make_tmpdir();
  write_file(d.path, "p.yaml", "edge_latency_ns: 3us\nedge_gbps: 12.5\n");
  char path[300];
  snprintf(path, sizeof path, "%s/p.yaml", d.path);
  aatgs_profile pf;
  aatgs_err e;
  cr_assert_eq(aatgs_profile_load(&pf, path, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(pf.edge_latency_ns, 3000);
  cr_assert_float_eq(pf.edge_gbps, 12.5, 1e-12);
  char *y = aatgs_profile_to_yaml(&pf);
  cr_assert(strstr(y, "edge_latency_ns: 3000\nedge_gbps: 12.5\n"), "%s", y);
  free(y);
  aatgs_profile_free(&pf);
  write_file(d.path, "p.yaml", "edge_gbps: -1\n");
  cr_assert_eq(aatgs_profile_load(&pf, path, &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "p.yaml:1:12: edge_gbps: -1 is out of range"), "%s", e.msg);
  remove_file(d.path, "p.yaml");
  rmdir(d.path);
  /* edge_latency 0 in a scenario turns a profile's latency off */
  aatgs_scenario *s = scenario_of("e.yaml", "generator: chain\nedge_latency: 0\n");
  aatgs_profile_default(&pf);
  pf.edge_latency_ns = 777;
  aatgs_scenario_apply_profile(s, &pf);
  cr_assert_eq(pf.edge_latency_ns, 0);
  cr_assert_float_eq(pf.edge_gbps, 0.0, 0);
  aatgs_scenario_destroy(s);
}

/* ---- adaptive against a static policy ---- */

/* scenarios/perturbed-misestimate.yaml: sweeps estimated at 2 ms take 20 ms.
 * sjf (static, estimate-driven) runs them ahead of the critical solve chain;
 * adaptive learns the ratio and runs the chain first. Over 5 seeds adaptive's
 * mean makespan is at least 4 % lower, and it wins on at least 4 seeds. */
Test(perturb, adaptive_beats_sjf_on_misestimated_types) {
  aatgs_scenario *s = NULL;
  aatgs_err e;
  cr_assert_eq(
      aatgs_scenario_load(&s, AATGS_SOURCE_DIR "/scenarios/perturbed-misestimate.yaml", &e),
      AATGS_OK, "%s", e.msg);
  cr_assert_not_null(aatgs_scenario_perturb(s));
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  double sum_a = 0, sum_s = 0;
  int wins = 0;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    aatgs_graph *g;
    aatgs_ns m[2];
    const char *pol[2] = {"adaptive", "sjf"};
    cr_assert_eq(aatgs_scenario_build(s, seed, &g, &e), AATGS_OK, "%s", e.msg);
    for (int k = 0; k < 2; k++) {
      aatgs_run_params p;
      aatgs_run_result res;
      memset(&p, 0, sizeof p);
      p.graph = g;
      p.policy = aatgs_policy_find(pol[k]);
      p.backend = &aatgs_backend_sim;
      p.profile = &pf;
      p.kernel_streams = aatgs_scenario_streams(s);
      p.seed = seed;
      p.noise_cv = aatgs_scenario_noise_cv(s);
      p.perturb = aatgs_scenario_perturb(s);
      cr_assert_eq(aatgs_run_graph(&p, &res, &e), AATGS_OK, "%s", e.msg);
      m[k] = res.makespan_ns;
    }
    cr_log_info("seed %llu: adaptive %.1f ms, sjf %.1f ms", (unsigned long long)seed, m[0] / 1e6,
                m[1] / 1e6);
    sum_a += (double)m[0];
    sum_s += (double)m[1];
    wins += m[0] < m[1];
    aatgs_graph_destroy(g);
  }
  cr_assert_geq(wins, 4, "adaptive won on %d of 5 seeds", wins);
  cr_assert_lt(sum_a, 0.96 * sum_s, "adaptive %.1f ms vs sjf %.1f ms (means)", sum_a / 5e6,
               sum_s / 5e6);
  aatgs_scenario_destroy(s);
}

/* ---- on the GPU (skipped where the cuda backend is absent) ---- */

static const aatgs_backend_ops *cuda_or_skip(void) {
  const aatgs_backend_ops *b = aatgs_backend_find("cuda");
  if (!b) cr_skip_test("the cuda backend is not built here (no nvcc at configure time)");
  if (!b->available()) cr_skip_test("no CUDA device present: GPU tests run on the GPU machine");
  return b;
}

static int run_cuda(const aatgs_backend_ops *b, aatgs_graph *g, uint32_t streams,
                    const aatgs_perturb *pt, const aatgs_profile *pf, aatgs_run_result *res,
                    capture *c, aatgs_err *e) {
  aatgs_sink sink = {c, cap_begin, cap_emit, cap_end};
  aatgs_run_params p;
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = aatgs_policy_find("fifo");
  p.backend = b;
  p.profile = pf;
  p.kernel_streams = streams;
  p.seed = 1;
  p.noise_cv = 0;
  p.perturb = pt;
  p.sink = c ? &sink : NULL;
  return aatgs_run_graph(&p, res, e);
}

/* Kernel time is set at submit on the GPU: a slowed stream, a burst over the
 * whole run and a misestimate scale each kernel's spin (within 10 %). */
Test(perturb_cuda, duration_perturbations_scale_kernels) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_graph *g = chain(5, AATGS_TT_CUSTOM, 2 * AATGS_NS_PER_MS);
  aatgs_run_result res;
  aatgs_err e;
  cr_assert_eq(run_cuda(b, g, 1, NULL, &pf, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  double base = (double)res.makespan_ns;
  static const struct {
    const char *text;
    double ratio;
  } cases[] = {
      {"slow_stream: {stream: 0, factor: 2}", 2.0},
      {"interference: {at: 0, every: 1ms, duration: 1ms, slowdown: 3, gaps: fixed}", 3.0},
      {"misestimate: {types: {custom: 2}}", 2.0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    aatgs_perturb p = perturb_of(cases[i].text);
    cr_assert_eq(run_cuda(b, g, 1, &p, &pf, &res, NULL, &e), AATGS_OK, "%s", e.msg);
    double r = (double)res.makespan_ns / base;
    cr_assert(r > 0.9 * cases[i].ratio && r < 1.1 * cases[i].ratio, "%s: x%.3f, want x%g",
              cases[i].text, r, cases[i].ratio);
  }
  aatgs_graph_destroy(g);
}

Test(perturb_cuda, storm_and_flood_overflow_the_device_rings) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_graph *g = chain(1, AATGS_TT_CUSTOM, 10 * AATGS_NS_PER_MS);
  aatgs_run_result res;
  aatgs_err e;
  aatgs_perturb p = perturb_of("config_storm: {at: 1ms, count: 64}");
  cr_assert_eq(run_cuda(b, g, 1, &p, &pf, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.config_overflows, 48);
  p = perturb_of("telemetry_flood: {at: 0, duration: 1s, per_kernel: 100}");
  cr_assert_eq(run_cuda(b, g, 1, &p, &pf, &res, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(res.telemetry_overflows, 101 - 64);
  aatgs_graph_destroy(g);
}

/* A 2-task chain on two streams with a 1 MB edge at 10 GB/s + 50 us: the
 * second kernel starts about 150 us after the first ends (on one stream: at
 * once). */
Test(perturb_cuda, edge_transfers_hold_the_consumer) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  pf.edge_latency_ns = 50000;
  pf.edge_gbps = 10.0;
  for (uint32_t sb = 0; sb < 2; sb++) {
    aatgs_graph *g;
    aatgs_err e;
    uint32_t a, t2;
    cr_assert_eq(aatgs_graph_create(&g, 2, 1), AATGS_OK);
    cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, AATGS_NS_PER_MS, NULL, 0, &a, &e),
                 AATGS_OK);
    cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, AATGS_NS_PER_MS, NULL, 0, &t2, &e),
                 AATGS_OK);
    cr_assert_eq(aatgs_graph_add_edge_bytes(g, a, t2, 1000000, &e), AATGS_OK);
    cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
    aatgs_backend_config bc;
    aatgs_backend *be;
    memset(&bc, 0, sizeof bc);
    bc.graph = g;
    bc.profile = &pf;
    bc.kernel_streams = 2;
    bc.seed = 1;
    cr_assert_eq(b->open(&be, &bc, &e), AATGS_OK, "%s", e.msg);
    aatgs_completion c[4];
    uint32_t n = 0;
    cr_assert_eq(b->submit(be, a, 0, &e), AATGS_OK, "%s", e.msg);
    while (n == 0)
      cr_assert_eq(b->wait(be, INT64_MAX, c, 4, &n, &e), AATGS_OK, "%s", e.msg);
    aatgs_ns end = c[0].end_ns;
    cr_assert_eq(b->submit(be, t2, sb, &e), AATGS_OK, "%s", e.msg);
    n = 0;
    while (n == 0)
      cr_assert_eq(b->wait(be, INT64_MAX, c, 4, &n, &e), AATGS_OK, "%s", e.msg);
    aatgs_ns gap = c[0].start_ns - end;
    if (sb == 1)
      cr_assert(gap > 140000 && gap < 250000, "gap %lld ns, want about 150 us", (long long)gap);
    else
      cr_assert(gap < 100000, "gap %lld ns on one stream", (long long)gap);
    b->close(be);
    aatgs_graph_destroy(g);
  }
}

Test(perturb_cuda, real_cholesky_refuses_duration_perturbations) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_gen_args a;
  aatgs_graph *g;
  aatgs_err e;
  aatgs_gen_args_init(&a, aatgs_generator_find("cholesky"));
  cr_assert_eq(aatgs_gen_args_set(&a, "tiles", "2", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_generate(&a, 1, &g, &e), AATGS_OK, "%s", e.msg);
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_run_result res;
  aatgs_perturb p = perturb_of("misestimate: {factor: 2}");
  cr_assert_eq(run_cuda(b, g, 2, &p, &pf, &res, NULL, &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "the real Cholesky workload cannot be slowed"), "%s", e.msg);
  aatgs_graph_destroy(g);
}
