/* test_report.c - `aatgs report` (analysis/report.h) and its statistics
 * (analysis/stats.h).
 *
 * Two real databases: one written through the SQLite sink with chosen runs,
 * events and counters (hand-checkable values, failed and interrupted runs,
 * overflows), and one recorded by the aatgs binary from two small scenarios.
 * Every number of every row is checked against a plain SQL query on the same
 * file; the bootstrap intervals are checked for their properties (they hold
 * the estimate, stay inside the data, are the same on every load, have zero
 * width for identical makespans, shrink with more data, cover at the nominal
 * rate); every format is parsed back (JSON with jansson). */
#include <criterion/criterion.h>
#include <dirent.h>
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

#include "backend.h"
#include "report.h"
#include "rng.h"
#include "sink.h"
#include "sqlite_sink.h"
#include "stats.h"
#include "support/cli.h"

static char g_dir[256];
static char g_db[320];   /* written through the sink */
static char g_real[320]; /* recorded by the aatgs binary (make_real_db) */

/* The CSV header's fixed part, which other tools read. */
static const char *const FIXED_COLUMNS[] = {"scenario",
                                            "policy",
                                            "backend",
                                            "runs",
                                            "makespan_median_ms",
                                            "makespan_mean_ms",
                                            "makespan_ci_lo_ms",
                                            "makespan_ci_hi_ms",
                                            "speedup",
                                            "speedup_ci_lo",
                                            "speedup_ci_hi",
                                            "efficiency",
                                            "stream_util",
                                            "config_util_mean",
                                            "config_util_max",
                                            "telemetry_util_mean",
                                            "telemetry_util_max",
                                            "decision_mean_ns",
                                            "decision_p99_ns",
                                            "config_overflows",
                                            "telemetry_overflows",
                                            "telemetry_evictions",
                                            "failed_runs"};
#define N_FIXED (sizeof FIXED_COLUMNS / sizeof FIXED_COLUMNS[0])

/* ------------------------------------------------------ the sink database */

typedef struct run_spec {
  const char *scenario, *backend, *policy;
  aatgs_run_status status;
  uint64_t seed;
  uint32_t rep;
  double makespan_ms, lower_ms;
  uint64_t cfg_ovf, tel_ovf, tel_evict;
} run_spec;

static const run_spec RUNS[] = {
    {"s1", "sim", "fifo", AATGS_RUN_COMPLETED, 1, 0, 100, 50, 0, 0, 0},
    {"s1", "sim", "fifo", AATGS_RUN_COMPLETED, 2, 0, 110, 55, 1, 0, 0},
    {"s1", "sim", "fifo", AATGS_RUN_COMPLETED, 3, 0, 120, 60, 0, 0, 0},
    {"s1", "sim", "fifo", AATGS_RUN_FAILED, 4, 0, 0, 0, 7, 2, 1},
    {"s1", "sim", "adaptive", AATGS_RUN_COMPLETED, 1, 0, 80, 50, 3, 0, 0},
    {"s1", "sim", "adaptive", AATGS_RUN_COMPLETED, 2, 0, 90, 45, 0, 0, 0},
    {"s1", "sim", "adaptive", AATGS_RUN_INTERRUPTED, 3, 0, 40, 50, 0, 4, 0},
    {"s2", "sim", "fifo", AATGS_RUN_COMPLETED, 1, 0, 200, 100, 0, 0, 0},
    {"s2", "sim", "heft", AATGS_RUN_COMPLETED, 1, 0, 150, 100, 0, 0, 5},
    {"s2", "sim", "heft", AATGS_RUN_COMPLETED, 2, 0, 170, 100, 0, 0, 0},
    {"s1", "cuda", "adaptive", AATGS_RUN_COMPLETED, 1, 0, 95, 50, 0, 0, 0},
    {"odd,\"name\"", "sim", "fifo", AATGS_RUN_COMPLETED, 1, 0, 10, 5, 0, 0, 0},
    /* Identical makespans; sjf runs the same seeds, so the two pair. */
    {"same", "sim", "fifo", AATGS_RUN_COMPLETED, 1, 0, 50, 20, 0, 0, 0},
    {"same", "sim", "fifo", AATGS_RUN_COMPLETED, 2, 0, 50, 20, 0, 0, 0},
    {"same", "sim", "fifo", AATGS_RUN_COMPLETED, 3, 0, 50, 20, 0, 0, 0},
    {"same", "sim", "fifo", AATGS_RUN_COMPLETED, 4, 0, 50, 20, 0, 0, 0},
    {"same", "sim", "sjf", AATGS_RUN_COMPLETED, 3, 0, 35, 20, 0, 0, 0},
    {"same", "sim", "sjf", AATGS_RUN_COMPLETED, 1, 0, 40, 20, 0, 0, 0},
    {"same", "sim", "sjf", AATGS_RUN_COMPLETED, 2, 0, 45, 20, 0, 0, 0},
    {"same", "sim", "sjf", AATGS_RUN_COMPLETED, 4, 0, 50, 20, 0, 0, 0},
};
#define N_RUNS (sizeof RUNS / sizeof RUNS[0])
#define N_GROUPS 8

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

static void emit(aatgs_sink *sink, const aatgs_event *ev) {
  cr_assert_eq(sink->emit(sink->ctx, ev), AATGS_OK);
}

/* Run i: 20 + 3i decisions of varied cost, tasks on kernel streams 0 and 1
 * and on the upload stream (which must not count as kernel busy time), and
 * config, telemetry and collector ring samples (the last must not count). */
static void emit_events(aatgs_sink *sink, size_t i, aatgs_ns makespan) {
  aatgs_event ev;
  for (size_t k = 0; k < 20 + 3 * i; k++) {
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_DECISION;
    ev.u.decision.seq = k;
    ev.u.decision.task = (uint32_t)k;
    ev.u.decision.cost_ns = (aatgs_ns)(100 + (i * 37 + k * k * 53) % 1000);
    emit(sink, &ev);
  }
  const struct {
    uint32_t stream;
    double from, to; /* fractions of the makespan */
  } tasks[] = {{0, 0.0, 0.5}, {1, 0.25, 0.35 + 0.1 * (double)(i % 3)}, {0, 0.6, 0.9}, {4, 0, 1}};
  for (size_t k = 0; k < sizeof tasks / sizeof tasks[0]; k++) {
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_TASK;
    ev.u.task.task = (uint32_t)k;
    ev.u.task.stream = tasks[k].stream;
    ev.u.task.start_ns = (aatgs_ns)llround(tasks[k].from * (double)makespan);
    ev.u.task.end_ns = (aatgs_ns)llround(tasks[k].to * (double)makespan);
    ev.u.task.ready_ns = ev.u.task.submit_ns = ev.u.task.start_ns;
    emit(sink, &ev);
  }
  for (uint32_t k = 0; k < 3; k++) {
    const uint32_t len[3] = {(uint32_t)(i % 5) + k, (uint32_t)(7 * i + 11 * k) % 64, 100 + k};
    const uint32_t cap[3] = {16, 64, 3072};
    for (uint32_t ring = 0; ring < 3; ring++) {
      memset(&ev, 0, sizeof ev);
      ev.kind = AATGS_EV_RING;
      ev.u.ring.t_ns = 1000 * k;
      ev.u.ring.ring = ring;
      ev.u.ring.len = len[ring];
      ev.u.ring.cap = cap[ring];
      emit(sink, &ev);
    }
  }
}

