/* gate.c - the performance gate between two trace databases (gate.h). */
#include "gate.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "db_read.h"
#include "stats.h"

/* ---------------------------------------------------------------- names */

typedef struct metric_info {
  const char *name, *unit;
  bool lower_better;  /* makespan: lower; efficiency: higher */
  bool deterministic; /* the same on every run of the simulator */
  int decimals;       /* of the table */
} metric_info;

static const metric_info METRICS[AATGS_GATE_METRIC_COUNT] = {
    {"makespan", "ms", true, true, 3},
    {"efficiency", "", false, true, 4},
    {"decision_mean", "ns", true, false, 1},
    {"decision_max", "ns", true, false, 0},
};

static const char *const VERDICTS[AATGS_GATE_VERDICT_COUNT] = {
    "pass", "changed", "improvement", "ambiguous", "regression", "failed", "missing", "new"};

void aatgs_gate_options_default(aatgs_gate_options *o) {
  memset(o, 0, sizeof *o);
  o->metric = AATGS_GATE_MAKESPAN;
  o->threshold = AATGS_GATE_DEFAULT_THRESHOLD;
  o->tolerance = AATGS_GATE_DEFAULT_TOLERANCE;
  o->bootstrap = AATGS_GATE_DEFAULT_BOOTSTRAP;
  o->seed = AATGS_GATE_DEFAULT_SEED;
}

int aatgs_gate_parse_metric(const char *name, aatgs_gate_metric *out, aatgs_err *err) {
  for (int m = 0; m < AATGS_GATE_METRIC_COUNT; m++)
    if (name && strcmp(name, METRICS[m].name) == 0) {
      *out = (aatgs_gate_metric)m;
      return AATGS_OK;
    }
  return aatgs_err_set(err, AATGS_EINVAL,
                       "unknown metric \"%s\" (expected makespan, efficiency, decision_mean or "
                       "decision_max)",
                       name ? name : "");
}

const char *aatgs_gate_metric_name(aatgs_gate_metric m) {
  return m >= 0 && m < AATGS_GATE_METRIC_COUNT ? METRICS[m].name : "?";
}

const char *aatgs_gate_verdict_name(aatgs_gate_verdict v) {
  return v >= 0 && v < AATGS_GATE_VERDICT_COUNT ? VERDICTS[v] : "?";
}

int aatgs_gate_parse_fraction(const char *what, const char *s, double *out, aatgs_err *err) {
  char *end;
  if (!s || !*s) return aatgs_err_set(err, AATGS_EINVAL, "%s expects a value", what);
  errno = 0;
  double v = strtod(s, &end);
  bool percent = *end == '%';
  if (percent) end++;
  if (end == s || *end || errno || !isfinite(v) || v < 0)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "%s expects a non-negative fraction (0.05) or percentage (5%%), got '%s'",
                         what, s);
  if (!percent && v > 1)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "%s: '%s' is more than 1 as a fraction; write '%s%%' for a percentage",
                         what, s, s);
  *out = percent ? v / 100.0 : v;
  return AATGS_OK;
}

/* ------------------------------------------------------------ reading */

/* One run as the gate sees it. */
typedef struct grun {
  char *scenario, *policy, *backend;
  char *scenario_hash, *event_hash; /* NULL when the run recorded none */
  int64_t run_id, seed, rep;
  double value; /* the metric, valid when has_value */
  bool has_value, completed, failed;
} grun;

typedef struct side {
  const char *path;
  grun *runs;
  size_t n, cap;
} side;

static void side_free(side *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->runs[i].scenario);
    free(s->runs[i].policy);
    free(s->runs[i].backend);
    free(s->runs[i].scenario_hash);
    free(s->runs[i].event_hash);
  }
  free(s->runs);
  memset(s, 0, sizeof *s);
}

static char *dup_str(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
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

static const char *col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : "";
}

static const char LOAD_SQL[] =
    "SELECT run_id, COALESCE(scenario, ''), COALESCE(policy, ''), COALESCE(backend, ''), status, "
    "seed, rep, scenario_hash, event_hash, makespan_ns, lower_bound_ns, mean_decision_ns, "
    "max_decision_ns FROM runs";

/* Sets r->value from the row for the metric. */
static void run_value(grun *r, sqlite3_stmt *st, aatgs_gate_metric m) {
  bool has_mk = sqlite3_column_type(st, 9) != SQLITE_NULL;
  int64_t mk = sqlite3_column_int64(st, 9), lb = sqlite3_column_int64(st, 10);
  r->has_value = false;
  switch (m) {
  case AATGS_GATE_MAKESPAN:
    r->has_value = has_mk;
    r->value = (double)mk / 1e6;
    break;
  case AATGS_GATE_EFFICIENCY:
    r->has_value = has_mk && mk > 0 && lb > 0 && sqlite3_column_type(st, 10) != SQLITE_NULL;
    r->value = r->has_value ? (double)lb / (double)mk : 0;
    break;
  case AATGS_GATE_DECISION_MEAN:
    r->has_value = sqlite3_column_type(st, 11) != SQLITE_NULL;
    r->value = sqlite3_column_double(st, 11);
    break;
  case AATGS_GATE_DECISION_MAX:
    r->has_value = sqlite3_column_type(st, 12) != SQLITE_NULL;
    r->value = (double)sqlite3_column_int64(st, 12);
    break;
  default: break;
  }
  if (r->has_value && !isfinite(r->value)) r->has_value = false;
}

