/* plot_run.c - the data of the figures of `aatgs plot` that draw one run
 * (plot_data.h): the Gantt chart, stream utilization and ready tasks, ring
 * utilization. Times are written in ms since the run's clock origin; a
 * run's rows are read through run_rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_data.h"

#define MAX_STEP_POINTS 20000 /* ready-queue steps drawn exactly up to this many */
#define STEP_BINS 2000        /* else the maximum per bin over this many bins */
#define UTIL_BINS 200         /* bins of the busy fraction */
#define MAX_GANTT_BOXES 20000 /* Gantt boxes drawn one per task up to this many */

/* ------------------------------------------------------- the drawn run */

static int resolve_run(aatgs__plot_ctx *c, aatgs_err *err) {
  if (c->run_resolved) {
    if (c->run_rc != AATGS_OK) aatgs_err_set(err, c->run_rc, "%s", c->run_err);
    return c->run_rc;
  }
  const aatgs_plot_options *o = c->opt;
  aatgs__plot_run *r = &c->run;
  sqlite3_stmt *st;
  aatgs_err e;
  aatgs_err_clear(&e);
  int rc = aatgs__plot_prepare(
      c,
      "SELECT run_id, COALESCE(graph_id, -1), COALESCE(seed, 0), "
      "COALESCE(scenario, ''), COALESCE(policy, ''), COALESCE(backend, ''), status, "
      "COALESCE(n_tasks, 0), COALESCE(makespan_ns, 0) FROM runs "
      "WHERE (?1 > 0 AND run_id = ?1) OR (?1 = 0 AND status = 'completed') "
      "ORDER BY run_id",
      &st, "runs", &e);
  bool found = false;
  if (rc == AATGS_OK) {
    sqlite3_bind_int64(st, 1, o->run_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const char *sc = aatgs__plot_col_text(st, 3), *po = aatgs__plot_col_text(st, 4),
                 *be = aatgs__plot_col_text(st, 5);
      if (!o->run_id &&
          (!aatgs__plot_matches(o->scenario, sc) || !aatgs__plot_matches(o->policy, po) ||
           !aatgs__plot_matches(o->backend, be)))
        continue;
      r->id = sqlite3_column_int64(st, 0);
      r->graph_id = sqlite3_column_int64(st, 1);
      r->seed = sqlite3_column_int64(st, 2);
      snprintf(r->scenario, sizeof r->scenario, "%s", sc);
      snprintf(r->policy, sizeof r->policy, "%s", po);
      snprintf(r->backend, sizeof r->backend, "%s", be);
      snprintf(r->status, sizeof r->status, "%s", aatgs__plot_col_text(st, 6));
      r->n_tasks = sqlite3_column_int64(st, 7);
      r->makespan_ns = sqlite3_column_int64(st, 8);
      found = true;
      break;
    }
    rc = found || rc == SQLITE_DONE ? AATGS_OK : aatgs__plot_db_error(c, "runs", &e);
    sqlite3_finalize(st);
  }
  if (rc == AATGS_OK && !found && o->run_id) {
    long long lo = 0, hi = 0;
    if (sqlite3_prepare_v2(c->db, "SELECT MIN(run_id), MAX(run_id), COUNT(*) FROM runs", -1, &st,
                           NULL) == SQLITE_OK) {
      if (sqlite3_step(st) == SQLITE_ROW) {
        lo = sqlite3_column_int64(st, 0);
        hi = sqlite3_column_int64(st, 1);
      }
      sqlite3_finalize(st);
    }
    if (hi > 0)
      rc = aatgs_err_set(&e, AATGS_ENOENT, "run %lld not found in '%s' (its run ids: %lld..%lld)",
                         (long long)o->run_id, o->db_path, lo, hi);
    else
      rc = aatgs_err_set(&e, AATGS_ENOENT, "run %lld not found in '%s' (it holds no runs)",
                         (long long)o->run_id, o->db_path);
  } else if (rc == AATGS_OK && !found) {
    rc = aatgs__plot_no_runs(c, &e);
  }
  c->run_resolved = true;
  c->run_rc = rc;
  snprintf(c->run_err, sizeof c->run_err, "%s", e.msg);
  if (rc != AATGS_OK) aatgs_err_set(err, rc, "%s", e.msg);
  return rc;
}