static void write_runs(const char *path) {
  aatgs_sqlite_sink *s = NULL;
  aatgs_sink sink;
  aatgs_err err;
  aatgs_stream_info streams[6];
  aatgs_backend_fill_streams(streams, 4);
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_sqlite_sink_open(&s, path, NULL, &err), AATGS_OK, "%s", err.msg);
  aatgs_sqlite_sink_as_sink(s, &sink);
  for (size_t i = 0; i < N_RUNS; i++) {
    aatgs_run_info info;
    memset(&info, 0, sizeof info);
    info.scenario = RUNS[i].scenario;
    info.backend = RUNS[i].backend;
    info.policy = RUNS[i].policy;
    info.seed = RUNS[i].seed;
    info.rep = RUNS[i].rep;
    info.streams = streams;
    info.n_streams = 6;
    cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
    aatgs_ns mk = (aatgs_ns)llround(RUNS[i].makespan_ms * 1e6);
    emit_events(&sink, i, mk);
    aatgs_run_result res;
    memset(&res, 0, sizeof res);
    res.status = RUNS[i].status;
    res.makespan_ns = mk;
    res.lower_bound_ns = (aatgs_ns)llround(RUNS[i].lower_ms * 1e6);
    res.decisions = 20 + 3 * i;
    res.config_overflows = RUNS[i].cfg_ovf;
    res.telemetry_overflows = RUNS[i].tel_ovf;
    res.telemetry_evictions = RUNS[i].tel_evict;
    if (RUNS[i].status == AATGS_RUN_FAILED) snprintf(res.error, sizeof res.error, "boom");
    cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  }
  cr_assert_eq(aatgs_sqlite_sink_close(s, &err), AATGS_OK, "%s", err.msg);
}

static void setup(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/aatgs-test-report-XXXXXX");
  cr_assert_not_null(mkdtemp(g_dir));
  snprintf(g_db, sizeof g_db, "%s/runs.db", g_dir);
  snprintf(g_real, sizeof g_real, "%s/real.db", g_dir);
  write_runs(g_db);
}

static void teardown(void) { remove_tree(g_dir); }

TestSuite(report, .init = setup, .fini = teardown, .timeout = 120);
TestSuite(stats, .timeout = 120);

/* ------------------------------------------------- the binary's database */

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

/* Two small scenarios (the phase pipeline overflows the config ring), three
 * policies, 3 seeds x 2 repetitions, recorded by `aatgs run`. */
static void make_real_db(void) {
  char pp[400], fj[400], out[8192];
  snprintf(pp, sizeof pp, "%s/pp.yaml", g_dir);
  snprintf(fj, sizeof fj, "%s/fj.yaml", g_dir);
  write_file(pp, "name: pp\ngenerator: phase_pipeline\n"
                 "params: {iterations: 30, replicas: 4, transition_every: 10}\n"
                 "seeds: 3\nnoise_cv: 0.1\n");
  write_file(fj, "name: fj\ngenerator: fork_join\nparams: {width: 8, stages: 5}\n"
                 "seeds: 3\nnoise_cv: 0.1\n");
  struct stat st;
  cr_assert_eq(stat(bin(), &st), 0, "the aatgs binary is not at %s (set AATGS_BIN)", bin());
  cr_assert_eq(sh(out, sizeof out,
                  "%s run %s %s --db %s --backend sim --policy fifo,heft,sjf "
                  "--reps 2 --quiet",
                  bin(), pp, fj, g_real),
               0, "%s", out);
}

/* --------------------------------------------------------------- helpers */

static aatgs_report *load_from(const char *db, const aatgs_report_options *o) {
  aatgs_report *r = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_report_load(db, o, &r, &err), AATGS_OK, "%s", err.msg);
  cr_assert_not_null(r);
  return r;
}

static aatgs_report *load(const aatgs_report_options *o) { return load_from(g_db, o); }

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
    cr_expect(isnan(got), "%s: want none, got %.12g", what, got);
  else
    cr_expect(fabs(got - want) <= EPS * fmax(1.0, fabs(want)), "%s: want %.12g, got %.12g", what,
              want, got);
}

/* Runs one SQL query bound to a row's scenario (?1), policy (?2) and backend
 * (?3); returns column col of its single result row, NAN for NULL. */
static double sql_num(sqlite3 *db, const char *sql, const char *sc, const char *po, const char *be,
                      int col) {
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s\n%s", sqlite3_errmsg(db),
               sql);
  sqlite3_bind_text(st, 1, sc, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, po, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, be, -1, SQLITE_STATIC);
  double v = NAN;
  int rc = sqlite3_step(st);
  cr_assert(rc == SQLITE_ROW || rc == SQLITE_DONE, "%s", sqlite3_errmsg(db));
  if (rc == SQLITE_ROW && sqlite3_column_type(st, col) != SQLITE_NULL)
    v = sqlite3_column_double(st, col);
  sqlite3_finalize(st);
  return v;
}

/* The group's completed runs (as the report counts them). */
#define GROUP "r.scenario = ?1 AND r.policy = ?2 AND r.backend = ?3"
#define DONE GROUP " AND r.status = 'completed' AND r.makespan_ns IS NOT NULL"
/* The median of x over the rows of CTE v (the mean of the two middle ones). */
#define MEDIAN_OF_V                                                                                \
  " SELECT avg(x) FROM (SELECT x FROM v ORDER BY x LIMIT 2 - (SELECT count(*) FROM v) % 2 "        \
  "OFFSET ((SELECT count(*) FROM v) - 1) / 2)"

static const char SQL_MAKESPAN_MEDIAN[] =
    "WITH v(x) AS (SELECT makespan_ns / 1e6 FROM runs r WHERE " DONE ")" MEDIAN_OF_V;
static const char SQL_MAKESPAN[] = "SELECT count(*), avg(makespan_ns) / 1e6, min(makespan_ns) / "
                                   "1e6, max(makespan_ns) / 1e6 FROM runs r WHERE " DONE;
static const char SQL_EFFICIENCY[] =
    "WITH v(x) AS (SELECT CAST(lower_bound_ns AS REAL) / makespan_ns FROM runs r WHERE " DONE
    " AND r.makespan_ns > 0 AND r.lower_bound_ns > 0)" MEDIAN_OF_V;
static const char SQL_STREAM_UTIL[] =
    "WITH u(x) AS (SELECT (SELECT COALESCE(sum(e.end_ns - e.start_ns), 0) FROM task_events e "
    "JOIN streams s ON s.run_id = e.run_id AND s.stream = e.stream "
    "WHERE e.run_id = r.run_id AND s.class = 'kernel') * 1.0 / "
    "((SELECT count(*) FROM streams s WHERE s.run_id = r.run_id AND s.class = 'kernel') * "
    "r.makespan_ns) FROM runs r WHERE " DONE "), "
    "v(x) AS (SELECT x FROM u WHERE x IS NOT NULL)" MEDIAN_OF_V;
