/* test_gate.c - `aatgs gate` (analysis/gate.h) on real databases: a small
 * suite run on the simulator by the aatgs binary, copies of it changed with
 * SQL (a planted regression, an improvement, a failed or missing group), and
 * synthetic noisy `cuda` runs with a known spread. Each test checks the
 * verdicts and numbers through the API and the exit status and output of the
 * command. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gate.h"
#include "rng.h"
#include "support/cli.h"

static char dir[64];
static char base_db[128], cand_db[128];

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "%s", path);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
}

static void sql(const char *db, const char *stmt) {
  sqlite3 *h = NULL;
  char *msg = NULL;
  cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK, "%s", db);
  int rc = sqlite3_exec(h, stmt, NULL, NULL, &msg);
  cr_assert_eq(rc, SQLITE_OK, "%s: %s", stmt, msg ? msg : "");
  sqlite3_close(h);
}

static long long sql_int(const char *db, const char *query) {
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_prepare_v2(h, query, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", query);
  long long v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

/* A copy through SQLite, so the copy is a complete database (no WAL left behind). */
static void copy_db(const char *from, const char *to) {
  char stmt[512];
  unlink(to);
  snprintf(stmt, sizeof stmt, "VACUUM INTO '%s'", to);
  sql(from, stmt);
}

/* Runs the small suite (two scenarios, three policies, three seeds) on sim. */
static void run_suite(const char *db, const char *extra) {
  char out[8192];
  int st = sh(out, sizeof out,
              "%s run %s/suite %s --db %s --backend sim --quiet --policy "
              "fifo,heft,critical_path",
              bin(), dir, extra ? extra : "", db);
  cr_assert_eq(st, 0, "aatgs run failed: %s", out);
}

static void setup(void) {
  char p[128];
  strcpy(dir, "/tmp/aatgs-gate-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(p, sizeof p, "%s/suite", dir);
  cr_assert_eq(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/suite/fj.yaml", dir);
  write_file(p, "name: fj\n"
                "generator: fork_join\n"
                "params: {stages: 5, width: 8, est: {dist: lognormal, mean: 1ms, cv: 0.5}}\n"
                "seeds: 3\n"
                "noise_cv: 0.1\n");
  snprintf(p, sizeof p, "%s/suite/lr.yaml", dir);
  write_file(p, "name: lr\n"
                "generator: layered\n"
                "params: {layers: 6, width: 10, est: {dist: uniform, min: 100us, max: 900us}}\n"
                "seeds: 3\n");
  snprintf(base_db, sizeof base_db, "%s/base.db", dir);
  snprintf(cand_db, sizeof cand_db, "%s/cand.db", dir);
  run_suite(base_db, NULL);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(gate, .init = setup, .fini = teardown, .timeout = 120);

static aatgs_gate_result *compare(const char *b, const char *c, const aatgs_gate_options *o) {
  aatgs_gate_result *r = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_gate_compare(b, c, o, &r, &err), AATGS_OK, "%s", err.msg);
  cr_assert_not_null(r);
  return r;
}

static const aatgs_gate_group *group(const aatgs_gate_result *r, const char *sc, const char *po,
                                     const char *be) {
  for (size_t i = 0; i < r->n_groups; i++)
    if (!strcmp(r->groups[i].scenario, sc) && !strcmp(r->groups[i].policy, po) &&
        !strcmp(r->groups[i].backend, be))
      return &r->groups[i];
  cr_assert_fail("no group %s/%s/%s", sc, po, be);
  return NULL;
}

static void expect_verdict(const aatgs_gate_group *g, aatgs_gate_verdict v) {
  cr_expect_eq(g->verdict, v, "%s/%s/%s: want %s, got %s (%s)", g->scenario, g->policy, g->backend,
               aatgs_gate_verdict_name(v), aatgs_gate_verdict_name(g->verdict), g->note);
}

/* --------------------------------------------------------- deterministic */

Test(gate, identical_suites_pass_exactly) {
  /* A second run of the same suite: the simulator is deterministic. */
  run_suite(cand_db, NULL);
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  cr_assert_eq(r->n_groups, 6);
  cr_expect_eq(r->counts[AATGS_GATE_PASS], 6);
  cr_expect_eq(r->n_failing, 0);
  for (size_t i = 0; i < r->n_groups; i++) {
    const aatgs_gate_group *g = &r->groups[i];
    cr_expect_eq(g->mode, AATGS_GATE_DETERMINISTIC, "%s/%s", g->scenario, g->policy);
    cr_expect_eq(g->compared, 3);
    cr_expect_eq(g->changed, 0);
    cr_expect_eq(g->base_runs, 3);
    cr_expect_eq(g->ratio, 1.0);
    cr_expect_eq(g->low, 1.0);
    cr_expect_eq(g->high, 1.0);
  }
  /* The medians are the medians of the database's makespans. */
  long long med = sql_int(base_db, "SELECT makespan_ns FROM runs WHERE scenario = 'fj' AND "
                                   "policy = 'heft' ORDER BY makespan_ns LIMIT 1 OFFSET 1");
  cr_expect_float_eq(group(r, "fj", "heft", "sim")->base_median, (double)med / 1e6, 1e-9);
  aatgs_gate_destroy(r);

  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s", bin(), base_db, cand_db),
               0, "%s", out);
  cr_expect(strstr(out, "6 groups: 6 pass"), "%s", out);
  cr_expect(strstr(out, "gate: pass"), "%s", out);
}

Test(gate, the_same_run_recorded_twice_pairs_by_latest) {
  copy_db(base_db, cand_db);
  run_suite(cand_db, NULL); /* every (seed, rep) now twice in the candidate */
  cr_assert_eq(sql_int(cand_db, "SELECT count(*) FROM runs"), 36);
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "lr", "fifo", "sim");
  expect_verdict(g, AATGS_GATE_PASS);
  cr_expect_eq(g->mode, AATGS_GATE_DETERMINISTIC);
  cr_expect_eq(g->compared, 3);
  cr_expect_eq(g->cand_runs, 6);
  aatgs_gate_destroy(r);
}

