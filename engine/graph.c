/* graph.c - task graph: construction, CSR adjacency, analysis and run state. */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct edge {
  uint32_t src, dst;
} edge;

struct aatgs_graph {
  /* Tasks (structure of arrays). */
  uint32_t n, cap;
  uint16_t *type;
  uint8_t *status;
  aatgs_ns *est;
  aatgs_ns *actual; /* lazily allocated */
  uint64_t *bytes;  /* lazily allocated */
  uint32_t *blocks; /* lazily allocated */
  char **labels;    /* lazily allocated */

  /* Edges while building; freed by finalize. */
  edge *edges;
  uint64_t ne, ecap;
  uint64_t *ebytes; /* bytes per building edge; lazily allocated (ecap entries) */

  /* After finalize. */
  int finalized;
  uint32_t *succ_off, *succ, *pred_off, *pred;
  uint64_t *pred_bytes; /* parallel to pred; NULL when no edge carries bytes */
  uint64_t n_edges;
  uint32_t *topo;
  aatgs_ns *rank;
  aatgs_ns total_work, critical_path;
  uint32_t depth, max_width;

  /* Run state. */
  uint32_t *pending;
  aatgs_ns *start, *end;
  uint32_t *readyq;
  uint32_t rq_head, rq_tail;
  uint32_t completed;
  aatgs_ns remaining_work;

  aatgs_type_info types[AATGS_MAX_TYPES];
  uint32_t n_types;
};

static const aatgs_type_info builtin_types[AATGS_TT_FIRST_USER] = {
    {"config_upload", 100 * AATGS_NS_PER_US, AATGS_CLASS_UPLOAD, 0},
    {"whcr", 5 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, 32},
    {"thermodynamic", 10 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, 32},
    {"quantum", 15 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, 32},
    {"lbs", 8 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, 32},
    {"telemetry_download", 200 * AATGS_NS_PER_US, AATGS_CLASS_DOWNLOAD, 0},
    {"phase_transition", 1 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, 32},
    {"custom", 5 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, 32},
};

static int grow_tasks(aatgs_graph *g, uint32_t want) {
  uint32_t cap = g->cap ? g->cap : 64;
  while (cap < want) {
    if (cap > UINT32_MAX / 2) return AATGS_ENOMEM;
    cap *= 2;
  }
  if (cap == g->cap) return AATGS_OK;
#define GROW(field, opt)                                                                           \
  do {                                                                                             \
    if (!(opt) || g->field) {                                                                      \
      void *p_ = realloc(g->field, (size_t)cap * sizeof *g->field);                                \
      if (!p_) return AATGS_ENOMEM;                                                                \
      g->field = p_;                                                                               \
    }                                                                                              \
  } while (0)
  GROW(type, 0);
  GROW(status, 0);
  GROW(est, 0);
  GROW(actual, 1);
  GROW(bytes, 1);
  GROW(blocks, 1);
  GROW(labels, 1);
#undef GROW
  if (g->actual) memset(g->actual + g->cap, 0, (size_t)(cap - g->cap) * sizeof *g->actual);
  if (g->bytes) memset(g->bytes + g->cap, 0, (size_t)(cap - g->cap) * sizeof *g->bytes);
  if (g->blocks) memset(g->blocks + g->cap, 0, (size_t)(cap - g->cap) * sizeof *g->blocks);
  if (g->labels) memset(g->labels + g->cap, 0, (size_t)(cap - g->cap) * sizeof *g->labels);
  g->cap = cap;
  return AATGS_OK;
}

int aatgs_graph_create(aatgs_graph **out, uint32_t task_hint, uint64_t edge_hint) {
  aatgs_graph *g = calloc(1, sizeof *g);
  if (!g) return AATGS_ENOMEM;
  memcpy(g->types, builtin_types, sizeof builtin_types);
  g->n_types = AATGS_TT_FIRST_USER;
  if (task_hint && grow_tasks(g, task_hint) != AATGS_OK) goto fail;
  if (edge_hint) {
    g->edges = malloc(edge_hint * sizeof *g->edges);
    if (!g->edges) goto fail;
    g->ecap = edge_hint;
  }
  *out = g;
  return AATGS_OK;
fail:
  aatgs_graph_destroy(g);
  return AATGS_ENOMEM;
}