static const char SQL_RING[] = "SELECT avg(s.utilization), max(s.utilization) FROM ring_samples s "
                               "JOIN runs r ON r.run_id = s.run_id WHERE " DONE " AND s.ring = ?4";
static const char SQL_DECISIONS[] = "SELECT avg(d.cost_ns), count(d.cost_ns) FROM decisions d "
                                    "JOIN runs r ON r.run_id = d.run_id WHERE " DONE;
/* Nearest rank: the ceil(0.99 n)-th smallest. */
static const char SQL_P99[] =
    "WITH v(x) AS (SELECT d.cost_ns FROM decisions d JOIN runs r ON r.run_id = d.run_id "
    "WHERE " DONE " AND d.cost_ns IS NOT NULL) "
    "SELECT x FROM v ORDER BY x LIMIT 1 OFFSET (SELECT (count(*) * 99 + 99) / 100 - 1 FROM v)";
static const char SQL_COUNTERS[] =
    "SELECT COALESCE(sum(config_overflows), 0), COALESCE(sum(telemetry_overflows), 0), "
    "COALESCE(sum(telemetry_evictions), 0), sum(status IN ('failed', 'interrupted')), "
    "sum(status = 'interrupted') FROM runs r WHERE " GROUP " AND status <> 'running'";

static double sql_ring(sqlite3 *db, const aatgs_report_row *w, const char *ring, int col) {
  char sql[1024];
  snprintf(sql, sizeof sql, "%s", SQL_RING);
  char *q = strstr(sql, "?4");
  cr_assert_not_null(q);
  /* Bind ?4 by text substitution: the ring names are fixed words. */
  char tail[512];
  snprintf(tail, sizeof tail, "'%s'%s", ring, q + 2);
  snprintf(q, sizeof sql - (size_t)(q - sql), "%s", tail);
  return sql_num(db, sql, w->scenario, w->policy, w->backend, col);
}

/* Checks every number of every row of the report of db against plain SQL;
 * returns how many rows had a speedup interval. */
static size_t check_against_sql(const char *path) {
  aatgs_report *r = load_from(path, NULL);
  sqlite3 *db = NULL;
  cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  double groups = sql_num(db,
                          "SELECT count(*) FROM (SELECT DISTINCT scenario, policy, backend "
                          "FROM runs WHERE status <> 'running')",
                          "", "", "", 0);
  cr_expect_eq(r->n_rows, (size_t)groups, "one row per group");
  size_t with_ci = 0;
  for (size_t i = 0; i < r->n_rows; i++) {
    const aatgs_report_row *w = &r->rows[i];
    const char *sc = w->scenario, *po = w->policy, *be = w->backend;
    char what[160];
#define CHECK(got, sql, col, name)                                                                 \
  do {                                                                                             \
    snprintf(what, sizeof what, "%s/%s/%s %s", sc, po, be, name);                                  \
    expect_num(got, sql_num(db, sql, sc, po, be, col), what);                                      \
  } while (0)
    CHECK(w->runs, SQL_MAKESPAN, 0, "runs");
    CHECK(w->makespan_mean_ms, SQL_MAKESPAN, 1, "mean");
    CHECK(w->makespan_min_ms, SQL_MAKESPAN, 2, "min");
    CHECK(w->makespan_max_ms, SQL_MAKESPAN, 3, "max");
    CHECK(w->makespan_median_ms, SQL_MAKESPAN_MEDIAN, 0, "median");
    CHECK(w->efficiency, SQL_EFFICIENCY, 0, "efficiency");
    CHECK(w->stream_util, SQL_STREAM_UTIL, 0, "stream_util");
    CHECK(w->decision_mean_ns, SQL_DECISIONS, 0, "decision mean");
    CHECK((double)w->decisions, SQL_DECISIONS, 1, "decisions");
    CHECK(w->decision_p99_ns, SQL_P99, 0, "decision p99");
    CHECK((double)w->config_overflows, SQL_COUNTERS, 0, "config overflows");
    CHECK((double)w->telemetry_overflows, SQL_COUNTERS, 1, "telemetry overflows");
    CHECK((double)w->telemetry_evictions, SQL_COUNTERS, 2, "telemetry evictions");
    CHECK((double)w->failed_runs, SQL_COUNTERS, 3, "failed runs");
    CHECK((double)w->interrupted_runs, SQL_COUNTERS, 4, "interrupted runs");
#undef CHECK
    snprintf(what, sizeof what, "%s/%s/%s config util", sc, po, be);
    expect_num(w->config_util_mean, sql_ring(db, w, "config", 0), what);
    expect_num(w->config_util_max, sql_ring(db, w, "config", 1), what);
    snprintf(what, sizeof what, "%s/%s/%s telemetry util", sc, po, be);
    expect_num(w->telemetry_util_mean, sql_ring(db, w, "telemetry", 0), what);
    expect_num(w->telemetry_util_max, sql_ring(db, w, "telemetry", 1), what);

    /* Speedup: the fifo group's median over this one's, both from SQL. */
    double base = sql_num(db, SQL_MAKESPAN_MEDIAN, sc, "fifo", be, 0);
    double mine = sql_num(db, SQL_MAKESPAN_MEDIAN, sc, po, be, 0);
    snprintf(what, sizeof what, "%s/%s/%s speedup", sc, po, be);
    expect_num(w->speedup, base / mine, what);
    cr_expect_eq(w->is_baseline, !strcmp(po, "fifo"));

    /* Intervals: around the estimate and inside the data. */
    if (w->runs >= 2) {
      cr_expect(w->makespan_ci_lo_ms <= w->makespan_median_ms &&
                    w->makespan_median_ms <= w->makespan_ci_hi_ms,
                "%s/%s median %.9g outside [%.9g, %.9g]", sc, po, w->makespan_median_ms,
                w->makespan_ci_lo_ms, w->makespan_ci_hi_ms);
      cr_expect(w->makespan_mean_ci_lo_ms <= w->makespan_mean_ms + 1e-12 &&
                    w->makespan_mean_ms <= w->makespan_mean_ci_hi_ms + 1e-12,
                "%s/%s mean outside its interval", sc, po);
      cr_expect(w->makespan_ci_lo_ms >= w->makespan_min_ms &&
                    w->makespan_ci_hi_ms <= w->makespan_max_ms,
                "%s/%s interval outside the data", sc, po);
      cr_expect(w->makespan_mean_ci_lo_ms >= w->makespan_min_ms - 1e-9 &&
                    w->makespan_mean_ci_hi_ms <= w->makespan_max_ms + 1e-9,
                "%s/%s mean interval outside the data", sc, po);
    } else {
      cr_expect(isnan(w->makespan_ci_lo_ms) && isnan(w->makespan_ci_hi_ms),
                "%s/%s: no interval from %u runs", sc, po, w->runs);
    }
    if (!isnan(w->speedup_ci_lo)) {
      with_ci++;
      cr_expect(w->speedup_ci_lo <= w->speedup && w->speedup <= w->speedup_ci_hi,
                "%s/%s speedup %.9g outside [%.9g, %.9g]", sc, po, w->speedup, w->speedup_ci_lo,
                w->speedup_ci_hi);
      cr_expect(w->speedup_pairing == AATGS_PAIRING_PAIRED ||
                w->speedup_pairing == AATGS_PAIRING_UNPAIRED);
    } else {
      cr_expect_eq(w->speedup_pairing, AATGS_PAIRING_NONE);
    }
  }
  sqlite3_close(db);
  aatgs_report_destroy(r);
  return with_ci;
}