Test(gate, planted_regression_fails_and_names_the_group) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET makespan_ns = CAST(makespan_ns * 1.10 AS INTEGER) "
               "WHERE policy = 'heft' AND scenario = 'fj'");
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "fj", "heft", "sim");
  expect_verdict(g, AATGS_GATE_REGRESSION);
  cr_expect_eq(g->mode, AATGS_GATE_DETERMINISTIC);
  cr_expect_eq(g->worse, 3);
  cr_expect_eq(g->changed, 3);
  cr_expect_float_eq(g->worst_ratio, 1.10, 1e-6);
  cr_expect_float_eq(g->ratio, 1.10, 1e-6);
  cr_expect_eq(r->n_failing, 1);
  cr_expect_eq(r->counts[AATGS_GATE_PASS], 5);
  cr_expect_eq(aatgs_gate_exit_code(r, NULL), 1);
  expect_verdict(group(r, "lr", "heft", "sim"), AATGS_GATE_PASS);
  aatgs_gate_destroy(r);

  char out[16384], json[160];
  snprintf(json, sizeof json, "%s/gate.json", dir);
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --json %s", bin(), base_db,
                  cand_db, json),
               1, "%s", out);
  cr_expect(strstr(out, "FAIL fj / heft / sim: regression"), "%s", out);
  cr_expect(strstr(out, "3 of 3 runs worse than 5.00%"), "%s", out);
  cr_expect(strstr(out, "gate: FAIL"), "%s", out);

  json_error_t je;
  json_t *doc = json_load_file(json, 0, &je);
  cr_assert_not_null(doc, "%s: %s", json, je.text);
  cr_expect_str_eq(json_string_value(json_object_get(doc, "verdict")), "fail");
  cr_expect_eq(json_integer_value(json_object_get(doc, "exit_code")), 1);
  cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "regression")),
               1);
  json_t *groups = json_object_get(doc, "groups");
  cr_assert_eq(json_array_size(groups), 6);
  int seen = 0;
  for (size_t i = 0; i < json_array_size(groups); i++) {
    json_t *x = json_array_get(groups, i);
    const char *v = json_string_value(json_object_get(x, "verdict"));
    if (!strcmp(json_string_value(json_object_get(x, "policy")), "heft") &&
        !strcmp(json_string_value(json_object_get(x, "scenario")), "fj")) {
      cr_expect_str_eq(v, "regression");
      cr_expect(json_is_true(json_object_get(x, "fails")));
      cr_expect_str_eq(json_string_value(json_object_get(x, "mode")), "deterministic");
      cr_expect_float_eq(json_number_value(json_object_get(x, "worst_ratio")), 1.10, 1e-6);
      seen++;
    } else {
      cr_expect_str_eq(v, "pass");
    }
  }
  cr_expect_eq(seen, 1);
  json_decref(doc);
}

