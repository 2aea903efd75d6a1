/* report.c - the comparison report over a trace database (report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqlite_sink.h"

#define DEFAULT_BASELINE "fifo"

/* ------------------------------------------------------------------ stats */

double aatgs_report_t95(uint32_t df) {
  static const double t[31] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                               2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                               2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                               2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return NAN;
  if (df <= 30) return t[df];
  if (df <= 40) return 2.042;
  if (df <= 60) return 2.021;
  if (df <= 120) return 2.000;
  return 1.980;
}

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

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

void aatgs_report_destroy(aatgs_report *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n_rows; i++) {
    free(r->rows[i].scenario);
    free(r->rows[i].backend);
    free(r->rows[i].policy);
  }
  free(r->rows);
  free(r->db_path);
  free(r->baseline);
  free(r);
}

/* The values of one group while it is read. */
typedef struct group_acc {
  double *ms; /* makespans of completed runs, ms */
  size_t n, cap;
  double eff_sum, dec_sum;
  uint32_t eff_n, dec_n, interrupted, failed;
} group_acc;

static int finish_group(aatgs_report *r, group_acc *g, const char *sc, const char *be,
                        const char *po) {
  aatgs_report_row *rows = realloc(r->rows, (r->n_rows + 1) * sizeof *rows);
  if (!rows) return AATGS_ENOMEM;
  r->rows = rows;
  aatgs_report_row *w = &rows[r->n_rows];
  memset(w, 0, sizeof *w);
  w->scenario = dup_str(sc);
  w->backend = dup_str(be);
  w->policy = dup_str(po);
  r->n_rows++;
  if (!w->scenario || !w->backend || !w->policy) return AATGS_ENOMEM;
  w->runs = (uint32_t)g->n;
  w->interrupted = g->interrupted;
  w->failed = g->failed;
  w->mean_ms = w->sd_ms = w->ci95_ms = w->min_ms = w->max_ms = NAN;
  w->speedup = NAN;
  w->efficiency = g->eff_n ? g->eff_sum / g->eff_n : NAN;
  w->decision_ns = g->dec_n ? g->dec_sum / g->dec_n : NAN;
  if (g->n) {
    double sum = 0, lo = g->ms[0], hi = g->ms[0];
    for (size_t i = 0; i < g->n; i++) {
      sum += g->ms[i];
      if (g->ms[i] < lo) lo = g->ms[i];
      if (g->ms[i] > hi) hi = g->ms[i];
    }
    w->mean_ms = sum / (double)g->n;
    w->min_ms = lo;
    w->max_ms = hi;
    if (g->n > 1) {
      double ss = 0;
      for (size_t i = 0; i < g->n; i++)
        ss += (g->ms[i] - w->mean_ms) * (g->ms[i] - w->mean_ms);
      w->sd_ms = sqrt(ss / (double)(g->n - 1));
      w->ci95_ms = aatgs_report_t95((uint32_t)g->n - 1) * w->sd_ms / sqrt((double)g->n);
    }
  }
  free(g->ms);
  memset(g, 0, sizeof *g);
  return AATGS_OK;
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

static const char LOAD_SQL[] =
    "SELECT COALESCE(scenario, ''), COALESCE(backend, ''), COALESCE(policy, ''), status, "
    "makespan_ns, lower_bound_ns, mean_decision_ns FROM runs "
    "ORDER BY COALESCE(scenario, ''), COALESCE(backend, ''), COALESCE(policy, ''), run_id";

/* Sets speedups (baseline of the same scenario and backend) and marks rows. */
static void set_speedups(aatgs_report *r) {
  for (size_t i = 0; i < r->n_rows; i++) {
    aatgs_report_row *w = &r->rows[i];
    w->is_baseline = strcmp(w->policy, r->baseline) == 0;
    for (size_t j = 0; j < r->n_rows; j++) {
      const aatgs_report_row *b = &r->rows[j];
      if (strcmp(b->policy, r->baseline) == 0 && strcmp(b->scenario, w->scenario) == 0 &&
          strcmp(b->backend, w->backend) == 0 && b->runs && w->runs && w->mean_ms > 0)
        w->speedup = b->mean_ms / w->mean_ms;
    }
  }
}

static void drop_policies(aatgs_report *r, const char *policy_filter) {
  size_t k = 0;
  for (size_t i = 0; i < r->n_rows; i++) {
    if (matches(policy_filter, r->rows[i].policy)) {
      r->rows[k++] = r->rows[i];
    } else {
      free(r->rows[i].scenario);
      free(r->rows[i].backend);
      free(r->rows[i].policy);
    }
  }
  r->n_rows = k;
}

int aatgs_report_load(const char *db_path, const aatgs_report_options *opt, aatgs_report **out,
                      aatgs_err *err) {
  aatgs_report_options dflt;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  aatgs_report *r = NULL;
  group_acc g;
  char key[3][256] = {{0}};
  bool have_group = false;
  int rc;
  memset(&g, 0, sizeof g);
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_report_load: out is NULL");
  *out = NULL;
  if (!db_path || !*db_path) return aatgs_err_set(err, AATGS_EINVAL, "no database path given");
  if (!opt) {
    memset(&dflt, 0, sizeof dflt);
    opt = &dflt;
  }
  rc = open_db(db_path, &db, err);
  if (rc != AATGS_OK) return rc;
  r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  r->db_path = dup_str(db_path);
  r->baseline = dup_str(opt->baseline && *opt->baseline ? opt->baseline : DEFAULT_BASELINE);
  if (!r->db_path || !r->baseline) goto nomem;
  if (sqlite3_prepare_v2(db, LOAD_SQL, -1, &st, NULL) != SQLITE_OK) {
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': cannot read runs: %s", db_path,
                       sqlite3_errmsg(db));
    goto fail;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *sc = col_text(st, 0), *be = col_text(st, 1), *po = col_text(st, 2);
    if (!matches(opt->scenario, sc) || !matches(opt->backend, be)) continue;
    if (have_group && (strcmp(sc, key[0]) || strcmp(be, key[1]) || strcmp(po, key[2]))) {
      if (finish_group(r, &g, key[0], key[1], key[2]) != AATGS_OK) goto nomem;
      have_group = false;
    }
    if (!have_group) {
      snprintf(key[0], sizeof key[0], "%s", sc);
      snprintf(key[1], sizeof key[1], "%s", be);
      snprintf(key[2], sizeof key[2], "%s", po);
      have_group = true;
    }
    const char *status = col_text(st, 3);
    if (strcmp(status, "interrupted") == 0) g.interrupted++;
    if (strcmp(status, "failed") == 0) g.failed++;
    if (strcmp(status, "completed") != 0) continue;
    if (sqlite3_column_type(st, 4) == SQLITE_NULL) continue;
    int64_t mk = sqlite3_column_int64(st, 4);
    if (g.n == g.cap) {
      size_t cap = g.cap ? 2 * g.cap : 16;
      double *ms = realloc(g.ms, cap * sizeof *ms);
      if (!ms) goto nomem;
      g.ms = ms;
      g.cap = cap;
    }
    g.ms[g.n++] = (double)mk / 1e6;
    int64_t lb = sqlite3_column_int64(st, 5);
    if (mk > 0 && lb > 0 && sqlite3_column_type(st, 5) != SQLITE_NULL) {
      g.eff_sum += (double)lb / (double)mk;
      g.eff_n++;
    }
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
      g.dec_sum += sqlite3_column_double(st, 6);
      g.dec_n++;
    }
  }
  if (rc != SQLITE_DONE) {
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': cannot read runs: %s", db_path,
                       sqlite3_errmsg(db));
    goto fail;
  }
  if (have_group && finish_group(r, &g, key[0], key[1], key[2]) != AATGS_OK) goto nomem;
  sqlite3_finalize(st);
  sqlite3_close(db);
  set_speedups(r);
  drop_policies(r, opt->policy);
  *out = r;
  return AATGS_OK;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
