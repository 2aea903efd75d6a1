/* plot_data.c - the data of the figures of `aatgs plot` over many runs
 * (plot_data.h): makespan, speedup, decision cost, sim against real.
 *
 * Each prepare function queries the read-only database, writes whitespace-
 * separated data files and vars.gp into its figure's folder and sets the
 * figure's default size. Names reach gnuplot only through vars.gp, as quoted
 * strings, never through file names. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_data.h"
#include "report.h"
#include "stats.h"

#define CDF_POINTS 1000 /* points of each decision-cost CDF */

void aatgs__plot_ctx_free(aatgs__plot_ctx *c) {
  aatgs_report_destroy(c->report);
  c->report = NULL;
}

/* ------------------------------------------------- the report's groups */

static int load_report(aatgs__plot_ctx *c, aatgs_err *err) {
  if (c->report) return AATGS_OK;
  aatgs_report_options ro;
  memset(&ro, 0, sizeof ro);
  ro.scenario = c->opt->scenario;
  ro.backend = c->opt->backend;
  ro.baseline = c->baseline;
  return aatgs_report_load(c->opt->db_path, &ro, &c->report, err);
}

/* The row of a scenario x backend x policy with completed runs, or NULL. */
static const aatgs_report_row *find_row(const aatgs__plot_ctx *c, const char *sc, const char *be,
                                        const char *po) {
  for (size_t i = 0; i < c->report->n_rows; i++) {
    const aatgs_report_row *w = &c->report->rows[i];
    if (w->runs && !strcmp(w->scenario, sc) && !strcmp(w->backend, be) && !strcmp(w->policy, po))
      return w;
  }
  return NULL;
}

/* Scenarios, backends and shown policies (sorted) of the rows with runs. */
static int group_lists(aatgs__plot_ctx *c, aatgs__plot_strlist *sc, aatgs__plot_strlist *be,
                       aatgs__plot_strlist *po, aatgs_err *err) {
  for (size_t i = 0; i < c->report->n_rows; i++) {
    const aatgs_report_row *w = &c->report->rows[i];
    if (!w->runs || !aatgs__plot_matches(c->opt->policy, w->policy)) continue;
    if (aatgs__plot_strlist_add(sc, w->scenario) == SIZE_MAX ||
        aatgs__plot_strlist_add(be, w->backend) == SIZE_MAX ||
        aatgs__plot_strlist_add(po, w->policy) == SIZE_MAX)
      return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  }
  qsort(sc->v, sc->n, sizeof *sc->v, aatgs__plot_cmp_str);
  qsort(be->v, be->n, sizeof *be->v, aatgs__plot_cmp_str);
  qsort(po->v, po->n, sizeof *po->v, aatgs__plot_cmp_str);
  return AATGS_OK;
}

/* ------------------------------------------------------------ makespan */

