/* test_sqlite_sink.c - the SQLite sink (traces/sqlite_sink.h) on real files.
 *
 * Every test writes runs through the sink into a database in its own temporary
 * folder and reads them back with plain SQL on a separate connection.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"
#include "sink.h"
#include "sqlite_sink.h"

/* ---------------------------------------------------------------- helpers */

static char g_dir[256];
static char g_db[320];

static void make_dir(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/aatgs-test-sink-XXXXXX");
  cr_assert_not_null(mkdtemp(g_dir));
  snprintf(g_db, sizeof g_db, "%s/trace.db", g_dir);
}

static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
      chmod(p, 0755);
      remove_tree(p);
    } else {
      unlink(p);
    }
  }
  closedir(d);
  rmdir(dir);
}

static void cleanup_dir(void) { remove_tree(g_dir); }

TestSuite(sink, .init = make_dir, .fini = cleanup_dir, .timeout = 60);

static sqlite3 *ro(const char *path) {
  sqlite3 *db = NULL;
  cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK, "%s",
               sqlite3_errmsg(db));
  sqlite3_busy_timeout(db, 5000);
  return db;
}

static int64_t q_int(sqlite3 *db, const char *fmt, ...) {
  char sql[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s", sql,
               sqlite3_errmsg(db));
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no row: %s", sql);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static bool q_null(sqlite3 *db, const char *fmt, ...) {
  char sql[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no row: %s", sql);
  bool v = sqlite3_column_type(st, 0) == SQLITE_NULL;
  sqlite3_finalize(st);
  return v;
}

static double q_dbl(sqlite3 *db, const char *fmt, ...) {
  char sql[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no row: %s", sql);
  double v = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* Returns a malloc'd copy of the text result ("<null>" for NULL). */
static char *q_text(sqlite3 *db, const char *fmt, ...) {
  char sql[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof sql, fmt, ap);
  va_end(ap);
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no row: %s", sql);
  const unsigned char *t = sqlite3_column_text(st, 0);
  char *v = strdup(t ? (const char *)t : "<null>");
  sqlite3_finalize(st);
  return v;
}

static void expect_text(sqlite3 *db, const char *want, const char *sql) {
  char *got = q_text(db, "%s", sql);
  cr_expect_str_eq(got, want, "%s", sql);
  free(got);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A small graph: 6 tasks (one of a custom type), 6 edges, bytes and a label.
 * `variant` changes one estimate, which makes a different graph. */
static aatgs_graph *small_graph(int variant) {
  aatgs_graph *g = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_graph_create(&g, 8, 8), AATGS_OK);
  uint32_t gemm = 0, id = 0;
  cr_assert_eq(aatgs_graph_add_type(g, "gemm", 2 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, &gemm),
               AATGS_OK);
  uint32_t d01[] = {0}, d12[] = {1, 0}, d3[] = {2}, d4[] = {2, 3};
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0, &id, &err), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_WHCR, 0, d01, 1, &id, &err), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, gemm, 3 * AATGS_NS_PER_MS + variant, d12, 2, &id, &err),
               AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_QUANTUM, 0, d3, 1, &id, &err), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_LBS, 0, d4, 2, &id, &err), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_TELEMETRY_DOWNLOAD, 0, NULL, 0, &id, &err),
               AATGS_OK);
  cr_assert_eq(aatgs_graph_set_bytes(g, 0, 4096), AATGS_OK);
  cr_assert_eq(aatgs_graph_set_label(g, 2, "gemm 'big'"), AATGS_OK);
  cr_assert_eq(aatgs_graph_finalize(g, &err), AATGS_OK, "%s", err.msg);
  return g;
}

static aatgs_stream_info g_streams[3];

static aatgs_run_info make_info(const aatgs_graph *g, const char *policy, uint64_t seed) {
  aatgs_run_info info;
  memset(&info, 0, sizeof info);
  for (uint32_t i = 0; i < 3; i++) {
    g_streams[i].id = i;
    g_streams[i].cls = i == 0   ? AATGS_CLASS_KERNEL
                       : i == 1 ? AATGS_CLASS_UPLOAD
                                : AATGS_CLASS_DOWNLOAD;
    snprintf(g_streams[i].name, sizeof g_streams[i].name, "%s",
             i == 0   ? "kernel-0"
             : i == 1 ? "config-upload"
                      : "telemetry-download");
  }
  info.scenario = "small";
  info.scenario_path = "scenarios/small.yaml";
  info.scenario_text = "name: small\ngenerator: manual\n";
  info.scenario_hash = "abc123";
  info.params_json = "{\"n\": 6}";
  info.seed = seed;
  info.rep = 2;
  info.policy = policy;
  info.backend = "sim";
  info.profile_name = "h100-sim";
  info.profile_text = "kernel_streams: 1\n";
  info.host = "testhost (Linux 6.1 x86_64)";
  info.gpu = NULL;
  info.driver = "none";
  info.code_version = "test-1.0";
  info.graph = g;
  info.streams = g_streams;
  info.n_streams = 3;
  return info;
}

static aatgs_sqlite_sink *open_sink(const aatgs_sqlite_options *o, aatgs_sink *sink) {
  aatgs_sqlite_sink *s = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_sqlite_sink_open(&s, g_db, o, &err), AATGS_OK, "%s", err.msg);
  aatgs_sqlite_sink_as_sink(s, sink);
  return s;
}

static void close_sink(aatgs_sqlite_sink *s) {
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_assert_eq(aatgs_sqlite_sink_close(s, &err), AATGS_OK, "%s", err.msg);
}

static aatgs_event decision(uint64_t i) {
  aatgs_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = AATGS_EV_DECISION;
  ev.u.decision.seq = i;
  ev.u.decision.t_ns = (aatgs_ns)(1000 * i + 7);
  ev.u.decision.task = (uint32_t)(i % 6);
  ev.u.decision.stream = (uint32_t)(i % 3);
  ev.u.decision.ready_size = (uint32_t)(i % 5);
  ev.u.decision.priority = 0.25 * (double)i;
  ev.u.decision.est_ns = (aatgs_ns)(5000 + i);
  ev.u.decision.cost_ns = (aatgs_ns)(100 + i % 7);
  return ev;
}

static void emit_ok(const aatgs_sink *sink, const aatgs_event *ev) {
  cr_assert_eq(sink->emit(sink->ctx, ev), AATGS_OK);
}

