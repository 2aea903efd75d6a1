/* test_gate_bench.c - `aatgs gate --bench` and `aatgs report --bench`
 * (analysis/gate_bench.h, analysis/bench_json.h) on real files of benchmark
 * JSON lines written by the test in the harness's format: identical files, a
 * planted slowdown, an improvement of a higher-is-better figure, noise,
 * exact (n = 1) figures, bad lines, and the report's tables. Each test checks
 * the verdicts and numbers through the API and the exit status and output of
 * the aatgs binary. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_json.h"
#include "gate_bench.h"
#include "support/cli.h"

static char dir[64];
static char base_f[128], new_f[128];

static void setup(void) {
  strcpy(dir, "/tmp/aatgs-gate-bench-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(base_f, sizeof base_f, "%s/base.jsonl", dir);
  snprintf(new_f, sizeof new_f, "%s/new.jsonl", dir);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(gate_bench, .init = setup, .fini = teardown, .timeout = 60);

/* ------------------------------------------------------------- writing */

/* One figure: n samples center * (1 + spread * u_i), u_i spread evenly over
 * [-1, 1] in a scrambled order (a fixed, reproducible "noise"). */
typedef struct fig {
  const char *bench, *case_name, *candidate, *metric, *unit;
  int higher;
  int n;
  double center, spread;
  const char *machine;
} fig;

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void put_fig(FILE *f, const fig *g) {
  double s[64], t[64], d[64];
  cr_assert(g->n >= 0 && g->n <= 64);
  for (int i = 0; i < g->n; i++) {
    int k = (i * 5 + 3) % g->n; /* scrambled, still every point once when gcd(5, n) = 1 */
    double u = g->n > 1 ? -1.0 + 2.0 * k / (g->n - 1) : 0.0;
    s[i] = g->center * (1.0 + g->spread * u);
    t[i] = s[i];
  }
  qsort(t, (size_t)g->n, sizeof *t, cmp_d);
  double med = g->n ? (g->n % 2 ? t[g->n / 2] : (t[g->n / 2 - 1] + t[g->n / 2]) / 2) : NAN;
  for (int i = 0; i < g->n; i++)
    d[i] = fabs(t[i] - med);
  qsort(d, (size_t)g->n, sizeof *d, cmp_d);
  double mad = g->n ? (g->n % 2 ? d[g->n / 2] : (d[g->n / 2 - 1] + d[g->n / 2]) / 2) : NAN;
  fprintf(f,
          "{\"bench\":\"%s\",\"case\":\"%s\",\"candidate\":\"%s\",\"metric\":\"%s\","
          "\"unit\":\"%s\",\"better\":\"%s\",\"n\":%d,\"median\":%.17g,\"mad\":%.17g,"
          "\"min\":%.17g,\"max\":%.17g,\"samples\":[",
          g->bench, g->case_name, g->candidate, g->metric, g->unit, g->higher ? "higher" : "lower",
          g->n, med, mad, g->n ? t[0] : 0.0, g->n ? t[g->n - 1] : 0.0);
  for (int i = 0; i < g->n; i++)
    fprintf(f, "%s%.17g", i ? "," : "", s[i]);
  fprintf(f, "],\"machine\":\"%s\",\"rows\":1000000}\n", g->machine ? g->machine : "test box");
}

static void write_figs(const char *path, const fig *v, size_t n) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "%s", path);
  for (size_t i = 0; i < n; i++)
    put_fig(f, &v[i]);
  cr_assert_eq(fclose(f), 0);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "%s", path);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
}

/* The baseline every test starts from: a lower-is-better time, a
 * higher-is-better throughput, a ratio, and an instruction count (n = 1). */
#define N_BASE 4
static void base_figs(fig *v) {
  v[0] = (fig){"record", "decisions", "sink", "seconds", "s", 0, 7, 0.25, 0.004, NULL};
  v[1] = (fig){"ring", "8B single", "aatgs", "items_per_s", "items/s", 1, 7, 9e7, 0.004, NULL};
  v[2] = (fig){"record", "decisions", "sink/ceiling", "ratio", "x", 1, 7, 0.87, 0.01, NULL};
  v[3] = (fig){"decision", "1e4", "adaptive", "instructions", "Ir", 0, 1, 1234567, 0, NULL};
}