Test(gate, efficiency_regresses_when_makespan_grows) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET makespan_ns = CAST(makespan_ns * 1.10 AS INTEGER) "
               "WHERE policy = 'fifo' AND scenario = 'lr'");
  aatgs_gate_options o;
  aatgs_gate_options_default(&o);
  o.metric = AATGS_GATE_EFFICIENCY; /* higher is better */
  aatgs_gate_result *r = compare(base_db, cand_db, &o);
  const aatgs_gate_group *g = group(r, "lr", "fifo", "sim");
  expect_verdict(g, AATGS_GATE_REGRESSION);
  cr_expect_float_eq(g->ratio, 1 / 1.10, 1e-6);
  cr_expect_eq(r->n_failing, 1);
  aatgs_gate_destroy(r);
}

Test(gate, a_change_within_the_threshold_is_changed_and_passes) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET makespan_ns = CAST(makespan_ns * 1.02 AS INTEGER) "
               "WHERE policy = 'critical_path' AND scenario = 'fj' AND seed = 2");
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "fj", "critical_path", "sim");
  expect_verdict(g, AATGS_GATE_CHANGED);
  cr_expect_eq(g->changed, 1);
  cr_expect_eq(g->worse, 0);
  cr_expect_float_eq(g->high, 1.02, 1e-6);
  cr_expect_float_eq(g->low, 1.0, 1e-12);
  cr_expect_eq(g->worst_seed, 2);
  cr_expect_eq(r->n_failing, 0);
  aatgs_gate_destroy(r);

  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s", bin(), base_db, cand_db),
               0, "%s", out);
  cr_expect(strstr(out, "1 changed"), "%s", out);
  /* A threshold below the change turns it into a regression. */
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --threshold 1.5%%", bin(),
                  base_db, cand_db),
               1, "%s", out);
  cr_expect(strstr(out, "FAIL fj / critical_path / sim: regression"), "%s", out);
}

Test(gate, tolerance_and_event_hash) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET makespan_ns = makespan_ns + 1 "
               "WHERE policy = 'fifo' AND scenario = 'lr' AND seed = 1");
  sql(cand_db, "UPDATE runs SET event_hash = '0123456789abcdef' "
               "WHERE policy = 'heft' AND scenario = 'lr' AND seed = 3");
  aatgs_gate_options o;
  aatgs_gate_options_default(&o);
  o.tolerance = 1e-4; /* 1 ns in milliseconds of makespan is far below */
  aatgs_gate_result *r = compare(base_db, cand_db, &o);
  expect_verdict(group(r, "lr", "fifo", "sim"), AATGS_GATE_PASS);
  const aatgs_gate_group *h = group(r, "lr", "heft", "sim");
  expect_verdict(h, AATGS_GATE_CHANGED); /* same makespan, another schedule */
  cr_expect_eq(h->hash_changed, 1);
  cr_expect(strstr(h->note, "event hash differs in 1 run"), "%s", h->note);
  aatgs_gate_destroy(r);
  o.tolerance = 0;
  r = compare(base_db, cand_db, &o);
  const aatgs_gate_group *g = group(r, "lr", "fifo", "sim");
  expect_verdict(g, AATGS_GATE_CHANGED);
  cr_expect_eq(g->changed, 1);
  cr_expect_eq(r->n_failing, 0);
  aatgs_gate_destroy(r);
}

