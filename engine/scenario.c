/* scenario.c - scenario files: YAML (libyaml document API) to a validated
 * description, and from it to task graphs (generators or explicit tasks).
 *
 * Everything that can be checked is checked at load, with the position of the
 * offending node: keys, value types and ranges, generator names and
 * parameters, type names, duplicate and unknown task ids, and cycles among
 * explicit tasks (a trial build, whose cycle message is translated back to
 * the scenario's ids). aatgs_scenario_build then only repeats what load did.
 */
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generators.h"
#include "importers.h"
#include "yamlutil.h"

#define MAX_STREAMS 256
#define MAX_SEEDS 1000

typedef struct scen_type {
  char name[AATGS_TYPE_NAME_MAX];
  aatgs_ns est;
  aatgs_task_class cls;
} scen_type;

typedef struct scen_est {
  char name[AATGS_TYPE_NAME_MAX];
  aatgs_ns est;
} scen_est;

typedef struct scen_task {
  char *id;
  char type[AATGS_TYPE_NAME_MAX];
  aatgs_ns est, actual;
  uint64_t bytes;
  uint32_t blocks;
  uint32_t *deps; /* indices into tasks */
  uint32_t ndeps;
  int line, col;
} scen_task;

struct aatgs_scenario {
  char *path, *text, *name, *description, *params_json;
  size_t text_len;
  char hash[17];
  uint32_t streams, seeds;
  double noise_cv;
  scen_type *types;
  size_t ntypes;
  scen_est *ests;
  size_t nests;
  int has_gen;
  aatgs_gen_args args;
  int has_import;       /* import: a real graph from a file */
  int import_fmt;       /* index into importers[] */
  char *import_path;    /* resolved: relative to the scenario's folder, $AATGS_DATA_DIR expanded */
  aatgs_ns import_unit; /* duration of one time unit of the file */
  scen_task *tasks;
  size_t ntasks;
  uint64_t ndeps; /* total deps over explicit tasks */
  /* perturb: (nothing on when absent); edge_gbps and edge_latency (< 0: the
   * profile's); params_json with those appended, built on demand from the
   * params_json text kept in run_json_of. */
  aatgs_perturb perturb;
  double edge_gbps;
  aatgs_ns edge_latency;
  char *run_json;
  char *run_json_of;
};

/* Parse state: the document, the scenario being filled, and a scratch graph
 * that holds the built-in and declared types, so names resolve exactly as the
 * graph will resolve them. */
typedef struct ctx {
  aatgs__ydoc doc;
  aatgs_scenario *s;
  aatgs_graph *types;
  aatgs_err *err;
  const char *origin;
} ctx;

static const char *const top_keys = "name, description, generator, params, tasks, import, streams, "
                                    "seeds, noise_cv, estimates, types, perturb, edge_gbps, "
                                    "edge_latency";

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

/* ---- typed scalar readers; each errors at the node, naming the field ---- */

static int oom(ctx *c) {
  return aatgs_err_set(c->err, AATGS_ENOMEM, "%s: out of memory", c->origin);
}

static int get_string(ctx *c, const yaml_node_t *n, const char *field, int allow_empty,
                      const char **out) {
  const char *v = aatgs__yscalar(n);
  if (!v)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: expected a string, got %s", field,
                       aatgs__ykind(n));
  if (!allow_empty && *v == '\0')
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: must not be empty", field);
  *out = v;
  return AATGS_OK;
}

static int get_uint(ctx *c, const yaml_node_t *n, const char *field, uint64_t lo, uint64_t hi,
                    uint64_t *out) {
  const char *v = aatgs__yscalar(n);
  uint64_t u = 0;
  if (!v)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n,
                       "%s: expected an unsigned integer, got %s", field, aatgs__ykind(n));
  if (aatgs__parse_uint(v, &u) != 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n,
                       "%s: expected an unsigned integer, got \"%s\"", field, v);
  if (u < lo || u > hi)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: %llu is out of range [%llu, %llu]",
                       field, (unsigned long long)u, (unsigned long long)lo,
                       (unsigned long long)hi);
  *out = u;
  return AATGS_OK;
}

static int get_double(ctx *c, const yaml_node_t *n, const char *field, double lo, double hi,
                      double *out) {
  const char *v = aatgs__yscalar(n);
  double d;
  if (!v)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: expected a number, got %s", field,
                       aatgs__ykind(n));
  if (aatgs__parse_double(v, &d) != 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: expected a number, got \"%s\"",
                       field, v);
  if (d < lo || d > hi)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: %s is out of range [%g, %g]", field,
                       v, lo, hi);
  *out = d;
  return AATGS_OK;
}

/* A duration > 0. */
static int get_duration(ctx *c, const yaml_node_t *n, const char *field, aatgs_ns *out) {
  const char *v = aatgs__yscalar(n);
  aatgs_ns ns;
  if (!v)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n,
                       "%s: expected a duration like 5ms, got %s", field, aatgs__ykind(n));
  if (aatgs__parse_duration(v, &ns) != 0)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n,
                       "%s: expected a duration like 5ms, got \"%s\"", field, v);
  if (ns < 1)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: must be greater than 0", field);
  *out = ns;
  return AATGS_OK;
}

static int expect_mapping(ctx *c, const yaml_node_t *n, const char *field) {
  if (!n || n->type != YAML_MAPPING_NODE)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "%s: expected a mapping, got %s", field,
                       aatgs__ykind(n));
  return aatgs__ymap_check(&c->doc, n, c->err);
}

#define PAIRS_FOR(p, map)                                                                          \
  for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top;   \
       p++)

/* Resolves a type name in the scratch graph, or errors at n listing the known types. */
static int check_type(ctx *c, const yaml_node_t *n, const char *name) {
  uint32_t id;
  char known[320];
  size_t used = 0;
  if (aatgs_graph_find_type(c->types, name, &id) == AATGS_OK) return AATGS_OK;
  known[0] = '\0';
  for (uint32_t i = 0; i < aatgs_graph_num_types(c->types); i++) {
    const aatgs_type_info *t = aatgs_graph_type(c->types, i);
    int k = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", t ? t->name : "?");
    if (k < 0 || (size_t)k >= sizeof known - used) break;
    used += (size_t)k;
  }
  return aatgs__yerr(c->err, AATGS_ENOENT, c->origin, n,
                     "unknown task type \"%s\" (known: %s; declare new ones under types:)", name,
                     known);
}

