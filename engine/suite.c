/* suite.c - suite files (YAML, libyaml document API) expanded into scenario
 * variants: the cross product of each run entry's grid, every point the
 * scenario file parsed again with the point's overrides applied.
 *
 * Everything is checked at load, with the position of the suite node at
 * fault: keys, value kinds, policy names, scenario files (their own errors
 * keep their own positions, prefixed by the suite's), every override of
 * every point, duplicate variants and clashing names.
 */
#include "suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "yamlutil.h"

#define MAX_SEEDS 1000
#define MAX_REPS 100000

struct aatgs_suite {
  char *path, *name, *description;
  char **policies;
  size_t npolicies;
  uint32_t seeds, reps;
  aatgs_scenario **variants;
  int *variant_line; /* line of the run entry that made each variant */
  size_t nvariants, cap;
};

typedef struct ctx {
  aatgs__ydoc doc;
  aatgs_suite *s;
  aatgs_err *err;
  const char *origin;
} ctx;

/* One grid axis: a key and its value nodes. */
typedef struct axis {
  const char *key, *label;
  const yaml_node_t *key_node;
  const yaml_node_t **values;
  size_t nvalues;
} axis;

static const char *const top_keys = "suite, description, policies, seeds, reps, runs";
static const char *const run_keys = "scenario, name, grid";

#define PAIRS_FOR(p, map)                                                                          \
  for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top;   \
       p++)
#define ITEMS_FOR(it, seq)                                                                         \
  for (yaml_node_item_t *it = (seq)->data.sequence.items.start;                                    \
       it < (seq)->data.sequence.items.top; it++)

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

static int oom(ctx *c) {
  return aatgs_err_set(c->err, AATGS_ENOMEM, "%s: out of memory", c->origin);
}

static int get_string(ctx *c, const yaml_node_t *n, const char *field, const char **out) {
  const char *v = aatgs__yscalar(n);
  if (!v)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: expected a string, got %s", field,
                       aatgs__ykind(n));
  if (*v == '\0')
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: must not be empty", field);
  *out = v;
  return AATGS_OK;
}

static int get_uint(ctx *c, const yaml_node_t *n, const char *field, uint64_t hi, uint32_t *out) {
  const char *v = aatgs__yscalar(n);
  uint64_t u = 0;
  if (!v || aatgs__parse_uint(v, &u) != 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n,
                       "%s: expected an unsigned integer, got %s%s%s", field, v ? "\"" : "",
                       v ? v : aatgs__ykind(n), v ? "\"" : "");
  if (u < 1 || u > hi)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: %llu is out of range [1, %llu]",
                       field, (unsigned long long)u, (unsigned long long)hi);
  *out = (uint32_t)u;
  return AATGS_OK;
}

/* ---- policies: [a, b] or "a,b" ---- */

static int add_policy(ctx *c, const yaml_node_t *n, const char *name, size_t len) {
  aatgs_suite *s = c->s;
  char buf[64], known[256];
  if (len == 0 || len >= sizeof buf)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "policies: empty or overlong name");
  memcpy(buf, name, len);
  buf[len] = '\0';
  if (!aatgs_policy_find(buf)) {
    aatgs_policy_names(known, sizeof known);
    return aatgs__yerr(c->err, AATGS_ENOENT, c->origin, n, "unknown policy \"%s\" (known: %s)", buf,
                       known);
  }
  for (size_t i = 0; i < s->npolicies; i++)
    if (strcmp(s->policies[i], buf) == 0)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "policy \"%s\" is listed twice", buf);
  char **v = realloc(s->policies, (s->npolicies + 1) * sizeof *v);
  if (!v) return oom(c);
  s->policies = v;
  if (!(v[s->npolicies] = dup_str(buf))) return oom(c);
  s->npolicies++;
  return AATGS_OK;
}

static int parse_policies(ctx *c, const yaml_node_t *n) {
  int rc = AATGS_OK;
  if (n->type == YAML_SEQUENCE_NODE) {
    ITEMS_FOR(it, n) {
      const yaml_node_t *e = aatgs__ydoc_node(&c->doc, *it);
      const char *name;
      if ((rc = get_string(c, e, "policies", &name)) != AATGS_OK) return rc;
      if ((rc = add_policy(c, e, name, strlen(name))) != AATGS_OK) return rc;
    }
  } else {
    const char *list;
    if ((rc = get_string(c, n, "policies", &list)) != AATGS_OK) return rc;
    for (const char *p = list;; p++) {
      const char *comma = strchr(p, ',');
      size_t len = comma ? (size_t)(comma - p) : strlen(p);
      while (len && *p == ' ')
        p++, len--;
      while (len && p[len - 1] == ' ')
        len--;
      if ((rc = add_policy(c, n, p, len)) != AATGS_OK) return rc;
      if (!comma) break;
      p = comma;
    }
  }
  if (c->s->npolicies == 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "policies: the list is empty");
  return AATGS_OK;
}

