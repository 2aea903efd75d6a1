/* perturb.c - perturbations: parsing, JSON provenance and the draws the
 * backends use (see perturb.h). */
#include "perturb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlutil.h"

/* Keys of the counter-based draws, apart from the noise_cv noise's. */
#define SEED_MISESTIMATE 0x6d69736573746dULL
#define SEED_BURSTS 0x627572737473ULL

/* Longest exponential burst relative to the mean gap: a merged burst holds
 * about exp(duration / every) bursts, so larger ratios would not end. */
#define MAX_BURST_RATIO 8.0
#define MAX_FACTOR 1000.0
#define MAX_COUNT 1000000u
#define FACTOR_FLOOR 0.001

void aatgs_perturb_init(aatgs_perturb *p) {
  memset(p, 0, sizeof *p);
  p->misestimate.factor = 1.0;
  p->interference.at = -1;
}

int aatgs_perturb_any(const aatgs_perturb *p) {
  return p && (p->misestimate.on || p->interference.on || p->nslow > 0 || p->config_storm.on ||
               p->telemetry_flood.on);
}

/* ---- factor models ---- */

static const char *const factor_names[] = {"fixed", "uniform", "normal", "lognormal", "bimodal"};
static const int factor_nargs[] = {1, 2, 2, 2, 3};

static int factor_check(const aatgs_factor_dist *d, aatgs_err *err) {
  switch (d->kind) {
  case AATGS_FACTOR_FIXED:
    if (!(d->a > 0 && d->a <= MAX_FACTOR))
      return aatgs_err_set(err, AATGS_EINVAL, "fixed: the factor must be in (0, %g]", MAX_FACTOR);
    return AATGS_OK;
  case AATGS_FACTOR_UNIFORM:
    if (!(d->a > 0 && d->b >= d->a && d->b <= MAX_FACTOR))
      return aatgs_err_set(err, AATGS_EINVAL, "uniform: need 0 < lo <= hi <= %g", MAX_FACTOR);
    return AATGS_OK;
  case AATGS_FACTOR_NORMAL:
    if (!(d->a > 0 && d->a <= MAX_FACTOR && d->b >= 0 && d->b <= MAX_FACTOR))
      return aatgs_err_set(err, AATGS_EINVAL, "normal: need 0 < mean <= %g and 0 <= sd <= %g",
                           MAX_FACTOR, MAX_FACTOR);
    return AATGS_OK;
  case AATGS_FACTOR_LOGNORMAL:
    if (!(d->a > 0 && d->a <= MAX_FACTOR && d->b >= 0 && d->b <= 10))
      return aatgs_err_set(err, AATGS_EINVAL, "lognormal: need 0 < mean <= %g and 0 <= cv <= 10",
                           MAX_FACTOR);
    return AATGS_OK;
  case AATGS_FACTOR_BIMODAL:
    if (!(d->a > 0 && d->a <= MAX_FACTOR && d->b > 0 && d->b <= MAX_FACTOR && d->p >= 0 &&
          d->p <= 1))
      return aatgs_err_set(err, AATGS_EINVAL, "bimodal: need factors in (0, %g] and 0 <= p <= 1",
                           MAX_FACTOR);
    return AATGS_OK;
  }
  return aatgs_err_set(err, AATGS_EINVAL, "invalid factor model");
}

