/* report.c - the statistics report over a trace database (report.h). */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rng.h"
#include "sqlite_sink.h"
#include "stats.h"

#define DEFAULT_BASELINE "fifo"
/* Mixed with each group's names into the bootstrap seed. */
#define BOOTSTRAP_SEED 0x5eed5a7a7a6b0075ULL

/* ---------------------------------------------------------------- columns */

enum {
  /* The fixed columns, in the order of the CSV header (other tools read it). */
  C_SCENARIO,
  C_POLICY,
  C_BACKEND,
  C_RUNS,
  C_MEDIAN,
  C_MEAN,
  C_CI_LO,
  C_CI_HI,
  C_SPEEDUP,
  C_SP_LO,
  C_SP_HI,
  C_EFF,
  C_UTIL,
  C_CFG_MEAN,
  C_CFG_MAX,
  C_TEL_MEAN,
  C_TEL_MAX,
  C_DEC_MEAN,
  C_DEC_P99,
  C_CFG_OVF,
  C_TEL_OVF,
  C_TEL_EVICT,
  C_FAILED,
  /* Appended ones. */
  C_MEAN_CI_LO,
  C_MEAN_CI_HI,
  C_SD,
  C_MIN,
  C_MAX,
  C_PAIRING,
  C_BASELINE,
  C_INTERRUPTED,
  C_DECISIONS,
  C_COUNT
};

typedef enum { K_STR, K_UINT, K_NUM, K_BOOL } kind;
/* How the table and markdown print a number. */
typedef enum { F_NONE, F_MS, F_RATIO, F_SPEEDUP, F_NS } style;

typedef struct column {
  const char *name;  /* CSV header, JSON key, --columns name */
  const char *label; /* table and markdown header */
  kind k;
  style f;
  const char *pair_label; /* lo of a lo/hi pair: the header of the merged cell */
} column;

static const column COLS[C_COUNT] = {
    [C_SCENARIO] = {"scenario", "scenario", K_STR, F_NONE, NULL},
    [C_POLICY] = {"policy", "policy", K_STR, F_NONE, NULL},
    [C_BACKEND] = {"backend", "backend", K_STR, F_NONE, NULL},
    [C_RUNS] = {"runs", "runs", K_UINT, F_NONE, NULL},
    [C_MEDIAN] = {"makespan_median_ms", "median ms", K_NUM, F_MS, NULL},
    [C_MEAN] = {"makespan_mean_ms", "mean ms", K_NUM, F_MS, NULL},
    [C_CI_LO] = {"makespan_ci_lo_ms", "CI lo ms", K_NUM, F_MS, "95% CI ms"},
    [C_CI_HI] = {"makespan_ci_hi_ms", "CI hi ms", K_NUM, F_MS, NULL},
    [C_SPEEDUP] = {"speedup", "speedup", K_NUM, F_SPEEDUP, NULL},
    [C_SP_LO] = {"speedup_ci_lo", "speedup lo", K_NUM, F_RATIO, "speedup CI"},
    [C_SP_HI] = {"speedup_ci_hi", "speedup hi", K_NUM, F_RATIO, NULL},
    [C_EFF] = {"efficiency", "eff.", K_NUM, F_RATIO, NULL},
    [C_UTIL] = {"stream_util", "kern util", K_NUM, F_RATIO, NULL},
    [C_CFG_MEAN] = {"config_util_mean", "cfg mean", K_NUM, F_RATIO, NULL},
    [C_CFG_MAX] = {"config_util_max", "cfg max", K_NUM, F_RATIO, NULL},
    [C_TEL_MEAN] = {"telemetry_util_mean", "tel mean", K_NUM, F_RATIO, NULL},
    [C_TEL_MAX] = {"telemetry_util_max", "tel max", K_NUM, F_RATIO, NULL},
    [C_DEC_MEAN] = {"decision_mean_ns", "dec mean ns", K_NUM, F_NS, NULL},
    [C_DEC_P99] = {"decision_p99_ns", "dec p99 ns", K_NUM, F_NS, NULL},
    [C_CFG_OVF] = {"config_overflows", "cfg ovf", K_UINT, F_NONE, NULL},
    [C_TEL_OVF] = {"telemetry_overflows", "tel ovf", K_UINT, F_NONE, NULL},
    [C_TEL_EVICT] = {"telemetry_evictions", "tel evict", K_UINT, F_NONE, NULL},
    [C_FAILED] = {"failed_runs", "failed", K_UINT, F_NONE, NULL},
    [C_MEAN_CI_LO] = {"makespan_mean_ci_lo_ms", "mean lo ms", K_NUM, F_MS, "mean 95% CI ms"},
    [C_MEAN_CI_HI] = {"makespan_mean_ci_hi_ms", "mean hi ms", K_NUM, F_MS, NULL},
    [C_SD] = {"makespan_sd_ms", "sd ms", K_NUM, F_MS, NULL},
    [C_MIN] = {"makespan_min_ms", "min ms", K_NUM, F_MS, NULL},
    [C_MAX] = {"makespan_max_ms", "max ms", K_NUM, F_MS, NULL},
    [C_PAIRING] = {"speedup_method", "pairing", K_STR, F_NONE, NULL},
    [C_BASELINE] = {"baseline", "baseline", K_BOOL, F_NONE, NULL},
    [C_INTERRUPTED] = {"interrupted_runs", "interrupted", K_UINT, F_NONE, NULL},
    [C_DECISIONS] = {"decisions", "decisions", K_UINT, F_NONE, NULL},
};

size_t aatgs_report_column_count(void) { return C_COUNT; }

const char *aatgs_report_column_name(size_t i) { return i < C_COUNT ? COLS[i].name : NULL; }

typedef struct cellval {
  kind k;
  const char *s;
  uint64_t u;
  double d;
  bool b;
} cellval;

static const char *pairing_name(aatgs_report_pairing p) {
  switch (p) {
  case AATGS_PAIRING_PAIRED: return "paired";
  case AATGS_PAIRING_UNPAIRED: return "unpaired";
  default: return "";
  }
}

