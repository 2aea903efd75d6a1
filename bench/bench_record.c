/* bench_record.c - how fast the SQLite sink records, against SQLite's own ceiling.
 *
 *   (a)  ceiling: one prepared single-row INSERT, one transaction, a plain
 *        loop of decision-shaped rows into the decisions table (same schema
 *        and pragmas as the sink; no checkpoint while inserting);
 *   (a') the same with 32-row INSERT statements (what the sink's writer uses);
 *   (b)  the sink: the same rows as AATGS_EV_DECISION events through emit ->
 *        SPSC ring -> writer thread -> batched transactions, run_begin to
 *        run_end;
 *   (c)  a recorded run of a 10^6-task layered DAG (3 dependencies per task):
 *        the graph (tasks, edges), one decision, one task event and one
 *        task_completed telemetry event per task and a snapshot every 1000
 *        tasks; then a second run of the same graph (the graph is stored
 *        once, so only events are written); open and close timed apart.
 *        --sim-ns N makes the producer spin N ns per task, standing in for
 *        the simulator's own work;
 *   (d)  the real thing: the same graph run by the dispatch loop on the
 *        simulated backend (fifo, default profile), without a sink, then
 *        recorded into a fresh file (sink open to close).
 *
 * Every case runs --reps times (default 3), interleaved; the summary gives
 * the best and the median, since other work on the machine only ever slows a
 * run down. "cpu" is the process's CPU time (all threads) for the case.
 *
 * Usage: bench_record [--rows N] [--tasks N] [--reps N] [--no-full] [--no-sim]
 *                     [--dir DIR] [--sim-ns N] [--batch ROWS] [--cache MB]
 *                     [--checkpoint PAGES|-1] [--ring EVENTS]
 * Prints a readable summary and JSON lines. Files go to a temporary folder
 * under /tmp (or DIR) and are deleted.
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
#include "sink.h"
#include "sqlite_sink.h"

#define MAX_REPS 32

static aatgs_sqlite_options g_opt; /* sink options from the command line */
static int64_t g_sim_ns;           /* producer work per task in (c) */

typedef struct sample {
  double secs;    /* the timed part */
  double close_s; /* closing the database afterwards (checkpoint) */
  double cpu_s;   /* process CPU time over the timed part */
  uint64_t rows;
} sample;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

/* ---------------------------------------------------------- (a) and (a') */

static sample ceiling(const char *path, uint64_t n, int rows_per_stmt) {
  sqlite3 *db = NULL;
  remove_db(path);
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK)
    die(path, sqlite3_errmsg(db));
  exec_or_die(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                  "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 0;");
  exec_or_die(db, aatgs_sqlite_schema_sql);
  char sql[8192];
  int o = snprintf(sql, sizeof sql,
                   "INSERT INTO decisions (run_id, seq, t_ns, task_id, stream, priority, "
                   "ready_size, est_ns, cost_ns) VALUES ");
  for (int r = 0; r < rows_per_stmt; r++)
    o += snprintf(sql + o, sizeof sql - (size_t)o, "%s(?,?,?,?,?,?,?,?,?)", r ? "," : "");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die("prepare", sqlite3_errmsg(db));
  double t0 = now_s(), c0 = cpu_s();
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
  sample out = {now_s() - t0, 0, cpu_s() - c0, i};
  sqlite3_finalize(st);
  double t1 = now_s();
  sqlite3_close(db);
  out.close_s = now_s() - t1;
  remove_db(path);
  return out;
}

/* -------------------------------------------------------------------- (b) */

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

static sample sink_decisions(const char *path, uint64_t n) {
  aatgs_sqlite_sink *s = NULL;
  aatgs_sink sink;
  aatgs_err err;
  aatgs_err_clear(&err);
  remove_db(path);
  if (aatgs_sqlite_sink_open(&s, path, &g_opt, &err) != AATGS_OK) die("open", err.msg);
  aatgs_sqlite_sink_as_sink(s, &sink);
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  info.scenario = "bench";
  info.policy = "none";
  info.backend = "none";
  double t0 = now_s(), c0 = cpu_s();
  if (sink.run_begin(sink.ctx, &info, &err) != AATGS_OK) die("run_begin", err.msg);
  aatgs_event ev;
  for (uint64_t i = 0; i < n; i++) {
    decision_event(&ev, i);
    if (sink.emit(sink.ctx, &ev) != AATGS_OK) die("emit", "failed");
  }
  aatgs_run_result res;
  memset(&res, 0, sizeof res);
  res.status = AATGS_RUN_COMPLETED;
  res.decisions = n;
  if (sink.run_end(sink.ctx, &res, &err) != AATGS_OK) die("run_end", err.msg);
  sample out = {now_s() - t0, 0, cpu_s() - c0, n};
  double t1 = now_s();
  if (aatgs_sqlite_sink_close(s, &err) != AATGS_OK) die("close", err.msg);
  out.close_s = now_s() - t1;
  remove_db(path);
  return out;
}