static void free_analysis(aatgs_graph *g) {
  free(g->succ_off);
  free(g->succ);
  free(g->pred_off);
  free(g->pred);
  free(g->topo);
  free(g->rank);
  free(g->pending);
  free(g->start);
  free(g->end);
  free(g->readyq);
  free(g->pred_bytes);
  g->pred_bytes = NULL;
  g->succ_off = g->succ = g->pred_off = g->pred = g->topo = g->pending = g->readyq = NULL;
  g->rank = g->start = g->end = NULL;
}

void aatgs_graph_destroy(aatgs_graph *g) {
  if (!g) return;
  if (g->labels)
    for (uint32_t i = 0; i < g->n; i++)
      free(g->labels[i]);
  free(g->type);
  free(g->status);
  free(g->est);
  free(g->actual);
  free(g->bytes);
  free(g->blocks);
  free(g->labels);
  free(g->edges);
  free(g->ebytes);
  free_analysis(g);
  free(g);
}

/* ---- types ---- */

int aatgs_graph_add_type(aatgs_graph *g, const char *name, aatgs_ns est_ns, aatgs_task_class cls,
                         uint32_t *out_type) {
  uint32_t id;
  if (!name || !*name || strlen(name) >= AATGS_TYPE_NAME_MAX || est_ns <= 0 ||
      (unsigned)cls >= AATGS_CLASS_COUNT)
    return AATGS_EINVAL;
  if (aatgs_graph_find_type(g, name, &id) == AATGS_OK) {
    if (out_type) *out_type = id;
    return AATGS_OK;
  }
  if (g->n_types >= AATGS_MAX_TYPES) return AATGS_EFULL;
  id = g->n_types++;
  memset(&g->types[id], 0, sizeof g->types[id]);
  strcpy(g->types[id].name, name);
  g->types[id].default_est_ns = est_ns;
  g->types[id].cls = cls;
  g->types[id].blocks = cls == AATGS_CLASS_KERNEL ? 32 : 0;
  if (out_type) *out_type = id;
  return AATGS_OK;
}

int aatgs_graph_find_type(const aatgs_graph *g, const char *name, uint32_t *out_type) {
  for (uint32_t i = 0; i < g->n_types; i++)
    if (strcmp(g->types[i].name, name) == 0) {
      if (out_type) *out_type = i;
      return AATGS_OK;
    }
  return AATGS_ENOENT;
}

int aatgs_graph_set_type_estimate(aatgs_graph *g, uint32_t type, aatgs_ns est_ns) {
  if (type >= g->n_types || est_ns <= 0) return AATGS_EINVAL;
  g->types[type].default_est_ns = est_ns;
  return AATGS_OK;
}

const aatgs_type_info *aatgs_graph_type(const aatgs_graph *g, uint32_t type) {
  return type < g->n_types ? &g->types[type] : NULL;
}

uint32_t aatgs_graph_num_types(const aatgs_graph *g) { return g->n_types; }

/* ---- construction ---- */

static int push_edge(aatgs_graph *g, uint32_t src, uint32_t dst) {
  if (g->ne == g->ecap) {
    uint64_t cap = g->ecap ? g->ecap * 2 : 256;
    edge *e = realloc(g->edges, cap * sizeof *e);
    if (!e) return AATGS_ENOMEM;
    g->edges = e;
    if (g->ebytes) {
      uint64_t *b = realloc(g->ebytes, cap * sizeof *b);
      if (!b) return AATGS_ENOMEM;
      memset(b + g->ecap, 0, (cap - g->ecap) * sizeof *b);
      g->ebytes = b;
    }
    g->ecap = cap;
  }
  g->edges[g->ne].src = src;
  g->edges[g->ne].dst = dst;
  g->ne++;
  return AATGS_OK;
}