static cellval value(const aatgs_report_row *w, int c) {
  cellval v = {COLS[c].k, "", 0, NAN, false};
  switch (c) {
  case C_SCENARIO: v.s = w->scenario; break;
  case C_POLICY: v.s = w->policy; break;
  case C_BACKEND: v.s = w->backend; break;
  case C_RUNS: v.u = w->runs; break;
  case C_MEDIAN: v.d = w->makespan_median_ms; break;
  case C_MEAN: v.d = w->makespan_mean_ms; break;
  case C_CI_LO: v.d = w->makespan_ci_lo_ms; break;
  case C_CI_HI: v.d = w->makespan_ci_hi_ms; break;
  case C_SPEEDUP: v.d = w->speedup; break;
  case C_SP_LO: v.d = w->speedup_ci_lo; break;
  case C_SP_HI: v.d = w->speedup_ci_hi; break;
  case C_EFF: v.d = w->efficiency; break;
  case C_UTIL: v.d = w->stream_util; break;
  case C_CFG_MEAN: v.d = w->config_util_mean; break;
  case C_CFG_MAX: v.d = w->config_util_max; break;
  case C_TEL_MEAN: v.d = w->telemetry_util_mean; break;
  case C_TEL_MAX: v.d = w->telemetry_util_max; break;
  case C_DEC_MEAN: v.d = w->decision_mean_ns; break;
  case C_DEC_P99: v.d = w->decision_p99_ns; break;
  case C_CFG_OVF: v.u = w->config_overflows; break;
  case C_TEL_OVF: v.u = w->telemetry_overflows; break;
  case C_TEL_EVICT: v.u = w->telemetry_evictions; break;
  case C_FAILED: v.u = w->failed_runs; break;
  case C_MEAN_CI_LO: v.d = w->makespan_mean_ci_lo_ms; break;
  case C_MEAN_CI_HI: v.d = w->makespan_mean_ci_hi_ms; break;
  case C_SD: v.d = w->makespan_sd_ms; break;
  case C_MIN: v.d = w->makespan_min_ms; break;
  case C_MAX: v.d = w->makespan_max_ms; break;
  case C_PAIRING: v.s = pairing_name(w->speedup_pairing); break;
  case C_BASELINE: v.b = w->is_baseline; break;
  case C_INTERRUPTED: v.u = w->interrupted_runs; break;
  case C_DECISIONS: v.u = w->decisions; break;
  default: break;
  }
  return v;
}

/* ------------------------------------------------------------- arguments */

int aatgs_report_parse_format(const char *name, aatgs_report_format *out, aatgs_err *err) {
  if (name && strcmp(name, "table") == 0)
    *out = AATGS_REPORT_TABLE;
  else if (name && strcmp(name, "csv") == 0)
    *out = AATGS_REPORT_CSV;
  else if (name && (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0))
    *out = AATGS_REPORT_MARKDOWN;
  else if (name && strcmp(name, "json") == 0)
    *out = AATGS_REPORT_JSON;
  else
    return aatgs_err_set(err, AATGS_EINVAL,
                         "unknown report format \"%s\" (expected table, csv, markdown or json)",
                         name ? name : "");
  return AATGS_OK;
}

/* Calls fn on each item of a comma-separated list, spaces trimmed. Stops at
 * the first non-OK return. */
typedef int (*item_fn)(const char *item, size_t len, void *ctx, aatgs_err *err);

static int each_item(const char *list, item_fn fn, void *ctx, aatgs_err *err) {
  const char *p = list;
  for (;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    while (len && *p == ' ')
      p++, len--;
    while (len && p[len - 1] == ' ')
      len--;
    int rc = fn(p, len, ctx, err);
    if (rc != AATGS_OK) return rc;
    if (!c) return AATGS_OK;
    p = c + 1;
  }
}

/* True when filter is empty or names s in its comma-separated list. */
static bool matches(const char *filter, const char *s) {
  if (!filter || !*filter) return true;
  size_t n = strlen(s);
  const char *p = filter;
  for (;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    while (len && *p == ' ')
      p++, len--;
    while (len && p[len - 1] == ' ')
      len--;
    if (len == n && strncmp(p, s, n) == 0) return true;
    if (!c) return false;
    p = c + 1;
  }
}

typedef struct id_range {
  int64_t lo, hi;
} id_range;

typedef struct id_set {
  id_range *r;
  size_t n;
  const char *list; /* for messages */
} id_set;

static bool parse_id(const char *s, size_t len, int64_t *out) {
  if (len == 0 || len > 19) return false;
  int64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static int add_range(const char *item, size_t len, void *ctx, aatgs_err *err) {
  id_set *set = ctx;
  const char *dash = memchr(item, '-', len);
  id_range g;
  bool ok = dash ? parse_id(item, (size_t)(dash - item), &g.lo) &&
                       parse_id(dash + 1, len - (size_t)(dash - item) - 1, &g.hi) && g.lo <= g.hi
                 : parse_id(item, len, &g.lo);
  if (!dash) g.hi = g.lo;
  if (!ok)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "run selection \"%s\": \"%.*s\" is not a run id or a range A-B (A <= B)",
                         set->list, (int)len, item);
  id_range *r = realloc(set->r, (set->n + 1) * sizeof *r);
  if (!r) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  set->r = r;
  set->r[set->n++] = g;
  return AATGS_OK;
}

static bool in_set(const id_set *set, int64_t id) {
  if (!set->n) return true;
  for (size_t i = 0; i < set->n; i++)
    if (id >= set->r[i].lo && id <= set->r[i].hi) return true;
  return false;
}

/* A column may be named more than once, up to this many in all. */
#define MAX_COLUMNS (4 * C_COUNT)

typedef struct col_list {
  int *c;
  size_t n;
} col_list;

static int add_column(const char *item, size_t len, void *ctx, aatgs_err *err) {
  col_list *l = ctx;
  if (l->n >= MAX_COLUMNS)
    return aatgs_err_set(err, AATGS_EINVAL, "more than %d report columns", MAX_COLUMNS);
  for (int c = 0; c < C_COUNT; c++)
    if (strlen(COLS[c].name) == len && strncmp(COLS[c].name, item, len) == 0) {
      int *n = realloc(l->c, (l->n + 1) * sizeof *n);
      if (!n) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
      l->c = n;
      l->c[l->n++] = c;
      return AATGS_OK;
    }
  return aatgs_err_set(err, AATGS_EINVAL,
                       "unknown report column \"%.*s\" (the names are those of the CSV header: "
                       "scenario, policy, backend, runs, makespan_median_ms, ...; "
                       "`aatgs report --help` lists them)",
                       (int)len, item);
}

/* ------------------------------------------------------------- the report */

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static void free_row(aatgs_report_row *w) {
  free(w->scenario);
  free(w->backend);
  free(w->policy);
}

void aatgs_report_destroy(aatgs_report *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n_rows; i++)
    free_row(&r->rows[i]);
  free(r->rows);
  free(r->columns);
  free(r->db_path);
  free(r->baseline);
  free(r);
}

static const char *col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : "";
}

