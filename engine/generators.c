/* generators.c - duration models, parameter handling and the synthetic
 * generators: chain, fork_join, layered, phase_pipeline, cholesky,
 * erdos_renyi, stencil, fft, lu, gaussian_elimination. */
#include "generators.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generators_internal.h"
#include "yamlutil.h"

#define MAX_TASKS AATGS_GEN_MAX_TASKS

/* ---- duration models ---- */

static const char *const dist_names[AATGS_DIST_COUNT] = {
    "type", "fixed", "uniform", "normal", "lognormal", "bimodal", "empirical"};

typedef struct dist_field {
  aatgs_dist_kind kind;
  const char *name;
  int is_real;   /* 1: double, 0: aatgs_ns, 2: a file (empirical, read when set) */
  size_t offset; /* into aatgs_dist */
} dist_field;

/* Fields per kind, in positional order for the text form. */
static const dist_field dist_fields[] = {
    {AATGS_DIST_FIXED, "value", 0, offsetof(aatgs_dist, value)},
    {AATGS_DIST_UNIFORM, "min", 0, offsetof(aatgs_dist, min)},
    {AATGS_DIST_UNIFORM, "max", 0, offsetof(aatgs_dist, max)},
    {AATGS_DIST_NORMAL, "mean", 0, offsetof(aatgs_dist, mean)},
    {AATGS_DIST_NORMAL, "sd", 0, offsetof(aatgs_dist, sd)},
    {AATGS_DIST_NORMAL, "min", 0, offsetof(aatgs_dist, min)},
    {AATGS_DIST_LOGNORMAL, "mean", 0, offsetof(aatgs_dist, mean)},
    {AATGS_DIST_LOGNORMAL, "cv", 1, offsetof(aatgs_dist, cv)},
    {AATGS_DIST_BIMODAL, "short", 0, offsetof(aatgs_dist, short_ns)},
    {AATGS_DIST_BIMODAL, "long", 0, offsetof(aatgs_dist, long_ns)},
    {AATGS_DIST_BIMODAL, "p_long", 1, offsetof(aatgs_dist, p_long)},
    {AATGS_DIST_EMPIRICAL, "file", 2, offsetof(aatgs_dist, table)},
};
#define NUM_DIST_FIELDS (sizeof dist_fields / sizeof dist_fields[0])

const char *aatgs_dist_kind_name(aatgs_dist_kind k) {
  return ((int)k >= 0 && (int)k < (int)AATGS_DIST_COUNT) ? dist_names[k] : "?";
}

/* "5ms", "1.5us", "7ns": the shortest exact unit for messages. */
static void fmt_duration(char *buf, size_t cap, aatgs_ns ns) {
  if (ns != 0 && ns % AATGS_NS_PER_S == 0)
    snprintf(buf, cap, "%llds", (long long)(ns / AATGS_NS_PER_S));
  else if (ns != 0 && ns % AATGS_NS_PER_MS == 0)
    snprintf(buf, cap, "%lldms", (long long)(ns / AATGS_NS_PER_MS));
  else if (ns != 0 && ns % AATGS_NS_PER_US == 0)
    snprintf(buf, cap, "%lldus", (long long)(ns / AATGS_NS_PER_US));
  else
    snprintf(buf, cap, "%lldns", (long long)ns);
}

int aatgs_dist_init(aatgs_dist *d, const char *kind, aatgs_err *err) {
  memset(d, 0, sizeof *d);
  for (int k = 0; k < AATGS_DIST_COUNT; k++) {
    if (strcmp(kind, dist_names[k]) != 0) continue;
    d->kind = (aatgs_dist_kind)k;
    if (d->kind == AATGS_DIST_NORMAL) d->min = AATGS_NS_PER_US;
    if (d->kind == AATGS_DIST_LOGNORMAL) d->cv = 0.5;
    if (d->kind == AATGS_DIST_BIMODAL) d->p_long = 0.5;
    return AATGS_OK;
  }
  return aatgs_err_set(err, AATGS_ENOENT,
                       "unknown duration model \"%s\" (known: fixed, uniform, normal, lognormal, "
                       "bimodal, empirical, type)",
                       kind);
}

static void field_list(aatgs_dist_kind kind, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < NUM_DIST_FIELDS; i++) {
    if (dist_fields[i].kind != kind) continue;
    int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", dist_fields[i].name);
    if (n < 0 || (size_t)n >= cap - used) break;
    used += (size_t)n;
  }
  if (used == 0) snprintf(buf, cap, "none");
}

int aatgs_dist_set_field_at(aatgs_dist *d, const char *field, const char *text, const char *origin,
                            aatgs_err *err) {
  for (size_t i = 0; i < NUM_DIST_FIELDS; i++) {
    const dist_field *f = &dist_fields[i];
    if (f->kind != d->kind || strcmp(f->name, field) != 0) continue;
    char *base = (char *)d + f->offset;
    if (f->is_real == 2) {
      int rc = aatgs_dist_load_empirical(d, text, origin, err);
      if (rc != AATGS_OK) return aatgs_err_prefix(err, "%s", field);
    } else if (f->is_real) {
      double v;
      if (aatgs__parse_double(text, &v) != 0)
        return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a number, got \"%s\"", field, text);
      memcpy(base, &v, sizeof v);
    } else {
      aatgs_ns v;
      if (aatgs__parse_duration(text, &v) != 0)
        return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a duration like 5ms, got \"%s\"",
                             field, text);
      memcpy(base, &v, sizeof v);
    }
    return AATGS_OK;
  }
  char valid[128];
  field_list(d->kind, valid, sizeof valid);
  return aatgs_err_set(err, AATGS_ENOENT, "unknown field \"%s\" for dist %s (valid: %s)", field,
                       dist_names[d->kind], valid);
}

int aatgs_dist_set_field(aatgs_dist *d, const char *field, const char *text, aatgs_err *err) {
  return aatgs_dist_set_field_at(d, field, text, NULL, err);
}