int aatgs__plot_makespan(aatgs__plot_ctx *c, const char *dir, aatgs_err *err) {
  aatgs__plot_strlist sc = {0}, be = {0}, po = {0};
  FILE *f = NULL;
  double *bl = NULL, *ylo = NULL, *yhi = NULL;
  int rc = load_report(c, err);
  if (rc == AATGS_OK) rc = group_lists(c, &sc, &be, &po, err);
  if (rc != AATGS_OK) goto done;
  if (!sc.n) {
    rc = aatgs__plot_no_runs(c, err);
    goto done;
  }
  if (!(bl = malloc(sc.n * be.n * sizeof *bl)) || !(ylo = malloc(sc.n * sizeof *ylo)) ||
      !(yhi = malloc(sc.n * sizeof *yhi))) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
    goto done;
  }
  size_t nmin = SIZE_MAX, nmax = 0;
  for (size_t s = 0; s < sc.n; s++) {
    ylo[s] = INFINITY;
    yhi[s] = -INFINITY;
    for (size_t b = 0; b < be.n; b++) {
      char name[64];
      snprintf(name, sizeof name, "m_%zu_%zu.dat", s + 1, b + 1);
      if (!(f = aatgs__plot_open(dir, name, err))) {
        rc = err->code;
        goto done;
      }
      fprintf(f, "# policy_index median_ms ci_lo_ms ci_hi_ms runs\n");
      for (size_t p = 0; p < po.n; p++) {
        const aatgs_report_row *g = find_row(c, sc.v[s], be.v[b], po.v[p]);
        if (!g) continue;
        double med = g->makespan_median_ms;
        double lo = isnan(g->makespan_ci_lo_ms) ? med : g->makespan_ci_lo_ms;
        double hi = isnan(g->makespan_ci_hi_ms) ? med : g->makespan_ci_hi_ms;
        fprintf(f, "%zu %.6f %.6f %.6f %u\n", p, med, lo, hi, g->runs);
        if (lo < ylo[s]) ylo[s] = lo;
        if (hi > yhi[s]) yhi[s] = hi;
        if (g->runs < nmin) nmin = g->runs;
        if (g->runs > nmax) nmax = g->runs;
      }
      if ((rc = aatgs__plot_close(&f, dir, err)) != AATGS_OK) goto done;
      f = NULL;
      const aatgs_report_row *base = find_row(c, sc.v[s], be.v[b], c->baseline);
      bl[s * be.n + b] = base ? base->makespan_median_ms : NAN;
    }
  }
  size_t cols = sc.n <= 3 ? sc.n : sc.n == 4 ? 2 : sc.n <= 9 ? 3 : 4;
  size_t rows = (sc.n + cols - 1) / cols;
  char title[128], sub[160];
  if (nmin == nmax)
    snprintf(title, sizeof title, "Makespan per policy: median of %zu completed run%s each", nmin,
             nmin == 1 ? "" : "s");
  else
    snprintf(title, sizeof title, "Makespan per policy: median of %zu..%zu completed runs each",
             nmin, nmax);
  snprintf(sub, sizeof sub, "bars: 95%% bootstrap CI of the median; dashed: median of %s",
           c->baseline);
  if (!(f = aatgs__plot_open(dir, "vars.gp", err))) {
    rc = err->code;
    goto done;
  }
  fprintf(f, "NS = %zu\nNP = %zu\nNB = %zu\nROWS = %zu\nCOLS = %zu\n", sc.n, po.n, be.n, rows,
          cols);
  aatgs__plot_gp_str_array(f, "SC", sc.v, sc.n);
  aatgs__plot_gp_str_array(f, "PO", po.v, po.n);
  aatgs__plot_gp_str_array(f, "BK", be.v, be.n);
  aatgs__plot_gp_num_array(f, "BL", bl, sc.n * be.n);
  aatgs__plot_gp_num_array(f, "YLO", ylo, sc.n); /* the panels' data ranges, for the tic step */
  aatgs__plot_gp_num_array(f, "YHI", yhi, sc.n);
  aatgs__plot_gp_title(f, title, sub);
  aatgs__plot_gp_str(f, "BASELINE", c->baseline);
  rc = aatgs__plot_close(&f, dir, err);
  f = NULL;
  c->width = cols <= 2 ? 420 * (unsigned)cols + 160 : 1200;
  c->height = 90 + 300 * (unsigned)rows;
done:
  if (f) fclose(f);
  free(bl);
  free(ylo);
  free(yhi);
  aatgs__plot_strlist_free(&sc);
  aatgs__plot_strlist_free(&be);
  aatgs__plot_strlist_free(&po);
  return rc;
}

/* ------------------------------------------------------------- speedup */