Test(gate, a_real_improvement_passes) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET makespan_ns = CAST(makespan_ns * 0.90 AS INTEGER) "
               "WHERE policy = 'fifo'");
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  expect_verdict(group(r, "fj", "fifo", "sim"), AATGS_GATE_IMPROVEMENT);
  expect_verdict(group(r, "lr", "fifo", "sim"), AATGS_GATE_IMPROVEMENT);
  cr_expect_float_eq(group(r, "fj", "fifo", "sim")->ratio, 0.90, 1e-6);
  cr_expect_eq(r->counts[AATGS_GATE_IMPROVEMENT], 2);
  cr_expect_eq(r->n_failing, 0);
  aatgs_gate_destroy(r);
  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s", bin(), base_db, cand_db),
               0, "%s", out);
  cr_expect(strstr(out, "2 improvement"), "%s", out);
}

Test(gate, a_changed_scenario_is_compared_statistically) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET scenario_hash = 'ffffffffffffffff' WHERE scenario = 'fj'");
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "fj", "fifo", "sim");
  cr_expect_eq(g->mode, AATGS_GATE_STATISTICAL);
  cr_expect(strstr(g->note, "scenario changed since the baseline"), "%s", g->note);
  /* Same values, but unpaired: three seeds of spread on each side. */
  cr_expect_eq(g->ratio, 1.0);
  cr_expect(g->low < 1.0 && g->high > 1.0, "interval %g..%g", g->low, g->high);
  cr_expect(g->verdict == AATGS_GATE_PASS || g->verdict == AATGS_GATE_AMBIGUOUS, "%s",
            aatgs_gate_verdict_name(g->verdict));
  cr_expect_eq(group(r, "lr", "fifo", "sim")->mode, AATGS_GATE_DETERMINISTIC);
  aatgs_gate_destroy(r);
}

Test(gate, wall_clock_metric_is_statistical_on_sim) {
  copy_db(base_db, cand_db);
  aatgs_gate_options o;
  aatgs_gate_options_default(&o);
  o.metric = AATGS_GATE_DECISION_MEAN;
  aatgs_gate_result *r = compare(base_db, cand_db, &o);
  for (size_t i = 0; i < r->n_groups; i++) {
    const aatgs_gate_group *g = &r->groups[i];
    cr_expect_eq(g->mode, AATGS_GATE_STATISTICAL);
    /* A copy: the same samples, so the same median, and an interval around 1
     * as wide as the spread of three runs. */
    cr_expect_eq(g->ratio, 1.0);
    cr_expect(g->low <= 1.0 && g->high >= 1.0, "interval %g..%g", g->low, g->high);
    cr_expect(g->verdict == AATGS_GATE_PASS || g->verdict == AATGS_GATE_AMBIGUOUS, "%s",
              aatgs_gate_verdict_name(g->verdict));
  }
  aatgs_gate_destroy(r);
}

/* ---------------------------------------------------------- statistical */

/* Inserts n synthetic cuda runs of scenario 'gpu', policy pol: makespans
 * lognormal around mean_ms with coefficient of variation cv. */
static void insert_noisy(const char *db, const char *pol, int n, double mean_ms, double cv,
                         uint64_t seed) {
  char stmt[512];
  aatgs_rng rng;
  aatgs_rng_seed(&rng, seed);
  double s = sqrt(log(1 + cv * cv));
  for (int i = 0; i < n; i++) {
    double ms = mean_ms * exp(s * aatgs_rng_normal(&rng) - 0.5 * s * s);
    snprintf(stmt, sizeof stmt,
             "INSERT INTO runs (scenario, scenario_hash, policy, backend, seed, rep, status, "
             "makespan_ns, lower_bound_ns) VALUES ('gpu', 'aaaaaaaaaaaaaaaa', '%s', 'cuda', %d, "
             "0, 'completed', %lld, 50000000)",
             pol, i + 1, (long long)llround(ms * 1e6));
    sql(db, stmt);
  }
}

