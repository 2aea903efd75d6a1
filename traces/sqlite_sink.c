/* sqlite_sink.c - the SQLite event sink: ring, background writer, schema.
 *
 * Threads. The caller's thread (the dispatch thread) opens the connection,
 * applies the schema and starts the writer; from then on only the writer
 * touches SQLite, until close joins it. run_begin and run_end are commands
 * sent through the same ring as the events (so they are ordered with them)
 * and answered through `done` under the mutex. The connection is opened
 * SQLITE_OPEN_NOMUTEX: it is never used by two threads at once, and the
 * per-call mutex would cost about a tenth of the insert rate.
 *
 * Checkpoints. The writer's connection never checkpoints: SQLite's WAL hook
 * tells a third thread, with its own connection, when the WAL has grown by
 * wal_autocheckpoint pages, and that thread runs a PASSIVE checkpoint (which
 * never blocks the writer). On this kind of machine a checkpoint spends most
 * of its time in fsync; done by the writer it took about 40% of the writer's
 * time in a 10^6-task run.
 *
 * Writes. Events are staged per table in groups of ROWS_PER_STMT and
 * inserted with one multi-row INSERT per group (half the per-row cost of
 * single-row inserts); a partial group is flushed with the single-row
 * statement before each commit. The bulk tables are keyless rowid tables,
 * so every insert is an append; the rowid range of each run is kept in
 * run_rows (written with each commit).
 */
#include "sqlite_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

#define ROWS_PER_STMT 32
#define POP_BATCH 1024
#define SPIN_TRIES 256
#define WAKE_EVERY 1024 /* pushes between checks of the writer's sleep flag */
#define IDLE_POLL_NS (2 * AATGS_NS_PER_MS)

/* Internal commands travel in the ring as events with these kinds. */
enum { CMD_BEGIN = 0x100, CMD_END = 0x101, CMD_STOP = 0x102 };

/* Insert statements. Telemetry has one per kind, listing only that kind's
 * columns (the others default to NULL, which costs nothing to bind). */
enum table {
  T_DECISION,
  T_TASK_EVENT,
  T_TEL_PHASE,
  T_TEL_GPU,
  T_TEL_DONE,
  T_TEL_ERROR,
  T_SNAPSHOT,
  T_RING,
  T_EVENT_TABLES, /* the statements fed by events end here */
  T_TASK = T_EVENT_TABLES,
  T_EDGE,
  T_COUNT
};

/* The tables proper (run_rows.tbl), several statements may feed one. */
enum logical { L_DECISIONS, L_TASK_EVENTS, L_TELEMETRY, L_SNAPSHOTS, L_RING, L_COUNT };
static const char *const LOGICAL_NAME[L_COUNT] = {"decisions", "task_events", "telemetry",
                                                  "snapshots", "ring_samples"};

/* The rowids a run occupies in one bulk table (run_rows). */
typedef struct row_range {
  int64_t first, last;
  uint64_t rows;
  bool dirty;
} row_range;

typedef struct table_desc {
  const char *name;
  const char *cols;
  const char *vals; /* one row's VALUES tuple, without parentheses */
  int nparams;      /* '?' in vals */
  int logical;      /* enum logical, -1 for graph tables */
} table_desc;

static const table_desc TABLES[T_COUNT] = {
    [T_DECISION] = {"decisions",
                    "run_id,seq,t_ns,task_id,stream,priority,ready_size,est_ns,cost_ns,candidates",
                    "?,?,?,?,?,?,?,?,?,?", 10, L_DECISIONS},
    [T_TASK_EVENT] = {"task_events",
                      "run_id,task_id,stream,status,ready_ns,submit_ns,start_ns,end_ns",
                      "?,?,?,?,?,?,?,?", 8, L_TASK_EVENTS},
    [T_TEL_PHASE] = {"telemetry",
                     "run_id,seq,t_ns,kind,duration_ns,phase_id,temperature,compaction_ratio,"
                     "reward,conflicts",
                     "?,?,?,'phase',?,?,?,?,?,?", 9, L_TELEMETRY},
    [T_TEL_GPU] = {"telemetry",
                   "run_id,seq,t_ns,kind,utilization,memory_used_mb,memory_total_mb,"
                   "kernel_duration_ns,transfer_duration_ns",
                   "?,?,?,'gpu',?,?,?,?,?", 8, L_TELEMETRY},
    [T_TEL_DONE] = {"telemetry",
                    "run_id,seq,t_ns,kind,task_id,sm,gpu_start_ns,gpu_end_ns,duration_ns",
                    "?,?,?,'task_completed',?,?,?,?,?", 8, L_TELEMETRY},
    [T_TEL_ERROR] = {"telemetry", "run_id,seq,t_ns,kind,message", "?,?,?,'error',?", 4,
                     L_TELEMETRY},
    [T_SNAPSHOT] =
        {"snapshots",
         "run_id,t_ns,avg_task_ns,gpu_util,config_util,telemetry_util,"
         "telemetry_pending,pending,ready,running,completed,est_completion_ns,interval_ns",
         "?,?,?,?,?,?,?,?,?,?,?,?,?", 13, L_SNAPSHOTS},
    [T_RING] = {"ring_samples", "run_id,t_ns,ring,len,capacity,utilization,overflows",
                "?,?,?,?,?,?,?", 7, L_RING},
    [T_TASK] = {"tasks", "graph_id,task_id,type,est_ns,bytes,label", "?,?,?,?,?,?", 6, -1},
    [T_EDGE] = {"edges", "graph_id,src,dst,bytes", "?,?,?,?", 4, -1},
};

/* A staged event and its sequence number within its table. */
typedef struct staged_event {
  uint64_t seq;
  aatgs_event ev;
} staged_event;

struct aatgs_sqlite_sink {
  char *path;
  aatgs_sqlite_options opt;
  sqlite3 *db;
  aatgs_ring *ring;
  pthread_t thread;
  bool thread_started;
  bool sync_init;
  pthread_mutex_t mu;
  pthread_cond_t cv_writer; /* the writer waits here for work */
  pthread_cond_t cv_caller; /* the caller waits here for room and replies */
  atomic_int writer_sleeping;
  atomic_int producer_waiting;
  atomic_int failed; /* latched writer error */
  atomic_uint_fast64_t rows_written;

  /* Background checkpoints (see the file comment). */
  sqlite3 *cp_db;
  pthread_t cp_thread;
  bool cp_started;
  pthread_mutex_t cp_mu;
  pthread_cond_t cp_cv;
  bool cp_stop, cp_pending;
  char fail_msg[AATGS_ERR_MSG_MAX]; /* written before `failed` is set */
  char host[256];

  /* Caller side. */
  bool in_run;
  uint64_t pushes;
  uint64_t cmd_sent;
  int64_t last_run_id;

  /* Command exchange: set by the caller before a command is pushed, read by
   * the writer after it pops it (the ring orders them); replies are written
   * by the writer before `done` moves, under mu. */
  const aatgs_run_info *cmd_info;
  const aatgs_run_result *cmd_result;
  uint64_t done;
  int reply_rc;
  char reply_msg[AATGS_ERR_MSG_MAX];
  int64_t reply_run_id;

  /* Writer side. */
  sqlite3_stmt *ins_many[T_COUNT];
  sqlite3_stmt *ins_one[T_COUNT];
  sqlite3_stmt *ins_type;
  staged_event stage[T_EVENT_TABLES][ROWS_PER_STMT];
  int staged[T_EVENT_TABLES];
  uint64_t seq[L_COUNT];    /* next seq per table (decisions and telemetry use it) */
  row_range range[T_COUNT]; /* per statement; merged per table into run_rows */
  sqlite3_stmt *ins_range;
  aatgs_event *popbuf;
  bool in_txn;
  uint64_t rows_in_txn;
  int64_t txn_started; /* monotonic ns */
  uint64_t rows_total;
  int64_t run_id; /* the run being written, 0 when none */
  int64_t graph_id;
  const aatgs_graph *graph_to_write; /* set by BEGIN when the graph is new */
};

/* ---------------------------------------------------------------- helpers */

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * AATGS_NS_PER_S + ts.tv_nsec;
}

