/* merge.c - `aatgs merge` (see merge.h).
 *
 * One connection to the output; each input is ATTACHed read-only as "src"
 * and copied with INSERT ... SELECT statements built from the two files'
 * column lists (PRAGMA table_info), so SQLite moves the rows without them
 * passing through C. The output is first opened (and closed) through the
 * SQLite sink, which creates it, applies the schema and upgrades an older
 * version exactly as `aatgs run` would.
 */
#include "merge.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_read.h"
#include "sqlite_sink.h"

#define MAX_COLS 96
#define SQL_MAX 8192
#define COLS_MAX 2048 /* a column list; SQL_MAX holds two and the rest */

/* A table of the output that is copied per run or per graph. */
typedef struct child_table {
  char name[64];
  bool per_run;   /* keyed by run_id, else by graph_id */
  bool has_rowid; /* a rowid table (bulk, append-only), else WITHOUT ROWID */
  char *cols[MAX_COLS];
  int n_cols;
  sqlite3_stmt *copy; /* for the current input; NULL when the input lacks the table */
  sqlite3_stmt *del;  /* per-run tables: deletes a run's rows of the output */
} child_table;

/* The identity and state of one input run. */
typedef struct in_run {
  int64_t run_id;
  int64_t graph_id; /* 0: none */
  int rank;         /* status_rank of its status */
  sqlite3_value *id[8];
} in_run;

typedef struct graph_map {
  int64_t from, to;
} graph_map;

typedef struct merger {
  const char *out_path;
  const char *in_path; /* the input being merged */
  sqlite3 *db;
  aatgs_err *err;
  child_table *tables;
  size_t n_tables;
  char *run_cols[MAX_COLS], *graph_cols[MAX_COLS]; /* output columns */
  int n_run_cols, n_graph_cols;
  /* Per input. */
  sqlite3_stmt *find_run, *copy_run, *find_graph, *copy_graph, *graph_edges, *set_graph, *src_range,
      *dst_range, *put_range, *del_ranges, *del_run;
  graph_map *gmap;
  size_t n_gmap, cap_gmap;
  aatgs_merge_stats *st;
} merger;

static const char *const IDENTITY[8] = {"writer_host", "pid",  "started_at_ns", "scenario_hash",
                                        "policy",      "seed", "rep",           "backend"};

/* ------------------------------------------------------------- helpers */

/* How far a run got: 'running' 0, 'interrupted' 1, 'completed' or 'failed'
 * (or anything else) 2. Two copies of one run (same identity) differ only
 * when one is a snapshot taken earlier, so the higher rank is the later copy.
 * ('interrupted' counts as unfinished too: opening a file marks a 'running'
 * run of this host whose process is gone as interrupted, and that is what an
 * old snapshot's copy becomes once its writer has ended.) */
static int status_rank(const unsigned char *status) {
  if (!status || !strcmp((const char *)status, "running")) return 0;
  if (!strcmp((const char *)status, "interrupted")) return 1;
  return 2;
}

static int fail_db(merger *m, const char *what) {
  return aatgs_err_set(m->err, AATGS_EDB, "merging '%s' into '%s': %s: %s", m->in_path, m->out_path,
                       what, sqlite3_errmsg(m->db));
}

static int nomem(merger *m) { return aatgs_err_set(m->err, AATGS_ENOMEM, "out of memory"); }

static int exec(merger *m, const char *sql, const char *what) {
  char *msg = NULL;
  if (sqlite3_exec(m->db, sql, NULL, NULL, &msg) == SQLITE_OK) return AATGS_OK;
  int rc = aatgs_err_set(m->err, AATGS_EDB, "merging '%s' into '%s': %s: %s", m->in_path,
                         m->out_path, what, msg ? msg : sqlite3_errmsg(m->db));
  sqlite3_free(msg);
  return rc;
}

static int prepare(merger *m, const char *sql, sqlite3_stmt **st) {
  if (sqlite3_prepare_v2(m->db, sql, -1, st, NULL) == SQLITE_OK) return AATGS_OK;
  return fail_db(m, "cannot prepare a statement");
}