static void noisy_pair(const char *pol, double base_mean, double base_cv, double cand_mean,
                       double cand_cv) {
  copy_db(base_db, cand_db);
  insert_noisy(base_db, pol, 8, base_mean, base_cv, 11);
  insert_noisy(cand_db, pol, 8, cand_mean, cand_cv, 22);
}

Test(gate, noise_around_the_same_mean_is_ambiguous) {
  noisy_pair("fifo", 100, 0.10, 100, 0.10);
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "gpu", "fifo", "cuda");
  cr_expect_eq(g->mode, AATGS_GATE_STATISTICAL);
  expect_verdict(g, AATGS_GATE_AMBIGUOUS);
  cr_expect(g->low < 1.05 && g->high > 1.05, "interval %g..%g", g->low, g->high);
  cr_expect(g->low < g->ratio && g->ratio < g->high);
  cr_expect_eq(g->base_runs, 8);
  cr_expect_eq(r->n_failing, 0, "ambiguous passes by default");
  /* The bootstrap is seeded: the same inputs give the same interval. */
  aatgs_gate_result *r2 = compare(base_db, cand_db, NULL);
  cr_expect_eq(group(r2, "gpu", "fifo", "cuda")->low, g->low);
  cr_expect_eq(group(r2, "gpu", "fifo", "cuda")->high, g->high);
  aatgs_gate_destroy(r2);
  aatgs_gate_destroy(r);

  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --backend cuda", bin(),
                  base_db, cand_db),
               0, "%s", out);
  cr_expect(strstr(out, "1 groups: 1 ambiguous"), "%s", out);
  cr_expect_eq(sh(out, sizeof out,
                  "%s gate --baseline %s --candidate %s --backend cuda --fail-ambiguous", bin(),
                  base_db, cand_db),
               1, "%s", out);
  cr_expect(strstr(out, "FAIL gpu / fifo / cuda: ambiguous"), "%s", out);
}

Test(gate, tight_noise_around_the_same_mean_passes) {
  noisy_pair("fifo", 100, 0.005, 100, 0.005);
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "gpu", "fifo", "cuda");
  expect_verdict(g, AATGS_GATE_PASS);
  cr_expect(g->low > 0.95 && g->high < 1.05, "interval %g..%g", g->low, g->high);
  aatgs_gate_destroy(r);
}

Test(gate, a_noisy_regression_and_a_noisy_improvement) {
  noisy_pair("fifo", 100, 0.03, 130, 0.03);
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "gpu", "fifo", "cuda");
  expect_verdict(g, AATGS_GATE_REGRESSION);
  cr_expect(g->low > 1.05, "interval %g..%g", g->low, g->high);
  cr_expect(fabs(g->ratio - 1.3) < 0.1, "ratio %g", g->ratio);
  cr_expect_eq(r->n_failing, 1);
  aatgs_gate_destroy(r);

  noisy_pair("sjf", 100, 0.03, 70, 0.03);
  r = compare(base_db, cand_db, NULL);
  g = group(r, "gpu", "sjf", "cuda");
  expect_verdict(g, AATGS_GATE_IMPROVEMENT);
  cr_expect(g->high < 0.95, "interval %g..%g", g->low, g->high);
  cr_expect_eq(r->n_failing, 0);
  aatgs_gate_destroy(r);
}

Test(gate, one_run_a_side_has_no_interval) {
  copy_db(base_db, cand_db);
  insert_noisy(base_db, "fifo", 1, 100, 0, 1);
  insert_noisy(cand_db, "fifo", 1, 120, 0, 1);
  insert_noisy(base_db, "heft", 1, 100, 0, 1);
  insert_noisy(cand_db, "heft", 1, 101, 0, 1);
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "gpu", "fifo", "cuda");
  expect_verdict(g, AATGS_GATE_AMBIGUOUS);
  cr_expect_float_eq(g->ratio, 1.20, 1e-9);
  cr_expect(isnan(g->low) && isnan(g->high));
  cr_expect(strstr(g->note, "one run on a side"), "%s", g->note);
  expect_verdict(group(r, "gpu", "heft", "cuda"), AATGS_GATE_PASS);
  aatgs_gate_destroy(r);
}

