/* import_wfcommons.c - WfCommons WfFormat JSON, schema 1.5 and 1.4 (see
 * importers.h).
 *
 * The whole file is read and checked first (every task has an id and a
 * runtime, every parent and child names a task, no id twice); only then are
 * types, tasks and edges added to the graph, so a bad file leaves the graph as
 * it was (except for an AATGS_EFULL of the type table or an out-of-memory).
 *
 * Task types: schema 1.5 names every task uniquely ("mProject_ID0000004"),
 * so one type per `name` would overflow the type table (AATGS_MAX_TYPES) on
 * any real instance. The type is the program that ran the task instead
 * (execution.tasks[].command.program), else the name without its trailing
 * "_ID<digits>" suffix, else the name. Schema 1.4: `category`, else `name`.
 *
 * Bytes: a task's bytes are the total size of the files it writes. In schema
 * 1.5 an edge's bytes are the total size of the files its child reads
 * (inputFiles) that its parent wrote first (outputFiles); this is how
 * aatgs_graph_write_wfformat writes them, so they come back. Schema 1.4
 * edges carry no bytes.
 */
#include "importers.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small string -> index hash map (keys borrowed from the JSON) ---- */

typedef struct wf_map {
  const char **keys;
  uint32_t *vals;
  size_t cap; /* a power of two */
} wf_map;

static uint64_t wf_hash(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= UINT64_C(1099511628211);
  }
  return h;
}

static int wf_map_init(wf_map *m, size_t n) {
  m->cap = 16;
  while (m->cap < 2 * n + 1)
    m->cap *= 2;
  m->keys = calloc(m->cap, sizeof *m->keys);
  m->vals = calloc(m->cap, sizeof *m->vals);
  return m->keys && m->vals ? 0 : -1;
}

static void wf_map_free(wf_map *m) {
  free(m->keys);
  free(m->vals);
}

/* Inserts key -> val; returns 1 if inserted, 0 if the key was already there
 * (*old gets its value). The map never fills: cap > 2n. */
static int wf_map_put(wf_map *m, const char *key, uint32_t val, uint32_t *old) {
  size_t i = (size_t)wf_hash(key) & (m->cap - 1);
  while (m->keys[i]) {
    if (!strcmp(m->keys[i], key)) {
      if (old) *old = m->vals[i];
      return 0;
    }
    i = (i + 1) & (m->cap - 1);
  }
  m->keys[i] = key;
  m->vals[i] = val;
  return 1;
}

static int wf_map_get(const wf_map *m, const char *key, uint32_t *val) {
  size_t i = (size_t)wf_hash(key) & (m->cap - 1);
  while (m->keys[i]) {
    if (!strcmp(m->keys[i], key)) {
      *val = m->vals[i];
      return 1;
    }
    i = (i + 1) & (m->cap - 1);
  }
  return 0;
}

/* ---- the tasks of the file, before they go into the graph ---- */

typedef struct wf_task {
  const char *key;   /* what parents/children refer to: 1.5 id, 1.4 name */
  const char *label; /* the file's id */
  const char *type;  /* program / category / name */
  size_t type_len;   /* bytes of `type` that name the type */
  double runtime;    /* seconds */
  int has_runtime;
  uint64_t bytes;             /* total size of the files it writes */
  json_t *parents, *children; /* arrays of keys, or NULL */
  json_t *inputs;             /* 1.5 inputFiles (file ids), or NULL */
} wf_task;

typedef struct wf_edge {
  uint32_t src, dst;
  uint64_t bytes; /* files the child reads that the parent writes (1.5) */
} wf_edge;

typedef struct wf_ctx {
  const char *path;
  aatgs_err *err;
  wf_task *t;
  size_t n;
  wf_map keys;
  wf_edge *edges;
  size_t nedges, edges_cap;
} wf_ctx;

static int wf_nomem(wf_ctx *c) {
  return aatgs_err_set(c->err, AATGS_ENOMEM, "%s: out of memory", c->path);
}