/* Counts of what emit_mixed sends. */
#define MIX_DECISIONS 100
#define MIX_TASKS 6
#define MIX_SNAPS 3
#define MIX_RINGS 3

/* Emits MIX_DECISIONS decisions, 6 task events, 4 telemetry events (one of
 * each kind), 3 snapshots and 3 ring samples. */
static uint64_t emit_mixed(const aatgs_sink *sink) {
  uint64_t n = 0;
  for (uint64_t i = 0; i < MIX_DECISIONS; i++, n++) {
    aatgs_event ev = decision(i);
    emit_ok(sink, &ev);
  }
  for (uint32_t t = 0; t < MIX_TASKS; t++, n++) {
    aatgs_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_TASK;
    ev.u.task.task = t;
    ev.u.task.stream = t == 5 ? UINT32_MAX : t % 3;
    ev.u.task.status = t == 4 ? AATGS_EBACKEND : AATGS_OK;
    ev.u.task.ready_ns = 10 * t;
    ev.u.task.submit_ns = 10 * t + 1;
    ev.u.task.start_ns = 10 * t + 2;
    ev.u.task.end_ns = 10 * t + 9;
    emit_ok(sink, &ev);
  }
  aatgs_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = AATGS_EV_TELEMETRY;
  ev.u.tel.kind = AATGS_TEL_PHASE;
  ev.u.tel.t_ns = 500;
  ev.u.tel.u.phase.phase_id = 3;
  ev.u.tel.u.phase.temperature = 1.5f;
  ev.u.tel.u.phase.compaction_ratio = 0.25f;
  ev.u.tel.u.phase.reward = -2.0f;
  ev.u.tel.u.phase.conflicts = 12345678901ULL;
  ev.u.tel.u.phase.duration_ns = 777;
  emit_ok(sink, &ev);
  memset(&ev.u.tel, 0, sizeof ev.u.tel);
  ev.u.tel.kind = AATGS_TEL_GPU;
  ev.u.tel.t_ns = 600;
  ev.u.tel.u.gpu.utilization = 0.75f;
  ev.u.tel.u.gpu.memory_used_mb = 1024;
  ev.u.tel.u.gpu.memory_total_mb = 81920;
  ev.u.tel.u.gpu.kernel_duration_ns = 4000;
  ev.u.tel.u.gpu.transfer_duration_ns = 300;
  emit_ok(sink, &ev);
  memset(&ev.u.tel, 0, sizeof ev.u.tel);
  ev.u.tel.kind = AATGS_TEL_TASK_COMPLETED;
  ev.u.tel.t_ns = 700;
  ev.u.tel.u.done.task = 2;
  ev.u.tel.u.done.sm = UINT32_MAX;
  ev.u.tel.u.done.gpu_start_ns = 650;
  ev.u.tel.u.done.gpu_end_ns = 690;
  ev.u.tel.u.done.duration_ns = 40;
  emit_ok(sink, &ev);
  memset(&ev.u.tel, 0, sizeof ev.u.tel);
  ev.u.tel.kind = AATGS_TEL_ERROR;
  ev.u.tel.t_ns = 800;
  snprintf(ev.u.tel.u.error, sizeof ev.u.tel.u.error, "kernel 'x' failed");
  emit_ok(sink, &ev);
  n += 4;
  for (uint32_t i = 0; i < MIX_SNAPS; i++, n++) {
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_SNAPSHOT;
    ev.u.snap.t_ns = 100 * (i + 1);
    ev.u.snap.avg_task_ns = 50 + i;
    ev.u.snap.gpu_util = 0.5;
    ev.u.snap.config_util = 0.125;
    ev.u.snap.telemetry_util = 0.0625;
    ev.u.snap.telemetry_pending = 4;
    ev.u.snap.pending = 3 - i;
    ev.u.snap.ready = 1;
    ev.u.snap.running = 1;
    ev.u.snap.completed = i;
    ev.u.snap.est_completion_ns = 1000 - i;
    ev.u.snap.interval_ns = 100;
    emit_ok(sink, &ev);
  }
  for (uint32_t i = 0; i < MIX_RINGS; i++, n++) {
    memset(&ev, 0, sizeof ev);
    ev.kind = AATGS_EV_RING;
    ev.u.ring.t_ns = 100 * (i + 1);
    ev.u.ring.ring = i;
    ev.u.ring.len = 16;
    ev.u.ring.cap = 64;
    ev.u.ring.overflows = i;
    emit_ok(sink, &ev);
  }
  return n;
}

static aatgs_run_result result(aatgs_run_status st, aatgs_ns makespan, uint64_t events) {
  aatgs_run_result r;
  memset(&r, 0, sizeof r);
  r.status = st;
  r.makespan_ns = makespan;
  r.lower_bound_ns = makespan / 2;
  r.critical_path_ns = makespan / 3;
  r.total_work_ns = makespan * 2;
  r.tasks_completed = 6;
  r.decisions = MIX_DECISIONS;
  r.mean_decision_ns = 123.5;
  r.max_decision_ns = 999;
  r.events = events;
  r.config_overflows = 1;
  r.telemetry_overflows = 2;
  r.telemetry_evictions = 3;
  r.event_hash = UINT64_C(0x00ab00cd00ef0012);
  return r;
}

/* --------------------------------------------------------------- round trip */