static int cmp_run(const void *a, const void *b) {
  const grun *x = a, *y = b;
  int c = strcmp(x->scenario, y->scenario);
  if (!c) c = strcmp(x->policy, y->policy);
  if (!c) c = strcmp(x->backend, y->backend);
  if (!c) c = (x->seed > y->seed) - (x->seed < y->seed);
  if (!c) c = (x->rep > y->rep) - (x->rep < y->rep);
  if (!c) c = (x->run_id > y->run_id) - (x->run_id < y->run_id);
  return c;
}

/* Reads the runs of one database that pass the filters, sorted by group,
 * seed, rep and run id. */
static int load_side(side *s, const char *path, const aatgs_gate_options *o, aatgs_err *err) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc;
  memset(s, 0, sizeof *s);
  s->path = path;
  rc = aatgs_db_open_read(path, 0, &db, NULL, err);
  if (rc != AATGS_OK) return rc;
  if (sqlite3_prepare_v2(db, LOAD_SQL, -1, &st, NULL) != SQLITE_OK) {
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': cannot read runs: %s", path,
                       sqlite3_errmsg(db));
    goto fail;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *sc = col_text(st, 1), *po = col_text(st, 2), *be = col_text(st, 3);
    if (!matches(o->scenario, sc) || !matches(o->policy, po) || !matches(o->backend, be)) continue;
    if (s->n == s->cap) {
      size_t cap = s->cap ? 2 * s->cap : 64;
      grun *v = realloc(s->runs, cap * sizeof *v);
      if (!v) goto nomem;
      s->runs = v;
      s->cap = cap;
    }
    grun *r = &s->runs[s->n];
    memset(r, 0, sizeof *r);
    s->n++;
    r->run_id = sqlite3_column_int64(st, 0);
    r->scenario = dup_str(sc);
    r->policy = dup_str(po);
    r->backend = dup_str(be);
    if (!r->scenario || !r->policy || !r->backend) goto nomem;
    const char *status = col_text(st, 4);
    r->completed = strcmp(status, "completed") == 0;
    r->failed = strcmp(status, "failed") == 0;
    r->seed = sqlite3_column_int64(st, 5);
    r->rep = sqlite3_column_int64(st, 6);
    if (sqlite3_column_type(st, 7) != SQLITE_NULL && *col_text(st, 7))
      if (!(r->scenario_hash = dup_str(col_text(st, 7)))) goto nomem;
    if (sqlite3_column_type(st, 8) != SQLITE_NULL && *col_text(st, 8))
      if (!(r->event_hash = dup_str(col_text(st, 8)))) goto nomem;
    run_value(r, st, o->metric);
  }
  if (rc != SQLITE_DONE) {
    rc = aatgs_err_set(err, AATGS_EDB, "database '%s': cannot read runs: %s", path,
                       sqlite3_errmsg(db));
    goto fail;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (s->n) qsort(s->runs, s->n, sizeof *s->runs, cmp_run);
  return AATGS_OK;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory reading '%s'", path);
fail:
  sqlite3_finalize(st);
  sqlite3_close(db);
  side_free(s);
  return rc;
}

/* ---------------------------------------------------------- statistics */

/* c / b, with 0 / 0 = 1 and c / 0 = infinity. */
static double ratio_of(double c, double b) {
  if (b == 0) return c == 0 ? 1.0 : INFINITY;
  return c / b;
}

static uint64_t fnv1a(uint64_t h, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    h ^= *p;
    h *= 1099511628211ull;
  }
  h ^= 0xff; /* separator, so ("ab","c") and ("a","bc") differ */
  return h * 1099511628211ull;
}

/* --------------------------------------------------------- comparison */

typedef struct range {
  const grun *r;
  size_t n;
} range;

static int cmp_group(const grun *a, const grun *b) {
  int c = strcmp(a->scenario, b->scenario);
  if (!c) c = strcmp(a->policy, b->policy);
  if (!c) c = strcmp(a->backend, b->backend);
  return c;
}

/* The values of the completed runs of a range into v (capacity r.n). */
static size_t values_of(range r, double *v) {
  size_t k = 0;
  for (size_t i = 0; i < r.n; i++)
    if (r.r[i].completed && r.r[i].has_value) v[k++] = r.r[i].value;
  return k;
}

static uint32_t failed_of(range r) {
  uint32_t k = 0;
  for (size_t i = 0; i < r.n; i++)
    k += r.r[i].failed;
  return k;
}

/* The one scenario hash of the range's completed runs: NULL when there is
 * none, *several set when they differ. */
static const char *hash_of(range r, bool *several) {
  const char *h = NULL;
  *several = false;
  for (size_t i = 0; i < r.n; i++) {
    if (!r.r[i].completed || !r.r[i].has_value) continue;
    if (!r.r[i].scenario_hash) return NULL;
    if (!h)
      h = r.r[i].scenario_hash;
    else if (strcmp(h, r.r[i].scenario_hash) != 0)
      *several = true;
  }
  return h;
}