static aatgs_gate_bench_result *compare(const aatgs_gate_options *o) {
  aatgs_gate_bench_result *r = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_gate_bench_compare(base_f, new_f, o, &r, &err), AATGS_OK, "%s", err.msg);
  cr_assert_not_null(r);
  return r;
}

static const aatgs_gate_bench_group *group(const aatgs_gate_bench_result *r, const char *bench,
                                           const char *cand, const char *metric) {
  for (size_t i = 0; i < r->n_groups; i++)
    if (!strcmp(r->groups[i].bench, bench) && !strcmp(r->groups[i].candidate, cand) &&
        !strcmp(r->groups[i].metric, metric))
      return &r->groups[i];
  cr_assert_fail("no group %s/%s/%s", bench, cand, metric);
  return NULL;
}

static void expect_verdict(const aatgs_gate_bench_group *g, aatgs_gate_verdict v) {
  cr_expect_eq(g->verdict, v, "%s/%s/%s: want %s, got %s (ratio %g, %g..%g; %s)", g->bench,
               g->candidate, g->metric, aatgs_gate_verdict_name(v),
               aatgs_gate_verdict_name(g->verdict), g->ratio, g->low, g->high, g->note);
}

/* --------------------------------------------------------------- tests */

Test(gate_bench, identical_files_pass) {
  fig v[N_BASE];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  write_figs(new_f, v, N_BASE);
  aatgs_gate_bench_result *r = compare(NULL);
  cr_assert_eq(r->n_groups, N_BASE);
  cr_expect_eq(r->counts[AATGS_GATE_PASS], N_BASE);
  cr_expect_eq(r->n_failing, 0);
  cr_expect_not(r->machines_differ);
  for (size_t i = 0; i < r->n_groups; i++) {
    const aatgs_gate_bench_group *g = &r->groups[i];
    cr_expect_float_eq(g->ratio, 1.0, 1e-12, "%s", g->metric);
    cr_expect_eq(g->mode, g->base_n == 1 ? AATGS_GATE_DETERMINISTIC : AATGS_GATE_STATISTICAL);
    cr_expect(g->low <= 1.0 && g->high >= 1.0, "%s: %g..%g", g->metric, g->low, g->high);
  }
  /* Groups are sorted by bench, case, candidate, metric; medians are read. */
  cr_expect_str_eq(r->groups[0].bench, "decision");
  cr_expect_float_eq(group(r, "record", "sink", "seconds")->base_median, 0.25, 1e-12);
  cr_expect_eq(group(r, "record", "sink", "seconds")->base_n, 7);
  cr_expect_eq(group(r, "decision", "adaptive", "instructions")->base_line, 4);
  aatgs_gate_bench_destroy(r);

  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), base_f, new_f), 0, "%s", out);
  cr_expect(strstr(out, "4 figures: 4 pass"), "%s", out);
  cr_expect(strstr(out, "gate: pass"), "%s", out);
  cr_expect_null(strstr(out, "warning"), "%s", out);
}

Test(gate_bench, a_planted_slowdown_fails) {
  fig v[N_BASE];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  v[0].center *= 1.10; /* seconds, lower is better: 10% slower */
  write_figs(new_f, v, N_BASE);
  aatgs_gate_bench_result *r = compare(NULL);
  const aatgs_gate_bench_group *g = group(r, "record", "sink", "seconds");
  expect_verdict(g, AATGS_GATE_REGRESSION);
  cr_expect_eq(g->mode, AATGS_GATE_STATISTICAL);
  cr_expect_float_eq(g->ratio, 1.10, 1e-9);
  cr_expect(g->low > 1.05 && g->high < 1.15, "%g..%g", g->low, g->high);
  cr_expect_eq(r->counts[AATGS_GATE_PASS], 3);
  cr_expect_eq(r->n_failing, 1);
  cr_expect_eq(aatgs_gate_bench_exit_code(r), 1);
  aatgs_gate_bench_destroy(r);

  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), base_f, new_f), 1, "%s", out);
  cr_expect(strstr(out, "FAIL record / decisions / sink / seconds: regression, ratio 1.1000"), "%s",
            out);
  cr_expect(strstr(out, "gate: FAIL"), "%s", out);
  /* A threshold above the slowdown lets it pass. */
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s --threshold 20%%", bin(), base_f, new_f),
               0, "%s", out);
}

