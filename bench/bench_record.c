/* bench_record.c - how fast the SQLite sink records, against SQLite's own ceiling.
 *
 *   (a) ceiling: one prepared single-row INSERT, one transaction, a plain loop
 *       of decision-shaped rows into the decisions table (same schema and
 *       pragmas as the sink);
 *   (a') the same with 32-row INSERT statements (what the sink's writer uses);
 *   (b) the sink: the same rows as AATGS_EV_DECISION events through emit ->
 *       SPSC ring -> writer thread -> batched transactions;
 *   (c) a whole recorded run of a 10^6-task layered DAG (3 dependencies per
 *       task): graph (tasks, edges), one decision, one task event and one
 *       task_completed telemetry event per task, a snapshot every 1000
 *       tasks, then run_end and close (which checkpoints the WAL).
 *
 * Usage: bench_record [--rows N] [--tasks N] [--no-full] [--dir DIR]
 * Prints a readable summary and one JSON line per case. Files go to a
 * temporary folder under /tmp (or DIR) and are deleted.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"
#include "sink.h"
#include "sqlite_sink.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *msg) {
  fprintf(stderr, "bench_record: %s: %s\n", what, msg);
  exit(1);
}

static void remove_db(const char *path) {
  char side[4200];
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

static void json_line(const char *name, uint64_t rows, double secs, double extra_s) {
  printf("{\"bench\": \"record\", \"case\": \"%s\", \"rows\": %" PRIu64
         ", \"seconds\": %.4f, \"rows_per_s\": %.0f, \"close_s\": %.4f}\n",
         name, rows, secs, (double)rows / secs, extra_s);
}

/* (a) and (a'): SQLite alone. Returns rows/s of the insert+commit. */
static double ceiling(const char *path, uint64_t n, int rows_per_stmt, const char *name) {
  sqlite3 *db = NULL;
  remove_db(path);
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK)
    die(path, sqlite3_errmsg(db));
  exec_or_die(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                  "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 4096;");
  exec_or_die(db, aatgs_sqlite_schema_sql);
  char sql[8192];
  int o = snprintf(sql, sizeof sql, "INSERT INTO decisions (run_id, seq, t_ns, task_id, "
                                    "stream, priority, ready_size, est_ns, cost_ns) VALUES ");
  for (int r = 0; r < rows_per_stmt; r++)
    o += snprintf(sql + o, sizeof sql - (size_t)o, "%s(?,?,?,?,?,?,?,?,?)", r ? "," : "");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die("prepare", sqlite3_errmsg(db));
  double t0 = now_s();
  exec_or_die(db, "BEGIN");
  uint64_t i = 0;
  while (i + (uint64_t)rows_per_stmt <= n) {
    for (int r = 0; r < rows_per_stmt; r++, i++) {
      int b = r * 9;
      sqlite3_bind_int64(st, b + 1, 1);
      sqlite3_bind_int64(st, b + 2, (int64_t)i);
      sqlite3_bind_int64(st, b + 3, (int64_t)(i * 1000 + 17));
      sqlite3_bind_int64(st, b + 4, (int64_t)((i * 7919) % 1000000));
      sqlite3_bind_int64(st, b + 5, (int64_t)(i % 4));
      sqlite3_bind_double(st, b + 6, 0.5 + (double)i * 1e-3);
      sqlite3_bind_int64(st, b + 7, (int64_t)(i % 100));
      sqlite3_bind_int64(st, b + 8, (int64_t)(5000000 + i % 1000));
      sqlite3_bind_int64(st, b + 9, (int64_t)(150 + i % 50));
    }
    if (sqlite3_step(st) != SQLITE_DONE) die("insert", sqlite3_errmsg(db));
    sqlite3_reset(st);
  }
  exec_or_die(db, "COMMIT");
  double t1 = now_s();
  sqlite3_finalize(st);
  sqlite3_close(db);
  double t2 = now_s();
  double rate = (double)i / (t1 - t0);
  printf("  %-34s %9" PRIu64 " rows  %7.3f s  %6.2f M rows/s   (close %.3f s)\n", name, i,
         t1 - t0, rate / 1e6, t2 - t1);
  json_line(rows_per_stmt == 1 ? "ceiling_1row" : "ceiling_32row", i, t1 - t0, t2 - t1);
  remove_db(path);
  return rate;
}

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