Test(sink, run_round_trips_through_plain_sql) {
  aatgs_graph *g = small_graph(0);
  aatgs_sink sink;
  aatgs_sqlite_sink *s = open_sink(NULL, &sink);
  aatgs_err err;
  aatgs_err_clear(&err);
  aatgs_run_info info = make_info(g, "fifo", UINT64_C(0xfedcba9876543210));
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  int64_t run = aatgs_sqlite_sink_run_id(s);
  cr_assert_gt(run, 0);
  uint64_t n = emit_mixed(&sink);
  aatgs_run_result res = result(AATGS_RUN_COMPLETED, 5 * AATGS_NS_PER_MS, n);
  cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  close_sink(s);

  sqlite3 *db = ro(g_db);
  /* Row counts equal what was emitted. */
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions WHERE run_id = %" PRId64, run),
               MIX_DECISIONS);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM task_events WHERE run_id = %" PRId64, run),
               MIX_TASKS);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM telemetry WHERE run_id = %" PRId64, run), 4);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM snapshots WHERE run_id = %" PRId64, run), MIX_SNAPS);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM ring_samples WHERE run_id = %" PRId64, run),
               MIX_RINGS);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM streams WHERE run_id = %" PRId64, run), 3);

  /* Decisions: every value, in order. */
  sqlite3_stmt *st = NULL;
  cr_assert_eq(sqlite3_prepare_v2(db,
                                  "SELECT seq, t_ns, task_id, stream, priority, ready_size, "
                                  "est_ns, cost_ns FROM decisions ORDER BY seq",
                                  -1, &st, NULL),
               SQLITE_OK);
  uint64_t i = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    aatgs_event e = decision(i);
    cr_expect_eq(sqlite3_column_int64(st, 0), (int64_t)i);
    cr_expect_eq(sqlite3_column_int64(st, 1), e.u.decision.t_ns);
    cr_expect_eq(sqlite3_column_int64(st, 2), e.u.decision.task);
    cr_expect_eq(sqlite3_column_int64(st, 3), e.u.decision.stream);
    cr_expect_eq(sqlite3_column_double(st, 4), e.u.decision.priority);
    cr_expect_eq(sqlite3_column_int64(st, 5), e.u.decision.ready_size);
    cr_expect_eq(sqlite3_column_int64(st, 6), e.u.decision.est_ns);
    cr_expect_eq(sqlite3_column_int64(st, 7), e.u.decision.cost_ns);
    i++;
  }
  sqlite3_finalize(st);
  cr_expect_eq(i, MIX_DECISIONS);

  /* Task events: one per task, duration = end - start, NULL stream. */
  cr_expect_eq(q_int(db, "SELECT sum(end_ns - start_ns) FROM task_events"), 6 * 7);
  cr_expect_eq(q_int(db, "SELECT status FROM task_events WHERE task_id = 4"), AATGS_EBACKEND);
  cr_expect(q_null(db, "SELECT stream FROM task_events WHERE task_id = 5"));
  cr_expect_eq(
      q_int(db, "SELECT ready_ns + submit_ns + start_ns FROM task_events WHERE task_id = 3"),
      30 + 31 + 32);

  /* Telemetry: each kind's values, NULL elsewhere, seq in emit order. */
  expect_text(db, "phase,gpu,task_completed,error",
              "SELECT group_concat(kind) FROM (SELECT kind FROM telemetry ORDER BY seq)");
  cr_expect_eq(q_int(db, "SELECT phase_id FROM telemetry WHERE kind = 'phase'"), 3);
  cr_expect_eq(q_dbl(db, "SELECT temperature FROM telemetry WHERE kind = 'phase'"), 1.5);
  cr_expect_eq(q_dbl(db, "SELECT compaction_ratio FROM telemetry WHERE kind = 'phase'"), 0.25);
  cr_expect_eq(q_dbl(db, "SELECT reward FROM telemetry WHERE kind = 'phase'"), -2.0);
  cr_expect_eq(q_int(db, "SELECT conflicts FROM telemetry WHERE kind = 'phase'"), 12345678901LL);
  cr_expect_eq(q_int(db, "SELECT duration_ns FROM telemetry WHERE kind = 'phase'"), 777);
  cr_expect(q_null(db, "SELECT task_id FROM telemetry WHERE kind = 'phase'"));
  cr_expect(q_null(db, "SELECT utilization FROM telemetry WHERE kind = 'phase'"));
  cr_expect_eq(q_dbl(db, "SELECT utilization FROM telemetry WHERE kind = 'gpu'"), 0.75);
  cr_expect_eq(q_int(db, "SELECT memory_used_mb FROM telemetry WHERE kind = 'gpu'"), 1024);
  cr_expect_eq(q_int(db, "SELECT memory_total_mb FROM telemetry WHERE kind = 'gpu'"), 81920);
  cr_expect_eq(q_int(db, "SELECT kernel_duration_ns FROM telemetry WHERE kind = 'gpu'"), 4000);
  cr_expect_eq(q_int(db, "SELECT transfer_duration_ns FROM telemetry WHERE kind = 'gpu'"), 300);
  cr_expect(q_null(db, "SELECT phase_id FROM telemetry WHERE kind = 'gpu'"));
  cr_expect_eq(q_int(db, "SELECT task_id FROM telemetry WHERE kind = 'task_completed'"), 2);
  cr_expect(q_null(db, "SELECT sm FROM telemetry WHERE kind = 'task_completed'"));
  cr_expect_eq(q_int(db, "SELECT gpu_end_ns - gpu_start_ns FROM telemetry "
                         "WHERE kind = 'task_completed'"),
               40);
  cr_expect_eq(q_int(db, "SELECT duration_ns FROM telemetry WHERE kind = 'task_completed'"), 40);
  expect_text(db, "kernel 'x' failed", "SELECT message FROM telemetry WHERE kind = 'error'");
  cr_expect_eq(q_int(db, "SELECT t_ns FROM telemetry WHERE kind = 'error'"), 800);
  cr_expect(q_null(db, "SELECT message FROM telemetry WHERE kind = 'gpu'"));

  /* Snapshots and ring samples. */
  cr_expect_eq(q_int(db, "SELECT sum(avg_task_ns) FROM snapshots"), 50 + 51 + 52);
  cr_expect_eq(q_dbl(db, "SELECT config_util FROM snapshots WHERE t_ns = 200"), 0.125);
  cr_expect_eq(q_int(db, "SELECT est_completion_ns FROM snapshots WHERE t_ns = 300"), 998);
  expect_text(db, "config,telemetry,collector",
              "SELECT group_concat(ring) FROM (SELECT ring FROM ring_samples ORDER BY t_ns)");
  cr_expect_eq(q_dbl(db, "SELECT utilization FROM ring_samples WHERE ring = 'config'"), 0.25);
  cr_expect_eq(q_int(db, "SELECT capacity FROM ring_samples WHERE ring = 'collector'"), 64);
  cr_expect_eq(q_int(db, "SELECT overflows FROM ring_samples WHERE ring = 'collector'"), 2);

  /* The runs row: provenance and result. */
  expect_text(db, "completed", "SELECT status FROM runs");
  expect_text(db, "small", "SELECT scenario FROM runs");
  expect_text(db, "scenarios/small.yaml", "SELECT scenario_path FROM runs");
  expect_text(db, "name: small\ngenerator: manual\n", "SELECT scenario_text FROM runs");
  expect_text(db, "abc123", "SELECT scenario_hash FROM runs");
  expect_text(db, "{\"n\": 6}", "SELECT params_json FROM runs");
  cr_expect_eq((uint64_t)q_int(db, "SELECT seed FROM runs"), UINT64_C(0xfedcba9876543210));
  cr_expect_eq(q_int(db, "SELECT rep FROM runs"), 2);
  expect_text(db, "fifo", "SELECT policy FROM runs");
  expect_text(db, "sim", "SELECT backend FROM runs");
  expect_text(db, "h100-sim", "SELECT profile_name FROM runs");
  expect_text(db, "kernel_streams: 1\n", "SELECT profile_text FROM runs");
  expect_text(db, "<null>", "SELECT gpu FROM runs");
  expect_text(db, "none", "SELECT driver FROM runs");
  expect_text(db, "test-1.0", "SELECT code_version FROM runs");
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  expect_text(db, host, "SELECT writer_host FROM runs");
  expect_text(db, "testhost (Linux 6.1 x86_64)", "SELECT host FROM runs");
  cr_expect_eq(q_int(db, "SELECT pid FROM runs"), (int64_t)getpid());
  cr_expect_eq(q_int(db, "SELECT n_tasks FROM runs"), 6);
  cr_expect_eq(q_int(db, "SELECT n_edges FROM runs"), 6);
  cr_expect_eq(q_int(db, "SELECT n_streams FROM runs"), 3);
  cr_expect_eq(q_int(db, "SELECT makespan_ns FROM runs"), 5 * AATGS_NS_PER_MS);
  cr_expect_eq(q_int(db, "SELECT lower_bound_ns FROM runs"), res.lower_bound_ns);
  cr_expect_eq(q_int(db, "SELECT critical_path_ns FROM runs"), res.critical_path_ns);
  cr_expect_eq(q_int(db, "SELECT total_work_ns FROM runs"), res.total_work_ns);
  cr_expect_eq(q_int(db, "SELECT tasks_completed FROM runs"), 6);
  cr_expect_eq(q_int(db, "SELECT decisions FROM runs"), MIX_DECISIONS);
  cr_expect_eq(q_dbl(db, "SELECT mean_decision_ns FROM runs"), 123.5);
  cr_expect_eq(q_int(db, "SELECT max_decision_ns FROM runs"), 999);
  cr_expect_eq(q_int(db, "SELECT events FROM runs"), (int64_t)n);
  cr_expect_eq(q_int(db, "SELECT config_overflows + 10 * telemetry_overflows + "
                         "100 * telemetry_evictions FROM runs"),
               321);
  expect_text(db, "00ab00cd00ef0012", "SELECT event_hash FROM runs");
  cr_expect(q_null(db, "SELECT error FROM runs"));
  int64_t started = q_int(db, "SELECT started_at_ns FROM runs");
  int64_t ended = q_int(db, "SELECT ended_at_ns FROM runs");
  cr_expect_gt(started, INT64_C(1600000000) * AATGS_NS_PER_S, "wall clock, Unix ns");
  cr_expect_geq(ended, started);

  /* Streams and the graph. */
  expect_text(db, "kernel:kernel-0,upload:config-upload,download:telemetry-download",
              "SELECT group_concat(class || ':' || name) FROM "
              "(SELECT class, name FROM streams ORDER BY stream)");
  int64_t gid = q_int(db, "SELECT graph_id FROM runs");
  cr_expect_eq(q_int(db, "SELECT count(*) FROM tasks WHERE graph_id = %" PRId64, gid), 6);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM edges WHERE graph_id = %" PRId64, gid), 6);
  cr_expect_eq(q_int(db, "SELECT complete FROM graphs"), 1);
  cr_expect_eq(q_int(db, "SELECT n_tasks * 100 + n_edges FROM graphs"), 606);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM edges WHERE src = 0 AND dst IN (1, 2)"), 2);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM edges WHERE dst = 4 AND src IN (2, 3)"), 2);
  cr_expect_eq(q_int(db, "SELECT bytes FROM tasks WHERE task_id = 0"), 4096);
  expect_text(db, "gemm 'big'", "SELECT label FROM tasks WHERE task_id = 2");
  cr_expect(q_null(db, "SELECT label FROM tasks WHERE task_id = 1"));
  cr_expect_eq(q_int(db, "SELECT est_ns FROM tasks WHERE task_id = 2"), 3 * AATGS_NS_PER_MS);
  cr_expect_eq(q_int(db, "SELECT est_ns FROM tasks WHERE task_id = 1"),
               aatgs_graph_task_estimate(g, 1));
  expect_text(db, "gemm:kernel",
              "SELECT tt.name || ':' || tt.class FROM tasks t JOIN task_types tt "
              "ON tt.graph_id = t.graph_id AND tt.type_id = t.type WHERE t.task_id = 2");
  expect_text(db, "config_upload:upload",
              "SELECT name || ':' || class FROM task_types WHERE type_id = 0");
  cr_expect_eq(q_int(db, "SELECT count(*) FROM task_types"), aatgs_graph_num_types(g));
  /* The view joins task events with their task data. */
  cr_expect_eq(q_int(db, "SELECT count(*) FROM task_timeline WHERE run_id = %" PRId64, run), 6);
  expect_text(db, "gemm", "SELECT type_name FROM task_timeline WHERE task_id = 2");

  /* run_rows bounds each table's rows of the run. */
  cr_expect_eq(q_int(db, "SELECT count(*) FROM run_rows WHERE run_id = %" PRId64, run), 5);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM telemetry WHERE rowid BETWEEN "
                         "(SELECT first_rowid FROM run_rows WHERE tbl = 'telemetry') AND "
                         "(SELECT last_rowid FROM run_rows WHERE tbl = 'telemetry')"),
               4);
  cr_expect_eq(q_int(db, "SELECT rows FROM run_rows WHERE tbl = 'decisions'"), MIX_DECISIONS);
  cr_expect_eq(q_int(db, "SELECT last_rowid - first_rowid + 1 FROM run_rows "
                         "WHERE tbl = 'decisions'"),
               MIX_DECISIONS);
  /* Views. */
  cr_expect_eq(q_dbl(db, "SELECT efficiency FROM run_summary"), 0.5);
  cr_expect_eq(q_int(db, "SELECT runs FROM policy_summary"), 1);
  cr_expect(q_null(db, "SELECT stddev_makespan_ns FROM policy_summary"));
  expect_text(db, "2", "SELECT value FROM meta WHERE key = 'schema_version'");
  sqlite3_close(db);
  aatgs_graph_destroy(g);
}