/* The completed runs of a range that are the latest of their (seed, rep):
 * the range is sorted by seed, rep and run id, so the last of a key. */
static size_t latest_per_key(range r, const grun **out) {
  size_t k = 0;
  for (size_t i = 0; i < r.n; i++) {
    const grun *x = &r.r[i];
    if (!x->completed || !x->has_value) continue;
    if (k && out[k - 1]->seed == x->seed && out[k - 1]->rep == x->rep)
      out[k - 1] = x;
    else
      out[k++] = x;
  }
  return k;
}

static bool worse_than(const metric_info *m, double ratio, double limit) {
  return m->lower_better ? ratio > 1.0 + limit : ratio < 1.0 - limit;
}

static bool better_than(const metric_info *m, double ratio, double limit) {
  return m->lower_better ? ratio < 1.0 - limit : ratio > 1.0 + limit;
}

static void add_note(aatgs_gate_group *g, const char *fmt, const char *a, const char *b) {
  size_t len = strlen(g->note);
  if (len + 3 >= sizeof g->note) return;
  if (len) {
    memcpy(g->note + len, "; ", 3);
    len += 2;
  }
  snprintf(g->note + len, sizeof g->note - len, fmt, a ? a : "", b ? b : "");
}

/* Deterministic comparison, pair by pair. Sets *done to false (and the
 * group's mode stays unset) when the two ranges share no (seed, rep). */
static int compare_exact(aatgs_gate_group *g, range b, range c, const aatgs_gate_options *o,
                         bool *done) {
  const metric_info *m = &METRICS[o->metric];
  const grun **kb = malloc((b.n ? b.n : 1) * sizeof *kb);
  const grun **kc = malloc((c.n ? c.n : 1) * sizeof *kc);
  *done = false;
  if (!kb || !kc) {
    free(kb);
    free(kc);
    return AATGS_ENOMEM;
  }
  size_t nb = latest_per_key(b, kb), nc = latest_per_key(c, kc);
  size_t i = 0, j = 0, only_b = 0, only_c = 0;
  uint32_t better = 0, worse_tol = 0;
  double lo = INFINITY, hi = -INFINITY, worst = NAN;
  while (i < nb || j < nc) {
    int cmp;
    if (i == nb)
      cmp = 1;
    else if (j == nc)
      cmp = -1;
    else {
      cmp = (kb[i]->seed > kc[j]->seed) - (kb[i]->seed < kc[j]->seed);
      if (!cmp) cmp = (kb[i]->rep > kc[j]->rep) - (kb[i]->rep < kc[j]->rep);
    }
    if (cmp < 0) {
      only_b++, i++;
      continue;
    }
    if (cmp > 0) {
      only_c++, j++;
      continue;
    }
    const grun *x = kb[i++], *y = kc[j++];
    double r = ratio_of(y->value, x->value);
    bool differ = fabs(y->value - x->value) > o->tolerance * fmax(fabs(x->value), fabs(y->value));
    bool hash_differs = x->event_hash && y->event_hash && strcmp(x->event_hash, y->event_hash);
    g->compared++;
    g->changed += differ || hash_differs;
    g->hash_changed += hash_differs;
    g->worse += worse_than(m, r, o->threshold);
    better += better_than(m, r, o->threshold);
    worse_tol += differ && (m->lower_better ? y->value > x->value : y->value < x->value);
    if (r < lo) lo = r;
    if (r > hi) hi = r;
    if (isnan(worst) || (m->lower_better ? r > worst : r < worst)) {
      worst = r;
      g->worst_seed = x->seed;
      g->worst_rep = x->rep;
    }
  }
  free(kb);
  free(kc);
  if (g->compared == 0) {
    add_note(g, "no (seed, rep) in common", NULL, NULL);
    return AATGS_OK;
  }
  *done = true;
  g->mode = AATGS_GATE_DETERMINISTIC;
  g->low = lo;
  g->high = hi;
  g->worst_ratio = worst;
  if (g->worse)
    g->verdict = AATGS_GATE_REGRESSION;
  else if (better && !worse_tol)
    g->verdict = AATGS_GATE_IMPROVEMENT;
  else if (g->changed)
    g->verdict = AATGS_GATE_CHANGED;
  else
    g->verdict = AATGS_GATE_PASS;
  char a[32], bb[32];
  if (only_b || only_c) {
    snprintf(a, sizeof a, "%zu", only_b);
    snprintf(bb, sizeof bb, "%zu", only_c);
    add_note(g, "(seed, rep) only in baseline: %s, only in candidate: %s", a, bb);
  }
  if (g->hash_changed) {
    snprintf(a, sizeof a, "%u", g->hash_changed);
    add_note(g, "event hash differs in %s run(s)", a, NULL);
  }
  return AATGS_OK;
}