static int64_t wall_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * AATGS_NS_PER_S + ts.tv_nsec;
}

static struct timespec mono_deadline(int64_t ns_from_now) {
  int64_t t = mono_ns() + ns_from_now;
  struct timespec ts;
  ts.tv_sec = (time_t)(t / AATGS_NS_PER_S);
  ts.tv_nsec = (long)(t % AATGS_NS_PER_S);
  return ts;
}

static void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static const char *class_name(aatgs_task_class c) {
  switch (c) {
  case AATGS_CLASS_KERNEL: return "kernel";
  case AATGS_CLASS_UPLOAD: return "upload";
  case AATGS_CLASS_DOWNLOAD: return "download";
  default: return "unknown";
  }
}

static const char *status_text(aatgs_run_status st) {
  switch (st) {
  case AATGS_RUN_COMPLETED: return "completed";
  case AATGS_RUN_FAILED: return "failed";
  case AATGS_RUN_INTERRUPTED:
  case AATGS_RUN_RUNNING:
  default: return "interrupted";
  }
}

static const char *ring_name(uint32_t r) {
  switch (r) {
  case 0: return "config";
  case 1: return "telemetry";
  case 2: return "collector";
  default: return "other";
  }
}

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

/* Runs SQL without results on the connection; on failure fills msg. */
static int exec_sql(sqlite3 *db, const char *sql, char *msg, size_t cap) {
  char *e = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
  if (rc != SQLITE_OK && msg) snprintf(msg, cap, "%s", e ? e : sqlite3_errstr(rc));
  sqlite3_free(e);
  return rc;
}

/* ------------------------------------------------------- the graph's hash */

static uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + UINT64_C(0x9E3779B97F4A7C15) + (h << 6) + (h >> 2);
  h *= UINT64_C(0xBF58476D1CE4E5B9);
  h ^= h >> 31;
  return h;
}

static uint64_t mix_str(uint64_t h, const char *s) {
  uint64_t f = UINT64_C(1469598103934665603);
  if (!s) return mix64(h, 0x5A5A);
  for (; *s; s++)
    f = (f ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return mix64(h, f);
}

/* Hash of everything the graph tables store: types, tasks (type, estimate,
 * bytes, label) and edges. */
static uint64_t graph_hash(const aatgs_graph *g) {
  uint64_t h = UINT64_C(0x41415447535F4731); /* "AATGS_G1" */
  uint32_t nt = aatgs_graph_num_types(g), n = aatgs_graph_num_tasks(g);
  h = mix64(h, nt);
  for (uint32_t i = 0; i < nt; i++) {
    const aatgs_type_info *ti = aatgs_graph_type(g, i);
    h = mix_str(h, ti->name);
    h = mix64(h, (uint64_t)ti->default_est_ns);
    h = mix64(h, (uint64_t)ti->cls);
  }
  h = mix64(h, n);
  for (uint32_t t = 0; t < n; t++) {
    h = mix64(h, aatgs_graph_task_type(g, t));
    h = mix64(h, (uint64_t)aatgs_graph_task_estimate(g, t));
    h = mix64(h, aatgs_graph_task_bytes(g, t));
    const char *label = aatgs_graph_task_label(g, t);
    if (label) h = mix_str(h, label);
  }
  h = mix64(h, aatgs_graph_num_edges(g));
  for (uint32_t t = 0; t < n; t++) {
    uint32_t ns = 0;
    const uint32_t *succ = aatgs_graph_successors(g, t, &ns);
    h = mix64(h, ((uint64_t)t << 32) | ns);
    for (uint32_t k = 0; k < ns; k++) {
      h = mix64(h, succ[k]);
      uint64_t eb = aatgs_graph_edge_bytes(g, t, succ[k]);
      if (eb) h = mix64(h, eb); /* graphs without edge bytes keep their version-1 hash */
    }
  }
  return h;
}

/* ------------------------------------------------------ writer: failures */

/* Latches the first failure: message, flag, rollback, staged rows dropped. */
static void latch(aatgs_sqlite_sink *s, const char *what, const char *why) {
  if (atomic_load_explicit(&s->failed, memory_order_relaxed)) return;
  snprintf(s->fail_msg, sizeof s->fail_msg, "database '%s': %s: %s", s->path, what, why);
  atomic_store_explicit(&s->failed, 1, memory_order_release);
  if (s->in_txn && !sqlite3_get_autocommit(s->db)) exec_sql(s->db, "ROLLBACK", NULL, 0);
  s->in_txn = false;
  for (int t = 0; t < T_EVENT_TABLES; t++)
    s->staged[t] = 0;
  s->graph_to_write = NULL;
}

static void latch_db(aatgs_sqlite_sink *s, const char *what) {
  latch(s, what, sqlite3_errmsg(s->db));
}

static bool writer_failed(const aatgs_sqlite_sink *s) {
  return atomic_load_explicit(&s->failed, memory_order_relaxed) != 0;
}

/* --------------------------------------------------- writer: transactions */

static bool begin_txn(aatgs_sqlite_sink *s) {
  if (s->in_txn) return true;
  if (writer_failed(s)) return false;
  if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
    latch_db(s, "cannot start a transaction");
    return false;
  }
  s->in_txn = true;
  s->rows_in_txn = 0;
  s->txn_started = mono_ns();
  return true;
}

static void flush_staged(aatgs_sqlite_sink *s);

/* Records in run_rows where the current run's rows lie, for the tables
 * written since the last commit. */
static bool write_ranges(aatgs_sqlite_sink *s) {
  for (int l = 0; l < L_COUNT && s->run_id; l++) {
    row_range m = {0, 0, 0, false};
    for (int t = 0; t < T_EVENT_TABLES; t++) {
      const row_range *rg = &s->range[t];
      if (TABLES[t].logical != l || rg->rows == 0) continue;
      if (m.rows == 0 || rg->first < m.first) m.first = rg->first;
      if (m.rows == 0 || rg->last > m.last) m.last = rg->last;
      m.rows += rg->rows;
      m.dirty |= rg->dirty;
    }
    if (!m.dirty) continue;
    sqlite3_stmt *st = s->ins_range;
    sqlite3_bind_int64(st, 1, s->run_id);
    sqlite3_bind_text(st, 2, LOGICAL_NAME[l], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, m.first);
    sqlite3_bind_int64(st, 4, m.last);
    sqlite3_bind_int64(st, 5, (int64_t)m.rows);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
      latch_db(s, "cannot write run_rows");
      return false;
    }
  }
  for (int t = 0; t < T_EVENT_TABLES; t++)
    s->range[t].dirty = false;
  return true;
}

static bool commit_txn(aatgs_sqlite_sink *s) {
  if (!s->in_txn) return !writer_failed(s);
  flush_staged(s);
  if (writer_failed(s) || !write_ranges(s)) return false;
  if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    latch_db(s, "cannot commit");
    return false;
  }
  s->in_txn = false;
  return true;
}

static void maybe_commit(aatgs_sqlite_sink *s) {
  if (!s->in_txn) return;
  if (s->rows_in_txn >= s->opt.batch_rows ||
      mono_ns() - s->txn_started >= (int64_t)s->opt.commit_interval_ms * AATGS_NS_PER_MS)
    commit_txn(s);
}

/* Steps an insert of `rows` rows; counts them; applies fault injection. */
static bool step_insert(aatgs_sqlite_sink *s, sqlite3_stmt *st, int table, uint32_t rows) {
  if (s->opt.fail_at_row && s->rows_total + rows >= s->opt.fail_at_row) {
    char what[96];
    snprintf(what, sizeof what, "cannot write %s", TABLES[table].name);
    sqlite3_reset(st);
    latch(s, what, "disk I/O error (injected fault)");
    return false;
  }
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    char what[96];
    snprintf(what, sizeof what, "cannot write %s", TABLES[table].name);
    latch_db(s, what);
    return false;
  }
  int64_t last = sqlite3_last_insert_rowid(s->db);
  row_range *rg = &s->range[table];
  if (rg->rows == 0) rg->first = last - (int64_t)rows + 1;
  rg->last = last;
  rg->rows += rows;
  rg->dirty = true;
  s->rows_total += rows;
  s->rows_in_txn += rows;
  atomic_store_explicit(&s->rows_written, s->rows_total, memory_order_relaxed);
  return true;
}