/* Runs a statement that returns no row (or ignores them); resets it. */
static int step_done(merger *m, sqlite3_stmt *st, const char *what) {
  int rc = sqlite3_step(st);
  while (rc == SQLITE_ROW)
    rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? AATGS_OK : fail_db(m, what);
}

static void free_cols(char **cols, int n) {
  for (int i = 0; i < n; i++)
    free(cols[i]);
}

/* Column names of schema.table, in order. */
static int table_cols(merger *m, const char *schema, const char *table, char **cols, int *n) {
  sqlite3_stmt *st = NULL;
  *n = 0;
  if (sqlite3_prepare_v2(m->db, "SELECT name FROM pragma_table_info(?1, ?2) ORDER BY cid", -1, &st,
                         NULL) != SQLITE_OK)
    return fail_db(m, "cannot read the table layout");
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < MAX_COLS) {
    cols[*n] = strdup((const char *)sqlite3_column_text(st, 0));
    if (!cols[*n]) {
      sqlite3_finalize(st);
      return nomem(m);
    }
    (*n)++;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return fail_db(m, "cannot read the table layout");
  return AATGS_OK;
}

static bool has_col(char **cols, int n, const char *c) {
  for (int i = 0; i < n; i++)
    if (!strcmp(cols[i], c)) return true;
  return false;
}

/* Writes to buf the columns of `mine` that `theirs` has too, except those in
 * skip, each quoted and preceded by ", ". False when buf is too small. */
static bool common_cols(char *buf, size_t cap, char **mine, int n_mine, char **theirs, int n_theirs,
                        const char *const *skip, int n_skip) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < n_mine; i++) {
    bool skipped = false;
    for (int k = 0; k < n_skip; k++)
      skipped |= !strcmp(mine[i], skip[k]);
    if (skipped || !has_col(theirs, n_theirs, mine[i])) continue;
    len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, ", \"%s\"", mine[i]);
  }
  return len < cap;
}

/* True when schema.table is a rowid table. */
static bool is_rowid_table(sqlite3 *db, const char *schema, const char *table) {
  char sql[192];
  sqlite3_stmt *st = NULL;
  snprintf(sql, sizeof sql, "SELECT rowid FROM \"%s\".\"%s\" LIMIT 0", schema, table);
  bool ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
  sqlite3_finalize(st);
  return ok;
}

/* "file:PATH?mode=ro" with the characters a URI path may not hold escaped. */
static char *ro_uri(const char *path) {
  size_t n = strlen(path), o = 0;
  char *u = malloc(3 * n + 32);
  if (!u) return NULL;
  o += (size_t)sprintf(u, "file:");
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("/._-~", *p))
      u[o++] = (char)*p;
    else
      o += (size_t)sprintf(u + o, "%%%02X", *p);
  }
  sprintf(u + o, "?mode=ro");
  return u;
}

/* ------------------------------------------------------------ the output */

/* Lists the output's tables that hang off a run or a graph. */
static int discover(merger *m) {
  sqlite3_stmt *st = NULL;
  int rc;
  if ((rc = table_cols(m, "main", "runs", m->run_cols, &m->n_run_cols)) != AATGS_OK) return rc;
  if ((rc = table_cols(m, "main", "graphs", m->graph_cols, &m->n_graph_cols)) != AATGS_OK)
    return rc;
  if (sqlite3_prepare_v2(m->db,
                         "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT "
                         "LIKE 'sqlite%' AND name NOT IN ('meta', 'runs', 'graphs', 'run_rows') "
                         "ORDER BY name",
                         -1, &st, NULL) != SQLITE_OK)
    return fail_db(m, "cannot list the tables");
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    child_table t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "%s", (const char *)sqlite3_column_text(st, 0));
    int r = table_cols(m, "main", t.name, t.cols, &t.n_cols);
    if (r != AATGS_OK) {
      sqlite3_finalize(st);
      return r;
    }
    bool run = has_col(t.cols, t.n_cols, "run_id"), graph = has_col(t.cols, t.n_cols, "graph_id");
    if (!run && !graph) {
      free_cols(t.cols, t.n_cols);
      continue;
    }
    t.per_run = run;
    t.has_rowid = is_rowid_table(m->db, "main", t.name);
    child_table *v = realloc(m->tables, (m->n_tables + 1) * sizeof *v);
    if (!v) {
      free_cols(t.cols, t.n_cols);
      sqlite3_finalize(st);
      return nomem(m);
    }
    m->tables = v;
    m->tables[m->n_tables++] = t;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? AATGS_OK : fail_db(m, "cannot list the tables");
}

