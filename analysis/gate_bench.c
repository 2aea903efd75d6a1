/* gate_bench.c - the gate over benchmark JSON lines (gate_bench.h). */
#include "gate_bench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_json.h"
#include "report.h" /* aatgs__json_str */
#include "stats.h"

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static int cmp_key(const aatgs_bench_row *a, const aatgs_bench_row *b) {
  int c = strcmp(a->bench, b->bench);
  if (!c) c = strcmp(a->case_name, b->case_name);
  if (!c) c = strcmp(a->candidate, b->candidate);
  if (!c) c = strcmp(a->metric, b->metric);
  return c;
}

static int cmp_row_ptr(const void *x, const void *y) {
  const aatgs_bench_row *a = *(const aatgs_bench_row *const *)x;
  const aatgs_bench_row *b = *(const aatgs_bench_row *const *)y;
  int c = cmp_key(a, b);
  if (!c) c = (a->line > b->line) - (a->line < b->line);
  return c;
}

/* The rows of f sorted by key, the last line of each key only; *dups[i] is
 * how many lines of that key were dropped. */
static int latest_rows(const aatgs_bench_file *f, const aatgs_bench_row ***rows, size_t **dups,
                       size_t *n) {
  const aatgs_bench_row **v = malloc((f->n_rows ? f->n_rows : 1) * sizeof *v);
  size_t *d = calloc(f->n_rows ? f->n_rows : 1, sizeof *d);
  size_t k = 0;
  if (!v || !d) {
    free(v);
    free(d);
    return AATGS_ENOMEM;
  }
  for (size_t i = 0; i < f->n_rows; i++)
    v[i] = &f->rows[i];
  if (f->n_rows) qsort(v, f->n_rows, sizeof *v, cmp_row_ptr);
  for (size_t i = 0; i < f->n_rows; i++) {
    if (k && cmp_key(v[k - 1], v[i]) == 0) {
      v[k - 1] = v[i];
      d[k - 1]++;
    } else {
      v[k++] = v[i];
    }
  }
  *rows = v;
  *dups = d;
  *n = k;
  return AATGS_OK;
}

static uint64_t fnv1a(uint64_t h, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    h ^= *p;
    h *= 1099511628211ull;
  }
  h ^= 0xff; /* separator, so ("ab","c") and ("a","bc") differ */
  return h * 1099511628211ull;
}

static void add_note(aatgs_gate_bench_group *g, const char *fmt, const char *a, const char *b) {
  size_t len = strlen(g->note);
  if (len + 3 >= sizeof g->note) return;
  if (len) {
    memcpy(g->note + len, "; ", 3);
    len += 2;
  }
  snprintf(g->note + len, sizeof g->note - len, fmt, a ? a : "", b ? b : "");
}

/* num / den with 0 / 0 = 1 and x / 0 = infinity. */
static double ratio_of(double num, double den) {
  if (den == 0) return num == 0 ? 1.0 : INFINITY;
  return num / den;
}

static double median_of(const aatgs_bench_row *r, double *scratch) {
  if (!r->n_values) return NAN;
  memcpy(scratch, r->values, r->n_values * sizeof *scratch);
  return aatgs_stats_median(scratch, r->n_values);
}