/* Opens read-only and checks that the file is an AATGS database. */
static int open_db(const char *path, sqlite3 **db, aatgs_err *err) {
  struct stat sb;
  *db = NULL;
  if (stat(path, &sb) != 0) {
    int e = errno;
    return aatgs_err_set(err, e == ENOENT ? AATGS_ENOENT : AATGS_EIO,
                         "cannot open database '%s': %s", path, strerror(e));
  }
  if (S_ISDIR(sb.st_mode))
    return aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': %s", path, strerror(EISDIR));
  if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    int rc = aatgs_err_set(err, AATGS_EDB, "cannot open database '%s': %s", path,
                           *db ? sqlite3_errmsg(*db) : "out of memory");
    sqlite3_close(*db);
    *db = NULL;
    return rc;
  }
  sqlite3_busy_timeout(*db, 5000);
  sqlite3_stmt *st = NULL;
  long version = -1;
  int rc =
      sqlite3_prepare_v2(*db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    version = strtol(col_text(st, 0), NULL, 10);
  const char *why = rc == SQLITE_OK ? "no schema version" : sqlite3_errmsg(*db);
  if (version <= 0) {
    if (rc != SQLITE_OK && strstr(why, "no such table")) why = "no meta table";
    rc = aatgs_err_set(err, AATGS_EDB, "'%s' is not an AATGS database (%s)", path, why);
    sqlite3_finalize(st);
    sqlite3_close(*db);
    *db = NULL;
    return rc;
  }
  sqlite3_finalize(st);
  if (version > AATGS_SQLITE_SCHEMA_VERSION) {
    sqlite3_close(*db);
    *db = NULL;
    return aatgs_err_set(err, AATGS_EDB,
                         "database '%s' has schema version %ld, newer than this build's %d", path,
                         version, AATGS_SQLITE_SCHEMA_VERSION);
  }
  return AATGS_OK;
}

/* ------------------------------------------------------------ per run data */

enum { Q_RANGES, Q_DECISIONS, Q_BUSY, Q_KSTREAMS, Q_RINGS, Q_COUNT };

static const char *const QUERY[Q_COUNT] = {
    [Q_RANGES] = "SELECT tbl, first_rowid, last_rowid FROM run_rows WHERE run_id = ?1",
    [Q_DECISIONS] = "SELECT cost_ns FROM decisions WHERE rowid BETWEEN ?2 AND ?3 "
                    "AND run_id = ?1 AND cost_ns IS NOT NULL",
    [Q_BUSY] = "SELECT COALESCE(SUM(end_ns - start_ns), 0) FROM task_events "
               "WHERE rowid BETWEEN ?2 AND ?3 AND run_id = ?1 AND start_ns IS NOT NULL "
               "AND end_ns IS NOT NULL AND stream IN "
               "(SELECT stream FROM streams WHERE run_id = ?1 AND class = 'kernel')",
    [Q_KSTREAMS] = "SELECT count(*) FROM streams WHERE run_id = ?1 AND class = 'kernel'",
    [Q_RINGS] = "SELECT ring, SUM(utilization), COUNT(utilization), MAX(utilization) "
                "FROM ring_samples WHERE rowid BETWEEN ?2 AND ?3 AND run_id = ?1 "
                "AND ring IN ('config', 'telemetry') GROUP BY ring",
};

/* Where a run's rows lie in the bulk tables that the report reads. */
enum { T_DEC, T_TASKS, T_RING, T_COUNT };
static const char *const TBL[T_COUNT] = {"decisions", "task_events", "ring_samples"};

typedef struct ring_acc {
  double sum, max;
  uint64_t n;
} ring_acc;

/* A completed run's pairing key and makespan. */
typedef struct run_key {
  int64_t seed, rep;
  double ms;
} run_key;

/* The values of one group while it is read. */
typedef struct group_acc {
  double *ms, *eff, *util; /* per completed run (eff, util where defined) */
  run_key *key;            /* per completed run, parallel to ms */
  bool keyed;              /* every completed run has a seed and a rep */
  size_t n, n_eff, n_util, cap;
  int64_t *cost; /* decision costs of the completed runs */
  size_t n_cost, cap_cost;
  ring_acc ring[2]; /* config, telemetry */
  uint32_t failed, interrupted;
  uint64_t cfg_ovf, tel_ovf, tel_evict;
} group_acc;

/* What a row keeps for the speedups once its group is read. */
typedef struct group_keep {
  double *ms;   /* in run order */
  run_key *key; /* parallel to ms */
  bool keyed;
  size_t n;
} group_keep;

typedef struct loader {
  sqlite3 *db;
  const char *path;
  sqlite3_stmt *q[Q_COUNT];
  aatgs_report *r;
  group_keep *keep; /* parallel to r->rows until drop_policies */
  size_t n_keep;
  uint32_t B;
} loader;

static int db_fail(loader *L, const char *what, aatgs_err *err) {
  return aatgs_err_set(err, AATGS_EDB, "database '%s': cannot read %s: %s", L->path, what,
                       sqlite3_errmsg(L->db));
}

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return AATGS_OK;
  size_t c = *cap ? *cap : 16;
  while (c < need)
    c *= 2;
  void *q = realloc(*p, c * size);
  if (!q) return AATGS_ENOMEM;
  *p = q;
  *cap = c;
  return AATGS_OK;
}

/* Reads the decision costs, kernel busy time and ring samples of one
 * completed run into g; util_out gets its kernel stream utilization (NAN when
 * it has no kernel stream). */
static int read_run_details(loader *L, group_acc *g, int64_t run_id, int64_t makespan_ns,
                            double *util_out, aatgs_err *err) {
  int64_t first[T_COUNT], last[T_COUNT];
  bool have[T_COUNT] = {false, false, false};
  sqlite3_stmt *st = L->q[Q_RANGES];
  int rc;
  sqlite3_reset(st);
  sqlite3_bind_int64(st, 1, run_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *tbl = col_text(st, 0);
    for (int t = 0; t < T_COUNT; t++)
      if (strcmp(tbl, TBL[t]) == 0) {
        first[t] = sqlite3_column_int64(st, 1);
        last[t] = sqlite3_column_int64(st, 2);
        have[t] = true;
      }
  }
  if (rc != SQLITE_DONE) return db_fail(L, "run_rows", err);

  if (have[T_DEC]) {
    st = L->q[Q_DECISIONS];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, first[T_DEC]);
    sqlite3_bind_int64(st, 3, last[T_DEC]);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (grow((void **)&g->cost, &g->cap_cost, g->n_cost + 1, sizeof *g->cost) != AATGS_OK)
        return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
      g->cost[g->n_cost++] = sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_DONE) return db_fail(L, "decisions", err);
  }

  int64_t busy = 0, kstreams = 0;
  st = L->q[Q_KSTREAMS];
  sqlite3_reset(st);
  sqlite3_bind_int64(st, 1, run_id);
  if (sqlite3_step(st) != SQLITE_ROW) return db_fail(L, "streams", err);
  kstreams = sqlite3_column_int64(st, 0);
  if (have[T_TASKS] && kstreams > 0) {
    st = L->q[Q_BUSY];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, first[T_TASKS]);
    sqlite3_bind_int64(st, 3, last[T_TASKS]);
    if (sqlite3_step(st) != SQLITE_ROW) return db_fail(L, "task_events", err);
    busy = sqlite3_column_int64(st, 0);
  }
  *util_out = kstreams > 0 && makespan_ns > 0
                  ? (double)busy / ((double)kstreams * (double)makespan_ns)
                  : NAN;

  if (have[T_RING]) {
    st = L->q[Q_RINGS];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, first[T_RING]);
    sqlite3_bind_int64(st, 3, last[T_RING]);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      ring_acc *a = &g->ring[strcmp(col_text(st, 0), "config") == 0 ? 0 : 1];
      uint64_t n = (uint64_t)sqlite3_column_int64(st, 2);
      if (n == 0) continue;
      double mx = sqlite3_column_double(st, 3);
      a->max = a->n == 0 || mx > a->max ? mx : a->max;
      a->sum += sqlite3_column_double(st, 1);
      a->n += n;
    }
    if (rc != SQLITE_DONE) return db_fail(L, "ring_samples", err);
  }
  return AATGS_OK;
}

