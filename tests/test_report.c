/* test_report.c - `aatgs report` (analysis/report.h) on a database written
 * through the SQLite sink with known runs. Every number is checked against
 * hand-computed values and against plain SQL on the same file. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "sink.h"
#include "sqlite_sink.h"

static char g_dir[256];
static char g_db[320];

/* The runs of the test database. */
typedef struct run_spec {
  const char *scenario, *backend, *policy;
  aatgs_run_status status;
  double makespan_ms, lower_ms, decision_ns;
} run_spec;

static const run_spec RUNS[] = {
    {"s1", "sim", "fifo", AATGS_RUN_COMPLETED, 100, 50, 1000},
    {"s1", "sim", "fifo", AATGS_RUN_COMPLETED, 110, 55, 1100},
    {"s1", "sim", "fifo", AATGS_RUN_COMPLETED, 120, 60, 1200},
    {"s1", "sim", "fifo", AATGS_RUN_FAILED, 0, 0, 0},
    {"s1", "sim", "adaptive", AATGS_RUN_COMPLETED, 80, 50, 2000},
    {"s1", "sim", "adaptive", AATGS_RUN_COMPLETED, 90, 45, 3000},
    {"s1", "sim", "adaptive", AATGS_RUN_INTERRUPTED, 40, 50, 9999},
    {"s2", "sim", "fifo", AATGS_RUN_COMPLETED, 200, 100, 500},
    {"s2", "sim", "heft", AATGS_RUN_COMPLETED, 150, 100, 700},
    {"s2", "sim", "heft", AATGS_RUN_COMPLETED, 170, 100, 900},
    {"s1", "cuda", "adaptive", AATGS_RUN_COMPLETED, 95, 50, 4000},
    {"odd,\"name\"", "sim", "fifo", AATGS_RUN_COMPLETED, 10, 5, 10},
};
#define N_RUNS (sizeof RUNS / sizeof RUNS[0])

static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

static void write_runs(const char *path, const run_spec *runs, size_t n) {
  aatgs_sqlite_sink *s = NULL;
  aatgs_sink sink;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_sqlite_sink_open(&s, path, NULL, &err), AATGS_OK, "%s", err.msg);
  aatgs_sqlite_sink_as_sink(s, &sink);
  for (size_t i = 0; i < n; i++) {
    aatgs_run_info info;
    memset(&info, 0, sizeof info);
    info.scenario = runs[i].scenario;
    info.backend = runs[i].backend;
    info.policy = runs[i].policy;
    info.seed = i;
    cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
    aatgs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_DECISION;
    cr_assert_eq(sink.emit(sink.ctx, &ev), AATGS_OK);
    aatgs_run_result res;
    memset(&res, 0, sizeof res);
    res.status = runs[i].status;
    res.makespan_ns = (aatgs_ns)llround(runs[i].makespan_ms * 1e6);
    res.lower_bound_ns = (aatgs_ns)llround(runs[i].lower_ms * 1e6);
    res.mean_decision_ns = runs[i].decision_ns;
    res.decisions = 1;
    res.events = 1;
    if (runs[i].status == AATGS_RUN_FAILED) snprintf(res.error, sizeof res.error, "boom");
    cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  }
  cr_assert_eq(aatgs_sqlite_sink_close(s, &err), AATGS_OK, "%s", err.msg);
}

static void setup(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/aatgs-test-report-XXXXXX");
  cr_assert_not_null(mkdtemp(g_dir));
  snprintf(g_db, sizeof g_db, "%s/runs.db", g_dir);
  write_runs(g_db, RUNS, N_RUNS);
}

static void teardown(void) { remove_tree(g_dir); }

TestSuite(report, .init = setup, .fini = teardown, .timeout = 60);

static aatgs_report *load(const aatgs_report_options *o) {
  aatgs_report *r = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_report_load(g_db, o, &r, &err), AATGS_OK, "%s", err.msg);
  cr_assert_not_null(r);
  return r;
}

static const aatgs_report_row *find(const aatgs_report *r, const char *sc, const char *be,
                                    const char *po) {
  for (size_t i = 0; i < r->n_rows; i++)
    if (!strcmp(r->rows[i].scenario, sc) && !strcmp(r->rows[i].backend, be) &&
        !strcmp(r->rows[i].policy, po))
      return &r->rows[i];
  cr_assert_fail("no row %s/%s/%s", sc, be, po);
  return NULL;
}

