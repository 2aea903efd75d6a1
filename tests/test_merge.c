/* test_merge.c - `aatgs merge` (traces/merge.h) on real databases written by
 * `aatgs run`: run and row counts add up, graphs are stored once, every run's
 * rows arrive intact under its new id (run_rows and the graphs' edge ranges
 * included), merging again adds nothing, a file is never merged into itself,
 * an unfinished copy is replaced by the finished run, bad inputs (not AATGS,
 * newer schema, locked, a folder) give a clear error naming the file and
 * write nothing, and the report of the merged file is the union's. */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "merge.h"
#include "report.h"
#include "sqlite_sink.h"
#include "support/cli.h"

static char dir[64], a_db[128], b_db[128], m_db[128];

/* Two databases from two different `aatgs run` processes: a holds fork-join
 * under fifo and heft, seeds 1 and 2 (4 runs); b holds fork-join and the
 * phase pipeline under fifo, seed 1 (2 runs; its fork-join graph is a's
 * seed-1 graph). */
static void setup(void) {
  char buf[4096];
  strcpy(dir, "/tmp/aatgs-merge-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(a_db, sizeof a_db, "%s/a.db", dir);
  snprintf(b_db, sizeof b_db, "%s/b.db", dir);
  snprintf(m_db, sizeof m_db, "%s/m.db", dir);
  const char *s = AATGS_SOURCE_DIR "/scenarios/default";
  cr_assert_eq(sh(buf, sizeof buf,
                  "%s run %s/fork-join.yaml --policy fifo,heft --seeds 2 --backend sim --db %s "
                  "--quiet",
                  bin(), s, a_db),
               0, "%s", buf);
  cr_assert_eq(sh(buf, sizeof buf,
                  "%s run %s/fork-join.yaml %s/phase-pipeline.yaml --policy fifo --seeds 1 "
                  "--backend sim --db %s --quiet",
                  bin(), s, s, b_db),
               0, "%s", buf);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(merge, .init = setup, .fini = teardown, .timeout = 120);

static sqlite3 *open_rw(const char *path) {
  sqlite3 *d = NULL;
  cr_assert_eq(sqlite3_open(path, &d), SQLITE_OK);
  sqlite3_busy_timeout(d, 5000);
  return d;
}

static int64_t q1(sqlite3 *d, const char *fmt, ...) {
  char sql[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
               sqlite3_errmsg(d));
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static int64_t count(const char *path, const char *table) {
  sqlite3 *d = open_rw(path);
  int64_t n = q1(d, "SELECT count(*) FROM %s", table);
  sqlite3_close(d);
  return n;
}

static const char *const RUN_TABLES[] = {"decisions",    "task_events", "telemetry", "snapshots",
                                         "ring_samples", "streams",     "run_rows"};
#define N_RUN_TABLES (sizeof RUN_TABLES / sizeof RUN_TABLES[0])

static int merge(const char *out, const char *const *in, size_t n, aatgs_merge_stats *st,
                 aatgs_err *e) {
  aatgs_err_clear(e);
  return aatgs_merge_files(out, in, n, NULL, st, e);
}

/* What identifies a run across files, as SQL over table alias r. */
#define IDENTITY                                                                                   \
  "r.writer_host, r.pid, r.started_at_ns, r.scenario_hash, r.policy, r.seed, r.rep, r.backend"

/* A fingerprint of one run's rows, the same in any file that holds it. */
static const char FINGERPRINT[] =
    "SELECT r.makespan_ns, r.event_hash, r.status, g.hash, g.n_tasks, g.n_edges, "
    " (SELECT count(*) || ':' || sum(task_id) || ':' || sum(start_ns) || ':' || sum(end_ns * "
    "  (task_id + 1)) || ':' || sum(stream * task_id) FROM %s.task_events WHERE run_id = r.run_id),"
    " (SELECT count(*) || ':' || sum(seq * task_id) || ':' || sum(t_ns) || ':' || total(priority) "
    "  FROM %s.decisions WHERE run_id = r.run_id),"
    " (SELECT count(*) || ':' || sum(t_ns) || ':' || group_concat(kind, '') FROM %s.telemetry "
    "  WHERE run_id = r.run_id),"
    " (SELECT count(*) || ':' || sum(t_ns) || ':' || total(gpu_util) FROM %s.snapshots WHERE "
    "  run_id = r.run_id),"
    " (SELECT count(*) || ':' || sum(len) FROM %s.ring_samples WHERE run_id = r.run_id),"
    " (SELECT group_concat(name, ',') FROM (SELECT name FROM %s.streams WHERE run_id = r.run_id "
    "  ORDER BY stream)),"
    " (SELECT count(*) || ':' || sum(src * 7 + dst) FROM %s.edges WHERE graph_id = g.graph_id),"
    " (SELECT count(*) || ':' || sum(est_ns) || ':' || sum(type) FROM %s.tasks WHERE graph_id = "
    "  g.graph_id)"
    " FROM %s.runs r LEFT JOIN %s.graphs g ON g.graph_id = r.graph_id";

/* Every run of schema `src` (attached to d) has exactly one run in main with
 * its identity and the same fingerprint. Returns the runs checked. */
static int64_t check_runs_in(sqlite3 *d, const char *src) {
  char sql[8192], fp_src[4096], fp_main[4096];
  snprintf(fp_src, sizeof fp_src, FINGERPRINT, src, src, src, src, src, src, src, src, src, src);
  snprintf(fp_main, sizeof fp_main, FINGERPRINT, "main", "main", "main", "main", "main", "main",
           "main", "main", "main", "main");
  snprintf(sql, sizeof sql, "SELECT r.run_id, " IDENTITY " FROM %s.runs r", src);
  sqlite3_stmt *runs = NULL;
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &runs, NULL), SQLITE_OK, "%s", sqlite3_errmsg(d));
  int64_t n = 0;
  while (sqlite3_step(runs) == SQLITE_ROW) {
    int64_t src_run = sqlite3_column_int64(runs, 0);
    /* The main run with this identity. */
    sqlite3_stmt *find = NULL;
    cr_assert_eq(sqlite3_prepare_v2(d,
                                    "SELECT run_id FROM main.runs r WHERE r.writer_host IS ?1 AND "
                                    "r.pid IS ?2 AND r.started_at_ns IS ?3 AND r.scenario_hash IS "
                                    "?4 AND r.policy IS ?5 AND r.seed IS ?6 AND r.rep IS ?7 AND "
                                    "r.backend IS ?8",
                                    -1, &find, NULL),
                 SQLITE_OK);
    for (int k = 0; k < 8; k++)
      sqlite3_bind_value(find, k + 1, sqlite3_column_value(runs, k + 1));
    cr_assert_eq(sqlite3_step(find), SQLITE_ROW, "%s run %lld is in the merged file", src,
                 (long long)src_run);
    int64_t main_run = sqlite3_column_int64(find, 0);
    cr_assert_eq(sqlite3_step(find), SQLITE_DONE, "%s run %lld is there once", src,
                 (long long)src_run);
    sqlite3_finalize(find);
    /* Same rows. */
    sqlite3_stmt *x = NULL, *y = NULL;
    snprintf(sql, sizeof sql, "%s WHERE r.run_id = %lld", fp_src, (long long)src_run);
    cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &x, NULL), SQLITE_OK, "%s", sqlite3_errmsg(d));
    snprintf(sql, sizeof sql, "%s WHERE r.run_id = %lld", fp_main, (long long)main_run);
    cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &y, NULL), SQLITE_OK, "%s", sqlite3_errmsg(d));
    cr_assert_eq(sqlite3_step(x), SQLITE_ROW);
    cr_assert_eq(sqlite3_step(y), SQLITE_ROW);
    for (int c = 0; c < sqlite3_column_count(x); c++) {
      const unsigned char *u = sqlite3_column_text(x, c), *v = sqlite3_column_text(y, c);
      cr_assert_str_eq(u ? (const char *)u : "NULL", v ? (const char *)v : "NULL",
                       "%s run %lld -> %lld: column %d differs", src, (long long)src_run,
                       (long long)main_run, c);
    }
    sqlite3_finalize(x);
    sqlite3_finalize(y);
    n++;
  }
  sqlite3_finalize(runs);
  return n;
}

