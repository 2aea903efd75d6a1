/* plot_data.h - internal to `aatgs plot`: the data side of each figure.
 *
 * plot.c owns the driver (figure list, temporary folder, gnuplot);
 * plot_data.c (figures over many runs) and plot_run.c (figures of one run)
 * query the database and, for one figure, write its data files and a
 * vars.gp (gnuplot variables: names, labels, counts, title) into dir;
 * plot_util.c holds their helpers. A prepare function returns AATGS_OK,
 * AATGS__PLOT_SKIP with the reason in err when the figure does not apply to
 * this database (no real runs, no run), or a negative AATGS error code.
 */
#ifndef AATGS_PLOT_DATA_H
#define AATGS_PLOT_DATA_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "plot.h"

#define AATGS__PLOT_SKIP 1

/* The run the per-run figures draw. */
typedef struct aatgs__plot_run {
  int64_t id, graph_id, seed;
  char scenario[128], policy[64], backend[32], status[16];
  int64_t n_tasks, makespan_ns;
} aatgs__plot_run;

typedef struct aatgs__plot_ctx {
  const aatgs_plot_options *opt;
  sqlite3 *db;
  const char *baseline;
  /* `aatgs report`'s statistics after the scenario/backend filters, with
   * every policy (the baseline's median draws a line even when the policy
   * filter hides it), loaded on first use. */
  struct aatgs_report *report;
  /* The per-run figures' run, resolved on first use; run_rc is its result. */
  aatgs__plot_run run;
  int run_rc;
  bool run_resolved;
  char run_err[AATGS_ERR_MSG_MAX];
  /* Default image size of the figure being prepared (set by prepare). */
  unsigned width, height;
} aatgs__plot_ctx;

typedef int (*aatgs__plot_prepare_fn)(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);

int aatgs__plot_makespan(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);
int aatgs__plot_speedup(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);
int aatgs__plot_gantt(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);
int aatgs__plot_timeline(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);
int aatgs__plot_decision_cost(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);
int aatgs__plot_rings(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);
int aatgs__plot_sim_vs_real(aatgs__plot_ctx *c, const char *dir, aatgs_err *err);

/* Frees what the prepare functions cached in c (not c->db). */
void aatgs__plot_ctx_free(aatgs__plot_ctx *c);

/* ---- plot_util.c: helpers of the prepare functions. Those that can fail
 * return an AATGS code with err set, naming the database or file. */

/* A growable list of distinct strings, in insertion order. Zero it to start. */
typedef struct aatgs__plot_strlist {
  char **v;
  size_t n, cap;
} aatgs__plot_strlist;

/* Index of s in l, SIZE_MAX when absent. */
size_t aatgs__plot_strlist_find(const aatgs__plot_strlist *l, const char *s);
/* Adds a copy of s unless present; its index, SIZE_MAX when out of memory. */
size_t aatgs__plot_strlist_add(aatgs__plot_strlist *l, const char *s);
void aatgs__plot_strlist_free(aatgs__plot_strlist *l);

/* True when filter is NULL/empty or names s in its comma-separated list. */
bool aatgs__plot_matches(const char *filter, const char *s);
char *aatgs__plot_strdup(const char *s); /* NULL when out of memory */
/* qsort comparators of char * and double. */
int aatgs__plot_cmp_str(const void *a, const void *b);
int aatgs__plot_cmp_double(const void *a, const void *b);

/* Column i as text, "" for NULL. */
const char *aatgs__plot_col_text(sqlite3_stmt *st, int i);
/* AATGS_EDB: "database 'F': cannot read WHAT: sqlite's message". */
int aatgs__plot_db_error(aatgs__plot_ctx *c, const char *what, aatgs_err *err);
/* Prepares sql on c->db; *st is NULL on failure (aatgs__plot_db_error). */
int aatgs__plot_prepare(aatgs__plot_ctx *c, const char *sql, sqlite3_stmt **st, const char *what,
                        aatgs_err *err);
/* AATGS__PLOT_SKIP with "no completed runs in 'F' [match the filters]". */
int aatgs__plot_no_runs(aatgs__plot_ctx *c, aatgs_err *err);

/* Opens dir/name for writing; NULL with AATGS_EIO in err. */
FILE *aatgs__plot_open(const char *dir, const char *name, aatgs_err *err);
/* Closes *fp and sets it to NULL; AATGS_EIO when any write failed. NULL is a no-op. */
int aatgs__plot_close(FILE **fp, const char *dir, aatgs_err *err);

/* gnuplot variables, one per line: a number (NaN for NAN), a string, a
 * two-line TITLE, arrays `array NAME[n]` (an empty list gets one ''/NaN). */
void aatgs__plot_gp_string(FILE *f, const char *s); /* 'quoted' ('' for '; controls: ?) */
void aatgs__plot_gp_num(FILE *f, const char *name, double v);
void aatgs__plot_gp_str(FILE *f, const char *name, const char *v);
void aatgs__plot_gp_title(FILE *f, const char *line1, const char *line2);
void aatgs__plot_gp_str_array(FILE *f, const char *name, char *const *v, size_t n);
void aatgs__plot_gp_num_array(FILE *f, const char *name, const double *v, size_t n);

#endif