Test(gate, statistical_flag_on_sim) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET makespan_ns = CAST(makespan_ns * 1.20 AS INTEGER) "
               "WHERE policy = 'heft' AND scenario = 'lr'");
  aatgs_gate_options o;
  aatgs_gate_options_default(&o);
  o.statistical = true;
  aatgs_gate_result *r = compare(base_db, cand_db, &o);
  const aatgs_gate_group *g = group(r, "lr", "heft", "sim");
  cr_expect_eq(g->mode, AATGS_GATE_STATISTICAL);
  cr_expect(g->low <= 1.20 + 1e-9 && g->high >= 1.0, "interval %g..%g", g->low, g->high);
  cr_expect(g->verdict == AATGS_GATE_REGRESSION || g->verdict == AATGS_GATE_AMBIGUOUS, "%s",
            aatgs_gate_verdict_name(g->verdict));
  aatgs_gate_destroy(r);
}

/* ------------------------------------------------------ missing and new */

Test(gate, missing_groups_fail_unless_allowed) {
  copy_db(base_db, cand_db);
  sql(cand_db, "DELETE FROM runs WHERE policy = 'heft'");
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  expect_verdict(group(r, "fj", "heft", "sim"), AATGS_GATE_MISSING);
  expect_verdict(group(r, "lr", "heft", "sim"), AATGS_GATE_MISSING);
  cr_expect_eq(r->n_failing, 2);
  aatgs_gate_destroy(r);

  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s", bin(), base_db, cand_db),
               1, "%s", out);
  cr_expect(strstr(out, "FAIL lr / heft / sim: missing"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --allow-missing", bin(),
                  base_db, cand_db),
               0, "%s", out);
  /* The other way round, the groups are new: a scenario or policy added. */
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s", bin(), cand_db, base_db),
               0, "%s", out);
  cr_expect(strstr(out, "4 pass, 2 new"), "%s", out);
}

Test(gate, a_new_scenario_in_the_candidate_passes) {
  char p[128];
  snprintf(p, sizeof p, "%s/suite/chain.yaml", dir);
  write_file(p, "name: chain\ngenerator: chain\nparams: {n: 30}\nseeds: 3\n");
  run_suite(cand_db, NULL);
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  cr_expect_eq(r->n_groups, 9);
  cr_expect_eq(r->counts[AATGS_GATE_NEW], 3);
  cr_expect_eq(r->counts[AATGS_GATE_PASS], 6);
  const aatgs_gate_group *g = group(r, "chain", "fifo", "sim");
  expect_verdict(g, AATGS_GATE_NEW);
  cr_expect_eq(g->cand_runs, 3);
  cr_expect_eq(aatgs_gate_exit_code(r, NULL), 0);
  aatgs_gate_destroy(r);
}

Test(gate, failed_candidate_runs_fail) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET status = 'failed', error = 'boom' "
               "WHERE policy = 'fifo' AND scenario = 'fj' AND seed = 1");
  aatgs_gate_result *r = compare(base_db, cand_db, NULL);
  const aatgs_gate_group *g = group(r, "fj", "fifo", "sim");
  expect_verdict(g, AATGS_GATE_FAILED);
  cr_expect_eq(g->cand_failed, 1);
  cr_expect_eq(g->cand_runs, 2);
  cr_expect_eq(r->n_failing, 1);
  aatgs_gate_destroy(r);
}