int aatgs_graph_add_task(aatgs_graph *g, uint32_t type, aatgs_ns est_ns, const uint32_t *deps,
                         size_t ndeps, uint32_t *out_id, aatgs_err *err) {
  if (g->finalized) return aatgs_err_set(err, AATGS_ESTATE, "graph is finalized; cannot add tasks");
  if (type >= g->n_types) return aatgs_err_set(err, AATGS_ENOENT, "unknown task type %u", type);
  if (g->n == UINT32_MAX - 1) return aatgs_err_set(err, AATGS_EFULL, "too many tasks");
  for (size_t i = 0; i < ndeps; i++)
    if (deps[i] >= g->n)
      return aatgs_err_set(err, AATGS_ENOENT,
                           "task %u: unknown dependency %u (only %u tasks exist)", g->n, deps[i],
                           g->n);
  if (g->n == g->cap && grow_tasks(g, g->n + 1) != AATGS_OK)
    return aatgs_err_set(err, AATGS_ENOMEM, "out of memory adding task %u", g->n);
  uint32_t id = g->n;
  for (size_t i = 0; i < ndeps; i++)
    if (push_edge(g, deps[i], id) != AATGS_OK) {
      g->ne -= i; /* roll back this task's edges */
      return aatgs_err_set(err, AATGS_ENOMEM, "out of memory adding task %u", id);
    }
  g->type[id] = (uint16_t)type;
  g->status[id] = AATGS_TASK_PENDING;
  g->est[id] = est_ns > 0 ? est_ns : g->types[type].default_est_ns;
  g->n++;
  if (out_id) *out_id = id;
  return AATGS_OK;
}

int aatgs_graph_add_edge(aatgs_graph *g, uint32_t src, uint32_t dst, aatgs_err *err) {
  if (g->finalized) return aatgs_err_set(err, AATGS_ESTATE, "graph is finalized; cannot add edges");
  if (src >= g->n || dst >= g->n)
    return aatgs_err_set(err, AATGS_ENOENT, "edge %u -> %u: unknown task (only %u tasks exist)",
                         src, dst, g->n);
  if (push_edge(g, src, dst) != AATGS_OK) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  return AATGS_OK;
}

int aatgs_graph_add_edge_bytes(aatgs_graph *g, uint32_t src, uint32_t dst, uint64_t bytes,
                               aatgs_err *err) {
  int rc = aatgs_graph_add_edge(g, src, dst, err);
  if (rc != AATGS_OK || bytes == 0) return rc;
  if (!g->ebytes) {
    g->ebytes = calloc(g->ecap, sizeof *g->ebytes);
    if (!g->ebytes) {
      g->ne--;
      return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
    }
  }
  g->ebytes[g->ne - 1] = bytes;
  return AATGS_OK;
}

int aatgs_graph_set_dep_bytes(aatgs_graph *g, uint32_t task, uint64_t bytes, aatgs_err *err) {
  if (g->finalized) return aatgs_err_set(err, AATGS_ESTATE, "graph is finalized; cannot set bytes");
  if (bytes == 0) return AATGS_OK;
  if (!g->ebytes) {
    g->ebytes = calloc(g->ecap ? g->ecap : 1, sizeof *g->ebytes);
    if (!g->ebytes) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  }
  /* add_task appends a task's dependency edges last: walk back over them. */
  for (uint64_t i = g->ne; i-- > 0 && g->edges[i].dst == task;)
    g->ebytes[i] = bytes;
  return AATGS_OK;
}

#define LAZY(field, val)                                                                           \
  do {                                                                                             \
    if (!g->field) {                                                                               \
      if ((val) == 0) return AATGS_OK;                                                             \
      g->field = calloc(g->cap ? g->cap : 1, sizeof *g->field);                                    \
      if (!g->field) return AATGS_ENOMEM;                                                          \
    }                                                                                              \
  } while (0)

int aatgs_graph_set_bytes(aatgs_graph *g, uint32_t task, uint64_t bytes) {
  if (task >= g->n) return AATGS_ENOENT;
  LAZY(bytes, bytes);
  g->bytes[task] = bytes;
  return AATGS_OK;
}

