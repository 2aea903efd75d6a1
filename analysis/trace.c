/* trace.c - one run as Chrome/Perfetto trace JSON (see trace.h).
 *
 * Order of the file: metadata (process and thread names), then one X event
 * per task in start order, each followed by the "f" events of its incoming
 * edges and the "s" events of its outgoing ones, then the counters. Perfetto
 * sorts events by timestamp and keeps file order among equal timestamps; it
 * binds an "s" to the slice on top of its track's stack and an "f" with
 * "bp":"e" likewise. Writing each flow event right after its own task's X
 * event makes both bind to that task even when the next task of the stream
 * starts at the very nanosecond the previous one ended.
 */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_read.h"

#define NO_VALUE INT64_MIN
#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
#define NO_STREAM INT64_MIN /* the key of the track of tasks without a stream */

typedef struct track {
  int64_t stream; /* stream id, NO_STREAM for tasks without one */
  char name[64];
  char cls[16];
} track;

/* The decision that placed a task. */
typedef struct decision {
  bool present;
  int64_t seq, t_ns, ready_size, est_ns, cost_ns; /* NO_VALUE when NULL */
  double priority;                                /* NAN when NULL */
  size_t cand_off, cand_len;                      /* candidates JSON in the arena */
} decision;

typedef struct writer {
  const char *path;
  sqlite3 *db;
  FILE *out;
  const char *out_name; /* for messages */
  aatgs_err *err;
  int64_t run, graph; /* graph 0: none */
  char *scenario, *policy, *backend, *status;
  int64_t seed, rep, makespan_ns;
  uint32_t pid, tid_base;
  bool first_event;

  track *tracks;
  size_t n_tracks, cap_tracks;

  uint32_t n_ids;  /* task ids 0 .. n_ids-1 are addressable below */
  uint8_t *ran;    /* per task: 1 when it has a task_events row */
  uint8_t *flowed; /* per task: its flows have been written */
  decision *dec;   /* per task */
  char *arena;     /* candidates texts */
  size_t arena_len, arena_cap;

  uint32_t *esrc, *edst; /* edges, in edges-table order; flow id = index + 1 */
  uint64_t n_edges;
  uint64_t *out_off, *in_off; /* CSR offsets, n_ids + 1 */
  uint64_t *out_idx, *in_idx; /* edge indices */

  bool other_class; /* some task ran on no known stream */
  char *buf;        /* serialized event, after a 2-byte separator slot */
  size_t buf_cap;
  aatgs_trace_stats st;
} writer;

/* ------------------------------------------------------------- helpers */

static int db_fail(writer *w, const char *what) {
  return aatgs_err_set(w->err, AATGS_EDB, "database '%s': cannot read %s: %s", w->path, what,
                       sqlite3_errmsg(w->db));
}

static int nomem(writer *w) { return aatgs_err_set(w->err, AATGS_ENOMEM, "out of memory"); }

static char *col_dup(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return strdup(t ? (const char *)t : "");
}

static int64_t col_i64(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? NO_VALUE : sqlite3_column_int64(st, i);
}

/* Microseconds, as a JSON number with nanosecond precision. */
static json_t *us(int64_t ns) { return json_real((double)ns / 1000.0); }

/* An integer, or null. */
static json_t *int_or_null(int64_t v) { return v == NO_VALUE ? json_null() : json_integer(v); }

/* Writes one event and frees it. The event is serialized into a reused
 * buffer and written with one fwrite (json_dumpf writes token by token, which
 * took a quarter of the time). */
static int emit(writer *w, json_t *ev) {
  if (!ev) return nomem(w);
  if (!w->buf) {
    if (!(w->buf = malloc(4096))) {
      json_decref(ev);
      return nomem(w);
    }
    w->buf_cap = 4096;
  }
  size_t n = json_dumpb(ev, w->buf + 2, w->buf_cap - 2, JSON_FLAGS);
  if (n && n + 2 > w->buf_cap) {
    size_t c = w->buf_cap;
    while (c < n + 2)
      c *= 2;
    char *b = realloc(w->buf, c);
    if (!b) {
      json_decref(ev);
      return nomem(w);
    }
    w->buf = b;
    w->buf_cap = c;
    n = json_dumpb(ev, w->buf + 2, w->buf_cap - 2, JSON_FLAGS);
  }
  json_decref(ev);
  if (!n) return nomem(w);
  /* Separator: ",\n" between events, "\n" before the first. */
  const char *start = w->first_event ? w->buf + 1 : w->buf;
  w->buf[0] = ',';
  w->buf[1] = '\n';
  size_t len = n + (w->first_event ? 1 : 2);
  if (fwrite(start, 1, len, w->out) != len || ferror(w->out))
    return aatgs_err_set(w->err, AATGS_EIO, "cannot write '%s': %s", w->out_name, strerror(errno));
  w->first_event = false;
  w->st.events++;
  return AATGS_OK;
}