Test(gate, filters_select_groups) {
  copy_db(base_db, cand_db);
  sql(cand_db, "UPDATE runs SET makespan_ns = makespan_ns * 2 WHERE policy = 'heft'");
  aatgs_gate_options o;
  aatgs_gate_options_default(&o);
  o.policy = "fifo, critical_path";
  o.scenario = "lr";
  aatgs_gate_result *r = compare(base_db, cand_db, &o);
  cr_expect_eq(r->n_groups, 2);
  cr_expect_eq(r->n_failing, 0);
  aatgs_gate_destroy(r);
  aatgs_err err;
  o.policy = "nope";
  cr_expect_eq(aatgs_gate_compare(base_db, cand_db, &o, &r, &err), AATGS_ENOENT);
  cr_expect(strstr(err.msg, "no run matches the filters"), "%s", err.msg);
  cr_expect_null(r);
}

/* ------------------------------------------------------------- fidelity */

static void add_real_runs(const char *db, double factor) {
  char stmt[512];
  snprintf(stmt, sizeof stmt,
           "INSERT INTO runs (scenario, scenario_hash, policy, backend, seed, rep, status, "
           "makespan_ns) SELECT scenario, scenario_hash, policy, 'cuda', seed, rep, 'completed', "
           "CAST(makespan_ns * %.6f AS INTEGER) FROM runs WHERE backend = 'sim'",
           factor);
  sql(db, stmt);
}

Test(gate, fidelity_passes_and_fails_on_the_median_error) {
  char out[16384];
  copy_db(base_db, cand_db);
  add_real_runs(cand_db, 1.03); /* sim is 2.9% fast */
  aatgs_gate_fidelity *f = NULL;
  aatgs_err err;
  cr_assert_eq(aatgs_gate_fidelity_check(cand_db, NULL, NULL, 0.10, &f, &err), AATGS_OK, "%s",
               err.msg);
  cr_expect_eq(f->n_pairs, 6);
  cr_expect_float_eq(f->median_abs_error, 1 - 1 / 1.03, 1e-6);
  cr_expect(!f->failed);
  cr_expect_eq(aatgs_gate_exit_code(NULL, f), 0);
  aatgs_gate_fidelity_destroy(f);
  cr_expect_eq(sh(out, sizeof out, "%s gate --candidate %s --fidelity", bin(), cand_db), 0, "%s",
               out);
  cr_expect(strstr(out, "pass fidelity: median |error| 2.91%"), "%s", out);
  /* A stricter threshold fails. */
  cr_expect_eq(sh(out, sizeof out, "%s gate --candidate %s --fidelity --fidelity-threshold 2%%",
                  bin(), cand_db),
               1, "%s", out);

  copy_db(base_db, cand_db);
  add_real_runs(cand_db, 1.25); /* |error| = 20% */
  cr_assert_eq(aatgs_gate_fidelity_check(cand_db, NULL, NULL, 0.10, &f, &err), AATGS_OK, "%s",
               err.msg);
  cr_expect_float_eq(f->median_abs_error, 0.20, 1e-6);
  cr_expect(f->failed);
  aatgs_gate_fidelity_destroy(f);
  char json[160];
  snprintf(json, sizeof json, "%s/fid.json", dir);
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --fidelity --json %s",
                  bin(), base_db, cand_db, json),
               1, "%s", out);
  cr_expect(strstr(out, "FAIL fidelity: median |error| 20.00%"), "%s", out);
  json_error_t je;
  json_t *doc = json_load_file(json, 0, &je);
  cr_assert_not_null(doc, "%s", je.text);
  json_t *fid = json_object_get(doc, "fidelity");
  cr_expect_str_eq(json_string_value(json_object_get(fid, "verdict")), "fail");
  cr_expect_eq(json_integer_value(json_object_get(fid, "pairs")), 6);
  /* The sim groups pass against the baseline; the new cuda groups are new. */
  cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "new")), 6);
  cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "pass")), 6);
  json_decref(doc);
}

Test(gate, fidelity_without_real_runs_fails) {
  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --candidate %s --fidelity", bin(), base_db), 1, "%s",
               out);
  cr_expect(strstr(out, "no scenario x policy recorded under both sim and a real backend"), "%s",
            out);
}

/* ------------------------------------------------------- usage and input */

