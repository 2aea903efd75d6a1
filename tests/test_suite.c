/* test_suite.c - suite files: expansion (grid x policies x seeds), variant
 * names and hashes, scenario overrides, errors at the suite's line and
 * column, and resume through the real binary (a subset first, and a sweep
 * stopped with Ctrl-C), checked with SQL on the database it wrote. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resume.h"
#include "scenario.h"
#include "suite.h"
#include "support/cli.h"

static char dir[64];

static void setup(void) {
  strcpy(dir, "/tmp/aatgs-suite-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(suite, .init = setup, .fini = teardown, .timeout = 120);

/* Writes dir/name and returns the path in a static rotating buffer. */
static const char *write_file(const char *name, const char *text) {
  static char paths[8][256];
  static int next;
  char *p = paths[next++ % 8];
  snprintf(p, 256, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f, "%s", p);
  fputs(text, f);
  fclose(f);
  return p;
}

static long long query(const char *db, const char *sql) {
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 2000);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

static const char *layered_yaml = "name: lay\n"
                                  "generator: layered\n"
                                  "params: {layers: 3, width: 4}\n"
                                  "seeds: 2\n";
static const char *chain_yaml = "name: ch\n"
                                "generator: chain\n"
                                "params: {n: 20}\n";

/* Parses suite text written to dir/suite.yaml; fails the test with the message on error. */
static aatgs_suite *load_suite(const char *text) {
  aatgs_suite *s = NULL;
  aatgs_err e;
  aatgs_err_clear(&e);
  const char *p = write_file("suite.yaml", text);
  int rc = aatgs_suite_load(&s, p, &e);
  cr_assert_eq(rc, AATGS_OK, "%s", e.msg);
  return s;
}

/* Loads a suite that must fail; returns the message (static). */
static const char *suite_error(const char *text, int *code) {
  static aatgs_err e;
  aatgs_suite *s = NULL;
  aatgs_err_clear(&e);
  const char *p = write_file("suite.yaml", text);
  *code = aatgs_suite_load(&s, p, &e);
  cr_assert_neq(*code, AATGS_OK, "the suite loaded but should not have");
  cr_assert_null(s);
  return e.msg;
}

Test(suite, detects_a_suite_by_its_top_level_key) {
  const char *yes = "description: x\nsuite: a\nruns: []\n";
  const char *nested = "name: s\ngenerator: chain\nparams: {suite: 3}\n";
  const char *value = "name: suite\ngenerator: chain\n";
  cr_assert_eq(aatgs_suite_is_suite(yes, strlen(yes)), 1);
  cr_assert_eq(aatgs_suite_is_suite(layered_yaml, strlen(layered_yaml)), 0);
  cr_assert_eq(aatgs_suite_is_suite(nested, strlen(nested)), 0);
  cr_assert_eq(aatgs_suite_is_suite(value, strlen(value)), 0, "a value is not a key");
  const char *bad = "name: x\n  bad: [", *bad_suite = "suite: a\nruns: [";
  cr_assert_eq(aatgs_suite_is_suite(bad, strlen(bad)), 0, "malformed YAML is not a suite");
  /* Malformed after a top-level suite key: a suite, whose reader reports the error. */
  cr_assert_eq(aatgs_suite_is_suite(bad_suite, strlen(bad_suite)), 1);
  aatgs_suite *s = NULL;
  aatgs_err e;
  cr_assert_eq(aatgs_suite_parse(&s, "x.yaml", bad_suite, strlen(bad_suite), &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "x.yaml:3:1: YAML syntax error"), "%s", e.msg);
  cr_assert_eq(aatgs_suite_is_suite("- suite", 7), 0);
}