/* Fills g from the baseline row b and the candidate row c (either NULL). */
static int compare_group(aatgs_gate_bench_group *g, const aatgs_bench_row *b,
                         const aatgs_bench_row *c, const aatgs_gate_options *o) {
  const aatgs_bench_row *key = c ? c : b;
  size_t cap = (b ? b->n_values : 0) + (c ? c->n_values : 0) + 1;
  double *scratch = malloc(cap * sizeof *scratch);
  if (!scratch) return AATGS_ENOMEM;
  g->bench = dup_str(key->bench);
  g->case_name = dup_str(key->case_name);
  g->candidate = dup_str(key->candidate);
  g->metric = dup_str(key->metric);
  g->unit = dup_str(key->unit);
  if (!g->bench || !g->case_name || !g->candidate || !g->metric || !g->unit) {
    free(scratch);
    return AATGS_ENOMEM;
  }
  g->higher_is_better = key->higher_is_better;
  g->mode = AATGS_GATE_NONE;
  g->ratio = g->low = g->high = NAN;
  g->base_line = b ? b->line : 0;
  g->cand_line = c ? c->line : 0;
  g->base_n = b ? (uint32_t)b->n_values : 0;
  g->cand_n = c ? (uint32_t)c->n_values : 0;
  g->base_median = b ? median_of(b, scratch) : NAN;
  g->cand_median = c ? median_of(c, scratch) : NAN;
  free(scratch);
  if (!b) {
    g->verdict = AATGS_GATE_NEW;
    add_note(g, "not in the baseline", NULL, NULL);
    return AATGS_OK;
  }
  if (!c) {
    g->verdict = AATGS_GATE_MISSING;
    add_note(g, "not in the candidate", NULL, NULL);
    return AATGS_OK;
  }
  if (b->higher_is_better != c->higher_is_better)
    add_note(g, "\"better\" differs from the baseline; the candidate's counts", NULL, NULL);
  if (strcmp(b->unit, c->unit) != 0) add_note(g, "unit changed: %s -> %s", b->unit, c->unit);
  if (g->cand_n == 0) {
    g->verdict = AATGS_GATE_FAILED;
    add_note(g, "no finite value in the candidate", NULL, NULL);
    return AATGS_OK;
  }
  if (g->base_n == 0) {
    g->verdict = AATGS_GATE_NEW;
    add_note(g, "no finite value in the baseline", NULL, NULL);
    return AATGS_OK;
  }
  /* Oriented so that a ratio above 1 is worse. */
  bool higher = g->higher_is_better;
  const aatgs_bench_row *num = higher ? b : c, *den = higher ? c : b;
  double nm = higher ? g->base_median : g->cand_median;
  double dm = higher ? g->cand_median : g->base_median;
  double up = 1.0 + o->threshold, down = 1.0 - o->threshold;
  g->ratio = ratio_of(nm, dm);
  if (g->base_n == 1 && g->cand_n == 1) {
    g->mode = AATGS_GATE_DETERMINISTIC;
    g->low = g->high = g->ratio;
    double x = g->base_median, y = g->cand_median;
    if (g->ratio > up)
      g->verdict = AATGS_GATE_REGRESSION;
    else if (g->ratio < down)
      g->verdict = AATGS_GATE_IMPROVEMENT;
    else if (fabs(y - x) > o->tolerance * fmax(fabs(x), fabs(y)))
      g->verdict = AATGS_GATE_CHANGED;
    else
      g->verdict = AATGS_GATE_PASS;
    return AATGS_OK;
  }
  g->mode = AATGS_GATE_STATISTICAL;
  if (g->base_n < 2 || g->cand_n < 2) {
    g->verdict = g->ratio >= down && g->ratio <= up ? AATGS_GATE_PASS : AATGS_GATE_AMBIGUOUS;
    add_note(g, "one value on a side: no interval", NULL, NULL);
    return AATGS_OK;
  }
  aatgs_interval ci;
  uint64_t k = fnv1a(
      fnv1a(fnv1a(fnv1a(1469598103934665603ull, g->bench), g->case_name), g->candidate), g->metric);
  int rc = aatgs_stats_bootstrap_ratio(num->values, num->n_values, den->values, den->n_values,
                                       false, o->bootstrap, o->seed ^ k, 0.95, &ci, NULL);
  if (rc != AATGS_OK) return rc;
  if (isnan(ci.lo) || isnan(ci.hi)) {
    g->verdict = g->ratio >= down && g->ratio <= up ? AATGS_GATE_PASS : AATGS_GATE_AMBIGUOUS;
    add_note(g, "no interval (a resampled median is 0)", NULL, NULL);
    return AATGS_OK;
  }
  g->low = ci.lo;
  g->high = ci.hi;
  if (g->low > up)
    g->verdict = AATGS_GATE_REGRESSION;
  else if (g->high < down)
    g->verdict = AATGS_GATE_IMPROVEMENT;
  else if (g->high > up)
    g->verdict = AATGS_GATE_AMBIGUOUS;
  else
    g->verdict = AATGS_GATE_PASS;
  if (g->base_n < 3 || g->cand_n < 3)
    add_note(g, "fewer than 3 values on a side: the interval is rough", NULL, NULL);
  return AATGS_OK;
}