/* ------------------------------------------------------------ stats unit */

Test(stats, quantile_median_and_rank_definitions) {
  double x[] = {4, 1, 3, 2};
  expect_num(aatgs_stats_median(x, 4), 2.5, "median of 1..4");
  double y[] = {10, 30, 20};
  expect_num(aatgs_stats_median(y, 3), 20, "median of three");
  double z[] = {1, 2, 3, 4, 5};
  expect_num(aatgs_stats_quantile(z, 5, 0.1), 1.4, "type 7 at 0.1: 1 + 0.4 (2 - 1)");
  expect_num(aatgs_stats_quantile(z, 5, 0.0), 1, "q0 is the minimum");
  expect_num(aatgs_stats_quantile(z, 5, 1.0), 5, "q1 is the maximum");
  expect_num(aatgs_stats_quantile(z, 5, 1.5), NAN, "p outside [0, 1]");
  expect_num(aatgs_stats_median(z, 0), NAN, "no data");
  expect_num(aatgs_stats_mean(z, 5), 3, "mean");
  expect_num(aatgs_stats_sd(z, 5), sqrt(2.5), "sample sd");
  expect_num(aatgs_stats_sd(z, 1), NAN, "sd of one value");

  int64_t v[1000], got = -1;
  for (int n = 1; n <= 1000; n++) {
    for (int i = 0; i < n; i++)
      v[i] = n - i; /* n .. 1, unsorted */
    cr_assert(aatgs_stats_rank_percentile(v, (size_t)n, 99, &got));
    int64_t want = (99 * n + 99) / 100; /* ceil(0.99 n) of 1..n */
    cr_assert_eq(got, want, "p99 of 1..%d: want %lld, got %lld", n, (long long)want,
                 (long long)got);
  }
  int64_t w[] = {5};
  cr_expect(aatgs_stats_rank_percentile(w, 1, 99, &got) && got == 5);
  cr_expect(!aatgs_stats_rank_percentile(w, 0, 99, &got));
  cr_expect(!aatgs_stats_rank_percentile(w, 1, 0, &got));
  cr_expect(!aatgs_stats_rank_percentile(w, 1, 101, &got));
}

/* n values from a seeded normal with mean mu, sd sd. */
static void normal_sample(double *x, size_t n, uint64_t seed, double mu, double sd) {
  aatgs_rng r;
  aatgs_rng_seed(&r, seed);
  for (size_t i = 0; i < n; i++)
    x[i] = mu + sd * aatgs_rng_normal(&r);
}

static aatgs_interval boot(const double *x, size_t n, aatgs_stat s, uint32_t B, uint64_t seed) {
  aatgs_interval ci;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_stats_bootstrap(x, n, s, B, seed, 0.95, &ci, &err), AATGS_OK, "%s", err.msg);
  return ci;
}

Test(stats, bootstrap_is_deterministic_and_scales_with_the_data) {
  double x[200], y[200], sorted[200];
  normal_sample(x, 200, 7, 100, 10);
  for (aatgs_stat s = AATGS_STAT_MEDIAN; s <= AATGS_STAT_MEAN; s++) {
    aatgs_interval a = boot(x, 30, s, 2000, 42), b = boot(x, 30, s, 2000, 42);
    cr_expect(a.lo == b.lo && a.hi == b.hi, "same data and seed, same interval");
    aatgs_interval c = boot(x, 30, s, 2000, 43);
    cr_expect(c.lo != a.lo || c.hi != a.hi, "another seed, other resamples");
    memcpy(sorted, x, 30 * sizeof *x);
    double est = s == AATGS_STAT_MEAN ? aatgs_stats_mean(x, 30) : aatgs_stats_median(sorted, 30);
    cr_expect(a.lo < est && est < a.hi, "[%g, %g] holds %g", a.lo, a.hi, est);

    /* Scaled and shifted data: the interval scales and shifts with it. */
    for (size_t i = 0; i < 30; i++)
      y[i] = 10 * x[i] + 5;
    aatgs_interval d = boot(y, 30, s, 2000, 42);
    expect_num(d.lo, 10 * a.lo + 5, "scaled lo");
    expect_num(d.hi, 10 * a.hi + 5, "scaled hi");

    /* More runs from the same distribution: a narrower interval. */
    aatgs_interval e = boot(x, 200, s, 2000, 42);
    cr_expect(e.hi - e.lo < 0.6 * (a.hi - a.lo), "n=200 width %g vs n=30 width %g", e.hi - e.lo,
              a.hi - a.lo);
    /* Wider spread: a wider interval. */
    for (size_t i = 0; i < 30; i++)
      y[i] = 100 + 3 * (x[i] - 100);
    aatgs_interval f = boot(y, 30, s, 2000, 42);
    expect_num(f.hi - f.lo, 3 * (a.hi - a.lo), "three times the spread");

    /* Identical values: zero width, exactly the value. */
    double same[5] = {42.5, 42.5, 42.5, 42.5, 42.5};
    aatgs_interval g = boot(same, 5, s, 2000, 1);
    cr_expect(g.lo == 42.5 && g.hi == 42.5, "[%.17g, %.17g]", g.lo, g.hi);
    /* One value: no interval. */
    aatgs_interval h = boot(x, 1, s, 2000, 1);
    cr_expect(isnan(h.lo) && isnan(h.hi));
  }
}

/* The 95% intervals of 400 independent samples of 40 normal values hold the
 * true mean and median about 95% of the time (a binomial 99.9% range around
 * 0.95 for 400 trials is about 0.91 .. 0.98). */
Test(stats, bootstrap_covers_at_about_the_nominal_rate) {
  double x[40];
  int covered[2] = {0, 0};
  const int trials = 400;
  for (int t = 0; t < trials; t++) {
    normal_sample(x, 40, 1000 + (uint64_t)t, 5.0, 2.0);
    for (aatgs_stat s = AATGS_STAT_MEDIAN; s <= AATGS_STAT_MEAN; s++) {
      aatgs_interval ci = boot(x, 40, s, 1000, (uint64_t)t);
      if (ci.lo <= 5.0 && 5.0 <= ci.hi) covered[s]++;
    }
  }
  for (int s = 0; s < 2; s++) {
    double rate = (double)covered[s] / trials;
    cr_expect(rate >= 0.90 && rate <= 0.985, "%s coverage %.3f", s ? "mean" : "median", rate);
  }
}