fail:
  free(g.ms);
  sqlite3_finalize(st);
  sqlite3_close(db);
  aatgs_report_destroy(r);
  return rc;
}

/* ---------------------------------------------------------------- writing */

enum {
  C_SCENARIO,
  C_BACKEND,
  C_POLICY,
  C_RUNS,
  C_MEAN,
  C_SD,
  C_CI,
  C_RANGE,
  C_SPEEDUP,
  C_EFF,
  C_DEC,
  C_INTR,
  C_FAIL,
  C_COUNT
};

static const char *const HEAD[C_COUNT] = {
    "scenario",    "backend", "policy",     "runs",        "makespan ms", "sd ms", "ci95 ms",
    "min..max ms", "speedup", "efficiency", "decision ns", "interrupted", "failed"};

/* Formats v with fmt, or "-" when it does not exist. */
static void num(char *buf, size_t cap, double v, int decimals, const char *suffix) {
  if (isnan(v))
    snprintf(buf, cap, "-");
  else
    snprintf(buf, cap, "%.*f%s", decimals, v, suffix);
}

/* Formats cell c of row w for the table and markdown formats. */
static void cell(const aatgs_report_row *w, int c, char *buf, size_t cap) {
  switch (c) {
  case C_SCENARIO: snprintf(buf, cap, "%s", *w->scenario ? w->scenario : "-"); break;
  case C_BACKEND: snprintf(buf, cap, "%s", *w->backend ? w->backend : "-"); break;
  case C_POLICY:
    snprintf(buf, cap, "%s%s", *w->policy ? w->policy : "-", w->is_baseline ? " *" : "");
    break;
  case C_RUNS: snprintf(buf, cap, "%u", w->runs); break;
  case C_MEAN: num(buf, cap, w->mean_ms, 3, ""); break;
  case C_SD: num(buf, cap, w->sd_ms, 3, ""); break;
  case C_CI: num(buf, cap, w->ci95_ms, 3, ""); break;
  case C_RANGE:
    if (isnan(w->min_ms))
      snprintf(buf, cap, "-");
    else
      snprintf(buf, cap, "%.3f..%.3f", w->min_ms, w->max_ms);
    break;
  case C_SPEEDUP: num(buf, cap, w->speedup, 3, "x"); break;
  case C_EFF: num(buf, cap, w->efficiency, 3, ""); break;
  case C_DEC: num(buf, cap, w->decision_ns, 0, ""); break;
  case C_INTR: snprintf(buf, cap, "%u", w->interrupted); break;
  case C_FAIL: snprintf(buf, cap, "%u", w->failed); break;
  default: buf[0] = '\0';
  }
}