Test(gate_bench, more_items_per_second_is_an_improvement) {
  fig v[N_BASE];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  v[1].center *= 1.10; /* items_per_s, higher is better */
  write_figs(new_f, v, N_BASE);
  aatgs_gate_bench_result *r = compare(NULL);
  const aatgs_gate_bench_group *g = group(r, "ring", "aatgs", "items_per_s");
  expect_verdict(g, AATGS_GATE_IMPROVEMENT);
  /* Oriented: baseline / candidate, below 1 is better. */
  cr_expect_float_eq(g->ratio, 1 / 1.10, 1e-9);
  cr_expect(g->high < 0.95, "%g..%g", g->low, g->high);
  cr_expect_eq(r->n_failing, 0);
  aatgs_gate_bench_destroy(r);
  /* The other way round it is a regression. */
  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), new_f, base_f), 1, "%s", out);
  cr_expect(strstr(out, "FAIL ring / 8B single / aatgs / items_per_s: regression"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), base_f, new_f), 0, "%s", out);
  cr_expect(strstr(out, "improvement"), "%s", out);
}

Test(gate_bench, noisy_overlapping_samples_are_ambiguous) {
  fig v[N_BASE];
  base_figs(v);
  v[0].spread = 0.30;
  write_figs(base_f, v, N_BASE);
  v[0].center *= 1.04;
  write_figs(new_f, v, N_BASE);
  aatgs_gate_bench_result *r = compare(NULL);
  const aatgs_gate_bench_group *g = group(r, "record", "sink", "seconds");
  expect_verdict(g, AATGS_GATE_AMBIGUOUS);
  cr_expect(g->low < 1.0 && g->high > 1.05, "%g..%g", g->low, g->high);
  cr_expect_eq(r->n_failing, 0);
  /* The same files give the same interval. */
  aatgs_gate_bench_result *r2 = compare(NULL);
  const aatgs_gate_bench_group *g2 = group(r2, "record", "sink", "seconds");
  cr_expect_eq(g->low, g2->low);
  cr_expect_eq(g->high, g2->high);
  aatgs_gate_bench_destroy(r2);
  aatgs_gate_bench_destroy(r);
  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), base_f, new_f), 0, "%s", out);
  cr_expect(strstr(out, "ambiguous"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s --fail-ambiguous", bin(), base_f, new_f),
               1, "%s", out);
  cr_expect(strstr(out, "ambiguous FAIL"), "%s", out);
}

Test(gate_bench, one_value_a_side_compares_exactly) {
  fig v[N_BASE];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  v[3].center = 1234567 * 1.03; /* 3% more instructions: within 5% */
  write_figs(new_f, v, N_BASE);
  aatgs_gate_bench_result *r = compare(NULL);
  const aatgs_gate_bench_group *g = group(r, "decision", "adaptive", "instructions");
  cr_expect_eq(g->mode, AATGS_GATE_DETERMINISTIC);
  expect_verdict(g, AATGS_GATE_CHANGED);
  cr_expect_float_eq(g->ratio, 1.03, 1e-9);
  cr_expect_eq(g->low, g->ratio);
  cr_expect_eq(g->high, g->ratio);
  cr_expect_eq(r->n_failing, 0);
  aatgs_gate_bench_destroy(r);

  v[3].center = 1234567 * 1.06; /* 6%: beyond it, no noise to hide behind */
  write_figs(new_f, v, N_BASE);
  r = compare(NULL);
  expect_verdict(group(r, "decision", "adaptive", "instructions"), AATGS_GATE_REGRESSION);
  aatgs_gate_bench_destroy(r);
  aatgs_gate_options o;
  aatgs_gate_options_default(&o);
  o.threshold = 0.10;
  r = compare(&o);
  expect_verdict(group(r, "decision", "adaptive", "instructions"), AATGS_GATE_CHANGED);
  aatgs_gate_bench_destroy(r);

  v[3].center = 1234567 * 0.90;
  write_figs(new_f, v, N_BASE);
  r = compare(NULL);
  expect_verdict(group(r, "decision", "adaptive", "instructions"), AATGS_GATE_IMPROVEMENT);
  aatgs_gate_bench_destroy(r);

  char out[16384];
  v[3].center = 1234567 * 1.06;
  write_figs(new_f, v, N_BASE);
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), base_f, new_f), 1, "%s", out);
  cr_expect(strstr(out, "exact"), "%s", out);
  cr_expect(strstr(out, "FAIL decision / 1e4 / adaptive / instructions: regression, ratio 1.0600"),
            "%s", out);
}