/* ---- types: and estimates: ---- */

static int parse_types(ctx *c, yaml_node_t *map) {
  int rc = expect_mapping(c, map, "types");
  if (rc != AATGS_OK) return rc;
  size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
  c->s->types = calloc(n ? n : 1, sizeof *c->s->types);
  if (!c->s->types) return oom(c);
  PAIRS_FOR(p, map) {
    yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *name = aatgs__yscalar(k);
    scen_type *t = &c->s->types[c->s->ntypes];
    uint32_t id;
    if (strlen(name) == 0 || strlen(name) >= AATGS_TYPE_NAME_MAX)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k,
                         "type name must have 1 to %d characters", AATGS_TYPE_NAME_MAX - 1);
    if (aatgs_graph_find_type(c->types, name, &id) == AATGS_OK)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k,
                         "type \"%s\" is built in; set its estimate under estimates:", name);
    rc = expect_mapping(c, v, name);
    if (rc != AATGS_OK) return rc;
    snprintf(t->name, sizeof t->name, "%s", name);
    t->cls = AATGS_CLASS_KERNEL;
    t->est = 0;
    PAIRS_FOR(q, v) {
      yaml_node_t *qk = aatgs__ydoc_node(&c->doc, q->key);
      yaml_node_t *qv = aatgs__ydoc_node(&c->doc, q->value);
      const char *key = aatgs__yscalar(qk);
      if (strcmp(key, "est") == 0) {
        rc = get_duration(c, qv, "est", &t->est);
        if (rc != AATGS_OK) return rc;
      } else if (strcmp(key, "class") == 0) {
        const char *cls;
        rc = get_string(c, qv, "class", 0, &cls);
        if (rc != AATGS_OK) return rc;
        if (strcmp(cls, "kernel") == 0)
          t->cls = AATGS_CLASS_KERNEL;
        else if (strcmp(cls, "upload") == 0)
          t->cls = AATGS_CLASS_UPLOAD;
        else if (strcmp(cls, "download") == 0)
          t->cls = AATGS_CLASS_DOWNLOAD;
        else
          return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, qv,
                             "class: expected kernel, upload or download, got \"%s\"", cls);
      } else {
        return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, qk,
                           "unknown key \"%s\" in type %s (valid: est, class)", key, name);
      }
    }
    if (t->est == 0)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v, "type %s: missing est", name);
    rc = aatgs_graph_add_type(c->types, t->name, t->est, t->cls, &id);
    if (rc != AATGS_OK)
      return aatgs__yerr(c->err, rc, c->origin, k, "type %s: %s", name, aatgs_strerror(rc));
    c->s->ntypes++;
  }
  return AATGS_OK;
}

static int parse_estimates(ctx *c, yaml_node_t *map) {
  int rc = expect_mapping(c, map, "estimates");
  if (rc != AATGS_OK) return rc;
  size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
  c->s->ests = calloc(n ? n : 1, sizeof *c->s->ests);
  if (!c->s->ests) return oom(c);
  PAIRS_FOR(p, map) {
    yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *name = aatgs__yscalar(k);
    scen_est *e = &c->s->ests[c->s->nests];
    rc = check_type(c, k, name);
    if (rc != AATGS_OK) return rc;
    rc = get_duration(c, v, name, &e->est);
    if (rc != AATGS_OK) return rc;
    snprintf(e->name, sizeof e->name, "%s", name);
    c->s->nests++;
  }
  return AATGS_OK;
}

/* ---- import: ---- */

typedef int (*import_fn)(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err);

static int import_stg_custom(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err) {
  return aatgs_import_stg(g, path, AATGS_TT_CUSTOM, unit_ns, err);
}

/* The formats `import:` knows, and the default duration of one time unit. */
static const struct {
  const char *name;
  import_fn fn;
  aatgs_ns unit;
} importers[] = {
    {"stg", import_stg_custom, AATGS_NS_PER_US},
    {"dax", aatgs_import_dax, AATGS_NS_PER_S},
    {"dot", aatgs_import_dot, 1},
    {"wfcommons", aatgs_import_wfcommons, AATGS_NS_PER_S},
};
#define N_IMPORTERS (sizeof importers / sizeof importers[0])

/* import: {format: stg, path: FILE, unit: 1us}. A relative path is relative
 * to the scenario's folder; a leading $AATGS_DATA_DIR (or ${AATGS_DATA_DIR})
 * is taken from the environment. */