/* The rowid range of the run's rows in a bulk table (run_rows); the whole
 * table when the run has no entry. */
static int row_range(writer *w, const char *tbl, int64_t *lo, int64_t *hi) {
  sqlite3_stmt *st = NULL;
  *lo = INT64_MIN;
  *hi = INT64_MAX;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT first_rowid, last_rowid FROM run_rows WHERE run_id = ?1 AND "
                         "tbl = ?2",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "run_rows");
  sqlite3_bind_int64(st, 1, w->run);
  sqlite3_bind_text(st, 2, tbl, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *lo = sqlite3_column_int64(st, 0);
    *hi = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? AATGS_OK : db_fail(w, "run_rows");
}

/* Grows the per-task arrays to hold task id `id`. */
static int ensure_ids(writer *w, int64_t id) {
  if (id < 0 || id >= (int64_t)UINT32_MAX)
    return aatgs_err_set(w->err, AATGS_EDB,
                         "database '%s': run %" PRId64 ": task id %" PRId64 " out of range",
                         w->path, w->run, id);
  if ((uint64_t)id < w->n_ids) return AATGS_OK;
  uint64_t n = w->n_ids ? w->n_ids : 1024;
  while (n <= (uint64_t)id)
    n *= 2;
  if (n > UINT32_MAX) n = UINT32_MAX;
  uint8_t *ran = realloc(w->ran, n), *flowed = realloc(w->flowed, n);
  if (ran) w->ran = ran;
  if (flowed) w->flowed = flowed;
  decision *dec = realloc(w->dec, n * sizeof *dec);
  if (dec) w->dec = dec;
  if (!ran || !flowed || !dec) return nomem(w);
  memset(w->ran + w->n_ids, 0, n - w->n_ids);
  memset(w->flowed + w->n_ids, 0, n - w->n_ids);
  memset(w->dec + w->n_ids, 0, (n - w->n_ids) * sizeof *dec);
  w->n_ids = (uint32_t)n;
  return AATGS_OK;
}

static size_t track_of(const writer *w, int64_t stream) {
  /* Streams are usually 0..n-1 and the tracks sorted by stream. */
  if (stream >= 0 && (uint64_t)stream < w->n_tracks && w->tracks[stream].stream == stream)
    return (size_t)stream;
  for (size_t i = 0; i < w->n_tracks; i++)
    if (w->tracks[i].stream == stream) return i;
  return SIZE_MAX;
}

static int add_track(writer *w, int64_t stream, const char *name, const char *cls) {
  if (w->n_tracks == w->cap_tracks) {
    size_t c = w->cap_tracks ? 2 * w->cap_tracks : 16;
    track *t = realloc(w->tracks, c * sizeof *t);
    if (!t) return nomem(w);
    w->tracks = t;
    w->cap_tracks = c;
  }
  track *t = &w->tracks[w->n_tracks++];
  t->stream = stream;
  snprintf(t->name, sizeof t->name, "%s", name);
  snprintf(t->cls, sizeof t->cls, "%s", cls);
  return AATGS_OK;
}

static int cmp_track(const void *a, const void *b) {
  int64_t x = ((const track *)a)->stream, y = ((const track *)b)->stream;
  return (x > y) - (x < y);
}

/* --------------------------------------------------------------- loading */