int aatgs_graph_set_blocks(aatgs_graph *g, uint32_t task, uint32_t blocks) {
  if (task >= g->n) return AATGS_ENOENT;
  LAZY(blocks, blocks);
  g->blocks[task] = blocks;
  return AATGS_OK;
}

int aatgs_graph_set_actual(aatgs_graph *g, uint32_t task, aatgs_ns actual_ns) {
  if (task >= g->n || actual_ns < 0) return task >= g->n ? AATGS_ENOENT : AATGS_EINVAL;
  LAZY(actual, actual_ns);
  g->actual[task] = actual_ns;
  return AATGS_OK;
}

int aatgs_graph_set_label(aatgs_graph *g, uint32_t task, const char *label) {
  char *copy;
  if (task >= g->n) return AATGS_ENOENT;
  LAZY(labels, label != NULL);
  copy = label ? strdup(label) : NULL;
  if (label && !copy) return AATGS_ENOMEM;
  free(g->labels[task]);
  g->labels[task] = copy;
  return AATGS_OK;
}
#undef LAZY

/* ---- finalize ---- */

/* Builds a CSR of n nodes from `ne` edges, keyed by src (by_dst = 0) or dst.
 * Lists are sorted and duplicates removed. */
static int build_csr(uint32_t n, const edge *e, uint64_t ne, int by_dst, uint32_t **off_out,
                     uint32_t **adj_out, uint64_t *n_out) {
  uint32_t *off = calloc((size_t)n + 1, sizeof *off);
  uint32_t *adj = malloc((ne ? ne : 1) * sizeof *adj);
  uint32_t *fill = NULL;
  uint64_t w = 0;
  if (!off || !adj) goto fail;
  for (uint64_t i = 0; i < ne; i++)
    off[(by_dst ? e[i].dst : e[i].src) + 1]++;
  for (uint32_t v = 0; v < n; v++)
    off[v + 1] += off[v];
  fill = malloc(((size_t)n + 1) * sizeof *fill);
  if (!fill) goto fail;
  memcpy(fill, off, ((size_t)n + 1) * sizeof *fill);
  for (uint64_t i = 0; i < ne; i++) {
    uint32_t k = by_dst ? e[i].dst : e[i].src;
    adj[fill[k]++] = by_dst ? e[i].src : e[i].dst;
  }
  free(fill);
  /* Sort each list (insertion sort: lists are short and usually sorted
   * already, since edges are added in id order) and dedupe, compacting. */
  for (uint32_t v = 0; v < n; v++) {
    uint32_t b = off[v], en = off[v + 1];
    for (uint32_t i = b + 1; i < en; i++) {
      uint32_t x = adj[i], j = i;
      while (j > b && adj[j - 1] > x) {
        adj[j] = adj[j - 1];
        j--;
      }
      adj[j] = x;
    }
    off[v] = (uint32_t)w;
    for (uint32_t i = b; i < en; i++)
      if (i == b || adj[i] != adj[i - 1]) adj[w++] = adj[i];
  }
  off[n] = (uint32_t)w;
  *off_out = off;
  *adj_out = adj;
  *n_out = w;
  return AATGS_OK;
fail:
  free(off);
  free(adj);
  return AATGS_ENOMEM;
}

static void name_task(const aatgs_graph *g, uint32_t v, char *buf, size_t cap) {
  if (g->labels && g->labels[v])
    snprintf(buf, cap, "%s", g->labels[v]);
  else
    snprintf(buf, cap, "%u", v);
}

/* Kahn's algorithm over CSR arrays. On a cycle, walks predecessors among the
 * unsorted tasks (each has one) until a task repeats, and names that cycle. */