static int parse_import(ctx *c, yaml_node_t *map) {
  const char *format = NULL, *path = NULL;
  const yaml_node_t *path_node = map;
  int rc = expect_mapping(c, map, "import");
  if (rc != AATGS_OK) return rc;
  c->s->import_unit = -1;
  c->s->import_fmt = -1;
  PAIRS_FOR(p, map) {
    yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "format") == 0) {
      rc = get_string(c, v, "format", 0, &format);
      for (size_t i = 0; rc == AATGS_OK && i < N_IMPORTERS; i++)
        if (strcmp(format, importers[i].name) == 0) c->s->import_fmt = (int)i;
      if (rc == AATGS_OK && c->s->import_fmt < 0) {
        char known[128] = "";
        for (size_t i = 0; i < N_IMPORTERS; i++)
          snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                   importers[i].name);
        rc = aatgs__yerr(c->err, AATGS_ENOENT, c->origin, v,
                         "unknown import format \"%s\" (known: %s)", format, known);
      }
    } else if (strcmp(key, "path") == 0) {
      rc = get_string(c, v, "path", 0, &path);
      path_node = v;
    } else if (strcmp(key, "unit") == 0) {
      rc = get_duration(c, v, "unit", &c->s->import_unit);
      if (rc == AATGS_OK && c->s->import_unit <= 0)
        rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v, "unit must be > 0");
    } else {
      rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k,
                       "unknown import key \"%s\" (valid: format, path, unit)", key);
    }
    if (rc != AATGS_OK) return rc;
  }
  if (!format || !path)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, map, "import needs format and path");
  if (c->s->import_unit < 0) c->s->import_unit = importers[c->s->import_fmt].unit;
  char buf[4096];
  const char *rest = NULL;
  if (strncmp(path, "${AATGS_DATA_DIR}", 17) == 0)
    rest = path + 17;
  else if (strncmp(path, "$AATGS_DATA_DIR", 15) == 0)
    rest = path + 15;
  if (rest) {
    const char *dir = getenv("AATGS_DATA_DIR");
    if (!dir || !*dir)
      return aatgs__yerr(c->err, AATGS_ENODATA, c->origin, path_node,
                         "path uses $AATGS_DATA_DIR, which is not set (point it at the folder "
                         "of the real graphs, e.g. ../shared/data)");
    snprintf(buf, sizeof buf, "%s%s", dir, rest);
    if (access(buf, R_OK) != 0)
      return aatgs__yerr(c->err, AATGS_ENODATA, c->origin, path_node,
                         "%s: not readable (%s); is $AATGS_DATA_DIR=%s the data folder?", buf,
                         strerror(errno), dir);
  } else if (path[0] == '/') {
    snprintf(buf, sizeof buf, "%s", path);
  } else {
    const char *slash = strrchr(c->origin, '/');
    int dlen = slash ? (int)(slash - c->origin) : 1;
    snprintf(buf, sizeof buf, "%.*s/%s", dlen, slash ? c->origin : ".", path);
  }
  if (!(c->s->import_path = dup_str(buf))) return oom(c);
  c->s->has_import = 1;
  aatgs__sb b;
  memset(&b, 0, sizeof b);
  aatgs__sb_printf(&b, "{\"generator\":\"import\",\"format\":\"%s\",\"path\":\"", format);
  for (const char *q = path; *q; q++)
    aatgs__sb_printf(&b, (*q == '"' || *q == '\\') ? "\\%c" : "%c", *q);
  aatgs__sb_printf(&b, "\",\"unit\":%lld}", (long long)c->s->import_unit);
  c->s->params_json = aatgs__sb_take(&b);
  return c->s->params_json ? AATGS_OK : oom(c);
}

/* ---- generator: and params: ---- */

static int parse_dist_map(ctx *c, const yaml_node_t *map, const char *pname, aatgs_dist *d) {
  const yaml_node_t *kind_node = NULL;
  int rc = expect_mapping(c, map, pname);
  if (rc != AATGS_OK) return rc;
  PAIRS_FOR(p, map) {
    if (strcmp(aatgs__yscalar(aatgs__ydoc_node(&c->doc, p->key)), "dist") == 0)
      kind_node = aatgs__ydoc_node(&c->doc, p->value);
  }
  if (!kind_node)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, map,
                       "%s: missing dist (fixed, uniform, normal, lognormal, bimodal or empirical)",
                       pname);
  const char *kind;
  rc = get_string(c, kind_node, "dist", 0, &kind);
  if (rc != AATGS_OK) return rc;
  rc = aatgs_dist_init(d, kind, c->err);
  if (rc != AATGS_OK) {
    aatgs_err_prefix(c->err, "%s", pname);
    return aatgs__yerr_at(c->err, c->origin, kind_node);
  }
  PAIRS_FOR(p, map) {
    yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *key = aatgs__yscalar(k);
    if (strcmp(key, "dist") == 0) continue;
    const char *text = aatgs__yscalar(v);
    if (!text)
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v, "%s.%s: expected a value, got %s",
                         pname, key, aatgs__ykind(v));
    rc = aatgs_dist_set_field_at(d, key, text, c->origin, c->err);
    if (rc != AATGS_OK) {
      aatgs_err_prefix(c->err, "%s", pname);
      return aatgs__yerr_at(c->err, c->origin, rc == AATGS_ENOENT ? k : v);
    }
  }
  rc = aatgs_dist_check(d, c->err);
  if (rc != AATGS_OK) {
    aatgs_err_prefix(c->err, "%s", pname);
    return aatgs__yerr_at(c->err, c->origin, map);
  }
  return AATGS_OK;
}

static int parse_generator(ctx *c, yaml_node_t *gen_node, yaml_node_t *params) {
  const char *name;
  char known[256];
  int rc = get_string(c, gen_node, "generator", 0, &name);
  if (rc != AATGS_OK) return rc;
  const aatgs_generator *gen = aatgs_generator_find(name);
  if (!gen) {
    aatgs_generator_names(known, sizeof known);
    return aatgs__yerr(c->err, AATGS_ENOENT, c->origin, gen_node,
                       "unknown generator \"%s\" (known: %s)", name, known);
  }
  aatgs_gen_args_init(&c->s->args, gen);
  c->s->args.origin = c->s->path; /* empirical files are relative to the scenario */
  c->s->has_gen = 1;
  if (params) {
    rc = expect_mapping(c, params, "params");
    if (rc != AATGS_OK) return rc;
    PAIRS_FOR(p, params) {
      yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
      const char *key = aatgs__yscalar(k);
      const aatgs_gen_param *prm = aatgs_generator_param(gen, key, NULL);
      if (!prm) {
        (void)aatgs_gen_args_set(&c->s->args, key, "", c->err); /* the message lists valid ones */
        return aatgs__yerr_at(c->err, c->origin, k);
      }
      if (v->type == YAML_MAPPING_NODE && prm->kind == AATGS_PARAM_DIST) {
        aatgs_dist d;
        memset(&d, 0, sizeof d);
        rc = parse_dist_map(c, v, key, &d);
        if (rc != AATGS_OK) {
          aatgs_dist_free(&d);
          return rc;
        }
        rc = aatgs_gen_args_set_dist(&c->s->args, key, &d, c->err);
        if (rc != AATGS_OK) aatgs_dist_free(&d); /* on success the arguments own it */
      } else if (v->type != YAML_SCALAR_NODE) {
        return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v, "%s: expected %s, got %s", key,
                           prm->kind == AATGS_PARAM_DIST ? "a duration or a {dist: ...} mapping"
                                                         : "a single value",
                           aatgs__ykind(v));
      } else {
        rc = aatgs_gen_args_set(&c->s->args, key, aatgs__yscalar(v), c->err);
      }
      if (rc != AATGS_OK) return aatgs__yerr_at(c->err, c->origin, v);
      if (prm->kind == AATGS_PARAM_TYPE) {
        rc = check_type(c, v, aatgs__yscalar(v));
        if (rc != AATGS_OK) return rc;
      }
    }
  }
  /* A default type parameter ("custom") always resolves. */
  uint64_t tasks, edges;
  gen->size(&c->s->args, &tasks, &edges);
  if (tasks > AATGS_GEN_MAX_TASKS)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, params ? params : gen_node,
                       "%s would make %llu tasks, more than the limit of %llu", name,
                       (unsigned long long)tasks, (unsigned long long)AATGS_GEN_MAX_TASKS);
  c->s->params_json = aatgs_gen_args_json(&c->s->args);
  if (!c->s->params_json) return oom(c);
  return AATGS_OK;
}