#define EPS 1e-9

static void expect_num(double got, double want, const char *what) {
  if (isnan(want))
    cr_expect(isnan(got), "%s: want none, got %g", what, got);
  else
    cr_expect(fabs(got - want) <= EPS * fmax(1.0, fabs(want)), "%s: want %.12g, got %.12g", what,
              want, got);
}

/* ------------------------------------------------------ hand-computed values */

Test(report, numbers_match_hand_computed_values) {
  aatgs_report *r = load(NULL);
  cr_assert_eq(r->n_rows, 6);
  cr_expect_str_eq(r->baseline, "fifo");
  /* Sorted by scenario, backend, policy. */
  cr_expect_str_eq(r->rows[0].scenario, "odd,\"name\"");
  cr_expect_str_eq(r->rows[1].backend, "cuda");
  cr_expect_str_eq(r->rows[2].policy, "adaptive");
  cr_expect_str_eq(r->rows[3].policy, "fifo");
  cr_expect_str_eq(r->rows[4].scenario, "s2");
  cr_expect_str_eq(r->rows[5].policy, "heft");

  const aatgs_report_row *w = find(r, "s1", "sim", "fifo");
  cr_expect_eq(w->runs, 3);
  cr_expect_eq(w->failed, 1);
  cr_expect_eq(w->interrupted, 0);
  cr_expect(w->is_baseline);
  expect_num(w->mean_ms, 110, "s1 fifo mean");
  expect_num(w->sd_ms, 10, "s1 fifo sd");
  expect_num(w->ci95_ms, 4.303 * 10 / sqrt(3), "s1 fifo ci95");
  expect_num(w->min_ms, 100, "s1 fifo min");
  expect_num(w->max_ms, 120, "s1 fifo max");
  expect_num(w->speedup, 1, "s1 fifo speedup");
  expect_num(w->efficiency, 0.5, "s1 fifo efficiency");
  expect_num(w->decision_ns, 1100, "s1 fifo decision");

  w = find(r, "s1", "sim", "adaptive");
  cr_expect_eq(w->runs, 2);
  cr_expect_eq(w->interrupted, 1);
  cr_expect_eq(w->failed, 0);
  cr_expect(!w->is_baseline);
  expect_num(w->mean_ms, 85, "s1 adaptive mean");
  expect_num(w->sd_ms, sqrt(50), "s1 adaptive sd");
  expect_num(w->ci95_ms, 12.706 * sqrt(50) / sqrt(2), "s1 adaptive ci95");
  expect_num(w->min_ms, 80, "min");
  expect_num(w->max_ms, 90, "max");
  expect_num(w->speedup, 110.0 / 85.0, "s1 adaptive speedup");
  expect_num(w->efficiency, (50.0 / 80 + 45.0 / 90) / 2, "s1 adaptive efficiency");
  expect_num(w->decision_ns, 2500, "s1 adaptive decision (interrupted run excluded)");

  w = find(r, "s1", "cuda", "adaptive");
  cr_expect_eq(w->runs, 1);
  expect_num(w->mean_ms, 95, "cuda mean");
  expect_num(w->sd_ms, NAN, "cuda sd of one run");
  expect_num(w->ci95_ms, NAN, "cuda ci of one run");
  expect_num(w->speedup, NAN, "cuda has no fifo baseline");
  expect_num(w->efficiency, 50.0 / 95, "cuda efficiency");
  expect_num(w->decision_ns, 4000, "cuda decision");

  w = find(r, "s2", "sim", "heft");
  cr_expect_eq(w->runs, 2);
  expect_num(w->mean_ms, 160, "s2 heft mean");
  expect_num(w->sd_ms, sqrt(200), "s2 heft sd");
  expect_num(w->speedup, 200.0 / 160.0, "s2 heft speedup");
  expect_num(w->efficiency, (100.0 / 150 + 100.0 / 170) / 2, "s2 heft efficiency");
  expect_num(w->decision_ns, 800, "s2 heft decision");
  w = find(r, "s2", "sim", "fifo");
  expect_num(w->speedup, 1, "s2 fifo speedup");
  expect_num(w->sd_ms, NAN, "s2 fifo sd");
  aatgs_report_destroy(r);
}