/* Rowid range of the run's rows in tbl (run_rows); the whole table when unknown. */
static void run_bounds(aatgs__plot_ctx *c, const char *tbl, int64_t *lo, int64_t *hi) {
  sqlite3_stmt *st;
  *lo = 1;
  *hi = INT64_MAX;
  if (sqlite3_prepare_v2(
          c->db, "SELECT first_rowid, last_rowid FROM run_rows WHERE run_id = ? AND tbl = ?", -1,
          &st, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_int64(st, 1, c->run.id);
  sqlite3_bind_text(st, 2, tbl, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW) {
    *lo = sqlite3_column_int64(st, 0);
    *hi = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
}

/* The drawn window in ns: the options' window, else [0, end_ns]. */
static void window(const aatgs__plot_ctx *c, int64_t end_ns, double *from, double *to) {
  *from = isnan(c->opt->from_ms) ? 0 : c->opt->from_ms * 1e6;
  *to = isnan(c->opt->to_ms) ? (double)end_ns : c->opt->to_ms * 1e6;
  if (*to <= *from) *to = *from + 1e6;
}

/* The two title lines of a per-run figure: what, run, scenario, policy;
 * then seed, backend, size, result, window and note. */
static void run_title(FILE *f, const aatgs__plot_ctx *c, const char *what, double from, double to,
                      const char *note) {
  const aatgs__plot_run *r = &c->run;
  char l1[300], l2[300], win[96] = "";
  if (!isnan(c->opt->from_ms) || !isnan(c->opt->to_ms))
    snprintf(win, sizeof win, ", window %g..%g ms", from / 1e6, to / 1e6);
  snprintf(l1, sizeof l1, "%s of run %lld: %s, policy %s", what, (long long)r->id, r->scenario,
           r->policy);
  if (strcmp(r->status, "completed"))
    snprintf(l2, sizeof l2, "seed %lld, %s, %lld tasks, %s run%s%s", (long long)r->seed, r->backend,
             (long long)r->n_tasks, r->status, win, note);
  else
    snprintf(l2, sizeof l2, "seed %lld, %s, %lld tasks, makespan %.1f ms%s%s", (long long)r->seed,
             r->backend, (long long)r->n_tasks, (double)r->makespan_ns / 1e6, win, note);
  aatgs__plot_gp_title(f, l1, l2);
}

/* The run's streams: ids and names, in stream order. */
typedef struct stream_table {
  int64_t *id;
  aatgs__plot_strlist name, cls;
} stream_table;

static void streams_free(stream_table *t) {
  free(t->id);
  aatgs__plot_strlist_free(&t->name);
  aatgs__plot_strlist_free(&t->cls);
}

/* Index of stream id in t, adding "stream N" when the streams table lacks it. */
static size_t stream_index(stream_table *t, int64_t id, const char *cls) {
  for (size_t i = 0; i < t->name.n; i++)
    if (t->id[i] == id) return i;
  char name[48];
  snprintf(name, sizeof name, "stream %lld", (long long)id);
  int64_t *v = realloc(t->id, (t->name.n + 1) * sizeof *v);
  if (!v) return SIZE_MAX;
  t->id = v;
  size_t n = t->name.n;
  if (aatgs__plot_strlist_add(&t->name, name) != n) return SIZE_MAX;
  /* cls keeps one entry per stream, duplicates allowed: append directly. */
  if (t->cls.n == t->cls.cap) {
    size_t cap = t->cls.cap ? t->cls.cap * 2 : 8;
    char **cv = realloc(t->cls.v, cap * sizeof *cv);
    if (!cv) return SIZE_MAX;
    t->cls.v = cv;
    t->cls.cap = cap;
  }
  if (!(t->cls.v[t->cls.n] = aatgs__plot_strdup(cls))) return SIZE_MAX;
  t->cls.n++;
  t->id[n] = id;
  return n;
}

static int load_streams(aatgs__plot_ctx *c, stream_table *t, aatgs_err *err) {
  sqlite3_stmt *st;
  memset(t, 0, sizeof *t);
  int rc = aatgs__plot_prepare(
      c, "SELECT stream, class, name FROM streams WHERE run_id = ? ORDER BY stream", &st, "streams",
      err);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, c->run.id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    size_t n = t->name.n;
    int64_t *v = realloc(t->id, (n + 1) * sizeof *v);
    if (!v) break;
    t->id = v;
    t->id[n] = sqlite3_column_int64(st, 0);
    /* Names are distinct per run; a duplicate would break the row mapping. */
    char name[160];
    snprintf(name, sizeof name, "%s", aatgs__plot_col_text(st, 2));
    if (aatgs__plot_strlist_find(&t->name, name) != SIZE_MAX)
      snprintf(name, sizeof name, "%s #%lld", aatgs__plot_col_text(st, 2), (long long)t->id[n]);
    if (aatgs__plot_strlist_add(&t->name, name) != n) break;
    if (t->cls.n == t->cls.cap) {
      size_t cap = t->cls.cap ? t->cls.cap * 2 : 8;
      char **cv = realloc(t->cls.v, cap * sizeof *cv);
      if (!cv) break;
      t->cls.v = cv;
      t->cls.cap = cap;
    }
    if (!(t->cls.v[t->cls.n] = aatgs__plot_strdup(aatgs__plot_col_text(st, 1)))) break;
    t->cls.n++;
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  if (rc != SQLITE_DONE) return aatgs__plot_db_error(c, "streams", err);
  return AATGS_OK;
}

/* One task lifecycle of the run. */
typedef struct task_row {
  int64_t stream, ready, submit, start, end;
  int type; /* index into the run's task types, -1 when unknown */
  int status;
} task_row;

typedef struct task_types {
  int64_t *id;
  aatgs__plot_strlist name; /* type names, one per type (duplicates made distinct) */
  char **cls;
  size_t n;
} task_types;

static void types_free(task_types *t) {
  free(t->id);
  aatgs__plot_strlist_free(&t->name);
  for (size_t i = 0; i < t->n; i++)
    free(t->cls[i]);
  free(t->cls);
}

static int load_types(aatgs__plot_ctx *c, task_types *t, aatgs_err *err) {
  sqlite3_stmt *st;
  memset(t, 0, sizeof *t);
  int rc = aatgs__plot_prepare(
      c, "SELECT type_id, name, class FROM task_types WHERE graph_id = ? ORDER BY 1", &st,
      "task_types", err);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, c->run.graph_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t *v = realloc(t->id, (t->n + 1) * sizeof *v);
    if (!v) break;
    t->id = v;
    char **cv = realloc(t->cls, (t->n + 1) * sizeof *cv);
    if (!cv) break;
    t->cls = cv;
    char name[160];
    snprintf(name, sizeof name, "%s", aatgs__plot_col_text(st, 1));
    if (aatgs__plot_strlist_find(&t->name, name) != SIZE_MAX)
      snprintf(name, sizeof name, "%s #%lld", aatgs__plot_col_text(st, 1),
               (long long)sqlite3_column_int64(st, 0));
    if (aatgs__plot_strlist_add(&t->name, name) != t->n) break;
    if (!(t->cls[t->n] = aatgs__plot_strdup(aatgs__plot_col_text(st, 2)))) {
      free(t->name.v[--t->name.n]);
      break;
    }
    t->id[t->n++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  if (rc != SQLITE_DONE) return aatgs__plot_db_error(c, "task_types", err);
  return AATGS_OK;
}

static int type_index(const task_types *t, int64_t id) {
  for (size_t i = 0; i < t->n; i++)
    if (t->id[i] == id) return (int)i;
  return -1;
}

/* Reads the run's task lifecycles (those with a start and an end). */
static int load_tasks(aatgs__plot_ctx *c, const task_types *types, task_row **out, size_t *n,
                      aatgs_err *err) {
  sqlite3_stmt *st;
  int64_t lo, hi;
  size_t cap = 0;
  *out = NULL;
  *n = 0;
  run_bounds(c, "task_events", &lo, &hi);
  int rc = aatgs__plot_prepare(
      c,
      "SELECT COALESCE(e.stream, -1), e.ready_ns, e.submit_ns, e.start_ns, e.end_ns, "
      "t.type, e.status FROM task_events e "
      "LEFT JOIN tasks t ON t.graph_id = ?4 AND t.task_id = e.task_id "
      "WHERE e.rowid BETWEEN ?1 AND ?2 AND e.run_id = ?3 "
      "AND e.start_ns IS NOT NULL AND e.end_ns IS NOT NULL",
      &st, "task_events", err);
  if (rc != AATGS_OK) return rc;
  sqlite3_bind_int64(st, 1, lo);
  sqlite3_bind_int64(st, 2, hi);
  sqlite3_bind_int64(st, 3, c->run.id);
  sqlite3_bind_int64(st, 4, c->run.graph_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 1024;
      task_row *v = realloc(*out, cap * sizeof *v);
      if (!v) break;
      *out = v;
    }
    task_row *t = &(*out)[(*n)++];
    t->stream = sqlite3_column_int64(st, 0);
    t->start = sqlite3_column_int64(st, 3);
    t->end = sqlite3_column_int64(st, 4);
    t->ready = sqlite3_column_type(st, 1) == SQLITE_NULL ? t->start : sqlite3_column_int64(st, 1);
    t->submit = sqlite3_column_type(st, 2) == SQLITE_NULL ? t->start : sqlite3_column_int64(st, 2);
    t->type = sqlite3_column_type(st, 5) == SQLITE_NULL
                  ? -1
                  : type_index(types, sqlite3_column_int64(st, 5));
    t->status = sqlite3_column_int(st, 6);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW) {
    free(*out);
    *out = NULL;
    *n = 0;
    return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  }
  if (rc != SQLITE_DONE) {
    free(*out);
    *out = NULL;
    *n = 0;
    return aatgs__plot_db_error(c, "task_events", err);
  }
  return AATGS_OK;
}

/* --------------------------------------------------------------- gantt */

/* One box of the Gantt chart: a task, or consecutive tasks merged. */
typedef struct gantt_box {
  double a, b; /* start, end, ns */
  size_t row, type;
  int failed;
} gantt_box;

static int cmp_box(const void *x, const void *y) {
  const gantt_box *p = x, *q = y;
  if (p->row != q->row) return p->row < q->row ? -1 : 1;
  return (p->a > q->a) - (p->a < q->a);
}

/* Past MAX_GANTT_BOXES boxes (gnuplot slows, an SVG grows by ~400 bytes a
 * box), consecutive tasks of one type and status on one stream less than a
 * pixel apart become one box: the same picture. Returns the boxes left. */
static size_t merge_boxes(gantt_box *bx, size_t n, double px) {
  size_t w = 0;
  qsort(bx, n, sizeof *bx, cmp_box);
  for (size_t i = 0; i < n; i++) {
    gantt_box *last = w ? &bx[w - 1] : NULL;
    if (last && last->row == bx[i].row && last->type == bx[i].type &&
        last->failed == bx[i].failed && bx[i].a - last->b <= px) {
      if (bx[i].b > last->b) last->b = bx[i].b;
    } else {
      bx[w++] = bx[i];
    }
  }
  return w;
}

int aatgs__plot_gantt(aatgs__plot_ctx *c, const char *dir, aatgs_err *err) {
  stream_table streams;
  task_types types;
  task_row *tasks = NULL;
  gantt_box *bx = NULL;
  aatgs__plot_strlist used = {0}, ufile = {0};
  size_t n = 0, nb = 0, failed = 0;
  FILE **files = NULL, *f = NULL;
  memset(&streams, 0, sizeof streams);
  memset(&types, 0, sizeof types);
  int rc = resolve_run(c, err);
  if (rc == AATGS_OK) rc = load_streams(c, &streams, err);
  if (rc == AATGS_OK) rc = load_types(c, &types, err);
  if (rc == AATGS_OK) rc = load_tasks(c, &types, &tasks, &n, err);
  if (rc != AATGS_OK) goto done;
  if (!n) {
    rc = aatgs_err_set(err, AATGS__PLOT_SKIP, "run %lld recorded no task events",
                       (long long)c->run.id);
    goto done;
  }
  int64_t end = 0;
  for (size_t i = 0; i < n; i++)
    if (tasks[i].end > end) end = tasks[i].end;
  double from, to;
  window(c, end, &from, &to);
  /* One file per task type (the last slot: tasks of unknown type). */
  size_t nt = types.n + 1;
  if (!(files = calloc(nt, sizeof *files)) || !(bx = malloc(n * sizeof *bx))) goto nomem;
  for (size_t i = 0; i < n; i++) {
    const task_row *t = &tasks[i];
    if ((double)t->end < from || (double)t->start > to) continue;
    size_t row = stream_index(&streams, t->stream, "kernel");
    if (row == SIZE_MAX) goto nomem;
    bx[nb++] = (gantt_box){(double)t->start, (double)t->end, row,
                           t->type < 0 ? types.n : (size_t)t->type, t->status != 0};
    failed += t->status != 0;
  }
  if (!nb) {
    rc = aatgs_err_set(err, AATGS_ENOENT,
                       "run %lld has no task in the window %.3f..%.3f ms (it ends at %.3f ms)",
                       (long long)c->run.id, from / 1e6, to / 1e6, (double)end / 1e6);
    goto done;
  }
  size_t tasks_drawn = nb;
  if (nb > MAX_GANTT_BOXES) {
    /* A pixel of the whole image's width: the plot's is larger, so this merges less. */
    double px = (to - from) / (c->opt->width ? c->opt->width : 1200);
    nb = merge_boxes(bx, nb, px);
  }
  for (size_t i = 0; i < nb; i++) {
    size_t k = bx[i].type;
    if (!files[k]) {
      char name[48];
      snprintf(name, sizeof name, "g_%zu.dat", k);
      if (!(files[k] = aatgs__plot_open(dir, name, err))) {
        rc = err->code;
        goto done;
      }
    }
    fprintf(files[k], "%.6f %.6f %zu %d\n", bx[i].a / 1e6, bx[i].b / 1e6, bx[i].row, bx[i].failed);
  }
  for (size_t k = 0; k < nt; k++) {
    if (!files[k]) continue;
    if ((rc = aatgs__plot_close(&files[k], dir, err)) != AATGS_OK) goto done;
    char name[48];
    snprintf(name, sizeof name, "g_%zu.dat", k);
    if (aatgs__plot_strlist_add(&used, k < types.n ? types.name.v[k] : "unknown type") ==
            SIZE_MAX ||
        aatgs__plot_strlist_add(&ufile, name) == SIZE_MAX)
      goto nomem;
  }
  if (!(f = aatgs__plot_open(dir, "vars.gp", err))) {
    rc = err->code;
    goto done;
  }
  fprintf(f, "NST = %zu\nNT = %zu\nFAILED = %zu\nTASKS = %zu\nBOXES = %zu\n", streams.name.n,
          used.n, failed, tasks_drawn, nb);
  aatgs__plot_gp_str_array(f, "STN", streams.name.v, streams.name.n);
  aatgs__plot_gp_str_array(f, "TYN", used.v, used.n);
  aatgs__plot_gp_str_array(f, "TYF", ufile.v, ufile.n);
  aatgs__plot_gp_num(f, "XMIN", from / 1e6);
  aatgs__plot_gp_num(f, "XMAX", to / 1e6);
  run_title(f, c, "Gantt chart", from, to,
            nb < tasks_drawn ? "; tasks of a type less than a pixel apart drawn as one box" : "");
  rc = aatgs__plot_close(&f, dir, err);
  size_t key_rows = (used.n + 5) / 6;
  c->width = 1200;
  c->height = 170 + 42 * (unsigned)streams.name.n + 22 * (unsigned)key_rows;
  goto done;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
done:
  if (files)
    for (size_t k = 0; k < types.n + 1; k++)
      if (files[k]) fclose(files[k]);
  free(files);
  if (f) fclose(f);
  free(bx);
  free(tasks);
  aatgs__plot_strlist_free(&used);
  aatgs__plot_strlist_free(&ufile);
  streams_free(&streams);
  types_free(&types);
  return rc;
}

/* ------------------------------------------------------------ timeline */

enum { CL_KERNEL, CL_UPLOAD, CL_DOWNLOAD, N_CLASSES };

static int class_index(const char *cls) {
  if (!strcmp(cls, "upload")) return CL_UPLOAD;
  if (!strcmp(cls, "download")) return CL_DOWNLOAD;
  return CL_KERNEL;
}

typedef struct step_event {
  int64_t t;
  int cls, delta;
} step_event;

static int cmp_event(const void *a, const void *b) {
  const step_event *x = a, *y = b;
  return (x->t > y->t) - (x->t < y->t);
}

/* Writes the number of ready tasks per class over [from, to] as steps (a
 * point holds until the next): exactly when the window has few changes, else
 * the maximum of each of STEP_BINS bins. A task is ready from ready_ns until
 * it is submitted. */
static int write_ready(const task_row *tasks, size_t n, const int *cls, double from, double to,
                       FILE *f, bool *binned, long maxima[N_CLASSES], aatgs_err *err) {
  step_event *ev = malloc(2 * (n ? n : 1) * sizeof *ev);
  if (!ev) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  size_t m = 0, i = 0, changes = 0;
  for (size_t k = 0; k < n; k++) {
    if (tasks[k].submit <= tasks[k].ready) continue; /* never waited */
    ev[m++] = (step_event){tasks[k].ready, cls[k], +1};
    ev[m++] = (step_event){tasks[k].submit, cls[k], -1};
  }
  qsort(ev, m, sizeof *ev, cmp_event);
  for (size_t k = 0; k < m; k++)
    changes += (double)ev[k].t >= from && (double)ev[k].t <= to;
  *binned = changes > MAX_STEP_POINTS;
  long cnt[N_CLASSES] = {0}, peak[N_CLASSES] = {0};
  double width = (to - from) / STEP_BINS;
  long bin = -1;
  fprintf(f, "# t_ms ready_kernel ready_upload ready_download\n");
  for (; i < m && (double)ev[i].t < from; i++)
    cnt[ev[i].cls] += ev[i].delta;
  fprintf(f, "%.6f %ld %ld %ld\n", from / 1e6, cnt[0], cnt[1], cnt[2]);
  memcpy(maxima, cnt, sizeof cnt);
  while (i < m && (double)ev[i].t <= to) {
    int64_t t = ev[i].t;
    long b = (long)(((double)t - from) / width);
    if (b >= STEP_BINS) b = STEP_BINS - 1;
    if (*binned && b != bin) {
      if (bin >= 0)
        fprintf(f, "%.6f %ld %ld %ld\n", (from + (double)bin * width) / 1e6, peak[0], peak[1],
                peak[2]);
      bin = b;
      memcpy(peak, cnt, sizeof peak); /* the state carried into the bin */
    }
    for (; i < m && ev[i].t == t; i++)
      cnt[ev[i].cls] += ev[i].delta;
    for (int k = 0; k < N_CLASSES; k++)
      if (cnt[k] > maxima[k]) maxima[k] = cnt[k];
    if (!*binned) {
      fprintf(f, "%.6f %ld %ld %ld\n", (double)t / 1e6, cnt[0], cnt[1], cnt[2]);
      continue;
    }
    for (int k = 0; k < N_CLASSES; k++)
      if (cnt[k] > peak[k]) peak[k] = cnt[k];
  }
  if (*binned && bin >= 0)
    fprintf(f, "%.6f %ld %ld %ld\n", (from + (double)bin * width) / 1e6, peak[0], peak[1], peak[2]);
  fprintf(f, "%.6f %ld %ld %ld\n", to / 1e6, cnt[0], cnt[1], cnt[2]);
  free(ev);
  return AATGS_OK;
}

int aatgs__plot_timeline(aatgs__plot_ctx *c, const char *dir, aatgs_err *err) {
  stream_table streams;
  task_types types;
  task_row *tasks = NULL;
  int *cls = NULL;
  double *busy = NULL;
  size_t n = 0;
  FILE *f = NULL;
  memset(&streams, 0, sizeof streams);
  memset(&types, 0, sizeof types);
  int rc = resolve_run(c, err);
  if (rc == AATGS_OK) rc = load_streams(c, &streams, err);
  if (rc == AATGS_OK) rc = load_types(c, &types, err);
  if (rc == AATGS_OK) rc = load_tasks(c, &types, &tasks, &n, err);
  if (rc != AATGS_OK) goto done;
  if (!n) {
    rc = aatgs_err_set(err, AATGS__PLOT_SKIP, "run %lld recorded no task events",
                       (long long)c->run.id);
    goto done;
  }
  int64_t end = 0;
  for (size_t i = 0; i < n; i++)
    if (tasks[i].end > end) end = tasks[i].end;
  double from, to;
  window(c, end, &from, &to);
  /* Classes: of the task's type, else of its stream. Streams per class. */
  size_t nstr[N_CLASSES] = {0};
  if (!(cls = malloc(n * sizeof *cls)) || !(busy = calloc(N_CLASSES * UTIL_BINS, sizeof *busy))) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    size_t s = stream_index(&streams, tasks[i].stream, "kernel");
    if (s == SIZE_MAX) {
      rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
      goto done;
    }
    cls[i] =
        tasks[i].type >= 0 ? class_index(types.cls[tasks[i].type]) : class_index(streams.cls.v[s]);
  }
  for (size_t s = 0; s < streams.name.n; s++)
    nstr[class_index(streams.cls.v[s])]++;
  /* Busy time per class and bin (overlap of [start, end] with the bin). */
  double width = (to - from) / UTIL_BINS;
  for (size_t i = 0; i < n; i++) {
    double a = (double)tasks[i].start, b = (double)tasks[i].end;
    if (b <= from || a >= to) continue;
    if (a < from) a = from;
    if (b > to) b = to;
    long b0 = (long)((a - from) / width), b1 = (long)((b - from) / width);
    if (b1 >= UTIL_BINS) b1 = UTIL_BINS - 1;
    for (long k = b0; k <= b1; k++) {
      double lo = from + k * width, hi = lo + width;
      double ov = (b < hi ? b : hi) - (a > lo ? a : lo);
      if (ov > 0) busy[cls[i] * UTIL_BINS + k] += ov;
    }
  }
  if (!(f = aatgs__plot_open(dir, "util.dat", err))) {
    rc = err->code;
    goto done;
  }
  fprintf(f, "# bin_start_ms busy_kernel busy_upload busy_download (fraction of the class's "
             "streams)\n");
  for (int k = 0; k <= UTIL_BINS; k++) {
    int kb = k < UTIL_BINS ? k : UTIL_BINS - 1;
    fprintf(f, "%.6f", (from + k * width) / 1e6);
    for (int q = 0; q < N_CLASSES; q++)
      if (nstr[q])
        fprintf(f, " %.5f", busy[q * UTIL_BINS + kb] / (width * (double)nstr[q]));
      else
        fprintf(f, " NaN");
    fputc('\n', f);
  }
  if ((rc = aatgs__plot_close(&f, dir, err)) != AATGS_OK) goto done;
  f = NULL;
  bool binned = false;
  long rmax[N_CLASSES] = {0};
  if (!(f = aatgs__plot_open(dir, "ready.dat", err))) {
    rc = err->code;
    goto done;
  }
  rc = write_ready(tasks, n, cls, from, to, f, &binned, rmax, err);
  int crc = aatgs__plot_close(&f, dir, err);
  f = NULL;
  if (rc == AATGS_OK) rc = crc;
  if (rc != AATGS_OK) goto done;
  char lab[N_CLASSES][96];
  snprintf(lab[0], sizeof lab[0], "kernel streams (mean of %zu)", nstr[0]);
  snprintf(lab[1], sizeof lab[1], "config-upload stream%s", nstr[1] > 1 ? "s" : "");
  snprintf(lab[2], sizeof lab[2], "telemetry-download stream%s", nstr[2] > 1 ? "s" : "");
  if (!(f = aatgs__plot_open(dir, "vars.gp", err))) {
    rc = err->code;
    goto done;
  }
  char *labs[N_CLASSES] = {lab[0], lab[1], lab[2]};
  const char *rlab[N_CLASSES] = {"kernel tasks", "config uploads", "telemetry downloads"};
  fprintf(f, "array HAS[3] = [%d, %d, %d]\n", nstr[0] > 0, nstr[1] > 0, nstr[2] > 0);
  aatgs__plot_gp_str_array(f, "UL", labs, N_CLASSES);
  aatgs__plot_gp_str_array(f, "RL", (char *const *)rlab, N_CLASSES);
  aatgs__plot_gp_num(f, "XMIN", from / 1e6);
  aatgs__plot_gp_num(f, "XMAX", to / 1e6);
  aatgs__plot_gp_num(f, "BINMS", width / 1e6);
  fprintf(f, "BINNED = %d\narray RMAX[3] = [%ld, %ld, %ld]\n", binned, rmax[0], rmax[1], rmax[2]);
  aatgs__plot_gp_num(f, "STEPBINMS", (to - from) / STEP_BINS / 1e6);
  run_title(f, c, "Stream utilization and ready tasks", from, to, "");
  rc = aatgs__plot_close(&f, dir, err);
  f = NULL;
  c->width = 1200;
  c->height = 700;
done:
  if (f) fclose(f);
  free(tasks);
  free(cls);
  free(busy);
  streams_free(&streams);
  types_free(&types);
  return rc;
}

/* --------------------------------------------------------------- rings */

int aatgs__plot_rings(aatgs__plot_ctx *c, const char *dir, aatgs_err *err) {
  static const char *const KNOWN[] = {"config", "telemetry", "collector"};
  aatgs__plot_strlist rings = {0};
  FILE *files[8] = {0}, *f = NULL;
  int64_t cap[8] = {0}, ovf[8] = {0}, peak[8] = {0}, samples[8] = {0};
  sqlite3_stmt *st = NULL;
  int64_t lo, hi, end = 0;
  int rc = resolve_run(c, err);
  if (rc != AATGS_OK) return rc;
  for (size_t k = 0; k < 3; k++)
    if (aatgs__plot_strlist_add(&rings, KNOWN[k]) == SIZE_MAX) goto nomem;
  run_bounds(c, "ring_samples", &lo, &hi);
  if ((rc = aatgs__plot_prepare(
           c,
           "SELECT t_ns, ring, len, capacity, COALESCE(overflows, 0) FROM ring_samples "
           "WHERE rowid BETWEEN ?1 AND ?2 AND run_id = ?3 ORDER BY t_ns",
           &st, "ring_samples", err)) != AATGS_OK)
    goto done;
  sqlite3_bind_int64(st, 1, lo);
  sqlite3_bind_int64(st, 2, hi);
  sqlite3_bind_int64(st, 3, c->run.id);
  /* The end of the run: the window defaults to [0, end of the last sample or task]. */
  end = c->run.makespan_ns;
  double from, to;
  window(c, end > 0 ? end : 1, &from, &to);
  bool whole = isnan(c->opt->to_ms);
  size_t total = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t t = sqlite3_column_int64(st, 0);
    size_t k = aatgs__plot_strlist_add(&rings, aatgs__plot_col_text(st, 1));
    if (k == SIZE_MAX) goto nomem;
    if (k >= 8) continue; /* more ring names than any writer records */
    if ((double)t < from || (!whole && (double)t > to)) continue;
    if (whole && (double)t > to) to = (double)t;
    int64_t len = sqlite3_column_int64(st, 2), capy = sqlite3_column_int64(st, 3);
    if (!files[k]) {
      char name[32];
      snprintf(name, sizeof name, "r_%zu.dat", k + 1);
      if (!(files[k] = aatgs__plot_open(dir, name, err))) {
        rc = err->code;
        goto done;
      }
      fprintf(files[k], "# t_ms utilization_pct len cumulative_overflows\n");
      /* Every ring starts the run empty, without overflows. */
      if (from == 0 && t > 0) fprintf(files[k], "0 0 0 0\n");
    }
    cap[k] = capy;
    ovf[k] = sqlite3_column_int64(st, 4);
    if (len > peak[k]) peak[k] = len;
    samples[k]++;
    total++;
    fprintf(files[k], "%.6f %.4f %lld %lld\n", (double)t / 1e6,
            capy > 0 ? 100.0 * (double)len / (double)capy : 0.0, (long long)len, (long long)ovf[k]);
  }
  if (rc != SQLITE_DONE) {
    rc = aatgs__plot_db_error(c, "ring_samples", err);
    goto done;
  }
  rc = AATGS_OK;
  if (!total) {
    rc = aatgs_err_set(err, AATGS__PLOT_SKIP, "run %lld has no ring samples%s",
                       (long long)c->run.id, whole ? "" : " in the window");
    goto done;
  }
  char *labels[8], lbuf[8][200];
  double ids[8];
  size_t nr = 0;
  for (size_t k = 0; k < rings.n && k < 8; k++) {
    if (!files[k]) continue;
    if ((rc = aatgs__plot_close(&files[k], dir, err)) != AATGS_OK) goto done;
    files[k] = NULL;
    const char *where = !strcmp(rings.v[k], "collector") ? "host" : "device";
    snprintf(lbuf[nr], sizeof lbuf[nr], "%s (%s, %lld slots): sampled peak %lld, %lld overflows",
             rings.v[k], where, (long long)cap[k], (long long)peak[k], (long long)ovf[k]);
    labels[nr] = lbuf[nr];
    ids[nr] = (double)(k + 1);
    nr++;
  }
  if (!(f = aatgs__plot_open(dir, "vars.gp", err))) {
    rc = err->code;
    goto done;
  }
  int64_t ovf_max = 0;
  for (size_t k = 0; k < 8; k++)
    if (ovf[k] > ovf_max) ovf_max = ovf[k];
  fprintf(f, "NR = %zu\nNSAMPLES = %zu\nOVFMAX = %lld\n", nr, total / (nr ? nr : 1),
          (long long)ovf_max);
  aatgs__plot_gp_str_array(f, "RL", labels, nr);
  aatgs__plot_gp_num_array(f, "RID", ids, nr);
  aatgs__plot_gp_num(f, "XMIN", from / 1e6);
  aatgs__plot_gp_num(f, "XMAX", to / 1e6);
  run_title(f, c, "Ring utilization", from, to, "");
  rc = aatgs__plot_close(&f, dir, err);
  f = NULL;
  c->width = 1200;
  c->height = 680;
  goto done;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
done:
  sqlite3_finalize(st);
  for (size_t k = 0; k < 8; k++)
    if (files[k]) fclose(files[k]);
  if (f) fclose(f);
  aatgs__plot_strlist_free(&rings);
  return rc;
}