/* The runs row. run <= 0: the last run. */
static int load_run(writer *w, int64_t run) {
  sqlite3_stmt *st = NULL;
  if (run <= 0) {
    if (sqlite3_prepare_v2(w->db, "SELECT max(run_id) FROM runs", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
      sqlite3_finalize(st);
      return db_fail(w, "runs");
    }
    bool none = sqlite3_column_type(st, 0) == SQLITE_NULL;
    run = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (none) return aatgs_err_set(w->err, AATGS_ENOENT, "'%s' holds no runs", w->path);
  }
  w->run = run;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT graph_id, scenario, policy, backend, status, seed, rep, "
                         "makespan_ns FROM runs WHERE run_id = ?1",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "runs");
  sqlite3_bind_int64(st, 1, run);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    w->graph = sqlite3_column_int64(st, 0);
    w->scenario = col_dup(st, 1);
    w->policy = col_dup(st, 2);
    w->backend = col_dup(st, 3);
    w->status = col_dup(st, 4);
    w->seed = col_i64(st, 5);
    w->rep = col_i64(st, 6);
    w->makespan_ns = col_i64(st, 7);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_DONE) {
    int64_t lo = 0, hi = 0, n = 0;
    if (sqlite3_prepare_v2(w->db, "SELECT min(run_id), max(run_id), count(*) FROM runs", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      lo = sqlite3_column_int64(st, 0);
      hi = sqlite3_column_int64(st, 1);
      n = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (n == 0)
      return aatgs_err_set(w->err, AATGS_ENOENT,
                           "run %" PRId64 " is not in '%s' (it holds no runs)", run, w->path);
    return aatgs_err_set(w->err, AATGS_ENOENT,
                         "run %" PRId64 " is not in '%s' (it holds %" PRId64 " runs, ids %" PRId64
                         "..%" PRId64 ")",
                         run, w->path, n, lo, hi);
  }
  if (rc != SQLITE_ROW) return db_fail(w, "runs");
  if (!w->scenario || !w->policy || !w->backend || !w->status) return nomem(w);
  return AATGS_OK;
}

/* The streams table, then every task's stream (tasks on a stream the table
 * does not list get a track "stream N"; tasks without one, "no stream"). */
static int load_tracks(writer *w) {
  sqlite3_stmt *st = NULL;
  int rc;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT stream, class, name FROM streams WHERE run_id = ?1 ORDER BY "
                         "stream",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "streams");
  sqlite3_bind_int64(st, 1, w->run);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char *cls = sqlite3_column_text(st, 1), *name = sqlite3_column_text(st, 2);
    int r = add_track(w, sqlite3_column_int64(st, 0), name ? (const char *)name : "",
                      cls ? (const char *)cls : "");
    if (r != AATGS_OK) {
      sqlite3_finalize(st);
      return r;
    }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return db_fail(w, "streams");

  int64_t lo, hi;
  if ((rc = row_range(w, "task_events", &lo, &hi)) != AATGS_OK) return rc;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT task_id, stream FROM task_events WHERE run_id = ?1 AND rowid "
                         "BETWEEN ?2 AND ?3",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "task_events");
  sqlite3_bind_int64(st, 1, w->run);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(st, 0);
    int64_t stream = col_i64(st, 1);
    int r = ensure_ids(w, id);
    if (r == AATGS_OK && track_of(w, stream) == SIZE_MAX) {
      char name[64];
      if (stream == NO_VALUE)
        snprintf(name, sizeof name, "no stream");
      else
        snprintf(name, sizeof name, "stream %" PRId64, stream);
      r = add_track(w, stream == NO_VALUE ? NO_STREAM : stream, name, "");
      w->other_class = true;
    }
    if (r != AATGS_OK) {
      sqlite3_finalize(st);
      return r;
    }
    w->ran[id] = 1;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return db_fail(w, "task_events");
  qsort(w->tracks, w->n_tracks, sizeof *w->tracks, cmp_track);
  for (size_t i = 0; i < w->n_tracks; i++)
    if (!strcmp(w->tracks[i].cls, "")) w->other_class = true;
  /* Thread ids in stream order; never the pid, which a viewer would take for
   * the main thread and list first. */
  w->pid = w->run > 0 && w->run <= INT32_MAX ? (uint32_t)w->run : 1;
  w->tid_base = w->pid <= w->n_tracks ? w->pid + 1 : 1;
  return AATGS_OK;
}

static int load_decisions(writer *w) {
  sqlite3_stmt *st = NULL;
  int64_t lo, hi;
  int rc = row_range(w, "decisions", &lo, &hi);
  if (rc != AATGS_OK) return rc;
  bool has_cand = aatgs_db_has_column(w->db, "main", "decisions", "candidates");
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT task_id, seq, t_ns, priority, ready_size, est_ns, cost_ns, %s FROM decisions "
           "WHERE run_id = ?1 AND rowid BETWEEN ?2 AND ?3",
           has_cand ? "candidates" : "NULL");
  if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK) return db_fail(w, "decisions");
  sqlite3_bind_int64(st, 1, w->run);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(st, 0);
    if (id < 0 || (uint64_t)id >= w->n_ids || !w->ran[id]) continue; /* the task never ended */
    decision *d = &w->dec[id];
    if (d->present) continue; /* one decision per task; keep the first */
    d->present = true;
    d->seq = col_i64(st, 1);
    d->t_ns = col_i64(st, 2);
    d->priority = sqlite3_column_type(st, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 3);
    d->ready_size = col_i64(st, 4);
    d->est_ns = col_i64(st, 5);
    d->cost_ns = col_i64(st, 6);
    const unsigned char *cand = sqlite3_column_text(st, 7);
    if (cand) {
      size_t len = (size_t)sqlite3_column_bytes(st, 7);
      if (w->arena_len + len > w->arena_cap) {
        size_t c = w->arena_cap ? w->arena_cap : 65536;
        while (c < w->arena_len + len)
          c *= 2;
        char *a = realloc(w->arena, c);
        if (!a) {
          sqlite3_finalize(st);
          return nomem(w);
        }
        w->arena = a;
        w->arena_cap = c;
      }
      memcpy(w->arena + w->arena_len, cand, len);
      d->cand_off = w->arena_len;
      d->cand_len = len;
      w->arena_len += len;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? AATGS_OK : db_fail(w, "decisions");
}