/* Statistical comparison: ratio of medians, percentile bootstrap interval. */
static int compare_stat(aatgs_gate_group *g, const double *vb, size_t nb, const double *vc,
                        size_t nc, const aatgs_gate_options *o) {
  const metric_info *m = &METRICS[o->metric];
  aatgs_interval ci;
  uint64_t key = fnv1a(fnv1a(fnv1a(1469598103934665603ull, g->scenario), g->policy), g->backend);
  int rc = aatgs_stats_bootstrap_ratio(vc, nc, vb, nb, false, o->bootstrap, o->seed ^ key, 0.95,
                                       &ci, NULL);
  if (rc != AATGS_OK) return rc;
  g->mode = AATGS_GATE_STATISTICAL;
  g->low = ci.lo;
  g->high = ci.hi;
  double up = 1.0 + o->threshold, down = 1.0 - o->threshold;
  bool lower = m->lower_better;
  if (isnan(g->low) || isnan(g->high)) {
    /* One run on a side has no spread to resample: a change beyond the
     * threshold cannot be told from noise. */
    g->low = g->high = NAN;
    g->verdict = g->ratio >= down && g->ratio <= up ? AATGS_GATE_PASS : AATGS_GATE_AMBIGUOUS;
    add_note(g, "one run on a side: no interval", NULL, NULL);
    return AATGS_OK;
  }
  if (lower ? g->low > up : g->high < down)
    g->verdict = AATGS_GATE_REGRESSION;
  else if (lower ? g->high < down : g->low > up)
    g->verdict = AATGS_GATE_IMPROVEMENT;
  else if (lower ? g->high > up : g->low < down)
    g->verdict = AATGS_GATE_AMBIGUOUS;
  else
    g->verdict = AATGS_GATE_PASS;
  if (nb < 3 || nc < 3)
    add_note(g, "fewer than 3 runs on a side: the interval is rough", NULL, NULL);
  return AATGS_OK;
}

/* Fills g from the baseline and candidate ranges of one group. */
static int compare_group(aatgs_gate_group *g, range b, range c, const aatgs_gate_options *o) {
  const metric_info *m = &METRICS[o->metric];
  size_t cap = (b.n > c.n ? b.n : c.n) + 1;
  double *vb = malloc(cap * sizeof *vb), *vc = malloc(cap * sizeof *vc);
  int rc = AATGS_OK;
  if (!vb || !vc) {
    rc = AATGS_ENOMEM;
    goto done;
  }
  size_t nb = values_of(b, vb), nc = values_of(c, vc);
  g->base_runs = (uint32_t)nb;
  g->cand_runs = (uint32_t)nc;
  g->base_failed = failed_of(b);
  g->cand_failed = failed_of(c);
  g->base_median = nb ? aatgs_stats_median(vb, nb) : NAN;
  g->cand_median = nc ? aatgs_stats_median(vc, nc) : NAN;
  g->ratio = g->low = g->high = g->worst_ratio = NAN;
  g->mode = AATGS_GATE_NONE;
  char x[32], y[32];
  if (b.n == 0) {
    g->verdict = AATGS_GATE_NEW;
    add_note(g, "not in the baseline", NULL, NULL);
    goto done;
  }
  if (c.n == 0) {
    g->verdict = AATGS_GATE_MISSING;
    add_note(g, "not in the candidate", NULL, NULL);
    goto done;
  }
  if (nc == 0 || g->cand_failed > g->base_failed) {
    g->verdict = AATGS_GATE_FAILED;
    snprintf(x, sizeof x, "%u", g->cand_failed);
    snprintf(y, sizeof y, "%u", g->base_failed);
    add_note(g, nc ? "%s failed run(s), baseline %s" : "no completed run (%s failed, baseline %s)",
             x, y);
    goto done;
  }
  if (nb == 0) {
    g->verdict = AATGS_GATE_NEW;
    add_note(g, "no completed run in the baseline", NULL, NULL);
    goto done;
  }
  g->ratio = ratio_of(g->cand_median, g->base_median);
  /* Deterministic when both sides are simulated runs of one scenario text. */
  bool exact = !o->statistical && m->deterministic && strcmp(g->backend, "sim") == 0;
  if (exact) {
    bool several_b, several_c;
    const char *hb = hash_of(b, &several_b), *hc = hash_of(c, &several_c);
    if (!hb || !hc) {
      exact = false;
      add_note(g, "no scenario hash: statistical", NULL, NULL);
    } else if (several_b || several_c) {
      exact = false;
      add_note(g, "several scenario versions in one database: statistical", NULL, NULL);
    } else if (strcmp(hb, hc) != 0) {
      exact = false;
      add_note(g, "scenario changed since the baseline (hash %s -> %s): statistical", hb, hc);
    }
  }
  if (exact) {
    bool done_exact;
    rc = compare_exact(g, b, c, o, &done_exact);
    if (rc != AATGS_OK || done_exact) goto done;
  }
  rc = compare_stat(g, vb, nb, vc, nc, o);
done:
  free(vb);
  free(vc);
  return rc;
}

bool aatgs_gate_verdict_fails(const aatgs_gate_result *r, aatgs_gate_verdict v) {
  switch (v) {
  case AATGS_GATE_REGRESSION:
  case AATGS_GATE_FAILED: return true;
  case AATGS_GATE_MISSING: return !r->allow_missing;
  case AATGS_GATE_AMBIGUOUS: return r->fail_ambiguous;
  default: return false;
  }
}

void aatgs_gate_destroy(aatgs_gate_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n_groups; i++) {
    free(r->groups[i].scenario);
    free(r->groups[i].policy);
    free(r->groups[i].backend);
  }
  free(r->groups);
  free(r->baseline_path);
  free(r->candidate_path);
  free(r);
}