/* run_rows and graphs' edge ranges of the file describe its rows exactly. */
static void check_ranges(const char *path) {
  sqlite3 *d = open_rw(path);
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(d,
                                  "SELECT run_id, tbl, first_rowid, last_rowid, rows FROM run_rows",
                                  -1, &st, NULL),
               SQLITE_OK);
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t run = sqlite3_column_int64(st, 0), lo = sqlite3_column_int64(st, 2),
            hi = sqlite3_column_int64(st, 3), rows = sqlite3_column_int64(st, 4);
    const char *tbl = (const char *)sqlite3_column_text(st, 1);
    cr_assert_eq(q1(d,
                    "SELECT count(*) FROM %s WHERE run_id = %lld AND rowid BETWEEN %lld AND %lld",
                    tbl, (long long)run, (long long)lo, (long long)hi),
                 rows, "%s: run %lld in %s", path, (long long)run, tbl);
    cr_assert_eq(q1(d, "SELECT count(*) FROM %s WHERE run_id = %lld", tbl, (long long)run), rows,
                 "%s: all of run %lld's rows of %s lie in its range", path, (long long)run, tbl);
    n++;
  }
  sqlite3_finalize(st);
  cr_assert_gt(n, 0);
  cr_assert_eq(q1(d, "SELECT count(*) FROM graphs g WHERE n_edges != (SELECT count(*) FROM edges e "
                     "WHERE e.graph_id = g.graph_id AND e.rowid BETWEEN g.edges_first_rowid AND "
                     "g.edges_last_rowid)"),
               0, "%s: every graph's edges lie in its range", path);
  cr_assert_eq(q1(d, "SELECT count(*) FROM graphs g WHERE complete != 1 OR n_tasks != (SELECT "
                     "count(*) FROM tasks t WHERE t.graph_id = g.graph_id)"),
               0);
  sqlite3_close(d);
}