static void free_acc(group_acc *g) {
  free(g->ms);
  free(g->eff);
  free(g->util);
  free(g->key);
  free(g->cost);
  memset(g, 0, sizeof *g);
  g->keyed = true;
}

/* FNV-1a over the strings (each with its NUL), mixed: a group's own seed, the
 * same whatever else the report holds. */
static uint64_t names_seed(const char *a, const char *b, const char *c, const char *d) {
  const char *s[4] = {a, b, c, d};
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int i = 0; i < 4 && s[i]; i++) {
    const unsigned char *p = (const unsigned char *)s[i];
    do {
      h ^= *p;
      h *= 0x100000001b3ULL;
    } while (*p++);
  }
  return aatgs_hash64(BOOTSTRAP_SEED, h);
}

/* Turns the accumulated group into a row (speedups come later). */
static int finish_group(loader *L, group_acc *g, const char *sc, const char *po, const char *be,
                        aatgs_err *err) {
  aatgs_report *r = L->r;
  aatgs_report_row *rows = realloc(r->rows, (r->n_rows + 1) * sizeof *rows);
  if (!rows) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  r->rows = rows;
  group_keep *keep = realloc(L->keep, (r->n_rows + 1) * sizeof *keep);
  if (!keep) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  L->keep = keep;
  aatgs_report_row *w = &rows[r->n_rows];
  group_keep *k = &keep[r->n_rows];
  memset(w, 0, sizeof *w);
  memset(k, 0, sizeof *k);
  L->n_keep = r->n_rows + 1;
  w->scenario = dup_str(sc);
  w->policy = dup_str(po);
  w->backend = dup_str(be);
  r->n_rows++;
  if (!w->scenario || !w->backend || !w->policy)
    return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");

  w->runs = (uint32_t)g->n;
  w->failed_runs = g->failed + g->interrupted;
  w->interrupted_runs = g->interrupted;
  w->config_overflows = g->cfg_ovf;
  w->telemetry_overflows = g->tel_ovf;
  w->telemetry_evictions = g->tel_evict;
  w->makespan_mean_ms = aatgs_stats_mean(g->ms, g->n);
  w->makespan_sd_ms = aatgs_stats_sd(g->ms, g->n);
  w->makespan_ci_lo_ms = w->makespan_ci_hi_ms = NAN;
  w->makespan_mean_ci_lo_ms = w->makespan_mean_ci_hi_ms = NAN;
  w->makespan_min_ms = w->makespan_max_ms = NAN;
  w->speedup = w->speedup_ci_lo = w->speedup_ci_hi = NAN;
  for (size_t i = 0; i < g->n; i++) {
    if (i == 0 || g->ms[i] < w->makespan_min_ms) w->makespan_min_ms = g->ms[i];
    if (i == 0 || g->ms[i] > w->makespan_max_ms) w->makespan_max_ms = g->ms[i];
  }
  if (L->B && g->n) {
    uint64_t seed = names_seed(sc, be, po, NULL);
    aatgs_interval ci;
    int rc = aatgs_stats_bootstrap(g->ms, g->n, AATGS_STAT_MEDIAN, L->B, seed, AATGS_REPORT_LEVEL,
                                   &ci, err);
    if (rc != AATGS_OK) return rc;
    w->makespan_ci_lo_ms = ci.lo;
    w->makespan_ci_hi_ms = ci.hi;
    rc = aatgs_stats_bootstrap(g->ms, g->n, AATGS_STAT_MEAN, L->B, seed, AATGS_REPORT_LEVEL, &ci,
                               err);
    if (rc != AATGS_OK) return rc;
    w->makespan_mean_ci_lo_ms = ci.lo;
    w->makespan_mean_ci_hi_ms = ci.hi;
  }
  /* The median sorts; keep the values in run order for the speedup. */
  double *sorted = g->n ? malloc(g->n * sizeof *sorted) : NULL;
  if (g->n && !sorted) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  if (g->n) memcpy(sorted, g->ms, g->n * sizeof *sorted);
  w->makespan_median_ms = aatgs_stats_median(sorted, g->n);
  free(sorted);
  w->efficiency = aatgs_stats_median(g->eff, g->n_eff);
  w->stream_util = aatgs_stats_median(g->util, g->n_util);
  w->config_util_mean = g->ring[0].n ? g->ring[0].sum / (double)g->ring[0].n : NAN;
  w->config_util_max = g->ring[0].n ? g->ring[0].max : NAN;
  w->telemetry_util_mean = g->ring[1].n ? g->ring[1].sum / (double)g->ring[1].n : NAN;
  w->telemetry_util_max = g->ring[1].n ? g->ring[1].max : NAN;
  w->decisions = g->n_cost;
  w->decision_mean_ns = w->decision_p99_ns = NAN;
  if (g->n_cost) {
    double s = 0;
    for (size_t i = 0; i < g->n_cost; i++)
      s += (double)g->cost[i];
    w->decision_mean_ns = s / (double)g->n_cost;
    int64_t p99;
    if (aatgs_stats_rank_percentile(g->cost, g->n_cost, 99, &p99)) w->decision_p99_ns = (double)p99;
  }
  /* Hand the makespans and keys over to the speedup pass. */
  k->ms = g->ms;
  k->key = g->key;
  k->keyed = g->keyed;
  k->n = g->n;
  g->ms = NULL;
  g->key = NULL;
  free_acc(g);
  return AATGS_OK;
}

static int cmp_key(const void *a, const void *b) {
  const run_key *x = a, *y = b;
  if (x->seed != y->seed) return x->seed < y->seed ? -1 : 1;
  if (x->rep != y->rep) return x->rep < y->rep ? -1 : 1;
  return 0;
}

/* A copy of the group's keys sorted by (seed, rep); NULL when out of memory. */
static run_key *sorted_keys(const group_keep *k) {
  run_key *s = malloc(k->n * sizeof *s);
  if (!s) return NULL;
  memcpy(s, k->key, k->n * sizeof *s);
  qsort(s, k->n, sizeof *s, cmp_key);
  return s;
}

/* The speedup interval of row wi against baseline row bi. Paired when both
 * groups hold the same (seed, rep) keys once each (the baseline against
 * itself is paired, the ratio then always 1). */