Test(suite, grid_expands_to_its_cross_product) {
  write_file("lay.yaml", layered_yaml);
  write_file("ch.yaml", chain_yaml);
  aatgs_suite *s = load_suite("suite: sweep\n"
                              "description: three axes\n"
                              "policies: [fifo, heft]\n"
                              "seeds: 3\n"
                              "reps: 2\n"
                              "runs:\n"
                              "  - scenario: lay.yaml\n"
                              "    grid: {params.width: [2, 4, 8], params.degree: [1, 2],\n"
                              "           streams: [2, 4]}\n"
                              "  - scenario: ch.yaml\n");
  cr_assert_str_eq(aatgs_suite_name(s), "sweep");
  cr_assert_str_eq(aatgs_suite_description(s), "three axes");
  cr_assert_eq(aatgs_suite_policy_count(s), 2);
  cr_assert_str_eq(aatgs_suite_policy(s, 1), "heft");
  cr_assert_eq(aatgs_suite_seeds(s), 3);
  cr_assert_eq(aatgs_suite_reps(s), 2);
  cr_assert_eq(aatgs_suite_variant_count(s), 3 * 2 * 2 + 1);
  cr_assert_str_eq(aatgs_scenario_name(aatgs_suite_variant(s, 0)),
                   "lay[width=2 degree=1 streams=2]");
  cr_assert_str_eq(aatgs_scenario_name(aatgs_suite_variant(s, 1)),
                   "lay[width=2 degree=1 streams=4]", "the last key varies fastest");
  cr_assert_str_eq(aatgs_scenario_name(aatgs_suite_variant(s, 11)),
                   "lay[width=8 degree=2 streams=4]");
  cr_assert_str_eq(aatgs_scenario_name(aatgs_suite_variant(s, 12)), "ch");
  /* Every variant hashes apart. */
  for (size_t i = 0; i < 13; i++)
    for (size_t j = i + 1; j < 13; j++)
      cr_assert_str_neq(aatgs_scenario_hash(aatgs_suite_variant(s, i)),
                        aatgs_scenario_hash(aatgs_suite_variant(s, j)), "%zu and %zu", i, j);
  /* The overrides took effect. */
  aatgs_scenario *v = aatgs_suite_variant(s, 11);
  cr_assert_eq(aatgs_scenario_streams(v), 4);
  cr_assert(strstr(aatgs_scenario_params_json(v), "\"width\":8"), "%s",
            aatgs_scenario_params_json(v));
  cr_assert(strstr(aatgs_scenario_params_json(v), "\"degree\":2"), "%s",
            aatgs_scenario_params_json(v));
  cr_assert(strstr(aatgs_scenario_text(v), "# override: params.width = 8"), "%s",
            aatgs_scenario_text(v));
  aatgs_graph *g = NULL;
  aatgs_err e;
  cr_assert_eq(aatgs_scenario_build(v, 1, &g, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), 3 * 8, "3 layers of width 8");
  aatgs_graph_destroy(g);
  /* A run without a grid is the scenario itself: the same hash as the file alone. */
  aatgs_scenario *plain = NULL;
  char p[256];
  snprintf(p, sizeof p, "%s/ch.yaml", dir);
  cr_assert_eq(aatgs_scenario_load(&plain, p, &e), AATGS_OK, "%s", e.msg);
  cr_assert_str_eq(aatgs_scenario_hash(aatgs_suite_variant(s, 12)), aatgs_scenario_hash(plain));
  aatgs_scenario_destroy(plain);
  aatgs_suite_destroy(s);
}

Test(suite, hash_does_not_depend_on_grid_order) {
  write_file("lay.yaml", layered_yaml);
  aatgs_suite *a = load_suite("suite: a\nruns:\n"
                              "  - {scenario: lay.yaml, grid: {params.width: 5, streams: 3}}\n");
  aatgs_suite *b = load_suite("suite: b\nruns:\n"
                              "  - {scenario: lay.yaml, grid: {streams: 3, params.width: 5}}\n");
  cr_assert_str_eq(aatgs_scenario_name(aatgs_suite_variant(a, 0)), "lay[width=5 streams=3]");
  cr_assert_str_eq(aatgs_scenario_name(aatgs_suite_variant(b, 0)), "lay[streams=3 width=5]");
  cr_assert_str_eq(aatgs_scenario_hash(aatgs_suite_variant(a, 0)),
                   aatgs_scenario_hash(aatgs_suite_variant(b, 0)));
  cr_assert_eq(aatgs_suite_seeds(a), 0, "not given");
  cr_assert_eq(aatgs_suite_policy_count(a), 0, "not given");
  aatgs_suite_destroy(a);
  aatgs_suite_destroy(b);
}