/* --------------------------------------------------- against plain SQL */

Test(report, numbers_match_plain_sql_on_the_database) {
  aatgs_report *r = load(NULL);
  sqlite3 *db = NULL;
  cr_assert_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  for (size_t i = 0; i < r->n_rows; i++) {
    const aatgs_report_row *w = &r->rows[i];
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(
                     db,
                     "SELECT count(*), avg(makespan_ns) / 1e6, min(makespan_ns) / 1e6, "
                     "max(makespan_ns) / 1e6, avg(CAST(lower_bound_ns AS REAL) / makespan_ns), "
                     "avg(mean_decision_ns), "
                     "(SELECT count(*) FROM runs WHERE scenario = ?1 AND backend = ?2 AND "
                     " policy = ?3 AND status = 'interrupted'), "
                     "(SELECT count(*) FROM runs WHERE scenario = ?1 AND backend = ?2 AND "
                     " policy = ?3 AND status = 'failed') "
                     "FROM runs WHERE scenario = ?1 AND backend = ?2 AND policy = ?3 "
                     "AND status = 'completed'",
                     -1, &st, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, w->scenario, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, w->backend, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w->policy, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_eq(w->runs, (uint32_t)sqlite3_column_int(st, 0), "%s/%s", w->scenario, w->policy);
    expect_num(w->mean_ms, sqlite3_column_double(st, 1), "mean vs SQL");
    expect_num(w->min_ms, sqlite3_column_double(st, 2), "min vs SQL");
    expect_num(w->max_ms, sqlite3_column_double(st, 3), "max vs SQL");
    expect_num(w->efficiency, sqlite3_column_double(st, 4), "efficiency vs SQL");
    expect_num(w->decision_ns, sqlite3_column_double(st, 5), "decision vs SQL");
    cr_expect_eq(w->interrupted, (uint32_t)sqlite3_column_int(st, 6));
    cr_expect_eq(w->failed, (uint32_t)sqlite3_column_int(st, 7));
    sqlite3_finalize(st);

    /* The schema's policy_summary view agrees (stddev included). */
    cr_assert_eq(
        sqlite3_prepare_v2(db,
                           "SELECT runs, mean_makespan_ns / 1e6, stddev_makespan_ns / 1e6, "
                           "mean_efficiency, mean_decision_ns FROM policy_summary "
                           "WHERE scenario = ?1 AND backend = ?2 AND policy = ?3",
                           -1, &st, NULL),
        SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, w->scenario, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, w->backend, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w->policy, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_expect_eq(w->runs, (uint32_t)sqlite3_column_int(st, 0));
    expect_num(w->mean_ms, sqlite3_column_double(st, 1), "mean vs view");
    expect_num(w->sd_ms,
               sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 2),
               "sd vs view");
    expect_num(w->efficiency, sqlite3_column_double(st, 3), "efficiency vs view");
    expect_num(w->decision_ns, sqlite3_column_double(st, 4), "decision vs view");
    sqlite3_finalize(st);

    /* Speedup: baseline mean over this mean, from SQL. */
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT avg(makespan_ns) FROM runs WHERE scenario = ?1 AND "
                                    "backend = ?2 AND policy = 'fifo' AND status = 'completed'",
                                    -1, &st, NULL),
                 SQLITE_OK);
    sqlite3_bind_text(st, 1, w->scenario, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, w->backend, -1, SQLITE_STATIC);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    double base = sqlite3_column_type(st, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 0);
    expect_num(w->speedup, base / 1e6 / w->mean_ms, "speedup vs SQL");
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  aatgs_report_destroy(r);
}

/* ---------------------------------------------------------------- formats */

static char *render(const aatgs_report_options *o) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_not_null(f);
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_report_run(g_db, o, f, &err), AATGS_OK, "%s", err.msg);
  fclose(f);
  return buf;
}

