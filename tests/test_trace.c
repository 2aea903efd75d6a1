/* test_trace.c - `aatgs trace` (analysis/trace.h): a real scenario is run
 * into a real database with the aatgs command, one run is written as
 * Chrome/Perfetto trace JSON, and the JSON (parsed with jansson) is checked
 * against the database: every task exactly once as an X event with its exact
 * start and end, no two X events of one track overlapping, one flow per edge
 * of the graph from the parent's end to the child's start, named tracks per
 * stream in stream order, the decision in each task's args, the counters. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/cli.h"
#include "trace.h"

static char dir[64], db[128], out[160];

/* The report's six-phase pipeline (config uploads, kernels, telemetry
 * downloads, 4820 tasks) under fifo and heft, seed 1, simulated. */
static void setup(void) {
  char buf[4096];
  strcpy(dir, "/tmp/aatgs-trace-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(db, sizeof db, "%s/t.db", dir);
  snprintf(out, sizeof out, "%s/t.json", dir);
  cr_assert_eq(sh(buf, sizeof buf,
                  "%s run %s/scenarios/default/phase-pipeline.yaml --policy fifo,heft --seeds 1 "
                  "--backend sim --db %s --quiet",
                  bin(), AATGS_SOURCE_DIR, db),
               0, "%s", buf);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(trace, .init = setup, .fini = teardown, .timeout = 120);

static int64_t q1(sqlite3 *d, const char *sql) {
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
               sqlite3_errmsg(d));
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Trace timestamps are microseconds with nanosecond precision. */
static int64_t ns(const json_t *v) {
  cr_assert(json_is_number(v), "ts/dur is a number");
  return llround(json_number_value(v) * 1000.0);
}

typedef struct span {
  int64_t tid, a, b; /* track, start, end (ns) */
} span;

static int cmp_span(const void *x, const void *y) {
  const span *p = x, *q = y;
  if (p->tid != q->tid) return p->tid < q->tid ? -1 : 1;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return (p->b > q->b) - (p->b < q->b);
}

typedef struct flow {
  int64_t s_tid, s_ts, f_tid, f_ts;
} flow;

static int cmp_flow(const void *x, const void *y) {
  const int64_t *p = x, *q = y;
  for (int i = 0; i < 4; i++)
    if (p[i] != q[i]) return p[i] < q[i] ? -1 : 1;
  return 0;
}

Test(trace, every_task_once_exact_times_no_overlap_one_flow_per_edge) {
  sqlite3 *d = NULL;
  cr_assert_eq(sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  int64_t run = q1(d, "SELECT run_id FROM runs WHERE policy = 'heft'");
  int64_t n_tasks = q1(d, "SELECT n_tasks FROM runs WHERE policy = 'heft'");
  cr_assert_eq(n_tasks, 4820);

  aatgs_trace_stats st;
  aatgs_err e;
  aatgs_err_clear(&e);
  cr_assert_eq(aatgs_trace_export(db, run, out, &st, &e), AATGS_OK, "%s", e.msg);

  /* The file is one JSON object whose first key is traceEvents (what
   * Perfetto's and Chrome's importers look for first). */
  FILE *f = fopen(out, "r");
  char head[17] = {0};
  cr_assert_eq(fread(head, 1, 16, f), 16);
  fclose(f);
  cr_assert_str_eq(head, "{\"traceEvents\":[");
  json_error_t je;
  json_t *root = json_load_file(out, 0, &je);
  cr_assert_not_null(root, "invalid JSON at line %d: %s", je.line, je.text);
  json_t *evs = json_object_get(root, "traceEvents");
  cr_assert(json_is_array(evs));
  cr_assert_eq(json_integer_value(json_object_get(json_object_get(root, "otherData"), "run_id")),
               run);

  /* Database truth, per task. */
  int64_t *start = calloc((size_t)n_tasks, sizeof *start), *end = calloc((size_t)n_tasks, 8),
          *stream = calloc((size_t)n_tasks, 8), *seq = calloc((size_t)n_tasks, 8);
  int *seen = calloc((size_t)n_tasks, sizeof *seen);
  sqlite3_stmt *q = NULL;
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT e.task_id, e.stream, e.start_ns, e.end_ns, d.seq FROM task_events e JOIN "
           "decisions d ON d.run_id = e.run_id AND d.task_id = e.task_id WHERE e.run_id = %lld",
           (long long)run);
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &q, NULL), SQLITE_OK);
  int64_t rows = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    int64_t t = sqlite3_column_int64(q, 0);
    stream[t] = sqlite3_column_int64(q, 1);
    start[t] = sqlite3_column_int64(q, 2);
    end[t] = sqlite3_column_int64(q, 3);
    seq[t] = sqlite3_column_int64(q, 4);
    rows++;
  }
  sqlite3_finalize(q);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM task_events WHERE run_id = %lld", (long long)run);
  cr_assert_eq(rows, q1(d, sql), "one decision per task event");
  cr_assert_eq(rows, n_tasks);

  /* Tracks: thread_name per stream, tids in stream order, names as in streams. */
  int64_t tid_of_stream[64];
  int n_streams = 0;
  snprintf(sql, sizeof sql, "SELECT stream, name FROM streams WHERE run_id = %lld ORDER BY stream",
           (long long)run);
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &q, NULL), SQLITE_OK);
  const char *names[64];
  char name_buf[64][64];
  while (sqlite3_step(q) == SQLITE_ROW) {
    cr_assert_eq(sqlite3_column_int64(q, 0), n_streams, "streams are 0..n-1");
    snprintf(name_buf[n_streams], 64, "%s", (const char *)sqlite3_column_text(q, 1));
    names[n_streams] = name_buf[n_streams];
    tid_of_stream[n_streams] = -1;
    n_streams++;
  }
  sqlite3_finalize(q);
  cr_assert_eq(n_streams, 6, "4 kernel streams, config-upload, telemetry-download");
  cr_assert_str_eq(names[4], "config-upload");
  cr_assert_str_eq(names[5], "telemetry-download");

  size_t n_ev = json_array_size(evs), n_x = 0, n_spans = 0, n_s = 0, n_f = 0;
  span *spans = calloc(n_ev, sizeof *spans);
  flow *flows = calloc(n_ev, sizeof *flows);
  int64_t pid = -1;
  json_t *ev;
  size_t i;
  /* First pass: metadata. */
  json_array_foreach(evs, i, ev) {
    const char *ph = json_string_value(json_object_get(ev, "ph"));
    const char *nm = json_string_value(json_object_get(ev, "name"));
    cr_assert_not_null(ph);
    cr_assert_not_null(nm);
    cr_assert(json_is_integer(json_object_get(ev, "pid")));
    if (pid < 0) pid = json_integer_value(json_object_get(ev, "pid"));
    cr_assert_eq(json_integer_value(json_object_get(ev, "pid")), pid, "one process per run");
    if (strcmp(ph, "M") != 0) cr_assert(json_is_number(json_object_get(ev, "ts")), "%s has ts", nm);
    if (!strcmp(ph, "M") && !strcmp(nm, "thread_name")) {
      const char *tn = json_string_value(json_object_get(json_object_get(ev, "args"), "name"));
      int k = 0;
      while (k < n_streams && strcmp(names[k], tn))
        k++;
      cr_assert_lt(k, n_streams, "track '%s' is a stream of the run", tn);
      cr_assert_eq(tid_of_stream[k], -1, "one track per stream");
      tid_of_stream[k] = json_integer_value(json_object_get(ev, "tid"));
      cr_assert_neq(tid_of_stream[k], pid, "no track is mistaken for the main thread");
    }
  }
  cr_assert_eq(pid, run);
  for (int k = 0; k < n_streams; k++) {
    cr_assert_geq(tid_of_stream[k], 0, "stream %s has a named track", names[k]);
    if (k) cr_assert_gt(tid_of_stream[k], tid_of_stream[k - 1], "tracks sorted by stream id");
  }

  /* Second pass: slices and flows. */
  int64_t s_ts[8192], f_ts[8192], s_tid[8192], f_tid[8192];
  int s_n[8192] = {0}, f_n[8192] = {0};
  json_array_foreach(evs, i, ev) {
    const char *ph = json_string_value(json_object_get(ev, "ph"));
    int64_t tid = json_integer_value(json_object_get(ev, "tid"));
    if (!strcmp(ph, "X")) {
      json_t *args = json_object_get(ev, "args");
      int64_t t = json_integer_value(json_object_get(args, "task"));
      cr_assert(t >= 0 && t < n_tasks);
      cr_assert_eq(seen[t], 0, "task %lld appears twice", (long long)t);
      seen[t] = 1;
      n_x++;
      int64_t a = ns(json_object_get(ev, "ts")), b = a + ns(json_object_get(ev, "dur"));
      cr_assert_eq(a, start[t], "task %lld: ts is its start_ns exactly", (long long)t);
      cr_assert_eq(b, end[t], "task %lld: ts + dur is its end_ns exactly", (long long)t);
      cr_assert_eq(tid, tid_of_stream[stream[t]], "task %lld on its stream's track", (long long)t);
      cr_assert_str_eq(json_string_value(json_object_get(ev, "cat")),
                       json_string_value(json_object_get(args, "type")));
      cr_assert_str_eq(json_string_value(json_object_get(args, "scenario")), "phase-pipeline");
      cr_assert_str_eq(json_string_value(json_object_get(args, "policy")), "heft");
      json_t *dec = json_object_get(args, "decision");
      cr_assert(json_is_object(dec), "task %lld carries its decision", (long long)t);
      cr_assert_eq(json_integer_value(json_object_get(dec, "seq")), seq[t]);
      cr_assert(json_is_number(json_object_get(dec, "priority")));
      cr_assert(json_is_integer(json_object_get(dec, "ready_size")));
      cr_assert(json_is_integer(json_object_get(dec, "cost_ns")));
      cr_assert(json_is_integer(json_object_get(dec, "est_ns")));
      spans[n_spans++] = (span){tid, a, b};
    } else if (!strcmp(ph, "s") || !strcmp(ph, "f")) {
      int64_t id = json_integer_value(json_object_get(ev, "id"));
      cr_assert(id > 0 && id < 8192);
      if (ph[0] == 's') {
        s_n[id]++;
        s_ts[id] = ns(json_object_get(ev, "ts"));
        s_tid[id] = tid;
        n_s++;
      } else {
        cr_assert_str_eq(json_string_value(json_object_get(ev, "bp")), "e");
        f_n[id]++;
        f_ts[id] = ns(json_object_get(ev, "ts"));
        f_tid[id] = tid;
        n_f++;
      }
    }
  }
  cr_assert_eq((int64_t)n_x, rows, "X events = rows of task_events");
  cr_assert_eq(st.tasks, n_x);
  for (int64_t t = 0; t < n_tasks; t++)
    cr_assert_eq(seen[t], 1, "task %lld has an X event", (long long)t);

  /* One stream runs one task at a time: no two slices of a track overlap. */
  qsort(spans, n_spans, sizeof *spans, cmp_span);
  for (size_t k = 1; k < n_spans; k++)
    if (spans[k].tid == spans[k - 1].tid)
      cr_assert_geq(spans[k].a, spans[k - 1].b, "track %lld: slices overlap at %lld ns",
                    (long long)spans[k].tid, (long long)spans[k].a);

  /* Flows: as many as edges; each an s and an f; together they are exactly the
   * edges (parent's track and end -> child's track and start). */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM edges WHERE graph_id = (SELECT graph_id FROM runs WHERE run_id "
           "= %lld)",
           (long long)run);
  int64_t n_edges = q1(d, sql);
  cr_assert_eq(n_edges, 4952);
  cr_assert_eq((int64_t)n_s, n_edges, "one flow start per edge");
  cr_assert_eq((int64_t)n_f, n_edges, "one flow end per edge");
  cr_assert_eq((int64_t)st.flows, n_edges);
  size_t n_fl = 0;
  for (int id = 1; id < 8192; id++) {
    if (!s_n[id] && !f_n[id]) continue;
    cr_assert_eq(s_n[id], 1, "flow %d starts once", id);
    cr_assert_eq(f_n[id], 1, "flow %d ends once", id);
    cr_assert_leq(s_ts[id], f_ts[id], "flow %d goes forward in time", id);
    flows[n_fl++] = (flow){s_tid[id], s_ts[id], f_tid[id], f_ts[id]};
  }
  flow *want = calloc((size_t)n_edges, sizeof *want);
  snprintf(sql, sizeof sql,
           "SELECT src, dst FROM edges WHERE graph_id = (SELECT graph_id FROM runs WHERE run_id "
           "= %lld)",
           (long long)run);
  cr_assert_eq(sqlite3_prepare_v2(d, sql, -1, &q, NULL), SQLITE_OK);
  size_t n_want = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    int64_t a = sqlite3_column_int64(q, 0), b = sqlite3_column_int64(q, 1);
    want[n_want++] = (flow){tid_of_stream[stream[a]], end[a], tid_of_stream[stream[b]], start[b]};
  }
  sqlite3_finalize(q);
  cr_assert_eq(n_fl, n_want);
  qsort(flows, n_fl, sizeof *flows, cmp_flow);
  qsort(want, n_want, sizeof *want, cmp_flow);
  for (size_t k = 0; k < n_fl; k++)
    cr_assert_eq(cmp_flow(&flows[k], &want[k]), 0,
                 "flow %zu: track %lld at %lld -> track %lld at %lld is no edge's", k,
                 (long long)flows[k].s_tid, (long long)flows[k].s_ts, (long long)flows[k].f_tid,
                 (long long)flows[k].f_ts);

  /* Counters: ring utilization in [0, 1]; the ready queue never negative,
   * non-empty at some point, empty at the end of a completed run. */
  int n_config = 0, n_tel = 0, n_ready = 0;
  int64_t ready_total = -1, ready_max = 0, last_ts = -1;
  json_array_foreach(evs, i, ev) {
    if (strcmp(json_string_value(json_object_get(ev, "ph")), "C")) continue;
    const char *nm = json_string_value(json_object_get(ev, "name"));
    json_t *args = json_object_get(ev, "args");
    if (!strcmp(nm, "config ring") || !strcmp(nm, "telemetry ring")) {
      double u = json_number_value(json_object_get(args, "utilization"));
      cr_assert(u >= 0 && u <= 1, "%s utilization %g", nm, u);
      if (nm[0] == 'c')
        n_config++;
      else
        n_tel++;
    } else if (!strcmp(nm, "ready queue")) {
      int64_t ts = ns(json_object_get(ev, "ts"));
      cr_assert_gt(ts, last_ts, "ready queue points in time order");
      last_ts = ts;
      ready_total = 0;
      const char *cls;
      json_t *v;
      json_object_foreach(args, cls, v) {
        cr_assert_geq(json_integer_value(v), 0, "ready %s never negative", cls);
        ready_total += json_integer_value(v);
      }
      cr_assert(json_object_get(args, "kernel") && json_object_get(args, "upload") &&
                json_object_get(args, "download"));
      if (ready_total > ready_max) ready_max = ready_total;
      n_ready++;
    }
  }
  cr_assert_gt(n_config, 0, "config ring counter");
  cr_assert_gt(n_tel, 0, "telemetry ring counter");
  cr_assert_gt(n_ready, 0, "ready queue counter");
  cr_assert_gt(ready_max, 0);
  cr_assert_eq(ready_total, 0, "nothing left ready at the end");
  cr_assert_eq((int)st.counters, (int)(st.events - n_x - n_s - n_f - 2 - 2 * (size_t)n_streams));

  free(want);
  free(flows);
  free(spans);
  free(start);
  free(end);
  free(stream);
  free(seq);
  free(seen);
  json_decref(root);
  sqlite3_close(d);
}