int aatgs_dist_check(const aatgs_dist *d, aatgs_err *err) {
  switch (d->kind) {
  case AATGS_DIST_TYPE: return AATGS_OK;
  case AATGS_DIST_FIXED:
    if (d->value < 1) return aatgs_err_set(err, AATGS_EINVAL, "fixed: value must be > 0");
    return AATGS_OK;
  case AATGS_DIST_UNIFORM:
    if (d->min < 1) return aatgs_err_set(err, AATGS_EINVAL, "uniform: min must be > 0");
    if (d->max < d->min) return aatgs_err_set(err, AATGS_EINVAL, "uniform: max must be >= min");
    return AATGS_OK;
  case AATGS_DIST_NORMAL:
    if (d->mean < 1) return aatgs_err_set(err, AATGS_EINVAL, "normal: mean must be > 0");
    if (d->min < 1) return aatgs_err_set(err, AATGS_EINVAL, "normal: min must be > 0");
    if (d->min > d->mean + 3 * d->sd)
      return aatgs_err_set(err, AATGS_EINVAL, "normal: min is more than 3 sd above the mean");
    return AATGS_OK;
  case AATGS_DIST_LOGNORMAL:
    if (d->mean < 1) return aatgs_err_set(err, AATGS_EINVAL, "lognormal: mean must be > 0");
    if (!(d->cv >= 0.0 && d->cv <= 10.0))
      return aatgs_err_set(err, AATGS_EINVAL, "lognormal: cv must be in [0, 10]");
    return AATGS_OK;
  case AATGS_DIST_BIMODAL:
    if (d->short_ns < 1 || d->long_ns < 1)
      return aatgs_err_set(err, AATGS_EINVAL, "bimodal: short and long must be > 0");
    if (!(d->p_long >= 0.0 && d->p_long <= 1.0))
      return aatgs_err_set(err, AATGS_EINVAL, "bimodal: p_long must be in [0, 1]");
    return AATGS_OK;
  case AATGS_DIST_EMPIRICAL:
    if (!d->table || d->table->n == 0)
      return aatgs_err_set(err, AATGS_EINVAL, "empirical: file is required (a file of durations)");
    return AATGS_OK;
  default: return aatgs_err_set(err, AATGS_EINVAL, "invalid duration model");
  }
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

int aatgs_dist_parse_at(aatgs_dist *d, const char *text, const char *origin, aatgs_err *err) {
  char buf[4096];
  aatgs_ns v;
  memset(d, 0, sizeof *d);
  if (strcmp(text, "type") == 0) return AATGS_OK;
  if (aatgs__parse_duration(text, &v) == 0) {
    d->kind = AATGS_DIST_FIXED;
    d->value = v;
    return aatgs_dist_check(d, err);
  }
  const char *open = strchr(text, '(');
  size_t tl = strlen(text);
  if (!open || tl == 0 || text[tl - 1] != ')' || tl >= sizeof buf)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "expected a duration like 5ms or a model like uniform(1ms, 9ms), got "
                         "\"%s\"",
                         text);
  memcpy(buf, text, tl - 1);
  buf[tl - 1] = '\0';
  buf[open - text] = '\0';
  int rc = aatgs_dist_init(d, trim(buf), err);
  if (rc != AATGS_OK) return rc;
  char *args = trim(buf + (open - text) + 1);
  if (*args == '\0') args = NULL; /* kind(): field defaults */
  for (size_t i = 0; i < NUM_DIST_FIELDS && args; i++) {
    if (dist_fields[i].kind != d->kind) continue;
    char *comma = strchr(args, ',');
    if (comma) *comma = '\0';
    rc = aatgs_dist_set_field_at(d, dist_fields[i].name, trim(args), origin, err);
    if (rc != AATGS_OK) break;
    args = comma ? comma + 1 : NULL;
  }
  if (rc == AATGS_OK && args)
    rc = aatgs_err_set(err, AATGS_EINVAL, "too many arguments for %s in \"%s\"",
                       dist_names[d->kind], text);
  if (rc == AATGS_OK) rc = aatgs_dist_check(d, err);
  if (rc != AATGS_OK) aatgs_dist_free(d);
  return rc;
}

int aatgs_dist_parse(aatgs_dist *d, const char *text, aatgs_err *err) {
  return aatgs_dist_parse_at(d, text, NULL, err);
}

void aatgs_dist_free(aatgs_dist *d) {
  if (!d) return;
  free(d->table);
  d->table = NULL;
}

/* Resolves an empirical file's path into buf (see generators.h). */
static int resolve_path(const char *path, const char *origin, char *buf, size_t cap,
                        aatgs_err *err) {
  const char *rest = NULL, *dir = getenv("AATGS_DATA_DIR");
  if (strncmp(path, "${AATGS_DATA_DIR}", 17) == 0)
    rest = path + 17;
  else if (strncmp(path, "$AATGS_DATA_DIR", 15) == 0)
    rest = path + 15;
  if (rest) {
    if (!dir || !*dir)
      return aatgs_err_set(err, AATGS_ENODATA,
                           "%s: uses $AATGS_DATA_DIR, which is not set (point it at the data "
                           "folder)",
                           path);
    snprintf(buf, cap, "%s%s", dir, rest);
    return AATGS_OK;
  }
  if (path[0] == '/') {
    snprintf(buf, cap, "%s", path);
    return AATGS_OK;
  }
  const char *slash = origin ? strrchr(origin, '/') : NULL;
  if (slash)
    snprintf(buf, cap, "%.*s/%s", (int)(slash - origin), origin, path);
  else
    snprintf(buf, cap, "%s", path);
  if (access(buf, R_OK) != 0 && dir && *dir) {
    char alt[4096];
    snprintf(alt, sizeof alt, "%s/%s", dir, path);
    if (access(alt, R_OK) == 0) snprintf(buf, cap, "%s", alt);
  }
  return AATGS_OK;
}

#define EMPIRICAL_MAX_VALUES 10000000u

int aatgs_dist_load_empirical(aatgs_dist *d, const char *path, const char *origin, aatgs_err *err) {
  char full[4096], *text = NULL;
  size_t len = 0, n = 0, cap = 0;
  aatgs_ns *vals = NULL;
  int rc = AATGS_OK, line = 0;
  if (!path || !*path) return aatgs_err_set(err, AATGS_EINVAL, "empirical: empty file name");
  rc = resolve_path(path, origin, full, sizeof full, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs__read_file(full, &text, &len, err);
  if (rc != AATGS_OK) return rc;
  for (char *p = text, *next; p && *p; p = next) {
    char *nl = strchr(p, '\n');
    next = nl ? nl + 1 : NULL;
    if (nl) *nl = '\0';
    line++;
    char *hash = strchr(p, '#');
    if (hash) *hash = '\0';
    size_t l = strlen(p);
    if (l > 0 && p[l - 1] == '\r') p[--l] = '\0';
    char *v = trim(p);
    if (*v == '\0') continue;
    aatgs_ns ns;
    if (aatgs__parse_duration(v, &ns) != 0) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: expected a duration like 5ms, got \"%s\"", full,
                         line, v);
      goto done;
    }
    if (ns < 1) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: a duration must be greater than 0", full, line);
      goto done;
    }
    if (n == EMPIRICAL_MAX_VALUES) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: more than %u durations", full, line,
                         EMPIRICAL_MAX_VALUES);
      goto done;
    }
    if (n == cap) {
      size_t nc = cap ? 2 * cap : 64;
      aatgs_ns *nv = realloc(vals, nc * sizeof *nv);
      if (!nv) {
        rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", full);
        goto done;
      }
      vals = nv;
      cap = nc;
    }
    vals[n++] = ns;
  }
  if (n == 0) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s: no durations (one per line, e.g. 5ms)", full);
    goto done;
  }
  size_t plen = strlen(path) + 1;
  aatgs_dist_table *t = malloc(sizeof *t + n * sizeof(aatgs_ns) + plen);
  if (!t) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", full);
    goto done;
  }
  t->n = (uint32_t)n;
  memcpy(t->v, vals, n * sizeof(aatgs_ns));
  t->file = (char *)(t->v + n);
  memcpy(t->file, path, plen);
  t->hash = aatgs__fnv1a64(t->v, n * sizeof(aatgs_ns));
  aatgs_dist_free(d);
  d->kind = AATGS_DIST_EMPIRICAL;
  d->table = t;
done:
  free(vals);
  free(text);
  return rc;
}