Test(stats, paired_ratio_removes_the_spread_between_inputs) {
  /* Inputs of very different sizes; the numerator is always twice the
   * denominator of the same input. */
  double den[12], num[12];
  for (int i = 0; i < 12; i++) {
    den[i] = 10.0 * (i + 1) * (i + 1);
    num[i] = 2 * den[i];
  }
  aatgs_interval p, u;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_stats_bootstrap_ratio(num, 12, den, 12, true, 2000, 9, 0.95, &p, &err),
               AATGS_OK, "%s", err.msg);
  cr_expect(p.lo == 2.0 && p.hi == 2.0, "paired: [%g, %g]", p.lo, p.hi);
  cr_assert_eq(aatgs_stats_bootstrap_ratio(num, 12, den, 12, false, 2000, 9, 0.95, &u, &err),
               AATGS_OK);
  cr_expect(u.lo < 1.5 && u.hi > 3.0, "unpaired keeps the spread: [%g, %g]", u.lo, u.hi);
  cr_expect(u.lo <= 2.0 && 2.0 <= u.hi);
  aatgs_interval again;
  cr_assert_eq(aatgs_stats_bootstrap_ratio(num, 12, den, 12, false, 2000, 9, 0.95, &again, &err),
               AATGS_OK);
  cr_expect(again.lo == u.lo && again.hi == u.hi, "deterministic");

  /* Bad arguments give a clear error, never an interval. */
  cr_expect_eq(aatgs_stats_bootstrap_ratio(num, 12, den, 11, true, 2000, 9, 0.95, &p, &err),
               AATGS_EINVAL);
  cr_expect(strstr(err.msg, "paired"), "%s", err.msg);
  cr_expect(isnan(p.lo));
  cr_expect_eq(aatgs_stats_bootstrap(num, 12, AATGS_STAT_MEAN, 0, 9, 0.95, &p, &err), AATGS_EINVAL);
  cr_expect_eq(aatgs_stats_bootstrap(num, 12, AATGS_STAT_MEAN, 100, 9, 1.5, &p, &err),
               AATGS_EINVAL);
  cr_expect(strstr(err.msg, "1.5"), "%s", err.msg);
  /* A side with one value: no interval. */
  cr_assert_eq(aatgs_stats_bootstrap_ratio(num, 1, den, 12, false, 100, 9, 0.95, &p, &err),
               AATGS_OK);
  cr_expect(isnan(p.lo) && isnan(p.hi));
}

/* ------------------------------------------------------ hand-computed values */

Test(report, numbers_match_hand_computed_values) {
  aatgs_report *r = load(NULL);
  cr_assert_eq(r->n_rows, N_GROUPS);
  cr_expect_str_eq(r->baseline, "fifo");
  cr_expect_eq(r->bootstrap, AATGS_REPORT_BOOTSTRAP_DEFAULT);
  /* Sorted by scenario, backend, policy. */
  cr_expect_str_eq(r->rows[0].scenario, "odd,\"name\"");
  cr_expect_str_eq(r->rows[1].backend, "cuda");
  cr_expect_str_eq(r->rows[2].policy, "adaptive");
  cr_expect_str_eq(r->rows[3].policy, "fifo");

  const aatgs_report_row *w = find(r, "s1", "sim", "fifo");
  cr_expect_eq(w->runs, 3);
  cr_expect_eq(w->failed_runs, 1);
  cr_expect_eq(w->interrupted_runs, 0);
  cr_expect(w->is_baseline);
  expect_num(w->makespan_median_ms, 110, "s1 fifo median");
  expect_num(w->makespan_mean_ms, 110, "s1 fifo mean");
  expect_num(w->makespan_sd_ms, 10, "s1 fifo sd");
  expect_num(w->speedup, 1, "s1 fifo speedup");
  expect_num(w->efficiency, 0.5, "s1 fifo efficiency");
  /* Overflows count the failed run too. */
  cr_expect_eq(w->config_overflows, 1 + 7);
  cr_expect_eq(w->telemetry_overflows, 2);
  cr_expect_eq(w->telemetry_evictions, 1);
  /* The baseline against itself: paired, exactly 1. */
  cr_expect_eq(w->speedup_pairing, AATGS_PAIRING_PAIRED);
  cr_expect(w->speedup_ci_lo == 1.0 && w->speedup_ci_hi == 1.0);

  w = find(r, "s1", "sim", "adaptive");
  cr_expect_eq(w->runs, 2);
  cr_expect_eq(w->failed_runs, 1, "the interrupted run");
  cr_expect_eq(w->interrupted_runs, 1);
  cr_expect(!w->is_baseline);
  expect_num(w->makespan_median_ms, 85, "s1 adaptive median");
  expect_num(w->speedup, 110.0 / 85.0, "s1 adaptive speedup");
  expect_num(w->efficiency, (50.0 / 80 + 45.0 / 90) / 2, "s1 adaptive efficiency");
  cr_expect_eq(w->config_overflows, 3);
  cr_expect_eq(w->telemetry_overflows, 4, "from the interrupted run");
  /* 3 fifo runs against 2: they cannot pair one to one. */
  cr_expect_eq(w->speedup_pairing, AATGS_PAIRING_UNPAIRED);
  /* Resampled medians lie in [80, 90] and [100, 120]. */
  cr_expect(w->speedup_ci_lo >= 100.0 / 90 - EPS && w->speedup_ci_hi <= 120.0 / 80 + EPS,
            "[%g, %g]", w->speedup_ci_lo, w->speedup_ci_hi);

  /* Run 11's kernel busy time: 0.5 + 0.3 on stream 0 and 0.25 .. 0.55 on
   * stream 1 (11 % 3 = 2), over 4 kernel streams; the upload stream's task
   * does not count. */
  w = find(r, "odd,\"name\"", "sim", "fifo");
  expect_num(w->stream_util, (0.5 + 0.3 + 0.3) / 4, "kernel util of run 11");

  w = find(r, "s1", "cuda", "adaptive");
  cr_expect_eq(w->runs, 1);
  expect_num(w->makespan_median_ms, 95, "cuda median");
  expect_num(w->makespan_ci_lo_ms, NAN, "no interval of one run");
  expect_num(w->speedup, NAN, "cuda has no fifo baseline");
  cr_expect_eq(w->speedup_pairing, AATGS_PAIRING_NONE);

  w = find(r, "s2", "sim", "heft");
  expect_num(w->makespan_median_ms, 160, "s2 heft median");
  expect_num(w->speedup, 200.0 / 160.0, "s2 heft speedup");
  expect_num(w->speedup_ci_lo, NAN, "one fifo run: no speedup interval");
  cr_expect_eq(w->telemetry_evictions, 5);
  aatgs_report_destroy(r);
}

/* Identical makespans: zero-width intervals; runs that pair by seed give a
 * paired speedup interval. */