Test(sink, emit_needs_an_open_run) {
  aatgs_sink sink;
  aatgs_sqlite_sink *s = open_sink(NULL, &sink);
  aatgs_event ev = decision(0);
  cr_expect_eq(sink.emit(sink.ctx, &ev), AATGS_ESTATE);
  aatgs_err err;
  aatgs_err_clear(&err);
  aatgs_run_result res = result(AATGS_RUN_COMPLETED, 1, 0);
  cr_expect_eq(sink.run_end(sink.ctx, &res, &err), AATGS_ESTATE);
  cr_expect_eq(aatgs_sqlite_sink_run_id(s), 0);
  close_sink(s);
  cr_expect_eq(aatgs_sqlite_sink_close(NULL, NULL), AATGS_OK);
}

Test(sink, many_events_through_a_tiny_ring_are_all_written) {
  aatgs_sqlite_options o;
  aatgs_sqlite_options_default(&o);
  o.ring_capacity = 16; /* forces the producer to wait for the writer */
  o.batch_rows = 1000;  /* many commits */
  aatgs_sink sink;
  aatgs_sqlite_sink *s = open_sink(&o, &sink);
  aatgs_err err;
  aatgs_err_clear(&err);
  aatgs_run_info info = make_info(NULL, "fifo", 1);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  const uint64_t n = 50000;
  for (uint64_t i = 0; i < n; i++) {
    aatgs_event ev = decision(i);
    emit_ok(&sink, &ev);
  }
  aatgs_run_result res = result(AATGS_RUN_COMPLETED, 1, n);
  cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  cr_expect_eq(aatgs_sqlite_sink_rows_written(s), n);
  close_sink(s);
  sqlite3 *db = ro(g_db);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions"), (int64_t)n);
  cr_expect_eq(q_int(db, "SELECT count(DISTINCT seq) FROM decisions"), (int64_t)n);
  cr_expect_eq(q_int(db, "SELECT max(seq) FROM decisions"), (int64_t)n - 1);
  cr_expect_eq(q_int(db, "SELECT sum(t_ns) FROM decisions"),
               (int64_t)(1000 * (n * (n - 1) / 2) + 7 * n));
  /* Rowid order is emission order. */
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions a JOIN decisions b "
                         "ON b.rowid = a.rowid + 1 WHERE b.seq != a.seq + 1"),
               0);
  cr_expect(q_null(db, "SELECT graph_id FROM runs"));
  sqlite3_close(db);
}