/* (b): the sink with decision events only. Returns rows/s. */
static double sink_decisions(const char *path, uint64_t n) {
  aatgs_sqlite_sink *s = NULL;
  aatgs_sink sink;
  aatgs_err err;
  aatgs_err_clear(&err);
  remove_db(path);
  if (aatgs_sqlite_sink_open(&s, path, NULL, &err) != AATGS_OK) die("open", err.msg);
  aatgs_sqlite_sink_as_sink(s, &sink);
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  info.scenario = "bench";
  info.policy = "none";
  info.backend = "none";
  if (sink.run_begin(sink.ctx, &info, &err) != AATGS_OK) die("run_begin", err.msg);
  aatgs_event ev;
  double t0 = now_s();
  for (uint64_t i = 0; i < n; i++) {
    decision_event(&ev, i);
    if (sink.emit(sink.ctx, &ev) != AATGS_OK) die("emit", "failed");
  }
  double t_emit = now_s();
  aatgs_run_result res;
  memset(&res, 0, sizeof res);
  res.status = AATGS_RUN_COMPLETED;
  res.decisions = n;
  if (sink.run_end(sink.ctx, &res, &err) != AATGS_OK) die("run_end", err.msg);
  double t1 = now_s();
  if (aatgs_sqlite_sink_close(s, &err) != AATGS_OK) die("close", err.msg);
  double t2 = now_s();
  double rate = (double)n / (t1 - t0);
  printf("  %-34s %9" PRIu64 " rows  %7.3f s  %6.2f M rows/s   (emit loop %.3f s, close %.3f s)\n",
         "(b) sink: emit->ring->writer", n, t1 - t0, rate / 1e6, t_emit - t0, t2 - t1);
  json_line("sink", n, t1 - t0, t2 - t1);
  remove_db(path);
  return rate;
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
      while (nd < 3) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t d = base + (uint32_t)(x % width);
        bool dup = false;
        for (uint32_t k = 0; k < nd; k++) dup |= deps[k] == d;
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

/* (c): a whole run of an n-task layered DAG. */
static void full_run(const char *path, uint32_t n) {
  double tg = now_s();
  aatgs_graph *g = layered(n, 1000 < n ? 1000 : n);
  double tg1 = now_s();
  uint64_t n_edges = aatgs_graph_num_edges(g);
  aatgs_stream_info streams[6];
  memset(streams, 0, sizeof streams);
  for (uint32_t i = 0; i < 6; i++) {
    streams[i].id = i;
    streams[i].cls = i < 4 ? AATGS_CLASS_KERNEL : (i == 4 ? AATGS_CLASS_UPLOAD : AATGS_CLASS_DOWNLOAD);
    snprintf(streams[i].name, sizeof streams[i].name, i < 4 ? "kernel-%u" : "copy-%u", i);
  }
  aatgs_sqlite_sink *s = NULL;
  aatgs_sink sink;
  aatgs_err err;
  aatgs_err_clear(&err);
  remove_db(path);
  double t0 = now_s();
  if (aatgs_sqlite_sink_open(&s, path, NULL, &err) != AATGS_OK) die("open", err.msg);
  aatgs_sqlite_sink_as_sink(s, &sink);
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  info.scenario = "layered-1m";
  info.policy = "fifo";
  info.backend = "sim";
  info.graph = g;
  info.streams = streams;
  info.n_streams = 6;
  if (sink.run_begin(sink.ctx, &info, &err) != AATGS_OK) die("run_begin", err.msg);
  double t_begin = now_s();
  aatgs_event ev;
  uint64_t events = 0, snaps = 0;
  for (uint32_t t = 0; t < n; t++) {
    aatgs_ns start = (aatgs_ns)t * 1250, end = start + 5000000;
    decision_event(&ev, t);
    ev.u.decision.task = t;
    if (sink.emit(sink.ctx, &ev) != AATGS_OK) die("emit", "decision");
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_TASK;
    ev.u.task.task = t;
    ev.u.task.stream = t % 4;
    ev.u.task.ready_ns = start - 300;
    ev.u.task.submit_ns = start - 100;
    ev.u.task.start_ns = start;
    ev.u.task.end_ns = end;
    if (sink.emit(sink.ctx, &ev) != AATGS_OK) die("emit", "task");
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_TELEMETRY;
    ev.u.tel.kind = AATGS_TEL_TASK_COMPLETED;
    ev.u.tel.t_ns = end + 50;
    ev.u.tel.u.done.task = t;
    ev.u.tel.u.done.sm = t % 132;
    ev.u.tel.u.done.gpu_start_ns = start;
    ev.u.tel.u.done.gpu_end_ns = end;
    ev.u.tel.u.done.duration_ns = end - start;
    if (sink.emit(sink.ctx, &ev) != AATGS_OK) die("emit", "telemetry");
    events += 3;
    if (t % 1000 == 999) {
      memset(&ev, 0, sizeof ev);
      ev.kind = AATGS_EV_SNAPSHOT;
      ev.u.snap.t_ns = end;
      ev.u.snap.completed = t + 1;
      ev.u.snap.interval_ns = 100 * AATGS_NS_PER_MS;
      if (sink.emit(sink.ctx, &ev) != AATGS_OK) die("emit", "snapshot");
      events++;
      snaps++;
    }
  }
  double t_emit = now_s();
  aatgs_run_result res;
  memset(&res, 0, sizeof res);
  res.status = AATGS_RUN_COMPLETED;
  res.tasks_completed = n;
  res.decisions = n;
  res.events = events;
  res.makespan_ns = (aatgs_ns)n * 1250 + 5000000;
  if (sink.run_end(sink.ctx, &res, &err) != AATGS_OK) die("run_end", err.msg);
  double t_end = now_s();
  uint64_t rows = aatgs_sqlite_sink_rows_written(s);
  if (aatgs_sqlite_sink_close(s, &err) != AATGS_OK) die("close", err.msg);
  double t_close = now_s();
  aatgs_graph_destroy(g);
  printf("  (c) full run: %u tasks, %" PRIu64 " edges, %" PRIu64 " events (%" PRIu64
         " snapshots); graph built in %.2f s (not counted)\n",
         n, n_edges, events, snaps, tg1 - tg);
  printf("      open+run_begin %.3f s, emit loop %.3f s, run_end %.3f s, close %.3f s\n",
         t_begin - t0, t_emit - t_begin, t_end - t_emit, t_close - t_end);
  printf("      %" PRIu64 " rows in %.3f s to run_end (%.2f M rows/s), %.3f s with close\n", rows,
         t_end - t0, (double)rows / (t_end - t0) / 1e6, t_close - t0);
  printf("{\"bench\": \"record\", \"case\": \"full_run\", \"tasks\": %u, \"edges\": %" PRIu64
         ", \"events\": %" PRIu64 ", \"rows\": %" PRIu64
         ", \"open_begin_s\": %.4f, \"emit_s\": %.4f, \"run_end_s\": %.4f, \"close_s\": %.4f, "
         "\"total_s\": %.4f, \"rows_per_s\": %.0f}\n",
         n, n_edges, events, rows, t_begin - t0, t_emit - t_begin, t_end - t_emit,
         t_close - t_end, t_close - t0, (double)rows / (t_close - t0));
  remove_db(path);
}

int main(int argc, char **argv) {
  uint64_t rows = 1000000;
  uint32_t tasks = 1000000;
  int full = 1;
  const char *base = "/tmp";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
      rows = strtoull(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc)
      tasks = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--no-full") == 0)
      full = 0;
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
      base = argv[++i];
    else {
      fprintf(stderr, "usage: bench_record [--rows N] [--tasks N] [--no-full] [--dir DIR]\n");
      return 2;
    }
  }
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s/aatgs-bench-record-XXXXXX", base);
  if (!mkdtemp(dir)) die("mkdtemp", dir);
  snprintf(path, sizeof path, "%s/bench.db", dir);
  printf("bench_record: SQLite %s, %" PRIu64 " decision rows, files in %s\n", sqlite3_libversion(),
         rows, dir);
  double c1 = ceiling(path, rows, 1, "(a) ceiling: 1-row INSERT");
  double c32 = ceiling(path, rows, 32, "(a') ceiling: 32-row INSERT");
  double sk = sink_decisions(path, rows);
  printf("  sink / ceiling(1-row) = %.0f%%, sink / ceiling(32-row) = %.0f%%\n", 100 * sk / c1,
         100 * sk / c32);
  printf("{\"bench\": \"record\", \"case\": \"ratio\", \"sink_over_ceiling_1row\": %.3f, "
         "\"sink_over_ceiling_32row\": %.3f}\n",
         sk / c1, sk / c32);
  if (full && tasks) full_run(path, tasks);
  rmdir(dir);
  return 0;
}