int aatgs_factor_parse(aatgs_factor_dist *d, const char *text, aatgs_err *err) {
  char buf[256];
  double x[3] = {0, 0, 0};
  memset(d, 0, sizeof *d);
  if (aatgs__parse_double(text, &x[0]) == 0) {
    d->kind = AATGS_FACTOR_FIXED;
    d->a = x[0];
    return factor_check(d, err);
  }
  size_t tl = strlen(text);
  const char *open = strchr(text, '(');
  if (!open || tl < 3 || text[tl - 1] != ')' || tl >= sizeof buf)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "expected a factor like 2 or a model like lognormal(1, 0.5), got \"%s\"",
                         text);
  memcpy(buf, text, tl - 1);
  buf[tl - 1] = '\0';
  buf[open - text] = '\0';
  char *name = buf;
  while (*name == ' ')
    name++;
  for (char *e = name + strlen(name); e > name && e[-1] == ' ';)
    *--e = '\0';
  int kind = -1;
  for (int k = 0; k < 5; k++)
    if (strcmp(name, factor_names[k]) == 0) kind = k;
  if (kind < 0)
    return aatgs_err_set(err, AATGS_ENOENT,
                         "unknown factor model \"%s\" (known: fixed, uniform, normal, lognormal, "
                         "bimodal)",
                         name);
  char *args = buf + (open - text) + 1;
  int n = 0;
  for (char *tok = args; tok;) {
    char *comma = strchr(tok, ',');
    if (comma) *comma = '\0';
    while (*tok == ' ')
      tok++;
    for (char *e = tok + strlen(tok); e > tok && e[-1] == ' ';)
      *--e = '\0';
    if (n == factor_nargs[kind])
      return aatgs_err_set(err, AATGS_EINVAL, "%s takes %d arguments, got more in \"%s\"",
                           factor_names[kind], factor_nargs[kind], text);
    if (aatgs__parse_double(tok, &x[n]) != 0)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a number, got \"%s\"",
                           factor_names[kind], tok);
    n++;
    tok = comma ? comma + 1 : NULL;
  }
  if (n != factor_nargs[kind])
    return aatgs_err_set(err, AATGS_EINVAL, "%s takes %d arguments, got %d in \"%s\"",
                         factor_names[kind], factor_nargs[kind], n, text);
  d->kind = (aatgs_factor_kind)kind;
  d->a = x[0];
  d->b = x[1];
  d->p = x[2];
  return factor_check(d, err);
}

/* A draw from uniforms u1, u2 in (0, 1). */
static double factor_draw(const aatgs_factor_dist *d, double u1, double u2) {
  double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2), x;
  switch (d->kind) {
  case AATGS_FACTOR_FIXED: return d->a;
  case AATGS_FACTOR_UNIFORM: return d->a + (d->b - d->a) * u1;
  case AATGS_FACTOR_NORMAL: x = d->a + d->b * z; return x < FACTOR_FLOOR ? FACTOR_FLOOR : x;
  case AATGS_FACTOR_LOGNORMAL: {
    double s2 = log(1.0 + d->b * d->b);
    return d->a * exp(-0.5 * s2 + sqrt(s2) * z);
  }
  case AATGS_FACTOR_BIMODAL: return u1 < d->p ? d->b : d->a;
  }
  return 1.0;
}

static void factor_text(aatgs__sb *b, const aatgs_factor_dist *d) {
  aatgs__sb_printf(b, "\"%s(", factor_names[d->kind]);
  double x[3] = {d->a, d->b, d->p};
  for (int i = 0; i < factor_nargs[d->kind]; i++) {
    if (i) aatgs__sb_printf(b, ", ");
    aatgs__sb_double(b, x[i]);
  }
  aatgs__sb_printf(b, ")\"");
}

/* ---- YAML ---- */

typedef struct pctx {
  aatgs__ydoc *doc;
  const char *origin;
  const aatgs_graph *types;
  aatgs_err *err;
} pctx;

#define PAIRS(q, map)                                                                              \
  for (yaml_node_pair_t *q = (map)->data.mapping.pairs.start; q < (map)->data.mapping.pairs.top;   \
       q++)

static int want_map(pctx *c, const yaml_node_t *n, const char *what) {
  if (!n || n->type != YAML_MAPPING_NODE)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: expected a mapping, got %s", what,
                       aatgs__ykind(n));
  return aatgs__ymap_check(c->doc, n, c->err);
}

static int get_real(pctx *c, const yaml_node_t *n, const char *what, double lo, double hi,
                    int lo_open, double *out) {
  const char *v = aatgs__yscalar(n);
  double x;
  if (!v || aatgs__parse_double(v, &x) != 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: expected a number, got %s%s%s",
                       what, v ? "\"" : "", v ? v : aatgs__ykind(n), v ? "\"" : "");
  if ((lo_open ? x <= lo : x < lo) || x > hi)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: %s is out of range %c%g, %g]", what,
                       v, lo_open ? '(' : '[', lo, hi);
  *out = x;
  return AATGS_OK;
}