Test(report, identical_makespans_and_paired_runs) {
  aatgs_report *r = load(NULL);
  const aatgs_report_row *w = find(r, "same", "sim", "fifo");
  cr_expect_eq(w->runs, 4);
  cr_expect(w->makespan_ci_lo_ms == 50.0 && w->makespan_ci_hi_ms == 50.0, "[%.17g, %.17g]",
            w->makespan_ci_lo_ms, w->makespan_ci_hi_ms);
  cr_expect(w->makespan_mean_ci_lo_ms == 50.0 && w->makespan_mean_ci_hi_ms == 50.0);
  w = find(r, "same", "sim", "sjf");
  expect_num(w->makespan_median_ms, 42.5, "sjf median of 35, 40, 45, 50");
  expect_num(w->speedup, 50.0 / 42.5, "sjf speedup");
  cr_expect_eq(w->speedup_pairing, AATGS_PAIRING_PAIRED);
  cr_expect(w->speedup_ci_lo > 0 && w->speedup_ci_lo <= w->speedup &&
            w->speedup <= w->speedup_ci_hi && w->speedup_ci_hi <= 50.0 / 35.0 + EPS);
  cr_expect(w->makespan_ci_hi_ms - w->makespan_ci_lo_ms > 0, "spread: a real interval");
  aatgs_report_destroy(r);

  /* Bootstrap off: no intervals, same estimates. */
  aatgs_report_options o = {.bootstrap = AATGS_REPORT_NO_BOOTSTRAP};
  r = load(&o);
  cr_expect_eq(r->bootstrap, 0);
  w = find(r, "same", "sim", "sjf");
  expect_num(w->makespan_median_ms, 42.5, "median without bootstrap");
  expect_num(w->speedup, 50.0 / 42.5, "speedup without bootstrap");
  cr_expect(isnan(w->makespan_ci_lo_ms) && isnan(w->speedup_ci_lo));
  aatgs_report_destroy(r);
}

/* --------------------------------------------------------- against SQL */

Test(report, every_number_matches_plain_sql_on_the_sink_database) {
  cr_expect_eq(check_against_sql(g_db), 4, "s1 fifo, s1 adaptive, same fifo, same sjf");
}

Test(report, every_number_matches_plain_sql_on_a_recorded_database) {
  make_real_db();
  cr_expect_eq(check_against_sql(g_real), 6, "2 scenarios x 3 policies");
  /* The recording has what the checks need to be worth something. */
  aatgs_report *r = load_from(g_real, NULL);
  cr_assert_eq(r->n_rows, 6);
  bool overflows = false, tel_util = false;
  for (size_t i = 0; i < r->n_rows; i++) {
    const aatgs_report_row *w = &r->rows[i];
    cr_expect_eq(w->runs, 6);
    /* Decision costs are wall times: only their presence is certain (a
     * loaded machine can put the mean above the p99 with one long stall). */
    cr_expect(w->decisions > 0 && w->decision_p99_ns > 0 && w->decision_mean_ns > 0);
    cr_expect(w->stream_util > 0 && w->stream_util <= 1, "%g", w->stream_util);
    cr_expect(w->efficiency > 0 && w->efficiency <= 1, "%g", w->efficiency);
    /* 3 seeds x 2 reps under every policy: the speedups pair. */
    cr_expect_eq(w->speedup_pairing, AATGS_PAIRING_PAIRED, "%s/%s", w->scenario, w->policy);
    overflows |= w->config_overflows > 0;
    tel_util |= w->telemetry_util_max > 0;
  }
  cr_expect(overflows, "the phase pipeline overflows the config ring");
  cr_expect(tel_util);
  aatgs_report_destroy(r);
}

/* The same group gets the same interval on every load and under any filter:
 * its resamples are seeded from its names. */
Test(report, intervals_do_not_depend_on_the_load_or_the_filters) {
  aatgs_report *a = load(NULL), *b = load(NULL);
  aatgs_report_options o = {.scenario = "s1", .policy = "adaptive", .backend = "sim"};
  aatgs_report *c = load(&o);
  cr_assert_eq(c->n_rows, 1);
  for (size_t i = 0; i < a->n_rows; i++) {
    const aatgs_report_row *x = &a->rows[i], *y = &b->rows[i];
    cr_expect(memcmp(&x->makespan_ci_lo_ms, &y->makespan_ci_lo_ms, sizeof(double)) == 0);
    cr_expect(memcmp(&x->makespan_ci_hi_ms, &y->makespan_ci_hi_ms, sizeof(double)) == 0);
    cr_expect(memcmp(&x->speedup_ci_lo, &y->speedup_ci_lo, sizeof(double)) == 0);
    cr_expect(memcmp(&x->speedup_ci_hi, &y->speedup_ci_hi, sizeof(double)) == 0);
  }
  const aatgs_report_row *x = find(a, "s1", "sim", "adaptive"), *z = &c->rows[0];
  cr_expect(x->makespan_ci_lo_ms == z->makespan_ci_lo_ms &&
            x->makespan_ci_hi_ms == z->makespan_ci_hi_ms && x->speedup_ci_lo == z->speedup_ci_lo &&
            x->speedup_ci_hi == z->speedup_ci_hi);
  aatgs_report_destroy(a);
  aatgs_report_destroy(b);
  aatgs_report_destroy(c);

  /* More resamples, another interval of the same data (and still around it). */
  o = (aatgs_report_options){.bootstrap = 5000};
  a = load(&o);
  cr_expect_eq(a->bootstrap, 5000);
  x = find(a, "same", "sim", "sjf");
  cr_expect(x->makespan_ci_lo_ms <= 42.5 && 42.5 <= x->makespan_ci_hi_ms);
  aatgs_report_destroy(a);
}

/* ---------------------------------------------------------------- formats */

static char *render(const char *db, const aatgs_report_options *o) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_not_null(f);
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_report_run(db, o, f, &err), AATGS_OK, "%s", err.msg);
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

/* A CSV or JSON number field against the row's value: exact round trip. */
static void expect_field(const char *text, double want, const char *what) {
  if (isnan(want)) {
    cr_expect_str_eq(text, "", "%s: want an empty field", what);
    return;
  }
  cr_expect(strtod(text, NULL) == want, "%s: '%s' is not %.17g", what, text, want);
}

Test(report, csv_has_the_fixed_header_and_the_numbers) {
  aatgs_report_options o = {.format = AATGS_REPORT_CSV};
  char *text = render(g_db, &o);
  aatgs_report *r = load(NULL);
  char fields[64][64];
  char *save = NULL;
  char *line = strtok_r(text, "\n", &save);
  cr_assert_not_null(line);
  int ncol = csv_fields(line, fields, 64);
  cr_assert_geq(ncol, (int)N_FIXED);
  cr_expect_eq((size_t)ncol, aatgs_report_column_count());
  for (size_t c = 0; c < N_FIXED; c++)
    cr_expect_str_eq(fields[c], FIXED_COLUMNS[c], "column %zu", c);
  for (int c = 0; c < ncol; c++)
    cr_expect_str_eq(fields[c], aatgs_report_column_name((size_t)c));
  size_t rows = 0;
  while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
    cr_assert_lt(rows, r->n_rows);
    const aatgs_report_row *w = &r->rows[rows];
    cr_expect_eq(csv_fields(line, fields, 64), ncol, "%s", line);
    cr_expect_str_eq(fields[0], w->scenario);
    cr_expect_str_eq(fields[1], w->policy);
    cr_expect_str_eq(fields[2], w->backend);
    cr_expect_eq((uint32_t)atoi(fields[3]), w->runs);
    expect_field(fields[4], w->makespan_median_ms, "median");
    expect_field(fields[5], w->makespan_mean_ms, "mean");
    expect_field(fields[6], w->makespan_ci_lo_ms, "ci lo");
    expect_field(fields[7], w->makespan_ci_hi_ms, "ci hi");
    expect_field(fields[8], w->speedup, "speedup");
    expect_field(fields[9], w->speedup_ci_lo, "speedup lo");
    expect_field(fields[10], w->speedup_ci_hi, "speedup hi");
    expect_field(fields[11], w->efficiency, "efficiency");
    expect_field(fields[12], w->stream_util, "stream util");
    expect_field(fields[13], w->config_util_mean, "config mean");
    expect_field(fields[14], w->config_util_max, "config max");
    expect_field(fields[15], w->telemetry_util_mean, "telemetry mean");
    expect_field(fields[16], w->telemetry_util_max, "telemetry max");
    expect_field(fields[17], w->decision_mean_ns, "decision mean");
    expect_field(fields[18], w->decision_p99_ns, "decision p99");
    cr_expect_eq(strtoull(fields[19], NULL, 10), w->config_overflows);
    cr_expect_eq(strtoull(fields[20], NULL, 10), w->telemetry_overflows);
    cr_expect_eq(strtoull(fields[21], NULL, 10), w->telemetry_evictions);
    cr_expect_eq(strtoull(fields[22], NULL, 10), w->failed_runs);
    rows++;
  }
  cr_expect_eq(rows, r->n_rows);
  aatgs_report_destroy(r);
  free(text);
}