/* The graph's edges, in successor-list order, indexed both ways. */
static int load_edges(writer *w) {
  sqlite3_stmt *st = NULL;
  int64_t lo = INT64_MIN, hi = INT64_MAX, n = 0;
  int rc;
  if (!w->graph) return AATGS_OK;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT edges_first_rowid, edges_last_rowid, n_edges FROM graphs WHERE "
                         "graph_id = ?1",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "graphs");
  sqlite3_bind_int64(st, 1, w->graph);
  if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) lo = sqlite3_column_int64(st, 0);
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) hi = sqlite3_column_int64(st, 1);
    n = sqlite3_column_int64(st, 2);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_fail(w, "graphs");
  uint64_t cap = n > 0 ? (uint64_t)n : 1024;
  w->esrc = malloc(cap * sizeof *w->esrc);
  w->edst = malloc(cap * sizeof *w->edst);
  if (!w->esrc || !w->edst) return nomem(w);
  if (sqlite3_prepare_v2(w->db,
                         "SELECT src, dst FROM edges WHERE graph_id = ?1 AND rowid BETWEEN ?2 AND "
                         "?3 ORDER BY rowid",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "edges");
  sqlite3_bind_int64(st, 1, w->graph);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t s = sqlite3_column_int64(st, 0), d = sqlite3_column_int64(st, 1);
    int r = ensure_ids(w, s > d ? s : d);
    if (r == AATGS_OK && s < 0) r = ensure_ids(w, s); /* reports the bad id */
    if (r == AATGS_OK && d < 0) r = ensure_ids(w, d);
    if (r == AATGS_OK && w->n_edges == cap) {
      cap *= 2;
      uint32_t *a = realloc(w->esrc, cap * sizeof *a);
      if (a) w->esrc = a;
      uint32_t *b = realloc(w->edst, cap * sizeof *b);
      if (b) w->edst = b;
      if (!a || !b) r = nomem(w);
    }
    if (r != AATGS_OK) {
      sqlite3_finalize(st);
      return r;
    }
    w->esrc[w->n_edges] = (uint32_t)s;
    w->edst[w->n_edges] = (uint32_t)d;
    w->n_edges++;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return db_fail(w, "edges");
  /* Compressed rows: out_idx lists each task's outgoing edges, in_idx its incoming. */
  size_t nid = (size_t)w->n_ids + 1;
  w->out_off = calloc(nid, sizeof *w->out_off);
  w->in_off = calloc(nid, sizeof *w->in_off);
  w->out_idx = malloc((w->n_edges ? w->n_edges : 1) * sizeof *w->out_idx);
  w->in_idx = malloc((w->n_edges ? w->n_edges : 1) * sizeof *w->in_idx);
  if (!w->out_off || !w->in_off || !w->out_idx || !w->in_idx) return nomem(w);
  for (uint64_t e = 0; e < w->n_edges; e++) {
    w->out_off[w->esrc[e] + 1]++;
    w->in_off[w->edst[e] + 1]++;
  }
  for (size_t i = 1; i < nid; i++) {
    w->out_off[i] += w->out_off[i - 1];
    w->in_off[i] += w->in_off[i - 1];
  }
  uint64_t *po = malloc(nid * sizeof *po), *pi = malloc(nid * sizeof *pi);
  if (!po || !pi) {
    free(po);
    free(pi);
    return nomem(w);
  }
  memcpy(po, w->out_off, nid * sizeof *po);
  memcpy(pi, w->in_off, nid * sizeof *pi);
  for (uint64_t e = 0; e < w->n_edges; e++) {
    w->out_idx[po[w->esrc[e]]++] = e;
    w->in_idx[pi[w->edst[e]]++] = e;
  }
  free(po);
  free(pi);
  return AATGS_OK;
}

/* ---------------------------------------------------------------- events */

static uint32_t tid_of(const writer *w, int64_t stream) {
  size_t i = track_of(w, stream == NO_VALUE ? NO_STREAM : stream);
  return w->tid_base + (uint32_t)(i == SIZE_MAX ? 0 : i);
}