static int kahn(const aatgs_graph *g, uint32_t n, const uint32_t *soff, const uint32_t *succ,
                const uint32_t *poff, const uint32_t *pred, uint32_t *order, aatgs_err *err) {
  uint32_t *indeg = malloc(((size_t)n + 1) * sizeof *indeg);
  uint32_t head = 0, tail = 0;
  if (!indeg) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  for (uint32_t v = 0; v < n; v++) {
    indeg[v] = poff[v + 1] - poff[v];
    if (indeg[v] == 0) order[tail++] = v;
  }
  while (head < tail) {
    uint32_t v = order[head++];
    for (uint32_t i = soff[v]; i < soff[v + 1]; i++)
      if (--indeg[succ[i]] == 0) order[tail++] = succ[i];
  }
  if (tail == n) {
    free(indeg);
    return AATGS_OK;
  }
  /* Cycle. Mark visit index per node (reuse indeg: 0 = sorted; UINT32_MAX-k = step). */
  uint32_t start = 0;
  while (indeg[start] == 0)
    start++;
  uint32_t *path = malloc(((size_t)n + 1) * sizeof *path), len = 0, v = start;
  if (!path) {
    free(indeg);
    return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  }
  for (uint32_t i = 0; i < n; i++)
    if (indeg[i]) indeg[i] = UINT32_MAX; /* unvisited, unsorted */
  while (indeg[v] == UINT32_MAX) {
    indeg[v] = len; /* position in path */
    path[len++] = v;
    uint32_t next = UINT32_MAX;
    for (uint32_t i = poff[v]; i < poff[v + 1]; i++)
      if (indeg[pred[i]] != 0 || pred[i] == start) { /* unsorted predecessor */
        next = pred[i];
        break;
      }
    if (next == UINT32_MAX) break; /* cannot happen: unsorted tasks have an unsorted pred */
    v = next;
  }
  /* path[indeg[v]..len) walked backwards along predecessors is a cycle; print it forwards. */
  char msg[AATGS_ERR_MSG_MAX], name[64];
  size_t used = (size_t)snprintf(msg, sizeof msg, "cycle: ");
  uint32_t first = indeg[v] < len ? indeg[v] : 0, shown = 0;
  for (uint32_t k = len; k-- > first;) {
    name_task(g, path[k], name, sizeof name);
    if (used + strlen(name) + 16 >= sizeof msg) {
      used += (size_t)snprintf(msg + used, sizeof msg - used, "... -> ");
      break;
    }
    used += (size_t)snprintf(msg + used, sizeof msg - used, "%s -> ", name);
    shown++;
  }
  name_task(g, path[len - 1], name, sizeof name);
  snprintf(msg + used, sizeof msg - used, "%s", name);
  free(path);
  free(indeg);
  return aatgs_err_set(err, AATGS_ECYCLE, "%s (%u tasks are on or behind a cycle)", msg, n - tail);
}

int aatgs_graph_topological_sort(const aatgs_graph *g, uint32_t *out, aatgs_err *err) {
  if (g->finalized) {
    memcpy(out, g->topo, (size_t)g->n * sizeof *out);
    return AATGS_OK;
  }
  uint32_t *so = NULL, *s = NULL, *po = NULL, *p = NULL;
  uint64_t ns, np;
  int rc = AATGS_ENOMEM;
  if (build_csr(g->n, g->edges, g->ne, 0, &so, &s, &ns) != AATGS_OK ||
      build_csr(g->n, g->edges, g->ne, 1, &po, &p, &np) != AATGS_OK) {
    aatgs_err_set(err, rc, "out of memory");
    goto done;
  }
  rc = kahn(g, g->n, so, s, po, p, out, err);
done:
  free(so);
  free(s);
  free(po);
  free(p);
  return rc;
}

/* Moves the building edges' bytes onto the predecessor CSR (sorted, deduped:
 * a duplicate edge keeps its largest size). */