/* ---- tasks: ---- */

/* Open-addressing map from id string to task index + 1. */
typedef struct idmap {
  uint32_t *slot;
  size_t mask;
} idmap;

static uint64_t id_hash(const char *s) { return aatgs__fnv1a64(s, strlen(s)); }

static int idmap_init(idmap *m, size_t n) {
  size_t cap = 16;
  while (cap < 2 * n)
    cap *= 2;
  m->slot = calloc(cap, sizeof *m->slot);
  m->mask = cap - 1;
  return m->slot ? 0 : -1;
}

/* Returns the index of id, or UINT32_MAX; with insert_index != UINT32_MAX
 * inserts it when absent. */
static uint32_t idmap_lookup(idmap *m, const scen_task *tasks, const char *id,
                             uint32_t insert_index) {
  size_t i = (size_t)id_hash(id) & m->mask;
  while (m->slot[i]) {
    uint32_t t = m->slot[i] - 1;
    if (strcmp(tasks[t].id, id) == 0) return t;
    i = (i + 1) & m->mask;
  }
  if (insert_index != UINT32_MAX) m->slot[i] = insert_index + 1;
  return UINT32_MAX;
}

static int parse_task(ctx *c, yaml_node_t *n, scen_task *t, const yaml_node_t **deps_node) {
  int rc = expect_mapping(c, n, "task");
  if (rc != AATGS_OK) return rc;
  t->line = aatgs__ynode_line(n);
  t->col = aatgs__ynode_col(n);
  snprintf(t->type, sizeof t->type, "custom");
  *deps_node = NULL;
  PAIRS_FOR(p, n) {
    yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *key = aatgs__yscalar(k), *str;
    uint64_t u = 0;
    if (strcmp(key, "id") == 0) {
      rc = get_string(c, v, "id", 0, &str);
      if (rc != AATGS_OK) return rc;
      t->id = dup_str(str);
      if (!t->id) return oom(c);
    } else if (strcmp(key, "type") == 0) {
      rc = get_string(c, v, "type", 0, &str);
      if (rc == AATGS_OK) rc = check_type(c, v, str);
      if (rc != AATGS_OK) return rc;
      snprintf(t->type, sizeof t->type, "%s", str);
    } else if (strcmp(key, "est") == 0) {
      rc = get_duration(c, v, "est", &t->est);
    } else if (strcmp(key, "actual") == 0) {
      rc = get_duration(c, v, "actual", &t->actual);
    } else if (strcmp(key, "bytes") == 0) {
      rc = get_uint(c, v, "bytes", 0, UINT64_MAX, &t->bytes);
    } else if (strcmp(key, "blocks") == 0) {
      rc = get_uint(c, v, "blocks", 1, UINT32_MAX, &u);
      t->blocks = (uint32_t)u;
    } else if (strcmp(key, "deps") == 0) {
      if (v->type != YAML_SEQUENCE_NODE)
        return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v,
                           "deps: expected a list of task ids, got %s", aatgs__ykind(v));
      *deps_node = v;
    } else {
      return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k,
                         "unknown key \"%s\" in task (valid: id, type, est, deps, bytes, blocks, "
                         "actual)",
                         key);
    }
    if (rc != AATGS_OK) return rc;
  }
  if (!t->id) return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, n, "task without an id");
  return AATGS_OK;
}

static int parse_tasks(ctx *c, yaml_node_t *seq) {
  aatgs_scenario *s = c->s;
  const yaml_node_t **deps_nodes = NULL;
  idmap map = {0};
  int rc = AATGS_OK;
  if (seq->type != YAML_SEQUENCE_NODE)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, seq,
                       "tasks: expected a list of tasks, got %s", aatgs__ykind(seq));
  size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
  if (n == 0) return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, seq, "tasks: the list is empty");
  if (n >= UINT32_MAX)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, seq, "tasks: too many tasks");
  s->tasks = calloc(n, sizeof *s->tasks);
  deps_nodes = calloc(n, sizeof *deps_nodes);
  if (!s->tasks || !deps_nodes || idmap_init(&map, n) != 0) {
    rc = oom(c);
    goto done;
  }
  /* Pass 1: the tasks and their ids. */
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *tn = aatgs__ydoc_node(&c->doc, seq->data.sequence.items.start[i]);
    scen_task *t = &s->tasks[i];
    s->ntasks = i + 1; /* so destroy frees this task's id */
    rc = parse_task(c, tn, t, &deps_nodes[i]);
    if (rc != AATGS_OK) goto done;
    uint32_t prev = idmap_lookup(&map, s->tasks, t->id, (uint32_t)i);
    if (prev != UINT32_MAX) {
      yaml_node_t *idn = NULL;
      PAIRS_FOR(p, tn) {
        if (strcmp(aatgs__yscalar(aatgs__ydoc_node(&c->doc, p->key)), "id") == 0)
          idn = aatgs__ydoc_node(&c->doc, p->value);
      }
      rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, idn,
                       "duplicate task id \"%s\" (first defined at line %d)", t->id,
                       s->tasks[prev].line);
      goto done;
    }
  }
  /* Pass 2: deps, which may name tasks defined later. */
  for (size_t i = 0; i < n; i++) {
    const yaml_node_t *dn = deps_nodes[i];
    if (!dn) continue;
    size_t nd = (size_t)(dn->data.sequence.items.top - dn->data.sequence.items.start);
    scen_task *t = &s->tasks[i];
    t->deps = malloc((nd ? nd : 1) * sizeof *t->deps);
    if (!t->deps) {
      rc = oom(c);
      goto done;
    }
    for (size_t j = 0; j < nd; j++) {
      yaml_node_t *en = aatgs__ydoc_node(&c->doc, dn->data.sequence.items.start[j]);
      const char *dep;
      rc = get_string(c, en, "deps", 0, &dep);
      if (rc != AATGS_OK) goto done;
      uint32_t d = idmap_lookup(&map, s->tasks, dep, UINT32_MAX);
      if (d == UINT32_MAX) {
        rc = aatgs__yerr(c->err, AATGS_ENOENT, c->origin, en,
                         "unknown task id \"%s\" in deps of \"%s\"", dep, t->id);
        goto done;
      }
      t->deps[t->ndeps++] = d;
    }
    s->ndeps += t->ndeps;
  }
  /* A trial build reports cycles (by id) at load time. */
  {
    aatgs_graph *g = NULL;
    rc = aatgs_scenario_build(s, 0, &g, c->err);
    aatgs_graph_destroy(g);
    if (rc != AATGS_OK) goto done;
  }
  {
    aatgs__sb b = {0};
    aatgs__sb_printf(&b, "{\"generator\":\"tasks\",\"tasks\":%zu,\"deps\":%llu}", n,
                     (unsigned long long)s->ndeps);
    s->params_json = aatgs__sb_take(&b);
    if (!s->params_json) rc = oom(c);
  }