/* Splits one CSV line (RFC 4180 quoting) into at most cap fields. */
static int csv_fields(const char *line, char fields[][64], int cap) {
  int n = 0;
  const char *p = line;
  for (;;) {
    char *out = fields[n];
    size_t k = 0;
    if (*p == '"') {
      p++;
      while (*p && !(*p == '"' && p[1] != '"')) {
        if (*p == '"') p++;
        if (k < 63) out[k++] = *p;
        p++;
      }
      if (*p == '"') p++;
    } else {
      while (*p && *p != ',' && *p != '\n') {
        if (k < 63) out[k++] = *p;
        p++;
      }
    }
    out[k] = '\0';
    n++;
    if (*p != ',' || n == cap) break;
    p++;
  }
  return n;
}

Test(report, csv_has_a_header_and_fourteen_fields_per_row) {
  aatgs_report_options o = {.format = AATGS_REPORT_CSV};
  char *text = render(&o);
  aatgs_report *r = load(NULL);
  char fields[20][64];
  char *save = NULL;
  char *line = strtok_r(text, "\n", &save);
  cr_assert_not_null(line);
  cr_expect_eq(csv_fields(line, fields, 20), 14);
  cr_expect_str_eq(fields[0], "scenario");
  cr_expect_str_eq(fields[4], "mean_makespan_ms");
  cr_expect_str_eq(fields[9], "speedup");
  cr_expect_str_eq(fields[13], "failed");
  size_t rows = 0;
  while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
    cr_assert_lt(rows, r->n_rows);
    const aatgs_report_row *w = &r->rows[rows];
    cr_expect_eq(csv_fields(line, fields, 20), 14, "%s", line);
    cr_expect_str_eq(fields[0], w->scenario);
    cr_expect_str_eq(fields[2], w->policy);
    cr_expect_eq((uint32_t)atoi(fields[3]), w->runs);
    expect_num(atof(fields[4]), w->mean_ms, "csv mean");
    if (isnan(w->sd_ms))
      cr_expect_str_eq(fields[5], "");
    else
      cr_expect(fabs(atof(fields[5]) - w->sd_ms) < 1e-6, "csv sd %s", fields[5]);
    if (isnan(w->speedup))
      cr_expect_str_eq(fields[9], "");
    else
      cr_expect(fabs(atof(fields[9]) - w->speedup) < 1e-6, "csv speedup %s", fields[9]);
    cr_expect_eq((uint32_t)atoi(fields[12]), w->interrupted);
    cr_expect_eq((uint32_t)atoi(fields[13]), w->failed);
    rows++;
  }
  cr_expect_eq(rows, r->n_rows);
  aatgs_report_destroy(r);
  free(text);
}

/* A small JSON validator: returns the position after one value, or NULL. */
static const char *json_ws(const char *p) {
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
    p++;
  return p;
}

static const char *json_value(const char *p);

static const char *json_string(const char *p) {
  if (*p != '"') return NULL;
  for (p++; *p && *p != '"'; p++) {
    if ((unsigned char)*p < 0x20) return NULL;
    if (*p == '\\') {
      p++;
      if (*p == 'u') {
        for (int i = 1; i <= 4; i++)
          if (!isxdigit((unsigned char)p[i])) return NULL;
        p += 4;
      } else if (!strchr("\"\\/bfnrt", *p)) {
        return NULL;
      }
    }
  }
  return *p == '"' ? p + 1 : NULL;
}

static const char *json_value(const char *p) {
  p = json_ws(p);
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    bool obj = *p == '{';
    p = json_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
      if (obj) {
        p = json_string(json_ws(p));
        if (!p) return NULL;
        p = json_ws(p);
        if (*p++ != ':') return NULL;
      }
      p = json_value(p);
      if (!p) return NULL;
      p = json_ws(p);
      if (*p == ',') {
        p++;
        continue;
      }
      return *p == close ? p + 1 : NULL;
    }
  }
  if (*p == '"') return json_string(p);
  if (!strncmp(p, "true", 4)) return p + 4;
  if (!strncmp(p, "false", 5)) return p + 5;
  if (!strncmp(p, "null", 4)) return p + 4;
  char *end = NULL;
  strtod(p, &end);
  return end && end != p ? end : NULL;
}

static size_t count(const char *s, const char *sub) {
  size_t n = 0;
  for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
    n++;
  return n;
}