/* ------------------------------------------------ writer: binding events */

static void bind_u32_or_null(sqlite3_stmt *st, int i, uint32_t v) {
  if (v == UINT32_MAX)
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_int64(st, i, v);
}

/* Binds one event row at parameter offset b (parameters b+1 .. b+nparams), in
 * the column order of TABLES[table].cols. */
static void bind_event(const aatgs_sqlite_sink *s, sqlite3_stmt *st, int b, int table,
                       const aatgs_event *ev, uint64_t seq) {
  sqlite3_bind_int64(st, b + 1, s->run_id);
  switch (table) {
  case T_DECISION: {
    const aatgs_decision_rec *d = &ev->u.decision;
    sqlite3_bind_int64(st, b + 2, (int64_t)seq);
    sqlite3_bind_int64(st, b + 3, d->t_ns);
    sqlite3_bind_int64(st, b + 4, d->task);
    sqlite3_bind_int64(st, b + 5, d->stream);
    sqlite3_bind_double(st, b + 6, d->priority);
    sqlite3_bind_int64(st, b + 7, d->ready_size);
    sqlite3_bind_int64(st, b + 8, d->est_ns);
    sqlite3_bind_int64(st, b + 9, d->cost_ns);
    if (d->n_cand) { /* JSON [[task, score], ...]; %.17g keeps every score exact */
      char js[AATGS_MAX_CANDIDATES * 40 + 4];
      size_t len = 0;
      js[len++] = '[';
      for (uint32_t i = 0; i < d->n_cand && i < AATGS_MAX_CANDIDATES; i++)
        len += (size_t)snprintf(js + len, sizeof js - len, "%s[%u,%.17g]", i ? "," : "",
                                d->cand[i].task, d->cand[i].score);
      if (len < sizeof js - 1) js[len++] = ']';
      sqlite3_bind_text(st, b + 10, js, (int)len, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(st, b + 10);
    }
    break;
  }
  case T_TASK_EVENT: {
    const aatgs_task_rec *t = &ev->u.task;
    sqlite3_bind_int64(st, b + 2, t->task);
    bind_u32_or_null(st, b + 3, t->stream);
    sqlite3_bind_int64(st, b + 4, t->status);
    sqlite3_bind_int64(st, b + 5, t->ready_ns);
    sqlite3_bind_int64(st, b + 6, t->submit_ns);
    sqlite3_bind_int64(st, b + 7, t->start_ns);
    sqlite3_bind_int64(st, b + 8, t->end_ns);
    break;
  }
  case T_TEL_PHASE: {
    const aatgs_tel_event *e = &ev->u.tel;
    sqlite3_bind_int64(st, b + 2, (int64_t)seq);
    sqlite3_bind_int64(st, b + 3, e->t_ns);
    sqlite3_bind_int64(st, b + 4, e->u.phase.duration_ns);
    sqlite3_bind_int64(st, b + 5, e->u.phase.phase_id);
    sqlite3_bind_double(st, b + 6, e->u.phase.temperature);
    sqlite3_bind_double(st, b + 7, e->u.phase.compaction_ratio);
    sqlite3_bind_double(st, b + 8, e->u.phase.reward);
    sqlite3_bind_int64(st, b + 9, (int64_t)e->u.phase.conflicts);
    break;
  }
  case T_TEL_GPU: {
    const aatgs_tel_event *e = &ev->u.tel;
    sqlite3_bind_int64(st, b + 2, (int64_t)seq);
    sqlite3_bind_int64(st, b + 3, e->t_ns);
    sqlite3_bind_double(st, b + 4, e->u.gpu.utilization);
    sqlite3_bind_int64(st, b + 5, e->u.gpu.memory_used_mb);
    sqlite3_bind_int64(st, b + 6, e->u.gpu.memory_total_mb);
    sqlite3_bind_int64(st, b + 7, e->u.gpu.kernel_duration_ns);
    sqlite3_bind_int64(st, b + 8, e->u.gpu.transfer_duration_ns);
    break;
  }
  case T_TEL_DONE: {
    const aatgs_tel_event *e = &ev->u.tel;
    sqlite3_bind_int64(st, b + 2, (int64_t)seq);
    sqlite3_bind_int64(st, b + 3, e->t_ns);
    sqlite3_bind_int64(st, b + 4, e->u.done.task);
    bind_u32_or_null(st, b + 5, e->u.done.sm);
    sqlite3_bind_int64(st, b + 6, e->u.done.gpu_start_ns);
    sqlite3_bind_int64(st, b + 7, e->u.done.gpu_end_ns);
    sqlite3_bind_int64(st, b + 8, e->u.done.duration_ns);
    break;
  }
  case T_TEL_ERROR: {
    const aatgs_tel_event *e = &ev->u.tel;
    sqlite3_bind_int64(st, b + 2, (int64_t)seq);
    sqlite3_bind_int64(st, b + 3, e->t_ns);
    sqlite3_bind_text(st, b + 4, e->u.error, (int)strnlen(e->u.error, AATGS_TEL_MSG_MAX),
                      SQLITE_STATIC);
    break;
  }
  case T_SNAPSHOT: {
    const aatgs_snapshot *p = &ev->u.snap;
    sqlite3_bind_int64(st, b + 2, p->t_ns);
    sqlite3_bind_int64(st, b + 3, p->avg_task_ns);
    sqlite3_bind_double(st, b + 4, p->gpu_util);
    sqlite3_bind_double(st, b + 5, p->config_util);
    sqlite3_bind_double(st, b + 6, p->telemetry_util);
    sqlite3_bind_int64(st, b + 7, p->telemetry_pending);
    sqlite3_bind_int64(st, b + 8, p->pending);
    sqlite3_bind_int64(st, b + 9, p->ready);
    sqlite3_bind_int64(st, b + 10, p->running);
    sqlite3_bind_int64(st, b + 11, p->completed);
    sqlite3_bind_int64(st, b + 12, p->est_completion_ns);
    sqlite3_bind_int64(st, b + 13, p->interval_ns);
    break;
  }
  case T_RING: {
    const aatgs_ring_rec *r = &ev->u.ring;
    sqlite3_bind_int64(st, b + 2, r->t_ns);
    sqlite3_bind_text(st, b + 3, ring_name(r->ring), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, b + 4, r->len);
    sqlite3_bind_int64(st, b + 5, r->cap);
    if (r->cap)
      sqlite3_bind_double(st, b + 6, (double)r->len / (double)r->cap);
    else
      sqlite3_bind_null(st, b + 6);
    sqlite3_bind_int64(st, b + 7, (int64_t)r->overflows);
    break;
  }
  default: break;
  }
}

/* Inserts the staged rows of statement t: a full group at once, a partial
 * one row by row. */
static void flush_table(aatgs_sqlite_sink *s, int t) {
  int n = s->staged[t];
  if (n == 0 || writer_failed(s)) return;
  if (n == ROWS_PER_STMT) {
    sqlite3_stmt *st = s->ins_many[t];
    for (int r = 0; r < n; r++)
      bind_event(s, st, r * TABLES[t].nparams, t, &s->stage[t][r].ev, s->stage[t][r].seq);
    if (!step_insert(s, st, t, (uint32_t)n)) return;
  } else {
    sqlite3_stmt *st = s->ins_one[t];
    for (int r = 0; r < n; r++) {
      bind_event(s, st, 0, t, &s->stage[t][r].ev, s->stage[t][r].seq);
      if (!step_insert(s, st, t, 1)) return;
    }
  }
  s->staged[t] = 0;
}

static void flush_staged(aatgs_sqlite_sink *s) {
  for (int t = 0; t < T_EVENT_TABLES; t++)
    flush_table(s, t);
}

static void stage_event(aatgs_sqlite_sink *s, int t, const aatgs_event *ev) {
  if (!s->in_txn && !begin_txn(s)) return;
  staged_event *se = &s->stage[t][s->staged[t]++];
  se->seq = s->seq[TABLES[t].logical]++;
  se->ev = *ev;
  if (s->staged[t] == ROWS_PER_STMT) {
    flush_table(s, t);
    maybe_commit(s);
  }
}

/* ------------------------------------------------ writer: graph and runs */

static void write_graph(aatgs_sqlite_sink *s, const aatgs_graph *g) {
  int64_t gid = s->graph_id;
  uint32_t n = aatgs_graph_num_tasks(g), nt = aatgs_graph_num_types(g);
  memset(&s->range[T_TASK], 0, sizeof s->range[T_TASK]);
  memset(&s->range[T_EDGE], 0, sizeof s->range[T_EDGE]);
  if (!begin_txn(s)) return;
  for (uint32_t i = 0; i < nt; i++) {
    const aatgs_type_info *ti = aatgs_graph_type(g, i);
    sqlite3_stmt *st = s->ins_type;
    sqlite3_bind_int64(st, 1, gid);
    sqlite3_bind_int64(st, 2, i);
    sqlite3_bind_text(st, 3, ti->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, class_name(ti->cls), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, ti->default_est_ns);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
      latch_db(s, "cannot write task_types");
      return;
    }
  }
  /* Tasks, in id order, ROWS_PER_STMT per statement. */
  uint32_t t = 0;
  while (t < n) {
    bool many = n - t >= ROWS_PER_STMT;
    uint32_t rows = many ? ROWS_PER_STMT : 1;
    sqlite3_stmt *st = many ? s->ins_many[T_TASK] : s->ins_one[T_TASK];
    for (uint32_t r = 0; r < rows; r++, t++) {
      int b = (int)r * TABLES[T_TASK].nparams;
      sqlite3_bind_int64(st, b + 1, gid);
      sqlite3_bind_int64(st, b + 2, t);
      sqlite3_bind_int64(st, b + 3, aatgs_graph_task_type(g, t));
      sqlite3_bind_int64(st, b + 4, aatgs_graph_task_estimate(g, t));
      sqlite3_bind_int64(st, b + 5, (int64_t)aatgs_graph_task_bytes(g, t));
      bind_text(st, b + 6, aatgs_graph_task_label(g, t));
    }
    if (!step_insert(s, st, T_TASK, rows)) return;
    if ((t & 0x3FFF) < rows) {
      maybe_commit(s);
      if (!begin_txn(s)) return;
    }
  }
  sqlite3_clear_bindings(s->ins_many[T_TASK]);
  sqlite3_clear_bindings(s->ins_one[T_TASK]);
  /* Edges, in successor-list order, gathered into groups across tasks. */
  uint64_t e = 0, total = aatgs_graph_num_edges(g);
  uint32_t src = 0, k = 0, ns = 0;
  const uint32_t *succ = n ? aatgs_graph_successors(g, 0, &ns) : NULL;
  while (e < total) {
    bool many = total - e >= ROWS_PER_STMT;
    uint32_t rows = many ? ROWS_PER_STMT : 1;
    sqlite3_stmt *st = many ? s->ins_many[T_EDGE] : s->ins_one[T_EDGE];
    for (uint32_t r = 0; r < rows; r++, e++) {
      while (k >= ns) {
        src++;
        k = 0;
        succ = aatgs_graph_successors(g, src, &ns);
      }
      int b = (int)r * TABLES[T_EDGE].nparams;
      sqlite3_bind_int64(st, b + 1, gid);
      sqlite3_bind_int64(st, b + 2, src);
      sqlite3_bind_int64(st, b + 3, succ[k]);
      sqlite3_bind_int64(st, b + 4, (int64_t)aatgs_graph_edge_bytes(g, src, succ[k]));
      k++;
    }
    if (!step_insert(s, st, T_EDGE, rows)) return;
    if ((e & 0x3FFF) < rows) {
      maybe_commit(s);
      if (!begin_txn(s)) return;
    }
  }
  char sql[192];
  const row_range *er = &s->range[T_EDGE];
  if (er->rows)
    snprintf(sql, sizeof sql,
             "UPDATE graphs SET complete = 1, edges_first_rowid = %" PRId64
             ", edges_last_rowid = %" PRId64 " WHERE graph_id = %" PRId64,
             er->first, er->last, gid);
  else
    snprintf(sql, sizeof sql, "UPDATE graphs SET complete = 1 WHERE graph_id = %" PRId64, gid);
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    latch_db(s, "cannot write graphs");
    return;
  }
  commit_txn(s);
}