aatgs_ns aatgs_dist_sample(const aatgs_dist *d, aatgs_rng *r) {
  double x;
  switch (d->kind) {
  case AATGS_DIST_FIXED: return d->value;
  case AATGS_DIST_UNIFORM:
    return d->min + (aatgs_ns)aatgs_rng_below(r, (uint64_t)(d->max - d->min) + 1);
  case AATGS_DIST_NORMAL:
    x = (double)d->min;
    for (int tries = 0; tries < 100; tries++) {
      double y = (double)d->mean + (double)d->sd * aatgs_rng_normal(r);
      if (y >= (double)d->min) {
        x = y;
        break;
      }
    }
    break;
  case AATGS_DIST_LOGNORMAL: {
    double s2 = log(1.0 + d->cv * d->cv);
    x = (double)d->mean * exp(-0.5 * s2 + sqrt(s2) * aatgs_rng_normal(r));
    break;
  }
  case AATGS_DIST_BIMODAL: return aatgs_rng_uniform(r) < d->p_long ? d->long_ns : d->short_ns;
  case AATGS_DIST_EMPIRICAL:
    return d->table && d->table->n ? d->table->v[aatgs_rng_below(r, d->table->n)] : 0;
  default: return 0;
  }
  if (x > 1e17) x = 1e17;
  aatgs_ns ns = (aatgs_ns)llround(x);
  return ns < 1 ? 1 : ns;
}

double aatgs_dist_mean(const aatgs_dist *d) {
  switch (d->kind) {
  case AATGS_DIST_FIXED: return (double)d->value;
  case AATGS_DIST_UNIFORM: return 0.5 * ((double)d->min + (double)d->max);
  case AATGS_DIST_NORMAL:
  case AATGS_DIST_LOGNORMAL: return (double)d->mean;
  case AATGS_DIST_BIMODAL:
    return d->p_long * (double)d->long_ns + (1.0 - d->p_long) * (double)d->short_ns;
  case AATGS_DIST_EMPIRICAL: {
    double sum = 0.0;
    if (!d->table || d->table->n == 0) return 0.0;
    for (uint32_t i = 0; i < d->table->n; i++)
      sum += (double)d->table->v[i];
    return sum / (double)d->table->n;
  }
  default: return 0.0;
  }
}

/* ---- parameter tables ---- */

#define P_TYPE                                                                                     \
  {                                                                                                \
    "type", AATGS_PARAM_TYPE, "custom", 0, 0,                                                      \
        "task type of every task (built-in or declared under types:)"                              \
  }
#define P_EST                                                                                      \
  {                                                                                                \
    "est", AATGS_PARAM_DIST, "type", 0, 0,                                                         \
        "duration model of the estimates: a duration, a {dist: ...} mapping, or type (the type's " \
        "estimate)"                                                                                \
  }

static const aatgs_gen_param chain_params[] = {
    {"n", AATGS_PARAM_UINT, "100", 1, 1e8, "number of tasks"},
    P_TYPE,
    P_EST,
};

static const aatgs_gen_param fork_join_params[] = {
    {"stages", AATGS_PARAM_UINT, "10", 1, 1e7, "number of fork-join stages, run one after another"},
    {"width", AATGS_PARAM_UINT, "8", 1, 1e7, "parallel tasks per stage"},
    P_TYPE,
    P_EST,
};

static const aatgs_gen_param layered_params[] = {
    {"layers", AATGS_PARAM_UINT, "10", 1, 1e7, "number of layers"},
    {"width", AATGS_PARAM_UINT, "100", 1, 1e7, "tasks per layer"},
    {"degree", AATGS_PARAM_DOUBLE, "3", 1, 100,
     "mean parents per task of layer > 0: k = min(width, 1 + Poisson(degree - 1))"},
    P_TYPE,
    P_EST,
};

static const aatgs_gen_param pipeline_params[] = {
    {"iterations", AATGS_PARAM_UINT, "100", 1, 1e7, "iterations of the six-phase pipeline"},
    {"replicas", AATGS_PARAM_UINT, "1", 1, 65536, "independent replicas run side by side"},
    {"transition_every", AATGS_PARAM_UINT, "0", 0, 1e7,
     "a phase_transition joining all replicas after every k iterations (0: none)"},
    {"config_bytes", AATGS_PARAM_UINT, "256", 0, 4294967296.0,
     "bytes of each config_upload (one config ring slot)"},
    {"record_bytes", AATGS_PARAM_UINT, "64", 0, 4294967296.0,
     "telemetry bytes per kernel; a telemetry_download moves 4 x record_bytes"},
};

static const aatgs_gen_param cholesky_params[] = {
    {"tiles", AATGS_PARAM_UINT, "8", 1, 256, "N: the matrix is N x N tiles"},
    {"tile", AATGS_PARAM_UINT, "256", 1, 8192, "b: each tile is b x b doubles"},
    {"unit", AATGS_PARAM_DURATION, "20us", 1, 1e12,
     "estimate of b^3/3 flops: potrf 1, trsm 3, syrk 3, gemm 6 units"},
};

static const aatgs_gen_param erdos_renyi_params[] = {
    {"n", AATGS_PARAM_UINT, "100", 1, 100000, "number of tasks"},
    {"p", AATGS_PARAM_DOUBLE, "0.1", 0, 1, "probability of each edge i -> j, i < j"},
    P_TYPE,
    P_EST,
};

static const aatgs_gen_param stencil_params[] = {
    {"width", AATGS_PARAM_UINT, "16", 1, 1e7, "cells of the 1D stencil (tasks per time step)"},
    {"steps", AATGS_PARAM_UINT, "16", 1, 1e7, "time steps"},
    P_TYPE,
    P_EST,
};

static const aatgs_gen_param fft_params[] = {
    {"log2_points", AATGS_PARAM_UINT, "4", 1, 20, "k: the FFT has 2^k points"},
    P_TYPE,
    P_EST,
};

static const aatgs_gen_param lu_params[] = {
    {"tiles", AATGS_PARAM_UINT, "6", 1, 256, "N: the matrix is N x N tiles"},
    {"tile", AATGS_PARAM_UINT, "256", 1, 8192, "b: each tile is b x b doubles"},
    {"unit", AATGS_PARAM_DURATION, "20us", 1, 1e12,
     "estimate of b^3/3 flops: getrf 2, trsm_l 3, trsm_u 3, gemm 6 units"},
};

static const aatgs_gen_param gaussian_elimination_params[] = {
    {"n", AATGS_PARAM_UINT, "8", 2, 10000, "the matrix is n x n"},
    P_TYPE,
    P_EST,
};

#define NPARAMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- argument access ---- */

static const aatgs_gen_value *arg(const aatgs_gen_args *a, const char *name) {
  return aatgs_gen_args_get(a, name);
}

static uint64_t arg_u(const aatgs_gen_args *a, const char *name) {
  const aatgs_gen_value *v = arg(a, name);
  return v ? v->u : 0;
}

static int resolve_type(aatgs_graph *g, const aatgs_gen_args *a, uint32_t *type, aatgs_err *err) {
  const aatgs_gen_value *v = arg(a, "type");
  const char *name = v ? v->type : "custom";
  if (aatgs_graph_find_type(g, name, type) != AATGS_OK)
    return aatgs_err_set(err, AATGS_ENOENT, "%s: unknown task type \"%s\"", a->gen->name, name);
  return AATGS_OK;
}

static void seed_rng(aatgs_rng *r, const aatgs_gen_args *a, uint64_t seed) {
  aatgs_rng_seed(r, aatgs_hash64(seed, aatgs__fnv1a64(a->gen->name, strlen(a->gen->name))));
}

/* For generators_research.c (generators_internal.h). */
void aatgs__gen_seed_rng(aatgs_rng *r, const aatgs_gen_args *a, uint64_t seed) {
  seed_rng(r, a, seed);
}
int aatgs__gen_resolve_type(aatgs_graph *g, const aatgs_gen_args *a, uint32_t *type,
                            aatgs_err *err) {
  return resolve_type(g, a, type, err);
}

/* ---- chain ---- */