static void expect_json_num(json_t *row, const char *key, double want) {
  json_t *v = json_object_get(row, key);
  cr_assert_not_null(v, "no key %s", key);
  if (isnan(want))
    cr_expect(json_is_null(v), "%s: want null", key);
  else
    cr_expect(json_is_number(v) && json_number_value(v) == want, "%s: want %.17g, got %.17g", key,
              want, json_number_value(v));
}

Test(report, json_parses_and_holds_every_column) {
  aatgs_report_options o = {.format = AATGS_REPORT_JSON};
  char *text = render(g_db, &o);
  json_error_t jerr;
  json_t *root = json_loads(text, 0, &jerr);
  cr_assert_not_null(root, "invalid JSON at %d:%d: %s\n%s", jerr.line, jerr.column, jerr.text,
                     text);
  cr_expect_str_eq(json_string_value(json_object_get(root, "baseline")), "fifo");
  cr_expect_eq(json_integer_value(json_object_get(root, "bootstrap")), 2000);
  cr_expect_eq(json_number_value(json_object_get(root, "level")), 0.95);
  json_t *rows = json_object_get(root, "rows");
  cr_assert(json_is_array(rows));
  aatgs_report *r = load(NULL);
  cr_assert_eq(json_array_size(rows), r->n_rows);
  for (size_t i = 0; i < r->n_rows; i++) {
    json_t *row = json_array_get(rows, i);
    const aatgs_report_row *w = &r->rows[i];
    cr_expect_eq(json_object_size(row), aatgs_report_column_count());
    for (size_t c = 0; c < N_FIXED; c++)
      cr_expect_not_null(json_object_get(row, FIXED_COLUMNS[c]), "key %s", FIXED_COLUMNS[c]);
    cr_expect_str_eq(json_string_value(json_object_get(row, "scenario")), w->scenario);
    cr_expect_str_eq(json_string_value(json_object_get(row, "policy")), w->policy);
    cr_expect_str_eq(json_string_value(json_object_get(row, "backend")), w->backend);
    cr_expect_eq(json_integer_value(json_object_get(row, "runs")), w->runs);
    expect_json_num(row, "makespan_median_ms", w->makespan_median_ms);
    expect_json_num(row, "makespan_mean_ms", w->makespan_mean_ms);
    expect_json_num(row, "makespan_ci_lo_ms", w->makespan_ci_lo_ms);
    expect_json_num(row, "makespan_ci_hi_ms", w->makespan_ci_hi_ms);
    expect_json_num(row, "speedup", w->speedup);
    expect_json_num(row, "speedup_ci_lo", w->speedup_ci_lo);
    expect_json_num(row, "speedup_ci_hi", w->speedup_ci_hi);
    expect_json_num(row, "efficiency", w->efficiency);
    expect_json_num(row, "stream_util", w->stream_util);
    expect_json_num(row, "config_util_mean", w->config_util_mean);
    expect_json_num(row, "config_util_max", w->config_util_max);
    expect_json_num(row, "telemetry_util_mean", w->telemetry_util_mean);
    expect_json_num(row, "telemetry_util_max", w->telemetry_util_max);
    expect_json_num(row, "decision_mean_ns", w->decision_mean_ns);
    expect_json_num(row, "decision_p99_ns", w->decision_p99_ns);
    cr_expect_eq(json_integer_value(json_object_get(row, "config_overflows")),
                 (json_int_t)w->config_overflows);
    cr_expect_eq(json_integer_value(json_object_get(row, "telemetry_overflows")),
                 (json_int_t)w->telemetry_overflows);
    cr_expect_eq(json_integer_value(json_object_get(row, "telemetry_evictions")),
                 (json_int_t)w->telemetry_evictions);
    cr_expect_eq(json_integer_value(json_object_get(row, "failed_runs")),
                 (json_int_t)w->failed_runs);
    cr_expect_eq(json_is_true(json_object_get(row, "baseline")), w->is_baseline);
    json_t *m = json_object_get(row, "speedup_method");
    if (w->speedup_pairing == AATGS_PAIRING_NONE)
      cr_expect(json_is_null(m));
    else
      cr_expect_str_eq(json_string_value(m),
                       w->speedup_pairing == AATGS_PAIRING_PAIRED ? "paired" : "unpaired");
  }
  aatgs_report_destroy(r);
  json_decref(root);
  free(text);
}

static size_t count(const char *s, const char *sub) {
  size_t n = 0;
  for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
    n++;
  return n;
}

Test(report, table_and_markdown_are_aligned_and_narrow) {
  aatgs_report_options o = {.format = AATGS_REPORT_TABLE};
  char *text = render(g_db, &o);
  cr_expect(strstr(text, "scenario") == text, "header first:\n%s", text);
  cr_expect(strstr(text, "median ms") && strstr(text, "95% CI ms") && strstr(text, "fifo *") &&
                strstr(text, "1.294x") && strstr(text, "50.000..50.000"),
            "%s", text);
  cr_expect(strstr(text, "B=2000"), "%s", text);
  /* Header, rule and the rows have one width, narrow enough for a terminal. */
  char *copy = strdup(text);
  char *save = NULL;
  size_t width = 0, lines = 0;
  for (char *line = strtok_r(text, "\n", &save); line && lines < 2 + N_GROUPS;
       line = strtok_r(NULL, "\n", &save), lines++) {
    if (lines == 0) width = strlen(line);
    cr_expect_eq(strlen(line), width, "line %zu: '%s'", lines, line);
  }
  cr_expect_eq(lines, 2 + N_GROUPS);
  cr_expect_leq(width, 145, "every optional column shown: %s", copy);
  free(copy);
  free(text);

  /* One backend and no counters: the table drops those columns and says so. */
  o.backend = "sim";
  o.scenario = "same";
  text = render(g_db, &o);
  cr_expect(strstr(text, "All rows ran on backend sim"), "%s", text);
  cr_expect(strstr(text, "No config overflows, telemetry overflows, telemetry evictions or "
                         "failed runs."),
            "%s", text);
  cr_expect(strncmp(text, "scenario  policy  runs", 22) == 0, "%s", text);
  cr_expect_lt(strchr(text, '\n') - text, 110, "%s", text);
  free(text);

  o = (aatgs_report_options){.format = AATGS_REPORT_MARKDOWN};
  text = render(g_db, &o);
  cr_expect(strstr(text, "fifo \\*"), "%s", text);
  save = NULL;
  lines = 0;
  size_t pipes = 0;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] != '|') break;
    if (lines == 0) pipes = count(line, "|") - count(line, "\\|");
    cr_expect_eq(count(line, "|") - count(line, "\\|"), pipes, "'%s'", line);
    cr_expect_eq(line[strlen(line) - 1], '|');
    lines++;
  }
  cr_expect_eq(lines, 2 + N_GROUPS);
  free(text);
}