static int prepare(aatgs_sqlite_sink *s, const char *sql, sqlite3_stmt **st) {
  return sqlite3_prepare_v3(s->db, sql, -1, 0, st, NULL);
}

/* Finds a complete stored graph with this hash, or creates its row. */
static bool find_or_add_graph(aatgs_sqlite_sink *s, const aatgs_graph *g, bool *is_new) {
  char hex[17];
  uint64_t h = graph_hash(g);
  snprintf(hex, sizeof hex, "%016" PRIx64, h);
  sqlite3_stmt *st = NULL;
  *is_new = false;
  if (prepare(s,
              "SELECT graph_id FROM graphs WHERE hash = ?1 AND n_tasks = ?2 AND n_edges = ?3 "
              "AND complete = 1 ORDER BY graph_id LIMIT 1",
              &st) != SQLITE_OK)
    goto fail;
  sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, aatgs_graph_num_tasks(g));
  sqlite3_bind_int64(st, 3, (int64_t)aatgs_graph_num_edges(g));
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    s->graph_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return true;
  }
  if (rc != SQLITE_DONE) goto fail;
  sqlite3_finalize(st);
  st = NULL;
  if (prepare(s, "INSERT INTO graphs (hash, n_tasks, n_edges, complete) VALUES (?1, ?2, ?3, 0)",
              &st) != SQLITE_OK)
    goto fail;
  sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, aatgs_graph_num_tasks(g));
  sqlite3_bind_int64(st, 3, (int64_t)aatgs_graph_num_edges(g));
  if (sqlite3_step(st) != SQLITE_DONE) goto fail;
  sqlite3_finalize(st);
  s->graph_id = sqlite3_last_insert_rowid(s->db);
  *is_new = true;
  return true;
fail:
  latch_db(s, "cannot write graphs");
  sqlite3_finalize(st);
  return false;
}

static const char RUN_INSERT[] =
    "INSERT INTO runs (graph_id, scenario, scenario_path, scenario_text, scenario_hash, "
    "params_json, seed, rep, policy, backend, profile_name, profile_text, host, pid, gpu, driver, "
    "code_version, n_tasks, n_edges, n_streams, status, started_at_ns, writer_host, score_doc) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20, 'running', ?21, ?22, ?23)";