static int push_group(aatgs_gate_result *r, const grun *key, aatgs_gate_group **out) {
  aatgs_gate_group *v = realloc(r->groups, (r->n_groups + 1) * sizeof *v);
  if (!v) return AATGS_ENOMEM;
  r->groups = v;
  aatgs_gate_group *g = &v[r->n_groups++];
  memset(g, 0, sizeof *g);
  g->scenario = dup_str(key->scenario);
  g->policy = dup_str(key->policy);
  g->backend = dup_str(key->backend);
  if (!g->scenario || !g->policy || !g->backend) return AATGS_ENOMEM;
  *out = g;
  return AATGS_OK;
}

/* The end of the group that starts at i. */
static size_t group_end(const side *s, size_t i) {
  size_t j = i + 1;
  while (j < s->n && cmp_group(&s->runs[i], &s->runs[j]) == 0)
    j++;
  return j;
}

int aatgs_gate_compare(const char *baseline, const char *candidate, const aatgs_gate_options *opt,
                       aatgs_gate_result **out, aatgs_err *err) {
  aatgs_gate_options o;
  side b, c;
  aatgs_gate_result *r = NULL;
  int rc;
  memset(&b, 0, sizeof b);
  memset(&c, 0, sizeof c);
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_gate_compare: out is NULL");
  *out = NULL;
  if (!baseline || !*baseline || !candidate || !*candidate)
    return aatgs_err_set(err, AATGS_EINVAL, "the gate needs a baseline and a candidate database");
  if (opt)
    o = *opt;
  else
    aatgs_gate_options_default(&o);
  if (o.metric < 0 || o.metric >= AATGS_GATE_METRIC_COUNT)
    return aatgs_err_set(err, AATGS_EINVAL, "unknown metric %d", (int)o.metric);
  if (!(o.threshold >= 0) || !isfinite(o.threshold) || !(o.tolerance >= 0) ||
      !isfinite(o.tolerance))
    return aatgs_err_set(err, AATGS_EINVAL, "threshold and tolerance must be finite and >= 0");
  if (o.bootstrap < 100 || o.bootstrap > 10000000)
    return aatgs_err_set(err, AATGS_EINVAL, "bootstrap resamples must be in 100..10000000, got %u",
                         o.bootstrap);
  if ((rc = load_side(&b, baseline, &o, err)) != AATGS_OK) return rc;
  if ((rc = load_side(&c, candidate, &o, err)) != AATGS_OK) goto fail;
  if (b.n == 0 && c.n == 0) {
    rc = aatgs_err_set(err, AATGS_ENOENT, "no run matches the filters in '%s' or '%s'", baseline,
                       candidate);
    goto fail;
  }
  r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  r->baseline_path = dup_str(baseline);
  r->candidate_path = dup_str(candidate);
  if (!r->baseline_path || !r->candidate_path) goto nomem;
  r->metric = o.metric;
  r->threshold = o.threshold;
  r->tolerance = o.tolerance;
  r->bootstrap = o.bootstrap;
  r->seed = o.seed;
  r->allow_missing = o.allow_missing;
  r->fail_ambiguous = o.fail_ambiguous;
  r->statistical = o.statistical;
  size_t i = 0, j = 0;
  while (i < b.n || j < c.n) {
    int cmp = i == b.n ? 1 : j == c.n ? -1 : cmp_group(&b.runs[i], &c.runs[j]);
    range rb = {NULL, 0}, rc_ = {NULL, 0};
    const grun *key;
    if (cmp <= 0) {
      size_t e = group_end(&b, i);
      rb.r = &b.runs[i];
      rb.n = e - i;
      i = e;
    }
    if (cmp >= 0) {
      size_t e = group_end(&c, j);
      rc_.r = &c.runs[j];
      rc_.n = e - j;
      j = e;
    }
    key = rb.n ? rb.r : rc_.r;
    aatgs_gate_group *g;
    if (push_group(r, key, &g) != AATGS_OK) goto nomem;
    if ((rc = compare_group(g, rb, rc_, &o)) != AATGS_OK) goto nomem;
    r->counts[g->verdict]++;
    if (aatgs_gate_verdict_fails(r, g->verdict)) r->n_failing++;
  }
  side_free(&b);
  side_free(&c);
  *out = r;
  return AATGS_OK;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
fail:
  side_free(&b);
  side_free(&c);
  aatgs_gate_destroy(r);
  return rc;
}

/* ------------------------------------------------------------ fidelity */

void aatgs_gate_fidelity_destroy(aatgs_gate_fidelity *f) {
  if (!f) return;
  aatgs_report_destroy(f->report);
  free(f->pairs);
  free(f->db_path);
  free(f);
}