Test(report, json_is_valid_and_has_one_object_per_row) {
  aatgs_report_options o = {.format = AATGS_REPORT_JSON};
  char *text = render(&o);
  const char *end = json_value(text);
  cr_assert_not_null(end, "invalid JSON:\n%s", text);
  cr_expect_eq(*json_ws(end), '\0', "trailing text after the JSON value");
  cr_expect_eq(count(text, "\"scenario\":"), 6);
  cr_expect(strstr(text, "\"baseline\": \"fifo\"") != NULL);
  cr_expect(strstr(text, "\"scenario\": \"odd,\\\"name\\\"\"") != NULL, "%s", text);
  cr_expect(strstr(text, "\"sd_makespan_ms\": null") != NULL, "one-run rows have no sd");
  cr_expect(strstr(text, "\"mean_makespan_ms\": 110,") != NULL, "%s", text);
  cr_expect(strstr(text, "\"speedup\": 1.25,") != NULL, "%s", text);
  free(text);
}

Test(report, table_and_markdown_are_aligned) {
  aatgs_report_options o = {.format = AATGS_REPORT_TABLE};
  char *text = render(&o);
  cr_expect(strstr(text, "scenario") == text, "header first:\n%s", text);
  cr_expect(strstr(text, "110.000") && strstr(text, "1.294x") && strstr(text, "fifo *"), "%s",
            text);
  /* Header, rule and the 6 rows have one width. */
  char *save = NULL;
  size_t width = 0, lines = 0;
  for (char *line = strtok_r(text, "\n", &save); line && lines < 8;
       line = strtok_r(NULL, "\n", &save), lines++) {
    if (lines == 0) width = strlen(line);
    cr_expect_eq(strlen(line), width, "line %zu: '%s'", lines, line);
  }
  cr_expect_eq(lines, 8);
  free(text);

  o.format = AATGS_REPORT_MARKDOWN;
  text = render(&o);
  save = NULL;
  lines = 0;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] != '|') break;
    cr_expect_eq(count(line, "|"), 14, "'%s'", line);
    cr_expect_eq(line[strlen(line) - 1], '|');
    lines++;
  }
  cr_expect_eq(lines, 2 + 6);
  free(text);
}

/* ---------------------------------------------------------------- filters */

Test(report, filters_select_rows_and_keep_the_baseline_for_speedups) {
  aatgs_report_options o = {.scenario = "s2"};
  aatgs_report *r = load(&o);
  cr_expect_eq(r->n_rows, 2);
  for (size_t i = 0; i < r->n_rows; i++)
    cr_expect_str_eq(r->rows[i].scenario, "s2");
  aatgs_report_destroy(r);

  o = (aatgs_report_options){.policy = "adaptive"};
  r = load(&o);
  cr_expect_eq(r->n_rows, 2);
  expect_num(find(r, "s1", "sim", "adaptive")->speedup, 110.0 / 85.0,
             "speedup without showing fifo");
  aatgs_report_destroy(r);

  o = (aatgs_report_options){.backend = "cuda"};
  r = load(&o);
  cr_expect_eq(r->n_rows, 1);
  cr_expect_str_eq(r->rows[0].backend, "cuda");
  aatgs_report_destroy(r);

  o = (aatgs_report_options){.scenario = "s1, s2", .policy = "fifo,heft", .backend = "sim"};
  r = load(&o);
  cr_expect_eq(r->n_rows, 3);
  aatgs_report_destroy(r);

  o = (aatgs_report_options){.scenario = "nothing"};
  r = load(&o);
  cr_expect_eq(r->n_rows, 0);
  aatgs_report_destroy(r);
  o.format = AATGS_REPORT_TABLE;
  char *text = render(&o);
  cr_expect(strstr(text, "(no runs") != NULL, "%s", text);
  free(text);
}

Test(report, another_baseline_policy) {
  aatgs_report_options o = {.baseline = "heft"};
  aatgs_report *r = load(&o);
  cr_expect_str_eq(r->baseline, "heft");
  expect_num(find(r, "s2", "sim", "fifo")->speedup, 160.0 / 200.0, "fifo vs heft");
  expect_num(find(r, "s2", "sim", "heft")->speedup, 1.0, "heft vs itself");
  cr_expect(find(r, "s2", "sim", "heft")->is_baseline);
  expect_num(find(r, "s1", "sim", "fifo")->speedup, NAN, "no heft on s1");
  aatgs_report_destroy(r);
}