/* ------------------------------------------------------------- graph reuse */

Test(sink, a_graph_is_stored_once_for_runs_of_the_same_graph) {
  aatgs_graph *g = small_graph(0), *g_same = small_graph(0), *g_other = small_graph(1);
  aatgs_sink sink;
  aatgs_sqlite_sink *s = open_sink(NULL, &sink);
  aatgs_err err;
  aatgs_err_clear(&err);
  const aatgs_graph *graphs[4] = {g, g, g_same, g_other};
  const char *policies[4] = {"fifo", "adaptive", "heft", "fifo"};
  for (int r = 0; r < 4; r++) {
    aatgs_run_info info = make_info(graphs[r], policies[r], (uint64_t)r);
    cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
    uint64_t n = emit_mixed(&sink);
    aatgs_run_result res = result(AATGS_RUN_COMPLETED, 1000 + r, n);
    cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  }
  close_sink(s);
  /* A second sink on the same file reuses it too. */
  s = open_sink(NULL, &sink);
  aatgs_run_info info = make_info(g_same, "sjf", 9);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  aatgs_run_result res = result(AATGS_RUN_COMPLETED, 2000, 0);
  cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  close_sink(s);

  sqlite3 *db = ro(g_db);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM runs"), 5);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM graphs"), 2);
  cr_expect_eq(q_int(db, "SELECT count(DISTINCT graph_id) FROM runs"), 2);
  cr_expect_eq(q_int(db, "SELECT count(DISTINCT graph_id) FROM runs WHERE run_id IN (1,2,3,5)"), 1);
  cr_expect_neq(q_int(db, "SELECT graph_id FROM runs WHERE run_id = 4"),
                q_int(db, "SELECT graph_id FROM runs WHERE run_id = 1"));
  cr_expect_eq(q_int(db, "SELECT count(*) FROM tasks"), 12);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM edges"), 12);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions"), 4 * MIX_DECISIONS);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions WHERE run_id = 3"), MIX_DECISIONS);
  /* Each run's rows lie inside its run_rows range. */
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions d JOIN run_rows r ON r.run_id = d.run_id "
                         "AND r.tbl = 'decisions' WHERE d.rowid NOT BETWEEN r.first_rowid "
                         "AND r.last_rowid"),
               0);
  sqlite3_close(db);
  aatgs_graph_destroy(g);
  aatgs_graph_destroy(g_same);
  aatgs_graph_destroy(g_other);
}

/* ------------------------------------------------------- interrupted runs */

Test(sink, an_interrupted_run_keeps_its_rows_and_status) {
  aatgs_graph *g = small_graph(0);
  aatgs_sink sink;
  aatgs_sqlite_sink *s = open_sink(NULL, &sink);
  aatgs_err err;
  aatgs_err_clear(&err);
  aatgs_run_info info = make_info(g, "fifo", 1);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  for (uint64_t i = 0; i < 40; i++) {
    aatgs_event ev = decision(i);
    emit_ok(&sink, &ev);
  }
  aatgs_run_result res = result(AATGS_RUN_INTERRUPTED, 0, 40);
  snprintf(res.error, sizeof res.error, "interrupted by SIGINT");
  cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  /* A run left open at close is recorded as interrupted too. */
  info = make_info(g, "adaptive", 2);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  for (uint64_t i = 0; i < 7; i++) {
    aatgs_event ev = decision(i);
    emit_ok(&sink, &ev);
  }
  close_sink(s);
  sqlite3 *db = ro(g_db);
  expect_text(db, "interrupted", "SELECT status FROM runs WHERE run_id = 1");
  expect_text(db, "interrupted by SIGINT", "SELECT error FROM runs WHERE run_id = 1");
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions WHERE run_id = 1"), 40);
  cr_expect_eq(q_int(db, "SELECT events FROM runs WHERE run_id = 1"), 40);
  cr_expect(!q_null(db, "SELECT ended_at_ns FROM runs WHERE run_id = 1"));
  expect_text(db, "interrupted", "SELECT status FROM runs WHERE run_id = 2");
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions WHERE run_id = 2"), 7);
  char *e = q_text(db, "SELECT error FROM runs WHERE run_id = 2");
  cr_expect(strstr(e, "closed") != NULL, "%s", e);
  free(e);
  sqlite3_close(db);
  aatgs_graph_destroy(g);
}