/* ---- runs ---- */

/* The scenario path relative to the suite's folder (absolute paths as they are). */
static char *resolve_path(const char *suite_path, const char *rel) {
  const char *slash = strrchr(suite_path, '/');
  if (rel[0] == '/' || !slash) return dup_str(rel);
  size_t dl = (size_t)(slash - suite_path) + 1, rl = strlen(rel);
  char *p = malloc(dl + rl + 1);
  if (!p) return NULL;
  memcpy(p, suite_path, dl);
  memcpy(p + dl, rel, rl + 1);
  return p;
}

static int cmp_key(const void *a, const void *b) {
  const axis *x = *(const axis *const *)a, *y = *(const axis *const *)b;
  return strcmp(x->key, y->key);
}

static int parse_axes(ctx *c, const yaml_node_t *grid, axis **out, size_t *n, size_t *points) {
  int rc;
  if (grid->type != YAML_MAPPING_NODE)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, grid,
                       "grid: expected a mapping of key: [values], got %s", aatgs__ykind(grid));
  if ((rc = aatgs__ymap_check(&c->doc, grid, c->err)) != AATGS_OK) return rc;
  size_t na = (size_t)(grid->data.mapping.pairs.top - grid->data.mapping.pairs.start);
  axis *ax = calloc(na ? na : 1, sizeof *ax);
  if (!ax) return oom(c);
  *out = ax;
  *n = 0;
  *points = 1;
  PAIRS_FOR(p, grid) {
    const yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key);
    const yaml_node_t *v = aatgs__ydoc_node(&c->doc, p->value);
    axis *a = &ax[(*n)++];
    a->key = aatgs__yscalar(k);
    a->key_node = k;
    const char *dot = strrchr(a->key, '.');
    a->label = dot ? dot + 1 : a->key;
    if (*a->key == '\0' || *a->label == '\0')
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k, "grid: malformed key \"%s\"", a->key);
    if (v->type == YAML_SCALAR_NODE) {
      a->nvalues = 1;
    } else if (v->type == YAML_SEQUENCE_NODE) {
      a->nvalues = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
      if (a->nvalues == 0)
        return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v, "%s: the list of values is empty",
                           a->key);
    } else {
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v,
                         "%s: expected a value or a list of values, got %s", a->key,
                         aatgs__ykind(v));
    }
    a->values = calloc(a->nvalues, sizeof *a->values);
    if (!a->values) return oom(c);
    if (v->type == YAML_SCALAR_NODE) {
      a->values[0] = v;
    } else {
      size_t j = 0;
      ITEMS_FOR(it, v) {
        const yaml_node_t *e = aatgs__ydoc_node(&c->doc, *it);
        if (e->type != YAML_SCALAR_NODE)
          return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, e,
                             "%s: expected a single value, got %s (a duration model is written "
                             "as text, e.g. \"uniform(1ms, 9ms)\")",
                             a->key, aatgs__ykind(e));
        for (size_t i = 0; i < j; i++)
          if (strcmp(aatgs__yscalar(a->values[i]), aatgs__yscalar(e)) == 0)
            return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, e,
                               "%s: value \"%s\" is listed twice", a->key, aatgs__yscalar(e));
        a->values[j++] = e;
      }
    }
    if (*points > AATGS_SUITE_MAX_VARIANTS / a->nvalues)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, grid, "grid: more than %d points",
                         AATGS_SUITE_MAX_VARIANTS);
    *points *= a->nvalues;
  }
  /* Two keys that end alike are labelled in full. */
  for (size_t i = 0; i < *n; i++)
    for (size_t j = 0; j < *n; j++) {
      const char *di = strrchr(ax[i].key, '.'), *dj = strrchr(ax[j].key, '.');
      if (i != j && strcmp(di ? di + 1 : ax[i].key, dj ? dj + 1 : ax[j].key) == 0)
        ax[i].label = ax[i].key;
    }
  return AATGS_OK;
}