Test(gate_bench, one_value_on_one_side_has_no_interval) {
  fig v[N_BASE];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  v[0].n = 1;
  v[0].center *= 1.02;
  write_figs(new_f, v, N_BASE);
  aatgs_gate_bench_result *r = compare(NULL);
  const aatgs_gate_bench_group *g = group(r, "record", "sink", "seconds");
  expect_verdict(g, AATGS_GATE_PASS);
  cr_expect(isnan(g->low) && isnan(g->high));
  aatgs_gate_bench_destroy(r);
  v[0].center *= 1.10;
  write_figs(new_f, v, N_BASE);
  r = compare(NULL);
  expect_verdict(group(r, "record", "sink", "seconds"), AATGS_GATE_AMBIGUOUS);
  aatgs_gate_bench_destroy(r);
}

Test(gate_bench, new_missing_and_other_machines) {
  fig v[N_BASE + 1];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  v[3] = (fig){"ring", "256B", "aatgs", "items_per_s", "items/s", 1, 5, 4e7, 0.01, "other box"};
  write_figs(new_f, v, N_BASE);
  aatgs_gate_bench_result *r = compare(NULL);
  expect_verdict(group(r, "decision", "adaptive", "instructions"), AATGS_GATE_MISSING);
  /* Sorted by case too: "256B" (only in the candidate) before "8B single". */
  const aatgs_gate_bench_group *g = group(r, "ring", "aatgs", "items_per_s");
  cr_expect_str_eq(g->case_name, "256B");
  expect_verdict(g, AATGS_GATE_NEW);
  expect_verdict(g + 1, AATGS_GATE_PASS);
  cr_expect_str_eq(g[1].case_name, "8B single");
  cr_expect_eq(r->counts[AATGS_GATE_NEW], 1);
  cr_expect_eq(r->counts[AATGS_GATE_MISSING], 1);
  cr_expect(r->machines_differ);
  cr_expect_eq(r->n_failing, 1);
  aatgs_gate_bench_destroy(r);
  char out[16384];
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), base_f, new_f), 1, "%s", out);
  cr_expect(strstr(out, "warning: the figures come from different machines"), "%s", out);
  cr_expect(strstr(out, "missing FAIL"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s --allow-missing", bin(), base_f, new_f),
               0, "%s", out);
}

Test(gate_bench, the_last_line_of_a_figure_counts) {
  fig v[N_BASE + 1];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  v[N_BASE] = v[0];
  v[0].center *= 2; /* an older, slower line of the same figure */
  write_figs(new_f, v, N_BASE + 1);
  aatgs_gate_bench_result *r = compare(NULL);
  const aatgs_gate_bench_group *g = group(r, "record", "sink", "seconds");
  expect_verdict(g, AATGS_GATE_PASS);
  cr_expect_eq(g->cand_line, 5);
  cr_expect(strstr(g->note, "the last counts"), "%s", g->note);
  aatgs_gate_bench_destroy(r);
}

Test(gate_bench, json_output_is_valid) {
  fig v[N_BASE];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  v[0].center *= 1.10;
  write_figs(new_f, v, N_BASE);
  char out[32768];
  cr_assert_eq(sh(out, sizeof out, "%s gate --bench %s %s --json -", bin(), base_f, new_f), 1, "%s",
               out);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  cr_assert_not_null(j, "%s: %s", je.text, out);
  cr_expect_str_eq(json_string_value(json_object_get(j, "verdict")), "fail");
  cr_expect_eq(json_integer_value(json_object_get(j, "exit_code")), 1);
  cr_expect_eq(json_integer_value(json_object_get(json_object_get(j, "counts"), "regression")), 1);
  json_t *groups = json_object_get(j, "groups");
  cr_assert_eq(json_array_size(groups), N_BASE);
  size_t i;
  json_t *g;
  int seen = 0;
  json_array_foreach(groups, i, g) {
    if (strcmp(json_string_value(json_object_get(g, "metric")), "seconds")) continue;
    seen = 1;
    cr_expect_str_eq(json_string_value(json_object_get(g, "verdict")), "regression");
    cr_expect_str_eq(json_string_value(json_object_get(g, "mode")), "statistical");
    cr_expect_float_eq(json_number_value(json_object_get(g, "ratio")), 1.10, 1e-9);
    cr_expect_float_eq(json_number_value(json_object_get(g, "baseline_median")), 0.25, 1e-12);
  }
  cr_expect(seen);
  json_decref(j);
}