static bool left_aligned(int c) { return c <= C_POLICY; }

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
        out[n].sim_ms = sim->mean_ms;
        out[n].real_ms = real->mean_ms;
        out[n].error = real->mean_ms > 0 ? sim->mean_ms / real->mean_ms - 1.0 : NAN;
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
  fprintf(out, "%s|error|: median %.2f%%, max %.2f%% over %zu pairs\n", markdown ? "\n" : "",
          100.0 * med, 100.0 * abs_err[n - 1], n);
  free(f);
  free(abs_err);
}

static void write_table(const aatgs_report *r, FILE *out) {
  size_t width[C_COUNT];
  char buf[160];
  for (int c = 0; c < C_COUNT; c++)
    width[c] = strlen(HEAD[c]);
  for (size_t i = 0; i < r->n_rows; i++)
    for (int c = 0; c < C_COUNT; c++) {
      cell(&r->rows[i], c, buf, sizeof buf);
      if (strlen(buf) > width[c]) width[c] = strlen(buf);
    }
  size_t total = 0;
  for (int c = 0; c < C_COUNT; c++) {
    if (left_aligned(c))
      fprintf(out, "%s%-*s", c ? "  " : "", (int)width[c], HEAD[c]);
    else
      fprintf(out, "%s%*s", c ? "  " : "", (int)width[c], HEAD[c]);
    total += width[c] + (c ? 2 : 0);
  }
  fputc('\n', out);
  for (size_t k = 0; k < total; k++)
    fputc('-', out);
  fputc('\n', out);
  for (size_t i = 0; i < r->n_rows; i++) {
    for (int c = 0; c < C_COUNT; c++) {
      cell(&r->rows[i], c, buf, sizeof buf);
      if (left_aligned(c))
        fprintf(out, "%s%-*s", c ? "  " : "", (int)width[c], buf);
      else
        fprintf(out, "%s%*s", c ? "  " : "", (int)width[c], buf);
    }
    fputc('\n', out);
  }
  if (r->n_rows == 0) fprintf(out, "(no runs in '%s')\n", r->db_path);
  fprintf(out,
          "* baseline. speedup = mean makespan of %s / mean makespan; efficiency = lower bound / "
          "makespan; only completed runs count.\n",
          r->baseline);
  write_fidelity(r, out, false);
}