/* -------------------------------------------------------------------- (c) */

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

static void spin_ns(int64_t ns) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do {
    clock_gettime(CLOCK_MONOTONIC, &b);
  } while ((int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec) < ns);
}

static void emit_or_die(const aatgs_sink *sink, const aatgs_event *ev) {
  if (sink->emit(sink->ctx, ev) != AATGS_OK) die("emit", "failed");
}

/* One run of g: 3 events per task and a snapshot every 1000 tasks,
 * run_begin to run_end. */
static sample one_run(aatgs_sqlite_sink *s, const aatgs_sink *sink, aatgs_graph *g,
                      const aatgs_stream_info *streams) {
  aatgs_err err;
  aatgs_err_clear(&err);
  uint32_t n = aatgs_graph_num_tasks(g);
  uint64_t rows0 = aatgs_sqlite_sink_rows_written(s);
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  info.scenario = "layered";
  info.policy = "fifo";
  info.backend = "sim";
  info.graph = g;
  info.streams = streams;
  info.n_streams = 6;
  double t0 = now_s(), c0 = cpu_s();
  if (sink->run_begin(sink->ctx, &info, &err) != AATGS_OK) die("run_begin", err.msg);
  aatgs_event ev;
  uint64_t events = 0;
  for (uint32_t t = 0; t < n; t++) {
    if (g_sim_ns) spin_ns(g_sim_ns);
    aatgs_ns start = (aatgs_ns)t * 1250, end = start + 5000000;
    decision_event(&ev, t);
    ev.u.decision.task = t;
    emit_or_die(sink, &ev);
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_TASK;
    ev.u.task.task = t;
    ev.u.task.stream = t % 4;
    ev.u.task.ready_ns = start - 300;
    ev.u.task.submit_ns = start - 100;
    ev.u.task.start_ns = start;
    ev.u.task.end_ns = end;
    emit_or_die(sink, &ev);
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_TELEMETRY;
    ev.u.tel.kind = AATGS_TEL_TASK_COMPLETED;
    ev.u.tel.t_ns = end + 50;
    ev.u.tel.u.done.task = t;
    ev.u.tel.u.done.sm = t % 132;
    ev.u.tel.u.done.gpu_start_ns = start;
    ev.u.tel.u.done.gpu_end_ns = end;
    ev.u.tel.u.done.duration_ns = end - start;
    emit_or_die(sink, &ev);
    events += 3;
    if (t % 1000 == 999) {
      memset(&ev, 0, sizeof ev);
      ev.kind = AATGS_EV_SNAPSHOT;
      ev.u.snap.t_ns = end;
      ev.u.snap.completed = t + 1;
      ev.u.snap.interval_ns = 100 * AATGS_NS_PER_MS;
      emit_or_die(sink, &ev);
      events++;
    }
  }
  aatgs_run_result res;
  memset(&res, 0, sizeof res);
  res.status = AATGS_RUN_COMPLETED;
  res.tasks_completed = n;
  res.decisions = n;
  res.events = events;
  res.makespan_ns = (aatgs_ns)n * 1250 + 5000000;
  if (sink->run_end(sink->ctx, &res, &err) != AATGS_OK) die("run_end", err.msg);
  sample out = {now_s() - t0, 0, cpu_s() - c0, aatgs_sqlite_sink_rows_written(s) - rows0};
  return out;
}

typedef struct full_sample {
  sample first, repeat;
  double open_s, close_s;
} full_sample;

static full_sample full_run(const char *path, aatgs_graph *g) {
  aatgs_stream_info streams[6];
  memset(streams, 0, sizeof streams);
  for (uint32_t i = 0; i < 6; i++) {
    streams[i].id = i;
    streams[i].cls =
        i < 4 ? AATGS_CLASS_KERNEL : (i == 4 ? AATGS_CLASS_UPLOAD : AATGS_CLASS_DOWNLOAD);
    snprintf(streams[i].name, sizeof streams[i].name, i < 4 ? "kernel-%u" : "copy-%u", i);
  }
  aatgs_sqlite_sink *s = NULL;
  aatgs_sink sink;
  aatgs_err err;
  aatgs_err_clear(&err);
  full_sample out;
  remove_db(path);
  double t0 = now_s();
  if (aatgs_sqlite_sink_open(&s, path, &g_opt, &err) != AATGS_OK) die("open", err.msg);
  aatgs_sqlite_sink_as_sink(s, &sink);
  out.open_s = now_s() - t0;
  out.first = one_run(s, &sink, g, streams);
  out.repeat = one_run(s, &sink, g, streams);
  double t1 = now_s();
  if (aatgs_sqlite_sink_close(s, &err) != AATGS_OK) die("close", err.msg);
  out.close_s = now_s() - t1;
  remove_db(path);
  return out;
}