static int speedup_interval(loader *L, size_t wi, size_t bi, aatgs_err *err) {
  aatgs_report_row *w = &L->r->rows[wi];
  const group_keep *kw = &L->keep[wi], *kb = &L->keep[bi];
  run_key *sw = NULL, *sb = NULL;
  double *num = NULL, *den = NULL;
  bool paired = wi == bi;
  int rc = AATGS_OK;
  if (!paired && kw->keyed && kb->keyed && kw->n == kb->n && kw->n > 0) {
    sw = sorted_keys(kw);
    sb = sorted_keys(kb);
    num = malloc(kw->n * sizeof *num);
    den = malloc(kw->n * sizeof *den);
    if (!sw || !sb || !num || !den) {
      rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
      goto done;
    }
    paired = true;
    for (size_t i = 0; i < kw->n && paired; i++) {
      if (cmp_key(&sw[i], &sb[i]) != 0) paired = false;
      if (i && cmp_key(&sw[i], &sw[i - 1]) == 0) paired = false; /* a key twice */
      num[i] = sb[i].ms;
      den[i] = sw[i].ms;
    }
  }
  uint64_t seed = names_seed(w->scenario, w->backend, w->policy, L->r->baseline);
  aatgs_interval ci;
  if (paired && wi != bi)
    rc = aatgs_stats_bootstrap_ratio(num, kw->n, den, kw->n, true, L->B, seed, AATGS_REPORT_LEVEL,
                                     &ci, err);
  else
    rc = aatgs_stats_bootstrap_ratio(kb->ms, kb->n, kw->ms, kw->n, paired, L->B, seed,
                                     AATGS_REPORT_LEVEL, &ci, err);
  if (rc == AATGS_OK && !isnan(ci.lo)) {
    w->speedup_ci_lo = ci.lo;
    w->speedup_ci_hi = ci.hi;
    w->speedup_pairing = paired ? AATGS_PAIRING_PAIRED : AATGS_PAIRING_UNPAIRED;
  }
done:
  free(sw);
  free(sb);
  free(num);
  free(den);
  return rc;
}

/* Sets speedups (baseline of the same scenario and backend) and marks rows. */
static int set_speedups(loader *L, aatgs_err *err) {
  aatgs_report *r = L->r;
  for (size_t i = 0; i < r->n_rows; i++) {
    aatgs_report_row *w = &r->rows[i];
    w->is_baseline = strcmp(w->policy, r->baseline) == 0;
    for (size_t j = 0; j < r->n_rows; j++) {
      const aatgs_report_row *b = &r->rows[j];
      if (strcmp(b->policy, r->baseline) != 0 || strcmp(b->scenario, w->scenario) != 0 ||
          strcmp(b->backend, w->backend) != 0)
        continue;
      if (!b->runs || !w->runs || !(w->makespan_median_ms > 0)) break;
      w->speedup = b->makespan_median_ms / w->makespan_median_ms;
      if (L->B) {
        int rc = speedup_interval(L, i, j, err);
        if (rc != AATGS_OK) return rc;
      }
      break;
    }
  }
  return AATGS_OK;
}

static void drop_policies(aatgs_report *r, const char *policy_filter) {
  size_t k = 0;
  for (size_t i = 0; i < r->n_rows; i++) {
    if (matches(policy_filter, r->rows[i].policy))
      r->rows[k++] = r->rows[i];
    else
      free_row(&r->rows[i]);
  }
  r->n_rows = k;
}

static const char LOAD_SQL[] =
    "SELECT run_id, COALESCE(scenario, ''), COALESCE(policy, ''), COALESCE(backend, ''), status, "
    "makespan_ns, lower_bound_ns, seed, rep, config_overflows, telemetry_overflows, "
    "telemetry_evictions FROM runs WHERE status <> 'running' "
    "ORDER BY COALESCE(scenario, ''), COALESCE(backend, ''), COALESCE(policy, ''), run_id";