Test(sink, a_killed_process_leaves_a_database_that_opens_with_its_run_interrupted) {
  aatgs_graph *g = small_graph(0);
  aatgs_sink sink;
  aatgs_err err;
  aatgs_err_clear(&err);
  /* Run 1 completes normally. */
  aatgs_sqlite_sink *s = open_sink(NULL, &sink);
  aatgs_run_info info = make_info(g, "fifo", 1);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  uint64_t n1 = emit_mixed(&sink);
  aatgs_run_result res = result(AATGS_RUN_COMPLETED, 4242, n1);
  cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  close_sink(s);

  /* Run 2 is written by a child that dies without run_end or close: the
   * first 500 decisions wait out a commit interval, the next 300 do not. */
  fflush(NULL);
  pid_t pid = fork();
  cr_assert_neq(pid, -1);
  if (pid == 0) {
    aatgs_sqlite_sink *cs = NULL;
    aatgs_sink csink;
    aatgs_err cerr;
    aatgs_sqlite_options o;
    aatgs_sqlite_options_default(&o);
    o.commit_interval_ms = 50;
    if (aatgs_sqlite_sink_open(&cs, g_db, &o, &cerr) != AATGS_OK) _exit(10);
    aatgs_sqlite_sink_as_sink(cs, &csink);
    aatgs_run_info ci = make_info(g, "adaptive", 2);
    if (csink.run_begin(csink.ctx, &ci, &cerr) != AATGS_OK) _exit(11);
    for (uint64_t i = 0; i < 500; i++) {
      aatgs_event ev = decision(i);
      if (csink.emit(csink.ctx, &ev) != AATGS_OK) _exit(12);
    }
    struct timespec ts = {0, 400 * 1000 * 1000};
    nanosleep(&ts, NULL);
    for (uint64_t i = 500; i < 800; i++) {
      aatgs_event ev = decision(i);
      if (csink.emit(csink.ctx, &ev) != AATGS_OK) _exit(13);
    }
    _exit(0); /* killed: no run_end, no close */
  }
  int status = 0;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);

  sqlite3 *db = ro(g_db);
  expect_text(db, "running", "SELECT status FROM runs WHERE run_id = 2");
  sqlite3_close(db);

  /* Opening the database marks the dead run interrupted; run 1 is intact. */
  s = open_sink(NULL, &sink);
  info = make_info(g, "heft", 3);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  res = result(AATGS_RUN_COMPLETED, 99, 0);
  cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  close_sink(s);
  db = ro(g_db);
  expect_text(db, "ok", "PRAGMA integrity_check");
  expect_text(db, "interrupted", "SELECT status FROM runs WHERE run_id = 2");
  char *e = q_text(db, "SELECT error FROM runs WHERE run_id = 2");
  char want[64];
  snprintf(want, sizeof want, "process %d", (int)pid);
  cr_expect(strstr(e, want) != NULL, "%s", e);
  free(e);
  int64_t d2 = q_int(db, "SELECT count(*) FROM decisions WHERE run_id = 2");
  cr_expect_geq(d2, 500, "rows committed before the interval passed are kept (%" PRId64 ")", d2);
  cr_expect_leq(d2, 800);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions WHERE run_id = 2 AND seq >= %" PRId64, d2),
               0, "a prefix of the run was kept");
  expect_text(db, "completed", "SELECT status FROM runs WHERE run_id = 1");
  cr_expect_eq(q_int(db, "SELECT makespan_ns FROM runs WHERE run_id = 1"), 4242);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM decisions WHERE run_id = 1"), MIX_DECISIONS);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM telemetry WHERE run_id = 1"), 4);
  expect_text(db, "completed", "SELECT status FROM runs WHERE run_id = 3");
  sqlite3_close(db);
  aatgs_graph_destroy(g);
}

/* ------------------------------------------------------ unwritable paths */

static void expect_open_fails(const char *path, int code, const char *reason) {
  aatgs_sqlite_sink *s = (aatgs_sqlite_sink *)&s;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_sqlite_sink_open(&s, path, NULL, &err), code, "%s: %s", path, err.msg);
  cr_expect_null(s);
  char want[512];
  snprintf(want, sizeof want, "cannot open database '%s': ", path);
  cr_expect(strncmp(err.msg, want, strlen(want)) == 0, "message: %s", err.msg);
  if (reason) cr_expect(strstr(err.msg, reason) != NULL, "message: %s", err.msg);
}

Test(sink, unwritable_paths_fail_at_open_naming_the_path) {
  expect_open_fails("/proc/x.db", AATGS_EIO, NULL);
  expect_open_fails(g_dir, AATGS_EIO, "directory");
  char p[400];
  snprintf(p, sizeof p, "%s/no/such/folder/x.db", g_dir);
  expect_open_fails(p, AATGS_EIO, "No such file");
  struct stat st;
  cr_expect(stat(p, &st) != 0);
}