/* -------------------------------------------------------------------- (d) */

/* The dispatch loop on the simulated backend, without (with_sink = 0) or
 * with the sink (open to close). */
static sample simulated(const char *path, aatgs_graph *g, int with_sink, uint64_t *events) {
  aatgs_profile prof;
  aatgs_profile_default(&prof);
  const aatgs_policy_ops *fifo = aatgs_policy_find("fifo");
  const aatgs_backend_ops *sim = aatgs_backend_find("sim");
  if (!fifo || !sim) die("simulated", "fifo policy or sim backend missing");
  aatgs_sqlite_sink *s = NULL;
  aatgs_sink sink;
  aatgs_err err;
  aatgs_err_clear(&err);
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  info.scenario = "layered";
  info.policy = "fifo";
  info.backend = "sim";
  sample out = {0, 0, 0, 0};
  double t0 = now_s(), c0 = cpu_s();
  if (with_sink) {
    remove_db(path);
    if (aatgs_sqlite_sink_open(&s, path, &g_opt, &err) != AATGS_OK) die("open", err.msg);
    aatgs_sqlite_sink_as_sink(s, &sink);
  }
  aatgs_run_params p;
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = fifo;
  p.backend = sim;
  p.profile = &prof;
  p.seed = 1;
  p.noise_cv = -1;
  p.sink = with_sink ? &sink : NULL;
  p.info = &info;
  aatgs_run_result res;
  if (aatgs_run_graph(&p, &res, &err) != AATGS_OK) die("aatgs_run_graph", err.msg);
  if (with_sink) {
    out.rows = aatgs_sqlite_sink_rows_written(s);
    double t1 = now_s();
    if (aatgs_sqlite_sink_close(s, &err) != AATGS_OK) die("close", err.msg);
    out.close_s = now_s() - t1;
    remove_db(path);
  }
  out.secs = now_s() - t0;
  out.cpu_s = cpu_s() - c0;
  *events = res.events;
  return out;
}