static int fill_pred_bytes(aatgs_graph *g) {
  g->pred_bytes = calloc(g->n_edges ? g->n_edges : 1, sizeof *g->pred_bytes);
  if (!g->pred_bytes) return AATGS_ENOMEM;
  for (uint64_t i = 0; i < g->ne; i++) {
    if (!g->ebytes[i]) continue;
    uint32_t lo = g->pred_off[g->edges[i].dst], hi = g->pred_off[g->edges[i].dst + 1];
    while (lo < hi) { /* lower bound of src in the sorted list */
      uint32_t mid = lo + (hi - lo) / 2;
      if (g->pred[mid] < g->edges[i].src)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (g->ebytes[i] > g->pred_bytes[lo]) g->pred_bytes[lo] = g->ebytes[i];
  }
  return AATGS_OK;
}

int aatgs_graph_finalize(aatgs_graph *g, aatgs_err *err) {
  uint32_t n = g->n;
  uint32_t *level = NULL, *width = NULL;
  uint64_t np;
  int rc;
  if (g->finalized) return AATGS_OK;
  if (build_csr(n, g->edges, g->ne, 0, &g->succ_off, &g->succ, &g->n_edges) != AATGS_OK ||
      build_csr(n, g->edges, g->ne, 1, &g->pred_off, &g->pred, &np) != AATGS_OK)
    goto nomem;
  if (g->ebytes && fill_pred_bytes(g) != AATGS_OK) goto nomem;
  g->topo = malloc(((size_t)n + 1) * sizeof *g->topo);
  g->rank = malloc(((size_t)n + 1) * sizeof *g->rank);
  g->pending = malloc(((size_t)n + 1) * sizeof *g->pending);
  g->start = malloc(((size_t)n + 1) * sizeof *g->start);
  g->end = malloc(((size_t)n + 1) * sizeof *g->end);
  g->readyq = malloc(((size_t)n + 1) * sizeof *g->readyq);
  level = calloc((size_t)n + 1, sizeof *level);
  width = calloc((size_t)n + 1, sizeof *width);
  if (!g->topo || !g->rank || !g->pending || !g->start || !g->end || !g->readyq || !level || !width)
    goto nomem;
  rc = kahn(g, n, g->succ_off, g->succ, g->pred_off, g->pred, g->topo, err);
  if (rc != AATGS_OK) {
    free_analysis(g);
    free(level);
    free(width);
    return rc;
  }
  /* Upward ranks (reverse topological order), total work, levels. */
  g->total_work = 0;
  g->critical_path = 0;
  for (uint32_t k = n; k-- > 0;) {
    uint32_t v = g->topo[k];
    aatgs_ns best = 0;
    for (uint32_t i = g->succ_off[v]; i < g->succ_off[v + 1]; i++)
      if (g->rank[g->succ[i]] > best) best = g->rank[g->succ[i]];
    g->rank[v] = g->est[v] + best;
    if (g->rank[v] > g->critical_path) g->critical_path = g->rank[v];
    g->total_work += g->est[v];
  }
  g->depth = 0;
  g->max_width = 0;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t v = g->topo[k], lv = 0;
    for (uint32_t i = g->pred_off[v]; i < g->pred_off[v + 1]; i++)
      if (level[g->pred[i]] + 1 > lv) lv = level[g->pred[i]] + 1;
    level[v] = lv;
    if (++width[lv] > g->max_width) g->max_width = width[lv];
    if (lv + 1 > g->depth) g->depth = lv + 1;
  }
  free(level);
  free(width);
  free(g->edges);
  free(g->ebytes);
  g->edges = NULL;
  g->ebytes = NULL;
  g->ne = g->ecap = 0;
  g->finalized = 1;
  aatgs_graph_reset(g);
  return AATGS_OK;
nomem:
  free_analysis(g);
  free(level);
  free(width);
  return aatgs_err_set(err, AATGS_ENOMEM, "out of memory finalizing a graph of %u tasks", n);
}

int aatgs_graph_is_finalized(const aatgs_graph *g) { return g->finalized; }

/* ---- accessors ---- */