static int write_metadata(writer *w) {
  char name[512];
  int rc;
  snprintf(name, sizeof name, "run %" PRId64 ": %s / %s / seed %" PRId64, w->run, w->scenario,
           w->policy, w->seed == NO_VALUE ? 0 : w->seed);
  rc = emit(w, json_pack("{s:s, s:s, s:I, s:{s:s}}", "name", "process_name", "ph", "M", "pid",
                         (json_int_t)w->pid, "args", "name", name));
  if (rc != AATGS_OK) return rc;
  if (w->makespan_ns != NO_VALUE)
    snprintf(name, sizeof name, "%s, %s, makespan %.6f ms", w->backend, w->status,
             (double)w->makespan_ns / 1e6);
  else
    snprintf(name, sizeof name, "%s, %s", w->backend, w->status);
  rc = emit(w, json_pack("{s:s, s:s, s:I, s:{s:s}}", "name", "process_labels", "ph", "M", "pid",
                         (json_int_t)w->pid, "args", "labels", name));
  for (size_t i = 0; i < w->n_tracks && rc == AATGS_OK; i++) {
    const track *t = &w->tracks[i];
    json_int_t tid = (json_int_t)(w->tid_base + i);
    rc = emit(w, json_pack("{s:s, s:s, s:I, s:I, s:{s:s}}", "name", "thread_name", "ph", "M", "pid",
                           (json_int_t)w->pid, "tid", tid, "args", "name", t->name));
    if (rc == AATGS_OK)
      rc = emit(w, json_pack("{s:s, s:s, s:I, s:I, s:{s:I}}", "name", "thread_sort_index", "ph",
                             "M", "pid", (json_int_t)w->pid, "tid", tid, "args", "sort_index",
                             (json_int_t)(t->stream == NO_STREAM ? INT32_MAX : t->stream)));
  }
  return rc;
}

static json_t *decision_json(const writer *w, const decision *d) {
  json_t *o = json_object();
  if (!o) return NULL;
  json_object_set_new(o, "seq", int_or_null(d->seq));
  json_object_set_new(o, "t_ns", int_or_null(d->t_ns));
  json_object_set_new(o, "priority", isnan(d->priority) ? json_null() : json_real(d->priority));
  json_object_set_new(o, "ready_size", int_or_null(d->ready_size));
  json_object_set_new(o, "est_ns", int_or_null(d->est_ns));
  json_object_set_new(o, "cost_ns", int_or_null(d->cost_ns));
  if (d->cand_len) {
    json_t *c = json_loadb(w->arena + d->cand_off, d->cand_len, 0, NULL);
    json_object_set_new(o, "candidates", c ? c : json_stringn(w->arena + d->cand_off, d->cand_len));
  }
  return o;
}

static int write_flow(writer *w, char ph, uint64_t edge, uint32_t tid, int64_t ts_ns) {
  json_t *ev = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "name", "dependency", "cat",
                         "dependency", "ph", ph == 's' ? "s" : "f", "id", (json_int_t)(edge + 1),
                         "pid", (json_int_t)w->pid, "tid", (json_int_t)tid, "ts", us(ts_ns));
  if (ev && ph == 'f') json_object_set_new(ev, "bp", json_string("e"));
  return emit(w, ev);
}

static const char TASKS_SQL[] =
    "SELECT e.task_id, e.stream, e.status, e.ready_ns, e.submit_ns, e.start_ns, e.end_ns, "
    "tt.name, tt.class, t.est_ns, t.label FROM task_events e "
    "LEFT JOIN tasks t ON t.graph_id = ?2 AND t.task_id = e.task_id "
    "LEFT JOIN task_types tt ON tt.graph_id = ?2 AND tt.type_id = t.type "
    "WHERE e.run_id = ?1 AND e.rowid BETWEEN ?3 AND ?4 "
    "ORDER BY COALESCE(e.start_ns, e.submit_ns, e.ready_ns, e.end_ns), e.end_ns, e.task_id";