/* ---------------------------------------------------------------- summary */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Best (smallest) and median of v[0..n). */
static void best_median(const double *v, int n, double *best, double *median) {
  double t[MAX_REPS];
  memcpy(t, v, (size_t)n * sizeof *t);
  qsort(t, (size_t)n, sizeof *t, cmp_double);
  *best = t[0];
  *median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* Prints one case: rows/s at the best and median time, CPU, close. */
static void report(const char *key, const char *label, const sample *s, int n, double *rate_best,
                   double *rate_median) {
  double secs[MAX_REPS], cpu[MAX_REPS], cl[MAX_REPS], b, m, cb, cm, lb, lm;
  for (int i = 0; i < n; i++) {
    secs[i] = s[i].secs;
    cpu[i] = s[i].cpu_s;
    cl[i] = s[i].close_s;
  }
  best_median(secs, n, &b, &m);
  best_median(cpu, n, &cb, &cm);
  best_median(cl, n, &lb, &lm);
  double rows = (double)s[0].rows;
  if (rows == 0) {
    printf("  %-36s best %6.3f s, median %6.3f s  (cpu %.3f s)\n", label, b, m, cm);
    printf("{\"bench\": \"record\", \"case\": \"%s\", \"reps\": %d, \"best_s\": %.4f, "
           "\"median_s\": %.4f, \"median_cpu_s\": %.4f}\n",
           key, n, b, m, cm);
    return;
  }
  printf("  %-36s %9.0f rows  best %6.3f s = %5.2f M rows/s, median %6.3f s = %5.2f M rows/s"
         "  (cpu %.3f s, close %.3f s)\n",
         label, rows, b, rows / b / 1e6, m, rows / m / 1e6, cm, lm);
  printf("{\"bench\": \"record\", \"case\": \"%s\", \"rows\": %.0f, \"reps\": %d, "
         "\"best_s\": %.4f, \"median_s\": %.4f, \"best_rows_per_s\": %.0f, "
         "\"median_rows_per_s\": %.0f, \"median_cpu_s\": %.4f, \"median_close_s\": %.4f}\n",
         key, rows, n, b, m, rows / b, rows / m, cm, lm);
  if (rate_best) *rate_best = rows / b;
  if (rate_median) *rate_median = rows / m;
}

int main(int argc, char **argv) {
  uint64_t rows = 1000000;
  uint32_t tasks = 1000000;
  int reps = 3, full = 1, with_sim = 1;
  const char *base = "/tmp";
  aatgs_sqlite_options_default(&g_opt);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--no-full"))
      full = 0;
    else if (!strcmp(a, "--no-sim"))
      with_sim = 0;
    else if (!strcmp(a, "--rows") && v)
      rows = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(a, "--tasks") && v)
      tasks = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(a, "--reps") && v)
      reps = atoi(argv[++i]);
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
      fprintf(stderr, "usage: bench_record [--rows N] [--tasks N] [--reps N] [--no-full] "
                      "[--no-sim]\n"
                      "                    [--dir DIR] [--sim-ns N] [--batch ROWS] [--cache MB]\n"
                      "                    [--checkpoint PAGES|-1] [--ring EVENTS]\n");
      return 2;
    }
  }
  if (reps < 1 || reps > MAX_REPS) die("--reps", "must be 1..32");
  if (rows < 32) die("--rows", "must be at least 32");
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s/aatgs-bench-record-XXXXXX", base);
  if (!mkdtemp(dir)) die("mkdtemp", dir);
  snprintf(path, sizeof path, "%s/bench.db", dir);
  printf("bench_record: SQLite %s, %ld CPUs online, %d reps, files in %s\n", sqlite3_libversion(),
         sysconf(_SC_NPROCESSORS_ONLN), reps, dir);

  sample a1[MAX_REPS], a32[MAX_REPS], b[MAX_REPS];
  for (int r = 0; r < reps; r++) {
    a1[r] = ceiling(path, rows, 1);
    a32[r] = ceiling(path, rows, 32);
    b[r] = sink_decisions(path, rows);
  }
  double c1b, c1m, c32b, c32m, sb, sm;
  printf("decision rows:\n");
  report("ceiling_1row", "(a)  ceiling, 1-row INSERT", a1, reps, &c1b, &c1m);
  report("ceiling_32row", "(a') ceiling, 32-row INSERT", a32, reps, &c32b, &c32m);
  report("sink", "(b)  sink (emit..run_end)", b, reps, &sb, &sm);
  printf("  sink / ceiling: %.0f%% of (a), %.0f%% of (a') at the best; %.0f%% and %.0f%% at the "
         "median\n",
         100 * sb / c1b, 100 * sb / c32b, 100 * sm / c1m, 100 * sm / c32m);
  printf("{\"bench\": \"record\", \"case\": \"ratio\", \"best_sink_over_ceiling_1row\": %.3f, "
         "\"best_sink_over_ceiling_32row\": %.3f, \"median_sink_over_ceiling_1row\": %.3f, "
         "\"median_sink_over_ceiling_32row\": %.3f}\n",
         sb / c1b, sb / c32b, sm / c1m, sm / c32m);

  if (full && tasks) {
    double tg = now_s();
    aatgs_graph *g = layered(tasks, 1000 < tasks ? 1000 : tasks);
    printf("layered DAG: %u tasks, %" PRIu64 " edges (built in %.2f s, not timed), producer work "
           "%" PRId64 " ns/task\n",
           tasks, aatgs_graph_num_edges(g), now_s() - tg, g_sim_ns);
    sample first[MAX_REPS], repeat[MAX_REPS], total[MAX_REPS];
    sample sim_only[MAX_REPS], sim_rec[MAX_REPS];
    uint64_t events = 0;
    for (int r = 0; r < reps; r++) {
      full_sample f = full_run(path, g);
      first[r] = f.first;
      repeat[r] = f.repeat;
      total[r] = f.first;
      total[r].secs = f.open_s + f.first.secs + f.close_s;
      total[r].close_s = f.close_s;
      if (with_sim) {
        sim_only[r] = simulated(path, g, 0, &events);
        sim_rec[r] = simulated(path, g, 1, &events);
      }
    }
    report("full_first_run", "(c)  first run (graph + events)", first, reps, NULL, NULL);
    report("full_repeat_run", "(c)  repeat run (events only)", repeat, reps, NULL, NULL);
    report("full_first_open_close", "(c)  first run, open to close", total, reps, NULL, NULL);
    if (with_sim) {
      printf("simulated run (dispatch loop, sim backend, fifo): %" PRIu64 " events\n", events);
      report("sim_only", "(d)  simulation, no sink", sim_only, reps, NULL, NULL);
      report("sim_and_record", "(d)  simulation + sink, open..close", sim_rec, reps, NULL, NULL);
    }
    aatgs_graph_destroy(g);
  }
  rmdir(dir);
  return 0;
}