uint32_t aatgs_graph_num_tasks(const aatgs_graph *g) { return g->n; }
uint64_t aatgs_graph_num_edges(const aatgs_graph *g) { return g->finalized ? g->n_edges : g->ne; }
uint32_t aatgs_graph_task_type(const aatgs_graph *g, uint32_t t) { return g->type[t]; }
aatgs_task_class aatgs_graph_task_class(const aatgs_graph *g, uint32_t t) {
  return g->types[g->type[t]].cls;
}
aatgs_ns aatgs_graph_task_estimate(const aatgs_graph *g, uint32_t t) { return g->est[t]; }
aatgs_ns aatgs_graph_task_actual(const aatgs_graph *g, uint32_t t) {
  return g->actual ? g->actual[t] : 0;
}
uint64_t aatgs_graph_task_bytes(const aatgs_graph *g, uint32_t t) {
  return g->bytes ? g->bytes[t] : 0;
}
uint32_t aatgs_graph_task_blocks(const aatgs_graph *g, uint32_t t) {
  return g->blocks && g->blocks[t] ? g->blocks[t] : g->types[g->type[t]].blocks;
}
const char *aatgs_graph_task_label(const aatgs_graph *g, uint32_t t) {
  return g->labels ? g->labels[t] : NULL;
}

const uint32_t *aatgs_graph_successors(const aatgs_graph *g, uint32_t t, uint32_t *n) {
  *n = g->succ_off[t + 1] - g->succ_off[t];
  return g->succ + g->succ_off[t];
}
const uint64_t *aatgs_graph_predecessor_bytes(const aatgs_graph *g, uint32_t t) {
  return g->pred_bytes ? g->pred_bytes + g->pred_off[t] : NULL;
}

uint64_t aatgs_graph_edge_bytes(const aatgs_graph *g, uint32_t src, uint32_t dst) {
  if (!g->pred_bytes || dst >= g->n) return 0;
  uint32_t lo = g->pred_off[dst], hi = g->pred_off[dst + 1];
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (g->pred[mid] < src)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < g->pred_off[dst + 1] && g->pred[lo] == src ? g->pred_bytes[lo] : 0;
}

const uint32_t *aatgs_graph_predecessors(const aatgs_graph *g, uint32_t t, uint32_t *n) {
  *n = g->pred_off[t + 1] - g->pred_off[t];
  return g->pred + g->pred_off[t];
}
const uint32_t *aatgs_graph_topo_order(const aatgs_graph *g) { return g->topo; }

aatgs_ns aatgs_graph_total_work(const aatgs_graph *g) { return g->total_work; }
aatgs_ns aatgs_graph_critical_path(const aatgs_graph *g) { return g->critical_path; }
aatgs_ns aatgs_graph_upward_rank(const aatgs_graph *g, uint32_t t) { return g->rank[t]; }
aatgs_ns aatgs_graph_lower_bound(const aatgs_graph *g, uint32_t streams) {
  aatgs_ns share;
  if (streams == 0) streams = 1;
  share = (g->total_work + streams - 1) / streams;
  return share > g->critical_path ? share : g->critical_path;
}
uint32_t aatgs_graph_depth(const aatgs_graph *g) { return g->depth; }
uint32_t aatgs_graph_max_width(const aatgs_graph *g) { return g->max_width; }

size_t aatgs_graph_memory_bytes(const aatgs_graph *g) {
  size_t per = sizeof *g->type + sizeof *g->status + sizeof *g->est;
  size_t total = sizeof *g + (size_t)g->cap * per;
  if (g->actual) total += (size_t)g->cap * sizeof *g->actual;
  if (g->bytes) total += (size_t)g->cap * sizeof *g->bytes;
  if (g->blocks) total += (size_t)g->cap * sizeof *g->blocks;
  if (g->labels) total += (size_t)g->cap * sizeof *g->labels;
  total += g->ecap * sizeof *g->edges;
  if (g->ebytes) total += g->ecap * sizeof *g->ebytes;
  if (g->finalized) {
    size_t n1 = (size_t)g->n + 1;
    total += 2 * n1 * sizeof(uint32_t) + 2 * g->n_edges * sizeof(uint32_t); /* CSR */
    total += n1 * (sizeof *g->topo + sizeof *g->rank + sizeof *g->pending + sizeof *g->start +
                   sizeof *g->end + sizeof *g->readyq);
    if (g->pred_bytes) total += g->n_edges * sizeof *g->pred_bytes;
  }
  return total;
}

/* ---- state ---- */

