/* explain.c - the story of one task in one run (see explain.h). */
#include "explain.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct story {
  sqlite3 *db;
  FILE *out;
  aatgs_err *err;
  const char *path;
  int64_t run, graph, task;
  char cls[16];
  int64_t ready_ns, submit_ns, start_ns, end_ns, est_ns;
  int has_event;
} story;

static int db_fail(story *s, const char *what) {
  return aatgs_err_set(s->err, AATGS_EDB, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int prep(story *s, const char *sql, sqlite3_stmt **st) {
  if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
    return db_fail(s, "cannot query (is this an AATGS database of schema version 2?)");
  return AATGS_OK;
}

static const char *col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : "";
}

static void ms(char *buf, size_t cap, int64_t ns) {
  snprintf(buf, cap, "%.3f ms", (double)ns / 1e6);
}

static int run_header(story *s) {
  sqlite3_stmt *st;
  int rc = prep(s,
                "SELECT scenario, policy, backend, seed, rep, graph_id, status, "
                "coalesce(score_doc, ''), makespan_ns, n_streams FROM runs WHERE run_id = ?1",
                &st);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, s->run);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return aatgs_err_set(s->err, AATGS_ENOENT, "%s: no run %lld", s->path, (long long)s->run);
  }
  char mk[32];
  ms(mk, sizeof mk, sqlite3_column_int64(st, 8));
  fprintf(s->out,
          "run %lld: scenario %s, policy %s, backend %s, seed %lld, rep %lld (%s, makespan %s)\n",
          (long long)s->run, col_text(st, 0), col_text(st, 1), col_text(st, 2),
          (long long)sqlite3_column_int64(st, 3), (long long)sqlite3_column_int64(st, 4),
          col_text(st, 6), mk);
  if (*col_text(st, 7)) fprintf(s->out, "  scores: %s\n", col_text(st, 7));
  s->graph = sqlite3_column_int64(st, 5);
  sqlite3_finalize(st);
  return AATGS_OK;
}

/* Resolves the task argument: an id, else a label. */
static int find_task(story *s, const char *arg) {
  sqlite3_stmt *st;
  int numeric = *arg != '\0';
  for (const char *p = arg; *p; p++)
    if (!isdigit((unsigned char)*p)) numeric = 0;
  int rc = prep(s,
                numeric ? "SELECT task_id FROM tasks WHERE graph_id = ?1 AND task_id = ?2"
                        : "SELECT task_id FROM tasks WHERE graph_id = ?1 AND label = ?2",
                &st);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, s->graph);
  if (numeric)
    sqlite3_bind_int64(st, 2, strtoll(arg, NULL, 10));
  else
    sqlite3_bind_text(st, 2, arg, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return aatgs_err_set(s->err, AATGS_ENOENT, "%s: run %lld has no task %s \"%s\"", s->path,
                         (long long)s->run, numeric ? "with id" : "labelled", arg);
  }
  s->task = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return AATGS_OK;
}

static int task_header(story *s) {
  sqlite3_stmt *st;
  int rc = prep(s,
                "SELECT t.est_ns, t.bytes, t.label, tt.name, tt.class FROM tasks t "
                "JOIN task_types tt ON tt.graph_id = t.graph_id AND tt.type_id = t.type "
                "WHERE t.graph_id = ?1 AND t.task_id = ?2",
                &st);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, s->graph);
  sqlite3_bind_int64(st, 2, s->task);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return db_fail(s, "task without a type");
  }
  char est[32];
  s->est_ns = sqlite3_column_int64(st, 0);
  ms(est, sizeof est, s->est_ns);
  snprintf(s->cls, sizeof s->cls, "%s", col_text(st, 4));
  fprintf(s->out, "task %lld", (long long)s->task);
  if (*col_text(st, 2)) fprintf(s->out, " \"%s\"", col_text(st, 2));
  fprintf(s->out, ": type %s (%s), estimate %s", col_text(st, 3), s->cls, est);
  if (sqlite3_column_int64(st, 1))
    fprintf(s->out, ", %lld bytes", (long long)sqlite3_column_int64(st, 1));
  fputc('\n', s->out);
  sqlite3_finalize(st);
  return AATGS_OK;
}