Test(sink, a_read_only_folder_fails_at_open) {
  char ro_dir[400], p[480];
  snprintf(ro_dir, sizeof ro_dir, "%s/ro", g_dir);
  cr_assert_eq(mkdir(ro_dir, 0555), 0);
  chmod(ro_dir, 0555);
  snprintf(p, sizeof p, "%s/x.db", ro_dir);
  if (geteuid() != 0) {
    expect_open_fails(p, AATGS_EIO, "Permission denied");
    return;
  }
  /* root ignores permissions: check as an unprivileged user in a child. */
  chmod(g_dir, 0755);
  fflush(NULL);
  pid_t pid = fork();
  cr_assert_neq(pid, -1);
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(77);
    aatgs_sqlite_sink *s = NULL;
    aatgs_err err;
    aatgs_err_clear(&err);
    int rc = aatgs_sqlite_sink_open(&s, p, NULL, &err);
    char want[512];
    snprintf(want, sizeof want, "cannot open database '%s': ", p);
    if (rc != AATGS_EIO) _exit(1);
    if (strncmp(err.msg, want, strlen(want)) != 0) _exit(2);
    if (!strstr(err.msg, "Permission denied")) _exit(3);
    _exit(0);
  }
  int status = 0;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) cr_skip_test("cannot drop root privileges here");
  cr_expect_eq(WEXITSTATUS(status), 0, "child check %d failed", WEXITSTATUS(status));
  struct stat st;
  cr_expect(stat(p, &st) != 0, "nothing was created");
}

Test(sink, a_newer_schema_or_a_foreign_database_is_refused) {
  aatgs_sink sink;
  close_sink(open_sink(NULL, &sink));
  sqlite3 *db = ro(g_db);
  cr_assert_eq(sqlite3_exec(db, "UPDATE meta SET value = '3' WHERE key = 'schema_version'", NULL,
                            NULL, NULL),
               SQLITE_OK);
  sqlite3_close(db);
  aatgs_sqlite_sink *s = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_sqlite_sink_open(&s, g_db, NULL, &err), AATGS_EDB);
  cr_expect_null(s);
  cr_expect(strstr(err.msg, g_db) && strstr(err.msg, "schema version 3") &&
                strstr(err.msg, "newer"),
            "%s", err.msg);

  char other[400];
  snprintf(other, sizeof other, "%s/other.db", g_dir);
  cr_assert_eq(sqlite3_open(other, &db), SQLITE_OK);
  cr_assert_eq(
      sqlite3_exec(db, "CREATE TABLE foo (x); INSERT INTO foo VALUES (1);", NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_sqlite_sink_open(&s, other, NULL, &err), AATGS_EDB);
  cr_expect(strstr(err.msg, other) && strstr(err.msg, "not an AATGS database"), "%s", err.msg);
  db = ro(other);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM sqlite_master"), 1, "left untouched");
  sqlite3_close(db);

  snprintf(other, sizeof other, "%s/text.db", g_dir);
  FILE *f = fopen(other, "w");
  cr_assert_not_null(f);
  fputs("this is not a database, just some text that is long enough to have a header.\n", f);
  fclose(f);
  aatgs_err_clear(&err);
  cr_expect_eq(aatgs_sqlite_sink_open(&s, other, NULL, &err), AATGS_EDB);
  cr_expect(strstr(err.msg, other) != NULL, "%s", err.msg);
}

/* ----------------------------------------------------------- locked files */

static sqlite3 *lock_exclusive(void) {
  sqlite3 *db = ro(g_db);
  sqlite3_busy_timeout(db, 0);
  cr_assert_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK, "%s",
               sqlite3_errmsg(db));
  return db;
}

Test(sink, a_locked_database_gives_a_clear_error_without_hanging) {
  aatgs_sqlite_options o;
  aatgs_sqlite_options_default(&o);
  o.busy_timeout_ms = 300;
  aatgs_sink sink;
  close_sink(open_sink(&o, &sink)); /* create the file */

  /* Locked at open. */
  sqlite3 *lock = lock_exclusive();
  aatgs_sqlite_sink *s = NULL;
  aatgs_err err;
  aatgs_err_clear(&err);
  double t0 = now_s();
  cr_expect_eq(aatgs_sqlite_sink_open(&s, g_db, &o, &err), AATGS_EDB);
  double dt = now_s() - t0;
  cr_expect_null(s);
  cr_expect(strstr(err.msg, g_db) && strstr(err.msg, "locked"), "%s", err.msg);
  cr_expect_lt(dt, 3.0, "open gave up after %.2f s", dt);

  /* Locked at run_begin. */
  sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
  s = open_sink(&o, &sink);
  sqlite3_exec(lock, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
  aatgs_run_info info = make_info(NULL, "fifo", 1);
  aatgs_err_clear(&err);
  t0 = now_s();
  cr_expect_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_EDB);
  dt = now_s() - t0;
  cr_expect(strstr(err.msg, g_db) && strstr(err.msg, "locked"), "%s", err.msg);
  cr_expect_lt(dt, 3.0, "run_begin gave up after %.2f s", dt);

  /* Locked in the middle of a run: emit and run_end report it. */
  sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
  aatgs_err_clear(&err);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  int64_t run = aatgs_sqlite_sink_run_id(s);
  sqlite3_exec(lock, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
  t0 = now_s();
  int rc = AATGS_OK;
  uint64_t i = 0;
  while (rc == AATGS_OK && now_s() - t0 < 10.0) {
    aatgs_event ev = decision(i++);
    rc = sink.emit(sink.ctx, &ev);
  }
  dt = now_s() - t0;
  cr_expect_eq(rc, AATGS_EDB, "emit reports the failure");
  cr_expect_lt(dt, 3.0, "emit failed after %.2f s", dt);
  aatgs_run_result res = result(AATGS_RUN_FAILED, 0, i);
  aatgs_err_clear(&err);
  sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL);
  cr_expect_eq(sink.run_end(sink.ctx, &res, &err), AATGS_EDB);
  cr_expect(strstr(err.msg, g_db) && strstr(err.msg, "locked"), "%s", err.msg);
  /* The sink recovers for the next run once the lock is gone. */
  aatgs_err_clear(&err);
  cr_expect_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  res = result(AATGS_RUN_COMPLETED, 5, 0);
  cr_expect_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  close_sink(s);
  sqlite3_close(lock);

  sqlite3 *db = ro(g_db);
  char *st = q_text(db, "SELECT status FROM runs WHERE run_id = %" PRId64, run);
  cr_expect_str_eq(st, "failed");
  free(st);
  char *e = q_text(db, "SELECT error FROM runs WHERE run_id = %" PRId64, run);
  cr_expect(strstr(e, "locked") != NULL, "%s", e);
  free(e);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM runs"), 2, "the refused run_begin wrote nothing");
  st = q_text(db, "SELECT status FROM runs WHERE run_id = %" PRId64, run + 1);
  cr_expect_str_eq(st, "completed");
  free(st);
  sqlite3_close(db);
}