static int64_t col_i64_or0(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

/* Room for one more completed run in every per-run array of g. */
static int grow_runs(group_acc *g) {
  void **arr[] = {(void **)&g->ms, (void **)&g->eff, (void **)&g->util, (void **)&g->key};
  size_t size[] = {sizeof *g->ms, sizeof *g->eff, sizeof *g->util, sizeof *g->key};
  size_t cap = g->cap;
  for (size_t i = 0; i < 4; i++) {
    cap = g->cap; /* every array has g->cap slots until all have grown */
    if (grow(arr[i], &cap, g->n + 1, size[i]) != AATGS_OK) return AATGS_ENOMEM;
  }
  g->cap = cap;
  return AATGS_OK;
}

/* One run of the current group. */
static int add_run(loader *L, group_acc *g, sqlite3_stmt *st, aatgs_err *err) {
  const char *status = col_text(st, 4);
  g->cfg_ovf += (uint64_t)col_i64_or0(st, 9);
  g->tel_ovf += (uint64_t)col_i64_or0(st, 10);
  g->tel_evict += (uint64_t)col_i64_or0(st, 11);
  if (strcmp(status, "interrupted") == 0) g->interrupted++;
  if (strcmp(status, "failed") == 0) g->failed++;
  if (strcmp(status, "completed") != 0 || sqlite3_column_type(st, 5) == SQLITE_NULL)
    return AATGS_OK;
  int64_t run_id = sqlite3_column_int64(st, 0);
  int64_t mk = sqlite3_column_int64(st, 5), lb = sqlite3_column_int64(st, 6);
  if (grow_runs(g) != AATGS_OK) goto nomem;
  double util = NAN;
  int rc = read_run_details(L, g, run_id, mk, &util, err);
  if (rc != AATGS_OK) return rc;
  g->ms[g->n] = (double)mk / 1e6;
  if (sqlite3_column_type(st, 7) == SQLITE_NULL || sqlite3_column_type(st, 8) == SQLITE_NULL)
    g->keyed = false;
  g->key[g->n].seed = sqlite3_column_int64(st, 7);
  g->key[g->n].rep = sqlite3_column_int64(st, 8);
  g->key[g->n].ms = g->ms[g->n];
  g->n++;
  if (mk > 0 && lb > 0 && sqlite3_column_type(st, 6) != SQLITE_NULL)
    g->eff[g->n_eff++] = (double)lb / (double)mk;
  if (!isnan(util)) g->util[g->n_util++] = util;
  return AATGS_OK;
nomem:
  return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
}

static int check_options(const aatgs_report_options *opt, uint32_t *B, aatgs_err *err) {
  if (opt->bootstrap == AATGS_REPORT_NO_BOOTSTRAP)
    *B = 0;
  else if (opt->bootstrap == 0)
    *B = AATGS_REPORT_BOOTSTRAP_DEFAULT;
  else if (opt->bootstrap > AATGS_REPORT_BOOTSTRAP_MAX)
    return aatgs_err_set(err, AATGS_EINVAL, "bootstrap resamples %u: at most %u", opt->bootstrap,
                         AATGS_REPORT_BOOTSTRAP_MAX);
  else
    *B = opt->bootstrap;
  return AATGS_OK;
}

int aatgs_report_load(const char *db_path, const aatgs_report_options *opt, aatgs_report **out,
                      aatgs_err *err) {
  aatgs_report_options dflt;
  loader L;
  sqlite3_stmt *st = NULL;
  group_acc g;
  id_set ids = {NULL, 0, NULL};
  col_list cols = {NULL, 0};
  char *key[3] = {NULL, NULL, NULL};
  int rc;
  memset(&L, 0, sizeof L);
  memset(&g, 0, sizeof g);
  g.keyed = true;
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_report_load: out is NULL");
  *out = NULL;
  if (!db_path || !*db_path) return aatgs_err_set(err, AATGS_EINVAL, "no database path given");
  if (!opt) {
    memset(&dflt, 0, sizeof dflt);
    opt = &dflt;
  }
  rc = check_options(opt, &L.B, err);
  if (rc != AATGS_OK) return rc;
  if (opt->runs && *opt->runs) {
    ids.list = opt->runs;
    rc = each_item(opt->runs, add_range, &ids, err);
    if (rc != AATGS_OK) goto fail;
  }
  if (opt->columns && *opt->columns) {
    rc = each_item(opt->columns, add_column, &cols, err);
    if (rc != AATGS_OK) goto fail;
  }
  rc = open_db(db_path, &L.db, err);
  if (rc != AATGS_OK) goto fail;
  L.path = db_path;
  L.r = calloc(1, sizeof *L.r);
  if (!L.r) goto nomem;
  L.r->db_path = dup_str(db_path);
  L.r->baseline = dup_str(opt->baseline && *opt->baseline ? opt->baseline : DEFAULT_BASELINE);
  if (!L.r->db_path || !L.r->baseline) goto nomem;
  L.r->bootstrap = L.B;
  L.r->columns = cols.c;
  L.r->n_columns = cols.n;
  cols.c = NULL;
  for (int q = 0; q < Q_COUNT; q++)
    if (sqlite3_prepare_v2(L.db, QUERY[q], -1, &L.q[q], NULL) != SQLITE_OK) {
      rc = db_fail(&L, "the run tables", err);
      goto fail;
    }
  if (sqlite3_prepare_v2(L.db, LOAD_SQL, -1, &st, NULL) != SQLITE_OK) {
    rc = db_fail(&L, "runs", err);
    goto fail;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *sc = col_text(st, 1), *po = col_text(st, 2), *be = col_text(st, 3);
    if (!in_set(&ids, sqlite3_column_int64(st, 0)) || !matches(opt->scenario, sc) ||
        !matches(opt->backend, be))
      continue;
    if (key[0] && (strcmp(sc, key[0]) || strcmp(be, key[2]) || strcmp(po, key[1]))) {
      rc = finish_group(&L, &g, key[0], key[1], key[2], err);
      if (rc != AATGS_OK) goto fail;
      for (int i = 0; i < 3; i++) {
        free(key[i]);
        key[i] = NULL;
      }
    }
    if (!key[0]) {
      key[0] = dup_str(sc);
      key[1] = dup_str(po);
      key[2] = dup_str(be);
      if (!key[0] || !key[1] || !key[2]) goto nomem;
    }
    rc = add_run(&L, &g, st, err);
    if (rc != AATGS_OK) goto fail;
  }
  if (rc != SQLITE_DONE) {
    rc = db_fail(&L, "runs", err);
    goto fail;
  }
  if (key[0]) {
    rc = finish_group(&L, &g, key[0], key[1], key[2], err);
    if (rc != AATGS_OK) goto fail;
  }
  rc = set_speedups(&L, err);
  if (rc != AATGS_OK) goto fail;
  drop_policies(L.r, opt->policy);
  *out = L.r;
  L.r = NULL;
  rc = AATGS_OK;
  goto done;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
fail:
  aatgs_report_destroy(L.r);
done:
  for (size_t i = 0; i < L.n_keep; i++) {
    free(L.keep[i].ms);
    free(L.keep[i].key);
  }
  free(L.keep);
  free_acc(&g);
  for (int i = 0; i < 3; i++)
    free(key[i]);
  free(ids.r);
  free(cols.c);
  sqlite3_finalize(st);
  for (int q = 0; q < Q_COUNT; q++)
    sqlite3_finalize(L.q[q]);
  sqlite3_close(L.db);
  return rc;
}

/* ---------------------------------------------------------------- writing */

/* A column as printed by the table and markdown: a lo/hi pair next to each
 * other shows as one "lo..hi" cell. */
typedef struct shown {
  int c;
  bool merged;
} shown;

static bool any_nonzero(const aatgs_report *r, int c) {
  for (size_t i = 0; i < r->n_rows; i++)
    if (value(&r->rows[i], c).u) return true;
  return false;
}

static bool one_backend(const aatgs_report *r) {
  for (size_t i = 1; i < r->n_rows; i++)
    if (strcmp(r->rows[i].backend, r->rows[0].backend)) return false;
  return r->n_rows > 0;
}

/* The columns of the table and markdown formats: the chosen ones, or the
 * short set, which leaves out a backend column of one value and counters
 * that are all zero (the footer says so). Returns how many. */
static size_t table_columns(const aatgs_report *r, shown *out, bool *hid_backend, bool *hid_zero) {
  int list[MAX_COLUMNS];
  size_t n = 0;
  *hid_backend = *hid_zero = false;
  if (r->n_columns) {
    for (size_t i = 0; i < r->n_columns && n < MAX_COLUMNS; i++)
      list[n++] = r->columns[i];
  } else {
    static const int base[] = {C_SCENARIO, C_POLICY,  C_BACKEND, C_RUNS,  C_MEDIAN, C_CI_LO,
                               C_CI_HI,    C_SPEEDUP, C_SP_LO,   C_SP_HI, C_EFF,    C_DEC_P99};
    static const int counters[] = {C_CFG_OVF, C_TEL_OVF, C_TEL_EVICT, C_FAILED};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
      if (base[i] == C_BACKEND && one_backend(r)) {
        *hid_backend = true;
        continue;
      }
      list[n++] = base[i];
    }
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
      if (any_nonzero(r, counters[i]))
        list[n++] = counters[i];
      else
        *hid_zero = true;
    }
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    bool merge = COLS[list[i]].pair_label && i + 1 < n && list[i + 1] == list[i] + 1;
    out[k].c = list[i];
    out[k].merged = merge;
    k++;
    if (merge) i++;
  }
  return k;
}

static int ms_decimals(double v) {
  double a = fabs(v);
  return a >= 1000 ? 1 : a >= 100 ? 2 : 3;
}