static json_t *wf_get(json_t *obj, const char *key) {
  return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

static const char *wf_str(json_t *obj, const char *key) {
  json_t *v = wf_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A non-negative number (integer or real) under key; 1 found, 0 absent,
 * -1 present but not a non-negative number. */
static int wf_num(json_t *obj, const char *key, double *out) {
  json_t *v = wf_get(obj, key);
  if (!v || json_is_null(v)) return 0;
  if (!json_is_number(v)) return -1;
  double d = json_number_value(v);
  if (!(d >= 0) || isinf(d)) return -1;
  *out = d;
  return 1;
}

/* A size in bytes under key, exact for integers (a double loses bytes above
 * 2^53); reals are rounded. 0 when absent or not a non-negative number. */
static uint64_t wf_size(json_t *obj, const char *key) {
  json_t *v = wf_get(obj, key);
  if (json_is_integer(v)) return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
  double d = 0;
  if (wf_num(obj, key, &d) <= 0 || d >= 1.8e19) return 0;
  return (uint64_t)llround(d);
}

/* Optional array field: NULL when absent or null; error when another type. */
static int wf_opt_array(wf_ctx *c, json_t *task, const char *key, const char *name, json_t **out) {
  json_t *v = wf_get(task, key);
  *out = NULL;
  if (!v || json_is_null(v)) return AATGS_OK;
  if (!json_is_array(v))
    return aatgs_err_set(c->err, AATGS_EINVAL, "%s: task \"%s\": \"%s\" is not an array", c->path,
                         name, key);
  *out = v;
  return AATGS_OK;
}

static int wf_add_edge(wf_ctx *c, uint32_t src, uint32_t dst) {
  if (c->nedges == c->edges_cap) {
    size_t cap = c->edges_cap ? c->edges_cap * 2 : 256;
    wf_edge *e = realloc(c->edges, cap * sizeof *e);
    if (!e) return wf_nomem(c);
    c->edges = e;
    c->edges_cap = cap;
  }
  c->edges[c->nedges].src = src;
  c->edges[c->nedges].dst = dst;
  c->edges[c->nedges].bytes = 0;
  c->nedges++;
  return AATGS_OK;
}

/* Does task t list `key` among its parents? */
static int wf_has_parent(const wf_task *t, const char *key) {
  size_t i;
  json_t *p;
  if (!t->parents) return 0;
  json_array_foreach(t->parents, i, p) {
    if (json_is_string(p) && !strcmp(json_string_value(p), key)) return 1;
  }
  return 0;
}

/* Builds the key map (duplicates are errors), resolves parents and children
 * into edges (children only add edges their child does not list already). */
static int wf_resolve(wf_ctx *c, const char *what) {
  if (wf_map_init(&c->keys, c->n)) return wf_nomem(c);
  for (size_t i = 0; i < c->n; i++) {
    uint32_t old;
    if (!wf_map_put(&c->keys, c->t[i].key, (uint32_t)i, &old))
      return aatgs_err_set(c->err, AATGS_EINVAL, "%s: duplicate task %s \"%s\"", c->path, what,
                           c->t[i].key);
  }
  for (size_t i = 0; i < c->n; i++) {
    wf_task *t = &c->t[i];
    size_t j;
    json_t *p;
    uint32_t k;
    if (!t->has_runtime)
      return aatgs_err_set(c->err, AATGS_EINVAL, "%s: task \"%s\" has no runtimeInSeconds", c->path,
                           t->label);
    json_array_foreach(t->parents, j, p) {
      if (!json_is_string(p))
        return aatgs_err_set(c->err, AATGS_EINVAL, "%s: task \"%s\": parent #%zu is not a string",
                             c->path, t->key, j);
      if (!wf_map_get(&c->keys, json_string_value(p), &k))
        return aatgs_err_set(c->err, AATGS_ENOENT, "%s: task \"%s\": unknown parent \"%s\"",
                             c->path, t->key, json_string_value(p));
      int rc = wf_add_edge(c, k, (uint32_t)i);
      if (rc) return rc;
    }
    json_array_foreach(t->children, j, p) {
      if (!json_is_string(p))
        return aatgs_err_set(c->err, AATGS_EINVAL, "%s: task \"%s\": child #%zu is not a string",
                             c->path, t->key, j);
      if (!wf_map_get(&c->keys, json_string_value(p), &k))
        return aatgs_err_set(c->err, AATGS_ENOENT, "%s: task \"%s\": unknown child \"%s\"", c->path,
                             t->key, json_string_value(p));
      if (wf_has_parent(&c->t[k], t->key)) continue;
      int rc = wf_add_edge(c, (uint32_t)i, k);
      if (rc) return rc;
    }
  }
  return AATGS_OK;
}

/* Type name without a trailing "_ID<digits>" (1.5 task names). */
static size_t wf_strip_id(const char *name) {
  size_t len = strlen(name), d = len;
  while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
    d--;
  if (d < len && d >= 4 && !strncmp(name + d - 3, "_ID", 3)) return d - 3;
  return len;
}

/* ---- schema 1.5 ---- */

static int wf_load_15(wf_ctx *c, json_t *wf) {
  json_t *spec = wf_get(wf, "specification");
  json_t *tasks = wf_get(spec, "tasks");
  json_t *files = wf_get(spec, "files");
  json_t *exec = wf_get(wf_get(wf, "execution"), "tasks");
  wf_map fsize = {0}, ex = {0};
  uint32_t *producer = NULL; /* file index -> the first task that writes it */
  int rc = AATGS_OK;
  size_t i;
  json_t *v;
  if (!json_is_array(tasks))
    return aatgs_err_set(c->err, AATGS_EINVAL, "%s: missing workflow.specification.tasks", c->path);
  if (!json_is_array(exec))
    return aatgs_err_set(c->err, AATGS_EINVAL, "%s: missing workflow.execution.tasks", c->path);
  if (files && !json_is_array(files))
    return aatgs_err_set(c->err, AATGS_EINVAL, "%s: workflow.specification.files is not an array",
                         c->path);
  c->n = json_array_size(tasks);
  c->t = calloc(c->n ? c->n : 1, sizeof *c->t);
  producer = malloc((json_array_size(files) + 1) * sizeof *producer);
  if (!c->t || !producer || wf_map_init(&fsize, json_array_size(files)) ||
      wf_map_init(&ex, json_array_size(exec))) {
    rc = wf_nomem(c);
    goto done;
  }
  /* files: id -> index into `files` */
  json_array_foreach(files, i, v) {
    const char *id = wf_str(v, "id");
    double sz;
    if (!id) {
      rc = aatgs_err_set(c->err, AATGS_EINVAL, "%s: file #%zu has no \"id\"", c->path, i);
      goto done;
    }
    if (wf_num(v, "sizeInBytes", &sz) <= 0) {
      rc = aatgs_err_set(c->err, AATGS_EINVAL, "%s: file \"%s\" has no valid sizeInBytes", c->path,
                         id);
      goto done;
    }
    wf_map_put(&fsize, id, (uint32_t)i, NULL);
    producer[i] = UINT32_MAX;
  }
  /* execution tasks: id -> index (the first entry of an id wins) */
  json_array_foreach(exec, i, v) {
    const char *id = wf_str(v, "id");
    if (!id) {
      rc = aatgs_err_set(c->err, AATGS_EINVAL, "%s: workflow.execution.tasks #%zu has no \"id\"",
                         c->path, i);
      goto done;
    }
    wf_map_put(&ex, id, (uint32_t)i, NULL);
  }
  json_array_foreach(tasks, i, v) {
    wf_task *t = &c->t[i];
    const char *id = wf_str(v, "id"), *name = wf_str(v, "name");
    json_t *outs;
    uint32_t k;
    if (!json_is_object(v) || !id) {
      rc = aatgs_err_set(c->err, AATGS_EINVAL,
                         "%s: workflow.specification.tasks #%zu has no \"id\"", c->path, i);
      goto done;
    }
    t->key = t->label = id;
    if ((rc = wf_opt_array(c, v, "parents", id, &t->parents)) ||
        (rc = wf_opt_array(c, v, "children", id, &t->children)) ||
        (rc = wf_opt_array(c, v, "outputFiles", id, &outs)) ||
        (rc = wf_opt_array(c, v, "inputFiles", id, &t->inputs)))
      goto done;
    if (outs) {
      size_t j;
      json_t *f;
      json_array_foreach(outs, j, f) {
        uint32_t fi;
        if (!json_is_string(f) || !wf_map_get(&fsize, json_string_value(f), &fi)) {
          rc = aatgs_err_set(c->err, AATGS_ENOENT, "%s: task \"%s\": unknown output file \"%s\"",
                             c->path, id, json_is_string(f) ? json_string_value(f) : "?");
          goto done;
        }
        t->bytes += wf_size(json_array_get(files, fi), "sizeInBytes");
        if (producer[fi] == UINT32_MAX) producer[fi] = (uint32_t)i;
      }
    }
    t->type = name ? name : id;
    t->type_len = wf_strip_id(t->type);
    if (wf_map_get(&ex, id, &k)) {
      json_t *et = json_array_get(exec, k);
      const char *prog = wf_str(wf_get(et, "command"), "program");
      int r = wf_num(et, "runtimeInSeconds", &t->runtime);
      if (r < 0) {
        rc = aatgs_err_set(c->err, AATGS_EINVAL,
                           "%s: task \"%s\": runtimeInSeconds is not a non-negative number",
                           c->path, id);
        goto done;
      }
      t->has_runtime = r > 0;
      if (prog && *prog) {
        t->type = prog;
        t->type_len = strlen(prog);
      }
    }
    if (t->type_len == 0) t->type_len = strlen(t->type);
  }
  rc = wf_resolve(c, "id");
  /* Edge bytes: the files the child reads that the parent wrote. */
  for (size_t e = 0; rc == AATGS_OK && e < c->nedges; e++) {
    wf_edge *ed = &c->edges[e];
    size_t j;
    json_t *f;
    json_array_foreach(c->t[ed->dst].inputs, j, f) {
      uint32_t fi;
      if (!json_is_string(f) || !wf_map_get(&fsize, json_string_value(f), &fi) ||
          producer[fi] != ed->src)
        continue;
      ed->bytes += wf_size(json_array_get(files, fi), "sizeInBytes");
    }
  }
done:
  free(producer);
  wf_map_free(&fsize);
  wf_map_free(&ex);
  return rc;
}

/* ---- schema 1.4 ---- */

/* Edge bytes in 1.4 (t->inputs holds each task's `files`): the files, by
 * name, that the child links as input and the parent, their first writer,
 * as output. */
static int wf_edge_bytes_14(wf_ctx *c) {
  wf_map writer = {0};
  size_t nfiles = 0, j;
  json_t *f;
  for (size_t i = 0; i < c->n; i++)
    nfiles += json_array_size(c->t[i].inputs);
  if (wf_map_init(&writer, nfiles)) return wf_nomem(c);
  for (size_t i = 0; i < c->n; i++)
    json_array_foreach(c->t[i].inputs, j, f) {
      const char *link = wf_str(f, "link"), *fname = wf_str(f, "name");
      if (fname && link && !strcmp(link, "output")) wf_map_put(&writer, fname, (uint32_t)i, NULL);
    }
  for (size_t e = 0; e < c->nedges; e++) {
    wf_edge *ed = &c->edges[e];
    json_array_foreach(c->t[ed->dst].inputs, j, f) {
      const char *link = wf_str(f, "link"), *fname = wf_str(f, "name");
      uint32_t w;
      if (fname && link && !strcmp(link, "input") && wf_map_get(&writer, fname, &w) && w == ed->src)
        ed->bytes += wf_size(f, "sizeInBytes");
    }
  }
  wf_map_free(&writer);
  return AATGS_OK;
}

static int wf_load_14(wf_ctx *c, json_t *tasks) {
  size_t i;
  json_t *v;
  int rc;
  c->n = json_array_size(tasks);
  c->t = calloc(c->n ? c->n : 1, sizeof *c->t);
  if (!c->t) return wf_nomem(c);
  json_array_foreach(tasks, i, v) {
    wf_task *t = &c->t[i];
    const char *name = wf_str(v, "name"), *id = wf_str(v, "id"), *cat = wf_str(v, "category");
    json_t *files;
    if (!json_is_object(v) || !name)
      return aatgs_err_set(c->err, AATGS_EINVAL, "%s: workflow.tasks #%zu has no \"name\"", c->path,
                           i);
    t->key = name;
    t->label = id ? id : name;
    t->type = cat && *cat ? cat : name;
    t->type_len = strlen(t->type);
    if ((rc = wf_opt_array(c, v, "parents", name, &t->parents)) ||
        (rc = wf_opt_array(c, v, "children", name, &t->children)) ||
        (rc = wf_opt_array(c, v, "files", name, &t->inputs)))
      return rc;
    files = t->inputs;
    int r = wf_num(v, "runtimeInSeconds", &t->runtime);
    if (r < 0)
      return aatgs_err_set(c->err, AATGS_EINVAL,
                           "%s: task \"%s\": runtimeInSeconds is not a non-negative number",
                           c->path, t->label);
    t->has_runtime = r > 0;
    if (files) {
      size_t j;
      json_t *f;
      json_array_foreach(files, j, f) {
        const char *link = wf_str(f, "link");
        double sz = 0;
        if (!link || strcmp(link, "output")) continue;
        if (wf_num(f, "sizeInBytes", &sz) < 0)
          return aatgs_err_set(c->err, AATGS_EINVAL,
                               "%s: task \"%s\": output file #%zu has an invalid sizeInBytes",
                               c->path, name, j);
        t->bytes += wf_size(f, "sizeInBytes");
      }
    }
  }
  rc = wf_resolve(c, "name");
  if (rc == AATGS_OK) rc = wf_edge_bytes_14(c);
  return rc;
}

/* ---- into the graph ---- */

static int wf_build(wf_ctx *c, aatgs_graph *g, aatgs_ns unit_ns) {
  uint32_t base = aatgs_graph_num_tasks(g);
  int rc;
  for (size_t i = 0; i < c->n; i++) {
    const wf_task *t = &c->t[i];
    char tname[AATGS_TYPE_NAME_MAX];
    size_t len = t->type_len < AATGS_TYPE_NAME_MAX - 1 ? t->type_len : AATGS_TYPE_NAME_MAX - 1;
    uint32_t type, id;
    memcpy(tname, t->type, len);
    tname[len] = '\0';
    rc = aatgs_graph_add_type(g, tname, unit_ns > 0 ? unit_ns : 1, AATGS_CLASS_KERNEL, &type);
    if (rc != AATGS_OK)
      return aatgs_err_set(c->err, rc, "%s: task \"%s\": cannot add task type \"%s\": %s", c->path,
                           t->label, tname, aatgs_strerror(rc));
    double est = t->runtime * (double)unit_ns;
    aatgs_ns ns = est >= 9.2e18 ? INT64_MAX : (aatgs_ns)llround(est);
    rc = aatgs_graph_add_task(g, type, ns > 0 ? ns : 1, NULL, 0, &id, c->err);
    if (rc != AATGS_OK) return aatgs_err_prefix(c->err, "%s: task \"%s\"", c->path, t->label);
    if (aatgs_graph_set_label(g, id, t->label) != AATGS_OK) return wf_nomem(c);
    aatgs_graph_set_bytes(g, id, t->bytes);
  }
  for (size_t i = 0; i < c->nedges; i++) {
    rc = aatgs_graph_add_edge_bytes(g, base + c->edges[i].src, base + c->edges[i].dst,
                                    c->edges[i].bytes, c->err);
    if (rc != AATGS_OK)
      return aatgs_err_prefix(c->err, "%s: edge \"%s\" -> \"%s\"", c->path,
                              c->t[c->edges[i].src].key, c->t[c->edges[i].dst].key);
  }
  return AATGS_OK;
}

int aatgs_import_wfcommons(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err) {
  json_error_t jerr;
  wf_ctx c;
  int rc;
  if (!g || !path) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_import_wfcommons: NULL argument");
  FILE *f = fopen(path, "rb");
  if (!f) return aatgs_err_set(err, AATGS_EIO, "cannot read '%s': %s", path, strerror(errno));
  json_t *root = json_loadf(f, 0, &jerr);
  fclose(f);
  if (!root) {
    if (jerr.line > 0)
      return aatgs_err_set(err, AATGS_EINVAL, "%s:%d:%d: %s", path, jerr.line, jerr.column,
                           jerr.text);
    return aatgs_err_set(err, AATGS_EINVAL, "%s: %s", path, jerr.text);
  }
  memset(&c, 0, sizeof c);
  c.path = path;
  c.err = err;
  json_t *wf = wf_get(root, "workflow");
  const char *ver = wf_str(root, "schemaVersion");
  json_t *tasks14 = wf_get(wf, "tasks");
  if (!json_is_object(root)) {
    rc = aatgs_err_set(err, AATGS_EINVAL,
                       "%s: not a WfFormat file (the top level is not an object)", path);
  } else if (!json_is_object(wf)) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s: missing workflow", path);
  } else if (wf_get(wf, "specification") || (ver && !strcmp(ver, "1.5"))) {
    rc = wf_load_15(&c, wf);
  } else if (json_is_array(tasks14)) {
    rc = wf_load_14(&c, tasks14);
  } else if (wf_get(wf, "jobs")) {
    rc = aatgs_err_set(err, AATGS_EINVAL,
                       "%s: schema 1.0 (WorkflowHub workflow.jobs) is not supported; convert it "
                       "to WfFormat 1.5",
                       path);
  } else if (ver && !strncmp(ver, "1.", 2)) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s: schema %s: missing workflow.tasks", path, ver);
  } else {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s: missing workflow.specification.tasks", path);
  }
  if (rc == AATGS_OK) rc = wf_build(&c, g, unit_ns);
  free(c.t);
  free(c.edges);
  wf_map_free(&c.keys);
  json_decref(root);
  return rc;
}