static int get_count(pctx *c, const yaml_node_t *n, const char *what, uint64_t lo, uint64_t hi,
                     uint32_t *out) {
  const char *v = aatgs__yscalar(n);
  uint64_t u;
  if (!v || aatgs__parse_uint(v, &u) != 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n,
                       "%s: expected an unsigned integer, got %s%s%s", what, v ? "\"" : "",
                       v ? v : aatgs__ykind(n), v ? "\"" : "");
  if (u < lo || u > hi)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: %s is out of range [%llu, %llu]",
                       what, v, (unsigned long long)lo, (unsigned long long)hi);
  *out = (uint32_t)u;
  return AATGS_OK;
}

/* A duration >= 0 (> 0 when positive is set). */
static int get_time(pctx *c, const yaml_node_t *n, const char *what, int positive, aatgs_ns *out) {
  const char *v = aatgs__yscalar(n);
  aatgs_ns ns;
  if (!v || aatgs__parse_duration(v, &ns) != 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n,
                       "%s: expected a duration like 50ms, got %s%s%s", what, v ? "\"" : "",
                       v ? v : aatgs__ykind(n), v ? "\"" : "");
  if (positive && ns < 1)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: must be greater than 0", what);
  *out = ns;
  return AATGS_OK;
}

static int unknown_key(pctx *c, const yaml_node_t *k, const char *where, const char *valid) {
  return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k, "unknown key \"%s\" in %s (valid: %s)",
                     aatgs__yscalar(k), where, valid);
}

static int missing(pctx *c, const yaml_node_t *map, const char *where, const char *key) {
  return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, map, "%s: missing %s", where, key);
}

static int check_type_name(pctx *c, const yaml_node_t *k, const char *name) {
  uint32_t id;
  size_t len = strlen(name);
  if (len == 0 || len >= AATGS_TYPE_NAME_MAX)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k,
                       "misestimate.types: a type name has 1 to %d characters",
                       AATGS_TYPE_NAME_MAX - 1);
  if (!c->types || aatgs_graph_find_type(c->types, name, &id) == AATGS_OK) return AATGS_OK;
  char known[320];
  size_t used = 0;
  known[0] = '\0';
  for (uint32_t i = 0; i < aatgs_graph_num_types(c->types); i++) {
    const aatgs_type_info *t = aatgs_graph_type(c->types, i);
    int w = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", t ? t->name : "?");
    if (w < 0 || (size_t)w >= sizeof known - used) break;
    used += (size_t)w;
  }
  return aatgs__yerr(c->err, AATGS_ENOENT, c->origin, k,
                     "misestimate.types: unknown task type \"%s\" (known: %s)", name, known);
}

static int parse_misestimate(pctx *c, yaml_node_t *map, aatgs_perturb *p) {
  int rc = want_map(c, map, "misestimate");
  if (rc != AATGS_OK) return rc;
  PAIRS(q, map) {
    yaml_node_t *k = aatgs__ydoc_node(c->doc, q->key), *v = aatgs__ydoc_node(c->doc, q->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "factor") == 0) {
      rc = get_real(c, v, "misestimate.factor", 0, MAX_FACTOR, 1, &p->misestimate.factor);
    } else if (strcmp(key, "dist") == 0) {
      const char *text = aatgs__yscalar(v);
      if (!text)
        return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v,
                           "misestimate.dist: expected a model like \"lognormal(1, 0.5)\", got %s",
                           aatgs__ykind(v));
      rc = aatgs_factor_parse(&p->misestimate.dist, text, c->err);
      if (rc != AATGS_OK) {
        aatgs_err_prefix(c->err, "misestimate.dist");
        return aatgs__yerr_at(c->err, c->origin, v);
      }
      p->misestimate.has_dist = 1;
    } else if (strcmp(key, "types") == 0) {
      rc = want_map(c, v, "misestimate.types");
      if (rc != AATGS_OK) return rc;
      PAIRS(t, v) {
        yaml_node_t *tk = aatgs__ydoc_node(c->doc, t->key);
        yaml_node_t *tv = aatgs__ydoc_node(c->doc, t->value);
        const char *name = aatgs__yscalar(tk);
        if (p->misestimate.ntypes == AATGS_PERTURB_MAX_TYPES)
          return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, tk,
                             "misestimate.types: more than %d types", AATGS_PERTURB_MAX_TYPES);
        rc = check_type_name(c, tk, name);
        if (rc != AATGS_OK) return rc;
        aatgs_perturb_type *pt = &p->misestimate.types[p->misestimate.ntypes];
        rc = get_real(c, tv, name, 0, MAX_FACTOR, 1, &pt->factor);
        if (rc != AATGS_OK) return rc;
        snprintf(pt->type, sizeof pt->type, "%s", name);
        p->misestimate.ntypes++;
      }
    } else {
      rc = unknown_key(c, k, "misestimate", "factor, dist, types");
    }
    if (rc != AATGS_OK) return rc;
  }
  p->misestimate.on = 1;
  return AATGS_OK;
}