static void free_axes(axis *ax, size_t n) {
  for (size_t i = 0; ax && i < n; i++)
    free(ax[i].values);
  free(ax);
}

static int add_variant(ctx *c, aatgs_scenario *v, const yaml_node_t *run) {
  aatgs_suite *s = c->s;
  const char *hash = aatgs_scenario_hash(v), *name = aatgs_scenario_name(v);
  for (size_t i = 0; i < s->nvariants; i++) {
    if (strcmp(aatgs_scenario_hash(s->variants[i]), hash) == 0)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, run,
                         "variant \"%s\" repeats \"%s\" of the run at line %d (same scenario and "
                         "values)",
                         name, aatgs_scenario_name(s->variants[i]), s->variant_line[i]);
    if (strcmp(aatgs_scenario_name(s->variants[i]), name) == 0)
      return aatgs__yerr(
          c->err, AATGS_EINVAL, c->origin, run,
          "variant name \"%s\" is also the name of a different variant of the run at "
          "line %d; give one of the runs a name:",
          name, s->variant_line[i]);
  }
  if (s->nvariants == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 16;
    aatgs_scenario **nv = realloc(s->variants, cap * sizeof *nv);
    if (!nv) return oom(c);
    s->variants = nv;
    int *nl = realloc(s->variant_line, cap * sizeof *nl);
    if (!nl) return oom(c);
    s->variant_line = nl;
    s->cap = cap;
  }
  s->variants[s->nvariants] = v;
  s->variant_line[s->nvariants++] = aatgs__ynode_line(run);
  return AATGS_OK;
}

/* Builds one grid point: parse, apply the overrides in key order, name it. */
static int make_variant(ctx *c, const char *spath, const char *text, size_t len, const char *base,
                        axis **sorted, const axis *ax, size_t na, const size_t *idx,
                        aatgs_scenario **out) {
  aatgs_scenario *v = NULL;
  aatgs__sb nb = {0};
  int rc = aatgs_scenario_parse(&v, spath, text, len, c->err);
  if (rc != AATGS_OK) return rc;
  for (size_t i = 0; i < na; i++) {
    const axis *a = sorted[i];
    const yaml_node_t *val = a->values[idx[a - ax]];
    rc = aatgs_scenario_override(v, a->key, aatgs__yscalar(val), c->err);
    if (rc != AATGS_OK) {
      aatgs_scenario_destroy(v);
      return aatgs__yerr_at(c->err, c->origin, rc == AATGS_ENOENT ? a->key_node : val);
    }
  }
  aatgs__sb_printf(&nb, "%s", base);
  for (size_t i = 0; i < na; i++)
    aatgs__sb_printf(&nb, "%s%s=%s", i ? " " : "[", ax[i].label,
                     aatgs__yscalar(ax[i].values[idx[i]]));
  if (na) aatgs__sb_printf(&nb, "]");
  char *name = aatgs__sb_take(&nb);
  rc = name ? aatgs_scenario_set_name(v, name, c->err) : oom(c);
  free(name);
  if (rc != AATGS_OK) {
    aatgs_scenario_destroy(v);
    return rc;
  }
  *out = v;
  return AATGS_OK;
}

