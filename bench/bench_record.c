/* bench_record.c - how fast the SQLite sink records, against SQLite's own ceiling.
 *
 * The ceiling is the best plain SQLite insert loop on the same rows: one
 * prepared INSERT per table, bound and stepped row after row inside one
 * transaction (same schema and pragmas as the sink, WAL, no checkpoint while
 * inserting). The sink is the real thing: emit -> SPSC ring -> writer thread
 * -> batched transactions, timed from run_begin to run_end (run_end returns
 * once every row is written). Opening and closing are outside both timings.
 *
 *   decisions  N decision rows. The sink and the 1-row ceiling run ABAB
 *              interleaved (bench/harness.h), then the sink and a 32-row
 *              multi-VALUES ceiling (the statement shape the sink's writer
 *              uses), likewise;
 *   events     every decision and event of a run of T tasks: per task one
 *              decision, one task event and one task_completed telemetry
 *              row, and a snapshot every 1000 tasks, into their four tables;
 *              sink against the ceiling of the same rows, ABAB;
 *   full       (--full) a recorded run of a T-task layered DAG with the graph
 *              itself (tasks, edges) and the same events, then a second run
 *              of the same graph (the graph is stored once, so only events).
 * Figures (abh_emit, one JSON line each): rows_per_s of every candidate and
 * the per-pair ratio sink/ceiling (metric "ratio", the aim is >= 0.80).
 * How much recording slows a simulated run is bench_sim_record's.
 *
 * Usage: bench_record [--rows N] [--tasks T] [--reps N] [--warmup N] [--no-32]
 *                     [--no-events] [--full] [--dir DIR] [--sim-ns N]
 *                     [--batch ROWS] [--cache MB] [--checkpoint PAGES|-1]
 *                     [--ring EVENTS]
 * Defaults: 10^6 decision rows, 3 x 10^5 tasks (about 9 x 10^5 event rows),
 * 5 pairs after 1 warm-up pair. --sim-ns makes the producer spin N ns per task
 * in the events and full cases, standing in for the simulator's own work.
 * Files go to a temporary folder under /tmp (or DIR) and are deleted.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dispatch.h"
#include "graph.h"
#include "harness.h"
#include "sink.h"
#include "sqlite_sink.h"

static aatgs_sqlite_options g_opt; /* sink options from the command line */
static int64_t g_sim_ns;           /* producer work per task (events, full) */
static char g_path[4200];          /* the database file of every case */

static void die(const char *what, const char *msg) {
  fprintf(stderr, "bench_record: %s: %s\n", what, msg);
  exit(1);
}

static void remove_db(const char *path) {
  char side[4300];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
}

static void exec_or_die(sqlite3 *db, const char *sql) {
  char *e = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) die(sql, e ? e : "?");
}

static void spin_ns(int64_t ns) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do {
    clock_gettime(CLOCK_MONOTONIC, &b);
  } while ((int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec) < ns);
}

/* --------------------------------------------------------- the rows */

/* The i-th decision, the same values on both sides. */
static void decision_event(aatgs_event *ev, uint64_t i) {
  memset(ev, 0, sizeof *ev);
  ev->kind = AATGS_EV_DECISION;
  ev->u.decision.seq = i;
  ev->u.decision.t_ns = (aatgs_ns)(i * 1000 + 17);
  ev->u.decision.task = (uint32_t)((i * 7919) % 1000000);
  ev->u.decision.stream = (uint32_t)(i % 4);
  ev->u.decision.priority = 0.5 + (double)i * 1e-3;
  ev->u.decision.ready_size = (uint32_t)(i % 100);
  ev->u.decision.est_ns = (aatgs_ns)(5000000 + i % 1000);
  ev->u.decision.cost_ns = (aatgs_ns)(150 + i % 50);
}

static void task_event(aatgs_event *ev, uint32_t t) {
  aatgs_ns start = (aatgs_ns)t * 1250, end = start + 5000000;
  memset(ev, 0, sizeof *ev);
  ev->kind = AATGS_EV_TASK;
  ev->u.task.task = t;
  ev->u.task.stream = t % 4;
  ev->u.task.ready_ns = start - 300;
  ev->u.task.submit_ns = start - 100;
  ev->u.task.start_ns = start;
  ev->u.task.end_ns = end;
}