Test(suite, names_label_clashing_keys_in_full_and_take_a_base_name) {
  write_file("lay.yaml", layered_yaml);
  aatgs_suite *s = load_suite("suite: a\n"
                              "runs:\n"
                              "  - scenario: lay.yaml\n"
                              "    name: wide\n"
                              "    grid: {params.width: [6], estimates.custom: [1ms, 2ms]}\n");
  cr_assert_eq(aatgs_suite_variant_count(s), 2);
  cr_assert_str_eq(aatgs_scenario_name(aatgs_suite_variant(s, 1)), "wide[width=6 custom=2ms]");
  aatgs_graph *g = NULL;
  aatgs_err e;
  cr_assert_eq(aatgs_scenario_build(aatgs_suite_variant(s, 1), 1, &g, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_task_estimate(g, 0), 2000000,
               "estimates.custom = 2ms reaches the tasks");
  aatgs_graph_destroy(g);
  aatgs_suite_destroy(s);
}

Test(suite, scenario_override_checks_and_rehashes) {
  aatgs_scenario *s = NULL;
  aatgs_graph *g = NULL;
  aatgs_err e;
  char before[17];
  cr_assert_eq(aatgs_scenario_parse(&s, "c.yaml", chain_yaml, strlen(chain_yaml), &e), AATGS_OK,
               "%s", e.msg);
  snprintf(before, sizeof before, "%s", aatgs_scenario_hash(s));
  /* Failures leave the scenario as it was. */
  cr_assert_eq(aatgs_scenario_override(s, "params.n", "x", &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "params.n: expected an unsigned integer"), "%s", e.msg);
  cr_assert_eq(aatgs_scenario_override(s, "params.ccr", "1", &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, "params.ccr: unknown parameter \"ccr\" for generator chain"), "%s",
            e.msg);
  cr_assert_eq(aatgs_scenario_override(s, "nme", "1", &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, "unknown key \"nme\""), "%s", e.msg);
  cr_assert_eq(aatgs_scenario_override(s, "streams", "0", &e), AATGS_EINVAL);
  cr_assert_eq(aatgs_scenario_override(s, "params.type", "nosuch", &e), AATGS_ENOENT);
  cr_assert_eq(aatgs_scenario_override(s, "estimates.nosuch", "1ms", &e), AATGS_ENOENT);
  cr_assert_eq(aatgs_scenario_override(s, "params.n", "200000000", &e), AATGS_EINVAL);
  cr_assert_str_eq(aatgs_scenario_hash(s), before);
  cr_assert_null(strstr(aatgs_scenario_text(s), "override"));
  /* A good one changes the graph, the params and the hash. */
  cr_assert_eq(aatgs_scenario_override(s, "params.n", "7", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_scenario_override(s, "noise_cv", "0.25", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_scenario_override(s, "seeds", "9", &e), AATGS_OK, "%s", e.msg);
  cr_assert_str_neq(aatgs_scenario_hash(s), before);
  cr_assert(strstr(aatgs_scenario_params_json(s), "\"n\":7"), "%s", aatgs_scenario_params_json(s));
  cr_assert_float_eq(aatgs_scenario_noise_cv(s), 0.25, 1e-12);
  cr_assert_eq(aatgs_scenario_seeds(s), 9);
  cr_assert_eq(aatgs_scenario_build(s, 1, &g, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), 7);
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
  /* params on a scenario without a generator. */
  const char *tasks = "tasks: [{id: a}, {id: b, deps: [a]}]\n";
  cr_assert_eq(aatgs_scenario_parse(&s, "t.yaml", tasks, strlen(tasks), &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_scenario_override(s, "params.n", "3", &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, "has no generator"), "%s", e.msg);
  aatgs_scenario_destroy(s);
}

/* The message must start with suite.yaml:LINE:COL and mention every needle. */
static void expect_at(const char *msg, int line, int col, const char *needle) {
  char want[300];
  snprintf(want, sizeof want, "%s/suite.yaml:%d:%d: ", dir, line, col);
  cr_assert_eq(strncmp(msg, want, strlen(want)), 0, "expected '%s' at the start of: %s", want, msg);
  cr_assert(strstr(msg, needle), "expected '%s' in: %s", needle, msg);
}

Test(suite, errors_name_the_suite_line_and_the_key) {
  int code;
  write_file("lay.yaml", layered_yaml);
  write_file("ch.yaml", chain_yaml);
  write_file("t.yaml", "tasks: [{id: a}]\n");
  write_file("other.yaml", "suite: nested\nruns: [{scenario: lay.yaml}]\n");
  /* An unknown generator parameter: at the grid key, naming it. */
  const char *m = suite_error("suite: s\n"
                              "runs:\n"
                              "  - scenario: lay.yaml\n"
                              "    grid:\n"
                              "      streams: [2]\n"
                              "      params.ccr: [0.1, 1]\n",
                              &code);
  cr_assert_eq(code, AATGS_ENOENT);
  expect_at(m, 6, 7, "params.ccr: unknown parameter \"ccr\" for generator layered");
  /* A bad value: at the value. */
  m = suite_error("suite: s\n"
                  "runs:\n"
                  "  - scenario: lay.yaml\n"
                  "    grid: {streams: [2, 0]}\n",
                  &code);
  cr_assert_eq(code, AATGS_EINVAL);
  expect_at(m, 4, 25, "streams: 0 is out of range");
  /* An unknown override key. */
  m = suite_error("suite: s\nruns:\n  - scenario: lay.yaml\n    grid: {nmae: [a]}\n", &code);
  expect_at(m, 4, 12, "unknown key \"nmae\"");
  /* Keys of the suite itself. */
  m = suite_error("suite: s\npolices: [fifo]\nruns: [{scenario: lay.yaml}]\n", &code);
  expect_at(m, 2, 1, "unknown key \"polices\"");
  m = suite_error("suite: s\npolicies: [fifo, choleski]\nruns: [{scenario: lay.yaml}]\n", &code);
  expect_at(m, 2, 18, "unknown policy \"choleski\"");
  m = suite_error("suite: s\nseeds: 0\nruns: [{scenario: lay.yaml}]\n", &code);
  expect_at(m, 2, 8, "seeds: 0 is out of range");
  m = suite_error("suite: s\nruns:\n  - {scenario: lay.yaml, grd: {streams: 2}}\n", &code);
  expect_at(m, 3, 26, "unknown key \"grd\" in a run");
  m = suite_error("suite: s\nruns: []\n", &code);
  expect_at(m, 2, 7, "non-empty list");
  m = suite_error("description: no name\nruns: [{scenario: lay.yaml}]\n", &code);
  expect_at(m, 1, 1, "missing suite");
  /* Scenario files: missing, malformed, a suite. */
  m = suite_error("suite: s\nruns:\n  - scenario: nope.yaml\n", &code);
  expect_at(m, 3, 15, "nope.yaml");
  write_file("bad.yaml", "name: bad\ngenerator: chian\n");
  m = suite_error("suite: s\nruns:\n  - scenario: bad.yaml\n", &code);
  expect_at(m, 3, 15, "bad.yaml:2:12: unknown generator \"chian\"");
  m = suite_error("suite: s\nruns:\n  - scenario: other.yaml\n", &code);
  expect_at(m, 3, 15, "is a suite, not a scenario");
  /* params of a scenario without a generator. */
  m = suite_error("suite: s\nruns:\n  - {scenario: t.yaml, grid: {params.n: [1]}}\n", &code);
  expect_at(m, 3, 31, "has no generator");
  /* The same variant twice, and one name for two variants. */
  m = suite_error("suite: s\nruns:\n  - scenario: ch.yaml\n  - scenario: ch.yaml\n", &code);
  expect_at(m, 4, 5, "repeats \"ch\" of the run at line 3");
  m = suite_error("suite: s\nruns:\n  - scenario: ch.yaml\n"
                  "  - {scenario: lay.yaml, name: ch}\n",
                  &code);
  expect_at(m, 4, 5, "variant name \"ch\"");
  m = suite_error("suite: s\nruns:\n  - {scenario: lay.yaml, grid: {streams: [2, 2]}}\n", &code);
  expect_at(m, 3, 46, "listed twice");
}

/* ---- the binary ---- */

/* `dir/sweep.yaml`: 2 variants x 2 policies x 2 seeds = 8 runs. */
static const char *small_suite(void) {
  write_file("ch.yaml", chain_yaml);
  return write_file("sweep.yaml", "suite: sweep\n"
                                  "policies: [fifo, sjf]\n"
                                  "seeds: 2\n"
                                  "runs:\n"
                                  "  - scenario: ch.yaml\n"
                                  "    grid: {params.n: [10, 30]}\n");
}

/* Every (variant, policy, seed, rep) has exactly one completed run, and there are `keys` of them.
 */
static void expect_one_completed_each(const char *db, long long keys) {
  cr_assert_eq(query(db, "SELECT count(*) FROM (SELECT 1 FROM runs WHERE status = 'completed' "
                         "GROUP BY scenario_hash, policy, seed, rep)"),
               keys);
  cr_assert_eq(query(db, "SELECT max(c) FROM (SELECT count(*) AS c FROM runs WHERE status = "
                         "'completed' GROUP BY scenario_hash, policy, seed, rep)"),
               1);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
}

Test(suite, dry_run_lists_the_plan_and_touches_no_database) {
  char out[16384], db[256];
  const char *suite = small_suite();
  snprintf(db, sizeof db, "%s/x.db", dir);
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s --backend sim --dry-run", bin(), suite, db),
               0, "%s", out);
  cr_assert(strstr(out, "8 runs; 0 already completed"), "%s", out);
  cr_assert(strstr(out, "ch[n=30]"), "%s", out);
  cr_assert_neq(access(db, F_OK), 0, "--dry-run creates no database");
  /* --policy and --seeds override the suite's. */
  cr_assert_eq(sh(out, sizeof out,
                  "%s run %s --db %s --backend sim --dry-run --policy heft "
                  "--seeds 3",
                  bin(), suite, db),
               0, "%s", out);
  cr_assert(strstr(out, "6 runs; 0 already completed"), "%s", out);
  cr_assert(strstr(out, "heft"), "%s", out);
  cr_assert_null(strstr(out, "fifo"), "%s", out);
}

Test(suite, resume_skips_what_a_subset_completed) {
  char out[32768], db[256];
  const char *suite = small_suite();
  snprintf(db, sizeof db, "%s/x.db", dir);
  /* A subset: only fifo. */
  cr_assert_eq(
      sh(out, sizeof out, "%s run %s --db %s --backend sim --policy fifo", bin(), suite, db), 0,
      "%s", out);
  cr_assert(strstr(out, "resume: 0 of 4 runs already completed"), "%s", out);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'completed'"), 4);
  /* The whole suite: the four fifo runs are skipped. */
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s --backend sim", bin(), suite, db), 0, "%s",
               out);
  cr_assert(strstr(out, "resume: 4 of 8 runs already completed"), "%s", out);
  cr_assert(strstr(out, "4 runs recorded"), "%s", out);
  expect_one_completed_each(db, 8);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs"), 8);
  cr_assert_eq(query(db, "SELECT count(DISTINCT scenario) FROM runs"), 2);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE scenario = 'ch[n=30]' AND n_tasks = 30"),
               4);
  /* Again: nothing to do; --dry-run shows every run as skipped. */
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s --backend sim", bin(), suite, db), 0, "%s",
               out);
  cr_assert(strstr(out, "resume: 8 of 8 runs already completed"), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s --backend sim --dry-run", bin(), suite, db),
               0, "%s", out);
  cr_assert(strstr(out, "8 runs; 8 already completed"), "%s", out);
  /* Another --streams is another experiment. */
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s --backend sim --dry-run --streams 7", bin(),
                  suite, db),
               0, "%s", out);
  cr_assert(strstr(out, "8 runs; 0 already completed"), "%s", out);
  /* --no-resume runs everything again. */
  cr_assert_eq(
      sh(out, sizeof out, "%s run %s --db %s --backend sim --no-resume --quiet", bin(), suite, db),
      0, "%s", out);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'completed'"), 16);
}