static int parse_run(ctx *c, const yaml_node_t *run) {
  const yaml_node_t *scen_node = NULL, *grid = NULL;
  const char *rel = NULL, *given_name = NULL;
  char *spath = NULL, *text = NULL, *base = NULL;
  size_t len = 0, na = 0, points = 1;
  axis *ax = NULL, **sorted = NULL;
  size_t *idx = NULL;
  aatgs_scenario *probe = NULL;
  int rc;
  if (run->type != YAML_MAPPING_NODE)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, run,
                       "runs: expected a mapping like {scenario: FILE, grid: {...}}, got %s",
                       aatgs__ykind(run));
  if ((rc = aatgs__ymap_check(&c->doc, run, c->err)) != AATGS_OK) return rc;
  PAIRS_FOR(p, run) {
    const yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key);
    const yaml_node_t *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "scenario") == 0) {
      scen_node = v;
      if ((rc = get_string(c, v, "scenario", &rel)) != AATGS_OK) return rc;
    } else if (strcmp(key, "name") == 0) {
      if ((rc = get_string(c, v, "name", &given_name)) != AATGS_OK) return rc;
    } else if (strcmp(key, "grid") == 0) {
      grid = v;
    } else {
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k,
                         "unknown key \"%s\" in a run (valid: %s)", key, run_keys);
    }
  }
  if (!scen_node)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, run, "run without a scenario: FILE");
  if (grid && (rc = parse_axes(c, grid, &ax, &na, &points)) != AATGS_OK) goto done;
  if (c->s->nvariants + points > AATGS_SUITE_MAX_VARIANTS) {
    rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, run, "the suite has more than %d variants",
                     AATGS_SUITE_MAX_VARIANTS);
    goto done;
  }
  if (!(spath = resolve_path(c->origin, rel))) {
    rc = oom(c);
    goto done;
  }
  rc = aatgs__read_file(spath, &text, &len, c->err);
  if (rc == AATGS_OK && aatgs_suite_is_suite(text, len))
    rc = aatgs_err_set(c->err, AATGS_EINVAL, "%s is a suite, not a scenario", spath);
  /* The scenario alone first, so its own errors are reported once. */
  if (rc == AATGS_OK) rc = aatgs_scenario_parse(&probe, spath, text, len, c->err);
  if (rc != AATGS_OK) {
    aatgs__yerr_at(c->err, c->origin, scen_node);
    goto done;
  }
  if (!(base = dup_str(given_name ? given_name : aatgs_scenario_name(probe)))) {
    rc = oom(c);
    goto done;
  }
  sorted = calloc(na ? na : 1, sizeof *sorted);
  idx = calloc(na ? na : 1, sizeof *idx);
  if (!sorted || !idx) {
    rc = oom(c);
    goto done;
  }
  for (size_t i = 0; i < na; i++)
    sorted[i] = &ax[i];
  qsort(sorted, na, sizeof *sorted, cmp_key);
  for (size_t pt = 0; pt < points; pt++) {
    aatgs_scenario *v = NULL;
    rc = make_variant(c, spath, text, len, base, sorted, ax, na, idx, &v);
    if (rc != AATGS_OK) goto done;
    if ((rc = add_variant(c, v, run)) != AATGS_OK) {
      aatgs_scenario_destroy(v);
      goto done;
    }
    /* Odometer: the last key varies fastest. */
    for (size_t i = na; i-- > 0;) {
      if (++idx[i] < ax[i].nvalues) break;
      idx[i] = 0;
    }
  }
done:
  aatgs_scenario_destroy(probe);
  free(idx);
  free(sorted);
  free(base);
  free(text);
  free(spath);
  free_axes(ax, na);
  return rc;
}

static int parse_top(ctx *c) {
  aatgs_suite *s = c->s;
  yaml_node_t *root = aatgs__ydoc_root(&c->doc), *runs = NULL;
  const char *str;
  int rc;
  if (root->type != YAML_MAPPING_NODE)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, root, "expected a mapping, got %s",
                       aatgs__ykind(root));
  if ((rc = aatgs__ymap_check(&c->doc, root, c->err)) != AATGS_OK) return rc;
  PAIRS_FOR(p, root) {
    yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *key = aatgs__yscalar(k);
    rc = AATGS_OK;
    if (strcmp(key, "suite") == 0) {
      rc = get_string(c, v, "suite", &str);
      if (rc == AATGS_OK && !(s->name = dup_str(str))) rc = oom(c);
    } else if (strcmp(key, "description") == 0) {
      str = aatgs__yscalar(v);
      if (!str)
        rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v,
                         "description: expected a string, got %s", aatgs__ykind(v));
      else if (!(s->description = dup_str(str)))
        rc = oom(c);
    } else if (strcmp(key, "policies") == 0) {
      rc = parse_policies(c, v);
    } else if (strcmp(key, "seeds") == 0) {
      rc = get_uint(c, v, "seeds", MAX_SEEDS, &s->seeds);
    } else if (strcmp(key, "reps") == 0) {
      rc = get_uint(c, v, "reps", MAX_REPS, &s->reps);
    } else if (strcmp(key, "runs") == 0) {
      runs = v;
    } else {
      rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k, "unknown key \"%s\" (valid: %s)", key,
                       top_keys);
    }
    if (rc != AATGS_OK) return rc;
  }
  if (!runs)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, root,
                       "missing runs: (a list of {scenario: FILE, grid: {...}})");
  if (runs->type != YAML_SEQUENCE_NODE ||
      runs->data.sequence.items.top == runs->data.sequence.items.start)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, runs,
                       "runs: expected a non-empty list of runs, got %s",
                       runs->type == YAML_SEQUENCE_NODE ? "an empty list" : aatgs__ykind(runs));
  ITEMS_FOR(it, runs) {
    if ((rc = parse_run(c, aatgs__ydoc_node(&c->doc, *it))) != AATGS_OK) return rc;
  }
  return AATGS_OK;
}