static int task_event(story *s) {
  sqlite3_stmt *st;
  int rc = prep(s,
                "SELECT ready_ns, submit_ns, start_ns, end_ns, status FROM task_events "
                "WHERE run_id = ?1 AND task_id = ?2",
                &st);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, s->run);
  sqlite3_bind_int64(st, 2, s->task);
  if (sqlite3_step(st) == SQLITE_ROW) {
    s->has_event = 1;
    s->ready_ns = sqlite3_column_int64(st, 0);
    s->submit_ns = sqlite3_column_int64(st, 1);
    s->start_ns = sqlite3_column_int64(st, 2);
    s->end_ns = sqlite3_column_int64(st, 3);
  }
  sqlite3_finalize(st);
  return AATGS_OK;
}

static int predecessors(story *s) {
  sqlite3_stmt *st;
  int rc = prep(s,
                "SELECT e.src, coalesce(t.label, ''), ev.end_ns, coalesce(e.bytes, 0) FROM edges e "
                "LEFT JOIN tasks t ON t.graph_id = e.graph_id AND t.task_id = e.src "
                "LEFT JOIN task_events ev ON ev.run_id = ?2 AND ev.task_id = e.src "
                "WHERE e.graph_id = ?1 AND e.dst = ?3 ORDER BY ev.end_ns, e.src",
                &st);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, s->graph);
  sqlite3_bind_int64(st, 2, s->run);
  sqlite3_bind_int64(st, 3, s->task);
  int n = 0;
  char last[160] = "";
  while (sqlite3_step(st) == SQLITE_ROW) {
    char end[32] = "never";
    if (sqlite3_column_type(st, 2) != SQLITE_NULL) ms(end, sizeof end, sqlite3_column_int64(st, 2));
    if (n == 0) fprintf(s->out, "predecessors:\n");
    fprintf(s->out, "  %lld%s%s%s ended %s", (long long)sqlite3_column_int64(st, 0),
            *col_text(st, 1) ? " \"" : "", col_text(st, 1), *col_text(st, 1) ? "\"" : "", end);
    if (sqlite3_column_int64(st, 3))
      fprintf(s->out, " (edge of %lld bytes)", (long long)sqlite3_column_int64(st, 3));
    fputc('\n', s->out);
    snprintf(last, sizeof last, "task %lld", (long long)sqlite3_column_int64(st, 0));
    n++;
  }
  sqlite3_finalize(st);
  if (!s->has_event) return AATGS_OK;
  char rd[32];
  ms(rd, sizeof rd, s->ready_ns);
  if (n == 0)
    fprintf(s->out, "ready     at %s (an entry task: no predecessors)\n", rd);
  else
    fprintf(s->out, "ready     at %s, when its last predecessor (%s) ended\n", rd, last);
  return AATGS_OK;
}

/* Every decision on a stream of the task's class while it waited, up to the
 * one that picked it. */
static int decisions(story *s, uint32_t max_passed) {
  sqlite3_stmt *st;
  int rc =
      prep(s,
           "SELECT d.seq, d.t_ns, d.task_id, s.name, d.priority, d.ready_size, d.est_ns, "
           "  json_array_length(d.candidates), "
           "  (SELECT CAST(j.key AS INTEGER) + 1 FROM json_each(d.candidates) j "
           "   WHERE json_extract(j.value, '$[0]') = ?3), "
           "  (SELECT json_extract(j.value, '$[1]') FROM json_each(d.candidates) j "
           "   WHERE json_extract(j.value, '$[0]') = ?3) "
           "FROM decisions d JOIN streams s ON s.run_id = d.run_id AND s.stream = d.stream "
           "WHERE d.run_id = ?1 AND s.class = ?2 AND d.t_ns >= ?4 AND d.t_ns <= ?5 ORDER BY d.seq",
           &st);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, s->run);
  sqlite3_bind_text(st, 2, s->cls, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, s->task);
  sqlite3_bind_int64(st, 4, s->ready_ns);
  sqlite3_bind_int64(st, 5, s->submit_ns);
  uint64_t passed = 0, listed = 0, ranked = 0;
  int picked = 0;
  char pick_line[512] = "picked    by no recorded decision\n";
  while (!picked && sqlite3_step(st) == SQLITE_ROW) {
    char t[32];
    ms(t, sizeof t, sqlite3_column_int64(st, 1));
    long long seq = sqlite3_column_int64(st, 0), who = sqlite3_column_int64(st, 2);
    int has_cand = sqlite3_column_type(st, 7) != SQLITE_NULL;
    int has_rank = sqlite3_column_type(st, 8) != SQLITE_NULL;
    if (who == s->task) {
      char est[32];
      ms(est, sizeof est, sqlite3_column_int64(st, 6));
      snprintf(pick_line, sizeof pick_line,
               "picked    by decision #%lld at %s for %s: score %.6g, first of %lld ready, "
               "assuming %s\n",
               seq, t, col_text(st, 3), sqlite3_column_double(st, 4),
               (long long)sqlite3_column_int64(st, 5), est);
      picked = 1;
      break;
    }
    if (passed == 0)
      fprintf(s->out, "passed over by these decisions on %s streams while it was ready:\n", s->cls);
    passed++;
    if (has_rank) ranked++;
    if (listed >= max_passed) continue;
    listed++;
    fprintf(s->out, "  #%lld at %s on %s: picked task %lld (score %.6g) among %lld ready; ", seq, t,
            col_text(st, 3), who, sqlite3_column_double(st, 4),
            (long long)sqlite3_column_int64(st, 5));
    if (has_rank)
      fprintf(s->out, "this task ranked %lld (score %.6g)\n",
              (long long)sqlite3_column_int64(st, 8), sqlite3_column_double(st, 9));
    else if (has_cand)
      fprintf(s->out, "this task was not in the top %lld\n",
              (long long)sqlite3_column_int64(st, 7));
    else
      fprintf(s->out, "no candidates recorded\n");
  }
  int step_rc = sqlite3_errcode(s->db);
  sqlite3_finalize(st);
  if (step_rc != SQLITE_OK && step_rc != SQLITE_ROW && step_rc != SQLITE_DONE)
    return db_fail(s, "cannot read decisions");
  if (passed > listed) fprintf(s->out, "  ... %llu more\n", (unsigned long long)(passed - listed));
  if (passed == 0)
    fprintf(s->out, "passed over by no decision: the first free %s stream took it\n", s->cls);
  else
    fprintf(s->out,
            "  (%llu decisions passed it over; it was among their top candidates in %llu)\n",
            (unsigned long long)passed, (unsigned long long)ranked);
  fputs(pick_line, s->out);
  return AATGS_OK;
}