/* BEGIN: graph row, runs row and streams, committed; replies the run id. */
static int do_begin(aatgs_sqlite_sink *s, const aatgs_run_info *info) {
  sqlite3_stmt *st = NULL;
  bool is_new = false;
  const aatgs_graph *g = info->graph;
  for (int t = 0; t < T_EVENT_TABLES; t++) {
    s->staged[t] = 0;
    memset(&s->range[t], 0, sizeof s->range[t]);
  }
  for (int l = 0; l < L_COUNT; l++)
    s->seq[l] = 0;
  s->graph_id = 0;
  if (!begin_txn(s)) return AATGS_EDB;
  if (g && !find_or_add_graph(s, g, &is_new)) return AATGS_EDB;
  if (prepare(s, RUN_INSERT, &st) != SQLITE_OK) goto fail;
  if (g)
    sqlite3_bind_int64(st, 1, s->graph_id);
  else
    sqlite3_bind_null(st, 1);
  bind_text(st, 2, info->scenario);
  bind_text(st, 3, info->scenario_path);
  bind_text(st, 4, info->scenario_text);
  bind_text(st, 5, info->scenario_hash);
  bind_text(st, 6, info->params_json);
  sqlite3_bind_int64(st, 7, (int64_t)info->seed);
  sqlite3_bind_int64(st, 8, info->rep);
  bind_text(st, 9, info->policy);
  bind_text(st, 10, info->backend);
  bind_text(st, 11, info->profile_name);
  bind_text(st, 12, info->profile_text);
  bind_text(st, 13, info->host ? info->host : s->host);
  sqlite3_bind_int64(st, 14, (int64_t)getpid());
  bind_text(st, 15, info->gpu);
  bind_text(st, 16, info->driver);
  bind_text(st, 17, info->code_version);
  if (g) {
    sqlite3_bind_int64(st, 18, aatgs_graph_num_tasks(g));
    sqlite3_bind_int64(st, 19, (int64_t)aatgs_graph_num_edges(g));
  }
  sqlite3_bind_int64(st, 20, info->n_streams);
  sqlite3_bind_int64(st, 21, wall_ns());
  sqlite3_bind_text(st, 22, s->host, -1, SQLITE_STATIC);
  bind_text(st, 23, info->score_doc);
  if (sqlite3_step(st) != SQLITE_DONE) goto fail;
  sqlite3_finalize(st);
  st = NULL;
  s->run_id = sqlite3_last_insert_rowid(s->db);
  if (info->n_streams && info->streams) {
    if (prepare(s,
                "INSERT OR REPLACE INTO streams (run_id, stream, class, name) "
                "VALUES (?1, ?2, ?3, ?4)",
                &st) != SQLITE_OK)
      goto fail;
    for (uint32_t i = 0; i < info->n_streams; i++) {
      const aatgs_stream_info *si = &info->streams[i];
      sqlite3_bind_int64(st, 1, s->run_id);
      sqlite3_bind_int64(st, 2, si->id);
      sqlite3_bind_text(st, 3, class_name(si->cls), -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 4, si->name, (int)strnlen(si->name, sizeof si->name), SQLITE_STATIC);
      int rc = sqlite3_step(st);
      sqlite3_reset(st);
      if (rc != SQLITE_DONE) goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
  }
  if (!commit_txn(s)) {
    s->run_id = 0;
    return AATGS_EDB;
  }
  s->graph_to_write = is_new ? g : NULL;
  return AATGS_OK;
fail:
  latch_db(s, "cannot record the run");
  sqlite3_finalize(st);
  s->run_id = 0;
  return AATGS_EDB;
}

static const char RUN_UPDATE[] =
    "UPDATE runs SET status = ?1, ended_at_ns = ?2, makespan_ns = ?3, lower_bound_ns = ?4, "
    "critical_path_ns = ?5, total_work_ns = ?6, tasks_completed = ?7, decisions = ?8, "
    "mean_decision_ns = ?9, max_decision_ns = ?10, events = ?11, config_overflows = ?12, "
    "telemetry_overflows = ?13, telemetry_evictions = ?14, event_hash = ?15, error = ?16, "
    "check_result = ?18 WHERE run_id = ?17";

/* Writes the result row. With `failed` the run is marked failed with the
 * latched message (best effort, in its own transaction). */
static void write_result(aatgs_sqlite_sink *s, const aatgs_run_result *res, bool failed) {
  sqlite3_stmt *st = NULL;
  char hash[17];
  if (prepare(s, RUN_UPDATE, &st) != SQLITE_OK) goto fail;
  if (failed) {
    sqlite3_bind_text(st, 1, "failed", -1, SQLITE_STATIC);
  } else {
    sqlite3_bind_text(st, 1, status_text(res ? res->status : AATGS_RUN_INTERRUPTED), -1,
                      SQLITE_STATIC);
  }
  sqlite3_bind_int64(st, 2, wall_ns());
  if (res) {
    sqlite3_bind_int64(st, 3, res->makespan_ns);
    sqlite3_bind_int64(st, 4, res->lower_bound_ns);
    sqlite3_bind_int64(st, 5, res->critical_path_ns);
    sqlite3_bind_int64(st, 6, res->total_work_ns);
    sqlite3_bind_int64(st, 7, res->tasks_completed);
    sqlite3_bind_int64(st, 8, (int64_t)res->decisions);
    sqlite3_bind_double(st, 9, res->mean_decision_ns);
    sqlite3_bind_int64(st, 10, res->max_decision_ns);
    sqlite3_bind_int64(st, 11, (int64_t)res->events);
    sqlite3_bind_int64(st, 12, (int64_t)res->config_overflows);
    sqlite3_bind_int64(st, 13, (int64_t)res->telemetry_overflows);
    sqlite3_bind_int64(st, 14, (int64_t)res->telemetry_evictions);
    snprintf(hash, sizeof hash, "%016" PRIx64, res->event_hash);
    sqlite3_bind_text(st, 15, hash, -1, SQLITE_STATIC);
    if (res->check[0])
      sqlite3_bind_text(st, 18, res->check, (int)strnlen(res->check, sizeof res->check),
                        SQLITE_STATIC);
  }
  if (failed)
    sqlite3_bind_text(st, 16, s->fail_msg, -1, SQLITE_STATIC);
  else if (res && res->error[0])
    sqlite3_bind_text(st, 16, res->error, (int)strnlen(res->error, sizeof res->error),
                      SQLITE_STATIC);
  else if (!res)
    sqlite3_bind_text(st, 16, "the run ended without a result", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 17, s->run_id);
  if (sqlite3_step(st) != SQLITE_DONE) goto fail;
  sqlite3_finalize(st);
  return;
fail:
  if (!failed) latch_db(s, "cannot record the run's result");
  sqlite3_finalize(st);
}

static int do_end(aatgs_sqlite_sink *s, const aatgs_run_result *res) {
  int rc = AATGS_OK;
  if (!writer_failed(s) && begin_txn(s)) {
    flush_staged(s);
    if (!writer_failed(s)) write_result(s, res, false);
    commit_txn(s);
  }
  if (writer_failed(s)) {
    /* Best effort: the rows committed so far stay; say why the rest is not. */
    if (!sqlite3_get_autocommit(s->db)) exec_sql(s->db, "ROLLBACK", NULL, 0);
    s->in_txn = false;
    write_result(s, res, true);
    rc = AATGS_EDB;
  }
  s->run_id = 0;
  return rc;
}

/* ------------------------------------------------------------ checkpoints */

/* SQLite calls this on the writer's thread after each commit. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int pages) {
  aatgs_sqlite_sink *s = arg;
  (void)db;
  (void)name;
  if (s->opt.wal_autocheckpoint > 0 && pages >= s->opt.wal_autocheckpoint) {
    pthread_mutex_lock(&s->cp_mu);
    s->cp_pending = true;
    pthread_cond_signal(&s->cp_cv);
    pthread_mutex_unlock(&s->cp_mu);
  }
  return SQLITE_OK;
}

/* Runs PASSIVE checkpoints on its own connection when asked. A failed
 * checkpoint loses nothing (the WAL keeps the pages until the next one), so
 * errors are not reported. */
static void *checkpointer_main(void *arg) {
  aatgs_sqlite_sink *s = arg;
  pthread_mutex_lock(&s->cp_mu);
  for (;;) {
    while (!s->cp_pending && !s->cp_stop)
      pthread_cond_wait(&s->cp_cv, &s->cp_mu);
    if (s->cp_stop) break;
    s->cp_pending = false;
    pthread_mutex_unlock(&s->cp_mu);
    sqlite3_wal_checkpoint_v2(s->cp_db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    pthread_mutex_lock(&s->cp_mu);
  }
  pthread_mutex_unlock(&s->cp_mu);
  return NULL;
}

/* --------------------------------------------------------- writer thread */

static void reply(aatgs_sqlite_sink *s, int rc, int64_t run_id) {
  pthread_mutex_lock(&s->mu);
  s->reply_rc = rc;
  s->reply_run_id = run_id;
  if (rc != AATGS_OK)
    snprintf(s->reply_msg, sizeof s->reply_msg, "%s",
             atomic_load_explicit(&s->failed, memory_order_acquire) ? s->fail_msg
                                                                    : "sink command failed");
  else
    s->reply_msg[0] = '\0';
  s->done++;
  pthread_cond_broadcast(&s->cv_caller);
  pthread_mutex_unlock(&s->mu);
}

/* Processes one popped item; returns false on STOP. */
static bool handle(aatgs_sqlite_sink *s, const aatgs_event *ev) {
  int kind = (int)ev->kind;
  switch (kind) {
  case AATGS_EV_DECISION:
    if (s->run_id && !writer_failed(s)) stage_event(s, T_DECISION, ev);
    return true;
  case AATGS_EV_TASK:
    if (s->run_id && !writer_failed(s)) stage_event(s, T_TASK_EVENT, ev);
    return true;
  case AATGS_EV_TELEMETRY:
    if (s->run_id && !writer_failed(s)) {
      int t = ev->u.tel.kind == AATGS_TEL_PHASE            ? T_TEL_PHASE
              : ev->u.tel.kind == AATGS_TEL_GPU            ? T_TEL_GPU
              : ev->u.tel.kind == AATGS_TEL_TASK_COMPLETED ? T_TEL_DONE
                                                           : T_TEL_ERROR;
      stage_event(s, t, ev);
    }
    return true;
  case AATGS_EV_SNAPSHOT:
    if (s->run_id && !writer_failed(s)) stage_event(s, T_SNAPSHOT, ev);
    return true;
  case AATGS_EV_RING:
    if (s->run_id && !writer_failed(s)) stage_event(s, T_RING, ev);
    return true;
  case CMD_BEGIN: {
    int rc = do_begin(s, s->cmd_info);
    int64_t id = s->run_id;
    const aatgs_graph *g = s->graph_to_write;
    s->graph_to_write = NULL;
    reply(s, rc, id);
    if (rc == AATGS_OK && g) write_graph(s, g);
    return true;
  }
  case CMD_END: {
    int rc = s->run_id ? do_end(s, s->cmd_result) : AATGS_ESTATE;
    reply(s, rc, 0);
    return true;
  }
  case CMD_STOP:
    commit_txn(s);
    reply(s, writer_failed(s) ? AATGS_EDB : AATGS_OK, 0);
    return false;
  default: return true;
  }
}

static void *writer_main(void *arg) {
  aatgs_sqlite_sink *s = arg;
  for (;;) {
    size_t n = aatgs_ring_pop_bulk(s->ring, s->popbuf, POP_BATCH);
    if (n == 0) {
      int64_t wait_ns = IDLE_POLL_NS;
      if (s->in_txn) {
        int64_t left =
            (int64_t)s->opt.commit_interval_ms * AATGS_NS_PER_MS - (mono_ns() - s->txn_started);
        if (left <= 0) {
          commit_txn(s);
          continue;
        }
        if (left < wait_ns) wait_ns = left;
      } else if (!s->run_id) {
        wait_ns = 100 * AATGS_NS_PER_MS; /* idle: commands always signal */
      }
      struct timespec dl = mono_deadline(wait_ns);
      pthread_mutex_lock(&s->mu);
      atomic_store_explicit(&s->writer_sleeping, 1, memory_order_seq_cst);
      if (aatgs_ring_is_empty(s->ring)) pthread_cond_timedwait(&s->cv_writer, &s->mu, &dl);
      atomic_store_explicit(&s->writer_sleeping, 0, memory_order_relaxed);
      pthread_mutex_unlock(&s->mu);
      continue;
    }
    if (atomic_load_explicit(&s->producer_waiting, memory_order_relaxed) &&
        aatgs_ring_len(s->ring) <= aatgs_ring_capacity(s->ring) / 2) {
      pthread_mutex_lock(&s->mu);
      pthread_cond_broadcast(&s->cv_caller);
      pthread_mutex_unlock(&s->mu);
    }
    for (size_t i = 0; i < n; i++)
      if (!handle(s, &s->popbuf[i])) return NULL;
    maybe_commit(s);
  }
}

/* ------------------------------------------------------------ caller side */

static void wake_writer(aatgs_sqlite_sink *s) {
  pthread_mutex_lock(&s->mu);
  pthread_cond_signal(&s->cv_writer);
  pthread_mutex_unlock(&s->mu);
}

/* Pushes, waiting for room when the ring is full. Never drops. */
static int push_wait(aatgs_sqlite_sink *s, const aatgs_event *ev, bool is_cmd) {
  for (int i = 0; i < SPIN_TRIES; i++) {
    if (aatgs_ring_push(s->ring, ev)) return AATGS_OK;
    if (!is_cmd && atomic_load_explicit(&s->failed, memory_order_relaxed)) return AATGS_EDB;
    cpu_relax();
  }
  wake_writer(s);
  pthread_mutex_lock(&s->mu);
  atomic_store_explicit(&s->producer_waiting, 1, memory_order_seq_cst);
  while (!aatgs_ring_push(s->ring, ev)) {
    if (!is_cmd && atomic_load_explicit(&s->failed, memory_order_relaxed)) {
      atomic_store_explicit(&s->producer_waiting, 0, memory_order_relaxed);
      pthread_mutex_unlock(&s->mu);
      return AATGS_EDB;
    }
    struct timespec dl = mono_deadline(AATGS_NS_PER_MS);
    pthread_cond_timedwait(&s->cv_caller, &s->mu, &dl);
  }
  atomic_store_explicit(&s->producer_waiting, 0, memory_order_relaxed);
  pthread_mutex_unlock(&s->mu);
  return AATGS_OK;
}

/* Sends a command and waits for the writer's answer. */
static int command(aatgs_sqlite_sink *s, int cmd, int64_t *run_id, aatgs_err *err) {
  aatgs_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = (aatgs_event_kind)cmd;
  uint64_t ticket = ++s->cmd_sent;
  push_wait(s, &ev, true);
  pthread_mutex_lock(&s->mu);
  pthread_cond_signal(&s->cv_writer);
  while (s->done < ticket)
    pthread_cond_wait(&s->cv_caller, &s->mu);
  int rc = s->reply_rc;
  if (run_id) *run_id = s->reply_run_id;
  if (rc != AATGS_OK) aatgs_err_set(err, rc, "%s", s->reply_msg);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

static int sink_run_begin(void *ctx, const aatgs_run_info *info, aatgs_err *err) {
  aatgs_sqlite_sink *s = ctx;
  if (!info) return aatgs_err_set(err, AATGS_EINVAL, "run_begin: no run info");
  if (s->in_run)
    return aatgs_err_set(err, AATGS_ESTATE,
                         "database '%s': run_begin while run %" PRId64 " is still open", s->path,
                         s->last_run_id);
  /* The writer is idle between runs: clear a latched failure and retry. */
  atomic_store_explicit(&s->failed, 0, memory_order_release);
  s->cmd_info = info;
  int64_t id = 0;
  int rc = command(s, CMD_BEGIN, &id, err);
  s->cmd_info = NULL;
  if (rc != AATGS_OK) return rc;
  s->last_run_id = id;
  s->in_run = true;
  return AATGS_OK;
}

static int sink_emit(void *ctx, const aatgs_event *ev) {
  aatgs_sqlite_sink *s = ctx;
  if (atomic_load_explicit(&s->failed, memory_order_relaxed)) return AATGS_EDB;
  if (!s->in_run) return AATGS_ESTATE;
  if ((unsigned)ev->kind < AATGS_EV_DECISION || (unsigned)ev->kind > AATGS_EV_RING)
    return AATGS_EINVAL;
  if (++s->pushes % WAKE_EVERY == 0 &&
      atomic_load_explicit(&s->writer_sleeping, memory_order_relaxed))
    wake_writer(s);
  if (aatgs_ring_push(s->ring, ev)) return AATGS_OK;
  return push_wait(s, ev, false);
}

static int sink_run_end(void *ctx, const aatgs_run_result *res, aatgs_err *err) {
  aatgs_sqlite_sink *s = ctx;
  if (!s->in_run)
    return aatgs_err_set(err, AATGS_ESTATE, "database '%s': run_end without run_begin", s->path);
  s->cmd_result = res;
  int rc = command(s, CMD_END, NULL, err);
  s->cmd_result = NULL;
  s->in_run = false;
  /* Reported: the writer is idle now, the next run starts clean. */
  atomic_store_explicit(&s->failed, 0, memory_order_release);
  return rc;
}

void aatgs_sqlite_sink_as_sink(aatgs_sqlite_sink *s, aatgs_sink *out) {
  out->ctx = s;
  out->run_begin = sink_run_begin;
  out->emit = sink_emit;
  out->run_end = sink_run_end;
}

int64_t aatgs_sqlite_sink_run_id(const aatgs_sqlite_sink *s) { return s ? s->last_run_id : 0; }

const char *aatgs_sqlite_sink_path(const aatgs_sqlite_sink *s) { return s ? s->path : NULL; }

uint64_t aatgs_sqlite_sink_rows_written(const aatgs_sqlite_sink *s) {
  return s ? atomic_load_explicit(&s->rows_written, memory_order_relaxed) : 0;
}

/* ------------------------------------------------------------------- open */

void aatgs_sqlite_options_default(aatgs_sqlite_options *o) {
  memset(o, 0, sizeof *o);
  o->ring_capacity = 65536;
  o->batch_rows = 131072;
  o->commit_interval_ms = 200;
  o->busy_timeout_ms = 5000;
  o->cache_mb = 16;
  o->wal_autocheckpoint = 4096;
}

static void normalize(aatgs_sqlite_options *o, const aatgs_sqlite_options *in) {
  aatgs_sqlite_options d;
  aatgs_sqlite_options_default(&d);
  *o = in ? *in : d;
  if (!o->ring_capacity) o->ring_capacity = d.ring_capacity;
  if (!o->batch_rows) o->batch_rows = d.batch_rows;
  if (!o->commit_interval_ms) o->commit_interval_ms = d.commit_interval_ms;
  if (!o->busy_timeout_ms) o->busy_timeout_ms = d.busy_timeout_ms;
  if (!o->cache_mb) o->cache_mb = d.cache_mb;
  if (!o->wal_autocheckpoint) o->wal_autocheckpoint = d.wal_autocheckpoint;
}

/* Checks that path can be created or written, before any work. *created
 * tells whether this call created the (empty) file. */
static int check_writable(const char *path, bool *created, aatgs_err *err) {
  struct stat st;
  *created = false;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': %s", path, strerror(EISDIR));
  bool existed = access(path, F_OK) == 0;
  int fd = open(path, O_RDWR | O_CREAT, 0644);
  if (fd < 0)
    return aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': %s", path, strerror(errno));
  close(fd);
  *created = !existed;
  /* WAL needs to create PATH-wal and PATH-shm next to the file. */
  char *dir = strdup(path);
  if (!dir) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  char *slash = strrchr(dir, '/');
  const char *d = ".";
  if (slash == dir)
    d = "/";
  else if (slash) {
    *slash = '\0';
    d = dir;
  }
  int ok = access(d, W_OK | X_OK);
  int e = errno;
  free(dir);
  if (ok != 0) {
    if (*created) unlink(path);
    *created = false;
    return aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': folder not writable: %s", path,
                         strerror(e));
  }
  return AATGS_OK;
}

/* Refuses a file that is not an AATGS database or has a newer schema. */
static int check_schema(aatgs_sqlite_sink *s, aatgs_err *err) {
  sqlite3_stmt *st = NULL;
  int n_objects = 0, has_meta = 0;
  int rc = sqlite3_prepare_v2(s->db, "SELECT count(*), sum(name = 'meta') FROM sqlite_master", -1,
                              &st, NULL);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    n_objects = sqlite3_column_int(st, 0);
    has_meta = sqlite3_column_int(st, 1);
  } else {
    int r = aatgs_err_set(err, AATGS_EDB, "cannot open database '%s': %s", s->path,
                          sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return r;
  }
  sqlite3_finalize(st);
  if (n_objects == 0) return AATGS_OK;
  if (!has_meta)
    return aatgs_err_set(err, AATGS_EDB,
                         "cannot open database '%s': not an AATGS database (no meta table)",
                         s->path);
  long version = 0;
  rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                          NULL);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *v = sqlite3_column_text(st, 0);
    version = v ? strtol((const char *)v, NULL, 10) : 0;
  }
  sqlite3_finalize(st);
  if (version <= 0)
    return aatgs_err_set(err, AATGS_EDB,
                         "cannot open database '%s': not an AATGS database (no schema_version)",
                         s->path);
  if (version > AATGS_SQLITE_SCHEMA_VERSION)
    return aatgs_err_set(err, AATGS_EDB,
                         "database '%s' has schema version %ld, newer than this build's %d; "
                         "use a newer aatgs or another database file",
                         s->path, version, AATGS_SQLITE_SCHEMA_VERSION);
  return AATGS_OK;
}