done:
  free(deps_nodes);
  free(map.slot);
  return rc;
}

/* ---- the top level ---- */

static char *base_name(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  size_t n = strlen(b);
  const char *dot = strrchr(b, '.');
  if (dot && dot != b) n = (size_t)(dot - b);
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, b, n);
    p[n] = '\0';
  }
  return p;
}

static int parse_top(ctx *c) {
  aatgs_scenario *s = c->s;
  yaml_node_t *root = aatgs__ydoc_root(&c->doc);
  yaml_node_t *gen = NULL, *params = NULL, *tasks = NULL, *types = NULL, *ests = NULL;
  yaml_node_t *import = NULL, *perturb = NULL;
  yaml_node_t *params_key = NULL, *tasks_key = NULL;
  const char *str;
  uint64_t u = 0;
  int rc;
  if (root->type != YAML_MAPPING_NODE)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, root,
                       "expected a mapping of scenario keys, got %s", aatgs__ykind(root));
  rc = aatgs__ymap_check(&c->doc, root, c->err);
  if (rc != AATGS_OK) return rc;
  PAIRS_FOR(p, root) {
    yaml_node_t *k = aatgs__ydoc_node(&c->doc, p->key), *v = aatgs__ydoc_node(&c->doc, p->value);
    const char *key = aatgs__yscalar(k);
    rc = AATGS_OK;
    if (strcmp(key, "name") == 0) {
      rc = get_string(c, v, "name", 0, &str);
      if (rc == AATGS_OK && !(s->name = dup_str(str))) rc = oom(c);
    } else if (strcmp(key, "description") == 0) {
      rc = get_string(c, v, "description", 1, &str);
      if (rc == AATGS_OK && !(s->description = dup_str(str))) rc = oom(c);
    } else if (strcmp(key, "generator") == 0) {
      gen = v;
    } else if (strcmp(key, "params") == 0) {
      params = v;
      params_key = k;
    } else if (strcmp(key, "tasks") == 0) {
      tasks = v;
      tasks_key = k;
    } else if (strcmp(key, "import") == 0) {
      import = v;
      if (!tasks_key) tasks_key = k;
    } else if (strcmp(key, "streams") == 0) {
      rc = get_uint(c, v, "streams", 1, MAX_STREAMS, &u);
      s->streams = (uint32_t)u;
    } else if (strcmp(key, "seeds") == 0) {
      rc = get_uint(c, v, "seeds", 1, MAX_SEEDS, &u);
      s->seeds = (uint32_t)u;
    } else if (strcmp(key, "noise_cv") == 0) {
      rc = get_double(c, v, "noise_cv", 0.0, 10.0, &s->noise_cv);
    } else if (strcmp(key, "estimates") == 0) {
      ests = v;
    } else if (strcmp(key, "types") == 0) {
      types = v;
    } else if (strcmp(key, "perturb") == 0) {
      perturb = v;
    } else if (strcmp(key, "edge_gbps") == 0) {
      rc = get_double(c, v, "edge_gbps", 0.0, 1e5, &s->edge_gbps);
    } else if (strcmp(key, "edge_latency") == 0) {
      str = aatgs__yscalar(v);
      if (!str || aatgs__parse_duration(str, &s->edge_latency) != 0)
        rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, v,
                         "edge_latency: expected a duration like 5us, got %s",
                         str ? str : aatgs__ykind(v));
    } else {
      rc = aatgs__yerr(c->err, AATGS_EINVAL, c->origin, k, "unknown key \"%s\" (valid: %s)", key,
                       top_keys);
    }
    if (rc != AATGS_OK) return rc;
  }
  if (types && (rc = parse_types(c, types)) != AATGS_OK) return rc;
  if (ests && (rc = parse_estimates(c, ests)) != AATGS_OK) return rc;
  if (perturb &&
      (rc = aatgs__perturb_parse_node(&s->perturb, &c->doc, perturb, c->types, c->err)) != AATGS_OK)
    return rc;
  if ((gen != NULL) + (tasks != NULL) + (import != NULL) > 1)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, tasks_key,
                       "give one of generator, tasks or import, not several");
  if (params && !gen)
    return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, params_key, "params without a generator");
  if (gen) return parse_generator(c, gen, params);
  if (tasks) return parse_tasks(c, tasks);
  if (import) return parse_import(c, import);
  return aatgs__yerr(c->err, AATGS_EINVAL, c->origin, root,
                     "missing generator, tasks or import (one of them says what graph to build)");
}