/* Formats one number for the table and markdown; "-" when it does not exist. */
static void fmt_styled(char *buf, size_t cap, double v, style f, int decimals) {
  if (isnan(v)) {
    snprintf(buf, cap, "-");
    return;
  }
  switch (f) {
  case F_MS: snprintf(buf, cap, "%.*f", decimals, v); break;
  case F_SPEEDUP: snprintf(buf, cap, "%.3fx", v); break;
  case F_NS: snprintf(buf, cap, "%.0f", v); break;
  default: snprintf(buf, cap, "%.3f", v); break;
  }
}

static void table_cell(const aatgs_report_row *w, const shown *s, char *buf, size_t cap) {
  cellval v = value(w, s->c);
  const column *col = &COLS[s->c];
  if (s->merged) {
    double hi = value(w, s->c + 1).d;
    if (isnan(v.d) || isnan(hi)) {
      snprintf(buf, cap, "-");
      return;
    }
    int dec = ms_decimals(hi);
    char a[48], b[48];
    fmt_styled(a, sizeof a, v.d, col->f, dec);
    fmt_styled(b, sizeof b, hi, col->f, dec);
    snprintf(buf, cap, "%s..%s", a, b);
    return;
  }
  switch (v.k) {
  case K_STR:
    snprintf(buf, cap, "%s%s", *v.s ? v.s : "-", s->c == C_POLICY && w->is_baseline ? " *" : "");
    break;
  case K_UINT: snprintf(buf, cap, "%" PRIu64, v.u); break;
  case K_BOOL: snprintf(buf, cap, "%s", v.b ? "yes" : "no"); break;
  default: fmt_styled(buf, cap, v.d, col->f, ms_decimals(v.d)); break;
  }
}

static const char *table_label(const shown *s) {
  return s->merged ? COLS[s->c].pair_label : COLS[s->c].label;
}

static bool left_aligned(int c) { return COLS[c].k == K_STR; }

/* Simulated against real makespan, for every scenario and policy recorded
 * under `sim` and under another backend (e.g. `cuda`): error = sim / real - 1. */
static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

size_t aatgs_report_fidelity(const aatgs_report *r, aatgs_fidelity_row *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < r->n_rows; i++) {
    const aatgs_report_row *sim = &r->rows[i];
    if (strcmp(sim->backend, "sim") != 0 || sim->runs == 0) continue;
    for (size_t j = 0; j < r->n_rows; j++) {
      const aatgs_report_row *real = &r->rows[j];
      if (j == i || !strcmp(real->backend, "sim") || real->runs == 0 ||
          strcmp(real->scenario, sim->scenario) || strcmp(real->policy, sim->policy))
        continue;
      if (n < cap) {
        out[n].scenario = sim->scenario;
        out[n].policy = sim->policy;
        out[n].backend = real->backend;
        out[n].sim_ms = sim->makespan_mean_ms;
        out[n].real_ms = real->makespan_mean_ms;
        out[n].error =
            real->makespan_mean_ms > 0 ? sim->makespan_mean_ms / real->makespan_mean_ms - 1.0 : NAN;
      }
      n++;
    }
  }
  return n;
}

static void write_fidelity(const aatgs_report *r, FILE *out, bool markdown) {
  size_t n = aatgs_report_fidelity(r, NULL, 0);
  if (n == 0) return;
  aatgs_fidelity_row *f = malloc(n * sizeof *f);
  double *abs_err = malloc(n * sizeof *abs_err);
  if (!f || !abs_err) {
    free(f);
    free(abs_err);
    return;
  }
  aatgs_report_fidelity(r, f, n);
  fprintf(out, markdown ? "\n**Simulated against real makespan**\n\n"
                        : "\nsimulated against real makespan (error = sim / real - 1)\n");
  if (markdown)
    fputs("| scenario | policy | real backend | sim ms | real ms | error |\n"
          "| :--- | :--- | :--- | ---: | ---: | ---: |\n",
          out);
  else
    fprintf(out, "%-20s %-14s %-6s %12s %12s %8s\n", "scenario", "policy", "real", "sim ms",
            "real ms", "error");
  for (size_t k = 0; k < n; k++) {
    abs_err[k] = fabs(f[k].error);
    if (markdown)
      fprintf(out, "| %s | %s | %s | %.3f | %.3f | %+.2f%% |\n", f[k].scenario, f[k].policy,
              f[k].backend, f[k].sim_ms, f[k].real_ms, 100.0 * f[k].error);
    else
      fprintf(out, "%-20s %-14s %-6s %12.3f %12.3f %+7.2f%%\n", f[k].scenario, f[k].policy,
              f[k].backend, f[k].sim_ms, f[k].real_ms, 100.0 * f[k].error);
  }
  qsort(abs_err, n, sizeof *abs_err, cmp_double);
  double med = n % 2 ? abs_err[n / 2] : 0.5 * (abs_err[n / 2 - 1] + abs_err[n / 2]);
  fprintf(out, "%s|error|: median %.2f%%, max %.2f%% over %zu pairs (mean makespans)\n",
          markdown ? "\n" : "", 100.0 * med, 100.0 * abs_err[n - 1], n);
  free(f);
  free(abs_err);
}

/* The notes under the table and markdown formats. */
static void write_footer(const aatgs_report *r, FILE *out, bool hid_backend, bool hid_zero,
                         bool markdown) {
  const char *star = markdown ? "\\*" : "*";
  fprintf(out,
          "%s%s baseline (%s): speedup = its median makespan / the median makespan. "
          "Completed runs only.\n",
          markdown ? "\n" : "", star, r->baseline);
  if (r->bootstrap)
    fprintf(out,
            "95%% CI: percentile bootstrap over the runs, B=%u (speedup: paired by seed and rep "
            "where the runs pair).\n",
            r->bootstrap);
  else
    fputs("No confidence intervals (bootstrap off).\n", out);
  if (hid_backend) fprintf(out, "All rows ran on backend %s.\n", r->rows[0].backend);
  if (hid_zero) {
    static const int counters[] = {C_CFG_OVF, C_TEL_OVF, C_TEL_EVICT, C_FAILED};
    static const char *const what[] = {"config overflows", "telemetry overflows",
                                       "telemetry evictions", "failed runs"};
    const char *zero[4];
    size_t nz = 0;
    for (size_t i = 0; i < 4; i++)
      if (!any_nonzero(r, counters[i])) zero[nz++] = what[i];
    fputs("No ", out);
    for (size_t i = 0; i < nz; i++)
      fprintf(out, "%s%s", zero[i], i + 2 < nz ? ", " : i + 1 < nz ? " or " : "");
    fputs(".\n", out);
  }
}