static void chain_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t n = arg_u(a, "n");
  *tasks = n;
  *edges = n ? n - 1 : 0;
}

static int chain_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint32_t type, prev = 0, id;
  aatgs_rng r;
  const aatgs_dist *est = &arg(a, "est")->dist;
  uint64_t n = arg_u(a, "n");
  int rc = resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  seed_rng(&r, a, seed);
  for (uint64_t i = 0; i < n; i++) {
    rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), &prev, i ? 1 : 0, &id, err);
    if (rc != AATGS_OK) return rc;
    prev = id;
  }
  return AATGS_OK;
}

/* ---- fork_join ---- */

static void fork_join_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t s = arg_u(a, "stages"), w = arg_u(a, "width");
  *tasks = s * (w + 2);
  *edges = 2 * s * w + (s ? s - 1 : 0);
}

static int fork_join_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint32_t type, fork, join = 0, id, *mid = NULL;
  aatgs_rng r;
  const aatgs_dist *est = &arg(a, "est")->dist;
  uint64_t stages = arg_u(a, "stages"), width = arg_u(a, "width");
  int rc = resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  mid = malloc((size_t)width * sizeof *mid);
  if (!mid) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  seed_rng(&r, a, seed);
  for (uint64_t s = 0; s < stages; s++) {
    rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), &join, s ? 1 : 0, &fork, err);
    if (rc != AATGS_OK) goto fail;
    for (uint64_t j = 0; j < width; j++) {
      rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), &fork, 1, &id, err);
      if (rc != AATGS_OK) goto fail;
      mid[j] = id;
    }
    rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), mid, (size_t)width, &join, err);
    if (rc != AATGS_OK) goto fail;
  }
  free(mid);
  return AATGS_OK;
fail:
  free(mid);
  return rc;
}

/* ---- layered ---- */

/* Poisson(lambda) by sequential inversion (lambda <= 99 here, so e^-lambda
 * stays a normal double). */
static uint32_t poisson(aatgs_rng *r, double lambda) {
  if (lambda <= 0.0) return 0;
  double u = aatgs_rng_uniform(r), p = exp(-lambda), cdf = p;
  uint32_t x = 0, cap = (uint32_t)(10.0 * lambda) + 50;
  while (u > cdf && x < cap) {
    x++;
    p *= lambda / x;
    cdf += p;
  }
  return x;
}

static void layered_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t l = arg_u(a, "layers"), w = arg_u(a, "width");
  double deg = arg(a, "degree")->d;
  if (deg > (double)w) deg = (double)w;
  *tasks = l * w;
  *edges = (uint64_t)((double)(l ? l - 1 : 0) * (double)w * deg + 0.5);
}

static int layered_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint32_t type, id, *stamp = NULL, *deps = NULL;
  aatgs_rng r;
  const aatgs_dist *est = &arg(a, "est")->dist;
  uint64_t layers = arg_u(a, "layers"), width = arg_u(a, "width");
  double lambda = arg(a, "degree")->d - 1.0;
  int rc = resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  stamp = calloc((size_t)width, sizeof *stamp);
  deps = malloc((size_t)width * sizeof *deps);
  if (!stamp || !deps) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
    goto fail;
  }
  seed_rng(&r, a, seed);
  uint32_t w = (uint32_t)width, mark = 0;
  for (uint64_t l = 0; l < layers; l++) {
    uint32_t base = (uint32_t)((l ? l - 1 : 0) * width); /* first task of layer l-1 */
    for (uint32_t j = 0; j < w; j++) {
      uint32_t k = 0;
      if (l > 0) {
        uint32_t want = 1 + poisson(&r, lambda);
        if (want > w) want = w;
        /* Floyd's sampling: `want` distinct parents, uniform among the
         * previous layer; stamps mark the ones taken for this task. */
        mark++;
        if (mark == 0) { /* stamps wrapped: clear them */
          memset(stamp, 0, (size_t)w * sizeof *stamp);
          mark = 1;
        }
        for (uint32_t t = w - want; t < w; t++) {
          uint32_t c = (uint32_t)aatgs_rng_below(&r, (uint64_t)t + 1);
          if (stamp[c] == mark) c = t;
          stamp[c] = mark;
          deps[k++] = base + c;
        }
      }
      rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), deps, k, &id, err);
      if (rc != AATGS_OK) goto fail;
    }
  }
  free(stamp);
  free(deps);
  return AATGS_OK;
fail:
  free(stamp);
  free(deps);
  return rc;
}

/* ---- phase_pipeline ---- */

static void pipeline_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t it = arg_u(a, "iterations"), rep = arg_u(a, "replicas"),
           k = arg_u(a, "transition_every");
  uint64_t tr = k ? it / k : 0, tr_out = k ? (it - 1) / k : 0;
  *tasks = 6 * it * rep + tr;
  *edges = 5 * it * rep + rep * (it - 1) + rep * tr + rep * tr_out;
}

static int pipeline_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint64_t iters = arg_u(a, "iterations"), reps = arg_u(a, "replicas"),
           every = arg_u(a, "transition_every"), cfg_bytes = arg_u(a, "config_bytes"),
           rec_bytes = arg_u(a, "record_bytes");
  static const uint32_t phases[4] = {AATGS_TT_THERMODYNAMIC, AATGS_TT_QUANTUM, AATGS_TT_LBS,
                                     AATGS_TT_TELEMETRY_DOWNLOAD};
  uint32_t *lbs = NULL, *tel = NULL, trans = AATGS_TASK_NONE, ids[6], deps[2];
  int rc = AATGS_OK;
  (void)seed; /* the structure and estimates are fixed */
  lbs = malloc((size_t)reps * sizeof *lbs);
  tel = malloc((size_t)reps * sizeof *tel);
  if (!lbs || !tel) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
    goto fail;
  }
  for (uint64_t i = 0; i < iters; i++) {
    for (uint64_t r = 0; r < reps; r++) {
      size_t nd = trans != AATGS_TASK_NONE ? 1 : 0;
      rc = aatgs_graph_add_task(g, AATGS_TT_CONFIG_UPLOAD, 0, &trans, nd, &ids[0], err);
      if (rc != AATGS_OK) goto fail;
      if (cfg_bytes) aatgs_graph_set_bytes(g, ids[0], cfg_bytes);
      deps[0] = ids[0];
      deps[1] = i ? lbs[r] : 0;
      rc = aatgs_graph_add_task(g, AATGS_TT_WHCR, 0, deps, i ? 2 : 1, &ids[1], err);
      if (rc != AATGS_OK) goto fail;
      for (int p = 0; p < 4; p++) {
        rc = aatgs_graph_add_task(g, phases[p], 0, &ids[p + 1], 1, &ids[p + 2], err);
        if (rc != AATGS_OK) goto fail;
      }
      if (rec_bytes) aatgs_graph_set_bytes(g, ids[5], 4 * rec_bytes);
      lbs[r] = ids[4];
      tel[r] = ids[5];
    }
    trans = AATGS_TASK_NONE;
    if (every && (i + 1) % every == 0) {
      rc = aatgs_graph_add_task(g, AATGS_TT_PHASE_TRANSITION, 0, tel, (size_t)reps, &trans, err);
      if (rc != AATGS_OK) goto fail;
    }
  }
fail:
  free(lbs);
  free(tel);
  return rc;
}

/* Adds a tile task of the tiled factorizations: its label (printf-style) and
 * its b x b x 8 bytes. `who` names the generator in messages. */