/* ---------------------------------------------------------- write faults */

Test(sink, a_failing_write_is_reported_and_the_database_stays_usable) {
  aatgs_graph *g = small_graph(0);
  aatgs_sqlite_options o;
  aatgs_sqlite_options_default(&o);
  o.batch_rows = 64;
  o.fail_at_row = 6 + 6 + 150; /* graph rows, then 150 decision rows */
  aatgs_sink sink;
  aatgs_sqlite_sink *s = open_sink(&o, &sink);
  aatgs_err err;
  aatgs_err_clear(&err);
  aatgs_run_info info = make_info(g, "fifo", 1);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  int rc = AATGS_OK;
  uint64_t i = 0;
  double t0 = now_s();
  while (rc == AATGS_OK && i < 1000000 && now_s() - t0 < 10.0) {
    aatgs_event ev = decision(i++);
    rc = sink.emit(sink.ctx, &ev);
  }
  cr_expect_eq(rc, AATGS_EDB);
  aatgs_run_result res = result(AATGS_RUN_FAILED, 0, i);
  cr_expect_eq(sink.run_end(sink.ctx, &res, &err), AATGS_EDB);
  cr_expect(strstr(err.msg, g_db) && strstr(err.msg, "injected"), "%s", err.msg);
  cr_expect_eq(aatgs_sqlite_sink_close(s, &err), AATGS_OK, "%s", err.msg);

  sqlite3 *db = ro(g_db);
  expect_text(db, "ok", "PRAGMA integrity_check");
  expect_text(db, "failed", "SELECT status FROM runs");
  char *e = q_text(db, "SELECT error FROM runs");
  cr_expect(strstr(e, "injected") != NULL, "%s", e);
  free(e);
  int64_t d = q_int(db, "SELECT count(*) FROM decisions");
  cr_expect(d > 0 && d < 150, "committed batches kept (%" PRId64 ")", d);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM tasks"), 6);
  sqlite3_close(db);
  aatgs_graph_destroy(g);
}

/* ----------------------------------------------------------------- schema */

Test(sink, schema_sql_equals_the_embedded_schema) {
  char path[512];
  snprintf(path, sizeof path, "%s/traces/schema.sql", AATGS_SOURCE_DIR);
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot read %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
  text[n] = '\0';
  fclose(f);
  cr_expect_eq(strlen(aatgs_sqlite_schema_sql), (size_t)n);
  cr_expect(strcmp(text, aatgs_sqlite_schema_sql) == 0,
            "traces/schema.c differs from traces/schema.sql: regenerate it (see schema.c)");
  char want[64];
  snprintf(want, sizeof want, "('schema_version', '%d')", AATGS_SQLITE_SCHEMA_VERSION);
  cr_expect(strstr(text, want) != NULL, "schema.sql sets schema_version %d",
            AATGS_SQLITE_SCHEMA_VERSION);
  free(text);
  /* The schema applies twice without error (it is idempotent). */
  sqlite3 *db = NULL;
  cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
  cr_expect_eq(sqlite3_exec(db, aatgs_sqlite_schema_sql, NULL, NULL, NULL), SQLITE_OK, "%s",
               sqlite3_errmsg(db));
  cr_expect_eq(sqlite3_exec(db, aatgs_sqlite_schema_sql, NULL, NULL, NULL), SQLITE_OK, "%s",
               sqlite3_errmsg(db));
  cr_expect_eq(q_int(db, "SELECT count(*) FROM meta"), 2);
  sqlite3_close(db);
}

Test(sink, the_database_uses_wal) {
  aatgs_sink sink;
  close_sink(open_sink(NULL, &sink));
  sqlite3 *db = ro(g_db);
  expect_text(db, "wal", "PRAGMA journal_mode");
  sqlite3_close(db);
}

Test(sink, a_graph_cut_short_by_a_failure_is_not_reused) {
  aatgs_graph *g = small_graph(0);
  aatgs_sqlite_options o;
  aatgs_sqlite_options_default(&o);
  o.fail_at_row = 3; /* the third task row */
  aatgs_sink sink;
  aatgs_sqlite_sink *s = open_sink(&o, &sink);
  aatgs_err err;
  aatgs_err_clear(&err);
  aatgs_run_info info = make_info(g, "fifo", 1);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  aatgs_run_result res = result(AATGS_RUN_COMPLETED, 10, 0);
  cr_expect_eq(sink.run_end(sink.ctx, &res, &err), AATGS_EDB);
  cr_expect(strstr(err.msg, "tasks") && strstr(err.msg, g_db), "%s", err.msg);
  cr_expect_eq(aatgs_sqlite_sink_close(s, &err), AATGS_OK, "%s", err.msg);

  s = open_sink(NULL, &sink);
  info = make_info(g, "fifo", 2);
  cr_assert_eq(sink.run_begin(sink.ctx, &info, &err), AATGS_OK, "%s", err.msg);
  cr_assert_eq(sink.run_end(sink.ctx, &res, &err), AATGS_OK, "%s", err.msg);
  close_sink(s);

  sqlite3 *db = ro(g_db);
  expect_text(db, "failed,completed",
              "SELECT group_concat(status) FROM (SELECT status FROM runs ORDER BY run_id)");
  cr_expect_eq(q_int(db, "SELECT count(*) FROM graphs"), 2);
  cr_expect_eq(q_int(db, "SELECT complete FROM graphs WHERE graph_id = "
                         "(SELECT graph_id FROM runs WHERE run_id = 1)"),
               0);
  int64_t gid = q_int(db, "SELECT graph_id FROM runs WHERE run_id = 2");
  cr_expect_eq(q_int(db, "SELECT complete FROM graphs WHERE graph_id = %" PRId64, gid), 1);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM tasks WHERE graph_id = %" PRId64, gid), 6);
  cr_expect_eq(q_int(db, "SELECT count(*) FROM edges WHERE graph_id = %" PRId64, gid), 6);
  cr_expect_eq(q_int(db,
                     "SELECT edges_last_rowid - edges_first_rowid + 1 FROM graphs "
                     "WHERE graph_id = %" PRId64,
                     gid),
               6);
  sqlite3_close(db);
  aatgs_graph_destroy(g);
}