int aatgs_scenario_parse(aatgs_scenario **out, const char *origin, const char *text, size_t len,
                         aatgs_err *err) {
  ctx c;
  aatgs_scenario *s = NULL;
  int rc;
  *out = NULL;
  memset(&c, 0, sizeof c);
  c.err = err;
  s = calloc(1, sizeof *s);
  if (!s) return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", origin);
  c.s = s;
  s->path = dup_str(origin);
  s->text = malloc(len + 1);
  if (!s->path || !s->text) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", origin);
    goto fail;
  }
  memcpy(s->text, text, len);
  s->text[len] = '\0';
  s->text_len = len;
  snprintf(s->hash, sizeof s->hash, "%016llx", (unsigned long long)aatgs__fnv1a64(text, len));
  s->seeds = 3;
  s->noise_cv = -1.0;
  aatgs_perturb_init(&s->perturb);
  s->edge_gbps = -1.0;
  s->edge_latency = -1;
  c.origin = s->path;
  rc = aatgs__ydoc_load(&c.doc, s->path, s->text, len, err);
  if (rc != AATGS_OK) goto fail;
  rc = aatgs_graph_create(&c.types, 0, 0);
  if (rc != AATGS_OK) {
    rc = oom(&c);
    goto fail;
  }
  rc = parse_top(&c);
  if (rc != AATGS_OK) goto fail;
  if (!s->name && !(s->name = base_name(s->path))) {
    rc = oom(&c);
    goto fail;
  }
  if (!s->description && !(s->description = dup_str(""))) {
    rc = oom(&c);
    goto fail;
  }
  aatgs__ydoc_free(&c.doc);
  aatgs_graph_destroy(c.types);
  *out = s;
  return AATGS_OK;
fail:
  aatgs__ydoc_free(&c.doc);
  aatgs_graph_destroy(c.types);
  aatgs_scenario_destroy(s);
  return rc;
}

int aatgs_scenario_load(aatgs_scenario **out, const char *path, aatgs_err *err) {
  char *text = NULL;
  size_t len = 0;
  *out = NULL;
  int rc = aatgs__read_file(path, &text, &len, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs_scenario_parse(out, path, text, len, err);
  free(text);
  return rc;
}

void aatgs_scenario_destroy(aatgs_scenario *s) {
  if (!s) return;
  for (size_t i = 0; i < s->ntasks; i++) {
    free(s->tasks[i].id);
    free(s->tasks[i].deps);
  }
  free(s->tasks);
  free(s->types);
  free(s->ests);
  free(s->path);
  free(s->text);
  free(s->name);
  free(s->description);
  free(s->params_json);
  free(s->import_path);
  free(s->run_json);
  free(s->run_json_of);
  if (s->has_gen) aatgs_gen_args_free(&s->args);
  free(s);
}

const char *aatgs_scenario_name(const aatgs_scenario *s) { return s->name; }
const char *aatgs_scenario_description(const aatgs_scenario *s) { return s->description; }
const char *aatgs_scenario_path(const aatgs_scenario *s) { return s->path; }
const char *aatgs_scenario_text(const aatgs_scenario *s) { return s->text; }
const char *aatgs_scenario_hash(const aatgs_scenario *s) { return s->hash; }
/* params_json with the run model appended: "perturb" (perturb.h's JSON),
 * "edge_gbps" and "edge_latency" (ns) when the file gives them. Built on
 * demand so that an override that replaces params_json keeps them. */
const char *aatgs_scenario_params_json(const aatgs_scenario *s) {
  aatgs_scenario *m = (aatgs_scenario *)s; /* a cache; the object is never const-allocated */
  if (!aatgs_perturb_any(&s->perturb) && s->edge_gbps < 0 && s->edge_latency < 0)
    return s->params_json;
  const char *base = s->params_json ? s->params_json : "{}";
  if (m->run_json && strcmp(m->run_json_of, base) == 0) return m->run_json;
  size_t n = strlen(base);
  char *pj = aatgs_perturb_any(&s->perturb) ? aatgs_perturb_json(&s->perturb) : NULL;
  aatgs__sb b = {0};
  aatgs__sb_printf(&b, "%.*s", (int)(n > 0 ? n - 1 : 0), base); /* without the closing brace */
  const char *sep = n > 2 ? "," : "";
  if (pj) {
    aatgs__sb_printf(&b, "%s\"perturb\":%s", sep, pj);
    sep = ",";
  }
  if (s->edge_gbps >= 0) {
    aatgs__sb_printf(&b, "%s\"edge_gbps\":", sep);
    aatgs__sb_double(&b, s->edge_gbps);
    sep = ",";
  }
  if (s->edge_latency >= 0)
    aatgs__sb_printf(&b, "%s\"edge_latency\":%lld", sep, (long long)s->edge_latency);
  aatgs__sb_printf(&b, "}");
  free(pj);
  char *json = aatgs__sb_take(&b), *of = dup_str(base);
  if (!json || !of) { /* out of memory: the generator's part at least */
    free(json);
    free(of);
    return s->params_json;
  }
  free(m->run_json);
  free(m->run_json_of);
  m->run_json = json;
  m->run_json_of = of;
  return json;
}

const aatgs_perturb *aatgs_scenario_perturb(const aatgs_scenario *s) {
  return aatgs_perturb_any(&s->perturb) ? &s->perturb : NULL;
}

void aatgs_scenario_apply_profile(const aatgs_scenario *s, aatgs_profile *p) {
  if (s->edge_gbps >= 0) p->edge_gbps = s->edge_gbps;
  if (s->edge_latency >= 0) p->edge_latency_ns = s->edge_latency;
}
uint32_t aatgs_scenario_streams(const aatgs_scenario *s) { return s->streams; }
uint32_t aatgs_scenario_seeds(const aatgs_scenario *s) { return s->seeds; }
double aatgs_scenario_noise_cv(const aatgs_scenario *s) { return s->noise_cv; }

/* ---- building ---- */

/* Rewrites the graph's "cycle: 3 -> 7 -> 5 -> 3" in err with the scenario's
 * ids, starting from the earliest-defined task of the cycle, positioned at
 * that task: "x.yaml:4:5: cycle: a -> c -> b -> a". */
static int name_cycle(const aatgs_scenario *s, aatgs_err *err) {
  const char *p = err ? strstr(err->msg, "cycle: ") : NULL;
  uint32_t *cyc = NULL;
  size_t n = 0, truncated = 0;
  if (!p) return aatgs_err_prefix(err, "%s", s->path);
  cyc = malloc((s->ntasks + 2) * sizeof *cyc);
  if (!cyc) return aatgs_err_prefix(err, "%s", s->path);
  p += strlen("cycle: ");
  while (n < s->ntasks + 1) {
    char *end;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p || v >= s->ntasks) {
      truncated = strncmp(p, "...", 3) == 0;
      break;
    }
    cyc[n++] = (uint32_t)v;
    p = end;
    if (strncmp(p, " -> ", 4) != 0) break;
    p += 4;
  }
  if (n < 2 || (!truncated && cyc[0] != cyc[n - 1])) {
    free(cyc);
    return aatgs_err_prefix(err, "%s", s->path);
  }
  char msg[AATGS_ERR_MSG_MAX];
  size_t used = 0, m = truncated ? n : n - 1, start = 0;
  if (!truncated)
    for (size_t i = 1; i < m; i++)
      if (cyc[i] < cyc[start]) start = i;
  const scen_task *first = &s->tasks[cyc[start]];
  used = (size_t)snprintf(msg, sizeof msg, "%s:%d:%d: cycle: ", s->path, first->line, first->col);
  for (size_t i = 0; i < m && used < sizeof msg; i++)
    used += (size_t)snprintf(msg + used, sizeof msg - used, "%s -> ",
                             s->tasks[cyc[(start + i) % m]].id);
  if (used < sizeof msg)
    snprintf(msg + used, sizeof msg - used, "%s", truncated ? "..." : first->id);
  free(cyc);
  return aatgs_err_set(err, AATGS_ECYCLE, "%s", msg);
}