Test(gate, parse_fraction) {
  double v;
  aatgs_err err;
  cr_expect_eq(aatgs_gate_parse_fraction("t", "5%", &v, &err), AATGS_OK);
  cr_expect_float_eq(v, 0.05, 1e-15);
  cr_expect_eq(aatgs_gate_parse_fraction("t", "0.05", &v, &err), AATGS_OK);
  cr_expect_float_eq(v, 0.05, 1e-15);
  cr_expect_eq(aatgs_gate_parse_fraction("t", "12.5%", &v, &err), AATGS_OK);
  cr_expect_float_eq(v, 0.125, 1e-15);
  cr_expect_eq(aatgs_gate_parse_fraction("t", "5", &v, &err), AATGS_EINVAL);
  cr_expect(strstr(err.msg, "write '5%'"), "%s", err.msg);
  cr_expect_eq(aatgs_gate_parse_fraction("t", "-1%", &v, &err), AATGS_EINVAL);
  cr_expect_eq(aatgs_gate_parse_fraction("t", "abc", &v, &err), AATGS_EINVAL);
  cr_expect_eq(aatgs_gate_parse_fraction("t", "5%%", &v, &err), AATGS_EINVAL);
  cr_expect_eq(aatgs_gate_parse_fraction("t", "", &v, &err), AATGS_EINVAL);
  aatgs_gate_metric m;
  cr_expect_eq(aatgs_gate_parse_metric("efficiency", &m, &err), AATGS_OK);
  cr_expect_eq(m, AATGS_GATE_EFFICIENCY);
  cr_expect_eq(aatgs_gate_parse_metric("speed", &m, &err), AATGS_EINVAL);
  cr_expect(strstr(err.msg, "decision_mean"), "%s", err.msg);
}

Test(gate, usage_and_io_errors_exit_2) {
  char out[16384], text[160];
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s", bin(), base_db), 2, "%s", out);
  cr_expect(strstr(out, "--candidate is required"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --candidate %s", bin(), base_db), 2, "%s", out);
  cr_expect(strstr(out, "--baseline is required"), "%s", out);
  cr_expect_eq(
      sh(out, sizeof out, "%s gate --baseline %s/none.db --candidate %s", bin(), dir, base_db), 2,
      "%s", out);
  cr_expect(strstr(out, "none.db"), "the missing file is named: %s", out);
  snprintf(text, sizeof text, "%s/text.db", dir);
  write_file(text, "not a database at all, just some text that is long enough to fail\n");
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s", bin(), base_db, text), 2,
               "%s", out);
  cr_expect(strstr(out, "text.db"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --threshold 5", bin(),
                  base_db, base_db),
               2, "%s", out);
  cr_expect(strstr(out, "write '5%'"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --metric speed", bin(),
                  base_db, base_db),
               2, "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --bogus 1", bin(), base_db,
                  base_db),
               2, "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --baseline %s --candidate %s --json /proc/gate.json",
                  bin(), base_db, base_db),
               2, "%s", out);
  cr_expect(strstr(out, "/proc/gate.json"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --help", bin()), 0, "%s", out);
  cr_expect(strstr(out, "exit status: 0 pass"), "%s", out);
}

Test(gate, json_to_stdout_is_valid) {
  char out[65536];
  cr_assert_eq(
      sh(out, sizeof out, "%s gate --baseline %s --candidate %s --json -", bin(), base_db, base_db),
      0, "%s", out);
  json_error_t je;
  json_t *doc = json_loads(out, 0, &je);
  cr_assert_not_null(doc, "%s: %s", je.text, out);
  cr_expect_str_eq(json_string_value(json_object_get(doc, "verdict")), "pass");
  cr_expect_str_eq(json_string_value(json_object_get(doc, "metric")), "makespan");
  cr_expect_float_eq(json_number_value(json_object_get(doc, "threshold")), 0.05, 1e-12);
  cr_expect_eq(json_array_size(json_object_get(doc, "groups")), 6);
  cr_expect(json_is_null(json_object_get(doc, "fidelity")));
  json_decref(doc);
}