int aatgs__plot_speedup(aatgs__plot_ctx *c, const char *dir, aatgs_err *err) {
  aatgs__plot_strlist sc = {0}, be = {0}, po = {0}, rows = {0};
  FILE *cells = NULL, *labels = NULL, *f = NULL;
  int rc = load_report(c, err);
  if (rc == AATGS_OK) rc = group_lists(c, &sc, &be, &po, err);
  if (rc != AATGS_OK) goto done;
  if (!sc.n) {
    rc = aatgs__plot_no_runs(c, err);
    goto done;
  }
  if (!(cells = aatgs__plot_open(dir, "cells.dat", err)) ||
      !(labels = aatgs__plot_open(dir, "labels.dat", err))) {
    rc = err->code;
    goto done;
  }
  double dev = 0;
  size_t have = 0;
  for (size_t s = 0; s < sc.n; s++)
    for (size_t b = 0; b < be.n; b++) {
      bool any = false;
      for (size_t p = 0; p < po.n && !any; p++)
        any = find_row(c, sc.v[s], be.v[b], po.v[p]) != NULL;
      if (!any) continue;
      char label[300];
      if (be.n > 1)
        snprintf(label, sizeof label, "%s (%s)", sc.v[s], be.v[b]);
      else
        snprintf(label, sizeof label, "%s", sc.v[s]);
      size_t y = aatgs__plot_strlist_add(&rows, label);
      if (y == SIZE_MAX) {
        rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
        goto done;
      }
      for (size_t p = 0; p < po.n; p++) {
        const aatgs_report_row *g = find_row(c, sc.v[s], be.v[b], po.v[p]);
        if (!g) continue;
        double v = g->speedup;
        char ci[64] = "";
        if (isnan(v)) {
          fprintf(labels, "%zu %zu \"no %s runs\" \"\"\n", p, y, c->baseline);
          continue;
        }
        if (g->is_baseline)
          snprintf(ci, sizeof ci, "baseline");
        else if (!isnan(g->speedup_ci_lo) && !isnan(g->speedup_ci_hi))
          snprintf(ci, sizeof ci, "%.3f..%.3f", g->speedup_ci_lo, g->speedup_ci_hi);
        fprintf(cells, "%zu %zu %.6f\n", p, y, v);
        fprintf(labels, "%zu %zu \"%.3f\" \"%s\"\n", p, y, v, ci);
        if (fabs(v - 1) > dev) dev = fabs(v - 1);
        have++;
      }
    }
  if ((rc = aatgs__plot_close(&cells, dir, err)) != AATGS_OK) goto done;
  cells = NULL;
  if ((rc = aatgs__plot_close(&labels, dir, err)) != AATGS_OK) goto done;
  labels = NULL;
  if (!have) {
    aatgs_err_set(err, AATGS__PLOT_SKIP,
                  "no completed run of the baseline policy '%s' shares a scenario with the other "
                  "policies (choose another with --baseline)",
                  c->baseline);
    rc = AATGS__PLOT_SKIP;
    goto done;
  }
  /* A symmetric color range around 1, so white means "as fast as the baseline". */
  dev = dev < 0.01 ? 0.01 : dev * 1.05;
  char title[128], sub[160];
  snprintf(title, sizeof title, "Speedup over %s (> 1 is faster)", c->baseline);
  snprintf(sub, sizeof sub,
           "median makespan of %s / median makespan of the policy; below it, its 95%% bootstrap CI",
           c->baseline);
  if (!(f = aatgs__plot_open(dir, "vars.gp", err))) {
    rc = err->code;
    goto done;
  }
  fprintf(f, "NR = %zu\nNP = %zu\n", rows.n, po.n);
  aatgs__plot_gp_str_array(f, "RW", rows.v, rows.n);
  size_t longest = 0;
  for (size_t i = 0; i < rows.n; i++)
    if (strlen(rows.v[i]) > longest) longest = strlen(rows.v[i]);
  fprintf(f, "LMARGIN = %zu\n", longest + 3); /* characters: the row labels fit */
  aatgs__plot_gp_str_array(f, "PO", po.v, po.n);
  aatgs__plot_gp_num(f, "CBMIN", 1 - dev);
  aatgs__plot_gp_num(f, "CBMAX", 1 + dev);
  aatgs__plot_gp_title(f, title, sub);
  aatgs__plot_gp_str(f, "BASELINE", c->baseline);
  rc = aatgs__plot_close(&f, dir, err);
  f = NULL;
  unsigned w = 330 + 115 * (unsigned)po.n, h = 170 + 46 * (unsigned)rows.n;
  c->width = w < 760 ? 760 : w;
  c->height = h < 380 ? 380 : h;
done:
  if (cells) fclose(cells);
  if (labels) fclose(labels);
  if (f) fclose(f);
  aatgs__plot_strlist_free(&sc);
  aatgs__plot_strlist_free(&be);
  aatgs__plot_strlist_free(&po);
  aatgs__plot_strlist_free(&rows);
  return rc;
}

/* ------------------------------------------------------- decision cost */

typedef struct run_policy {
  int64_t run;
  size_t policy;
} run_policy;

static int cmp_run_policy(const void *a, const void *b) {
  const run_policy *x = a, *y = b;
  return (x->run > y->run) - (x->run < y->run);
}