Test(report, columns_pick_and_order_any_format) {
  aatgs_report_options o = {.format = AATGS_REPORT_CSV,
                            .columns = "policy, makespan_median_ms,decision_p99_ns,speedup_method"};
  char *text = render(g_db, &o);
  cr_expect(strncmp(text, "policy,makespan_median_ms,decision_p99_ns,speedup_method\n", 57) == 0,
            "%s", text);
  cr_expect(strstr(text, "\nadaptive,85,") != NULL, "%s", text);
  free(text);

  o.format = AATGS_REPORT_TABLE;
  o.columns = "scenario,policy,makespan_ci_lo_ms,makespan_ci_hi_ms,config_util_max";
  o.scenario = "same";
  text = render(g_db, &o);
  cr_expect(strstr(text, "95% CI ms") && strstr(text, "cfg max"), "%s", text);
  cr_expect(strstr(text, "runs") > strchr(text, '\n'), "no runs column: %s", text);
  free(text);

  o.format = AATGS_REPORT_JSON;
  o.columns = "scenario,speedup";
  text = render(g_db, &o);
  json_t *root = json_loads(text, 0, NULL);
  cr_assert_not_null(root, "%s", text);
  json_t *row = json_array_get(json_object_get(root, "rows"), 0);
  cr_expect_eq(json_object_size(row), 2);
  cr_expect_not_null(json_object_get(row, "speedup"));
  json_decref(root);
  free(text);

  aatgs_report *r = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  o.columns = "scenario,makespan_p50";
  cr_expect_eq(aatgs_report_load(g_db, &o, &r, &err), AATGS_EINVAL);
  cr_expect_null(r);
  cr_expect(strstr(err.msg, "makespan_p50"), "%s", err.msg);
}

/* ---------------------------------------------------------------- filters */

static int64_t run_id_of(const char *scenario, const char *policy, uint64_t seed) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_prepare_v2(db,
                                  "SELECT run_id FROM runs WHERE scenario = ?1 AND policy = ?2 "
                                  "AND seed = ?3 AND backend = 'sim'",
                                  -1, &st, NULL),
               SQLITE_OK);
  sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, policy, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, (int64_t)seed);
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
  int64_t id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return id;
}

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

  /* --run: two fifo runs and one adaptive run of s1 (ids and a range). */
  int64_t f1 = run_id_of("s1", "fifo", 1), f2 = run_id_of("s1", "fifo", 2);
  int64_t a2 = run_id_of("s1", "adaptive", 2);
  cr_assert_eq(f2, f1 + 1);
  char ids[64];
  snprintf(ids, sizeof ids, "%lld-%lld, %lld", (long long)f1, (long long)f2, (long long)a2);
  o = (aatgs_report_options){.runs = ids};
  r = load(&o);
  cr_assert_eq(r->n_rows, 2);
  const aatgs_report_row *w = find(r, "s1", "sim", "fifo");
  cr_expect_eq(w->runs, 2);
  expect_num(w->makespan_median_ms, 105, "fifo runs 100, 110");
  cr_expect_eq(w->config_overflows, 1, "the unselected failed run's overflows are out");
  w = find(r, "s1", "sim", "adaptive");
  cr_expect_eq(w->runs, 1);
  expect_num(w->makespan_median_ms, 90, "adaptive run 90");
  expect_num(w->speedup, 105.0 / 90.0, "against the selected fifo runs");
  aatgs_report_destroy(r);

  o = (aatgs_report_options){.scenario = "nothing"};
  r = load(&o);
  cr_expect_eq(r->n_rows, 0);
  aatgs_report_destroy(r);
  o.format = AATGS_REPORT_TABLE;
  char *text = render(g_db, &o);
  cr_expect(strstr(text, "(no runs") != NULL, "%s", text);
  free(text);

  aatgs_err err;
  const char *bad[] = {"3,x", "5-2", "-3", "1,,2", "99999999999999999999"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    aatgs_err_clear(&err);
    o = (aatgs_report_options){.runs = bad[i]};
    r = NULL;
    cr_expect_eq(aatgs_report_load(g_db, &o, &r, &err), AATGS_EINVAL, "%s", bad[i]);
    cr_expect_null(r);
    cr_expect(strstr(err.msg, bad[i]), "the message names the list: %s", err.msg);
  }
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

  aatgs_report_options o = {.bootstrap = AATGS_REPORT_BOOTSTRAP_MAX + 1};
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_report_load(g_db, &o, &r, &err), AATGS_EINVAL);
  cr_expect(strstr(err.msg, "1000001"), "%s", err.msg);
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
}

/* s1/adaptive ran under sim (80, 90 ms: mean 85) and under cuda (95 ms). */
Test(report, sim_against_real_makespan) {
  aatgs_report *r = load(NULL);
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

/* ---------------------------------------------------------- the command */

Test(report, the_command_takes_the_new_flags) {
  char out[65536];
  struct stat st;
  cr_assert_eq(stat(bin(), &st), 0, "the aatgs binary is not at %s (set AATGS_BIN)", bin());
  cr_assert_eq(sh(out, sizeof out, "%s report --db %s --format csv --bootstrap 0 --scenario same",
                  bin(), g_db),
               0, "%s", out);
  /* Bootstrap off: the interval fields are empty. */
  cr_expect(strstr(out, "\nsame,fifo,sim,4,50,50,,,1,,,0.4,"), "%s", out);
  cr_assert_eq(
      sh(out, sizeof out, "%s report --db %s --columns policy,runs --policy sjf", bin(), g_db), 0,
      "%s", out);
  cr_expect(strstr(out, "policy") == out && strstr(out, "sjf"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s report --db %s --bootstrap lots", bin(), g_db), 2, "%s",
               out);
  cr_expect(strstr(out, "--bootstrap 'lots'"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s report --db %s --run 1-x", bin(), g_db), 2, "%s", out);
  cr_expect(strstr(out, "1-x"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s report --db %s --columns nope", bin(), g_db), 2, "%s", out);
  cr_expect(strstr(out, "nope"), "%s", out);
  cr_expect_eq(sh(out, sizeof out, "%s report --db %s --run", bin(), g_db), 2, "%s", out);
  cr_expect(strstr(out, "needs a value"), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s report --help", bin()), 0, "%s", out);
  cr_expect(strstr(out, "telemetry_evictions") && strstr(out, "--bootstrap"), "%s", out);
}