Test(trace, unknown_run_is_a_clear_error_and_writes_nothing) {
  aatgs_err e;
  aatgs_err_clear(&e);
  cr_assert_eq(aatgs_trace_export(db, 999, out, NULL, &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, "run 999 is not in"), "%s", e.msg);
  cr_assert(strstr(e.msg, db), "names the database: %s", e.msg);
  cr_assert(strstr(e.msg, "2 runs, ids 1..2"), "says which runs exist: %s", e.msg);
  cr_assert_neq(access(out, F_OK), 0, "no file is left behind");

  char buf[4096];
  cr_assert_eq(sh(buf, sizeof buf, "%s trace --run 999 --db %s --out %s", bin(), db, out), 1, "%s",
               buf);
  cr_assert(strstr(buf, "run 999 is not in"), "%s", buf);
  cr_assert_neq(access(out, F_OK), 0);
  cr_assert_eq(sh(buf, sizeof buf, "%s trace --run x7 --db %s", bin(), db), 2, "%s", buf);
  cr_assert(strstr(buf, "--run expects a run id"), "%s", buf);
  cr_assert_eq(sh(buf, sizeof buf, "%s trace --db %s", bin(), db), 2, "%s", buf);
  cr_assert(strstr(buf, "--run ID is required"), "%s", buf);
}