/* The gate's own rule for which verdicts fail, under r's options. */
static bool fails(const aatgs_gate_bench_result *r, aatgs_gate_verdict v) {
  aatgs_gate_result rule;
  memset(&rule, 0, sizeof rule);
  rule.allow_missing = r->allow_missing;
  rule.fail_ambiguous = r->fail_ambiguous;
  return aatgs_gate_verdict_fails(&rule, v);
}

void aatgs_gate_bench_destroy(aatgs_gate_bench_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n_groups; i++) {
    aatgs_gate_bench_group *g = &r->groups[i];
    free(g->bench);
    free(g->case_name);
    free(g->candidate);
    free(g->metric);
    free(g->unit);
  }
  free(r->groups);
  free(r->baseline_path);
  free(r->candidate_path);
  free(r->baseline_machine);
  free(r->candidate_machine);
  free(r);
}

/* True when some line of f has a machine other than m. */
static bool other_machine(const aatgs_bench_file *f, const char *m) {
  for (size_t i = 0; i < f->n_rows; i++)
    if (strcmp(f->rows[i].machine, m) != 0) return true;
  return false;
}

int aatgs_gate_bench_compare(const char *baseline, const char *candidate,
                             const aatgs_gate_options *opt, aatgs_gate_bench_result **out,
                             aatgs_err *err) {
  aatgs_gate_options o;
  aatgs_bench_file *fb = NULL, *fc = NULL;
  const aatgs_bench_row **rb = NULL, **rc_ = NULL;
  size_t *db = NULL, *dc = NULL, nb = 0, nc = 0;
  aatgs_gate_bench_result *r = NULL;
  int rc;
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_gate_bench_compare: out is NULL");
  *out = NULL;
  if (opt)
    o = *opt;
  else
    aatgs_gate_options_default(&o);
  if (!(o.threshold >= 0) || !isfinite(o.threshold) || !(o.tolerance >= 0) ||
      !isfinite(o.tolerance))
    return aatgs_err_set(err, AATGS_EINVAL, "threshold and tolerance must be finite and >= 0");
  if (o.bootstrap < 100 || o.bootstrap > 10000000)
    return aatgs_err_set(err, AATGS_EINVAL, "bootstrap resamples must be in 100..10000000, got %u",
                         o.bootstrap);
  if ((rc = aatgs_bench_load(baseline, &fb, err)) != AATGS_OK) return rc;
  if ((rc = aatgs_bench_load(candidate, &fc, err)) != AATGS_OK) goto fail;
  if (fb->n_rows == 0 && fc->n_rows == 0) {
    rc = aatgs_err_set(err, AATGS_ENOENT, "no benchmark figure in '%s' or '%s'", baseline,
                       candidate);
    goto fail;
  }
  if (latest_rows(fb, &rb, &db, &nb) != AATGS_OK || latest_rows(fc, &rc_, &dc, &nc) != AATGS_OK)
    goto nomem;
  if (!(r = calloc(1, sizeof *r))) goto nomem;
  r->baseline_path = dup_str(baseline);
  r->candidate_path = dup_str(candidate);
  r->baseline_machine = dup_str(fb->n_rows ? fb->rows[0].machine : "");
  r->candidate_machine = dup_str(fc->n_rows ? fc->rows[0].machine : "");
  if (!r->baseline_path || !r->candidate_path || !r->baseline_machine || !r->candidate_machine)
    goto nomem;
  r->machines_differ =
      (fb->n_rows && fc->n_rows && strcmp(r->baseline_machine, r->candidate_machine) != 0) ||
      other_machine(fb, r->baseline_machine) || other_machine(fc, r->candidate_machine);
  r->threshold = o.threshold;
  r->tolerance = o.tolerance;
  r->bootstrap = o.bootstrap;
  r->seed = o.seed;
  r->allow_missing = o.allow_missing;
  r->fail_ambiguous = o.fail_ambiguous;
  if (!(r->groups = calloc(nb + nc, sizeof *r->groups))) goto nomem;
  size_t i = 0, j = 0;
  while (i < nb || j < nc) {
    int cmp = i == nb ? 1 : j == nc ? -1 : cmp_key(rb[i], rc_[j]);
    const aatgs_bench_row *b = cmp <= 0 ? rb[i] : NULL, *c = cmp >= 0 ? rc_[j] : NULL;
    size_t dup_b = b ? db[i] : 0, dup_c = c ? dc[j] : 0;
    if (b) i++;
    if (c) j++;
    aatgs_gate_bench_group *g = &r->groups[r->n_groups++];
    if ((rc = compare_group(g, b, c, &o)) != AATGS_OK) {
      if (rc == AATGS_ENOMEM) goto nomem;
      rc = aatgs_err_set(err, rc, "bootstrap failed for %s / %s / %s / %s", g->bench, g->case_name,
                         g->candidate, g->metric);
      goto fail;
    }
    char x[32], y[32];
    if (dup_b || dup_c) {
      snprintf(x, sizeof x, "%zu", dup_b + 1);
      snprintf(y, sizeof y, "%zu", dup_c + 1);
      add_note(g, "lines of this figure: %s in the baseline, %s in the candidate; the last counts",
               x, y);
    }
    r->counts[g->verdict]++;
    if (fails(r, g->verdict)) r->n_failing++;
  }
  free(rb);
  free(rc_);
  free(db);
  free(dc);
  aatgs_bench_file_destroy(fb);
  aatgs_bench_file_destroy(fc);
  *out = r;
  return AATGS_OK;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
fail:
  free(rb);
  free(rc_);
  free(db);
  free(dc);
  aatgs_bench_file_destroy(fb);
  aatgs_bench_file_destroy(fc);
  aatgs_gate_bench_destroy(r);
  return rc;
}