static int parse_interference(pctx *c, yaml_node_t *map, aatgs_perturb *p) {
  int rc = want_map(c, map, "interference");
  int has_every = 0, has_dur = 0, has_slow = 0;
  if (rc != AATGS_OK) return rc;
  PAIRS(q, map) {
    yaml_node_t *k = aatgs__ydoc_node(c->doc, q->key), *v = aatgs__ydoc_node(c->doc, q->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "every") == 0) {
      rc = get_time(c, v, "interference.every", 1, &p->interference.every);
      has_every = 1;
    } else if (strcmp(key, "duration") == 0) {
      rc = get_time(c, v, "interference.duration", 1, &p->interference.duration);
      has_dur = 1;
    } else if (strcmp(key, "slowdown") == 0) {
      rc = get_real(c, v, "interference.slowdown", 1, MAX_FACTOR, 0, &p->interference.slowdown);
      has_slow = 1;
    } else if (strcmp(key, "at") == 0) {
      rc = get_time(c, v, "interference.at", 0, &p->interference.at);
    } else if (strcmp(key, "gaps") == 0) {
      const char *g = aatgs__yscalar(v);
      if (g && strcmp(g, "fixed") == 0)
        p->interference.fixed_gaps = 1;
      else if (g && strcmp(g, "exponential") == 0)
        p->interference.fixed_gaps = 0;
      else
        rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v,
                         "interference.gaps: expected exponential or fixed, got %s%s%s",
                         g ? "\"" : "", g ? g : aatgs__ykind(v), g ? "\"" : "");
    } else {
      rc = unknown_key(c, k, "interference", "every, duration, slowdown, at, gaps");
    }
    if (rc != AATGS_OK) return rc;
  }
  if (!has_every) return missing(c, map, "interference", "every (mean time between bursts)");
  if (!has_dur) return missing(c, map, "interference", "duration (of each burst)");
  if (!has_slow) return missing(c, map, "interference", "slowdown (e.g. 3: kernels 3x slower)");
  if (!p->interference.fixed_gaps &&
      (double)p->interference.duration > MAX_BURST_RATIO * (double)p->interference.every)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, map,
                       "interference: with exponential gaps, duration must be at most %g x every "
                       "(for a burst that never ends use gaps: fixed with duration >= every)",
                       MAX_BURST_RATIO);
  p->interference.on = 1;
  return AATGS_OK;
}

static int parse_slow_one(pctx *c, yaml_node_t *map, aatgs_perturb *p) {
  int rc = want_map(c, map, "slow_stream");
  int has_stream = 0, has_factor = 0;
  aatgs_perturb_slow sl = {0, 1.0};
  if (rc != AATGS_OK) return rc;
  PAIRS(q, map) {
    yaml_node_t *k = aatgs__ydoc_node(c->doc, q->key), *v = aatgs__ydoc_node(c->doc, q->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "stream") == 0) {
      rc = get_count(c, v, "slow_stream.stream", 0, 1023, &sl.stream);
      has_stream = 1;
    } else if (strcmp(key, "factor") == 0) {
      rc = get_real(c, v, "slow_stream.factor", 0, MAX_FACTOR, 1, &sl.factor);
      has_factor = 1;
    } else {
      rc = unknown_key(c, k, "slow_stream", "stream, factor");
    }
    if (rc != AATGS_OK) return rc;
  }
  if (!has_stream) return missing(c, map, "slow_stream", "stream (a kernel stream index)");
  if (!has_factor) return missing(c, map, "slow_stream", "factor (e.g. 2: twice as slow)");
  for (uint32_t i = 0; i < p->nslow; i++)
    if (p->slow[i].stream == sl.stream)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, map, "slow_stream: stream %u given twice",
                         sl.stream);
  if (p->nslow == AATGS_PERTURB_MAX_SLOW)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, map, "slow_stream: more than %d streams",
                       AATGS_PERTURB_MAX_SLOW);
  p->slow[p->nslow++] = sl;
  return AATGS_OK;
}