static int add_tile_task(aatgs_graph *g, uint32_t type, aatgs_ns est, const uint32_t *deps,
                         uint32_t nd, uint64_t bytes, const char *who, uint32_t *id, aatgs_err *err,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 10, 11)))
#endif
    ;
static int add_tile_task(aatgs_graph *g, uint32_t type, aatgs_ns est, const uint32_t *deps,
                         uint32_t nd, uint64_t bytes, const char *who, uint32_t *id, aatgs_err *err,
                         const char *fmt, ...) {
  char label[64];
  va_list ap;
  int rc = aatgs_graph_add_task(g, type, est, deps, nd, id, err);
  if (rc != AATGS_OK) return rc;
  va_start(ap, fmt);
  vsnprintf(label, sizeof label, fmt, ap);
  va_end(ap);
  if (aatgs_graph_set_label(g, *id, label) != AATGS_OK ||
      aatgs_graph_set_bytes(g, *id, bytes) != AATGS_OK)
    return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", who);
  return AATGS_OK;
}

/* ---- cholesky ---- */

static void cholesky_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t n = arg_u(a, "tiles");
  *tasks = n * (n + 1) * (n + 2) / 6;
  *edges = n ? (n - 1) * n * (n + 1) / 2 : 0;
}

/* Right-looking tiled Cholesky, lower: every task depends on the last writer
 * of each tile it reads or writes. Labels name the kernel and its tiles
 * ("gemm(k,i,j)"), which the cuda backend reads to run the real kernels. */
static int cholesky_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  (void)seed;
  uint32_t n = (uint32_t)arg_u(a, "tiles");
  uint64_t b = arg_u(a, "tile");
  aatgs_ns unit = arg(a, "unit")->ns;
  uint32_t t_potrf, t_trsm, t_syrk, t_gemm;
  if (aatgs_graph_add_type(g, "potrf", unit, AATGS_CLASS_KERNEL, &t_potrf) != AATGS_OK ||
      aatgs_graph_add_type(g, "trsm", 3 * unit, AATGS_CLASS_KERNEL, &t_trsm) != AATGS_OK ||
      aatgs_graph_add_type(g, "syrk", 3 * unit, AATGS_CLASS_KERNEL, &t_syrk) != AATGS_OK ||
      aatgs_graph_add_type(g, "gemm", 6 * unit, AATGS_CLASS_KERNEL, &t_gemm) != AATGS_OK)
    return aatgs_err_set(err, AATGS_EFULL, "cholesky: cannot register the tile kernel types");
  uint32_t *lw = malloc((size_t)n * n * sizeof *lw); /* last writer of tile (r, c) */
  if (!lw) return aatgs_err_set(err, AATGS_ENOMEM, "cholesky: out of memory");
  for (size_t i = 0; i < (size_t)n * n; i++)
    lw[i] = AATGS_TASK_NONE;
#define LW(r, c) lw[(size_t)(r)*n + (c)]
  int rc = AATGS_OK;
  uint32_t deps[3], nd, id;
#define ADD(type, est, ...)                                                                        \
  do {                                                                                             \
    rc = add_tile_task(g, type, est, deps, nd, b * b * 8, "cholesky", &id, err, __VA_ARGS__);      \
    if (rc != AATGS_OK) goto done;                                                                 \
  } while (0)
  for (uint32_t k = 0; k < n; k++) {
    nd = 0;
    if (LW(k, k) != AATGS_TASK_NONE) deps[nd++] = LW(k, k);
    ADD(t_potrf, unit, "potrf(%u)", k);
    uint32_t potrf = id;
    LW(k, k) = id;
    for (uint32_t i = k + 1; i < n; i++) {
      nd = 0;
      deps[nd++] = potrf;
      if (LW(i, k) != AATGS_TASK_NONE) deps[nd++] = LW(i, k);
      ADD(t_trsm, 3 * unit, "trsm(%u,%u)", k, i);
      LW(i, k) = id;
    }
    for (uint32_t i = k + 1; i < n; i++) {
      nd = 0;
      deps[nd++] = LW(i, k);
      if (LW(i, i) != AATGS_TASK_NONE) deps[nd++] = LW(i, i);
      ADD(t_syrk, 3 * unit, "syrk(%u,%u)", k, i);
      LW(i, i) = id;
      for (uint32_t j = k + 1; j < i; j++) {
        nd = 0;
        deps[nd++] = LW(i, k);
        deps[nd++] = LW(j, k);
        if (LW(i, j) != AATGS_TASK_NONE) deps[nd++] = LW(i, j);
        ADD(t_gemm, 6 * unit, "gemm(%u,%u,%u)", k, i, j);
        LW(i, j) = id;
      }
    }
  }
#undef ADD
#undef LW
done:
  free(lw);
  return rc;
}

/* ---- erdos_renyi ---- */

static void erdos_renyi_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t n = arg_u(a, "n");
  double p = arg(a, "p")->d;
  *tasks = n;
  *edges = (uint64_t)(p * (double)n * (double)(n ? n - 1 : 0) / 2.0 + 0.5);
}

/* Task j's parents are the i < j kept with probability p each, walked with
 * geometric skips (log(1-u)/log(1-p) pairs passed over), so the cost is
 * proportional to the edges, not to the pairs. */
static int erdos_renyi_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed,
                             aatgs_err *err) {
  uint32_t type, id, *deps = NULL;
  aatgs_rng r;
  const aatgs_dist *est = &arg(a, "est")->dist;
  uint64_t n = arg_u(a, "n");
  double p = arg(a, "p")->d;
  int rc = resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  deps = malloc((size_t)(n ? n : 1) * sizeof *deps);
  if (!deps) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  seed_rng(&r, a, seed);
  double lq = p > 0.0 && p < 1.0 ? log1p(-p) : 0.0;
  for (uint64_t j = 0; j < n; j++) {
    size_t k = 0;
    if (p >= 1.0) {
      for (uint64_t i = 0; i < j; i++)
        deps[k++] = (uint32_t)i;
    } else if (p > 0.0) {
      double i = -1.0;
      for (;;) {
        i += 1.0 + floor(log1p(-aatgs_rng_uniform(&r)) / lq);
        if (i >= (double)j) break;
        deps[k++] = (uint32_t)i;
      }
    }
    rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), deps, k, &id, err);
    if (rc != AATGS_OK) break;
  }
  free(deps);
  return rc;
}

/* ---- stencil ---- */

static void stencil_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t w = arg_u(a, "width"), s = arg_u(a, "steps");
  *tasks = w * s;
  *edges = s && w ? (s - 1) * (3 * w - 2) : 0;
}

static int stencil_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint32_t type, id, deps[3];
  aatgs_rng r;
  const aatgs_dist *est = &arg(a, "est")->dist;
  uint64_t width = arg_u(a, "width"), steps = arg_u(a, "steps");
  int rc = resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  seed_rng(&r, a, seed);
  for (uint64_t t = 0; t < steps; t++) {
    for (uint64_t i = 0; i < width; i++) {
      size_t k = 0;
      if (t > 0) {
        uint32_t up = (uint32_t)((t - 1) * width + i); /* (t-1, i) */
        if (i > 0) deps[k++] = up - 1;
        deps[k++] = up;
        if (i + 1 < width) deps[k++] = up + 1;
      }
      rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), deps, k, &id, err);
      if (rc != AATGS_OK) return rc;
    }
  }
  return AATGS_OK;
}

/* ---- fft ---- */

static void fft_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t k = arg_u(a, "log2_points"), pts = UINT64_C(1) << k;
  *tasks = (k + 1) * pts;
  *edges = 2 * k * pts;
}