Test(suite, plain_scenarios_resume_only_when_asked) {
  char out[32768], db[256];
  const char *scen = write_file("ch.yaml", chain_yaml);
  snprintf(db, sizeof db, "%s/x.db", dir);
  cr_assert_eq(sh(out, sizeof out,
                  "%s run %s --db %s --backend sim --policy fifo --seeds 2 --quiet", bin(), scen,
                  db),
               0, "%s", out);
  cr_assert_eq(sh(out, sizeof out,
                  "%s run %s --db %s --backend sim --policy fifo,sjf --seeds 2 "
                  "--resume",
                  bin(), scen, db),
               0, "%s", out);
  cr_assert(strstr(out, "resume: 2 of 4 runs already completed"), "%s", out);
  expect_one_completed_each(db, 4);
  cr_assert_eq(sh(out, sizeof out,
                  "%s run %s --db %s --backend sim --policy fifo --seeds 2 --quiet", bin(), scen,
                  db),
               0, "%s", out);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'completed'"), 6,
               "without --resume a scenario runs again");
}

/* Reads "resume: K of N runs" from out. */
static long long skipped_in(const char *out, long long *total) {
  const char *p = strstr(out, "resume: ");
  long long k = -1;
  cr_assert_not_null(p, "%s", out);
  cr_assert_eq(sscanf(p, "resume: %lld of %lld runs", &k, total), 2, "%s", out);
  return k;
}