static int parse_slow(pctx *c, yaml_node_t *n, aatgs_perturb *p) {
  if (n && n->type == YAML_SEQUENCE_NODE) {
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
      int rc = parse_slow_one(c, aatgs__ydoc_node(c->doc, *it), p);
      if (rc != AATGS_OK) return rc;
    }
    if (p->nslow == 0)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "slow_stream: the list is empty");
    return AATGS_OK;
  }
  return parse_slow_one(c, n, p);
}

static int parse_storm(pctx *c, yaml_node_t *map, aatgs_perturb *p) {
  int rc = want_map(c, map, "config_storm"), has_count = 0;
  if (rc != AATGS_OK) return rc;
  PAIRS(q, map) {
    yaml_node_t *k = aatgs__ydoc_node(c->doc, q->key), *v = aatgs__ydoc_node(c->doc, q->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "at") == 0) {
      rc = get_time(c, v, "config_storm.at", 0, &p->config_storm.at);
    } else if (strcmp(key, "every") == 0) {
      rc = get_time(c, v, "config_storm.every", 0, &p->config_storm.every);
    } else if (strcmp(key, "count") == 0) {
      rc = get_count(c, v, "config_storm.count", 1, MAX_COUNT, &p->config_storm.count);
      has_count = 1;
    } else {
      rc = unknown_key(c, k, "config_storm", "at, count, every");
    }
    if (rc != AATGS_OK) return rc;
  }
  if (!has_count) return missing(c, map, "config_storm", "count (extra config uploads)");
  p->config_storm.on = 1;
  return AATGS_OK;
}

static int parse_flood(pctx *c, yaml_node_t *map, aatgs_perturb *p) {
  int rc = want_map(c, map, "telemetry_flood"), has_dur = 0, has_per = 0;
  if (rc != AATGS_OK) return rc;
  PAIRS(q, map) {
    yaml_node_t *k = aatgs__ydoc_node(c->doc, q->key), *v = aatgs__ydoc_node(c->doc, q->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "at") == 0) {
      rc = get_time(c, v, "telemetry_flood.at", 0, &p->telemetry_flood.at);
    } else if (strcmp(key, "duration") == 0) {
      rc = get_time(c, v, "telemetry_flood.duration", 1, &p->telemetry_flood.duration);
      has_dur = 1;
    } else if (strcmp(key, "per_kernel") == 0) {
      rc = get_count(c, v, "telemetry_flood.per_kernel", 1, MAX_COUNT,
                     &p->telemetry_flood.per_kernel);
      has_per = 1;
    } else {
      rc = unknown_key(c, k, "telemetry_flood", "at, duration, per_kernel");
    }
    if (rc != AATGS_OK) return rc;
  }
  if (!has_dur) return missing(c, map, "telemetry_flood", "duration (of the flood window)");
  if (!has_per) return missing(c, map, "telemetry_flood", "per_kernel (extra records per kernel)");
  p->telemetry_flood.on = 1;
  return AATGS_OK;
}

int aatgs__perturb_parse_node(aatgs_perturb *p, struct aatgs__ydoc *doc, struct yaml_node_s *map,
                              const aatgs_graph *types, aatgs_err *err) {
  pctx c = {doc, doc->origin, types, err};
  aatgs_perturb_init(p);
  int rc = want_map(&c, map, "perturb");
  if (rc != AATGS_OK) return rc;
  PAIRS(q, map) {
    yaml_node_t *k = aatgs__ydoc_node(doc, q->key), *v = aatgs__ydoc_node(doc, q->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "misestimate") == 0)
      rc = parse_misestimate(&c, v, p);
    else if (strcmp(key, "interference") == 0)
      rc = parse_interference(&c, v, p);
    else if (strcmp(key, "slow_stream") == 0)
      rc = parse_slow(&c, v, p);
    else if (strcmp(key, "config_storm") == 0)
      rc = parse_storm(&c, v, p);
    else if (strcmp(key, "telemetry_flood") == 0)
      rc = parse_flood(&c, v, p);
    else
      rc = unknown_key(&c, k, "perturb",
                       "misestimate, interference, slow_stream, config_storm, telemetry_flood");
    if (rc != AATGS_OK) {
      aatgs_perturb_init(p);
      return rc;
    }
  }
  return AATGS_OK;
}