static int fft_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint32_t type, id, deps[2];
  aatgs_rng r;
  const aatgs_dist *est = &arg(a, "est")->dist;
  uint64_t k = arg_u(a, "log2_points");
  uint32_t pts = (uint32_t)1 << k;
  int rc = resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  seed_rng(&r, a, seed);
  for (uint32_t l = 0; l <= k; l++) {
    for (uint32_t i = 0; i < pts; i++) {
      uint32_t base = (l ? l - 1 : 0) * pts; /* first task of level l-1 */
      deps[0] = base + i;
      deps[1] = base + (i ^ ((uint32_t)1 << (l ? l - 1 : 0)));
      rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), deps, l ? 2 : 0, &id, err);
      if (rc != AATGS_OK) return rc;
    }
  }
  return AATGS_OK;
}

/* ---- lu ---- */

static void lu_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t n = arg_u(a, "tiles");
  *tasks = n + n * (n ? n - 1 : 0) + (n ? (n - 1) * n * (2 * n - 1) / 6 : 0);
  *edges = n ? n * (n - 1) * (2 * n + 1) / 2 : 0;
}

/* Right-looking tiled LU without pivoting: every task depends on the last
 * writer of each tile it reads or writes. Labels name the kernel and its
 * tiles; gemm tasks are labelled lu_gemm(k,i,j) so that the cuda backend's
 * Cholesky label parser never takes them for its own gemm(k,i,j). */
static int lu_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  (void)seed;
  uint32_t n = (uint32_t)arg_u(a, "tiles");
  uint64_t b = arg_u(a, "tile");
  aatgs_ns unit = arg(a, "unit")->ns;
  uint32_t t_getrf, t_trsm_l, t_trsm_u, t_gemm;
  if (aatgs_graph_add_type(g, "getrf", 2 * unit, AATGS_CLASS_KERNEL, &t_getrf) != AATGS_OK ||
      aatgs_graph_add_type(g, "trsm_l", 3 * unit, AATGS_CLASS_KERNEL, &t_trsm_l) != AATGS_OK ||
      aatgs_graph_add_type(g, "trsm_u", 3 * unit, AATGS_CLASS_KERNEL, &t_trsm_u) != AATGS_OK ||
      aatgs_graph_add_type(g, "gemm", 6 * unit, AATGS_CLASS_KERNEL, &t_gemm) != AATGS_OK)
    return aatgs_err_set(err, AATGS_EFULL, "lu: cannot register the tile kernel types");
  uint32_t *lw = malloc((size_t)n * n * sizeof *lw); /* last writer of tile (r, c) */
  if (!lw) return aatgs_err_set(err, AATGS_ENOMEM, "lu: out of memory");
  for (size_t i = 0; i < (size_t)n * n; i++)
    lw[i] = AATGS_TASK_NONE;
#define LW(r, c) lw[(size_t)(r)*n + (c)]
  int rc = AATGS_OK;
  uint32_t deps[3], nd, id;
#define ADD(type, est, ...)                                                                        \
  do {                                                                                             \
    rc = add_tile_task(g, type, est, deps, nd, b * b * 8, "lu", &id, err, __VA_ARGS__);            \
    if (rc != AATGS_OK) goto done;                                                                 \
  } while (0)
  for (uint32_t k = 0; k < n; k++) {
    nd = 0;
    if (LW(k, k) != AATGS_TASK_NONE) deps[nd++] = LW(k, k);
    ADD(t_getrf, 2 * unit, "getrf(%u)", k);
    uint32_t getrf = id;
    LW(k, k) = id;
    for (uint32_t j = k + 1; j < n; j++) { /* U[k][j] = L[k][k]^-1 A[k][j] */
      nd = 0;
      deps[nd++] = getrf;
      if (LW(k, j) != AATGS_TASK_NONE) deps[nd++] = LW(k, j);
      ADD(t_trsm_u, 3 * unit, "trsm_u(%u,%u)", k, j);
      LW(k, j) = id;
    }
    for (uint32_t i = k + 1; i < n; i++) { /* L[i][k] = A[i][k] U[k][k]^-1 */
      nd = 0;
      deps[nd++] = getrf;
      if (LW(i, k) != AATGS_TASK_NONE) deps[nd++] = LW(i, k);
      ADD(t_trsm_l, 3 * unit, "trsm_l(%u,%u)", k, i);
      LW(i, k) = id;
    }
    for (uint32_t i = k + 1; i < n; i++) {
      for (uint32_t j = k + 1; j < n; j++) { /* A[i][j] -= L[i][k] U[k][j] */
        nd = 0;
        deps[nd++] = LW(i, k);
        deps[nd++] = LW(k, j);
        if (LW(i, j) != AATGS_TASK_NONE) deps[nd++] = LW(i, j);
        ADD(t_gemm, 6 * unit, "lu_gemm(%u,%u,%u)", k, i, j);
        LW(i, j) = id;
      }
    }
  }
#undef ADD
#undef LW
done:
  free(lw);
  return rc;
}

/* ---- gaussian_elimination ---- */

static void ge_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t n = arg_u(a, "n");
  *tasks = n ? (n - 1) + n * (n - 1) / 2 : 0;
  *edges = n >= 2 ? (n - 2) + (n - 1) * (n - 1) : 0;
}

/* Ids: step by step, P_k then U_{k,k+1} .. U_{k,n-1}. */
static int ge_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint32_t type, id, piv, deps[2], *upd = NULL; /* upd[j]: U_{k-1,j} of the previous step */
  aatgs_rng r;
  const aatgs_dist *est = &arg(a, "est")->dist;
  uint64_t n = arg_u(a, "n");
  int rc = resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  upd = malloc((size_t)n * sizeof *upd);
  if (!upd) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  seed_rng(&r, a, seed);
  for (uint64_t k = 0; k + 1 < n; k++) {
    rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), &upd[k], k ? 1 : 0, &piv, err);
    if (rc != AATGS_OK) goto fail;
    for (uint64_t j = k + 1; j < n; j++) {
      deps[0] = piv;
      deps[1] = k ? upd[j] : 0;
      rc = aatgs_graph_add_task(g, type, aatgs_dist_sample(est, &r), deps, k ? 2 : 1, &id, err);
      if (rc != AATGS_OK) goto fail;
      upd[j] = id;
    }
  }
fail:
  free(upd);
  return rc;
}

/* ---- registry ---- */