static int write_tasks(writer *w) {
  sqlite3_stmt *st = NULL;
  int64_t lo, hi;
  int rc = row_range(w, "task_events", &lo, &hi);
  if (rc != AATGS_OK) return rc;
  if (sqlite3_prepare_v2(w->db, TASKS_SQL, -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "task_events");
  sqlite3_bind_int64(st, 1, w->run);
  if (w->graph)
    sqlite3_bind_int64(st, 2, w->graph);
  else
    sqlite3_bind_null(st, 2);
  sqlite3_bind_int64(st, 3, lo);
  sqlite3_bind_int64(st, 4, hi);
  int src;
  rc = AATGS_OK;
  while (rc == AATGS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(st, 0), stream = col_i64(st, 1);
    int64_t ready = col_i64(st, 3), submit = col_i64(st, 4), start = col_i64(st, 5),
            end = col_i64(st, 6);
    const char *type = (const char *)sqlite3_column_text(st, 7);
    const char *cls = (const char *)sqlite3_column_text(st, 8);
    const char *label = (const char *)sqlite3_column_text(st, 10);
    char fallback[48];
    if (!type) {
      snprintf(fallback, sizeof fallback, "task");
      type = fallback;
    }
    int64_t t0 = start != NO_VALUE ? start : submit != NO_VALUE ? submit : ready;
    if (t0 == NO_VALUE) t0 = end != NO_VALUE ? end : 0;
    int64_t dur = end != NO_VALUE && end > t0 ? end - t0 : 0;
    uint32_t tid = tid_of(w, stream);
    size_t ti = track_of(w, stream == NO_VALUE ? NO_STREAM : stream);

    json_t *args = json_object();
    if (!args) {
      rc = nomem(w);
      break;
    }
    json_object_set_new(args, "task", json_integer(id));
    json_object_set_new(args, "type", json_string(type));
    if (label && *label) json_object_set_new(args, "label", json_string(label));
    json_object_set_new(args, "class", cls ? json_string(cls) : json_null());
    json_object_set_new(args, "stream", json_string(ti == SIZE_MAX ? "" : w->tracks[ti].name));
    json_object_set_new(args, "status", json_integer(sqlite3_column_int64(st, 2)));
    json_object_set_new(args, "est_ns", int_or_null(col_i64(st, 9)));
    json_object_set_new(args, "ready_ns", int_or_null(ready));
    json_object_set_new(args, "submit_ns", int_or_null(submit));
    json_object_set_new(args, "start_ns", int_or_null(start));
    json_object_set_new(args, "end_ns", int_or_null(end));
    json_object_set_new(args, "queue_ns",
                        start != NO_VALUE && ready != NO_VALUE ? json_integer(start - ready)
                                                               : json_null());
    if (id >= 0 && (uint64_t)id < w->n_ids && w->dec[id].present)
      json_object_set_new(args, "decision", decision_json(w, &w->dec[id]));
    json_object_set_new(args, "scenario", json_string(w->scenario));
    json_object_set_new(args, "policy", json_string(w->policy));
    json_object_set_new(args, "seed", int_or_null(w->seed));
    json_object_set_new(args, "run", json_integer(w->run));

    json_t *ev =
        json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:o}", "name",
                  label && *label ? label : type, "cat", type, "ph", "X", "ts", us(t0), "dur",
                  us(dur), "pid", (json_int_t)w->pid, "tid", (json_int_t)tid, "args", args);
    rc = emit(w, ev);
    if (rc != AATGS_OK) break;
    w->st.tasks++;

    /* Flows, once per task even if it ran twice. */
    if (id < 0 || (uint64_t)id >= w->n_ids || w->flowed[id] || !w->out_off) continue;
    w->flowed[id] = 1;
    for (uint64_t k = w->in_off[id]; k < w->in_off[id + 1] && rc == AATGS_OK; k++) {
      uint64_t e = w->in_idx[k];
      if (w->ran[w->esrc[e]]) rc = write_flow(w, 'f', e, tid, t0);
    }
    for (uint64_t k = w->out_off[id]; k < w->out_off[id + 1] && rc == AATGS_OK; k++) {
      uint64_t e = w->out_idx[k];
      if (w->ran[w->edst[e]]) {
        rc = write_flow(w, 's', e, tid, t0 + dur);
        w->st.flows++;
      }
    }
  }
  if (rc == AATGS_OK && src != SQLITE_DONE) rc = db_fail(w, "task_events");
  sqlite3_finalize(st);
  return rc;
}

static int write_counter(writer *w, const char *name, int64_t ts_ns, json_t *args) {
  if (!args) return nomem(w);
  int rc = emit(w, json_pack("{s:s, s:s, s:I, s:o, s:o}", "name", name, "ph", "C", "pid",
                             (json_int_t)w->pid, "ts", us(ts_ns), "args", args));
  if (rc == AATGS_OK) w->st.counters++;
  return rc;
}

/* Ring utilization (ring_samples) and GPU utilization (snapshots, placed at
 * the start of the interval they measure). */