void aatgs_graph_reset(aatgs_graph *g) {
  if (!g->finalized) return;
  g->rq_head = g->rq_tail = 0;
  g->completed = 0;
  g->remaining_work = g->total_work;
  for (uint32_t v = 0; v < g->n; v++) {
    g->pending[v] = g->pred_off[v + 1] - g->pred_off[v];
    g->start[v] = g->end[v] = -1;
    if (g->pending[v] == 0) {
      g->status[v] = AATGS_TASK_READY;
      g->readyq[g->rq_tail++] = v;
    } else {
      g->status[v] = AATGS_TASK_PENDING;
    }
  }
}

aatgs_task_status aatgs_graph_status(const aatgs_graph *g, uint32_t t) {
  return (aatgs_task_status)g->status[t];
}

int aatgs_graph_mark_started(aatgs_graph *g, uint32_t t, aatgs_ns time) {
  if (t >= g->n || g->status[t] != AATGS_TASK_READY) return AATGS_ESTATE;
  g->status[t] = AATGS_TASK_RUNNING;
  g->start[t] = time;
  return AATGS_OK;
}

int aatgs_graph_set_start_time(aatgs_graph *g, uint32_t t, aatgs_ns time) {
  if (t >= g->n || g->status[t] != AATGS_TASK_RUNNING) return AATGS_ESTATE;
  g->start[t] = time;
  return AATGS_OK;
}

int aatgs_graph_mark_complete(aatgs_graph *g, uint32_t t, aatgs_ns time) {
  if (t >= g->n || g->status[t] != AATGS_TASK_RUNNING) return AATGS_ESTATE;
  g->status[t] = AATGS_TASK_COMPLETED;
  g->end[t] = time;
  g->completed++;
  g->remaining_work -= g->est[t];
  for (uint32_t i = g->succ_off[t]; i < g->succ_off[t + 1]; i++) {
    uint32_t s = g->succ[i];
    if (--g->pending[s] == 0) {
      g->status[s] = AATGS_TASK_READY;
      g->readyq[g->rq_tail++] = s;
    }
  }
  return AATGS_OK;
}

int aatgs_graph_mark_failed(aatgs_graph *g, uint32_t t, aatgs_ns time) {
  if (t >= g->n || (g->status[t] != AATGS_TASK_RUNNING && g->status[t] != AATGS_TASK_READY))
    return AATGS_ESTATE;
  g->status[t] = AATGS_TASK_FAILED;
  g->end[t] = time;
  return AATGS_OK;
}

uint32_t aatgs_graph_ready_count(const aatgs_graph *g) { return g->rq_tail - g->rq_head; }

uint32_t aatgs_graph_get_ready(const aatgs_graph *g, uint32_t *out, uint32_t cap) {
  uint32_t k = 0;
  for (uint32_t i = g->rq_head; i < g->rq_tail && k < cap; i++)
    out[k++] = g->readyq[i];
  return k;
}

int aatgs_graph_pop_ready(aatgs_graph *g, uint32_t *t) {
  if (g->rq_head == g->rq_tail) return AATGS_ENOENT;
  *t = g->readyq[g->rq_head++];
  return AATGS_OK;
}

uint32_t aatgs_graph_num_completed(const aatgs_graph *g) { return g->completed; }

int aatgs_graph_duration(const aatgs_graph *g, uint32_t t, aatgs_ns *out) {
  if (t >= g->n || g->status[t] != AATGS_TASK_COMPLETED) return AATGS_ESTATE;
  *out = g->end[t] - g->start[t];
  return AATGS_OK;
}

aatgs_ns aatgs_graph_start_time(const aatgs_graph *g, uint32_t t) { return g->start[t]; }
aatgs_ns aatgs_graph_end_time(const aatgs_graph *g, uint32_t t) { return g->end[t]; }

aatgs_ns aatgs_graph_estimate_completion(const aatgs_graph *g, uint32_t streams) {
  if (streams == 0) streams = 1;
  return g->remaining_work > 0 ? (g->remaining_work + streams - 1) / streams : 0;
}