Test(gate_bench, bad_lines_name_the_file_and_line) {
  fig v[N_BASE];
  base_figs(v);
  write_figs(base_f, v, N_BASE);
  char out[16384], bad[160];
  snprintf(bad, sizeof bad, "%s/bad.jsonl", dir);
  static const struct {
    const char *text, *msg;
  } cases[] = {
      {"\n{\"bench\": \"x\", \"case\": \n", "bad.jsonl:2:"},
      {"[1, 2]\n", "bad.jsonl:1: expected a JSON object"},
      {"{\"bench\":\"b\",\"case\":\"c\",\"candidate\":\"a\",\"unit\":\"s\",\"better\":\"lower\","
       "\"n\":1,\"median\":1,\"mad\":0,\"samples\":[1],\"machine\":\"m\"}\n",
       "bad.jsonl:1: missing member \"metric\""},
      {"{\"bench\":\"b\",\"case\":\"c\",\"candidate\":\"a\",\"metric\":\"t\",\"unit\":\"s\","
       "\"better\":\"lower\",\"n\":\"1\",\"median\":1,\"mad\":0,\"samples\":[1],\"machine\":\"m\"}"
       "\n",
       "bad.jsonl:1: member \"n\" must be a non-negative integer, not a string"},
      {"{\"bench\":\"b\",\"case\":\"c\",\"candidate\":\"a\",\"metric\":\"t\",\"unit\":\"s\","
       "\"better\":\"up\",\"n\":1,\"median\":1,\"mad\":0,\"samples\":[1],\"machine\":\"m\"}\n",
       "bad.jsonl:1: member \"better\" must be \"lower\" or \"higher\""},
      {"{\"bench\":\"b\",\"case\":\"c\",\"candidate\":\"a\",\"metric\":\"t\",\"unit\":\"s\","
       "\"better\":\"lower\",\"n\":2,\"median\":1,\"mad\":0,\"samples\":[1],\"machine\":\"m\"}\n",
       "bad.jsonl:1: \"n\" is 2 but \"samples\" has 1 values"},
      {"{\"bench\":\"b\",\"case\":\"c\",\"candidate\":\"a\",\"metric\":\"t\",\"unit\":\"s\","
       "\"better\":\"lower\",\"n\":1,\"median\":1,\"mad\":0,\"samples\":[\"1\"],\"machine\":\"m\"}"
       "\n",
       "bad.jsonl:1: samples[0] must be a number or null, not a string"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    write_text(bad, cases[k].text);
    aatgs_bench_file *f = NULL;
    aatgs_err err;
    aatgs_err_clear(&err);
    cr_expect_eq(aatgs_bench_load(bad, &f, &err), AATGS_EINVAL, "case %zu", k);
    cr_expect_null(f);
    cr_expect(strstr(err.msg, cases[k].msg), "case %zu: %s", k, err.msg);
    cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), base_f, bad), 2, "%s", out);
    cr_expect(strstr(out, cases[k].msg), "case %zu: %s", k, out);
    cr_expect_eq(sh(out, sizeof out, "%s report --bench %s", bin(), bad), 2, "%s", out);
    cr_expect(strstr(out, cases[k].msg), "case %zu: %s", k, out);
  }
  /* A line 3 error after two good lines names line 3. */
  FILE *f = fopen(bad, "w");
  cr_assert_not_null(f);
  put_fig(f, &v[0]);
  put_fig(f, &v[1]);
  fputs("{\"bench\": oops}\n", f);
  cr_assert_eq(fclose(f), 0);
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s", bin(), bad, base_f), 2, "%s", out);
  cr_expect(strstr(out, "bad.jsonl:3:"), "%s", out);
  /* Missing files and usage errors exit 2. */
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s %s/none.jsonl", bin(), base_f, dir), 2, "%s",
               out);
  cr_expect(strstr(out, "none.jsonl"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s gate --bench %s", bin(), base_f), 2, "%s", out);
  cr_expect_eq(
      sh(out, sizeof out, "%s gate --bench %s %s --metric makespan", bin(), base_f, base_f), 2,
      "%s", out);
  cr_expect(strstr(out, "--metric does not apply to --bench"), "%s", out);
  /* Blank lines are skipped; a null sample is dropped. */
  write_text(bad, "\n{\"bench\":\"b\",\"case\":\"c\",\"candidate\":\"a\",\"metric\":\"t\","
                  "\"unit\":\"s\",\"better\":\"lower\",\"n\":3,\"median\":2,\"mad\":null,"
                  "\"samples\":[1,null,3],\"machine\":\"m\"}\n\n");
  aatgs_bench_file *bf = NULL;
  aatgs_err err;
  cr_assert_eq(aatgs_bench_load(bad, &bf, &err), AATGS_OK, "%s", err.msg);
  cr_assert_eq(bf->n_rows, 1);
  cr_expect_eq(bf->rows[0].line, 2);
  cr_expect_eq(bf->rows[0].n, 3);
  cr_expect_eq(bf->rows[0].n_values, 2);
  cr_expect_eq(bf->rows[0].values[1], 3.0);
  cr_expect(isnan(bf->rows[0].mad));
  aatgs_bench_file_destroy(bf);
}

Test(gate_bench, report_prints_the_rows) {
  fig v[N_BASE];
  base_figs(v);
  v[2].machine = "box | one";
  write_figs(base_f, v, N_BASE);
  char out[16384];
  cr_assert_eq(sh(out, sizeof out, "%s report --bench %s --format markdown", bin(), base_f), 0,
               "%s", out);
  cr_expect(
      strstr(out, "| bench | case | candidate | metric | median | MAD | n | unit | machine |"),
      "%s", out);
  cr_expect(
      strstr(out, "| record | decisions | sink | seconds | 0.25 | 0.0006667 | 7 | s | test box |"),
      "%s", out);
  cr_expect(
      strstr(out, "| ring | 8B single | aatgs | items_per_s | 90000000 | 240000 | 7 | items/s |"),
      "%s", out);
  /* A ratio: 2 decimals and an x; '|' in a cell is escaped. */
  cr_expect(strstr(out, "| record | decisions | sink/ceiling | ratio | 0.87x | 0.01 | 7 | x | "
                        "box \\| one |"),
            "%s", out);
  cr_expect(strstr(out, "| decision | 1e4 | adaptive | instructions | 1234567 | 0 | 1 | Ir |"),
            "%s", out);
  /* Rows stay in file order: 4 data rows after the 2 header lines. */
  int lines = 0;
  for (const char *p = out; *p; p++)
    lines += *p == '\n';
  cr_expect_eq(lines, 2 + N_BASE, "%s", out);

  cr_assert_eq(sh(out, sizeof out, "%s report --bench %s", bin(), base_f), 0, "%s", out);
  cr_expect(strstr(out, "0.87x"), "%s", out);
  cr_expect(strstr(out, "machine"), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s report --bench %s --format csv", bin(), base_f), 0, "%s",
               out);
  cr_expect(strstr(out, "record,decisions,sink,seconds,0.25,0.0006666666667,7,s,lower,test box"),
            "%s", out);
  cr_expect(strstr(out, "\"box | one\"") == NULL && strstr(out, "box | one"), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s report --bench %s --format json", bin(), base_f), 0, "%s",
               out);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  cr_assert_not_null(j, "%s: %s", je.text, out);
  json_t *rows = json_object_get(j, "rows");
  cr_assert_eq(json_array_size(rows), N_BASE);
  json_t *r1 = json_array_get(rows, 1);
  cr_expect_str_eq(json_string_value(json_object_get(r1, "metric")), "items_per_s");
  cr_expect_float_eq(json_number_value(json_object_get(r1, "median")), 9e7, 1e-3);
  cr_expect_str_eq(json_string_value(json_object_get(r1, "better")), "higher");
  json_decref(j);
  /* An empty file has no figure. */
  write_text(new_f, "\n");
  cr_expect_eq(sh(out, sizeof out, "%s report --bench %s", bin(), new_f), 1, "%s", out);
  cr_expect(strstr(out, "no benchmark figure"), "%s", out);
}