static int write_ring_counters(writer *w) {
  sqlite3_stmt *st = NULL;
  int64_t lo, hi;
  int rc = row_range(w, "ring_samples", &lo, &hi), src;
  if (rc != AATGS_OK) return rc;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT t_ns, ring, COALESCE(utilization, CAST(len AS REAL) / "
                         "NULLIF(capacity, 0), 0) FROM ring_samples WHERE run_id = ?1 AND rowid "
                         "BETWEEN ?2 AND ?3 ORDER BY t_ns, rowid",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "ring_samples");
  sqlite3_bind_int64(st, 1, w->run);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  while (rc == AATGS_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    const char *ring = (const char *)sqlite3_column_text(st, 1);
    char name[64];
    if (ring && !strcmp(ring, "collector"))
      snprintf(name, sizeof name, "telemetry collector");
    else
      snprintf(name, sizeof name, "%s ring", ring ? ring : "");
    rc = write_counter(w, name, sqlite3_column_int64(st, 0),
                       json_pack("{s:f}", "utilization", sqlite3_column_double(st, 2)));
  }
  if (rc == AATGS_OK && src != SQLITE_DONE) rc = db_fail(w, "ring_samples");
  sqlite3_finalize(st);
  if (rc != AATGS_OK) return rc;

  if ((rc = row_range(w, "snapshots", &lo, &hi)) != AATGS_OK) return rc;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT t_ns - COALESCE(interval_ns, 0), gpu_util FROM snapshots WHERE "
                         "run_id = ?1 AND rowid BETWEEN ?2 AND ?3 AND gpu_util IS NOT NULL "
                         "ORDER BY t_ns, rowid",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "snapshots");
  sqlite3_bind_int64(st, 1, w->run);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  while (rc == AATGS_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
    rc = write_counter(w, "gpu", sqlite3_column_int64(st, 0),
                       json_pack("{s:f}", "utilization", sqlite3_column_double(st, 1)));
  if (rc == AATGS_OK && src != SQLITE_DONE) rc = db_fail(w, "snapshots");
  sqlite3_finalize(st);
  return rc;
}

/* The ready queue per class: +1 at each ready_ns, -1 at each submit_ns; a
 * point per time at which a count changed. */
static const char READY_SQL[] =
    "SELECT t, cls, sum(d) FROM ("
    " SELECT e.ready_ns AS t, COALESCE(s.class, '') AS cls, 1 AS d FROM task_events e"
    " LEFT JOIN streams s ON s.run_id = e.run_id AND s.stream = e.stream"
    " WHERE e.run_id = ?1 AND e.rowid BETWEEN ?2 AND ?3 AND e.ready_ns IS NOT NULL"
    " UNION ALL"
    " SELECT e.submit_ns, COALESCE(s.class, ''), -1 FROM task_events e"
    " LEFT JOIN streams s ON s.run_id = e.run_id AND s.stream = e.stream"
    " WHERE e.run_id = ?1 AND e.rowid BETWEEN ?2 AND ?3 AND e.ready_ns IS NOT NULL"
    " AND e.submit_ns IS NOT NULL)"
    " GROUP BY t, cls ORDER BY t";

enum { C_KERNEL, C_UPLOAD, C_DOWNLOAD, C_OTHER, C_COUNT };
static const char *const CLASS_NAME[C_COUNT] = {"kernel", "upload", "download", "other"};

static int class_index(const char *c) {
  for (int i = 0; i < C_OTHER; i++)
    if (c && !strcmp(c, CLASS_NAME[i])) return i;
  return C_OTHER;
}

static int write_ready_counter(writer *w) {
  sqlite3_stmt *st = NULL;
  int64_t lo, hi, count[C_COUNT] = {0}, last[C_COUNT] = {0};
  bool shown[C_COUNT] = {false}, written = false;
  int rc = row_range(w, "task_events", &lo, &hi), src;
  if (rc != AATGS_OK) return rc;
  for (size_t i = 0; i < w->n_tracks; i++)
    shown[class_index(w->tracks[i].cls)] = true;
  if (w->other_class) shown[C_OTHER] = true;
  if (sqlite3_prepare_v2(w->db, READY_SQL, -1, &st, NULL) != SQLITE_OK)
    return db_fail(w, "task_events");
  sqlite3_bind_int64(st, 1, w->run);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  bool pending = false;
  int64_t t = 0;
  while (rc == AATGS_OK) {
    src = sqlite3_step(st);
    bool row = src == SQLITE_ROW;
    int64_t rt = row ? sqlite3_column_int64(st, 0) : 0;
    if (pending && (!row || rt != t)) { /* every change at time t is in: write the point */
      if (!written || memcmp(count, last, sizeof count)) {
        json_t *args = json_object();
        for (int c = 0; args && c < C_COUNT; c++)
          if (shown[c]) json_object_set_new(args, CLASS_NAME[c], json_integer(count[c]));
        rc = write_counter(w, "ready queue", t, args);
        memcpy(last, count, sizeof last);
        written = true;
      }
      pending = false;
    }
    if (!row) break;
    count[class_index((const char *)sqlite3_column_text(st, 1))] += sqlite3_column_int64(st, 2);
    t = rt;
    pending = true;
  }
  if (rc == AATGS_OK && src != SQLITE_DONE) rc = db_fail(w, "task_events");
  sqlite3_finalize(st);
  return rc;
}