/* ----------------------------------------------------------------- errors */

Test(report, a_missing_or_foreign_file_gives_a_clear_error) {
  aatgs_report *r = (aatgs_report *)&r;
  aatgs_err err;
  char path[400];
  snprintf(path, sizeof path, "%s/missing.db", g_dir);
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_report_load(path, NULL, &r, &err), AATGS_ENOENT);
  cr_expect_null(r);
  cr_expect(strstr(err.msg, path) && strstr(err.msg, "No such file"), "%s", err.msg);
  struct stat st;
  cr_expect(stat(path, &st) != 0, "the report creates nothing");

  snprintf(path, sizeof path, "%s/notes.txt", g_dir);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs("just some text, certainly not an SQLite database file.............\n", f);
  fclose(f);
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_report_load(path, NULL, &r, &err), AATGS_EDB);
  cr_expect(strstr(err.msg, path) && strstr(err.msg, "not an AATGS database"), "%s", err.msg);

  snprintf(path, sizeof path, "%s/other.db", g_dir);
  sqlite3 *db = NULL;
  cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL);
  sqlite3_close(db);
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_report_load(path, NULL, &r, &err), AATGS_EDB);
  cr_expect(strstr(err.msg, path) && strstr(err.msg, "not an AATGS database"), "%s", err.msg);

  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_report_load(g_dir, NULL, &r, &err), AATGS_EIO);
  cr_expect(strstr(err.msg, g_dir) != NULL, "%s", err.msg);
}

Test(report, format_names_parse) {
  aatgs_report_format f;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_report_parse_format("table", &f, &err), AATGS_OK);
  cr_expect_eq(f, AATGS_REPORT_TABLE);
  cr_expect_eq(aatgs_report_parse_format("csv", &f, &err), AATGS_OK);
  cr_expect_eq(f, AATGS_REPORT_CSV);
  cr_expect_eq(aatgs_report_parse_format("markdown", &f, &err), AATGS_OK);
  cr_expect_eq(f, AATGS_REPORT_MARKDOWN);
  cr_expect_eq(aatgs_report_parse_format("md", &f, &err), AATGS_OK);
  cr_expect_eq(f, AATGS_REPORT_MARKDOWN);
  cr_expect_eq(aatgs_report_parse_format("json", &f, &err), AATGS_OK);
  cr_expect_eq(f, AATGS_REPORT_JSON);
  cr_expect_eq(aatgs_report_parse_format("xml", &f, &err), AATGS_EINVAL);
  cr_expect(strstr(err.msg, "xml") && strstr(err.msg, "csv"), "%s", err.msg);
  expect_num(aatgs_report_t95(1), 12.706, "t95(1)");
  expect_num(aatgs_report_t95(30), 2.042, "t95(30)");
  cr_expect(aatgs_report_t95(1000) < 2.0);
}

/* s1/adaptive ran under sim (80, 90 ms: mean 85) and under cuda (95 ms). */
Test(report, sim_against_real_makespan) {
  aatgs_report_options o;
  memset(&o, 0, sizeof o);
  aatgs_report *r = load(&o);
  aatgs_fidelity_row f[4];
  cr_assert_eq(aatgs_report_fidelity(r, f, 4), 1);
  cr_assert_str_eq(f[0].scenario, "s1");
  cr_assert_str_eq(f[0].policy, "adaptive");
  cr_assert_str_eq(f[0].backend, "cuda");
  cr_assert_float_eq(f[0].sim_ms, 85.0, 1e-9);
  cr_assert_float_eq(f[0].real_ms, 95.0, 1e-9);
  cr_assert_float_eq(f[0].error, 85.0 / 95.0 - 1.0, 1e-12);
  char buf[16384];
  FILE *mem = fmemopen(buf, sizeof buf, "w");
  cr_assert_eq(aatgs_report_write(r, AATGS_REPORT_TABLE, mem, NULL), AATGS_OK);
  fclose(mem);
  cr_assert(strstr(buf, "simulated against real makespan"), "%s", buf);
  cr_assert(strstr(buf, "-10.53%"), "%s", buf);
  cr_assert(strstr(buf, "median 10.53%, max 10.53% over 1 pairs"), "%s", buf);
  aatgs_report_destroy(r);
}