/* Upgrades a file of an older schema version in place (inside the caller's
 * write transaction): version 1 -> 2 appends the provenance columns. */
static int migrate_schema(aatgs_sqlite_sink *s, aatgs_err *err) {
  static const char v1_to_v2[] = "ALTER TABLE runs ADD COLUMN score_doc TEXT;"
                                 "ALTER TABLE decisions ADD COLUMN candidates TEXT;"
                                 "ALTER TABLE edges ADD COLUMN bytes INTEGER;"
                                 "UPDATE meta SET value = '2' WHERE key = 'schema_version';";
  sqlite3_stmt *st = NULL;
  long version = 0;
  char msg[256];
  if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                         NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    version = strtol((const char *)sqlite3_column_text(st, 0), NULL, 10);
  sqlite3_finalize(st);
  if (version == 1 && exec_sql(s->db, v1_to_v2, msg, sizeof msg) != SQLITE_OK)
    return aatgs_err_set(err, AATGS_EDB, "database '%s': cannot upgrade schema 1 to 2: %s", s->path,
                         msg);
  return AATGS_OK;
}

/* Marks runs of this host whose process is gone as interrupted. */
static int mark_dead_runs(aatgs_sqlite_sink *s, aatgs_err *err) {
  sqlite3_stmt *sel = NULL, *upd = NULL;
  int rc = sqlite3_prepare_v2(
      s->db, "SELECT run_id, pid FROM runs WHERE status = 'running' AND writer_host = ?1", -1, &sel,
      NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(s->db,
                            "UPDATE runs SET status = 'interrupted', error = ?2 "
                            "WHERE run_id = ?1 AND status = 'running'",
                            -1, &upd, NULL);
  if (rc != SQLITE_OK) goto fail;
  sqlite3_bind_text(sel, 1, s->host, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
    int64_t run = sqlite3_column_int64(sel, 0);
    int64_t pid = sqlite3_column_int64(sel, 1);
    if (pid <= 0 || pid == (int64_t)getpid()) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive (or not ours to see) */
    char msg[384];
    snprintf(msg, sizeof msg, "process %" PRId64 " on %s ended before the run finished", pid,
             s->host);
    sqlite3_bind_int64(upd, 1, run);
    sqlite3_bind_text(upd, 2, msg, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(upd);
    sqlite3_reset(upd);
    if (rc != SQLITE_DONE) goto fail;
  }
  if (rc != SQLITE_DONE) goto fail;
  sqlite3_finalize(sel);
  sqlite3_finalize(upd);
  return AATGS_OK;
fail:
  aatgs_err_set(err, AATGS_EDB, "database '%s': cannot check interrupted runs: %s", s->path,
                sqlite3_errmsg(s->db));
  sqlite3_finalize(sel);
  sqlite3_finalize(upd);
  return AATGS_EDB;
}

static int prepare_inserts(aatgs_sqlite_sink *s, aatgs_err *err) {
  for (int t = 0; t < T_COUNT; t++) {
    for (int many = 0; many < 2; many++) {
      int rows = many ? ROWS_PER_STMT : 1;
      size_t cap = 128 + strlen(TABLES[t].cols) + (size_t)rows * (strlen(TABLES[t].vals) + 4);
      char *sql = malloc(cap);
      if (!sql) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
      size_t o =
          (size_t)snprintf(sql, cap, "INSERT INTO %s (%s) VALUES ", TABLES[t].name, TABLES[t].cols);
      for (int r = 0; r < rows; r++)
        o += (size_t)snprintf(sql + o, cap - o, "%s(%s)", r ? "," : "", TABLES[t].vals);
      sqlite3_stmt **dst = many ? &s->ins_many[t] : &s->ins_one[t];
      int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, dst, NULL);
      free(sql);
      if (rc != SQLITE_OK)
        return aatgs_err_set(err, AATGS_EDB, "database '%s': cannot prepare %s insert: %s", s->path,
                             TABLES[t].name, sqlite3_errmsg(s->db));
    }
  }
  if (sqlite3_prepare_v3(s->db,
                         "INSERT OR REPLACE INTO run_rows (run_id, tbl, first_rowid, last_rowid, "
                         "rows) VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, SQLITE_PREPARE_PERSISTENT, &s->ins_range, NULL) != SQLITE_OK)
    return aatgs_err_set(err, AATGS_EDB, "database '%s': cannot prepare run_rows insert: %s",
                         s->path, sqlite3_errmsg(s->db));
  if (sqlite3_prepare_v3(s->db,
                         "INSERT INTO task_types (graph_id, type_id, name, class, default_est_ns) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, SQLITE_PREPARE_PERSISTENT, &s->ins_type, NULL) != SQLITE_OK)
    return aatgs_err_set(err, AATGS_EDB, "database '%s': cannot prepare task_types insert: %s",
                         s->path, sqlite3_errmsg(s->db));
  return AATGS_OK;
}

static void stop_checkpointer(aatgs_sqlite_sink *s) {
  if (!s->cp_started) return;
  pthread_mutex_lock(&s->cp_mu);
  s->cp_stop = true;
  pthread_cond_signal(&s->cp_cv);
  pthread_mutex_unlock(&s->cp_mu);
  pthread_join(s->cp_thread, NULL);
  s->cp_started = false;
}

static void free_sink(aatgs_sqlite_sink *s) {
  stop_checkpointer(s);
  for (int t = 0; t < T_COUNT; t++) {
    sqlite3_finalize(s->ins_many[t]);
    sqlite3_finalize(s->ins_one[t]);
  }
  sqlite3_finalize(s->ins_type);
  sqlite3_finalize(s->ins_range);
  if (s->cp_db) sqlite3_close_v2(s->cp_db);
  if (s->db) sqlite3_close_v2(s->db); /* last connection: checkpoints, removes the WAL */
  aatgs_ring_destroy(s->ring);
  if (s->sync_init) {
    pthread_cond_destroy(&s->cv_writer);
    pthread_cond_destroy(&s->cv_caller);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cp_cv);
    pthread_mutex_destroy(&s->cp_mu);
  }
  free(s->popbuf);
  free(s->path);
  free(s);
}

int aatgs_sqlite_sink_open(aatgs_sqlite_sink **out, const char *path,
                           const aatgs_sqlite_options *options, aatgs_err *err) {
  aatgs_sqlite_sink *s = NULL;
  bool created = false;
  char msg[AATGS_ERR_MSG_MAX];
  char pragmas[256];
  int rc;
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_sqlite_sink_open: out is NULL");
  *out = NULL;
  if (!path || !*path) return aatgs_err_set(err, AATGS_EINVAL, "database path is empty");
  rc = check_writable(path, &created, err);
  if (rc != AATGS_OK) return rc;

  s = calloc(1, sizeof *s);
  if (!s) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
    goto fail;
  }
  normalize(&s->opt, options);
  s->path = strdup(path);
  s->popbuf = malloc(sizeof(aatgs_event) * POP_BATCH);
  if (!s->path || !s->popbuf) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
    goto fail;
  }
  if (gethostname(s->host, sizeof s->host - 1) != 0) snprintf(s->host, sizeof s->host, "unknown");
  atomic_init(&s->writer_sleeping, 0);
  atomic_init(&s->producer_waiting, 0);
  atomic_init(&s->failed, 0);
  atomic_init(&s->rows_written, 0);

  if (sqlite3_open_v2(path, &s->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK) {
    rc = aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': %s", path,
                       s->db ? sqlite3_errmsg(s->db) : "out of memory");
    goto fail;
  }
  if (sqlite3_db_readonly(s->db, "main") == 1) {
    rc = aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': the file is read-only", path);
    goto fail;
  }
  sqlite3_busy_timeout(s->db, (int)s->opt.busy_timeout_ms);
  rc = check_schema(s, err);
  if (rc != AATGS_OK) goto fail;
  {
    sqlite3_stmt *st = NULL;
    const unsigned char *mode = NULL;
    int prc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (prc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) mode = sqlite3_column_text(st, 0);
    bool wal = mode && strcmp((const char *)mode, "wal") == 0;
    snprintf(msg, sizeof msg, "%s", mode ? (const char *)mode : sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    if (!wal) {
      rc = aatgs_err_set(err, AATGS_EDB, "database '%s': cannot use WAL journal mode (%s)", path,
                         msg);
      goto fail;
    }
  }
  snprintf(pragmas, sizeof pragmas,
           "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -%u; PRAGMA wal_autocheckpoint = 0;",
           (unsigned)s->opt.cache_mb * 1024u);
  if (exec_sql(s->db, pragmas, msg, sizeof msg) != SQLITE_OK) {
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': %s", path, msg);
    goto fail;
  }
  if (exec_sql(s->db, "BEGIN IMMEDIATE", msg, sizeof msg) != SQLITE_OK) {
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': %s", path, msg);
    goto fail;
  }
  rc = check_schema(s, err); /* again, now that we hold the write lock */
  if (rc == AATGS_OK) rc = migrate_schema(s, err);
  if (rc == AATGS_OK && exec_sql(s->db, aatgs_sqlite_schema_sql, msg, sizeof msg) != SQLITE_OK)
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': cannot apply the schema: %s", path, msg);
  if (rc == AATGS_OK) rc = mark_dead_runs(s, err);
  if (rc == AATGS_OK && exec_sql(s->db, "COMMIT", msg, sizeof msg) != SQLITE_OK)
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': %s", path, msg);
  if (rc != AATGS_OK) {
    exec_sql(s->db, "ROLLBACK", NULL, 0);
    goto fail;
  }
  rc = prepare_inserts(s, err);
  if (rc != AATGS_OK) goto fail;

  rc = aatgs_ring_create(&s->ring, s->opt.ring_capacity, sizeof(aatgs_event));
  if (rc != AATGS_OK) {
    aatgs_err_set(err, rc, "database '%s': cannot create the event ring (%zu events)", path,
                  s->opt.ring_capacity);
    goto fail;
  }
  {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_writer, &ca);
    pthread_cond_init(&s->cv_caller, &ca);
    pthread_mutex_init(&s->cp_mu, NULL);
    pthread_cond_init(&s->cp_cv, &ca);
    pthread_condattr_destroy(&ca);
    s->sync_init = true;
  }
  if (s->opt.wal_autocheckpoint > 0) {
    if (sqlite3_open_v2(path, &s->cp_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        exec_sql(s->cp_db, "PRAGMA synchronous = NORMAL", msg, sizeof msg) != SQLITE_OK) {
      rc = aatgs_err_set(err, AATGS_EDB, "database '%s': cannot open the checkpoint connection: %s",
                         path, s->cp_db ? sqlite3_errmsg(s->cp_db) : "out of memory");
      goto fail;
    }
    sqlite3_wal_hook(s->db, on_wal_commit, s);
    if (pthread_create(&s->cp_thread, NULL, checkpointer_main, s) != 0) {
      rc = aatgs_err_set(err, AATGS_ENOMEM, "database '%s': cannot start the checkpoint thread",
                         path);
      goto fail;
    }
    s->cp_started = true;
  }
  if (pthread_create(&s->thread, NULL, writer_main, s) != 0) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "database '%s': cannot start the writer thread", path);
    goto fail;
  }
  s->thread_started = true;
  *out = s;
  return AATGS_OK;

fail:
  if (s) free_sink(s);
  if (created) {
    char side[4096];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
  }
  return rc;
}

int aatgs_sqlite_sink_close(aatgs_sqlite_sink *s, aatgs_err *err) {
  int rc = AATGS_OK;
  if (!s) return AATGS_OK;
  if (s->in_run) {
    aatgs_run_result res;
    memset(&res, 0, sizeof res);
    res.status = AATGS_RUN_INTERRUPTED;
    snprintf(res.error, sizeof res.error, "the sink was closed before the run ended");
    rc = sink_run_end(s, &res, err);
  }
  if (s->thread_started) {
    aatgs_err e2;
    aatgs_err_clear(&e2);
    int rc2 = command(s, CMD_STOP, NULL, &e2);
    pthread_join(s->thread, NULL);
    if (rc == AATGS_OK && rc2 != AATGS_OK) {
      rc = rc2;
      if (err) *err = e2;
    }
  }
  free_sink(s);
  return rc;
}