int aatgs_gate_fidelity_check(const char *db, const char *scenario, const char *policy,
                              double threshold, aatgs_gate_fidelity **out, aatgs_err *err) {
  aatgs_report_options ro;
  aatgs_gate_fidelity *f;
  double *abs_err = NULL;
  int rc;
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_gate_fidelity_check: out is NULL");
  *out = NULL;
  if (!(threshold >= 0) || !isfinite(threshold))
    return aatgs_err_set(err, AATGS_EINVAL, "fidelity threshold must be finite and >= 0");
  memset(&ro, 0, sizeof ro);
  ro.scenario = scenario;
  ro.policy = policy;
  if (!(f = calloc(1, sizeof *f))) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  f->threshold = threshold;
  f->median_abs_error = f->max_abs_error = NAN;
  if (!(f->db_path = dup_str(db ? db : ""))) goto nomem;
  if ((rc = aatgs_report_load(db, &ro, &f->report, err)) != AATGS_OK) goto fail;
  size_t n = aatgs_report_fidelity(f->report, NULL, 0);
  if (n) {
    f->pairs = malloc(n * sizeof *f->pairs);
    abs_err = malloc(n * sizeof *abs_err);
    if (!f->pairs || !abs_err) goto nomem;
    f->n_pairs = aatgs_report_fidelity(f->report, f->pairs, n);
  }
  size_t k = 0;
  for (size_t i = 0; i < f->n_pairs; i++)
    if (isfinite(f->pairs[i].error)) abs_err[k++] = fabs(f->pairs[i].error);
  if (k) {
    f->median_abs_error = aatgs_stats_median(abs_err, k);
    f->max_abs_error = abs_err[k - 1];
  }
  f->failed = k == 0 || f->median_abs_error > threshold;
  free(abs_err);
  *out = f;
  return AATGS_OK;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
fail:
  free(abs_err);
  aatgs_gate_fidelity_destroy(f);
  return rc;
}

int aatgs_gate_exit_code(const aatgs_gate_result *r, const aatgs_gate_fidelity *f) {
  return (r && r->n_failing) || (f && f->failed) ? 1 : 0;
}

/* -------------------------------------------------------------- table */

enum {
  T_SCENARIO,
  T_POLICY,
  T_BACKEND,
  T_MODE,
  T_RUNS,
  T_BASE,
  T_CAND,
  T_RATIO,
  T_RANGE,
  T_CHANGED,
  T_VERDICT,
  T_NOTE,
  T_COUNT
};

static const char *const THEAD[T_COUNT] = {"scenario", "policy",   "backend",   "mode",
                                           "runs b/c", "baseline", "candidate", "ratio",
                                           "interval", "changed",  "verdict",   "note"};

static bool t_left(int c) { return c <= T_MODE || c >= T_VERDICT; }

static void fmt_num(char *buf, size_t cap, double v, int decimals) {
  if (isnan(v))
    snprintf(buf, cap, "-");
  else if (isinf(v))
    snprintf(buf, cap, "inf");
  else
    snprintf(buf, cap, "%.*f", decimals, v);
}

static void t_cell(const aatgs_gate_result *r, const aatgs_gate_group *g, int c, char *buf,
                   size_t cap) {
  char a[48], b[48];
  switch (c) {
  case T_SCENARIO: snprintf(buf, cap, "%s", *g->scenario ? g->scenario : "-"); break;
  case T_POLICY: snprintf(buf, cap, "%s", *g->policy ? g->policy : "-"); break;
  case T_BACKEND: snprintf(buf, cap, "%s", *g->backend ? g->backend : "-"); break;
  case T_MODE:
    snprintf(buf, cap, "%s",
             g->mode == AATGS_GATE_DETERMINISTIC ? "exact"
             : g->mode == AATGS_GATE_STATISTICAL ? "bootstrap"
                                                 : "-");
    break;
  case T_RUNS: snprintf(buf, cap, "%u/%u", g->base_runs, g->cand_runs); break;
  case T_BASE: fmt_num(buf, cap, g->base_median, METRICS[r->metric].decimals); break;
  case T_CAND: fmt_num(buf, cap, g->cand_median, METRICS[r->metric].decimals); break;
  case T_RATIO: fmt_num(buf, cap, g->ratio, 4); break;
  case T_RANGE:
    if (isnan(g->low)) {
      snprintf(buf, cap, "-");
    } else {
      fmt_num(a, sizeof a, g->low, 4);
      fmt_num(b, sizeof b, g->high, 4);
      snprintf(buf, cap, "%s..%s", a, b);
    }
    break;
  case T_CHANGED:
    if (g->mode == AATGS_GATE_DETERMINISTIC)
      snprintf(buf, cap, "%u/%u", g->changed, g->compared);
    else
      snprintf(buf, cap, "-");
    break;
  case T_VERDICT:
    snprintf(buf, cap, "%s%s", VERDICTS[g->verdict],
             aatgs_gate_verdict_fails(r, g->verdict) ? " FAIL" : "");
    break;
  case T_NOTE: snprintf(buf, cap, "%s", g->note); break;
  default: buf[0] = '\0';
  }
}