static const aatgs_generator generators[] = {
    {"chain", "n tasks in a line", "Task i depends on task i-1. Tasks: n. Edges: n - 1.",
     chain_params, NPARAMS(chain_params), chain_size, chain_build},
    {"fork_join", "stages of fork -> width parallel tasks -> join",
     "Each stage is a fork task, `width` tasks that depend on it, and a join task that depends "
     "on all of them; the fork of stage s > 0 depends on the join of stage s-1. Tasks: "
     "stages x (width + 2). Edges: 2 x stages x width + stages - 1.",
     fork_join_params, NPARAMS(fork_join_params), fork_join_size, fork_join_build},
    {"layered", "random layered DAG, parents drawn from the previous layer",
     "layers x width tasks, numbered layer by layer. Each task of layer l > 0 draws k = min(width, "
     "1 + Poisson(degree - 1)) distinct parents uniformly from layer l-1 (mean about degree); "
     "layer 0 tasks are roots. Every edge goes from layer l-1 to layer l. Tasks: layers x width. "
     "Edges: random, expected (layers - 1) x width x degree when degree << width.",
     layered_params, NPARAMS(layered_params), layered_size, layered_build},
    {"phase_pipeline", "the report's six-phase pipeline, iterations x replicas",
     "Per replica and iteration: config_upload -> whcr -> thermodynamic -> quantum -> lbs -> "
     "telemetry_download; whcr of iteration i > 0 also depends on lbs of iteration i-1 of the "
     "same replica. With transition_every = k > 0, a phase_transition after iteration i when "
     "(i+1) mod k = 0 depends on that iteration's telemetry_download of every replica, and the "
     "config_upload of every replica in iteration i+1 depends on it. Config uploads move "
     "config_bytes, telemetry downloads 4 x record_bytes (one record per kernel). With I "
     "iterations, R replicas, T = floor(I/k), T' = floor((I-1)/k) (both 0 when k = 0): tasks "
     "6IR + T; edges 5IR + R(I-1) + RT + RT'.",
     pipeline_params, NPARAMS(pipeline_params), pipeline_size, pipeline_build},
    {"cholesky", "tiled Cholesky factorization (POTRF, TRSM, SYRK, GEMM tiles)",
     "Right-looking, lower, N x N tiles of b x b doubles: potrf(k) factors A[k][k]; trsm(k,i), "
     "i > k, solves A[i][k]; syrk(k,i) updates A[i][i]; gemm(k,i,j), i > j > k, updates "
     "A[i][j]; each task depends on the last writer of every tile it touches. Tasks: "
     "N(N+1)(N+2)/6. Edges: (N-1)N(N+1)/2. Every task carries b x b x 8 bytes and a label "
     "such as gemm(k,i,j), from which the cuda backend runs the real cuSOLVER/cuBLAS kernels.",
     cholesky_params, NPARAMS(cholesky_params), cholesky_size, cholesky_build},
    {"erdos_renyi", "random DAG: each pair i < j gets edge i -> j with probability p",
     "n tasks; for every pair i < j, independently, edge i -> j with probability p (drawn from "
     "the seed), so every edge goes from a lower to a higher id. Tasks: n. Edges: random, "
     "binomial(n(n-1)/2, p), expected p x n(n-1)/2 (the size hint).",
     erdos_renyi_params, NPARAMS(erdos_renyi_params), erdos_renyi_size, erdos_renyi_build},
    {"stencil", "1D three-point stencil over width cells and steps time steps (diamond DAG)",
     "Task (t, i), id t x width + i, depends on (t-1, i-1), (t-1, i) and (t-1, i+1) where "
     "they exist. Tasks: width x steps. Edges: (steps - 1) x (3 x width - 2) (width 1: "
     "steps - 1). Depth: steps.",
     stencil_params, NPARAMS(stencil_params), stencil_size, stencil_build},
    {"fft", "radix-2 FFT butterfly over 2^k points",
     "k + 1 levels of 2^k tasks (level 0: the inputs); task (l, i), id l x 2^k + i, l >= 1, "
     "depends on (l-1, i) and (l-1, i XOR 2^(l-1)). Tasks: (k + 1) x 2^k. Edges: 2k x 2^k. "
     "Depth: k + 1.",
     fft_params, NPARAMS(fft_params), fft_size, fft_build},
    {"lu", "tiled LU factorization without pivoting (GETRF, TRSM, GEMM tiles)",
     "Right-looking, N x N tiles of b x b doubles: getrf(k) factors A[k][k]; trsm_u(k,j), "
     "j > k, solves A[k][j]; trsm_l(k,i), i > k, solves A[i][k]; gemm(k,i,j), i, j > k, "
     "updates A[i][j]; each task depends on the last writer of every tile it touches. "
     "Estimates in units of b^3/3 flops: getrf 2, trsm_l 3, trsm_u 3, gemm 6. Tasks: "
     "N + N(N-1) + (N-1)N(2N-1)/6. Edges: N(N-1)(2N+1)/2. Every task carries b x b x 8 bytes "
     "and a label: getrf(k), trsm_u(k,j), trsm_l(k,i), lu_gemm(k,i,j).",
     lu_params, NPARAMS(lu_params), lu_size, lu_build},
    {"gaussian_elimination", "the classic Gaussian elimination task graph of an n x n matrix",
     "For k = 0 .. n-2: a pivot task P_k and update tasks U_{k,j}, j = k+1 .. n-1; P_k "
     "(k > 0) depends on U_{k-1,k}; U_{k,j} depends on P_k and (k > 0) on U_{k-1,j}. Ids step "
     "by step: P_k, then U_{k,k+1} .. U_{k,n-1}. Tasks: (n-1) + n(n-1)/2. Edges: "
     "(n-2) + (n-1)^2. Depth: 2(n-1).",
     gaussian_elimination_params, NPARAMS(gaussian_elimination_params), ge_size, ge_build},
    AATGS__GEN_HEFT_LAYERED,
    AATGS__GEN_DAGGEN,
    AATGS__GEN_WORKFLOW,
};
#define NUM_GENERATORS (sizeof generators / sizeof generators[0])

size_t aatgs_generator_count(void) { return NUM_GENERATORS; }

const aatgs_generator *aatgs_generator_at(size_t i) {
  return i < NUM_GENERATORS ? &generators[i] : NULL;
}

const aatgs_generator *aatgs_generator_find(const char *name) {
  for (size_t i = 0; i < NUM_GENERATORS; i++)
    if (strcmp(generators[i].name, name) == 0) return &generators[i];
  return NULL;
}

void aatgs_generator_names(char *buf, size_t cap) {
  size_t used = 0;
  if (cap == 0) return;
  buf[0] = '\0';
  for (size_t i = 0; i < NUM_GENERATORS; i++) {
    int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", generators[i].name);
    if (n < 0 || (size_t)n >= cap - used) return;
    used += (size_t)n;
  }
}

const aatgs_gen_param *aatgs_generator_param(const aatgs_generator *g, const char *name,
                                             size_t *index) {
  for (size_t i = 0; i < g->nparams; i++) {
    if (strcmp(g->params[i].name, name) == 0) {
      if (index) *index = i;
      return &g->params[i];
    }
  }
  return NULL;
}

/* ---- arguments ---- */

static int param_value(const aatgs_gen_param *p, const char *text, const char *origin,
                       aatgs_gen_value *v, aatgs_err *err) {
  char lo[32], hi[32];
  switch (p->kind) {
  case AATGS_PARAM_UINT: {
    uint64_t u;
    if (aatgs__parse_uint(text, &u) != 0)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: expected an unsigned integer, got \"%s\"",
                           p->name, text);
    if ((double)u < p->min || (double)u > p->max)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: %llu is out of range [%.0f, %.0f]", p->name,
                           (unsigned long long)u, p->min, p->max);
    v->u = u;
    return AATGS_OK;
  }
  case AATGS_PARAM_DOUBLE: {
    double d;
    if (aatgs__parse_double(text, &d) != 0)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a number, got \"%s\"", p->name, text);
    if (d < p->min || d > p->max)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: %s is out of range [%g, %g]", p->name, text,
                           p->min, p->max);
    v->d = d;
    return AATGS_OK;
  }
  case AATGS_PARAM_DURATION: {
    aatgs_ns ns;
    if (aatgs__parse_duration(text, &ns) != 0)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a duration like 5ms, got \"%s\"",
                           p->name, text);
    if ((double)ns < p->min || (double)ns > p->max) {
      fmt_duration(lo, sizeof lo, (aatgs_ns)p->min);
      fmt_duration(hi, sizeof hi, (aatgs_ns)p->max);
      return aatgs_err_set(err, AATGS_EINVAL, "%s: %s is out of range [%s, %s]", p->name, text, lo,
                           hi);
    }
    v->ns = ns;
    return AATGS_OK;
  }
  case AATGS_PARAM_DIST: {
    int rc = aatgs_dist_parse_at(&v->dist, text, origin, err);
    if (rc != AATGS_OK) return aatgs_err_prefix(err, "%s", p->name);
    return AATGS_OK;
  }
  case AATGS_PARAM_TYPE: {
    size_t n = strlen(text);
    if (n == 0 || n >= AATGS_TYPE_NAME_MAX)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a type name of 1 to %d characters",
                           p->name, AATGS_TYPE_NAME_MAX - 1);
    memcpy(v->type, text, n + 1);
    return AATGS_OK;
  }
  case AATGS_PARAM_CHOICE: return aatgs__param_choice_value(p, text, v, err);
  }
  return aatgs_err_set(err, AATGS_EINVAL, "%s: invalid parameter kind", p->name);
}