Test(trace, not_a_database_names_the_file) {
  char path[160];
  snprintf(path, sizeof path, "%s/notes.txt", dir);
  FILE *f = fopen(path, "w");
  fputs("these are not the runs you are looking for\n", f);
  fclose(f);
  aatgs_err e;
  aatgs_err_clear(&e);
  cr_assert_eq(aatgs_trace_export(path, 1, out, NULL, &e), AATGS_EDB);
  cr_assert(strstr(e.msg, "not an AATGS database") && strstr(e.msg, path), "%s", e.msg);
  snprintf(path, sizeof path, "%s/missing.db", dir);
  cr_assert_eq(aatgs_trace_export(path, 1, out, NULL, &e), AATGS_ENOENT);
  cr_assert(strstr(e.msg, path), "%s", e.msg);
  cr_assert_neq(access(path, F_OK), 0, "a missing database is not created");
}

Test(trace, last_run_to_stdout_through_the_command) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "%s trace --run last --db %s --out - > %s", bin(), db, out);
  cr_assert_eq(system(cmd), 0);
  json_error_t je;
  json_t *root = json_load_file(out, 0, &je);
  cr_assert_not_null(root, "%s", je.text);
  json_t *other = json_object_get(root, "otherData");
  cr_assert_eq(json_integer_value(json_object_get(other, "run_id")), 2, "last = largest run id");
  cr_assert_str_eq(json_string_value(json_object_get(other, "policy")), "heft");
  json_t *first = json_array_get(json_object_get(root, "traceEvents"), 0);
  cr_assert_str_eq(json_string_value(json_object_get(first, "name")), "process_name");
  cr_assert_eq(json_integer_value(json_object_get(first, "pid")), 2);
  json_decref(root);
}