static void done_event(aatgs_event *ev, uint32_t t) {
  aatgs_ns start = (aatgs_ns)t * 1250, end = start + 5000000;
  memset(ev, 0, sizeof *ev);
  ev->kind = AATGS_EV_TELEMETRY;
  ev->u.tel.kind = AATGS_TEL_TASK_COMPLETED;
  ev->u.tel.t_ns = end + 50;
  ev->u.tel.u.done.task = t;
  ev->u.tel.u.done.sm = t % 132;
  ev->u.tel.u.done.gpu_start_ns = start;
  ev->u.tel.u.done.gpu_end_ns = end;
  ev->u.tel.u.done.duration_ns = end - start;
}

static void snapshot_event(aatgs_event *ev, uint32_t t) {
  memset(ev, 0, sizeof *ev);
  ev->kind = AATGS_EV_SNAPSHOT;
  ev->u.snap.t_ns = (aatgs_ns)t * 1250 + 5000000;
  ev->u.snap.completed = t + 1;
  ev->u.snap.interval_ns = 100 * AATGS_NS_PER_MS;
}

/* Event rows of a run of n tasks: 3 per task and a snapshot per 1000. */
static uint64_t event_rows(uint32_t n) { return 3ull * n + n / 1000; }

/* ------------------------------------------------------ the ceiling */