static int write_trailer(writer *w) {
  json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "generator",
                        "aatgs trace", "database", w->path, "run_id", (json_int_t)w->run,
                        "scenario", w->scenario, "policy", w->policy, "backend", w->backend,
                        "status", w->status, "seed", int_or_null(w->seed), "rep",
                        int_or_null(w->rep), "makespan_ns", int_or_null(w->makespan_ns),
                        "time_unit", "ts and dur are microseconds with nanosecond precision");
  if (!o) return nomem(w);
  int bad = fputs("\n],\n\"otherData\":", w->out) == EOF;
  if (!bad) bad = json_dumpf(o, w->out, JSON_FLAGS) != 0;
  json_decref(o);
  if (!bad) bad = fputs("}\n", w->out) == EOF;
  if (bad || ferror(w->out))
    return aatgs_err_set(w->err, AATGS_EIO, "cannot write '%s': %s", w->out_name, strerror(errno));
  return AATGS_OK;
}

static void writer_free(writer *w) {
  if (w->db) sqlite3_close(w->db);
  free(w->scenario);
  free(w->policy);
  free(w->backend);
  free(w->status);
  free(w->tracks);
  free(w->ran);
  free(w->flowed);
  free(w->dec);
  free(w->arena);
  free(w->esrc);
  free(w->edst);
  free(w->out_off);
  free(w->in_off);
  free(w->out_idx);
  free(w->in_idx);
  free(w->buf);
}

static int trace_write(const char *db_path, int64_t run_id, FILE *out, const char *out_name,
                       aatgs_trace_stats *stats, aatgs_err *err) {
  writer w;
  memset(&w, 0, sizeof w);
  w.path = db_path;
  w.out = out;
  w.out_name = out_name;
  w.err = err;
  w.first_event = true;
  if (stats) memset(stats, 0, sizeof *stats);
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_trace_write: out is NULL");
  int rc = aatgs_db_open_read(db_path, 0, &w.db, NULL, err);
  if (rc == AATGS_OK) rc = load_run(&w, run_id);
  if (rc == AATGS_OK) rc = load_tracks(&w);
  if (rc == AATGS_OK) rc = load_decisions(&w);
  if (rc == AATGS_OK) rc = load_edges(&w);
  if (rc == AATGS_OK && fputs("{\"traceEvents\":[", out) == EOF)
    rc = aatgs_err_set(err, AATGS_EIO, "cannot write '%s': %s", out_name, strerror(errno));
  if (rc == AATGS_OK) rc = write_metadata(&w);
  if (rc == AATGS_OK) rc = write_tasks(&w);
  if (rc == AATGS_OK) rc = write_ring_counters(&w);
  if (rc == AATGS_OK) rc = write_ready_counter(&w);
  if (rc == AATGS_OK) rc = write_trailer(&w);
  if (rc == AATGS_OK && fflush(out) != 0)
    rc = aatgs_err_set(err, AATGS_EIO, "cannot write '%s': %s", out_name, strerror(errno));
  if (stats) *stats = w.st;
  writer_free(&w);
  return rc;
}

int aatgs_trace_write(const char *db_path, int64_t run_id, FILE *out, aatgs_trace_stats *stats,
                      aatgs_err *err) {
  return trace_write(db_path, run_id, out, "the trace", stats, err);
}

int aatgs_trace_export(const char *db_path, int64_t run_id, const char *out_path,
                       aatgs_trace_stats *stats, aatgs_err *err) {
  if (!out_path || !*out_path) return aatgs_err_set(err, AATGS_EINVAL, "output path is empty");
  if (!strcmp(out_path, "-")) return trace_write(db_path, run_id, stdout, "<stdout>", stats, err);
  size_t n = strlen(out_path) + 32;
  char *tmp = malloc(n);
  if (!tmp) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  snprintf(tmp, n, "%s.tmp.%ld", out_path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) {
    int rc = aatgs_err_set(err, AATGS_EIO, "cannot write '%s': %s", out_path, strerror(errno));
    free(tmp);
    return rc;
  }
  int rc = trace_write(db_path, run_id, f, out_path, stats, err);
  if (fclose(f) != 0 && rc == AATGS_OK)
    rc = aatgs_err_set(err, AATGS_EIO, "cannot write '%s': %s", out_path, strerror(errno));
  if (rc == AATGS_OK && rename(tmp, out_path) != 0)
    rc = aatgs_err_set(err, AATGS_EIO, "cannot write '%s': %s", out_path, strerror(errno));
  if (rc != AATGS_OK) unlink(tmp);
  free(tmp);
  return rc;
}