static void write_groups(const aatgs_gate_result *r, FILE *out) {
  const metric_info *m = &METRICS[r->metric];
  size_t width[T_COUNT];
  char buf[256];
  fprintf(out, "gate: %s (%s%s%s is better), threshold %.2f%%, tolerance %g, %u resamples\n",
          m->name, *m->unit ? m->unit : "", *m->unit ? ", " : "",
          m->lower_better ? "lower" : "higher", 100.0 * r->threshold, r->tolerance, r->bootstrap);
  fprintf(out, "  baseline  %s\n  candidate %s\n\n", r->baseline_path, r->candidate_path);
  for (int c = 0; c < T_COUNT; c++)
    width[c] = strlen(THEAD[c]);
  for (size_t i = 0; i < r->n_groups; i++)
    for (int c = 0; c < T_COUNT; c++) {
      t_cell(r, &r->groups[i], c, buf, sizeof buf);
      if (strlen(buf) > width[c]) width[c] = strlen(buf);
    }
  char line[T_COUNT * 260];
  for (size_t i = 0; i <= r->n_groups; i++) {
    size_t len = 0;
    for (int c = 0; c < T_COUNT; c++) {
      if (i == 0)
        snprintf(buf, sizeof buf, "%s", THEAD[c]);
      else
        t_cell(r, &r->groups[i - 1], c, buf, sizeof buf);
      int w = (int)width[c];
      int k = snprintf(line + len, sizeof line - len, t_left(c) ? "%s%-*s" : "%s%*s", c ? "  " : "",
                       w, buf);
      if (k > 0) len += (size_t)k < sizeof line - len ? (size_t)k : sizeof line - len - 1;
    }
    while (len && line[len - 1] == ' ')
      len--;
    fprintf(out, "%.*s\n", (int)len, line);
  }
  fprintf(out, "\nexact: sim runs of the same scenario paired by (seed, rep); interval = smallest.."
               "largest per-run ratio. bootstrap: ratio of medians, 95%% percentile interval.\n");
  fprintf(out, "%zu groups:", r->n_groups);
  bool first = true;
  for (int v = 0; v < AATGS_GATE_VERDICT_COUNT; v++)
    if (r->counts[v]) {
      fprintf(out, "%s %zu %s", first ? "" : ",", r->counts[v], VERDICTS[v]);
      first = false;
    }
  fputc('\n', out);
  for (size_t i = 0; i < r->n_groups; i++) {
    const aatgs_gate_group *g = &r->groups[i];
    if (!aatgs_gate_verdict_fails(r, g->verdict)) continue;
    fprintf(out, "FAIL %s / %s / %s: %s", g->scenario, g->policy, g->backend, VERDICTS[g->verdict]);
    if (!isnan(g->ratio)) fprintf(out, ", %s ratio %.4f", m->name, g->ratio);
    if (g->mode == AATGS_GATE_DETERMINISTIC && g->worse)
      fprintf(out, " (%u of %u runs worse than %.2f%%; worst seed %lld rep %lld: %.4f)", g->worse,
              g->compared, 100.0 * r->threshold, (long long)g->worst_seed, (long long)g->worst_rep,
              g->worst_ratio);
    if (g->mode == AATGS_GATE_STATISTICAL) fprintf(out, " (95%% %.4f..%.4f)", g->low, g->high);
    if (*g->note) fprintf(out, " [%s]", g->note);
    fputc('\n', out);
  }
}

static void write_fidelity(const aatgs_gate_fidelity *f, FILE *out) {
  fprintf(out, "fidelity of %s (error = sim / real - 1, threshold %.2f%% on the median |error|)\n",
          f->db_path, 100.0 * f->threshold);
  if (f->n_pairs) {
    fprintf(out, "%-20s %-14s %-6s %12s %12s %8s\n", "scenario", "policy", "real", "sim ms",
            "real ms", "error");
    for (size_t i = 0; i < f->n_pairs; i++) {
      const aatgs_fidelity_row *p = &f->pairs[i];
      fprintf(out, "%-20s %-14s %-6s %12.3f %12.3f %+7.2f%%\n", p->scenario, p->policy, p->backend,
              p->sim_ms, p->real_ms, 100.0 * p->error);
    }
  }
  if (isnan(f->median_abs_error))
    fprintf(out,
            "FAIL fidelity: no scenario x policy recorded under both sim and a real backend\n");
  else
    fprintf(out,
            "%s fidelity: median |error| %.2f%% (max %.2f%%) over %zu pairs, threshold %.2f%%\n",
            f->failed ? "FAIL" : "pass", 100.0 * f->median_abs_error, 100.0 * f->max_abs_error,
            f->n_pairs, 100.0 * f->threshold);
}

static int finish(FILE *out, aatgs_err *err, const char *what) {
  if (fflush(out) != 0 || ferror(out))
    return aatgs_err_set(err, AATGS_EIO, "cannot write the gate %s: %s", what, strerror(errno));
  return AATGS_OK;
}

int aatgs_gate_write_table(const aatgs_gate_result *r, const aatgs_gate_fidelity *f, FILE *out,
                           aatgs_err *err) {
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_gate_write_table: out is NULL");
  if (r) write_groups(r, out);
  if (r && f) fputc('\n', out);
  if (f) write_fidelity(f, out);
  fprintf(out, "gate: %s\n", aatgs_gate_exit_code(r, f) ? "FAIL" : "pass");
  return finish(out, err, "table");
}

/* --------------------------------------------------------------- JSON */

static void json_num(FILE *out, const char *key, double v) {
  fprintf(out, ", \"%s\": ", key);
  if (isnan(v) || isinf(v))
    fputs("null", out);
  else
    fprintf(out, "%.10g", v);
}