static sqlite3 *ceiling_open(void) {
  sqlite3 *db = NULL;
  remove_db(g_path);
  if (sqlite3_open_v2(g_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK)
    die(g_path, sqlite3_errmsg(db));
  exec_or_die(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                  "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 0;");
  exec_or_die(db, aatgs_sqlite_schema_sql);
  return db;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die("prepare", sqlite3_errmsg(db));
  return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st) {
  if (sqlite3_step(st) != SQLITE_DONE) die("insert", sqlite3_errmsg(db));
  sqlite3_reset(st);
}

static void ceiling_close(sqlite3 *db) {
  sqlite3_close(db);
  remove_db(g_path);
}

/* Binds decision i at parameter offset b (9 columns). */
static void bind_decision(sqlite3_stmt *st, int b, uint64_t i) {
  aatgs_event ev;
  decision_event(&ev, i);
  const aatgs_decision_rec *d = &ev.u.decision;
  sqlite3_bind_int64(st, b + 1, 1);
  sqlite3_bind_int64(st, b + 2, (int64_t)d->seq);
  sqlite3_bind_int64(st, b + 3, d->t_ns);
  sqlite3_bind_int64(st, b + 4, d->task);
  sqlite3_bind_int64(st, b + 5, d->stream);
  sqlite3_bind_double(st, b + 6, d->priority);
  sqlite3_bind_int64(st, b + 7, d->ready_size);
  sqlite3_bind_int64(st, b + 8, d->est_ns);
  sqlite3_bind_int64(st, b + 9, d->cost_ns);
}

typedef struct dec_arg {
  uint64_t rows;
  int rows_per_stmt; /* ceiling only */
} dec_arg;

/* decisions, ceiling: rows/s from BEGIN to COMMIT. */
static int ceiling_decisions(void *arg, double *value) {
  const dec_arg *a = arg;
  sqlite3 *db = ceiling_open();
  char sql[8192];
  int o = snprintf(sql, sizeof sql,
                   "INSERT INTO decisions (run_id, seq, t_ns, task_id, stream, priority, "
                   "ready_size, est_ns, cost_ns) VALUES ");
  for (int r = 0; r < a->rows_per_stmt; r++)
    o += snprintf(sql + o, sizeof sql - (size_t)o, "%s(?,?,?,?,?,?,?,?,?)", r ? "," : "");
  sqlite3_stmt *st = prepare(db, sql);
  uint64_t n = a->rows - a->rows % (uint64_t)a->rows_per_stmt, i = 0;
  double t0 = abh_now();
  exec_or_die(db, "BEGIN");
  while (i < n) {
    for (int r = 0; r < a->rows_per_stmt; r++, i++)
      bind_decision(st, r * 9, i);
    step(db, st);
  }
  exec_or_die(db, "COMMIT");
  *value = (double)n / (abh_now() - t0);
  sqlite3_finalize(st);
  ceiling_close(db);
  return 0;
}

typedef struct run_arg {
  uint32_t tasks;
  aatgs_graph *graph; /* full only */
  int repeat;         /* full only: the figure of the second run */
} run_arg;

/* events, ceiling: the rows of a run of a->tasks tasks, one prepared INSERT
 * per table, one transaction. */
static int ceiling_events(void *arg, double *value) {
  const run_arg *a = arg;
  sqlite3 *db = ceiling_open();
  sqlite3_stmt *dec = prepare(db, "INSERT INTO decisions (run_id, seq, t_ns, task_id, stream, "
                                  "priority, ready_size, est_ns, cost_ns) VALUES "
                                  "(?,?,?,?,?,?,?,?,?)");
  sqlite3_stmt *tev = prepare(db, "INSERT INTO task_events (run_id, task_id, stream, status, "
                                  "ready_ns, submit_ns, start_ns, end_ns) VALUES "
                                  "(?,?,?,?,?,?,?,?)");
  sqlite3_stmt *tel = prepare(db, "INSERT INTO telemetry (run_id, seq, t_ns, kind, task_id, sm, "
                                  "gpu_start_ns, gpu_end_ns, duration_ns) VALUES "
                                  "(?,?,?,'task_completed',?,?,?,?,?)");
  sqlite3_stmt *snp =
      prepare(db, "INSERT INTO snapshots (run_id, t_ns, avg_task_ns, gpu_util, config_util, "
                  "telemetry_util, telemetry_pending, pending, ready, running, completed, "
                  "est_completion_ns, interval_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  aatgs_event ev;
  double t0 = abh_now();
  exec_or_die(db, "BEGIN");
  for (uint32_t t = 0; t < a->tasks; t++) {
    if (g_sim_ns) spin_ns(g_sim_ns);
    bind_decision(dec, 0, t);
    sqlite3_bind_int64(dec, 4, t);
    step(db, dec);
    task_event(&ev, t);
    const aatgs_task_rec *k = &ev.u.task;
    sqlite3_bind_int64(tev, 1, 1);
    sqlite3_bind_int64(tev, 2, k->task);
    sqlite3_bind_int64(tev, 3, k->stream);
    sqlite3_bind_int64(tev, 4, k->status);
    sqlite3_bind_int64(tev, 5, k->ready_ns);
    sqlite3_bind_int64(tev, 6, k->submit_ns);
    sqlite3_bind_int64(tev, 7, k->start_ns);
    sqlite3_bind_int64(tev, 8, k->end_ns);
    step(db, tev);
    done_event(&ev, t);
    sqlite3_bind_int64(tel, 1, 1);
    sqlite3_bind_int64(tel, 2, t);
    sqlite3_bind_int64(tel, 3, ev.u.tel.t_ns);
    sqlite3_bind_int64(tel, 4, ev.u.tel.u.done.task);
    sqlite3_bind_int64(tel, 5, ev.u.tel.u.done.sm);
    sqlite3_bind_int64(tel, 6, ev.u.tel.u.done.gpu_start_ns);
    sqlite3_bind_int64(tel, 7, ev.u.tel.u.done.gpu_end_ns);
    sqlite3_bind_int64(tel, 8, ev.u.tel.u.done.duration_ns);
    step(db, tel);
    if (t % 1000 == 999) {
      snapshot_event(&ev, t);
      sqlite3_bind_int64(snp, 1, 1);
      sqlite3_bind_int64(snp, 2, ev.u.snap.t_ns);
      for (int c = 3; c <= 10; c++)
        sqlite3_bind_int64(snp, c, 0);
      sqlite3_bind_int64(snp, 11, ev.u.snap.completed);
      sqlite3_bind_int64(snp, 12, 0);
      sqlite3_bind_int64(snp, 13, ev.u.snap.interval_ns);
      step(db, snp);
    }
  }
  exec_or_die(db, "COMMIT");
  *value = (double)event_rows(a->tasks) / (abh_now() - t0);
  sqlite3_finalize(dec);
  sqlite3_finalize(tev);
  sqlite3_finalize(tel);
  sqlite3_finalize(snp);
  ceiling_close(db);
  return 0;
}

/* ---------------------------------------------------------- the sink */

static aatgs_sqlite_sink *sink_open(aatgs_sink *sink) {
  aatgs_sqlite_sink *s = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  remove_db(g_path);
  if (aatgs_sqlite_sink_open(&s, g_path, &g_opt, &err) != AATGS_OK) die("open", err.msg);
  aatgs_sqlite_sink_as_sink(s, sink);
  return s;
}

static void sink_close(aatgs_sqlite_sink *s) {
  aatgs_err err;
  aatgs_err_clear(&err);
  if (aatgs_sqlite_sink_close(s, &err) != AATGS_OK) die("close", err.msg);
  remove_db(g_path);
}

static void emit_or_die(const aatgs_sink *sink, const aatgs_event *ev) {
  if (sink->emit(sink->ctx, ev) != AATGS_OK) die("emit", "failed");
}

static void begin(const aatgs_sink *sink, const aatgs_run_info *info) {
  aatgs_err err;
  aatgs_err_clear(&err);
  if (sink->run_begin(sink->ctx, info, &err) != AATGS_OK) die("run_begin", err.msg);
}

static void end(const aatgs_sink *sink, uint64_t tasks, uint64_t decisions, uint64_t events) {
  aatgs_run_result res;
  aatgs_err err;
  aatgs_err_clear(&err);
  memset(&res, 0, sizeof res);
  res.status = AATGS_RUN_COMPLETED;
  res.tasks_completed = (uint32_t)tasks;
  res.decisions = decisions;
  res.events = events;
  res.makespan_ns = (aatgs_ns)tasks * 1250 + 5000000;
  if (sink->run_end(sink->ctx, &res, &err) != AATGS_OK) die("run_end", err.msg);
}

/* decisions, sink: rows/s from run_begin to run_end. */
static int sink_decisions(void *arg, double *value) {
  const dec_arg *a = arg;
  aatgs_sink sink;
  aatgs_sqlite_sink *s = sink_open(&sink);
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  info.scenario = "bench";
  info.policy = "none";
  info.backend = "none";
  aatgs_event ev;
  double t0 = abh_now();
  begin(&sink, &info);
  for (uint64_t i = 0; i < a->rows; i++) {
    decision_event(&ev, i);
    emit_or_die(&sink, &ev);
  }
  end(&sink, 0, a->rows, a->rows);
  *value = (double)a->rows / (abh_now() - t0);
  if (aatgs_sqlite_sink_rows_written(s) < a->rows) die("sink", "fewer rows written than emitted");
  sink_close(s);
  return 0;
}

/* The events of one run of n tasks into an open sink (run_begin..run_end);
 * returns the seconds it took. */
static double sink_run(const aatgs_sink *sink, uint32_t n, aatgs_graph *g) {
  aatgs_stream_info streams[6];
  memset(streams, 0, sizeof streams);
  for (uint32_t i = 0; i < 6; i++) {
    streams[i].id = i;
    streams[i].cls =
        i < 4 ? AATGS_CLASS_KERNEL : (i == 4 ? AATGS_CLASS_UPLOAD : AATGS_CLASS_DOWNLOAD);
    snprintf(streams[i].name, sizeof streams[i].name, i < 4 ? "kernel-%u" : "copy-%u", i);
  }
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  info.scenario = "layered";
  info.policy = "fifo";
  info.backend = "sim";
  info.graph = g;
  info.streams = g ? streams : NULL;
  info.n_streams = g ? 6 : 0;
  aatgs_event ev;
  double t0 = abh_now();
  begin(sink, &info);
  for (uint32_t t = 0; t < n; t++) {
    if (g_sim_ns) spin_ns(g_sim_ns);
    decision_event(&ev, t);
    ev.u.decision.task = t;
    emit_or_die(sink, &ev);
    task_event(&ev, t);
    emit_or_die(sink, &ev);
    done_event(&ev, t);
    emit_or_die(sink, &ev);
    if (t % 1000 == 999) {
      snapshot_event(&ev, t);
      emit_or_die(sink, &ev);
    }
  }
  end(sink, n, n, event_rows(n));
  return abh_now() - t0;
}

/* events, sink: rows/s of every decision and event of a run. */
static int sink_events(void *arg, double *value) {
  const run_arg *a = arg;
  aatgs_sink sink;
  aatgs_sqlite_sink *s = sink_open(&sink);
  *value = (double)event_rows(a->tasks) / sink_run(&sink, a->tasks, NULL);
  if (aatgs_sqlite_sink_rows_written(s) < event_rows(a->tasks))
    die("sink", "fewer rows written than emitted");
  sink_close(s);
  return 0;
}

/* full: two runs of a graph into one file; rows/s of the first (graph and
 * events) or of the second (events only). */
static int sink_full(void *arg, double *value) {
  const run_arg *a = arg;
  aatgs_sink sink;
  aatgs_sqlite_sink *s = sink_open(&sink);
  uint64_t r0 = aatgs_sqlite_sink_rows_written(s);
  double first = sink_run(&sink, a->tasks, a->graph);
  uint64_t r1 = aatgs_sqlite_sink_rows_written(s);
  double second = sink_run(&sink, a->tasks, a->graph);
  uint64_t r2 = aatgs_sqlite_sink_rows_written(s);
  *value = a->repeat ? (double)(r2 - r1) / second : (double)(r1 - r0) / first;
  sink_close(s);
  return 0;
}

/* A layered random DAG: layers of `width` tasks, each task (past the first
 * layer) depends on 3 distinct tasks of the previous layer. */
static aatgs_graph *layered(uint32_t n, uint32_t width) {
  aatgs_graph *g = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  if (aatgs_graph_create(&g, n, (uint64_t)n * 3) != AATGS_OK) die("graph", "create");
  uint64_t x = 88172645463325252ull;
  for (uint32_t t = 0; t < n; t++) {
    uint32_t deps[3], nd = 0;
    uint32_t layer = t / width;
    if (layer > 0) {
      uint32_t base = (layer - 1) * width;
      while (nd < 3 && nd < width) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t d = base + (uint32_t)(x % width);
        bool dup = false;
        for (uint32_t k = 0; k < nd; k++)
          dup |= deps[k] == d;
        if (!dup) deps[nd++] = d;
      }
    }
    uint32_t type = 1 + (t % 4); /* whcr, thermodynamic, quantum, lbs */
    uint32_t id;
    if (aatgs_graph_add_task(g, type, 0, deps, nd, &id, &err) != AATGS_OK) die("add_task", err.msg);
  }
  if (aatgs_graph_finalize(g, &err) != AATGS_OK) die("finalize", err.msg);
  return g;
}

/* ---------------------------------------------------------- reporting */

static char g_extra[256];

static void emit(const char *case_name, const char *cand, const char *metric, const char *unit,
                 const double *v, int n) {
  abh_result r = {"record", case_name, cand, metric, unit, 1, v, n, g_extra};
  if (abh_emit(&r) != 0) exit(1);
}

static void line(const char *label, const double *v, int n, const char *unit, double scale) {
  abh_stats s;
  abh_stats_of(v, n, &s);
  printf("  %-34s median %8.3f %s  (MAD %.3f, min %.3f, max %.3f, n %d)\n", label, s.median * scale,
         unit, s.mad * scale, s.min * scale, s.max * scale, n);
}

/* An ABAB comparison of the sink with a ceiling: prints and emits both
 * rates and the per-pair ratio. */
static void compare(const char *case_name, const char *ceil_name, abh_fn sink_fn, abh_fn ceil_fn,
                    void *arg, int warmup, int reps, double *sink_all, int *n_sink) {
  double sa[ABH_MAX_REPS], sb[ABH_MAX_REPS], ratio[ABH_MAX_REPS];
  char cand[64];
  if (abh_abab(sink_fn, arg, ceil_fn, arg, warmup, reps, sa, sb) != 0) exit(1);
  abh_ratios(sa, sb, reps, ratio);
  line("sink", sa, reps, "M rows/s", 1e-6);
  line(ceil_name, sb, reps, "M rows/s", 1e-6);
  snprintf(cand, sizeof cand, "sink/%s", ceil_name);
  line(cand, ratio, reps, "x", 1);
  emit(case_name, ceil_name, "rows_per_s", "rows/s", sb, reps);
  emit(case_name, cand, "ratio", "x", ratio, reps);
  memcpy(sink_all + *n_sink, sa, (size_t)reps * sizeof *sa);
  *n_sink += reps;
}

int main(int argc, char **argv) {
  uint64_t rows = 1000000;
  uint32_t tasks = 300000;
  int reps = 5, warmup = 1, with_32 = 1, with_events = 1, full = 0;
  const char *base = "/tmp";
  aatgs_sqlite_options_default(&g_opt);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--no-32"))
      with_32 = 0;
    else if (!strcmp(a, "--no-events"))
      with_events = 0;
    else if (!strcmp(a, "--full"))
      full = 1;
    else if (!strcmp(a, "--rows") && v)
      rows = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(a, "--tasks") && v)
      tasks = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(a, "--reps") && v)
      reps = atoi(argv[++i]);
    else if (!strcmp(a, "--warmup") && v)
      warmup = atoi(argv[++i]);
    else if (!strcmp(a, "--dir") && v)
      base = argv[++i];
    else if (!strcmp(a, "--sim-ns") && v)
      g_sim_ns = strtoll(argv[++i], NULL, 10);
    else if (!strcmp(a, "--batch") && v)
      g_opt.batch_rows = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(a, "--cache") && v)
      g_opt.cache_mb = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(a, "--checkpoint") && v)
      g_opt.wal_autocheckpoint = (int32_t)strtol(argv[++i], NULL, 10);
    else if (!strcmp(a, "--ring") && v)
      g_opt.ring_capacity = strtoull(argv[++i], NULL, 10);
    else {
      fprintf(stderr,
              "usage: bench_record [--rows N] [--tasks T] [--reps N] [--warmup N] [--no-32]\n"
              "                    [--no-events] [--full] [--dir DIR] [--sim-ns N]\n"
              "                    [--batch ROWS] [--cache MB] [--checkpoint PAGES|-1]\n"
              "                    [--ring EVENTS]\n");
      return 2;
    }
  }
  if (reps < 1 || reps > ABH_MAX_REPS / 2) die("--reps", "must be 1..512");
  if (warmup < 0) die("--warmup", "must be >= 0");
  if (rows < 32) die("--rows", "must be at least 32");
  if (tasks < 1) die("--tasks", "must be at least 1");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/aatgs-bench-record-XXXXXX", base);
  if (!mkdtemp(dir)) die("mkdtemp", dir);
  snprintf(g_path, sizeof g_path, "%s/bench.db", dir);
  printf("bench_record: SQLite %s, %s\n  %d pairs after %d warm-up, files in %s\n",
         sqlite3_libversion(), abh_machine(), reps, warmup, dir);

  double sink_all[ABH_MAX_REPS];
  int n_sink = 0;
  dec_arg d1 = {rows, 1}, d32 = {rows - rows % 32, 32};
  printf("decisions: %" PRIu64 " rows (sink and ceiling ABAB; rows/s from run_begin or BEGIN to "
         "run_end or COMMIT)\n",
         rows);
  snprintf(g_extra, sizeof g_extra, "\"rows\":%" PRIu64 ",\"sqlite\":\"%s\"", rows,
           sqlite3_libversion());
  compare("decisions", "ceiling", sink_decisions, ceiling_decisions, &d1, warmup, reps, sink_all,
          &n_sink);
  if (with_32) {
    printf("decisions against the 32-row INSERT ceiling:\n");
    compare("decisions", "ceiling_32row", sink_decisions, ceiling_decisions, &d32, warmup, reps,
            sink_all, &n_sink);
  }
  emit("decisions", "sink", "rows_per_s", "rows/s", sink_all, n_sink);

  if (with_events) {
    run_arg ra = {tasks, NULL, 0};
    uint64_t er = event_rows(tasks);
    printf("events: every decision and event of a %u-task run, %" PRIu64
           " rows in 4 tables (producer work %" PRId64 " ns/task)\n",
           tasks, er, g_sim_ns);
    snprintf(g_extra, sizeof g_extra,
             "\"tasks\":%u,\"rows\":%" PRIu64 ",\"sim_ns\":%" PRId64 ",\"sqlite\":\"%s\"", tasks,
             er, g_sim_ns, sqlite3_libversion());
    n_sink = 0;
    compare("events", "ceiling", sink_events, ceiling_events, &ra, warmup, reps, sink_all, &n_sink);
    emit("events", "sink", "rows_per_s", "rows/s", sink_all, n_sink);
  }

  if (full) {
    double tg = abh_now();
    aatgs_graph *g = layered(tasks, 1000 < tasks ? 1000 : tasks);
    printf("full: layered DAG of %u tasks, %" PRIu64 " edges (built in %.2f s, not timed)\n", tasks,
           aatgs_graph_num_edges(g), abh_now() - tg);
    snprintf(g_extra, sizeof g_extra,
             "\"tasks\":%u,\"edges\":%" PRIu64 ",\"sim_ns\":%" PRId64 ",\"sqlite\":\"%s\"", tasks,
             aatgs_graph_num_edges(g), g_sim_ns, sqlite3_libversion());
    double first[ABH_MAX_REPS], repeat[ABH_MAX_REPS];
    run_arg f1 = {tasks, g, 0}, f2 = {tasks, g, 1};
    if (abh_run(sink_full, &f1, warmup, reps, first) != 0 ||
        abh_run(sink_full, &f2, 0, reps, repeat) != 0)
      return 1;
    line("first run (graph + events)", first, reps, "M rows/s", 1e-6);
    line("repeat run (events only)", repeat, reps, "M rows/s", 1e-6);
    emit("full first run", "sink", "rows_per_s", "rows/s", first, reps);
    emit("full repeat run", "sink", "rows_per_s", "rows/s", repeat, reps);
    aatgs_graph_destroy(g);
  }
  rmdir(dir);
  return 0;
}