int aatgs__plot_decision_cost(aatgs__plot_ctx *c, const char *dir, aatgs_err *err) {
  const aatgs_plot_options *o = c->opt;
  aatgs__plot_strlist po = {0};
  run_policy *runs = NULL;
  size_t nruns = 0, cap = 0;
  double **cost = NULL;
  size_t *cn = NULL, *ccap = NULL;
  char **labels = NULL;
  FILE *f = NULL;
  sqlite3_stmt *st = NULL;
  int rc = aatgs__plot_prepare(
      c,
      "SELECT run_id, COALESCE(scenario, ''), COALESCE(policy, ''), "
      "COALESCE(backend, '') FROM runs WHERE status = 'completed' ORDER BY run_id",
      &st, "runs", err);
  if (rc != AATGS_OK) goto done;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *sc = aatgs__plot_col_text(st, 1), *p = aatgs__plot_col_text(st, 2),
               *be = aatgs__plot_col_text(st, 3);
    if (!aatgs__plot_matches(o->scenario, sc) || !aatgs__plot_matches(o->policy, p) ||
        !aatgs__plot_matches(o->backend, be))
      continue;
    if (nruns == cap) {
      cap = cap ? cap * 2 : 64;
      run_policy *v = realloc(runs, cap * sizeof *v);
      if (!v) goto nomem;
      runs = v;
    }
    size_t k = aatgs__plot_strlist_add(&po, p);
    if (k == SIZE_MAX) goto nomem;
    runs[nruns++] = (run_policy){sqlite3_column_int64(st, 0), k};
  }
  if (rc != SQLITE_DONE) {
    rc = aatgs__plot_db_error(c, "runs", err);
    goto done;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (!nruns) {
    rc = aatgs__plot_no_runs(c, err);
    goto done;
  }
  qsort(runs, nruns, sizeof *runs, cmp_run_policy);
  cost = calloc(po.n, sizeof *cost);
  cn = calloc(po.n, sizeof *cn);
  ccap = calloc(po.n, sizeof *ccap);
  labels = calloc(po.n, sizeof *labels);
  if (!cost || !cn || !ccap || !labels) goto nomem;
  /* Every decision of the kept runs (a full scan: the table has no index). */
  if ((rc =
           aatgs__plot_prepare(c, "SELECT run_id, cost_ns FROM decisions WHERE cost_ns IS NOT NULL",
                               &st, "decisions", err)) != AATGS_OK)
    goto done;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    run_policy key = {sqlite3_column_int64(st, 0), 0};
    const run_policy *rp = bsearch(&key, runs, nruns, sizeof *runs, cmp_run_policy);
    if (!rp) continue;
    size_t p = rp->policy;
    if (cn[p] == ccap[p]) {
      size_t nc = ccap[p] ? ccap[p] * 2 : 1024;
      double *v = realloc(cost[p], nc * sizeof *v);
      if (!v) goto nomem;
      cost[p] = v;
      ccap[p] = nc;
    }
    double v = (double)sqlite3_column_int64(st, 1);
    cost[p][cn[p]++] = v < 1 ? 1 : v; /* the log axis starts at 1 ns */
  }
  if (rc != SQLITE_DONE) {
    rc = aatgs__plot_db_error(c, "decisions", err);
    goto done;
  }
  sqlite3_finalize(st);
  st = NULL;
  /* Policies in name order; files by that order. */
  size_t *order = malloc(po.n * sizeof *order), kept = 0;
  if (!order) goto nomem;
  for (size_t i = 0; i < po.n; i++)
    order[i] = i;
  for (size_t i = 1; i < po.n; i++)
    for (size_t j = i; j > 0 && strcmp(po.v[order[j - 1]], po.v[order[j]]) > 0; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  double xmin = INFINITY, xmax = 0;
  for (size_t i = 0; i < po.n; i++) {
    size_t p = order[i], m = cn[p];
    if (!m) continue;
    qsort(cost[p], m, sizeof *cost[p], aatgs__plot_cmp_double);
    char name[48];
    snprintf(name, sizeof name, "dc_%zu.dat", kept + 1);
    if (!(f = aatgs__plot_open(dir, name, err))) {
      free(order);
      rc = err->code;
      goto done;
    }
    fprintf(f, "# cost_ns fraction_of_decisions_at_most\n");
    size_t pts = m < CDF_POINTS ? m : CDF_POINTS;
    for (size_t k = 0; k < pts; k++) {
      size_t idx = pts == 1 ? m - 1 : (size_t)((double)k * (double)(m - 1) / (double)(pts - 1));
      /* Last index with this value, so the step reaches its full height. */
      while (idx + 1 < m && cost[p][idx + 1] == cost[p][idx])
        idx++;
      fprintf(f, "%.1f %.6f\n", cost[p][idx], (double)(idx + 1) / (double)m);
    }
    rc = aatgs__plot_close(&f, dir, err);
    f = NULL;
    if (rc != AATGS_OK) {
      free(order);
      goto done;
    }
    char lab[200];
    /* As `aatgs report` (stats.h): the type 7 median and the nearest-rank p99. */
    double med = aatgs_stats_median(cost[p], m), p99 = cost[p][(99 * m + 99) / 100 - 1];
    snprintf(lab, sizeof lab, "%s: median %.0f ns, p99 %.0f ns, max %.0f ns (%zu decisions)",
             po.v[p], med, p99, cost[p][m - 1], m);
    if (!(labels[kept++] = aatgs__plot_strdup(lab))) {
      free(order);
      goto nomem;
    }
    if (cost[p][0] < xmin) xmin = cost[p][0];
    if (cost[p][m - 1] > xmax) xmax = cost[p][m - 1];
  }
  free(order);
  if (!kept) {
    rc = aatgs_err_set(err, AATGS__PLOT_SKIP, "the kept runs recorded no decisions");
    goto done;
  }
  if (!(f = aatgs__plot_open(dir, "vars.gp", err))) {
    rc = err->code;
    goto done;
  }
  fprintf(f, "NP = %zu\n", kept);
  aatgs__plot_gp_str_array(f, "PL", labels, kept);
  aatgs__plot_gp_num(f, "XMIN", xmin);
  aatgs__plot_gp_num(f, "XMAX", xmax);
  aatgs__plot_gp_title(f, "Decision cost per policy: CDF of the wall time of one pick",
                       "every decision of the completed runs kept by the filters");
  rc = aatgs__plot_close(&f, dir, err);
  f = NULL;
  c->width = 1000;
  c->height = 620;
  goto done;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
done:
  sqlite3_finalize(st);
  if (f) fclose(f);
  for (size_t i = 0; i < po.n; i++) {
    if (cost) free(cost[i]);
    if (labels) free(labels[i]);
  }
  free(cost);
  free(cn);
  free(ccap);
  free(labels);
  free(runs);
  aatgs__plot_strlist_free(&po);
  return rc;
}