Test(merge, counts_add_graphs_once_rows_intact_and_merging_again_adds_nothing) {
  aatgs_merge_stats st[2];
  aatgs_err e;
  const char *in[] = {a_db, b_db};
  cr_assert_eq(merge(m_db, in, 2, st, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(st[0].runs_in, 4);
  cr_assert_eq(st[0].runs_added, 4);
  cr_assert_eq(st[0].graphs_added, 2);
  cr_assert_eq(st[1].runs_in, 2);
  cr_assert_eq(st[1].runs_added, 2);
  cr_assert_eq(st[1].graphs_added, 1, "the phase pipeline's graph");
  cr_assert_eq(st[1].graphs_reused, 1, "b's fork-join graph is a's seed-1 graph");

  cr_assert_eq(count(m_db, "runs"), count(a_db, "runs") + count(b_db, "runs"));
  for (size_t i = 0; i < N_RUN_TABLES; i++)
    cr_assert_eq(count(m_db, RUN_TABLES[i]),
                 count(a_db, RUN_TABLES[i]) + count(b_db, RUN_TABLES[i]), "%s rows add up",
                 RUN_TABLES[i]);
  sqlite3 *d = open_rw(m_db);
  char sql[512];
  snprintf(sql, sizeof sql, "ATTACH '%s' AS a; ATTACH '%s' AS b;", a_db, b_db);
  cr_assert_eq(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
  cr_assert_eq(q1(d, "SELECT count(*) FROM main.graphs"),
               q1(d, "SELECT count(*) FROM (SELECT hash FROM a.graphs UNION SELECT hash FROM "
                     "b.graphs)"),
               "one graph per distinct hash");
  int64_t shared_tasks = q1(d, "SELECT n_tasks FROM b.graphs WHERE hash IN (SELECT hash FROM "
                               "a.graphs)");
  cr_assert_eq(q1(d, "SELECT count(*) FROM main.tasks"),
               q1(d, "SELECT (SELECT count(*) FROM a.tasks) + (SELECT count(*) FROM b.tasks)") -
                   shared_tasks);
  cr_assert_eq(check_runs_in(d, "a"), 4);
  cr_assert_eq(check_runs_in(d, "b"), 2);
  /* Makespans per run: the merged file's are exactly the union's. */
  cr_assert_eq(q1(d, "SELECT count(*) FROM (SELECT " IDENTITY ", r.makespan_ns FROM main.runs r "
                     "EXCEPT SELECT * FROM (SELECT " IDENTITY ", r.makespan_ns FROM a.runs r UNION "
                     "ALL SELECT " IDENTITY ", r.makespan_ns FROM b.runs r))"),
               0);
  cr_assert_eq(q1(d, "SELECT count(*) FROM (SELECT " IDENTITY ", r.makespan_ns FROM a.runs r UNION "
                     "ALL SELECT " IDENTITY ", r.makespan_ns FROM b.runs r EXCEPT SELECT " IDENTITY
                     ", r.makespan_ns FROM main.runs r)"),
               0);
  sqlite3_close(d);
  check_ranges(m_db);

  /* Again, in the other order and twice in one call: nothing is added. */
  const char *again[] = {b_db, a_db, a_db};
  aatgs_merge_stats st2[3];
  cr_assert_eq(merge(m_db, again, 3, st2, &e), AATGS_OK, "%s", e.msg);
  for (int i = 0; i < 3; i++) {
    cr_assert_eq(st2[i].runs_added + st2[i].runs_replaced, 0);
    cr_assert_eq(st2[i].runs_present, st2[i].runs_in);
    cr_assert_eq(st2[i].rows_added, 0);
    cr_assert_eq(st2[i].graphs_added, 0);
  }
  cr_assert_eq(count(m_db, "runs"), 6);
  cr_assert_eq(count(m_db, "graphs"), 3);
  for (size_t i = 0; i < N_RUN_TABLES; i++)
    cr_assert_eq(count(m_db, RUN_TABLES[i]),
                 count(a_db, RUN_TABLES[i]) + count(b_db, RUN_TABLES[i]), "%s unchanged",
                 RUN_TABLES[i]);
  /* The inputs were only read. */
  cr_assert_eq(count(a_db, "runs"), 4);
  cr_assert_eq(count(b_db, "runs"), 2);
}

Test(merge, report_of_merged_file_is_the_union) {
  aatgs_err e;
  const char *in[] = {a_db, b_db};
  cr_assert_eq(merge(m_db, in, 2, NULL, &e), AATGS_OK, "%s", e.msg);
  aatgs_report *rm = NULL, *ra = NULL, *rb = NULL;
  aatgs_report_options o;
  memset(&o, 0, sizeof o);
  cr_assert_eq(aatgs_report_load(m_db, &o, &rm, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_report_load(a_db, &o, &ra, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_report_load(b_db, &o, &rb, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(rm->n_rows, 3, "fork-join/fifo, fork-join/heft, phase-pipeline/fifo");
  for (size_t i = 0; i < rm->n_rows; i++) {
    const aatgs_report_row *r = &rm->rows[i];
    uint32_t runs = 0;
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    const aatgs_report *parts[] = {ra, rb};
    for (int p = 0; p < 2; p++)
      for (size_t k = 0; k < parts[p]->n_rows; k++) {
        const aatgs_report_row *q = &parts[p]->rows[k];
        if (strcmp(q->scenario, r->scenario) || strcmp(q->policy, r->policy) ||
            strcmp(q->backend, r->backend))
          continue;
        runs += q->runs;
        sum += q->makespan_mean_ms * q->runs;
        lo = fmin(lo, q->makespan_min_ms);
        hi = fmax(hi, q->makespan_max_ms);
      }
    cr_assert_eq(r->runs, runs, "%s/%s: runs of the union", r->scenario, r->policy);
    cr_assert_float_eq(r->makespan_mean_ms, sum / runs, 1e-9 * r->makespan_mean_ms,
                       "%s/%s: mean of the union", r->scenario, r->policy);
    cr_assert_eq(r->makespan_min_ms, lo, "%s/%s: min of the union", r->scenario, r->policy);
    cr_assert_eq(r->makespan_max_ms, hi, "%s/%s: max of the union", r->scenario, r->policy);
  }
  aatgs_report_destroy(rm);
  aatgs_report_destroy(ra);
  aatgs_report_destroy(rb);
}

Test(merge, a_file_is_never_merged_into_itself) {
  aatgs_err e;
  const char *in[] = {a_db};
  cr_assert_eq(merge(a_db, in, 1, NULL, &e), AATGS_EINVAL);
  cr_assert(strstr(e.msg, "into itself") && strstr(e.msg, a_db), "%s", e.msg);
  char other[160];
  snprintf(other, sizeof other, "%s/./a.db", dir);
  const char *in2[] = {b_db, other};
  cr_assert_eq(merge(a_db, in2, 2, NULL, &e), AATGS_EINVAL, "the same file by another path");
  cr_assert(strstr(e.msg, "into itself"), "%s", e.msg);
  cr_assert_eq(count(a_db, "runs"), 4, "checked before anything is written: b was not merged");
  char buf[4096];
  cr_assert_eq(sh(buf, sizeof buf, "%s merge %s %s", bin(), a_db, a_db), 1, "%s", buf);
  cr_assert(strstr(buf, "into itself"), "%s", buf);
}

Test(merge, bad_inputs_are_clear_errors_naming_the_file_and_write_nothing) {
  aatgs_err e;
  char text[160], plain[160], newer[160], cmd[512];
  /* Not a database at all. */
  snprintf(text, sizeof text, "%s/notes.txt", dir);
  FILE *f = fopen(text, "w");
  fputs("runs: none\n", f);
  fclose(f);
  const char *in1[] = {a_db, text};
  cr_assert_eq(merge(m_db, in1, 2, NULL, &e), AATGS_EDB);
  cr_assert(strstr(e.msg, "not an AATGS database") && strstr(e.msg, text), "%s", e.msg);
  cr_assert_neq(access(m_db, F_OK), 0, "no output is created when an input is bad");
  /* An SQLite database of something else. */
  snprintf(plain, sizeof plain, "%s/plain.db", dir);
  sqlite3 *d = open_rw(plain);
  cr_assert_eq(
      sqlite3_exec(d, "CREATE TABLE runs (x); INSERT INTO runs VALUES (1);", NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(d);
  const char *in2[] = {plain};
  cr_assert_eq(merge(m_db, in2, 1, NULL, &e), AATGS_EDB);
  cr_assert(strstr(e.msg, "not an AATGS database (no meta table)") && strstr(e.msg, plain), "%s",
            e.msg);
  /* A newer schema. */
  snprintf(newer, sizeof newer, "%s/newer.db", dir);
  snprintf(cmd, sizeof cmd, "cp %s %s", a_db, newer);
  cr_assert_eq(system(cmd), 0);
  d = open_rw(newer);
  cr_assert_eq(sqlite3_exec(d, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", NULL,
                            NULL, NULL),
               SQLITE_OK);
  sqlite3_close(d);
  const char *in3[] = {newer};
  cr_assert_eq(merge(m_db, in3, 1, NULL, &e), AATGS_EDB);
  cr_assert(strstr(e.msg, "schema version 99, newer than this build's") && strstr(e.msg, newer),
            "%s", e.msg);
  /* Missing, and a folder. */
  const char *in4[] = {"/nonexistent/x.db"};
  cr_assert_eq(merge(m_db, in4, 1, NULL, &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, "/nonexistent/x.db"), "%s", e.msg);
  const char *in5[] = {dir};
  cr_assert_eq(merge(m_db, in5, 1, NULL, &e), AATGS_EIO);
  cr_assert(strstr(e.msg, dir) && strstr(e.msg, "directory"), "%s", e.msg);
  cr_assert_neq(access(m_db, F_OK), 0);
  /* Through the command: exit status 1, the message, usage errors 2. */
  char buf[4096];
  cr_assert_eq(sh(buf, sizeof buf, "%s merge %s %s", bin(), m_db, text), 1, "%s", buf);
  cr_assert(strstr(buf, "not an AATGS database") && strstr(buf, text), "%s", buf);
  cr_assert_eq(sh(buf, sizeof buf, "%s merge %s", bin(), m_db), 2, "%s", buf);
  cr_assert_eq(sh(buf, sizeof buf, "%s merge --frobnicate %s %s", bin(), m_db, a_db), 2, "%s", buf);
  cr_assert_neq(access(m_db, F_OK), 0);
}

Test(merge, locked_input_names_the_file) {
  char locked[160], cmd[512];
  snprintf(locked, sizeof locked, "%s/locked.db", dir);
  snprintf(cmd, sizeof cmd, "cp %s %s", a_db, locked);
  cr_assert_eq(system(cmd), 0);
  /* Another connection holds the file exclusively. */
  sqlite3 *d = open_rw(locked);
  cr_assert_eq(sqlite3_exec(d,
                            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE meta SET "
                            "value = value WHERE key = 'created_by';",
                            NULL, NULL, NULL),
               SQLITE_OK, "%s", sqlite3_errmsg(d));
  aatgs_merge_options o = {.busy_timeout_ms = 100};
  aatgs_err e;
  aatgs_err_clear(&e);
  const char *in[] = {b_db, locked};
  cr_assert_eq(aatgs_merge_files(m_db, in, 2, &o, NULL, &e), AATGS_EDB);
  cr_assert(strstr(e.msg, locked) && strstr(e.msg, "locked"), "%s", e.msg);
  cr_assert_neq(access(m_db, F_OK), 0, "nothing was merged");
  sqlite3_exec(d, "COMMIT", NULL, NULL, NULL);
  sqlite3_close(d);
  aatgs_err_clear(&e);
  cr_assert_eq(aatgs_merge_files(m_db, in, 2, &o, NULL, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(count(m_db, "runs"), 6, "once released it merges");
}

Test(merge, an_unfinished_copy_is_replaced_by_the_finished_run) {
  /* c: a snapshot of a taken while its first run was still being written. */
  char c_db[160], cmd[512];
  snprintf(c_db, sizeof c_db, "%s/c.db", dir);
  snprintf(cmd, sizeof cmd, "cp %s %s", a_db, c_db);
  cr_assert_eq(system(cmd), 0);
  sqlite3 *d = open_rw(c_db);
  cr_assert_eq(sqlite3_exec(d,
                            "UPDATE runs SET status = 'running', ended_at_ns = NULL, makespan_ns = "
                            "NULL WHERE run_id = 1;"
                            "DELETE FROM task_events WHERE run_id = 1 AND task_id % 2 = 1;"
                            "DELETE FROM decisions WHERE run_id = 1 AND seq > 100;"
                            "UPDATE run_rows SET rows = (SELECT count(*) FROM task_events WHERE "
                            "run_id = 1) WHERE run_id = 1 AND tbl = 'task_events';"
                            "UPDATE run_rows SET rows = 101 WHERE run_id = 1 AND tbl = "
                            "'decisions';",
                            NULL, NULL, NULL),
               SQLITE_OK, "%s", sqlite3_errmsg(d));
  sqlite3_close(d);
  aatgs_err e;
  aatgs_merge_stats st[2];
  const char *in1[] = {c_db};
  cr_assert_eq(merge(m_db, in1, 1, st, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(st[0].runs_added, 4);
  d = open_rw(m_db);
  int64_t run = q1(d, "SELECT run_id FROM runs WHERE status = 'running'");
  sqlite3_close(d);
  /* Merging the unfinished snapshot again changes nothing; the finished file
   * replaces that one run and leaves the three others. */
  const char *in2[] = {c_db, a_db};
  cr_assert_eq(merge(m_db, in2, 2, st, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(st[0].runs_present, 4);
  cr_assert_eq(st[0].rows_added, 0);
  cr_assert_eq(st[1].runs_replaced, 1);
  cr_assert_eq(st[1].runs_present, 3);
  cr_assert_eq(st[1].runs_added, 0);
  cr_assert_eq(count(m_db, "runs"), 4);
  for (size_t i = 0; i < N_RUN_TABLES; i++)
    cr_assert_eq(count(m_db, RUN_TABLES[i]), count(a_db, RUN_TABLES[i]), "%s: a's rows exactly",
                 RUN_TABLES[i]);
  d = open_rw(m_db);
  cr_assert_eq(q1(d, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
  cr_assert_eq(q1(d, "SELECT count(*) FROM runs WHERE run_id = %lld AND status = 'completed'",
                  (long long)run),
               1, "replaced under the same run_id");
  char sql[256];
  snprintf(sql, sizeof sql, "ATTACH '%s' AS a", a_db);
  cr_assert_eq(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
  cr_assert_eq(check_runs_in(d, "a"), 4);
  sqlite3_close(d);
  check_ranges(m_db);
}

/* An input of an older schema version (fewer columns) merges; the output is
 * of this build's version, the missing columns NULL. */
Test(merge, an_older_schema_merges) {
  char old_db[160], cmd[512];
  snprintf(old_db, sizeof old_db, "%s/old.db", dir);
  snprintf(cmd, sizeof cmd, "cp %s %s", a_db, old_db);
  cr_assert_eq(system(cmd), 0);
  sqlite3 *d = open_rw(old_db);
  /* Version 1 had none of the columns marked "since version 2". ALTER TABLE
   * DROP COLUMN cannot edit this schema's commented CREATE statements, so
   * each table is rebuilt without the column (rows in rowid order keep their
   * rowids: the files are append-only, without gaps). */
  static const char *const v2[][2] = {
      {"runs", "score_doc"}, {"decisions", "candidates"}, {"edges", "bytes"}};
  int dropped = 0;
  cr_assert_eq(sqlite3_exec(d,
                            "DROP VIEW run_summary; DROP VIEW policy_summary; DROP VIEW "
                            "task_timeline;",
                            NULL, NULL, NULL),
               SQLITE_OK, "%s", sqlite3_errmsg(d));
  for (int i = 0; i < 3; i++) {
    if (!q1(d, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'", v2[i][0],
            v2[i][1]))
      continue;
    char cols[1024] = "", sql[2048];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s') WHERE name != '%s'",
             v2[i][0], v2[i][1]);
    cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      if (*cols) strcat(cols, ", ");
      strcat(cols, (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql,
             "CREATE TABLE old_t AS SELECT %s FROM %s ORDER BY rowid; DROP TABLE %s; ALTER TABLE "
             "old_t RENAME TO %s;",
             cols, v2[i][0], v2[i][0], v2[i][0]);
    cr_assert_eq(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(d));
    dropped++;
  }
  cr_assert_eq(
      sqlite3_exec(d, "UPDATE meta SET value = '1' WHERE key = 'schema_version'", NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(d);
  aatgs_err e;
  const char *in[] = {old_db, b_db};
  cr_assert_eq(merge(m_db, in, 2, NULL, &e), AATGS_OK, "%s", e.msg);
  d = open_rw(m_db);
  cr_assert_eq(q1(d, "SELECT value FROM meta WHERE key = 'schema_version'"),
               AATGS_SQLITE_SCHEMA_VERSION);
  cr_assert_eq(q1(d, "SELECT count(*) FROM runs"), 6);
  char sql[256];
  snprintf(sql, sizeof sql, "ATTACH '%s' AS o", old_db);
  cr_assert_eq(sqlite3_exec(d, sql, NULL, NULL, NULL), SQLITE_OK);
  cr_assert_eq(check_runs_in(d, "o"), 4);
  if (dropped == 3)
    cr_assert_eq(q1(d, "SELECT count(*) FROM decisions d JOIN runs r ON r.run_id = d.run_id "
                       "WHERE r.scenario = 'fork-join' AND r.pid = (SELECT pid FROM o.runs LIMIT "
                       "1) AND d.candidates IS NOT NULL"),
                 0, "columns the input lacks are NULL");
  sqlite3_close(d);
  for (size_t i = 0; i < N_RUN_TABLES; i++)
    cr_assert_eq(count(m_db, RUN_TABLES[i]),
                 count(old_db, RUN_TABLES[i]) + count(b_db, RUN_TABLES[i]), "%s", RUN_TABLES[i]);
}

Test(merge, command_prints_what_it_did) {
  char buf[4096];
  cr_assert_eq(sh(buf, sizeof buf, "%s merge %s %s %s", bin(), m_db, a_db, b_db), 0, "%s", buf);
  cr_assert(strstr(buf, "4 runs: 4 added, 0 replaced, 0 already present"), "%s", buf);
  cr_assert(strstr(buf, "6 runs added, 0 already present"), "%s", buf);
  cr_assert_eq(sh(buf, sizeof buf, "%s merge %s %s", bin(), m_db, b_db), 0, "%s", buf);
  cr_assert(strstr(buf, "0 runs added, 2 already present"), "%s", buf);
  /* The merged file is a normal database: report and trace read it. */
  cr_assert_eq(sh(buf, sizeof buf, "%s report --db %s --format csv", bin(), m_db), 0, "%s", buf);
  cr_assert(strstr(buf, "phase-pipeline"), "%s", buf);
  cr_assert_eq(sh(buf, sizeof buf, "%s trace --db %s --run 6 --out %s/t.json", bin(), m_db, dir), 0,
               "%s", buf);
  cr_assert(strstr(buf, "4820 tasks, 4952 dependency arrows"), "%s", buf);
}