static int execution(story *s) {
  sqlite3_stmt *st;
  int rc = prep(s,
                "SELECT coalesce(s.name, 'stream ' || e.stream), e.status FROM task_events e "
                "LEFT JOIN streams s ON s.run_id = e.run_id AND s.stream = e.stream "
                "WHERE e.run_id = ?1 AND e.task_id = ?2",
                &st);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, s->run);
  sqlite3_bind_int64(st, 2, s->task);
  if (sqlite3_step(st) == SQLITE_ROW) {
    char sub[32], sta[32], end[32], wait[32], ran[32];
    ms(sub, sizeof sub, s->submit_ns);
    ms(sta, sizeof sta, s->start_ns);
    ms(end, sizeof end, s->end_ns);
    ms(wait, sizeof wait, s->submit_ns - s->ready_ns);
    ms(ran, sizeof ran, s->end_ns - s->start_ns);
    fprintf(s->out, "ran       on %s: submitted %s, started %s, ended %s%s\n", col_text(st, 0), sub,
            sta, end, sqlite3_column_int64(st, 1) ? " (FAILED)" : "");
    fprintf(s->out, "          waited %s ready; ran %s, %+.1f%% against its estimate\n", wait, ran,
            s->est_ns ? 100.0 * (double)(s->end_ns - s->start_ns - s->est_ns) / (double)s->est_ns
                      : 0.0);
  }
  sqlite3_finalize(st);
  return AATGS_OK;
}

int aatgs_explain(const char *db_path, const aatgs_explain_options *o, FILE *out, aatgs_err *err) {
  story s;
  memset(&s, 0, sizeof s);
  s.out = out;
  s.err = err;
  s.path = db_path;
  s.run = o->run_id;
  if (sqlite3_open_v2(db_path, &s.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    int rc = aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': %s", db_path,
                           s.db ? sqlite3_errmsg(s.db) : "out of memory");
    sqlite3_close(s.db);
    return rc;
  }
  sqlite3_busy_timeout(s.db, 5000);
  int rc = run_header(&s);
  if (rc == AATGS_OK) rc = find_task(&s, o->task);
  if (rc == AATGS_OK) rc = task_header(&s);
  if (rc == AATGS_OK) rc = task_event(&s);
  if (rc == AATGS_OK) rc = predecessors(&s);
  if (rc == AATGS_OK && s.has_event) rc = decisions(&s, o->max_passed ? o->max_passed : 20);
  if (rc == AATGS_OK && s.has_event) rc = execution(&s);
  if (rc == AATGS_OK && !s.has_event)
    fprintf(out, "the task never ran in this run (it was interrupted or failed first)\n");
  sqlite3_close(s.db);
  return rc;
}