/* --------------------------------------------------------- sim vs real */

int aatgs__plot_sim_vs_real(aatgs__plot_ctx *c, const char *dir, aatgs_err *err) {
  const aatgs_plot_options *o = c->opt;
  aatgs_report_options ro;
  aatgs_report *r = NULL;
  aatgs_fidelity_row *fr = NULL;
  aatgs__plot_strlist sc = {0}, po = {0}, be = {0};
  double *abs_err = NULL;
  FILE *f = NULL;
  memset(&ro, 0, sizeof ro);
  ro.scenario = o->scenario;
  ro.policy = o->policy;
  ro.backend = o->backend;
  ro.baseline = c->baseline;
  int rc = aatgs_report_load(o->db_path, &ro, &r, err);
  if (rc != AATGS_OK) return rc;
  size_t n = aatgs_report_fidelity(r, NULL, 0);
  if (!n) {
    char names[160] = "";
    for (size_t i = 0; i < r->n_rows; i++)
      if (r->rows[i].runs && aatgs__plot_strlist_add(&be, r->rows[i].backend) == SIZE_MAX)
        goto nomem;
    for (size_t i = 0; i < be.n; i++) {
      size_t l = strlen(names);
      snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", be.v[i]);
    }
    bool filtered =
        (o->scenario && *o->scenario) || (o->policy && *o->policy) || (o->backend && *o->backend);
    aatgs_err_set(err, AATGS__PLOT_SKIP,
                  "needs completed runs of the same scenario and policy under both 'sim' and a "
                  "real backend (cuda), and the runs%s in '%s' give no such pair (backends: %s); "
                  "record them on a GPU machine with `aatgs run --backend cuda --db F` and "
                  "`aatgs run --backend sim --db F`",
                  filtered ? " kept by the filters" : "", o->db_path, be.n ? names : "none");
    rc = AATGS__PLOT_SKIP;
    goto done;
  }
  if (!(fr = malloc(n * sizeof *fr)) || !(abs_err = malloc(n * sizeof *abs_err))) goto nomem;
  aatgs_report_fidelity(r, fr, n);
  for (size_t i = 0; i < n; i++)
    if (aatgs__plot_strlist_add(&sc, fr[i].scenario) == SIZE_MAX ||
        aatgs__plot_strlist_add(&po, fr[i].policy) == SIZE_MAX ||
        aatgs__plot_strlist_add(&be, fr[i].backend) == SIZE_MAX)
      goto nomem;
  qsort(sc.v, sc.n, sizeof *sc.v, aatgs__plot_cmp_str);
  qsort(po.v, po.n, sizeof *po.v, aatgs__plot_cmp_str);
  if (!(f = aatgs__plot_open(dir, "points.dat", err))) {
    rc = err->code;
    goto done;
  }
  fprintf(f, "# real_ms sim_ms scenario_index policy_index\n");
  double lo = INFINITY, hi = 0;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!(fr[i].sim_ms > 0) || !(fr[i].real_ms > 0)) continue;
    fprintf(f, "%.6f %.6f %zu %zu\n", fr[i].real_ms, fr[i].sim_ms,
            aatgs__plot_strlist_find(&sc, fr[i].scenario) + 1,
            aatgs__plot_strlist_find(&po, fr[i].policy) + 1);
    double a = fr[i].real_ms < fr[i].sim_ms ? fr[i].real_ms : fr[i].sim_ms;
    double b = fr[i].real_ms > fr[i].sim_ms ? fr[i].real_ms : fr[i].sim_ms;
    if (a < lo) lo = a;
    if (b > hi) hi = b;
    abs_err[m++] = fabs(fr[i].error);
  }
  if ((rc = aatgs__plot_close(&f, dir, err)) != AATGS_OK) {
    f = NULL;
    goto done;
  }
  f = NULL;
  if (!m) {
    rc = aatgs_err_set(err, AATGS__PLOT_SKIP, "no pair of sim and real makespans above 0");
    goto done;
  }
  qsort(abs_err, m, sizeof *abs_err, aatgs__plot_cmp_double);
  double med = m % 2 ? abs_err[m / 2] : 0.5 * (abs_err[m / 2 - 1] + abs_err[m / 2]);
  char title[256], sub[160], reals[160] = "";
  for (size_t i = 0; i < be.n; i++) {
    if (!strcmp(be.v[i], "sim")) continue;
    size_t l = strlen(reals);
    snprintf(reals + l, sizeof reals - l, "%s%s", l ? ", " : "", be.v[i]);
  }
  snprintf(title, sizeof title, "Simulated against real makespan (%s), mean over runs", reals);
  snprintf(sub, sizeof sub,
           "%zu scenario x policy pairs: |sim / real - 1| median %.2f%%, max %.2f%%", m, 100 * med,
           100 * abs_err[m - 1]);
  if (!(f = aatgs__plot_open(dir, "vars.gp", err))) {
    rc = err->code;
    goto done;
  }
  fprintf(f, "NS = %zu\nNP = %zu\n", sc.n, po.n);
  aatgs__plot_gp_str_array(f, "SC", sc.v, sc.n);
  aatgs__plot_gp_str_array(f, "PO", po.v, po.n);
  aatgs__plot_gp_num(f, "LO", lo / 1.3);
  aatgs__plot_gp_num(f, "HI", hi * 1.3);
  /* The error panel's half range in %: the largest error plus a margin, at least 1%. */
  double emax = 100 * abs_err[m - 1] * 1.2;
  aatgs__plot_gp_num(f, "EMAX", emax < 1 ? 1 : emax);
  aatgs__plot_gp_str(f, "REAL", reals);
  aatgs__plot_gp_title(f, title, sub);
  rc = aatgs__plot_close(&f, dir, err);
  f = NULL;
  c->width = 1000;
  c->height = 800;
  goto done;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
done:
  if (f) fclose(f);
  free(fr);
  free(abs_err);
  aatgs__plot_strlist_free(&sc);
  aatgs__plot_strlist_free(&po);
  aatgs__plot_strlist_free(&be);
  aatgs_report_destroy(r);
  return rc;
}