void aatgs_gen_args_init(aatgs_gen_args *a, const aatgs_generator *gen) {
  memset(a, 0, sizeof *a);
  a->gen = gen;
  for (size_t i = 0; i < gen->nparams && i < AATGS_GEN_MAX_PARAMS; i++)
    (void)param_value(&gen->params[i], gen->params[i].def, NULL, &a->v[i], NULL);
}

static int unknown_param(const aatgs_gen_args *a, const char *name, aatgs_err *err) {
  char valid[256];
  size_t used = 0;
  valid[0] = '\0';
  for (size_t i = 0; i < a->gen->nparams; i++) {
    int n =
        snprintf(valid + used, sizeof valid - used, "%s%s", i ? ", " : "", a->gen->params[i].name);
    if (n < 0 || (size_t)n >= sizeof valid - used) break;
    used += (size_t)n;
  }
  return aatgs_err_set(err, AATGS_ENOENT, "unknown parameter \"%s\" for generator %s (valid: %s)",
                       name, a->gen->name, valid);
}

int aatgs_gen_args_set(aatgs_gen_args *a, const char *name, const char *text, aatgs_err *err) {
  size_t i;
  const aatgs_gen_param *p = aatgs_generator_param(a->gen, name, &i);
  aatgs_gen_value v;
  if (!p) return unknown_param(a, name, err);
  v = a->v[i];
  int rc = param_value(p, text, a->origin, &v, err);
  if (rc != AATGS_OK) return rc;
  if (p->kind == AATGS_PARAM_DIST) aatgs_dist_free(&a->v[i].dist); /* the model replaced */
  a->v[i] = v;
  a->given[i] = 1;
  return AATGS_OK;
}

int aatgs_gen_args_set_dist(aatgs_gen_args *a, const char *name, const aatgs_dist *d,
                            aatgs_err *err) {
  size_t i;
  const aatgs_gen_param *p = aatgs_generator_param(a->gen, name, &i);
  if (!p) return unknown_param(a, name, err);
  if (p->kind != AATGS_PARAM_DIST)
    return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a single value, not a mapping", name);
  int rc = aatgs_dist_check(d, err);
  if (rc != AATGS_OK) return aatgs_err_prefix(err, "%s", name);
  if (a->v[i].dist.table != d->table) aatgs_dist_free(&a->v[i].dist);
  a->v[i].dist = *d;
  a->given[i] = 1;
  return AATGS_OK;
}

void aatgs_gen_args_free(aatgs_gen_args *a) {
  if (!a || !a->gen) return;
  for (size_t i = 0; i < a->gen->nparams && i < AATGS_GEN_MAX_PARAMS; i++)
    if (a->gen->params[i].kind == AATGS_PARAM_DIST) aatgs_dist_free(&a->v[i].dist);
}

const aatgs_gen_value *aatgs_gen_args_get(const aatgs_gen_args *a, const char *name) {
  size_t i;
  if (!a->gen || !aatgs_generator_param(a->gen, name, &i)) return NULL;
  return &a->v[i];
}

static void dist_json(aatgs__sb *b, const aatgs_dist *d) {
  aatgs__sb_printf(b, "{\"dist\":\"%s\"", dist_names[d->kind]);
  for (size_t i = 0; i < NUM_DIST_FIELDS; i++) {
    const dist_field *f = &dist_fields[i];
    if (f->kind != d->kind) continue;
    const char *base = (const char *)d + f->offset;
    aatgs__sb_printf(b, ",\"%s\":", f->name);
    if (f->is_real == 2) { /* the file as written, its size and a hash of its values */
      aatgs__sb_quoted(b, d->table ? d->table->file : "");
      aatgs__sb_printf(b, ",\"n\":%u,\"values_fnv\":\"%016llx\"", d->table ? d->table->n : 0,
                       d->table ? (unsigned long long)d->table->hash : 0ULL);
    } else if (f->is_real) {
      double x;
      memcpy(&x, base, sizeof x);
      aatgs__sb_double(b, x);
    } else {
      aatgs_ns x;
      memcpy(&x, base, sizeof x);
      aatgs__sb_printf(b, "%lld", (long long)x);
    }
  }
  aatgs__sb_printf(b, "}");
}

char *aatgs_gen_args_json(const aatgs_gen_args *a) {
  aatgs__sb b = {0};
  aatgs__sb_printf(&b, "{\"generator\":");
  aatgs__sb_quoted(&b, a->gen->name);
  for (size_t i = 0; i < a->gen->nparams; i++) {
    const aatgs_gen_param *p = &a->gen->params[i];
    const aatgs_gen_value *v = &a->v[i];
    aatgs__sb_printf(&b, ",\"%s\":", p->name);
    switch (p->kind) {
    case AATGS_PARAM_UINT: aatgs__sb_printf(&b, "%llu", (unsigned long long)v->u); break;
    case AATGS_PARAM_DOUBLE: aatgs__sb_double(&b, v->d); break;
    case AATGS_PARAM_DURATION: aatgs__sb_printf(&b, "%lld", (long long)v->ns); break;
    case AATGS_PARAM_DIST: dist_json(&b, &v->dist); break;
    case AATGS_PARAM_TYPE:
    case AATGS_PARAM_CHOICE: aatgs__sb_quoted(&b, v->type); break;
    }
  }
  aatgs__sb_printf(&b, "}");
  return aatgs__sb_take(&b);
}

int aatgs_gen_generate(const aatgs_gen_args *a, uint64_t seed, aatgs_graph **out, aatgs_err *err) {
  uint64_t tasks, edges;
  aatgs_graph *g = NULL;
  int rc;
  *out = NULL;
  a->gen->size(a, &tasks, &edges);
  if (tasks > MAX_TASKS)
    return aatgs_err_set(err, AATGS_EINVAL, "%s: %llu tasks is more than the limit of %llu",
                         a->gen->name, (unsigned long long)tasks, (unsigned long long)MAX_TASKS);
  rc = aatgs_graph_create(&g, (uint32_t)tasks, edges);
  if (rc != AATGS_OK) {
    aatgs_err_set(err, rc, "out of memory");
    goto fail;
  }
  rc = a->gen->build(g, a, seed, err);
  if (rc != AATGS_OK) goto fail;
  rc = aatgs_graph_finalize(g, err);
  if (rc != AATGS_OK) goto fail;
  *out = g;
  return AATGS_OK;
fail:
  aatgs_graph_destroy(g);
  return rc;
}