static int open_output(merger *m, const aatgs_merge_options *opt) {
  aatgs_sqlite_options so;
  aatgs_sqlite_sink *sink = NULL;
  aatgs_sqlite_options_default(&so);
  so.busy_timeout_ms = opt->busy_timeout_ms;
  so.wal_autocheckpoint = -1;
  /* Creates the file or upgrades it, as `aatgs run` does. */
  int rc = aatgs_sqlite_sink_open(&sink, m->out_path, &so, m->err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs_sqlite_sink_close(sink, m->err);
  if (rc != AATGS_OK) return rc;
  if (sqlite3_open_v2(m->out_path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI, NULL) !=
      SQLITE_OK)
    return aatgs_err_set(m->err, AATGS_EDB, "cannot open database '%s': %s", m->out_path,
                         m->db ? sqlite3_errmsg(m->db) : "out of memory");
  sqlite3_busy_timeout(m->db, (int)opt->busy_timeout_ms);
  sqlite3_exec(m->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  long version = 0;
  rc = aatgs_db_schema_version(m->db, "main", m->out_path, &version, m->err);
  if (rc != AATGS_OK) return rc;
  return discover(m);
}

/* -------------------------------------------------------------- an input */

static void finalize_input(merger *m) {
  sqlite3_stmt **all[] = {&m->find_run,    &m->copy_run,   &m->find_graph, &m->copy_graph,
                          &m->graph_edges, &m->set_graph,  &m->src_range,  &m->dst_range,
                          &m->put_range,   &m->del_ranges, &m->del_run};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    sqlite3_finalize(*all[i]);
    *all[i] = NULL;
  }
  for (size_t i = 0; i < m->n_tables; i++) {
    sqlite3_finalize(m->tables[i].copy);
    sqlite3_finalize(m->tables[i].del);
    m->tables[i].copy = m->tables[i].del = NULL;
  }
  m->n_gmap = 0;
}

/* Builds the statements that copy from this input (its columns may be
 * fewer than the output's). */
static int prepare_input(merger *m) {
  char sql[SQL_MAX], *src_cols[MAX_COLS];
  int n_src = 0, rc;
  /* Runs: every common column but run_id and graph_id. */
  if ((rc = table_cols(m, "src", "runs", src_cols, &n_src)) != AATGS_OK) return rc;
  for (int k = 0; k < 8; k++)
    if (!has_col(src_cols, n_src, IDENTITY[k])) {
      free_cols(src_cols, n_src);
      return aatgs_err_set(m->err, AATGS_EDB, "'%s' is not an AATGS database (runs has no %s)",
                           m->in_path, IDENTITY[k]);
    }
  static const char *const run_skip[] = {"run_id", "graph_id"};
  char cols[COLS_MAX] = "";
  bool fits =
      common_cols(cols, sizeof cols, m->run_cols, m->n_run_cols, src_cols, n_src, run_skip, 2);
  free_cols(src_cols, n_src);
  if (!fits) return aatgs_err_set(m->err, AATGS_EDB, "'%s': too many columns in runs", m->in_path);
  snprintf(sql, sizeof sql,
           "INSERT INTO main.runs (run_id, graph_id%s) SELECT ?1, ?2%s FROM src.runs WHERE "
           "run_id = ?3",
           cols, cols);
  if ((rc = prepare(m, sql, &m->copy_run)) != AATGS_OK) return rc;
  snprintf(sql, sizeof sql,
           "SELECT run_id, status FROM main.runs WHERE writer_host IS ?1 AND pid IS ?2 AND "
           "started_at_ns IS ?3 AND scenario_hash IS ?4 AND policy IS ?5 AND seed IS ?6 AND "
           "rep IS ?7 AND backend IS ?8 ORDER BY run_id LIMIT 1");
  if ((rc = prepare(m, sql, &m->find_run)) != AATGS_OK) return rc;

  /* Graphs. */
  if ((rc = table_cols(m, "src", "graphs", src_cols, &n_src)) != AATGS_OK) return rc;
  static const char *const graph_skip[] = {"graph_id", "edges_first_rowid", "edges_last_rowid"};
  fits = common_cols(cols, sizeof cols, m->graph_cols, m->n_graph_cols, src_cols, n_src, graph_skip,
                     3);
  bool src_complete = has_col(src_cols, n_src, "complete");
  free_cols(src_cols, n_src);
  if (!fits || !*cols)
    return aatgs_err_set(m->err, AATGS_EDB, "'%s': cannot match the columns of graphs", m->in_path);
  snprintf(sql, sizeof sql,
           "INSERT INTO main.graphs (%s) SELECT %s FROM src.graphs WHERE graph_id = ?1", cols + 2,
           cols + 2);
  if ((rc = prepare(m, sql, &m->copy_graph)) != AATGS_OK) return rc;
  snprintf(sql, sizeof sql,
           "SELECT g.graph_id FROM main.graphs g JOIN src.graphs s ON s.graph_id = ?1 AND "
           "g.hash = s.hash AND g.n_tasks = s.n_tasks AND g.n_edges = s.n_edges WHERE "
           "g.complete = 1 ORDER BY g.graph_id LIMIT 1");
  if ((rc = prepare(m, sql, &m->find_graph)) != AATGS_OK) return rc;
  snprintf(sql, sizeof sql,
           "SELECT edges_first_rowid, edges_last_rowid, %s FROM src.graphs WHERE graph_id = ?1",
           src_complete ? "complete" : "1");
  if ((rc = prepare(m, sql, &m->graph_edges)) != AATGS_OK) return rc;
  if ((rc = prepare(m,
                    "UPDATE main.graphs SET edges_first_rowid = ?2, edges_last_rowid = ?3, "
                    "complete = ?4 WHERE graph_id = ?1",
                    &m->set_graph)) != AATGS_OK)
    return rc;

  /* run_rows. */
  if ((rc = prepare(m,
                    "SELECT first_rowid, last_rowid FROM src.run_rows WHERE run_id = ?1 AND tbl "
                    "= ?2",
                    &m->src_range)) != AATGS_OK)
    return rc;
  if ((rc = prepare(m,
                    "SELECT first_rowid, last_rowid FROM main.run_rows WHERE run_id = ?1 AND tbl "
                    "= ?2",
                    &m->dst_range)) != AATGS_OK)
    return rc;
  if ((rc = prepare(m,
                    "INSERT OR REPLACE INTO main.run_rows (run_id, tbl, first_rowid, last_rowid, "
                    "rows) VALUES (?1, ?2, ?3, ?4, ?5)",
                    &m->put_range)) != AATGS_OK)
    return rc;
  if ((rc = prepare(m, "DELETE FROM main.run_rows WHERE run_id = ?1", &m->del_ranges)) != AATGS_OK)
    return rc;
  if ((rc = prepare(m, "DELETE FROM main.runs WHERE run_id = ?1", &m->del_run)) != AATGS_OK)
    return rc;

  /* Child tables. */
  for (size_t i = 0; i < m->n_tables; i++) {
    child_table *t = &m->tables[i];
    const char *key = t->per_run ? "run_id" : "graph_id";
    if ((rc = table_cols(m, "src", t->name, src_cols, &n_src)) != AATGS_OK) return rc;
    if (n_src == 0 || !has_col(src_cols, n_src, key)) { /* the input lacks it: nothing to copy */
      free_cols(src_cols, n_src);
      continue;
    }
    const char *skip[] = {key};
    fits = common_cols(cols, sizeof cols, t->cols, t->n_cols, src_cols, n_src, skip, 1);
    free_cols(src_cols, n_src);
    if (!fits)
      return aatgs_err_set(m->err, AATGS_EDB, "'%s': too many columns in %s", m->in_path, t->name);
    bool ranged = t->has_rowid && is_rowid_table(m->db, "src", t->name);
    snprintf(sql, sizeof sql,
             "INSERT INTO main.\"%s\" (\"%s\"%s) SELECT ?1%s FROM src.\"%s\" WHERE \"%s\" = ?2%s",
             t->name, key, cols, cols, t->name, key,
             ranged ? " AND rowid BETWEEN ?3 AND ?4 ORDER BY rowid" : "");
    if ((rc = prepare(m, sql, &t->copy)) != AATGS_OK) return rc;
    if (t->per_run) {
      snprintf(sql, sizeof sql, "DELETE FROM main.\"%s\" WHERE run_id = ?1%s", t->name,
               t->has_rowid ? " AND rowid BETWEEN ?2 AND ?3" : "");
      if ((rc = prepare(m, sql, &t->del)) != AATGS_OK) return rc;
    }
  }
  return AATGS_OK;
}

/* The rowid range of a run's (or graph's) rows in a table of the input or
 * the output; the whole table when none is recorded. */
static int range_of(merger *m, sqlite3_stmt *st, int64_t run, const char *tbl, int64_t *lo,
                    int64_t *hi) {
  *lo = INT64_MIN;
  *hi = INT64_MAX;
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, tbl, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *lo = sqlite3_column_int64(st, 0);
    *hi = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? AATGS_OK : fail_db(m, "cannot read run_rows");
}

static int max_rowid(merger *m, const char *table, int64_t *out) {
  char sql[160];
  sqlite3_stmt *st = NULL;
  snprintf(sql, sizeof sql, "SELECT max(rowid) FROM main.\"%s\"", table);
  int rc = prepare(m, sql, &st);
  if (rc != AATGS_OK) return rc;
  *out = 0;
  if (sqlite3_step(st) == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  else
    rc = fail_db(m, "cannot read a table");
  sqlite3_finalize(st);
  return rc;
}

/* Copies one table's rows of input key `from` as output key `to`; the rows'
 * new rowid range goes to *first, *last (0, 0 when none or no rowid). */
static int copy_rows(merger *m, child_table *t, int64_t from, int64_t to, int64_t lo, int64_t hi,
                     int64_t *first, int64_t *last) {
  int64_t before = 0;
  int rc;
  *first = *last = 0;
  if (!t->copy) return AATGS_OK;
  if (t->has_rowid && (rc = max_rowid(m, t->name, &before)) != AATGS_OK) return rc;
  sqlite3_bind_int64(t->copy, 1, to);
  sqlite3_bind_int64(t->copy, 2, from);
  if (sqlite3_bind_parameter_count(t->copy) >= 4) {
    sqlite3_bind_int64(t->copy, 3, lo);
    sqlite3_bind_int64(t->copy, 4, hi);
  }
  char what[96];
  snprintf(what, sizeof what, "cannot copy %s", t->name);
  if ((rc = step_done(m, t->copy, what)) != AATGS_OK) return rc;
  int64_t n = sqlite3_changes64(m->db);
  m->st->rows_added += (uint64_t)n;
  if (t->has_rowid && n > 0) {
    *first = before + 1;
    *last = before + n;
  }
  return AATGS_OK;
}

/* The output graph for input graph `from`: found by hash, or copied. */
static int map_graph(merger *m, int64_t from, int64_t *to) {
  for (size_t i = 0; i < m->n_gmap; i++)
    if (m->gmap[i].from == from) {
      *to = m->gmap[i].to;
      return AATGS_OK;
    }
  int rc;
  sqlite3_bind_int64(m->find_graph, 1, from);
  int s = sqlite3_step(m->find_graph);
  *to = s == SQLITE_ROW ? sqlite3_column_int64(m->find_graph, 0) : 0;
  sqlite3_reset(m->find_graph);
  if (s != SQLITE_ROW && s != SQLITE_DONE) return fail_db(m, "cannot look up graphs");
  if (s == SQLITE_ROW) {
    m->st->graphs_reused++;
  } else {
    int64_t lo = INT64_MIN, hi = INT64_MAX, complete = 1;
    sqlite3_bind_int64(m->graph_edges, 1, from);
    s = sqlite3_step(m->graph_edges);
    if (s == SQLITE_ROW) {
      if (sqlite3_column_type(m->graph_edges, 0) != SQLITE_NULL)
        lo = sqlite3_column_int64(m->graph_edges, 0);
      if (sqlite3_column_type(m->graph_edges, 1) != SQLITE_NULL)
        hi = sqlite3_column_int64(m->graph_edges, 1);
      complete = sqlite3_column_int64(m->graph_edges, 2);
    }
    sqlite3_reset(m->graph_edges);
    if (s != SQLITE_ROW)
      return s == SQLITE_DONE ? aatgs_err_set(m->err, AATGS_EDB,
                                              "'%s': a run refers to graph %" PRId64
                                              ", which is not in the file",
                                              m->in_path, from)
                              : fail_db(m, "cannot read graphs");
    sqlite3_bind_int64(m->copy_graph, 1, from);
    if ((rc = step_done(m, m->copy_graph, "cannot copy graphs")) != AATGS_OK) return rc;
    *to = sqlite3_last_insert_rowid(m->db);
    m->st->rows_added++;
    int64_t efirst = 0, elast = 0;
    for (size_t i = 0; i < m->n_tables; i++) {
      child_table *t = &m->tables[i];
      if (t->per_run) continue;
      int64_t f, l;
      bool edges = !strcmp(t->name, "edges"); /* the only graph table with a recorded range */
      if ((rc = copy_rows(m, t, from, *to, edges ? lo : INT64_MIN, edges ? hi : INT64_MAX, &f,
                          &l)) != AATGS_OK)
        return rc;
      if (edges) {
        efirst = f;
        elast = l;
      }
    }
    sqlite3_bind_int64(m->set_graph, 1, *to);
    if (elast) {
      sqlite3_bind_int64(m->set_graph, 2, efirst);
      sqlite3_bind_int64(m->set_graph, 3, elast);
    } else {
      sqlite3_bind_null(m->set_graph, 2);
      sqlite3_bind_null(m->set_graph, 3);
    }
    sqlite3_bind_int64(m->set_graph, 4, complete);
    if ((rc = step_done(m, m->set_graph, "cannot write graphs")) != AATGS_OK) return rc;
    m->st->graphs_added++;
  }
  if (m->n_gmap == m->cap_gmap) {
    size_t c = m->cap_gmap ? 2 * m->cap_gmap : 16;
    graph_map *g = realloc(m->gmap, c * sizeof *g);
    if (!g) return nomem(m);
    m->gmap = g;
    m->cap_gmap = c;
  }
  m->gmap[m->n_gmap++] = (graph_map){from, *to};
  return AATGS_OK;
}

/* Deletes an output run and all its rows (to replace an unfinished copy). */
static int delete_run(merger *m, int64_t run) {
  int rc;
  for (size_t i = 0; i < m->n_tables; i++) {
    child_table *t = &m->tables[i];
    if (!t->per_run || !t->del) continue;
    sqlite3_bind_int64(t->del, 1, run);
    if (t->has_rowid) {
      int64_t lo, hi;
      if ((rc = range_of(m, m->dst_range, run, t->name, &lo, &hi)) != AATGS_OK) return rc;
      sqlite3_bind_int64(t->del, 2, lo);
      sqlite3_bind_int64(t->del, 3, hi);
    }
    if ((rc = step_done(m, t->del, "cannot delete the unfinished copy of a run")) != AATGS_OK)
      return rc;
  }
  sqlite3_bind_int64(m->del_ranges, 1, run);
  if ((rc = step_done(m, m->del_ranges, "cannot delete run_rows")) != AATGS_OK) return rc;
  sqlite3_bind_int64(m->del_run, 1, run);
  return step_done(m, m->del_run, "cannot delete the unfinished copy of a run");
}

/* Merges one run, in the caller's transaction. */
static int merge_run(merger *m, const in_run *r) {
  int rc;
  for (int k = 0; k < 8; k++)
    sqlite3_bind_value(m->find_run, k + 1, r->id[k]);
  int s = sqlite3_step(m->find_run);
  int64_t existing = 0;
  int existing_rank = 0;
  if (s == SQLITE_ROW) {
    existing = sqlite3_column_int64(m->find_run, 0);
    const unsigned char *status = sqlite3_column_text(m->find_run, 1);
    existing_rank = status_rank(status);
  }
  sqlite3_reset(m->find_run);
  if (s != SQLITE_ROW && s != SQLITE_DONE) return fail_db(m, "cannot look up runs");
  if (existing && existing_rank >= r->rank) {
    m->st->runs_present++;
    return AATGS_OK;
  }
  if (existing && (rc = delete_run(m, existing)) != AATGS_OK) return rc;

  int64_t graph = 0;
  if (r->graph_id && (rc = map_graph(m, r->graph_id, &graph)) != AATGS_OK) return rc;
  if (existing)
    sqlite3_bind_int64(m->copy_run, 1, existing);
  else
    sqlite3_bind_null(m->copy_run, 1);
  if (graph)
    sqlite3_bind_int64(m->copy_run, 2, graph);
  else
    sqlite3_bind_null(m->copy_run, 2);
  sqlite3_bind_int64(m->copy_run, 3, r->run_id);
  if ((rc = step_done(m, m->copy_run, "cannot copy runs")) != AATGS_OK) return rc;
  int64_t run = sqlite3_last_insert_rowid(m->db);
  m->st->rows_added++;
  for (size_t i = 0; i < m->n_tables; i++) {
    child_table *t = &m->tables[i];
    if (!t->per_run || !t->copy) continue;
    int64_t lo = INT64_MIN, hi = INT64_MAX, first, last;
    if (t->has_rowid && (rc = range_of(m, m->src_range, r->run_id, t->name, &lo, &hi)) != AATGS_OK)
      return rc;
    if ((rc = copy_rows(m, t, r->run_id, run, lo, hi, &first, &last)) != AATGS_OK) return rc;
    if (last) {
      sqlite3_bind_int64(m->put_range, 1, run);
      sqlite3_bind_text(m->put_range, 2, t->name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(m->put_range, 3, first);
      sqlite3_bind_int64(m->put_range, 4, last);
      sqlite3_bind_int64(m->put_range, 5, last - first + 1);
      if ((rc = step_done(m, m->put_range, "cannot write run_rows")) != AATGS_OK) return rc;
    }
  }
  if (existing)
    m->st->runs_replaced++;
  else
    m->st->runs_added++;
  return AATGS_OK;
}

static void free_runs(in_run *runs, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < 8; k++)
      sqlite3_value_free(runs[i].id[k]);
  free(runs);
}

/* The input's runs and their identities, read before any write. */
static int load_runs(merger *m, in_run **out, size_t *n) {
  sqlite3_stmt *st = NULL;
  in_run *v = NULL;
  size_t cnt = 0, cap = 0;
  int rc = prepare(m,
                   "SELECT run_id, graph_id, status, writer_host, pid, "
                   "started_at_ns, scenario_hash, policy, seed, rep, backend FROM src.runs "
                   "ORDER BY run_id",
                   &st);
  if (rc != AATGS_OK) return rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (cnt == cap) {
      size_t c = cap ? 2 * cap : 64;
      in_run *nv = realloc(v, c * sizeof *nv);
      if (!nv) break;
      v = nv;
      cap = c;
    }
    in_run *r = &v[cnt];
    memset(r, 0, sizeof *r);
    r->run_id = sqlite3_column_int64(st, 0);
    r->graph_id = sqlite3_column_int64(st, 1);
    r->rank = status_rank(sqlite3_column_text(st, 2));
    cnt++;
    for (int k = 0; k < 8; k++)
      if (!(r->id[k] = sqlite3_value_dup(sqlite3_column_value(st, 3 + k)))) rc = SQLITE_NOMEM;
    if (rc == SQLITE_NOMEM) break;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    free_runs(v, cnt);
    return rc == SQLITE_ROW || rc == SQLITE_NOMEM
               ? nomem(m)
               : aatgs_err_set(m->err, AATGS_EDB, "cannot read database '%s': %s", m->in_path,
                               sqlite3_errmsg(m->db));
  }
  *out = v;
  *n = cnt;
  return AATGS_OK;
}

static int merge_input(merger *m, const char *path) {
  int rc;
  m->in_path = path;
  long version = 0;
  char *uri = ro_uri(path);
  if (!uri) return nomem(m);
  sqlite3_stmt *st = NULL;
  rc = prepare(m, "ATTACH DATABASE ?1 AS src", &st);
  if (rc == AATGS_OK) {
    sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
      rc = aatgs_err_set(m->err, AATGS_EDB, "cannot open database '%s': %s", path,
                         sqlite3_errmsg(m->db));
    sqlite3_finalize(st);
  }
  free(uri);
  if (rc != AATGS_OK) return rc;
  in_run *runs = NULL;
  size_t n = 0;
  rc = aatgs_db_schema_version(m->db, "src", path, &version, m->err);
  if (rc == AATGS_OK) rc = prepare_input(m);
  if (rc == AATGS_OK) rc = load_runs(m, &runs, &n);
  m->st->runs_in = n;
  for (size_t i = 0; i < n && rc == AATGS_OK; i++) {
    rc = exec(m, "BEGIN IMMEDIATE", "cannot start a transaction");
    if (rc != AATGS_OK) break;
    rc = merge_run(m, &runs[i]);
    if (rc == AATGS_OK) rc = exec(m, "COMMIT", "cannot commit");
    if (rc != AATGS_OK) {
      sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
      m->n_gmap = 0; /* graphs copied in the rolled-back transaction are gone */
    }
  }
  free_runs(runs, n);
  finalize_input(m);
  if (sqlite3_exec(m->db, "DETACH DATABASE src", NULL, NULL, NULL) != SQLITE_OK && rc == AATGS_OK)
    rc = aatgs_err_set(m->err, AATGS_EDB, "database '%s': cannot detach '%s': %s", m->out_path,
                       path, sqlite3_errmsg(m->db));
  return rc;
}

/* ------------------------------------------------------------- public */

int aatgs_merge_check_input(const char *in_path, const char *out_path,
                            const aatgs_merge_options *opt, aatgs_err *err) {
  struct stat a, b;
  sqlite3 *db = NULL;
  uint32_t timeout = opt && opt->busy_timeout_ms ? opt->busy_timeout_ms : 5000;
  if (in_path && out_path && stat(in_path, &a) == 0 && stat(out_path, &b) == 0 &&
      a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "input '%s' is the output database '%s'; a database cannot be merged "
                         "into itself",
                         in_path, out_path);
  int rc = aatgs_db_open_read(in_path, timeout, &db, NULL, err);
  if (rc != AATGS_OK) return rc;
  /* Read the runs table once, so a locked or damaged file is found now. */
  sqlite3_stmt *st = NULL;
  int s = sqlite3_prepare_v2(db, "SELECT count(*) FROM runs", -1, &st, NULL);
  if (s == SQLITE_OK) s = sqlite3_step(st);
  if (s != SQLITE_ROW)
    rc =
        aatgs_err_set(err, AATGS_EDB, "cannot read database '%s': %s", in_path, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

int aatgs_merge_files(const char *out_path, const char *const *inputs, size_t n,
                      const aatgs_merge_options *opt, aatgs_merge_stats *stats, aatgs_err *err) {
  aatgs_merge_options o;
  aatgs_merge_stats scratch;
  merger m;
  int rc = AATGS_OK;
  memset(&o, 0, sizeof o);
  if (opt) o = *opt;
  if (!o.busy_timeout_ms) o.busy_timeout_ms = 5000;
  if (stats) memset(stats, 0, n * sizeof *stats);
  if (!out_path || !*out_path) return aatgs_err_set(err, AATGS_EINVAL, "output path is empty");
  for (size_t i = 0; i < n; i++)
    if ((rc = aatgs_merge_check_input(inputs[i], out_path, &o, err)) != AATGS_OK) return rc;
  memset(&m, 0, sizeof m);
  m.out_path = out_path;
  m.in_path = "";
  m.err = err;
  rc = open_output(&m, &o);
  for (size_t i = 0; i < n && rc == AATGS_OK; i++) {
    m.st = stats ? &stats[i] : &scratch;
    memset(m.st, 0, sizeof *m.st);
    rc = merge_input(&m, inputs[i]);
  }
  for (size_t i = 0; i < m.n_tables; i++)
    free_cols(m.tables[i].cols, m.tables[i].n_cols);
  free(m.tables);
  free_cols(m.run_cols, m.n_run_cols);
  free_cols(m.graph_cols, m.n_graph_cols);
  free(m.gmap);
  if (m.db && sqlite3_close(m.db) != SQLITE_OK && rc == AATGS_OK)
    rc = aatgs_err_set(err, AATGS_EDB, "cannot close database '%s'", out_path);
  return rc;
}