/* Adds the explicit tasks and their edges to g and finalizes it. */
static int build_explicit(const aatgs_scenario *s, aatgs_graph *g, aatgs_err *err) {
  int rc;
  for (size_t i = 0; i < s->ntasks; i++) {
    const scen_task *t = &s->tasks[i];
    uint32_t type, id;
    rc = aatgs_graph_find_type(g, t->type, &type);
    if (rc != AATGS_OK)
      return aatgs_err_set(err, rc, "%s:%d:%d: unknown task type \"%s\"", s->path, t->line, t->col,
                           t->type);
    rc = aatgs_graph_add_task(g, type, t->est, NULL, 0, &id, err);
    if (rc != AATGS_OK) return aatgs_err_prefix(err, "%s", s->path);
    if (t->bytes) aatgs_graph_set_bytes(g, id, t->bytes);
    if (t->blocks) aatgs_graph_set_blocks(g, id, t->blocks);
    if (t->actual) aatgs_graph_set_actual(g, id, t->actual);
  }
  for (size_t i = 0; i < s->ntasks; i++) {
    const scen_task *t = &s->tasks[i];
    for (uint32_t j = 0; j < t->ndeps; j++) {
      rc = aatgs_graph_add_edge(g, t->deps[j], (uint32_t)i, err);
      if (rc != AATGS_OK) return aatgs_err_prefix(err, "%s", s->path);
    }
  }
  rc = aatgs_graph_finalize(g, err);
  if (rc == AATGS_ECYCLE) return name_cycle(s, err);
  if (rc != AATGS_OK) return aatgs_err_prefix(err, "%s", s->path);
  /* Labels after finalize, so a cycle message above names task numbers. */
  for (size_t i = 0; i < s->ntasks; i++) {
    rc = aatgs_graph_set_label(g, (uint32_t)i, s->tasks[i].id);
    if (rc != AATGS_OK) return aatgs_err_set(err, rc, "%s: out of memory", s->path);
  }
  return AATGS_OK;
}

int aatgs_scenario_build(const aatgs_scenario *s, uint64_t seed, aatgs_graph **out,
                         aatgs_err *err) {
  aatgs_graph *g = NULL;
  uint64_t tasks = s->ntasks, edges = s->ndeps;
  int rc;
  *out = NULL;
  if (s->has_gen) s->args.gen->size(&s->args, &tasks, &edges);
  rc = aatgs_graph_create(&g, (uint32_t)tasks, edges);
  if (rc != AATGS_OK) {
    aatgs_err_set(err, rc, "%s: out of memory", s->path);
    goto fail;
  }
  for (size_t i = 0; i < s->ntypes; i++) {
    uint32_t id;
    const scen_type *t = &s->types[i];
    rc = aatgs_graph_add_type(g, t->name, t->est, t->cls, &id);
    if (rc != AATGS_OK) {
      aatgs_err_set(err, rc, "%s: type %s: %s", s->path, t->name, aatgs_strerror(rc));
      goto fail;
    }
  }
  for (size_t i = 0; i < s->nests; i++) {
    uint32_t id;
    rc = aatgs_graph_find_type(g, s->ests[i].name, &id);
    if (rc == AATGS_OK) rc = aatgs_graph_set_type_estimate(g, id, s->ests[i].est);
    if (rc != AATGS_OK) {
      aatgs_err_set(err, rc, "%s: estimates: %s: %s", s->path, s->ests[i].name, aatgs_strerror(rc));
      goto fail;
    }
  }
  if (s->has_import) {
    rc = importers[s->import_fmt].fn(g, s->import_path, s->import_unit, err);
    if (rc == AATGS_OK && (rc = aatgs_graph_finalize(g, err)) != AATGS_OK)
      aatgs_err_prefix(err, "%s", s->import_path);
    if (rc != AATGS_OK) {
      aatgs_err_prefix(err, "%s", s->path);
      goto fail;
    }
  } else if (s->has_gen) {
    rc = s->args.gen->build(g, &s->args, seed, err);
    if (rc == AATGS_OK) rc = aatgs_graph_finalize(g, err);
    if (rc != AATGS_OK) {
      aatgs_err_prefix(err, "%s", s->path);
      goto fail;
    }
  } else {
    rc = build_explicit(s, g, err);
    if (rc != AATGS_OK) goto fail;
  }
  *out = g;
  return AATGS_OK;
fail:
  aatgs_graph_destroy(g);
  return rc;
}

/* ---- overrides (suite variants) ---- */

static const char *const override_keys = "streams, seeds, noise_cv, params.NAME, estimates.TYPE";

