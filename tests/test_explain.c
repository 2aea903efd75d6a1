/* test_explain.c - decision provenance end to end, through the real binary
 * and a real SQLite file: every decision records its top-k candidates (the
 * first is the task picked), `aatgs explain` tells a task's story with the
 * numbers SQL gives independently, and a schema-1 file is upgraded in place. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sqlite_sink.h"
#include "support/cli.h"

static char dir[64], db[128], yaml[128];

static void setup(void) {
  strcpy(dir, "/tmp/aatgs-explain-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/x.db", dir);
  snprintf(yaml, sizeof yaml, "%s/fj.yaml", dir);
  FILE *f = fopen(yaml, "w");
  cr_assert_not_null(f);
  /* 12 parallel tasks of random sizes on 2 streams: most of them wait. */
  fputs("name: fj\ngenerator: fork_join\n"
        "params: {stages: 2, width: 12, est: {dist: uniform, min: 1ms, max: 9ms}}\n"
        "streams: 2\nseeds: 1\n",
        f);
  fclose(f);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

static int64_t q1(sqlite3 *d, const char *sql) {
  sqlite3_stmt *st;
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
               sqlite3_errmsg(d));
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

TestSuite(explain, .init = setup, .fini = teardown, .timeout = 120);

Test(explain, every_decision_records_its_candidates) {
  char out[8192];
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s", bin(), yaml, db), 0, "%s", out);
  sqlite3 *d;
  cr_assert_eq(sqlite3_open(db, &d), SQLITE_OK);
  cr_assert_eq(q1(d, "SELECT count(*) FROM runs WHERE score_doc IS NULL OR score_doc = ''"), 0);
  /* Every decision lists candidates, the first being the task picked at the
   * recorded score; at most k = 4 (the default) and never more than ready. */
  cr_assert_gt(q1(d, "SELECT count(*) FROM decisions"), 0);
  cr_assert_eq(q1(d, "SELECT count(*) FROM decisions WHERE candidates IS NULL"), 0);
  cr_assert_eq(q1(d, "SELECT count(*) FROM decisions WHERE "
                     "json_extract(candidates, '$[0][0]') != task_id"),
               0);
  cr_assert_eq(q1(d,
                  "SELECT count(*) FROM decisions d JOIN runs r USING (run_id) "
                  "WHERE r.policy NOT IN ('random', 'heft') AND (json_array_length(candidates) > 4 "
                  "OR json_array_length(candidates) > ready_size "
                  "OR json_array_length(candidates) < min(ready_size, 4) "
                  "OR abs(json_extract(candidates, '$[0][1]') - priority) > 1e-9 * "
                  "abs(priority))"),
               0);
  /* Scores are best first. */
  cr_assert_eq(q1(d, "SELECT count(*) FROM decisions d, json_each(d.candidates) a, "
                     "json_each(d.candidates) b WHERE CAST(b.key AS INTEGER) = "
                     "CAST(a.key AS INTEGER) + 1 AND json_extract(b.value, '$[1]') > "
                     "json_extract(a.value, '$[1]')"),
               0);
  sqlite3_close(d);
}