int aatgs_gate_bench_exit_code(const aatgs_gate_bench_result *r) {
  return r && r->n_failing ? 1 : 0;
}

/* -------------------------------------------------------------- table */

enum {
  T_BENCH,
  T_CASE,
  T_CAND,
  T_METRIC,
  T_MODE,
  T_N,
  T_BASE,
  T_NEW,
  T_RATIO,
  T_RANGE,
  T_VERDICT,
  T_NOTE,
  T_COUNT
};

static const char *const THEAD[T_COUNT] = {"bench", "case",     "candidate", "metric",
                                           "mode",  "n b/c",    "baseline",  "new",
                                           "ratio", "interval", "verdict",   "note"};

static bool t_left(int c) { return c <= T_MODE || c >= T_VERDICT; }

static void fmt_ratio(char *buf, size_t cap, double v) {
  if (isnan(v))
    snprintf(buf, cap, "-");
  else if (isinf(v))
    snprintf(buf, cap, "inf");
  else
    snprintf(buf, cap, "%.4f", v);
}

static void t_cell(const aatgs_gate_bench_result *r, const aatgs_gate_bench_group *g, int c,
                   char *buf, size_t cap) {
  char a[48], b[48];
  switch (c) {
  case T_BENCH: snprintf(buf, cap, "%s", g->bench); break;
  case T_CASE: snprintf(buf, cap, "%s", g->case_name); break;
  case T_CAND: snprintf(buf, cap, "%s", g->candidate); break;
  case T_METRIC:
    snprintf(buf, cap, "%s (%s, %s)", g->metric, *g->unit ? g->unit : "-",
             g->higher_is_better ? "higher" : "lower");
    break;
  case T_MODE:
    snprintf(buf, cap, "%s",
             g->mode == AATGS_GATE_DETERMINISTIC ? "exact"
             : g->mode == AATGS_GATE_STATISTICAL ? "bootstrap"
                                                 : "-");
    break;
  case T_N: snprintf(buf, cap, "%u/%u", g->base_n, g->cand_n); break;
  case T_BASE: aatgs_bench_fmt_value(buf, cap, g->base_median); break;
  case T_NEW: aatgs_bench_fmt_value(buf, cap, g->cand_median); break;
  case T_RATIO: fmt_ratio(buf, cap, g->ratio); break;
  case T_RANGE:
    if (isnan(g->low) || g->mode != AATGS_GATE_STATISTICAL) {
      snprintf(buf, cap, "-");
    } else {
      fmt_ratio(a, sizeof a, g->low);
      fmt_ratio(b, sizeof b, g->high);
      snprintf(buf, cap, "%s..%s", a, b);
    }
    break;
  case T_VERDICT:
    snprintf(buf, cap, "%s%s", aatgs_gate_verdict_name(g->verdict),
             fails(r, g->verdict) ? " FAIL" : "");
    break;
  case T_NOTE: snprintf(buf, cap, "%s", g->note); break;
  default: buf[0] = '\0';
  }
}