Test(suite, resume_after_ctrl_c_finishes_the_sweep, .timeout = 300) {
  char out[65536], db[256], log[256];
  write_file("big.yaml", "name: big\n"
                         "generator: layered\n"
                         "params: {layers: 40, width: 100, degree: 2, est: 20us}\n");
  const char *suite = write_file("big-sweep.yaml", "suite: big-sweep\n"
                                                   "policies: [fifo, critical_path]\n"
                                                   "seeds: 3\n"
                                                   "runs:\n"
                                                   "  - scenario: big.yaml\n"
                                                   "    grid: {streams: [2, 4], params.width: "
                                                   "[100, 150]}\n");
  snprintf(db, sizeof db, "%s/x.db", dir);
  snprintf(log, sizeof log, "%s/first.log", dir);
  const long long n = 2 * 2 * 2 * 3;
  pid_t pid = fork();
  cr_assert_neq(pid, -1);
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(bin(), "aatgs", "run", suite, "--db", db, "--backend", "sim", (char *)NULL);
    _exit(127);
  }
  /* Ctrl-C once a few runs have completed. */
  long long done = 0;
  for (int i = 0; i < 2400 && done < 3; i++) {
    struct timespec ts = {0, 25000000};
    nanosleep(&ts, NULL);
    done = query(db, "SELECT count(*) FROM runs WHERE status = 'completed'");
  }
  cr_assert_geq(done, 3, "the sweep never got going");
  kill(pid, SIGINT);
  int status;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status), "killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  long long completed = query(db, "SELECT count(*) FROM runs WHERE status = 'completed'");
  if (WEXITSTATUS(status) == 0)
    cr_skip("the sweep finished (%lld runs) before Ctrl-C arrived; nothing to resume", completed);
  cr_assert_eq(WEXITSTATUS(status), 130);
  cr_assert_lt(completed, n);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
  /* Resume: skips exactly what completed, redoes the interrupted run. */
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s --backend sim", bin(), suite, db), 0, "%s",
               out);
  long long total = 0;
  cr_assert_eq(skipped_in(out, &total), completed, "%s", out);
  cr_assert_eq(total, n);
  expect_one_completed_each(db, n);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'completed'"), n);
  cr_assert_eq(query(db, "SELECT count(*) FROM runs WHERE status = 'interrupted' AND "
                         "scenario_hash || policy || seed || rep NOT IN (SELECT scenario_hash || "
                         "policy || seed || rep FROM runs WHERE status = 'completed')"),
               0, "every interrupted run was redone");
  cr_assert_eq(query(db, "SELECT count(DISTINCT scenario_hash) FROM runs"), 4);
}

Test(suite, resume_set_reads_a_missing_or_foreign_database) {
  aatgs_resume *r = NULL;
  aatgs_err e;
  char p[256];
  snprintf(p, sizeof p, "%s/none.db", dir);
  cr_assert_eq(aatgs_resume_load(&r, p, "sim", "h100", NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_resume_count(r), 0);
  cr_assert_eq(aatgs_resume_has(r, "0123456789abcdef", "fifo", 1, 0, 4), 0);
  aatgs_resume_free(r);
  cr_assert_neq(access(p, F_OK), 0, "the lookup creates no database");
  const char *junk = write_file("junk.db", "this is not an SQLite database, not at all......\n");
  cr_assert_eq(aatgs_resume_load(&r, junk, "sim", "h100", NULL, &e), AATGS_EDB);
  cr_assert(strstr(e.msg, "cannot read database"), "%s", e.msg);
  cr_assert(strstr(e.msg, "junk.db"), "%s", e.msg);
}