static void write_table(const aatgs_report *r, FILE *out) {
  shown s[MAX_COLUMNS];
  bool hid_backend, hid_zero;
  size_t n = table_columns(r, s, &hid_backend, &hid_zero);
  size_t width[MAX_COLUMNS];
  char buf[200];
  for (size_t c = 0; c < n; c++)
    width[c] = strlen(table_label(&s[c]));
  for (size_t i = 0; i < r->n_rows; i++)
    for (size_t c = 0; c < n; c++) {
      table_cell(&r->rows[i], &s[c], buf, sizeof buf);
      if (strlen(buf) > width[c]) width[c] = strlen(buf);
    }
  size_t total = 0;
  for (size_t c = 0; c < n; c++) {
    fprintf(out, left_aligned(s[c].c) ? "%s%-*s" : "%s%*s", c ? "  " : "", (int)width[c],
            table_label(&s[c]));
    total += width[c] + (c ? 2 : 0);
  }
  fputc('\n', out);
  for (size_t k = 0; k < total; k++)
    fputc('-', out);
  fputc('\n', out);
  for (size_t i = 0; i < r->n_rows; i++) {
    for (size_t c = 0; c < n; c++) {
      table_cell(&r->rows[i], &s[c], buf, sizeof buf);
      fprintf(out, left_aligned(s[c].c) ? "%s%-*s" : "%s%*s", c ? "  " : "", (int)width[c], buf);
    }
    fputc('\n', out);
  }
  if (r->n_rows == 0) fprintf(out, "(no runs match in '%s')\n", r->db_path);
  write_footer(r, out, hid_backend, hid_zero, false);
  write_fidelity(r, out, false);
}

static void write_markdown(const aatgs_report *r, FILE *out) {
  shown s[MAX_COLUMNS];
  bool hid_backend, hid_zero;
  size_t n = table_columns(r, s, &hid_backend, &hid_zero);
  char buf[200];
  for (size_t c = 0; c < n; c++)
    fprintf(out, "| %s ", table_label(&s[c]));
  fputs("|\n", out);
  for (size_t c = 0; c < n; c++)
    fputs(left_aligned(s[c].c) ? "| :--- " : "| ---: ", out);
  fputs("|\n", out);
  for (size_t i = 0; i < r->n_rows; i++) {
    for (size_t c = 0; c < n; c++) {
      table_cell(&r->rows[i], &s[c], buf, sizeof buf);
      fputs("| ", out);
      for (const char *p = buf; *p; p++) {
        if (*p == '|' || *p == '*') fputc('\\', out);
        fputc(*p, out);
      }
      fputc(' ', out);
    }
    fputs("|\n", out);
  }
  write_footer(r, out, hid_backend, hid_zero, true);
  write_fidelity(r, out, true);
}

/* The shortest of %.15g .. %.17g that reads back as v. */
static void fmt_exact(char *buf, size_t cap, double v) {
  for (int p = 15; p <= 17; p++) {
    snprintf(buf, cap, "%.*g", p, v);
    if (strtod(buf, NULL) == v) return;
  }
}

void aatgs__csv_str(FILE *out, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

/* The columns of CSV and JSON: the chosen ones, or all. */
static size_t data_columns(const aatgs_report *r, int *out) {
  if (r->n_columns) {
    memcpy(out, r->columns, r->n_columns * sizeof *out);
    return r->n_columns;
  }
  for (int c = 0; c < C_COUNT; c++)
    out[c] = c;
  return C_COUNT;
}

static void write_csv(const aatgs_report *r, FILE *out) {
  int cols[MAX_COLUMNS];
  size_t n = data_columns(r, cols);
  for (size_t c = 0; c < n; c++)
    fprintf(out, "%s%s", c ? "," : "", COLS[cols[c]].name);
  fputc('\n', out);
  char buf[64];
  for (size_t i = 0; i < r->n_rows; i++) {
    for (size_t c = 0; c < n; c++) {
      cellval v = value(&r->rows[i], cols[c]);
      if (c) fputc(',', out);
      switch (v.k) {
      case K_STR: aatgs__csv_str(out, v.s); break;
      case K_UINT: fprintf(out, "%" PRIu64, v.u); break;
      case K_BOOL: fputs(v.b ? "true" : "false", out); break;
      default:
        if (isfinite(v.d)) {
          fmt_exact(buf, sizeof buf, v.d);
          fputs(buf, out);
        }
      }
    }
    fputc('\n', out);
  }
}

void aatgs__json_str(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(out, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", out);
    else if (*p == '\t')
      fputs("\\t", out);
    else if (*p < 0x20)
      fprintf(out, "\\u%04x", *p);
    else
      fputc(*p, out);
  }
  fputc('"', out);
}

static void write_json(const aatgs_report *r, FILE *out) {
  int cols[MAX_COLUMNS];
  size_t n = data_columns(r, cols);
  char buf[64];
  fputs("{\"database\": ", out);
  aatgs__json_str(out, r->db_path);
  fputs(", \"baseline\": ", out);
  aatgs__json_str(out, r->baseline);
  fprintf(out, ", \"bootstrap\": %u, \"level\": %g, \"rows\": [", r->bootstrap, AATGS_REPORT_LEVEL);
  for (size_t i = 0; i < r->n_rows; i++) {
    fputs(i ? ",\n  {" : "\n  {", out);
    for (size_t c = 0; c < n; c++) {
      cellval v = value(&r->rows[i], cols[c]);
      fprintf(out, "%s\"%s\": ", c ? ", " : "", COLS[cols[c]].name);
      switch (v.k) {
      case K_STR:
        if (cols[c] == C_PAIRING && !*v.s)
          fputs("null", out);
        else
          aatgs__json_str(out, v.s);
        break;
      case K_UINT: fprintf(out, "%" PRIu64, v.u); break;
      case K_BOOL: fputs(v.b ? "true" : "false", out); break;
      default:
        if (isfinite(v.d)) {
          fmt_exact(buf, sizeof buf, v.d);
          fputs(buf, out);
        } else {
          fputs("null", out);
        }
      }
    }
    fputc('}', out);
  }
  fputs(r->n_rows ? "\n]}\n" : "]}\n", out);
}

int aatgs_report_write(const aatgs_report *r, aatgs_report_format format, FILE *out,
                       aatgs_err *err) {
  if (!r || !out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_report_write: NULL argument");
  switch (format) {
  case AATGS_REPORT_TABLE: write_table(r, out); break;
  case AATGS_REPORT_CSV: write_csv(r, out); break;
  case AATGS_REPORT_MARKDOWN: write_markdown(r, out); break;
  case AATGS_REPORT_JSON: write_json(r, out); break;
  default: return aatgs_err_set(err, AATGS_EINVAL, "unknown report format %d", (int)format);
  }
  if (fflush(out) != 0 || ferror(out))
    return aatgs_err_set(err, AATGS_EIO, "cannot write the report: %s", strerror(errno));
  return AATGS_OK;
}

int aatgs_report_run(const char *db_path, const aatgs_report_options *opt, FILE *out,
                     aatgs_err *err) {
  aatgs_report *r = NULL;
  int rc = aatgs_report_load(db_path, opt, &r, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs_report_write(r, opt ? opt->format : AATGS_REPORT_TABLE, out, err);
  aatgs_report_destroy(r);
  return rc;
}