/* Whether a scenario's own types (and the built-in ones) include name. */
static int has_type(const aatgs_scenario *s, const char *name, int *found) {
  aatgs_graph *g = NULL;
  uint32_t id;
  *found = 0;
  if (aatgs_graph_create(&g, 0, 0) != AATGS_OK) return AATGS_ENOMEM;
  for (size_t i = 0; i < s->ntypes; i++)
    if (aatgs_graph_add_type(g, s->types[i].name, s->types[i].est, s->types[i].cls, &id) !=
        AATGS_OK) {
      aatgs_graph_destroy(g);
      return AATGS_ENOMEM;
    }
  *found = aatgs_graph_find_type(g, name, &id) == AATGS_OK;
  aatgs_graph_destroy(g);
  return AATGS_OK;
}

/* Rewrites a generator message "name: reason" (or "reason") as "params.name: reason". */
static int param_error(aatgs_err *err, int rc, const char *name) {
  char msg[AATGS_ERR_MSG_MAX];
  size_t n = strlen(name);
  if (!err) return rc;
  snprintf(msg, sizeof msg, "%s", err->msg);
  const char *reason = strncmp(msg, name, n) == 0 && msg[n] == ':' ? msg + n + 2 : msg;
  return aatgs_err_set(err, rc, "params.%s: %s", name, reason);
}

int aatgs_scenario_override(aatgs_scenario *s, const char *key, const char *value, aatgs_err *err) {
  uint64_t u = 0;
  double d = 0;
  aatgs_ns ns = 0;
  int rc, found;
  aatgs_gen_args args;
  char *json = NULL;
  scen_est *ests = NULL;
  if (strchr(value, '\n'))
    return aatgs_err_set(err, AATGS_EINVAL, "%s: the value must be on one line", key);
  if (strcmp(key, "streams") == 0 || strcmp(key, "seeds") == 0) {
    uint64_t hi = key[1] == 't' ? MAX_STREAMS : MAX_SEEDS;
    if (aatgs__parse_uint(value, &u) != 0)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: expected an unsigned integer, got \"%s\"", key,
                           value);
    if (u < 1 || u > hi)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: %llu is out of range [1, %llu]", key,
                           (unsigned long long)u, (unsigned long long)hi);
  } else if (strcmp(key, "noise_cv") == 0) {
    if (aatgs__parse_double(value, &d) != 0)
      return aatgs_err_set(err, AATGS_EINVAL, "noise_cv: expected a number, got \"%s\"", value);
    if (d < 0.0 || d > 10.0)
      return aatgs_err_set(err, AATGS_EINVAL, "noise_cv: %s is out of range [0, 10]", value);
  } else if (strncmp(key, "params.", 7) == 0) {
    const char *name = key + 7;
    uint64_t tasks, edges;
    if (!s->has_gen)
      return aatgs_err_set(err, AATGS_ENOENT, "%s: scenario %s has no generator (it %s)", key,
                           s->name, s->has_import ? "imports a graph" : "lists its tasks");
    args = s->args;
    rc = aatgs_gen_args_set(&args, name, value, err);
    if (rc != AATGS_OK) return param_error(err, rc, name);
    const aatgs_gen_param *prm = aatgs_generator_param(args.gen, name, NULL);
    if (prm && prm->kind == AATGS_PARAM_TYPE) {
      if (has_type(s, value, &found) != AATGS_OK)
        return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", s->path);
      if (!found)
        return aatgs_err_set(err, AATGS_ENOENT,
                             "%s: unknown task type \"%s\" (declare it under types: in %s)", key,
                             value, s->path);
    }
    args.gen->size(&args, &tasks, &edges);
    if (tasks > AATGS_GEN_MAX_TASKS)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: %s would make %llu tasks, more than %llu", key,
                           args.gen->name, (unsigned long long)tasks,
                           (unsigned long long)AATGS_GEN_MAX_TASKS);
    if (!(json = aatgs_gen_args_json(&args)))
      return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", s->path);
  } else if (strncmp(key, "estimates.", 10) == 0) {
    const char *name = key + 10;
    if (has_type(s, name, &found) != AATGS_OK)
      return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", s->path);
    if (!found) return aatgs_err_set(err, AATGS_ENOENT, "%s: unknown task type \"%s\"", key, name);
    if (aatgs__parse_duration(value, &ns) != 0 || ns < 1)
      return aatgs_err_set(err, AATGS_EINVAL, "%s: expected a duration like 5ms, got \"%s\"", key,
                           value);
    if (!(ests = realloc(s->ests, (s->nests + 1) * sizeof *ests)))
      return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", s->path);
    s->ests = ests;
  } else {
    return aatgs_err_set(err, AATGS_ENOENT, "unknown key \"%s\" (valid: %s)", key, override_keys);
  }
  /* The text records the override; the hash covers it. */
  size_t add = strlen(key) + strlen(value) + 32;
  char *text = realloc(s->text, s->text_len + add);
  if (!text) {
    free(json);
    return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", s->path);
  }
  s->text = text;
  int nl = s->text_len > 0 && text[s->text_len - 1] != '\n';
  int w = snprintf(text + s->text_len, add, "%s# override: %s = %s\n", nl ? "\n" : "", key, value);
  s->text_len += (size_t)w;
  snprintf(s->hash, sizeof s->hash, "%016llx",
           (unsigned long long)aatgs__fnv1a64(s->text, s->text_len));
  /* Commit. */
  if (strcmp(key, "streams") == 0)
    s->streams = (uint32_t)u;
  else if (strcmp(key, "seeds") == 0)
    s->seeds = (uint32_t)u;
  else if (strcmp(key, "noise_cv") == 0)
    s->noise_cv = d;
  else if (json) {
    s->args = args;
    free(s->params_json);
    s->params_json = json;
  } else {
    size_t i = 0;
    while (i < s->nests && strcmp(s->ests[i].name, key + 10) != 0)
      i++;
    if (i == s->nests) snprintf(s->ests[s->nests++].name, sizeof s->ests[i].name, "%s", key + 10);
    s->ests[i].est = ns;
  }
  return AATGS_OK;
}

int aatgs_scenario_set_name(aatgs_scenario *s, const char *name, aatgs_err *err) {
  char *p = dup_str(name);
  if (!p) return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", s->path);
  free(s->name);
  s->name = p;
  return AATGS_OK;
}