/* Labels are the slice names: any text survives (JSON escaping), and an event
 * far larger than usual is written whole. */
Test(trace, odd_and_long_labels_survive) {
  sqlite3 *d = NULL;
  cr_assert_eq(sqlite3_open(db, &d), SQLITE_OK);
  size_t n = 20000;
  char *label = malloc(n + 64);
  strcpy(label, "quote\" backslash\\ newline\n tab\t unicode \xc3\xa9\xe2\x86\x92 ");
  size_t k = strlen(label);
  for (; k < n; k++)
    label[k] = (char)('a' + k % 26);
  label[k] = '\0';
  sqlite3_stmt *st = NULL;
  cr_assert_eq(
      sqlite3_prepare_v2(d, "UPDATE tasks SET label = ?1 WHERE task_id = 3", -1, &st, NULL),
      SQLITE_OK);
  sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
  cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(d);
  aatgs_err e;
  aatgs_err_clear(&e);
  cr_assert_eq(aatgs_trace_export(db, 1, out, NULL, &e), AATGS_OK, "%s", e.msg);
  json_error_t je;
  json_t *root = json_load_file(out, 0, &je);
  cr_assert_not_null(root, "%s", je.text);
  json_t *ev;
  size_t i;
  int found = 0;
  json_array_foreach(json_object_get(root, "traceEvents"), i, ev) {
    json_t *args = json_object_get(ev, "args");
    if (strcmp(json_string_value(json_object_get(ev, "ph")), "X") ||
        json_integer_value(json_object_get(args, "task")) != 3)
      continue;
    cr_assert_str_eq(json_string_value(json_object_get(ev, "name")), label);
    cr_assert_str_eq(json_string_value(json_object_get(args, "label")), label);
    found++;
  }
  cr_assert_eq(found, 1);
  json_decref(root);
  free(label);
}