Test(explain, the_story_matches_sql) {
  char out[16384];
  cr_assert_eq(sh(out, sizeof out, "%s run %s --policy critical_path --db %s", bin(), yaml, db), 0,
               "%s", out);
  sqlite3 *d;
  cr_assert_eq(sqlite3_open(db, &d), SQLITE_OK);
  /* The task of the first stage that waited longest. */
  int64_t task = q1(d, "SELECT task_id FROM task_events WHERE task_id BETWEEN 1 AND 12 "
                       "ORDER BY submit_ns - ready_ns DESC, task_id LIMIT 1");
  char sql[1024];
  snprintf(sql, sizeof sql, "SELECT seq FROM decisions WHERE run_id = 1 AND task_id = %lld",
           (long long)task);
  int64_t pick_seq = q1(d, sql);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM decisions d JOIN task_events e ON e.run_id = d.run_id AND "
           "e.task_id = %lld WHERE d.run_id = 1 AND d.stream < 2 AND d.t_ns >= e.ready_ns AND "
           "d.seq < %lld",
           (long long)task, (long long)pick_seq);
  int64_t passed = q1(d, sql);
  cr_assert_gt(passed, 2, "the chosen task waited through several decisions");
  /* Where it ranked, counted from the candidate texts in C, not with JSON SQL. */
  snprintf(sql, sizeof sql,
           "SELECT candidates FROM decisions d JOIN task_events e ON e.run_id = d.run_id AND "
           "e.task_id = %lld WHERE d.run_id = 1 AND d.stream < 2 AND d.t_ns >= e.ready_ns AND "
           "d.seq < %lld",
           (long long)task, (long long)pick_seq);
  sqlite3_stmt *st;
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
  int64_t ranked = 0;
  char needle[32];
  snprintf(needle, sizeof needle, "[%lld,", (long long)task);
  while (sqlite3_step(st) == SQLITE_ROW)
    if (strstr((const char *)sqlite3_column_text(st, 0), needle)) ranked++;
  sqlite3_finalize(st);
  snprintf(sql, sizeof sql, "SELECT stream FROM task_events WHERE run_id = 1 AND task_id = %lld",
           (long long)task);
  int64_t stream = q1(d, sql);
  sqlite3_close(d);

  cr_assert_eq(sh(out, sizeof out, "%s explain --db %s --run 1 --task %lld --max 1000", bin(), db,
                  (long long)task),
               0, "%s", out);
  char want[256];
  snprintf(want, sizeof want,
           "(%lld decisions passed it over; it was among their top candidates in %lld)",
           (long long)passed, (long long)ranked);
  cr_assert(strstr(out, want), "want \"%s\" in:\n%s", want, out);
  snprintf(want, sizeof want, "picked    by decision #%lld ", (long long)pick_seq);
  cr_assert(strstr(out, want), "want \"%s\" in:\n%s", want, out);
  snprintf(want, sizeof want, "ran       on kernel-%lld", (long long)stream);
  cr_assert(strstr(out, want), "want \"%s\" in:\n%s", want, out);
  cr_assert(strstr(out, "policy critical_path"), "%s", out);
  cr_assert(strstr(out, "scores: upward rank"), "%s", out);
  cr_assert(strstr(out, "predecessors:\n  0 "), "the fork task precedes it:\n%s", out);
  /* The listed passing decisions are exactly `passed` lines. */
  int lines = 0;
  for (const char *p = out; (p = strstr(p, "\n  #")) != NULL; p++)
    lines++;
  cr_assert_eq(lines, passed, "%s", out);

  /* By label: the fork_join generator labels nothing, so a label is unknown. */
  cr_assert_eq(sh(out, sizeof out, "%s explain --db %s --run 1 --task nosuch", bin(), db), 1);
  cr_assert(strstr(out, "run 1 has no task labelled \"nosuch\""), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s explain --db %s --run 1 --task 99999", bin(), db), 1);
  cr_assert(strstr(out, "no task with id \"99999\""), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s explain --db %s --run 42 --task 1", bin(), db), 1);
  cr_assert(strstr(out, "no run 42"), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s explain --db %s --run x --task 1", bin(), db), 2);
  cr_assert(strstr(out, "expected a run id"), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s explain --db %s --run 1", bin(), db), 2);
}

Test(explain, candidates_can_be_turned_off_and_limited) {
  char out[8192];
  cr_assert_eq(
      sh(out, sizeof out, "%s run %s --policy sjf --candidates 0 --db %s", bin(), yaml, db), 0,
      "%s", out);
  cr_assert_eq(
      sh(out, sizeof out, "%s run %s --policy sjf --candidates 8 --db %s", bin(), yaml, db), 0,
      "%s", out);
  sqlite3 *d;
  cr_assert_eq(sqlite3_open(db, &d), SQLITE_OK);
  cr_assert_eq(q1(d, "SELECT count(*) FROM decisions WHERE run_id = 1 AND candidates IS NOT NULL"),
               0);
  cr_assert_eq(q1(d, "SELECT max(json_array_length(candidates)) FROM decisions WHERE run_id = 2"),
               8);
  sqlite3_close(d);
  cr_assert_eq(sh(out, sizeof out, "%s explain --db %s --run 1 --task 5", bin(), db), 0, "%s", out);
  cr_assert(strstr(out, "no candidates recorded") || strstr(out, "passed over by no decision"),
            "%s", out);
}

/* Removes a "since version 2" column from the schema text: from its line
 * (col starts with the newline before it) through "since version 2\n", and
 * the comma that ended the column line before it (the first comma there). */
static void strip_column(char *sql, const char *col) {
  char *at = strstr(sql, col);
  cr_assert_not_null(at, "%s", col);
  char *end = strstr(at, "since version 2\n");
  cr_assert_not_null(end);
  end += strlen("since version 2\n");
  char *prev = at - 1;
  while (prev > sql && *prev != '\n')
    prev--;
  char *comma = strchr(prev, ',');
  cr_assert(comma && comma < at);
  *comma = ' ';
  memmove(at + 1, end, strlen(end) + 1); /* keep the newline before the column */
}

Test(explain, a_schema_1_file_is_upgraded_in_place) {
  char out[8192];
  /* A file as version 1 created it: today's schema without the columns
   * version 2 added, marked version 1, with one run in it. */
  char *v1 = strdup(aatgs_sqlite_schema_sql);
  strip_column(v1, "\n  score_doc TEXT");
  strip_column(v1, "\n  candidates TEXT");
  strip_column(v1, "\n  bytes INTEGER                  -- data the edge");
  char *ver = strstr(v1, "('schema_version', '2')");
  cr_assert_not_null(ver);
  ver[20] = '1';
  cr_assert_null(strstr(v1, "since version 2\n"), "%s", v1);
  sqlite3 *d;
  cr_assert_eq(sqlite3_open(db, &d), SQLITE_OK);
  cr_assert_eq(sqlite3_exec(d, v1, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(d));
  cr_assert_eq(sqlite3_exec(d,
                            "INSERT INTO runs (run_id, scenario, policy, backend, status, "
                            "makespan_ns) VALUES (1, 'old', 'fifo', 'sim', 'completed', 5)",
                            NULL, NULL, NULL),
               SQLITE_OK, "%s", sqlite3_errmsg(d));
  sqlite3_close(d);
  free(v1);
  cr_assert_eq(sh(out, sizeof out, "%s run %s --policy heft --db %s", bin(), yaml, db), 0, "%s",
               out);
  cr_assert_eq(sqlite3_open(db, &d), SQLITE_OK);
  cr_assert_eq(q1(d, "SELECT value FROM meta WHERE key = 'schema_version'"), 2);
  cr_assert_eq(q1(d, "SELECT count(*) FROM runs WHERE status = 'completed'"), 2);
  cr_assert_eq(q1(d, "SELECT makespan_ns FROM runs WHERE run_id = 1"), 5);
  cr_assert_eq(q1(d, "SELECT count(*) FROM runs WHERE score_doc IS NOT NULL"), 1);
  cr_assert_gt(q1(d, "SELECT count(*) FROM decisions WHERE run_id = 2"), 0);
  cr_assert_eq(q1(d, "SELECT count(*) FROM decisions WHERE run_id = 2 AND candidates IS NULL"), 0);
  cr_assert_eq(q1(d, "SELECT count(*) FROM edges WHERE bytes IS NULL"), 0);
  sqlite3_close(d);
}