static int finish(FILE *out, aatgs_err *err, const char *what) {
  if (fflush(out) != 0 || ferror(out))
    return aatgs_err_set(err, AATGS_EIO, "cannot write the gate %s: %s", what, strerror(errno));
  return AATGS_OK;
}

int aatgs_gate_bench_write_table(const aatgs_gate_bench_result *r, FILE *out, aatgs_err *err) {
  if (!r || !out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_gate_bench_write_table: NULL");
  size_t width[T_COUNT];
  char buf[512];
  fprintf(out,
          "gate --bench: ratio = candidate/baseline (lower is better) or baseline/candidate "
          "(higher is better), > 1 is worse; threshold %.2f%%, %u resamples\n",
          100.0 * r->threshold, r->bootstrap);
  fprintf(out, "  baseline  %s (%s)\n  candidate %s (%s)\n", r->baseline_path, r->baseline_machine,
          r->candidate_path, r->candidate_machine);
  if (r->machines_differ)
    fputs("warning: the figures come from different machines; ratios may mean little\n", out);
  fputc('\n', out);
  for (int c = 0; c < T_COUNT; c++)
    width[c] = strlen(THEAD[c]);
  for (size_t i = 0; i < r->n_groups; i++)
    for (int c = 0; c < T_COUNT; c++) {
      t_cell(r, &r->groups[i], c, buf, sizeof buf);
      if (strlen(buf) > width[c]) width[c] = strlen(buf);
    }
  for (size_t i = 0; i <= r->n_groups; i++) {
    char line[T_COUNT * 520];
    size_t len = 0;
    for (int c = 0; c < T_COUNT; c++) {
      if (i == 0)
        snprintf(buf, sizeof buf, "%s", THEAD[c]);
      else
        t_cell(r, &r->groups[i - 1], c, buf, sizeof buf);
      int k = snprintf(line + len, sizeof line - len, t_left(c) ? "%s%-*s" : "%s%*s", c ? "  " : "",
                       (int)width[c], buf);
      if (k > 0) len += (size_t)k < sizeof line - len ? (size_t)k : sizeof line - len - 1;
    }
    while (len && line[len - 1] == ' ')
      len--;
    fprintf(out, "%.*s\n", (int)len, line);
  }
  fputs("\nexact: one value a side, compared with the threshold. bootstrap: ratio of medians, 95% "
        "percentile interval.\n",
        out);
  fprintf(out, "%zu figures:", r->n_groups);
  bool first = true;
  for (int v = 0; v < AATGS_GATE_VERDICT_COUNT; v++)
    if (r->counts[v]) {
      fprintf(out, "%s %zu %s", first ? "" : ",", r->counts[v],
              aatgs_gate_verdict_name((aatgs_gate_verdict)v));
      first = false;
    }
  fputc('\n', out);
  for (size_t i = 0; i < r->n_groups; i++) {
    const aatgs_gate_bench_group *g = &r->groups[i];
    if (!fails(r, g->verdict)) continue;
    fprintf(out, "FAIL %s / %s / %s / %s: %s", g->bench, g->case_name, g->candidate, g->metric,
            aatgs_gate_verdict_name(g->verdict));
    if (!isnan(g->ratio)) fprintf(out, ", ratio %.4f", g->ratio);
    if (g->mode == AATGS_GATE_STATISTICAL && !isnan(g->low))
      fprintf(out, " (95%% %.4f..%.4f)", g->low, g->high);
    fprintf(out, " [baseline line %zu, candidate line %zu]", g->base_line, g->cand_line);
    if (*g->note) fprintf(out, " [%s]", g->note);
    fputc('\n', out);
  }
  fprintf(out, "gate: %s\n", aatgs_gate_bench_exit_code(r) ? "FAIL" : "pass");
  return finish(out, err, "table");
}

/* --------------------------------------------------------------- JSON */

static void json_num(FILE *out, const char *key, double v) {
  fprintf(out, ", \"%s\": ", key);
  if (isfinite(v))
    fprintf(out, "%.10g", v);
  else
    fputs("null", out);
}

static void json_group(const aatgs_gate_bench_result *r, const aatgs_gate_bench_group *g,
                       FILE *out) {
  fputs("{\"bench\": ", out);
  aatgs__json_str(out, g->bench);
  fputs(", \"case\": ", out);
  aatgs__json_str(out, g->case_name);
  fputs(", \"candidate\": ", out);
  aatgs__json_str(out, g->candidate);
  fputs(", \"metric\": ", out);
  aatgs__json_str(out, g->metric);
  fputs(", \"unit\": ", out);
  aatgs__json_str(out, g->unit);
  fprintf(out, ", \"better\": \"%s\"", g->higher_is_better ? "higher" : "lower");
  fprintf(out, ", \"mode\": \"%s\", \"verdict\": \"%s\", \"fails\": %s",
          g->mode == AATGS_GATE_DETERMINISTIC ? "deterministic"
          : g->mode == AATGS_GATE_STATISTICAL ? "statistical"
                                              : "none",
          aatgs_gate_verdict_name(g->verdict), fails(r, g->verdict) ? "true" : "false");
  fprintf(out,
          ", \"baseline_n\": %u, \"candidate_n\": %u, \"baseline_line\": %zu, "
          "\"candidate_line\": %zu",
          g->base_n, g->cand_n, g->base_line, g->cand_line);
  json_num(out, "baseline_median", g->base_median);
  json_num(out, "candidate_median", g->cand_median);
  json_num(out, "ratio", g->ratio);
  json_num(out, "low", g->low);
  json_num(out, "high", g->high);
  fputs(", \"note\": ", out);
  aatgs__json_str(out, g->note);
  fputc('}', out);
}

int aatgs_gate_bench_write_json(const aatgs_gate_bench_result *r, FILE *out, aatgs_err *err) {
  if (!r || !out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_gate_bench_write_json: NULL");
  int code = aatgs_gate_bench_exit_code(r);
  fprintf(out, "{\"tool\": \"aatgs gate --bench\", \"verdict\": \"%s\", \"exit_code\": %d",
          code ? "fail" : "pass", code);
  fputs(",\n \"baseline\": ", out);
  aatgs__json_str(out, r->baseline_path);
  fputs(", \"candidate\": ", out);
  aatgs__json_str(out, r->candidate_path);
  fputs(",\n \"baseline_machine\": ", out);
  aatgs__json_str(out, r->baseline_machine);
  fputs(", \"candidate_machine\": ", out);
  aatgs__json_str(out, r->candidate_machine);
  fprintf(out, ", \"machines_differ\": %s", r->machines_differ ? "true" : "false");
  fputs(",\n \"ratio\": \"oriented: > 1 is worse\"", out);
  json_num(out, "threshold", r->threshold);
  json_num(out, "tolerance", r->tolerance);
  fprintf(out,
          ", \"bootstrap\": %u, \"seed\": %llu, \"allow_missing\": %s, \"fail_ambiguous\": %s, "
          "\"failing_groups\": %zu",
          r->bootstrap, (unsigned long long)r->seed, r->allow_missing ? "true" : "false",
          r->fail_ambiguous ? "true" : "false", r->n_failing);
  fputs(",\n \"counts\": {", out);
  for (int v = 0; v < AATGS_GATE_VERDICT_COUNT; v++)
    fprintf(out, "%s\"%s\": %zu", v ? ", " : "", aatgs_gate_verdict_name((aatgs_gate_verdict)v),
            r->counts[v]);
  fputs("},\n \"groups\": [", out);
  for (size_t i = 0; i < r->n_groups; i++) {
    fputs(i ? ",\n  " : "\n  ", out);
    json_group(r, &r->groups[i], out);
  }
  fputs(r->n_groups ? "\n ]}\n" : "]}\n", out);
  return finish(out, err, "JSON");
}