static void write_markdown(const aatgs_report *r, FILE *out) {
  char buf[160];
  for (int c = 0; c < C_COUNT; c++)
    fprintf(out, "| %s ", HEAD[c]);
  fputs("|\n", out);
  for (int c = 0; c < C_COUNT; c++)
    fputs(left_aligned(c) ? "| :--- " : "| ---: ", out);
  fputs("|\n", out);
  for (size_t i = 0; i < r->n_rows; i++) {
    for (int c = 0; c < C_COUNT; c++) {
      cell(&r->rows[i], c, buf, sizeof buf);
      fputs("| ", out);
      for (const char *p = buf; *p; p++) {
        if (*p == '|') fputc('\\', out);
        fputc(*p, out);
      }
      fputc(' ', out);
    }
    fputs("|\n", out);
  }
  fprintf(out, "\n\\* baseline (%s). Only completed runs count.\n", r->baseline);
  write_fidelity(r, out, true);
}

static void csv_str(FILE *out, const char *s) {
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

static void csv_num(FILE *out, double v, const char *fmt) {
  fputc(',', out);
  if (!isnan(v)) fprintf(out, fmt, v);
}

static void write_csv(const aatgs_report *r, FILE *out) {
  fputs("scenario,backend,policy,runs,mean_makespan_ms,sd_makespan_ms,ci95_makespan_ms,"
        "min_makespan_ms,max_makespan_ms,speedup,efficiency,mean_decision_ns,interrupted,failed\n",
        out);
  for (size_t i = 0; i < r->n_rows; i++) {
    const aatgs_report_row *w = &r->rows[i];
    csv_str(out, w->scenario);
    fputc(',', out);
    csv_str(out, w->backend);
    fputc(',', out);
    csv_str(out, w->policy);
    fprintf(out, ",%u", w->runs);
    csv_num(out, w->mean_ms, "%.6f");
    csv_num(out, w->sd_ms, "%.6f");
    csv_num(out, w->ci95_ms, "%.6f");
    csv_num(out, w->min_ms, "%.6f");
    csv_num(out, w->max_ms, "%.6f");
    csv_num(out, w->speedup, "%.6f");
    csv_num(out, w->efficiency, "%.6f");
    csv_num(out, w->decision_ns, "%.1f");
    fprintf(out, ",%u,%u\n", w->interrupted, w->failed);
  }
}

static void json_str(FILE *out, const char *s) {
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

static void json_num(FILE *out, const char *key, double v) {
  fprintf(out, ", \"%s\": ", key);
  if (isnan(v) || isinf(v))
    fputs("null", out);
  else
    fprintf(out, "%.10g", v);
}

static void write_json(const aatgs_report *r, FILE *out) {
  fputs("{\"database\": ", out);
  json_str(out, r->db_path);
  fputs(", \"baseline\": ", out);
  json_str(out, r->baseline);
  fputs(", \"rows\": [", out);
  for (size_t i = 0; i < r->n_rows; i++) {
    const aatgs_report_row *w = &r->rows[i];
    fputs(i ? ",\n  {" : "\n  {", out);
    fputs("\"scenario\": ", out);
    json_str(out, w->scenario);
    fputs(", \"backend\": ", out);
    json_str(out, w->backend);
    fputs(", \"policy\": ", out);
    json_str(out, w->policy);
    fprintf(out, ", \"baseline\": %s, \"runs\": %u", w->is_baseline ? "true" : "false", w->runs);
    json_num(out, "mean_makespan_ms", w->mean_ms);
    json_num(out, "sd_makespan_ms", w->sd_ms);
    json_num(out, "ci95_makespan_ms", w->ci95_ms);
    json_num(out, "min_makespan_ms", w->min_ms);
    json_num(out, "max_makespan_ms", w->max_ms);
    json_num(out, "speedup", w->speedup);
    json_num(out, "efficiency", w->efficiency);
    json_num(out, "mean_decision_ns", w->decision_ns);
    fprintf(out, ", \"interrupted\": %u, \"failed\": %u}", w->interrupted, w->failed);
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