/* ---- public ---- */

int aatgs_suite_is_suite(const char *text, size_t len) {
  yaml_parser_t p;
  yaml_event_t ev;
  int depth = 0, is_key = 1, result = 0, done = 0;
  if (!yaml_parser_initialize(&p)) return 0;
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  while (!done) {
    if (!yaml_parser_parse(&p, &ev)) break;
    switch (ev.type) {
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
      if (depth == 0 && ev.type == YAML_SEQUENCE_START_EVENT) done = 1;
      if (depth == 1) is_key = !is_key;
      depth++;
      break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
      if (--depth == 0) done = 1;
      break;
    case YAML_SCALAR_EVENT:
      if (depth == 0) done = 1;
      if (depth == 1) {
        if (is_key && strcmp((const char *)ev.data.scalar.value, "suite") == 0) result = done = 1;
        is_key = !is_key;
      }
      break;
    case YAML_ALIAS_EVENT:
      if (depth == 1) is_key = !is_key;
      break;
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT: done = 1; break;
    default: break;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&p);
  return result;
}

int aatgs_suite_sniff(const char *path, int *is_suite, aatgs_err *err) {
  char *text = NULL;
  size_t len = 0;
  *is_suite = 0;
  int rc = aatgs__read_file(path, &text, &len, err);
  if (rc != AATGS_OK) return rc;
  *is_suite = aatgs_suite_is_suite(text, len);
  free(text);
  return AATGS_OK;
}

int aatgs_suite_parse(aatgs_suite **out, const char *origin, const char *text, size_t len,
                      aatgs_err *err) {
  ctx c;
  int rc;
  *out = NULL;
  memset(&c, 0, sizeof c);
  c.err = err;
  c.s = calloc(1, sizeof *c.s);
  if (!c.s) return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", origin);
  if (!(c.s->path = dup_str(origin))) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", origin);
    goto fail;
  }
  c.origin = c.s->path;
  if ((rc = aatgs__ydoc_load(&c.doc, c.origin, text, len, err)) != AATGS_OK) goto fail;
  if ((rc = parse_top(&c)) != AATGS_OK) goto fail;
  if (!c.s->name) {
    rc = aatgs__yerr(err, AATGS_EINVAL, c.origin, aatgs__ydoc_root(&c.doc), "missing suite: NAME");
    goto fail;
  }
  if (!c.s->description && !(c.s->description = dup_str(""))) {
    rc = oom(&c);
    goto fail;
  }
  aatgs__ydoc_free(&c.doc);
  *out = c.s;
  return AATGS_OK;
fail:
  aatgs__ydoc_free(&c.doc);
  aatgs_suite_destroy(c.s);
  return rc;
}

int aatgs_suite_load(aatgs_suite **out, const char *path, aatgs_err *err) {
  char *text = NULL;
  size_t len = 0;
  *out = NULL;
  int rc = aatgs__read_file(path, &text, &len, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs_suite_parse(out, path, text, len, err);
  free(text);
  return rc;
}

void aatgs_suite_destroy(aatgs_suite *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nvariants; i++)
    aatgs_scenario_destroy(s->variants[i]);
  free(s->variants);
  free(s->variant_line);
  for (size_t i = 0; i < s->npolicies; i++)
    free(s->policies[i]);
  free(s->policies);
  free(s->path);
  free(s->name);
  free(s->description);
  free(s);
}

const char *aatgs_suite_name(const aatgs_suite *s) { return s->name; }
const char *aatgs_suite_description(const aatgs_suite *s) { return s->description; }
const char *aatgs_suite_path(const aatgs_suite *s) { return s->path; }
size_t aatgs_suite_policy_count(const aatgs_suite *s) { return s->npolicies; }
const char *aatgs_suite_policy(const aatgs_suite *s, size_t i) {
  return i < s->npolicies ? s->policies[i] : NULL;
}
uint32_t aatgs_suite_seeds(const aatgs_suite *s) { return s->seeds; }
uint32_t aatgs_suite_reps(const aatgs_suite *s) { return s->reps; }
size_t aatgs_suite_variant_count(const aatgs_suite *s) { return s->nvariants; }
aatgs_scenario *aatgs_suite_variant(const aatgs_suite *s, size_t i) {
  return i < s->nvariants ? s->variants[i] : NULL;
}