static void json_group(const aatgs_gate_result *r, const aatgs_gate_group *g, FILE *out) {
  fputs("{\"scenario\": ", out);
  aatgs__json_str(out, g->scenario);
  fputs(", \"policy\": ", out);
  aatgs__json_str(out, g->policy);
  fputs(", \"backend\": ", out);
  aatgs__json_str(out, g->backend);
  fprintf(out, ", \"mode\": \"%s\", \"verdict\": \"%s\", \"fails\": %s",
          g->mode == AATGS_GATE_DETERMINISTIC ? "deterministic"
          : g->mode == AATGS_GATE_STATISTICAL ? "statistical"
                                              : "none",
          VERDICTS[g->verdict], aatgs_gate_verdict_fails(r, g->verdict) ? "true" : "false");
  fprintf(out, ", \"baseline_runs\": %u, \"candidate_runs\": %u", g->base_runs, g->cand_runs);
  fprintf(out, ", \"baseline_failed\": %u, \"candidate_failed\": %u", g->base_failed,
          g->cand_failed);
  json_num(out, "baseline_median", g->base_median);
  json_num(out, "candidate_median", g->cand_median);
  json_num(out, "ratio", g->ratio);
  json_num(out, "low", g->low);
  json_num(out, "high", g->high);
  if (g->mode == AATGS_GATE_DETERMINISTIC) {
    fprintf(out, ", \"compared\": %u, \"changed\": %u, \"hash_changed\": %u, \"worse\": %u",
            g->compared, g->changed, g->hash_changed, g->worse);
    json_num(out, "worst_ratio", g->worst_ratio);
    fprintf(out, ", \"worst_seed\": %lld, \"worst_rep\": %lld", (long long)g->worst_seed,
            (long long)g->worst_rep);
  }
  fputs(", \"note\": ", out);
  aatgs__json_str(out, g->note);
  fputc('}', out);
}

static void json_fidelity(const aatgs_gate_fidelity *f, FILE *out) {
  fputs("{\"database\": ", out);
  aatgs__json_str(out, f->db_path);
  json_num(out, "threshold", f->threshold);
  fprintf(out, ", \"verdict\": \"%s\", \"pairs\": %zu", f->failed ? "fail" : "pass", f->n_pairs);
  json_num(out, "median_abs_error", f->median_abs_error);
  json_num(out, "max_abs_error", f->max_abs_error);
  fputs(", \"rows\": [", out);
  for (size_t i = 0; i < f->n_pairs; i++) {
    const aatgs_fidelity_row *p = &f->pairs[i];
    fputs(i ? ",\n    {\"scenario\": " : "\n    {\"scenario\": ", out);
    aatgs__json_str(out, p->scenario);
    fputs(", \"policy\": ", out);
    aatgs__json_str(out, p->policy);
    fputs(", \"backend\": ", out);
    aatgs__json_str(out, p->backend);
    json_num(out, "sim_ms", p->sim_ms);
    json_num(out, "real_ms", p->real_ms);
    json_num(out, "error", p->error);
    fputc('}', out);
  }
  fputs("]}", out);
}

int aatgs_gate_write_json(const aatgs_gate_result *r, const aatgs_gate_fidelity *f, FILE *out,
                          aatgs_err *err) {
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_gate_write_json: out is NULL");
  int code = aatgs_gate_exit_code(r, f);
  fprintf(out, "{\"tool\": \"aatgs gate\", \"verdict\": \"%s\", \"exit_code\": %d",
          code ? "fail" : "pass", code);
  if (r) {
    const metric_info *m = &METRICS[r->metric];
    fputs(",\n \"baseline\": ", out);
    aatgs__json_str(out, r->baseline_path);
    fputs(", \"candidate\": ", out);
    aatgs__json_str(out, r->candidate_path);
    fprintf(out, ",\n \"metric\": \"%s\", \"unit\": \"%s\", \"better\": \"%s\"", m->name, m->unit,
            m->lower_better ? "lower" : "higher");
    json_num(out, "threshold", r->threshold);
    json_num(out, "tolerance", r->tolerance);
    fprintf(out,
            ", \"bootstrap\": %u, \"seed\": %llu, \"statistical\": %s, \"allow_missing\": %s, "
            "\"fail_ambiguous\": %s, \"failing_groups\": %zu",
            r->bootstrap, (unsigned long long)r->seed, r->statistical ? "true" : "false",
            r->allow_missing ? "true" : "false", r->fail_ambiguous ? "true" : "false",
            r->n_failing);
    fputs(",\n \"counts\": {", out);
    for (int v = 0; v < AATGS_GATE_VERDICT_COUNT; v++)
      fprintf(out, "%s\"%s\": %zu", v ? ", " : "", VERDICTS[v], r->counts[v]);
    fputs("},\n \"groups\": [", out);
    for (size_t i = 0; i < r->n_groups; i++) {
      fputs(i ? ",\n  " : "\n  ", out);
      json_group(r, &r->groups[i], out);
    }
    fputs(r->n_groups ? "\n ]" : "]", out);
  } else {
    fputs(",\n \"baseline\": null, \"candidate\": ", out);
    aatgs__json_str(out, f ? f->db_path : "");
    fputs(", \"groups\": []", out);
  }
  fputs(",\n \"fidelity\": ", out);
  if (f)
    json_fidelity(f, out);
  else
    fputs("null", out);
  fputs("}\n", out);
  return finish(out, err, "JSON");
}