int aatgs_perturb_parse(aatgs_perturb *p, const char *origin, const char *text, size_t len,
                        aatgs_err *err) {
  aatgs__ydoc d;
  aatgs_perturb_init(p);
  int rc = aatgs__ydoc_load(&d, origin, text, len, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs__perturb_parse_node(p, &d, aatgs__ydoc_root(&d), NULL, err);
  aatgs__ydoc_free(&d);
  return rc;
}

/* ---- provenance ---- */

char *aatgs_perturb_json(const aatgs_perturb *p) {
  aatgs__sb b = {0};
  const char *sep = "";
  aatgs__sb_printf(&b, "{");
  if (p && p->misestimate.on) {
    aatgs__sb_printf(&b, "\"misestimate\":{\"factor\":");
    aatgs__sb_double(&b, p->misestimate.factor);
    if (p->misestimate.has_dist) {
      aatgs__sb_printf(&b, ",\"dist\":");
      factor_text(&b, &p->misestimate.dist);
    }
    if (p->misestimate.ntypes) {
      aatgs__sb_printf(&b, ",\"types\":{");
      for (uint32_t i = 0; i < p->misestimate.ntypes; i++) {
        aatgs__sb_printf(&b, "%s", i ? "," : "");
        aatgs__sb_quoted(&b, p->misestimate.types[i].type);
        aatgs__sb_printf(&b, ":");
        aatgs__sb_double(&b, p->misestimate.types[i].factor);
      }
      aatgs__sb_printf(&b, "}");
    }
    aatgs__sb_printf(&b, "}");
    sep = ",";
  }
  if (p && p->interference.on) {
    aatgs__sb_printf(&b, "%s\"interference\":{\"every\":%lld,\"duration\":%lld,\"slowdown\":", sep,
                     (long long)p->interference.every, (long long)p->interference.duration);
    aatgs__sb_double(&b, p->interference.slowdown);
    if (p->interference.at >= 0)
      aatgs__sb_printf(&b, ",\"at\":%lld", (long long)p->interference.at);
    aatgs__sb_printf(&b, ",\"gaps\":\"%s\"}", p->interference.fixed_gaps ? "fixed" : "exponential");
    sep = ",";
  }
  if (p && p->nslow) {
    aatgs__sb_printf(&b, "%s\"slow_stream\":[", sep);
    for (uint32_t i = 0; i < p->nslow; i++) {
      aatgs__sb_printf(&b, "%s{\"stream\":%u,\"factor\":", i ? "," : "", p->slow[i].stream);
      aatgs__sb_double(&b, p->slow[i].factor);
      aatgs__sb_printf(&b, "}");
    }
    aatgs__sb_printf(&b, "]");
    sep = ",";
  }
  if (p && p->config_storm.on) {
    aatgs__sb_printf(&b, "%s\"config_storm\":{\"at\":%lld,\"count\":%u,\"every\":%lld}", sep,
                     (long long)p->config_storm.at, p->config_storm.count,
                     (long long)p->config_storm.every);
    sep = ",";
  }
  if (p && p->telemetry_flood.on)
    aatgs__sb_printf(&b, "%s\"telemetry_flood\":{\"at\":%lld,\"duration\":%lld,\"per_kernel\":%u}",
                     sep, (long long)p->telemetry_flood.at, (long long)p->telemetry_flood.duration,
                     p->telemetry_flood.per_kernel);
  aatgs__sb_printf(&b, "}");
  return aatgs__sb_take(&b);
}

/* ---- binding to a run ---- */

int aatgs_perturb_check(const aatgs_perturb *p, const aatgs_graph *g, uint32_t kernel_streams,
                        aatgs_err *err) {
  uint32_t id;
  if (!p) return AATGS_OK;
  for (uint32_t i = 0; i < p->misestimate.ntypes; i++)
    if (g && aatgs_graph_find_type(g, p->misestimate.types[i].type, &id) != AATGS_OK)
      return aatgs_err_set(err, AATGS_ENOENT, "perturb.misestimate.types: the graph has no type %s",
                           p->misestimate.types[i].type);
  for (uint32_t i = 0; i < p->nslow; i++)
    if (p->slow[i].stream >= kernel_streams)
      return aatgs_err_set(err, AATGS_EINVAL,
                           "perturb.slow_stream: stream %u, but the run has %u kernel streams "
                           "(0..%u)",
                           p->slow[i].stream, kernel_streams,
                           kernel_streams ? kernel_streams - 1 : 0);
  return AATGS_OK;
}

/* ---- draws ---- */

double aatgs_perturb_task_factor(const aatgs_perturb *p, const aatgs_graph *g, uint32_t task,
                                 uint64_t seed) {
  if (!p || !p->misestimate.on) return 1.0;
  double f = p->misestimate.factor;
  if (p->misestimate.ntypes) {
    const aatgs_type_info *ti = aatgs_graph_type(g, aatgs_graph_task_type(g, task));
    for (uint32_t i = 0; ti && i < p->misestimate.ntypes; i++)
      if (strcmp(ti->name, p->misestimate.types[i].type) == 0) {
        f = p->misestimate.types[i].factor;
        break;
      }
  }
  if (p->misestimate.has_dist) {
    uint64_t s = seed ^ SEED_MISESTIMATE;
    double u1 = aatgs_hash_unit(aatgs_hash64(s, 2 * (uint64_t)task));
    double u2 = aatgs_hash_unit(aatgs_hash64(s, 2 * (uint64_t)task + 1));
    f *= factor_draw(&p->misestimate.dist, u1, u2);
  }
  return f;
}

double aatgs_perturb_stream_factor(const aatgs_perturb *p, uint32_t stream) {
  for (uint32_t i = 0; p && i < p->nslow; i++)
    if (p->slow[i].stream == stream) return p->slow[i].factor;
  return 1.0;
}

uint32_t aatgs_perturb_flood(const aatgs_perturb *p, aatgs_ns t) {
  if (!p || !p->telemetry_flood.on || t < p->telemetry_flood.at ||
      t - p->telemetry_flood.at >= p->telemetry_flood.duration)
    return 0;
  return p->telemetry_flood.per_kernel;
}

aatgs_ns aatgs_perturb_storm_time(const aatgs_perturb *p, uint32_t i) {
  return p->config_storm.at + (aatgs_ns)i * p->config_storm.every;
}

/* ---- interference bursts ---- */

static aatgs_ns gap(aatgs_bursts *b) {
  const aatgs_perturb *p = b->p;
  if (p->interference.fixed_gaps) return p->interference.every;
  double u = 1.0 - aatgs_rng_uniform(&b->rng); /* (0, 1] */
  double g = -(double)p->interference.every * log(u);
  if (g > 1e17) g = 1e17;
  return g < 1.0 ? 1 : (aatgs_ns)llround(g);
}

/* Makes [start, end) the merged burst that begins at b->next. */
static void next_burst(aatgs_bursts *b) {
  const aatgs_perturb *p = b->p;
  b->start = b->next;
  b->end = b->start + p->interference.duration;
  if (p->interference.fixed_gaps && p->interference.duration >= p->interference.every) {
    b->end = INT64_MAX; /* back-to-back bursts: one that never ends */
    b->next = INT64_MAX;
    return;
  }
  b->next = b->start + gap(b);
  while (b->next <= b->end) {
    aatgs_ns e = b->next + p->interference.duration;
    if (e > b->end) b->end = e;
    b->next += gap(b);
  }
}

void aatgs_bursts_init(aatgs_bursts *b, const aatgs_perturb *p, uint64_t seed) {
  memset(b, 0, sizeof *b);
  b->p = p;
  b->start = b->end = b->next = INT64_MAX;
  if (!p || !p->interference.on) return;
  aatgs_rng_seed(&b->rng, aatgs_hash64(seed, SEED_BURSTS));
  b->next = p->interference.at >= 0 ? p->interference.at : gap(b);
  next_burst(b);
}

double aatgs_bursts_at(aatgs_bursts *b, aatgs_ns t, aatgs_ns *change) {
  if (!b->p || !b->p->interference.on) {
    *change = INT64_MAX;
    return 1.0;
  }
  while (b->end <= t)
    next_burst(b);
  if (t < b->start) {
    *change = b->start;
    return 1.0;
  }
  *change = b->end;
  return b->p->interference.slowdown;
}
